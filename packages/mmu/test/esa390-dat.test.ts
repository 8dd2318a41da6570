import { Access, TRANSLATION_FAULT, createTranslationStatus } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import {
  ASC_HOME,
  ASC_SECONDARY,
  PGM_ADDRESSING,
  PGM_PAGE_TRANSLATION,
  PGM_PROTECTION,
  PGM_SEGMENT_TRANSLATION,
  PGM_TRANSLATION_SPECIFICATION,
  createEsa390Dat,
  encodePte,
  encodeStd,
  encodeSte,
} from '../src/index';
import { putEntry } from '../src/testing/index';
import { herculesLraFixture } from './esa-fixture';

function setup(options: { checkSteReservedBit?: boolean } = {}) {
  const { storage, context } = herculesLraFixture();
  const dat = createEsa390Dat({ storage, context, ...options });
  return { storage, context, dat };
}

function fault(dat: ReturnType<typeof setup>['dat'], address: number, access: Access = Access.Read) {
  const st = createTranslationStatus();
  const r = dat.translate(address, access, st);
  return { r, code: st.code, tea: st.exceptionId >>> 0, refs: st.references, hostFault: st.hostFault };
}

describe('ESA/390 DAT translation', () => {
  it('translates through the segment and page table, keeping the byte index', () => {
    const { dat } = setup();
    const st = createTranslationStatus();
    expect(dat.translate(0x4abc, Access.Read, st)).toBe(0x23abc);
    expect(st.references).toBe(2);
    expect(dat.translate(0x2fff, Access.Fetch, st)).toBe(0x21fff);
  });

  it('takes a translation-specification exception for a wrong CR0 format before fetching any table entry', () => {
    const { dat, context } = setup();
    context.cr[0] = 0x00a00000;
    const f = fault(dat, 0x4000);
    expect(f.r).toBe(TRANSLATION_FAULT);
    expect(f.code).toBe(PGM_TRANSLATION_SPECIFICATION);
    expect(f.refs).toBe(0);
  });

  it('recognizes segment-translation for an index beyond the segment-table length, with the page address as TEA', () => {
    const { dat } = setup();
    const f = fault(dat, 0x01001234);
    expect(f.code).toBe(PGM_SEGMENT_TRANSLATION);
    expect(f.tea).toBe(0x01001000);
    expect(f.refs).toBe(0);
  });

  it('recognizes segment-translation for an invalid STE', () => {
    const { dat } = setup();
    expect(fault(dat, 0x00100000).code).toBe(PGM_SEGMENT_TRANSLATION);
  });

  it('recognizes translation-specification for an STE with bit 0 one (configurable: Hercules 3.13 does not check it)', () => {
    expect(fault(setup().dat, 0x00300000).code).toBe(PGM_TRANSLATION_SPECIFICATION);
    expect(fault(setup({ checkSteReservedBit: false }).dat, 0x00300000).r).toBe(0);
  });

  it('recognizes translation-specification for a common segment in a private space', () => {
    const { dat, context, storage } = setup();
    context.cr[1] = encodeStd(0x10000, 0, true);
    putEntry(storage, 0x10010, encodeSte(0x11000, 15, { common: true }));
    expect(fault(dat, 0x00400000).code).toBe(PGM_TRANSLATION_SPECIFICATION);
    context.cr[1] = encodeStd(0x10000, 0, false);
    expect(fault(dat, 0x00400000).r).toBe(0);
  });

  it('recognizes page-translation beyond the page-table length and for an invalid PTE', () => {
    const { dat } = setup();
    const len = fault(dat, 0x00210000);
    expect(len.code).toBe(PGM_PAGE_TRANSLATION);
    expect(len.tea).toBe(0x00210000);
    expect(len.refs).toBe(1);
    const inv = fault(dat, 0x1234);
    expect(inv.code).toBe(PGM_PAGE_TRANSLATION);
    expect(inv.tea).toBe(0x1000);
  });

  it('recognizes translation-specification for PTE bits 0, 20 and 23, but invalid wins', () => {
    for (const bit of [0x80000000, 0x800, 0x100]) {
      const { dat, storage } = setup();
      putEntry(storage, 0x11014, encodePte(0x24000) | bit);
      expect(fault(dat, 0x5000).code).toBe(PGM_TRANSLATION_SPECIFICATION);
      putEntry(storage, 0x11018, encodePte(0x24000, { invalid: true }) | bit);
      expect(fault(dat, 0x6000).code).toBe(PGM_PAGE_TRANSLATION);
    }
  });

  it('raises protection on a store to a protected page, with TEA bit 29, and lets fetches through', () => {
    const { dat } = setup();
    expect(fault(dat, 0x2010, Access.Read).r).toBe(0x21010);
    const f = fault(dat, 0x2010, Access.Write);
    expect(f.code).toBe(PGM_PROTECTION);
    expect(f.tea).toBe(0x2004);
    // Also from a TLB hit: the entry keeps the protection bit.
    expect(fault(dat, 0x2020, Access.Write).code).toBe(PGM_PROTECTION);
  });

  it('raises addressing when a table entry lies outside storage', () => {
    const { storage, context } = herculesLraFixture(1024 * 1024);
    const dat = createEsa390Dat({ storage, context });
    context.cr[1] = encodeStd(0x200000, 0);
    expect(fault(dat, 0).code).toBe(PGM_ADDRESSING);
    context.cr[1] = encodeStd(0x10000, 0);
    putEntry(storage, 0x10014, encodeSte(0x7ff000, 15));
    expect(fault(dat, 0x500000).code).toBe(PGM_ADDRESSING);
  });

  it('uses CR7 in secondary and CR13 in home mode, and marks the TEA as Hercules does', () => {
    const { dat, context, storage } = setup();
    context.cr[7] = encodeStd(0x40000, 0);
    context.cr[13] = encodeStd(0x50000, 0);
    putEntry(storage, 0x40000, encodeSte(0x41000, 15));
    putEntry(storage, 0x41000, encodePte(0x77000));
    putEntry(storage, 0x50000, encodeSte(0x51000, 15));
    putEntry(storage, 0x51000, encodePte(0x88000, { protected: true }));
    putEntry(storage, 0x41004, encodePte(0, { invalid: true }));
    putEntry(storage, 0x51004, encodePte(0, { invalid: true }));
    context.asc = ASC_SECONDARY;
    expect(dat.translate(0x10, Access.Read, createTranslationStatus())).toBe(0x77010);
    expect(fault(dat, 0x1234).tea).toBe(0x80001002);
    expect(fault(dat, 0x01001234).tea).toBe(0x81001002);
    context.asc = ASC_HOME;
    expect(dat.translate(0x10, Access.Read, createTranslationStatus())).toBe(0x88010);
    expect(fault(dat, 0x1234).tea).toBe(0x1003);
    expect(fault(dat, 0x0010, Access.Write).tea).toBe(0x0007);
  });

  it('reads tables at absolute addresses: table origins are real and prefixed', () => {
    const { dat, context, storage } = setup();
    context.prefix = 0x60000;
    // Real page 0 is absolute 0x60000: a segment table at real 0 is read there.
    putEntry(storage, 0x60000, encodeSte(0x11000, 15));
    context.cr[1] = encodeStd(0, 0);
    expect(dat.translate(0x4004, Access.Read, createTranslationStatus())).toBe(0x23004);
  });
});

describe('LOAD REAL ADDRESS', () => {
  const lra = (dat: ReturnType<typeof setup>['dat'], address: number) => {
    const out = new Int32Array(1);
    const st = createTranslationStatus();
    const cc = dat.loadRealAddress(address, out, st);
    return { cc, r1: out[0]! >>> 0, code: st.code };
  };

  // Expected values are what Hercules 3.13 produced for the same tables (see differential test).
  it('sets cc 0 with the real address', () => {
    expect(lra(setup().dat, 0x4abc)).toMatchObject({ cc: 0, r1: 0x23abc });
    expect(lra(setup().dat, 0x2000)).toMatchObject({ cc: 0, r1: 0x21000 });
  });
  it('sets cc 1 with the STE address for an invalid STE', () => {
    expect(lra(setup().dat, 0x100000)).toMatchObject({ cc: 1, r1: 0x10004 });
  });
  it('sets cc 2 with the PTE address for an invalid PTE', () => {
    expect(lra(setup().dat, 0x1000)).toMatchObject({ cc: 2, r1: 0x11004 });
  });
  it('sets cc 3 with the address of the entry beyond the table length', () => {
    expect(lra(setup().dat, 0x210000)).toMatchObject({ cc: 3, r1: 0x11440 });
    expect(lra(setup().dat, 0x1000000)).toMatchObject({ cc: 3, r1: 0x10040 });
    expect(lra(setup().dat, 0x7fffffff)).toMatchObject({ cc: 3, r1: 0x11ffc });
  });
  it('returns a program-interruption code for translation specification', () => {
    const { dat, context, storage } = setup();
    putEntry(storage, 0x1100c, encodePte(0x22000) | 0x100);
    expect(lra(dat, 0x3000)).toMatchObject({ cc: -PGM_TRANSLATION_SPECIFICATION, code: 0x12 });
    context.cr[0] = 0;
    expect(lra(dat, 0).cc).toBe(-PGM_TRANSLATION_SPECIFICATION);
  });
  it('ignores bit 0 of the operand and does not use or fill the TLB', () => {
    const { dat, storage } = setup();
    expect(lra(dat, 0x80004000)).toMatchObject({ cc: 0, r1: 0x23000 });
    expect(dat.tlb?.occupancy).toBe(0);
    putEntry(storage, 0x11010, encodePte(0x29000));
    dat.translate(0x4000, Access.Read, createTranslationStatus());
    putEntry(storage, 0x11010, encodePte(0x2a000));
    expect(lra(dat, 0x4000).r1).toBe(0x2a000);
  });
});

describe('TLB, IPTE and PTLB', () => {
  it('hits on the second reference, and keeps a stale entry until IPTE removes exactly it', () => {
    const { dat, storage } = setup();
    const st = createTranslationStatus();
    dat.translate(0x4000, Access.Read, st);
    dat.translate(0x0000, Access.Read, st);
    expect(st.references).toBe(4);
    dat.translate(0x4008, Access.Read, st);
    expect(st.references).toBe(4);
    expect(dat.tlb?.counters).toMatchObject({ hits: 1, misses: 2 });
    putEntry(storage, 0x11010, encodePte(0x29000));
    expect(dat.translate(0x4000, Access.Read, st)).toBe(0x23000);
    dat.invalidatePage(0x11000, 4);
    expect(dat.tlb?.counters.invalidations).toBe(1);
    expect(dat.translate(0x4000, Access.Read, st)).toBe(0x29000);
    // The page-0 entry survived the IPTE.
    const before = st.references;
    expect(dat.translate(0x0000, Access.Read, st)).toBe(0);
    expect(st.references).toBe(before);
  });

  it('PTLB (flush) empties the TLB', () => {
    const { dat } = setup();
    const st = createTranslationStatus();
    dat.translate(0x4000, Access.Read, st);
    dat.flush();
    expect(dat.tlb?.occupancy).toBe(0);
    dat.translate(0x4000, Access.Read, st);
    expect(st.references).toBe(4);
  });

  it('tags entries by STD: switching spaces keeps both under the tagged policy, flushes under flush-on-switch', () => {
    for (const policy of ['tagged', 'flush-on-switch'] as const) {
      const { storage, context } = herculesLraFixture();
      const dat = createEsa390Dat({ storage, context, tlb: { policy } });
      putEntry(storage, 0x40000, encodeSte(0x11000, 15));
      const st = createTranslationStatus();
      dat.translate(0x4000, Access.Read, st);
      context.cr[1] = encodeStd(0x40000, 0);
      dat.translate(0x4000, Access.Read, st);
      context.cr[1] = encodeStd(0x10000, 0);
      const before = st.references;
      dat.translate(0x4000, Access.Read, st);
      expect(st.references - before).toBe(policy === 'tagged' ? 0 : 2);
    }
  });
});
