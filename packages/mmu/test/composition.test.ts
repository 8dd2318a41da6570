/**
 * The stacks the overview names: guest DAT over a SIE origin over a block
 * table, and a shadow pager over a zone, agree with the layer-by-layer
 * composition and stay inside the LPAR.
 */
import { Access, SparseStorage, createTranslationStatus } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BLOCK_SIZE,
  BlockTable,
  Esa390Format,
  ShadowPager,
  ZoneRelocator,
  compose,
  createEsa390Dat,
  encodePte,
  encodeStd,
  encodeSte,
  offsetTranslator,
  relocatedStorage,
} from '../src/index';
import { putEntry } from '../src/testing/index';
import { TestContext } from './esa-fixture';

const MB = 1024 * 1024;

function guestTables(storage: Parameters<typeof putEntry>[0], ctx: TestContext, frames: readonly number[]) {
  ctx.cr[0] = 0x00b00000;
  ctx.cr[1] = encodeStd(0x10000, 0);
  for (let sx = 0; sx < 4; sx++) putEntry(storage, 0x10000 + sx * 4, encodeSte(0x11000 + sx * 0x400, 15));
  frames.forEach((f, i) => {
    putEntry(storage, 0x11000 + i * 4, f < 0 ? encodePte(0, { invalid: true }) : encodePte(f * 4096));
  });
}

describe('compositions', () => {
  it('guest DAT > SIE origin > block table: LPAR blocks only, whatever the guest tables say', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: 16383 }), { minLength: 1024, maxLength: 1024 }), fc.array(fc.integer({ min: 0, max: 4 * MB - 1 }), { maxLength: 60 }), (frames, probes) => {
        const machine = new SparseStorage(1024 * MB);
        const blocks = new BlockTable(1024 * MB, [7 * BLOCK_SIZE, 3 * BLOCK_SIZE]);
        // The guest has 32 MB at LPAR address 96 MB: half in each block.
        const sie = offsetTranslator('sie-origin', 48 * MB, 32 * MB);
        const guestStorage = relocatedStorage(machine, compose(sie, blocks), 32 * MB);
        const ctx = new TestContext();
        guestTables(guestStorage, ctx, frames);
        const stack = compose(createEsa390Dat({ storage: guestStorage, context: ctx }), sie, blocks);
        for (const a of probes) {
          const st = createTranslationStatus();
          const r = stack.translate(a, Access.Read, st);
          if (r < 0) continue;
          const inBlock = (r >= 7 * BLOCK_SIZE && r < 8 * BLOCK_SIZE) || (r >= 3 * BLOCK_SIZE && r < 4 * BLOCK_SIZE);
          expect(inBlock).toBe(true);
          // Frames beyond the guest's 32 MB fault in the SIE layer, never reach the block table.
          const frame = frames[a >>> 12]!;
          expect(frame).toBeLessThan(8192);
        }
      }),
      { numRuns: 40, seed: 3 },
    );
  });

  it('shadow (pmap = SIE origin) > zone equals guest DAT > SIE origin > zone', () => {
    const machine = new SparseStorage(256 * MB);
    const zone = new ZoneRelocator({ origin: 128 * MB, limit: 64 * MB });
    const sie = offsetTranslator('sie-origin', 16 * MB, 16 * MB);
    const guestStorage = relocatedStorage(machine, compose(sie, zone), 16 * MB);
    const ctx = new TestContext();
    const frames = Array.from({ length: 1024 }, (_, i) => (i % 5 === 0 ? -1 : (i * 37) % 4096));
    guestTables(guestStorage, ctx, frames);
    const lparStorage = relocatedStorage(machine, zone);
    const shadowed = compose(new ShadowPager({ format: new Esa390Format(ctx), hostStorage: lparStorage, pmap: sie, guestSize: 16 * MB }), zone);
    const direct = compose(createEsa390Dat({ storage: guestStorage, context: ctx }), sie, zone);
    for (let a = 0; a < 4 * MB; a += 4096 + 44) {
      const s1 = createTranslationStatus();
      const s2 = createTranslationStatus();
      const r1 = shadowed.translate(a, Access.Write, s1);
      const r2 = direct.translate(a, Access.Write, s2);
      expect(r1).toBe(r2);
      if (r1 < 0) expect([s1.code, s1.exceptionId]).toEqual([s2.code, s2.exceptionId]);
      else expect(r1 >= 144 * MB && r1 < 160 * MB).toBe(true);
    }
  });
});
