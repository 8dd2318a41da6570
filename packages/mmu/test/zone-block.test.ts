import { type AbsoluteAddress, Access, SparseStorage, createTranslationStatus } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE, BlockPool, BlockTable, PGM_ADDRESSING, ZoneRelocator, relocatedStorage } from '../src/index';

const MB = 1024 * 1024;
const at = (n: number) => n as AbsoluteAddress;

describe('ZoneRelocator', () => {
  it('relocates LPAR absolute addresses by the zone origin and refuses the zone limit and beyond', () => {
    const zone = new ZoneRelocator({ origin: 64 * MB, limit: 16 * MB });
    const st = createTranslationStatus();
    expect(zone.translate(0, Access.Read, st)).toBe(64 * MB);
    expect(zone.translate(16 * MB - 1, Access.Write, st)).toBe(80 * MB - 1);
    expect(zone.translate(16 * MB, Access.Read, st)).toBe(-1);
    expect(st.code).toBe(PGM_ADDRESSING);
  });

  it('gives an LPAR a storage view from 0 that lands in its zone of machine storage', () => {
    const machine = new SparseStorage(32 * MB);
    const lpar = relocatedStorage(machine, new ZoneRelocator({ origin: 8 * MB, limit: 4 * MB }));
    expect(lpar.size).toBe(4 * MB);
    lpar.write32(at(0x1ffe), 0x11223344); // crosses a frame boundary
    expect(machine.read32(at(8 * MB + 0x1ffe)) >>> 0).toBe(0x11223344);
    lpar.writeFrom(at(0xff0), new Uint8Array(40).fill(7));
    const back = new Uint8Array(40);
    lpar.readInto(at(0xff0), back);
    expect([...back]).toEqual(new Array(40).fill(7));
    lpar.setKey(at(0x5000), 0x30);
    expect(machine.getKey(at(8 * MB + 0x5000))).toBe(0x30);
  });
});

describe('BlockTable', () => {
  it('uses the low 26 bits as offset and the upper bits as block-table index', () => {
    const table = new BlockTable(1024 * MB, [5 * BLOCK_SIZE, 2 * BLOCK_SIZE]);
    const st = createTranslationStatus();
    expect(table.size).toBe(128 * MB);
    expect(table.translate(0x123456, Access.Read, st)).toBe(5 * BLOCK_SIZE + 0x123456);
    expect(table.translate(BLOCK_SIZE + 0x10, Access.Read, st)).toBe(2 * BLOCK_SIZE + 0x10);
    expect(table.translate(2 * BLOCK_SIZE, Access.Read, st)).toBe(-1);
    expect(st.code).toBe(PGM_ADDRESSING);
  });

  it('grows and shrinks at its top while running, and refuses bad blocks with error values', () => {
    const table = new BlockTable(256 * MB);
    expect(table.addBlock(BLOCK_SIZE)).toEqual({ ok: true, origin: BLOCK_SIZE });
    expect(table.addBlock(BLOCK_SIZE).ok).toBe(false);
    expect(table.addBlock(100).ok).toBe(false);
    expect(table.addBlock(4 * BLOCK_SIZE)).toMatchObject({ ok: false, code: 'BLOCK_OUTSIDE_STORAGE' });
    table.addBlock(3 * BLOCK_SIZE);
    const st = createTranslationStatus();
    expect(table.translate(BLOCK_SIZE + 8, Access.Read, st)).toBe(3 * BLOCK_SIZE + 8);
    expect(table.removeBlock()).toEqual({ ok: true, origin: 3 * BLOCK_SIZE });
    expect(table.translate(BLOCK_SIZE + 8, Access.Read, st)).toBe(-1);
    table.removeBlock();
    expect(table.removeBlock()).toMatchObject({ ok: false, code: 'BLOCK_TABLE_EMPTY' });
  });

  it("keeps a relocated view's size in step with the table", () => {
    const machine = new SparseStorage(512 * MB);
    const table = new BlockTable(512 * MB, [3 * BLOCK_SIZE]);
    const view = relocatedStorage(machine, table);
    expect(view.size).toBe(64 * MB);
    table.addBlock(BLOCK_SIZE);
    expect(view.size).toBe(128 * MB);
    view.write8(at(BLOCK_SIZE + 5), 0x42);
    expect(machine.read8(at(BLOCK_SIZE + 5))).toBe(0x42);
  });
});

describe('LPAR isolation (property)', () => {
  const ops = fc.array(
    fc.oneof(
      fc.record({ op: fc.constant('add' as const), lpar: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ op: fc.constant('remove' as const), lpar: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ op: fc.constant('probe' as const), lpar: fc.integer({ min: 0, max: 2 }), address: fc.integer({ min: 0, max: 0x7fffffff }) }),
    ),
    { maxLength: 80 },
  );

  it("never lets an LPAR's translation leave its own blocks, across add and remove", () => {
    fc.assert(
      fc.property(ops, (sequence) => {
        const machine = 1024 * MB;
        const pool = new BlockPool(machine);
        const tables = [0, 1, 2].map(() => new BlockTable(machine));
        const st = createTranslationStatus();
        for (const s of sequence) {
          const t = tables[s.lpar]!;
          if (s.op === 'add') {
            const origin = pool.allocate(s.lpar);
            if (origin >= 0) expect(t.addBlock(origin).ok).toBe(true);
          } else if (s.op === 'remove') {
            const r = t.removeBlock();
            if (r.ok) pool.release(r.origin);
          } else {
            const out = t.translate(s.address, Access.Read, st);
            if (s.address < t.size) {
              expect(out).toBeGreaterThanOrEqual(0);
              expect(pool.ownerOf(out)).toBe(s.lpar);
            } else {
              expect(out).toBe(-1);
            }
          }
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('never lets an address leave its zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1024 }),
        fc.integer({ min: 1, max: 1024 }),
        fc.array(fc.integer({ min: 0, max: 0x7fffffff }), { maxLength: 50 }),
        (originPages, sizePages, addresses) => {
          const zone = new ZoneRelocator({ origin: originPages * 4096 * 64, limit: sizePages * 4096 * 64 });
          const st = createTranslationStatus();
          for (const a of addresses) {
            const out = zone.translate(a, Access.Write, st);
            if (out >= 0) {
              expect(out).toBeGreaterThanOrEqual(zone.origin);
              expect(out).toBeLessThan(zone.origin + zone.size);
            } else expect(a).toBeGreaterThanOrEqual(zone.size);
          }
        },
      ),
      { seed: 7 },
    );
  });
});
