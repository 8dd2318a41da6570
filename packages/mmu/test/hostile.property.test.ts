/**
 * Hostile guests (quality.md): arbitrary words in the tables, arbitrary
 * control registers and addresses never make a translator throw; every
 * result is an address or TRANSLATION_FAULT with a code, and the shadow and
 * nested layers never return an address the pmap does not map.
 */
import { Access, SparseStorage, TRANSLATION_FAULT, type Translator, createTranslationStatus } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Esa390Format, NestedWalker, ShadowPager, TableWalker, createEsa390Dat, offsetTranslator, x86_64Format } from '../src/index';
import { TestContext } from './esa-fixture';

const MB = 1024 * 1024;

describe('hostile table contents', () => {
  it('never throw and never leave storage', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0x3ffff }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), { maxLength: 300 }),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0x7fffffff }), fc.constantFrom(Access.Fetch, Access.Read, Access.Write)), { maxLength: 40 }),
        (words, crs, asc, probes) => {
          const host = new SparseStorage(8 * MB);
          // Table words land in the guest's first 256 KB, at host 4 MB.
          for (const [a, v] of words) host.write32((4 * MB + (a & ~3)) as never, v);
          const ctx = new TestContext();
          ctx.cr.set(crs);
          ctx.cr[0] = (ctx.cr[0]! & ~0x00f80000) | 0x00b00000;
          ctx.asc = asc;
          const pmap = offsetTranslator('pmap', 4 * MB, 4 * MB);
          const guestView = new SparseStorage(4 * MB);
          for (const [a, v] of words) guestView.write32((a & ~3) as never, v);
          const hostFormat = x86_64Format(() => (crs[3]! >>> 0) & 0x7ffff000);
          const layers: Translator[] = [
            createEsa390Dat({ storage: guestView, context: ctx }),
            new ShadowPager({ format: new Esa390Format(ctx), hostStorage: host, pmap, guestSize: 4 * MB }),
            new NestedWalker({ guestFormat: new Esa390Format(ctx), host: pmap, hostStorage: host }),
            new TableWalker({ format: hostFormat, storage: host }),
          ];
          const dat = layers[0] as ReturnType<typeof createEsa390Dat>;
          for (const [address, access] of probes) {
            for (const layer of layers) {
              const st = createTranslationStatus();
              const r = layer.translate(address, access, st);
              if (r === TRANSLATION_FAULT) expect(st.code).not.toBe(0);
              else expect(r).toBeGreaterThanOrEqual(0);
              // Walkers return real addresses the CPU checks; layers over a pmap stay inside what it maps.
              if (r >= 0 && (layer instanceof ShadowPager || layer instanceof NestedWalker)) expect(r).toBeLessThan(8 * MB);
            }
            const out = new Int32Array(1);
            const cc = dat.loadRealAddress(address, out, createTranslationStatus());
            expect([0, 1, 2, 3, -0x12, -0x05]).toContain(cc);
          }
        },
      ),
      { numRuns: 150, seed: 99 },
    );
  });
});
