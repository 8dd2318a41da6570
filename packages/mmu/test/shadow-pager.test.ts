import { Access, SparseStorage, createTranslationStatus } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import {
  Esa390Format,
  PGM_PAGE_TRANSLATION,
  PGM_PROTECTION,
  PGM_SEGMENT_TRANSLATION,
  ShadowPager,
  encodePte,
  encodeStd,
  encodeSte,
  mmuReferenceCosts,
  offsetTranslator,
  relocatedStorage,
} from '../src/index';
import { putEntry } from '../src/testing/index';
import { TestContext } from './esa-fixture';

const MB = 1024 * 1024;
const ORIGIN = 8 * MB;

/** A guest of 4 MB at host 8 MB; segment table at guest 0x10000, page table at 0x11000 mapping pages 0-7 to 0x100000 + n × 4 KB. */
function guest(options: { tracing?: boolean; maxSpaces?: number } = {}) {
  const host = new SparseStorage(16 * MB);
  const pmap = offsetTranslator('pmap', ORIGIN, 4 * MB);
  const storage = relocatedStorage(host, pmap, 4 * MB);
  const ctx = new TestContext();
  ctx.cr[0] = 0x00b00000;
  ctx.cr[1] = encodeStd(0x10000, 0);
  putEntry(storage, 0x10000, encodeSte(0x11000, 15));
  putEntry(storage, 0x10004, encodeSte(0, 0, { invalid: true }));
  for (let p = 0; p < 8; p++) putEntry(storage, 0x11000 + p * 4, encodePte(0x100000 + p * 4096, { protected: p === 7 }));
  putEntry(storage, 0x11000 + 8 * 4, encodePte(0, { invalid: true }));
  // The guest maps its own page table at virtual page 9, so it can store into it through DAT.
  putEntry(storage, 0x11000 + 9 * 4, encodePte(0x11000));
  const shadow = new ShadowPager({ format: new Esa390Format(ctx), hostStorage: host, pmap, guestSize: 4 * MB, ...options });
  return { host, storage, ctx, shadow };
}

describe('ShadowPager', () => {
  it('fills lazily on a hidden fault and then translates guest virtual straight to host', () => {
    const { shadow } = guest();
    const st = createTranslationStatus();
    expect(shadow.translate(0x2010, Access.Read, st)).toBe(ORIGIN + 0x102010);
    expect(shadow.counters).toMatchObject({ hiddenFaults: 1, fills: 1, trueFaults: 0 });
    expect(st.cycles).toBeGreaterThanOrEqual(mmuReferenceCosts.events['shadow-fill'].cycles);
    const before = st.cycles;
    expect(shadow.translate(0x2020, Access.Read, st)).toBe(ORIGIN + 0x102020);
    expect(shadow.counters.fills).toBe(1);
    expect(st.cycles - before).toBeLessThan(mmuReferenceCosts.events['shadow-fill'].cycles);
  });

  it("reflects true guest faults with the guest's code and TEA, not as host faults", () => {
    const { shadow } = guest();
    const st = createTranslationStatus();
    expect(shadow.translate(0x8123, Access.Read, st)).toBe(-1);
    expect(st).toMatchObject({ code: PGM_PAGE_TRANSLATION, exceptionId: 0x8000, hostFault: false });
    const st2 = createTranslationStatus();
    shadow.translate(0x100000, Access.Read, st2);
    expect(st2).toMatchObject({ code: PGM_SEGMENT_TRANSLATION, hostFault: false });
    const st3 = createTranslationStatus();
    shadow.translate(0x7000, Access.Write, st3);
    expect(st3).toMatchObject({ code: PGM_PROTECTION, exceptionId: 0x7004 });
    expect(shadow.counters.trueFaults).toBe(3);
  });

  it('reports a pmap failure while filling as a host fault', () => {
    const { shadow, storage } = guest();
    // Guest page 5 now points beyond what the pmap maps (4 MB).
    putEntry(storage, 0x11000 + 5 * 4, encodePte(0x500000));
    const st = createTranslationStatus();
    expect(shadow.translate(0x5000, Access.Read, st)).toBe(-1);
    expect(st.hostFault).toBe(true);
    expect(shadow.counters.hostFaults).toBe(1);
  });

  it('traces guest table frames: a guest store into its page table is a tracing fault that drops the entries the store can reach', () => {
    const { shadow, host, storage } = guest();
    // Page 0x80 lies 512 bytes further into the page table than page 1: beyond the reach of one store (256 bytes).
    putEntry(storage, 0x11000 + 0x80 * 4, encodePte(0x180000));
    const st = createTranslationStatus();
    shadow.translate(0x1000, Access.Read, st);
    shadow.translate(0x80000, Access.Read, st);
    expect(shadow.isTraced(0x11000)).toBe(true);
    // The guest stores a new PTE for page 1 through its virtual mapping of the page table (page 9).
    const pteAddress = shadow.translate(0x9000 + 4, Access.Write, st);
    expect(pteAddress).toBe(ORIGIN + 0x11004);
    expect(shadow.counters.tracingFaults).toBe(1);
    host.write32(pteAddress as never, encodePte(0x200000));
    expect(shadow.translate(0x1000, Access.Read, st)).toBe(ORIGIN + 0x200000);
    // Page 0x80's shadow entry survived: no new fill for it.
    const fills = shadow.counters.fills;
    expect(shadow.translate(0x80000, Access.Read, st)).toBe(ORIGIN + 0x180000);
    expect(shadow.counters.fills).toBe(fills);
  });

  it('noteGuestStore reports stores that bypass the shadow (DAT off, I/O) and invalidates', () => {
    const { shadow, storage } = guest();
    const st = createTranslationStatus();
    shadow.translate(0x3000, Access.Read, st);
    putEntry(storage, 0x1100c, encodePte(0x300000));
    expect(shadow.noteGuestStore(0x1100c, 4)).toBe(true);
    expect(shadow.noteGuestStore(0x300000, 4)).toBe(false);
    expect(shadow.translate(0x3000, Access.Read, st)).toBe(ORIGIN + 0x300000);
  });

  it('without tracing relies on IPTE (invalidateGuestEntry) and PTLB (flush) as VM/370 CP did', () => {
    const { shadow, storage } = guest({ tracing: false });
    const st = createTranslationStatus();
    shadow.translate(0x3000, Access.Read, st);
    expect(shadow.isTraced(0x11000)).toBe(false);
    putEntry(storage, 0x1100c, encodePte(0x300000));
    expect(shadow.translate(0x3000, Access.Read, st)).toBe(ORIGIN + 0x103000);
    shadow.invalidateGuestEntry(0x1100c);
    expect(shadow.translate(0x3000, Access.Read, st)).toBe(ORIGIN + 0x300000);
    putEntry(storage, 0x10000, encodeSte(0x11000, 15, { invalid: true }));
    shadow.flush();
    expect(shadow.translate(0x3000, Access.Read, st)).toBe(-1);
  });

  it('caches one shadow per guest address space (STD) and evicts the least recently used', () => {
    const { shadow, storage, ctx } = guest({ maxSpaces: 2 });
    for (const sto of [0x20000, 0x30000]) putEntry(storage, sto, encodeSte(0x11000, 15));
    const st = createTranslationStatus();
    const use = (sto: number) => {
      ctx.cr[1] = encodeStd(sto, 0);
      shadow.translate(0x1000, Access.Read, st);
    };
    use(0x10000);
    use(0x20000);
    use(0x10000);
    expect(shadow.counters.fills).toBe(2);
    // A third space evicts the least recently used one (0x20000), not the one just used.
    use(0x30000);
    expect(shadow.counters).toMatchObject({ fills: 3, flushes: 1 });
    expect(shadow.cachedSpaces).toBe(2);
    use(0x10000);
    expect(shadow.counters.fills).toBe(3);
    use(0x20000);
    expect(shadow.counters).toMatchObject({ fills: 4, flushes: 2 });
  });

  it('drops shadow entries when the host changes the pmap for a frame', () => {
    const { shadow } = guest();
    const st = createTranslationStatus();
    shadow.translate(0x4000, Access.Read, st);
    shadow.pmapChanged(0x104000);
    shadow.translate(0x4000, Access.Read, st);
    expect(shadow.counters.fills).toBe(2);
  });
});
