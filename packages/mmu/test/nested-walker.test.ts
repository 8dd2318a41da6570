import { Access, SparseStorage, createTranslationStatus } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import {
  Esa390Format,
  NestedWalker,
  RADIX_PAGE_FAULT,
  TableWalker,
  createEsa390Dat,
  encodePte,
  encodeStd,
  encodeSte,
  ia32Format,
  relocatedStorage,
  x86_64Format,
} from '../src/index';
import { putEntry } from '../src/testing/index';
import { TestContext } from './esa-fixture';
import { RadixBuilder } from './radix-builder';

const MB = 1024 * 1024;

/**
 * A host with `hostLevels`-level tables mapping guest-physical 0..16 MB to
 * host 16 MB.. (a fixed offset, built page by page so every host walk is real),
 * and a guest with `guestLevels`-level tables mapping `pages` virtual pages.
 */
function world(guestShape: 'x86_64' | 'ia32', hostShape: 'x86_64' | 'ia32', pages = 16, caches = false) {
  const host = new SparseStorage(64 * MB);
  const hostFormat = hostShape === 'x86_64' ? x86_64Format(() => hostTables.root) : ia32Format(() => hostTables.root);
  const hostTables: RadixBuilder = new RadixBuilder(host, hostFormat, 48 * MB);
  for (let gpa = 0; gpa < 16 * MB; gpa += 4096) hostTables.map(gpa, 16 * MB + gpa);
  const hostWalker = new TableWalker({ format: hostFormat, storage: host, tlb: false });
  const guestStorage = relocatedStorage(host, hostWalker, 16 * MB);
  const guestFormat = guestShape === 'x86_64' ? x86_64Format(() => guestTables.root) : ia32Format(() => guestTables.root);
  const guestTables: RadixBuilder = new RadixBuilder(guestStorage, guestFormat, 8 * MB);
  const base = 0x7f0000000000; // a 47-bit address, so all four x86-64 levels index non-zero
  const va = (i: number) => (guestShape === 'x86_64' ? base : 0x40000000) + i * 4096;
  for (let i = 0; i < pages; i++) guestTables.map(va(i), 0x100000 + i * 4096);
  const off = caches ? undefined : false;
  const nested = new NestedWalker({
    guestFormat,
    host: hostWalker,
    hostStorage: host,
    ...(off === false ? { tlb: false, pageWalkCache: false, hostTlb: false } : {}),
  });
  return { host, hostTables, guestTables, nested, va };
}

describe('NestedWalker: the two-dimensional walk', () => {
  it('makes (n+1)(m+1)-1 = 24 references for 4-level guest and host tables with cold caches', () => {
    const { nested, va } = world('x86_64', 'x86_64');
    const st = createTranslationStatus();
    expect(nested.translate(va(3) + 0x123, Access.Read, st)).toBe(16 * MB + 0x100000 + 3 * 4096 + 0x123);
    expect(st.references).toBe(24);
    expect(nested.counters.hostWalks).toBe(5);
  });

  it('makes 8 references for 2 + 2 levels and 14 for a 2-level ESA/390 guest over 4-level host tables', () => {
    const w = world('ia32', 'ia32');
    const st = createTranslationStatus();
    w.nested.translate(w.va(1), Access.Read, st);
    expect(st.references).toBe(8);

    const host = new SparseStorage(64 * MB);
    const hostFormat = x86_64Format(() => hostTables.root);
    const hostTables: RadixBuilder = new RadixBuilder(host, hostFormat, 48 * MB);
    for (let gpa = 0; gpa < 4 * MB; gpa += 4096) hostTables.map(gpa, 16 * MB + gpa);
    const hostWalker = new TableWalker({ format: hostFormat, storage: host, tlb: false });
    const guest = relocatedStorage(host, hostWalker, 4 * MB);
    const ctx = new TestContext();
    ctx.cr[0] = 0x00b00000;
    ctx.cr[1] = encodeStd(0x10000, 0);
    putEntry(guest, 0x10000, encodeSte(0x11000, 15));
    putEntry(guest, 0x11004, encodePte(0x22000));
    const nested = new NestedWalker({ guestFormat: new Esa390Format(ctx), host: hostWalker, hostStorage: host, tlb: false, pageWalkCache: false, hostTlb: false });
    const st2 = createTranslationStatus();
    expect(nested.translate(0x1010, Access.Read, st2)).toBe(16 * MB + 0x22010);
    expect(st2.references).toBe(14);
  });

  it('makes 8 references for an ESA/390 guest over ESA/390 host tables (2 + 2, as under S/370 IEF-style double DAT)', () => {
    const host = new SparseStorage(32 * MB);
    const hostCtx = new TestContext();
    hostCtx.cr[0] = 0x00b00000;
    hostCtx.cr[1] = encodeStd(0x10000, 0);
    // The host maps guest absolute 0..4 MB (segments 0-3) to host 8 MB + that.
    for (let sx = 0; sx < 4; sx++) {
      putEntry(host, 0x10000 + sx * 4, encodeSte(0x20000 + sx * 0x400, 15));
      for (let px = 0; px < 256; px++) putEntry(host, 0x20000 + sx * 0x400 + px * 4, encodePte(8 * MB + (sx * 256 + px) * 4096));
    }
    const hostWalker = createEsa390Dat({ storage: host, context: hostCtx, tlb: false });
    const guest = relocatedStorage(host, hostWalker, 4 * MB);
    const ctx = new TestContext();
    ctx.cr[0] = 0x00b00000;
    ctx.cr[1] = encodeStd(0x30000, 0);
    putEntry(guest, 0x30000, encodeSte(0x31000, 15));
    putEntry(guest, 0x31000 + 7 * 4, encodePte(0x222000));
    const nested = new NestedWalker({ guestFormat: new Esa390Format(ctx), host: hostWalker, hostStorage: host, tlb: false, pageWalkCache: false, hostTlb: false });
    const st = createTranslationStatus();
    expect(nested.translate(0x7010, Access.Read, st)).toBe(8 * MB + 0x222010);
    expect(st.references).toBe(8);
  });

  it('walk caches reduce the references per miss measurably', () => {
    const { nested, va } = world('x86_64', 'x86_64', 16, true);
    const st = createTranslationStatus();
    nested.translate(va(0), Access.Read, st);
    expect(st.references).toBe(24);
    // Same page: the nested TLB answers.
    nested.translate(va(0) + 8, Access.Read, st);
    expect(st.references).toBe(24);
    // Neighbouring page: the page-walk cache gives the leaf table, the host-level TLB its host frame;
    // left are one guest PTE read and one host walk for the new data page.
    nested.translate(va(1), Access.Read, st);
    expect(st.references - 24).toBe(1 + 4);
    expect(nested.counters.pageWalkCacheHits).toBe(1);
    let total = 0;
    for (let i = 2; i < 16; i++) {
      const s = createTranslationStatus();
      nested.translate(va(i), Access.Read, s);
      total += s.references;
    }
    expect(total / 14).toBeLessThan(24 / 4);
  });

  it('reports a host-table miss as a nested fault (hostFault) and a guest miss as the guest fault', () => {
    const { nested, guestTables, va } = world('x86_64', 'x86_64');
    // Guest maps a page at guest-physical 20 MB: the host tables stop at 16 MB.
    guestTables.map(va(20), 20 * MB);
    const st = createTranslationStatus();
    expect(nested.translate(va(20) + 4, Access.Read, st)).toBe(-1);
    expect(st.hostFault).toBe(true);
    expect(st.code).toBe(RADIX_PAGE_FAULT);
    expect(st.exceptionId).toBe(20 * MB + 4);
    expect(nested.counters.nestedFaults).toBe(1);
    const st2 = createTranslationStatus();
    expect(nested.translate(va(40), Access.Read, st2)).toBe(-1);
    expect(st2.hostFault).toBe(false);
    expect(st2.exceptionId).toBe(va(40));
  });

  it('invalidateGuestEntry drops exactly the translation built from that entry', () => {
    const w = world('x86_64', 'x86_64', 4, true);
    const st = createTranslationStatus();
    w.nested.translate(w.va(1), Access.Read, st);
    w.nested.translate(w.va(2), Access.Read, st);
    w.guestTables.map(w.va(1), 0x300000);
    expect(w.nested.translate(w.va(1), Access.Read, st)).toBe(16 * MB + 0x100000 + 4096);
    w.nested.invalidateGuestEntry(w.guestTables.leafEntry(w.va(1)) - 4);
    expect(w.nested.translate(w.va(1), Access.Read, st)).toBe(16 * MB + 0x300000);
    expect(w.nested.tlb?.peek(Math.floor(w.va(2) / 4096), w.guestTables.root)).toBe(16 * MB + 0x100000 + 2 * 4096);
  });
});
