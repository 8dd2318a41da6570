/**
 * Cycle accounting: each layer charges exactly the CostModel events its
 * design says, so simulated overheads can be traced back to the cost table.
 * Figures are distinct powers of ten so every sum names its events.
 */
import { Access, type CostModel, SparseStorage, createTranslationStatus } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import {
  Esa390Format,
  NestedWalker,
  ShadowPager,
  TableWalker,
  createEsa390Dat,
  encodePte,
  encodeStd,
  encodeSte,
  mmuReferenceCosts,
  offsetTranslator,
  relocatedStorage,
  x86_64Format,
} from '../src/index';
import { putEntry } from '../src/testing/index';
import { TestContext, herculesLraFixture } from './esa-fixture';
import { RadixBuilder } from './radix-builder';

const MB = 1024 * 1024;
const model: CostModel = {
  ...mmuReferenceCosts,
  name: 'decimal',
  events: {
    ...mmuReferenceCosts.events,
    'tlb-miss': { cycles: 1, source: 'test' },
    'walk-reference': { cycles: 10, source: 'test' },
    'shadow-fill': { cycles: 1000, source: 'test' },
    'tracing-fault': { cycles: 10_000, source: 'test' },
    'shadow-flush': { cycles: 100_000, source: 'test' },
    'nested-fault': { cycles: 1_000_000, source: 'test' },
  },
};

describe('cycle accounting', () => {
  it('ESA/390 DAT: a TLB miss costs tlb-miss + 2 walk references, a hit nothing', () => {
    const { storage, context } = herculesLraFixture();
    const dat = createEsa390Dat({ storage, context, costModel: model });
    const st = createTranslationStatus();
    dat.translate(0x4000, Access.Read, st);
    expect(st.cycles).toBe(1 + 2 * 10);
    dat.translate(0x4004, Access.Read, st);
    expect(st.cycles).toBe(21);
    const lra = createTranslationStatus();
    dat.loadRealAddress(0x4000, new Int32Array(1), lra);
    expect(lra).toMatchObject({ cycles: 20, references: 2 });
  });

  it('ShadowPager: hidden fault, shadow hit, tracing fault and eviction flush', () => {
    const host = new SparseStorage(16 * MB);
    const pmap = offsetTranslator('pmap', 8 * MB, 4 * MB);
    const guest = relocatedStorage(host, pmap, 4 * MB);
    const ctx = new TestContext();
    ctx.cr[0] = 0x00b00000;
    ctx.cr[1] = encodeStd(0x10000, 0);
    putEntry(guest, 0x10000, encodeSte(0x11000, 15));
    putEntry(guest, 0x20000, encodeSte(0x11000, 15));
    putEntry(guest, 0x11000, encodePte(0x11000)); // virtual page 0 maps the page table itself
    putEntry(guest, 0x11004, encodePte(0x100000));
    const shadow = new ShadowPager({ format: new Esa390Format(ctx), hostStorage: host, pmap, guestSize: 4 * MB, costModel: model, maxSpaces: 1 });
    const st = createTranslationStatus();
    shadow.translate(0x1000, Access.Read, st);
    // TLB miss + hardware walk of the 2-level shadow + the fill.
    expect(st.cycles).toBe(1 + 20 + 1000);
    shadow.translate(0x1008, Access.Read, st);
    expect(st.cycles).toBe(1021);
    // A store through virtual page 0 into the traced page table: miss, walk, fill, then the tracing fault.
    shadow.translate(0x0004, Access.Write, st);
    expect(st.cycles - 1021).toBe(1 + 20 + 1000 + 10_000);
    // A second address space evicts the first (maxSpaces 1): the flush is charged to the next translation.
    ctx.cr[1] = encodeStd(0x20000, 0);
    const s2 = createTranslationStatus();
    shadow.translate(0x1000, Access.Read, s2);
    expect(s2.cycles).toBe(100_000 + 1 + 20 + 1000);
  });

  it('NestedWalker: a cold 4+4 walk costs tlb-miss + 24 references; a nested fault adds nested-fault', () => {
    const host = new SparseStorage(64 * MB);
    const hf = x86_64Format(() => ht.root);
    const ht: RadixBuilder = new RadixBuilder(host, hf, 48 * MB);
    for (let g = 0; g < 4 * MB; g += 4096) ht.map(g, 16 * MB + g);
    const hostWalker = new TableWalker({ format: hf, storage: host, tlb: false, costModel: model });
    const gf = x86_64Format(() => gt.root);
    const gt: RadixBuilder = new RadixBuilder(relocatedStorage(host, hostWalker, 4 * MB), gf, 2 * MB);
    gt.map(0x400000, 0x100000);
    gt.map(0x401000, 8 * MB); // beyond what the host maps
    const nested = new NestedWalker({ guestFormat: gf, host: hostWalker, hostStorage: host, pageWalkCache: false, hostTlb: false, costModel: model });
    const st = createTranslationStatus();
    nested.translate(0x400000, Access.Read, st);
    expect(st.cycles).toBe(1 + 24 * 10);
    const f = createTranslationStatus();
    expect(nested.translate(0x401000, Access.Read, f)).toBe(-1);
    // 4 guest levels of 4 host + 1 guest references each, then the host walk of the data page,
    // which stops after 3 references: no host table covers 8 MB.
    expect(f.cycles).toBe(1 + (20 + 3) * 10 + 1_000_000);
    expect(f.references).toBe(23);
  });
});
