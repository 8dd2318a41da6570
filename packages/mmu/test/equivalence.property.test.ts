/**
 * Translation equivalence (quality.md): for random guest tables, random host
 * mappings and random guest table updates followed by the architected
 * invalidation (IPTE for a PTE, PTLB for an STE), the shadow pager, the
 * nested walker and the composition of the two single walks agree on every
 * probed address: same host address, or the same fault (code, TEA, and
 * whose fault it is).
 */
import { Access, SparseStorage, type StoragePort, type TranslationStatus, createTranslationStatus } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ComposedTranslator,
  Esa390Format,
  NestedWalker,
  ShadowPager,
  TableWalker,
  compose,
  encodePte,
  encodeStd,
  encodeSte,
  relocatedStorage,
  x86_64Format,
} from '../src/index';
import { putEntry } from '../src/testing/index';
import { TestContext } from './esa-fixture';
import { RadixBuilder } from './radix-builder';

const MB = 1024 * 1024;
const GUEST_SIZE = 4 * MB;
const GUEST_FRAMES = GUEST_SIZE / 4096;
/** Guest page tables live in guest frames 2-5 (four 1 KB page tables per frame); the segment table in frame 1. */
const SEGMENT_TABLE = 0x1000;
const PAGE_TABLES = Array.from({ length: 16 }, (_, i) => 0x2000 + i * 0x400);
const PREFIX = 0x6000;

const steArb = fc.record({
  kind: fc.constantFrom('valid', 'valid', 'valid', 'invalid', 'reserved'),
  pt: fc.integer({ min: 0, max: PAGE_TABLES.length - 1 }),
  ptl: fc.constantFrom(0, 3, 15, 15),
});
const pteArb = fc.record({
  kind: fc.constantFrom('valid', 'valid', 'valid', 'invalid', 'protected', 'reserved'),
  frame: fc.integer({ min: 0, max: GUEST_FRAMES - 1 }),
});
type Ste = typeof steArb extends fc.Arbitrary<infer T> ? T : never;
type Pte = typeof pteArb extends fc.Arbitrary<infer T> ? T : never;

const encSte = (s: Ste) =>
  s.kind === 'reserved' ? encodeSte(PAGE_TABLES[s.pt]!, s.ptl) | 0x80000000 : encodeSte(PAGE_TABLES[s.pt]!, s.ptl, { invalid: s.kind === 'invalid' });
const encPte = (p: Pte) =>
  p.kind === 'reserved' ? encodePte(p.frame * 4096) | 0x100 : encodePte(p.frame * 4096, { invalid: p.kind === 'invalid', protected: p.kind === 'protected' });

/** Probes and updates concentrate on a few pages so that updates hit translations the caches hold. */
const segmentArb = fc.integer({ min: 0, max: 7 });
const pageArb = fc.constantFrom(0, 1, 2, 3, 16, 17);
const update = fc.record({
  what: fc.constantFrom('ste' as const, 'pte' as const, 'pte' as const, 'pte' as const, 'pte' as const),
  segment: segmentArb,
  page: pageArb,
  ste: steArb,
  pte: pteArb,
});
const probe = fc.record({
  address: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(fc.integer({ min: 0, max: 8 }), pageArb, fc.integer({ min: 0, max: 4095 })).map(([sx, px, bx]) => sx * MB + px * 4096 + bx),
    },
    // Anywhere, including beyond the segment-table length.
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x7fffffff }) },
  ),
  access: fc.constantFrom(Access.Read, Access.Write, Access.Fetch),
});

const scenario = fc.record({
  stes: fc.array(steArb, { minLength: 8, maxLength: 8 }),
  ptes: fc.array(pteArb, { minLength: 16 * 256, maxLength: 16 * 256 }),
  /** Host frame for each guest frame; -1 = not mapped by the host (only for data frames). */
  hostFrames: fc.array(fc.integer({ min: -400, max: 4095 }), { minLength: GUEST_FRAMES, maxLength: GUEST_FRAMES }),
  rounds: fc.array(fc.record({ updates: fc.array(update, { maxLength: 6 }), probes: fc.array(probe, { minLength: 5, maxLength: 40 }) }), {
    minLength: 2,
    maxLength: 5,
  }),
  tracing: fc.boolean(),
});

type Outcome = { ok: number } | { code: number; tea: number; host: boolean };

function outcome(r: number, st: TranslationStatus, hostFault: boolean): Outcome {
  if (r >= 0) return { ok: r };
  // A host fault's id is the guest address the host could not map (layers report it with or without the byte offset).
  return hostFault ? { code: st.code, tea: -1, host: true } : { code: st.code, tea: st.exceptionId >>> 0, host: false };
}

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario) {
  const host = new SparseStorage(32 * MB);
  const hostFormat = x86_64Format(() => hostTables.root);
  const hostTables: RadixBuilder = new RadixBuilder(host, hostFormat, 24 * MB);
  // Distinct host frames: guest frame g goes to host frame perm(g) in 0..16 MB; tables must be mapped.
  const used = new Set<number>();
  for (let g = 0; g < GUEST_FRAMES; g++) {
    let h = s.hostFrames[g]!;
    const holdsTables = g <= 6;
    if (h < 0 && !holdsTables) continue;
    h = Math.abs(h);
    while (used.has(h)) h = (h + 1) % 4096;
    used.add(h);
    hostTables.map(g * 4096, h * 4096);
  }
  const pmap = new TableWalker({ format: hostFormat, storage: host, tlb: false, name: 'pmap' });
  const guest: StoragePort = relocatedStorage(host, pmap, GUEST_SIZE);
  const ctx = new TestContext();
  ctx.prefix = PREFIX;
  ctx.cr[0] = 0x00b00000;
  ctx.cr[1] = encodeStd(SEGMENT_TABLE, 0);
  // Tables are addressed by real addresses; they sit above the prefix area, so real == absolute for them.
  s.stes.forEach((ste, i) => {
    putEntry(guest, SEGMENT_TABLE + i * 4, encSte(ste));
  });
  s.ptes.forEach((pte, i) => {
    putEntry(guest, PAGE_TABLES[i >> 8]! + (i & 255) * 4, encPte(pte));
  });
  const shadow = new ShadowPager({ format: new Esa390Format(ctx), hostStorage: host, pmap, guestSize: GUEST_SIZE, tracing: s.tracing });
  const nested = new NestedWalker({ guestFormat: new Esa390Format(ctx), host: pmap, hostStorage: host });
  const prefixing = {
    name: 'prefix',
    translate: (a: number) => ctx.realToAbsolute(a),
    flush() {},
  };
  const direct: ComposedTranslator = compose(new TableWalker({ format: new Esa390Format(ctx), storage: guest, tlb: false }), prefixing, pmap);
  return { guest, shadow, nested, direct, ctx };
}

describe('shadow == nested == guest walk composed with the pmap', () => {
  it('holds for random tables, host mappings and architected updates', () => {
    let totalTranslated = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const { guest, shadow, nested, direct } = build(s);
        const stes = [...s.stes];
        let translated = 0;
        for (const round of s.rounds) {
          for (const u of round.updates) {
            // The update hits the entry that translates (segment, page) now.
            const address = u.what === 'ste' ? SEGMENT_TABLE + u.segment * 4 : PAGE_TABLES[stes[u.segment]!.pt]! + u.page * 4;
            if (u.what === 'ste') stes[u.segment] = u.ste;
            putEntry(guest, address, u.what === 'ste' ? encSte(u.ste) : encPte(u.pte));
            if (s.tracing) shadow.noteGuestStore(address, 4);
            if (u.what === 'pte') {
              // IPTE: the entry's translations leave every TLB.
              shadow.invalidateGuestEntry(address);
              nested.invalidateGuestEntry(address);
            } else {
              // A changed STE needs PTLB.
              shadow.flush();
              nested.flush();
            }
          }
          for (const p of round.probes) {
            const a = createTranslationStatus();
            const b = createTranslationStatus();
            const c = createTranslationStatus();
            const rs = shadow.translate(p.address, p.access, a);
            const rn = nested.translate(p.address, p.access, b);
            const rd = direct.translate(p.address, p.access, c);
            const expected = outcome(rd, c, rd < 0 && direct.faultingLayer === 2);
            expect(outcome(rs, a, a.hostFault), `shadow at ${p.address.toString(16)}`).toEqual(expected);
            expect(outcome(rn, b, b.hostFault), `nested at ${p.address.toString(16)}`).toEqual(expected);
            if (rd >= 0) translated++;
          }
        }
        totalTranslated += translated;
      }),
      { numRuns: 100, seed: 0x5eed },
    );
    // The generator must produce successful translations, not only faults.
    expect(totalTranslated).toBeGreaterThan(600);
  });
});
