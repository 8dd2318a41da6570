/**
 * @strachey/mmu benchmarks: host speed (translations per second on TLB hit
 * and miss, shadow fills, 2D walks, relocation) and simulated cycles of
 * shadow vs nested paging for a page-table-update-heavy and a TLB-miss-heavy
 * workload, with a sweep that shows the crossover.
 * Run: `pnpm bench` (tsx --conditions=@strachey/source bench/run.ts).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchFigure, formatRate, measure, writeResults } from '@strachey/bench';
import { Access, type CostModel, SparseStorage, createTranslationStatus } from '@strachey/isa-core';
import {
  BLOCK_SIZE,
  BlockTable,
  Esa390Format,
  NestedWalker,
  ShadowPager,
  TableWalker,
  ZoneRelocator,
  createEsa390Dat,
  encodePte,
  encodeStd,
  encodeSte,
  mmuReferenceCosts,
  offsetTranslator,
  processCreationWorkload,
  relocatedStorage,
  workingSetWorkload,
  x86_64Format,
} from '../src/index';
import { TestContext } from '../test/esa-fixture';
import { RadixBuilder } from '../test/radix-builder';

const MB = 1024 * 1024;
const opts = { warmupSeconds: 0.3, samples: 5, sampleSeconds: 0.3, unit: 'translations' };
const figures: BenchFigure[] = [];
const report = (f: BenchFigure) => {
  figures.push(f);
  console.log(`${f.name.padEnd(52)} ${formatRate(f)}`);
};

/** ESA/390 tables mapping 16 segments × 256 pages identically onto frames from 32 MB. */
function esaMachine(tlbEntries: number) {
  const storage = new SparseStorage(64 * MB);
  const context = new TestContext();
  context.cr[0] = 0x00b00000;
  context.cr[1] = encodeStd(0x10000, 0);
  for (let sx = 0; sx < 16; sx++) {
    storage.write32((0x10000 + sx * 4) as never, encodeSte(0x20000 + sx * 0x400, 15));
    for (let px = 0; px < 256; px++) storage.write32((0x20000 + sx * 0x400 + px * 4) as never, encodePte(32 * MB + (sx * 256 + px) * 4096));
  }
  return { storage, context, dat: createEsa390Dat({ storage, context, tlb: { entries: tlbEntries, ways: 4 } }) };
}

// --- Host speed -------------------------------------------------------------
{
  const { dat } = esaMachine(256);
  const st = createTranslationStatus();
  report(
    measure(
      'esa390-dat translate, TLB hit',
      () => {
        let x = 0;
        for (let i = 0; i < 10_000; i++) x ^= dat.translate((i & 7) * 4096 + (i & 0xff), Access.Read, st);
        return x === -2 ? 0 : 10_000;
      },
      opts,
    ),
  );
}
{
  const { dat } = esaMachine(64);
  const st = createTranslationStatus();
  let page = 0;
  report(
    measure(
      'esa390-dat translate, TLB miss (2-level walk)',
      () => {
        for (let i = 0; i < 10_000; i++) {
          page = (page + 67) & 4095; // strides past a 64-entry TLB: every reference misses
          dat.translate(page * 4096, Access.Read, st);
        }
        return 10_000;
      },
      opts,
    ),
  );
  console.log(`  (TLB hit ratio in the miss run: ${(dat.tlb!.counters.hits / (dat.tlb!.counters.hits + dat.tlb!.counters.misses)).toFixed(3)})`);
}
{
  const { storage, context } = esaMachine(256);
  const host = new SparseStorage(128 * MB);
  const pmap = offsetTranslator('pmap', 64 * MB, 64 * MB);
  // The guest's tables are the same bytes, placed in host storage at 64 MB.
  const buf = new Uint8Array(0x30000);
  storage.readInto(0 as never, buf);
  host.writeFrom((64 * MB) as never, buf);
  const shadow = new ShadowPager({ format: new Esa390Format(context), hostStorage: host, pmap, guestSize: 64 * MB, tlb: false });
  const st = createTranslationStatus();
  report(
    measure(
      'shadow fill (hidden fault, ESA/390 guest)',
      () => {
        shadow.flushShadows();
        for (let p = 0; p < 1024; p++) shadow.translate(p * 4096, Access.Read, st);
        return 1024;
      },
      { ...opts, unit: 'fills' },
    ),
  );
  const before = createTranslationStatus();
  shadow.flushShadows();
  shadow.translate(0x5000, Access.Read, before);
  console.log(`  simulated cycles per fill: ${before.cycles}`);
  report(
    measure(
      'shadow translate, shadow hit (no TLB)',
      () => {
        for (let i = 0; i < 10_000; i++) shadow.translate((i & 1023) * 4096, Access.Read, st);
        return 10_000;
      },
      opts,
    ),
  );
}
{
  const host = new SparseStorage(64 * MB);
  const hf = x86_64Format(() => ht.root);
  const ht: RadixBuilder = new RadixBuilder(host, hf, 48 * MB);
  for (let g = 0; g < 16 * MB; g += 4096) ht.map(g, g + 16 * MB);
  const hostWalker = new TableWalker({ format: hf, storage: host, tlb: false });
  const gf = x86_64Format(() => gt.root);
  const gt: RadixBuilder = new RadixBuilder(relocatedStorage(host, hostWalker, 16 * MB), gf, 8 * MB);
  for (let p = 0; p < 512; p++) gt.map(0x7f0000000000 + p * 4096, 0x100000 + p * 4096);
  const cold = new NestedWalker({ guestFormat: gf, host: hostWalker, hostStorage: host, tlb: false, pageWalkCache: false, hostTlb: false });
  const st = createTranslationStatus();
  report(
    measure(
      'nested 2D walk 4+4, cold caches (24 references)',
      () => {
        for (let p = 0; p < 1000; p++) cold.translate(0x7f0000000000 + (p & 511) * 4096, Access.Read, st);
        return 1000;
      },
      { ...opts, unit: 'walks' },
    ),
  );
  const cached = new NestedWalker({ guestFormat: gf, host: hostWalker, hostStorage: host, tlb: false });
  report(
    measure(
      'nested 2D walk 4+4, page-walk caches + host TLB',
      () => {
        for (let p = 0; p < 1000; p++) cached.translate(0x7f0000000000 + (p & 511) * 4096, Access.Read, st);
        return 1000;
      },
      { ...opts, unit: 'walks' },
    ),
  );
  const s1 = createTranslationStatus();
  cold.translate(0x7f0000000000, Access.Read, s1);
  const s2 = createTranslationStatus();
  for (let p = 0; p < 512; p++) cached.translate(0x7f0000000000 + p * 4096, Access.Read, s2);
  console.log(`  references per walk: cold ${s1.references}, with caches ${(s2.references / 512).toFixed(2)} (512 pages)`);
  figures.push({ name: 'references per 2D walk', perSecond: 0, unit: 'refs', samples: [], totalUnits: 0, seconds: 0, extra: { cold: s1.references, cached: s2.references / 512 } });
}
{
  const zone = new ZoneRelocator({ origin: 256 * MB, limit: 256 * MB });
  const blocks = new BlockTable(1024 * MB, [5 * BLOCK_SIZE, 2 * BLOCK_SIZE, 9 * BLOCK_SIZE, BLOCK_SIZE]);
  const st = createTranslationStatus();
  for (const [name, t] of [
    ['zone relocation', zone],
    ['block-table relocation', blocks],
  ] as const) {
    report(
      measure(
        name,
        () => {
          for (let i = 0; i < 10_000; i++) t.translate((i * 40_961) & 0x0fffffff, Access.Read, st);
          return 10_000;
        },
        opts,
      ),
    );
  }
}

// --- Simulated cycles: shadow vs nested -------------------------------------
console.log('\nshadow vs nested (x86-64 4-level guest and host tables, 512-entry TLB, mmuReferenceCosts)');
const simulated: Record<string, unknown> = {};
for (const [name, run] of [
  ['fork/exec (page-table-update heavy)', (s: 'shadow' | 'nested') => processCreationWorkload(s)],
  ['large working set (TLB-miss heavy, 64 MB)', (s: 'shadow' | 'nested') => workingSetWorkload(s)],
] as const) {
  const shadow = run('shadow');
  const nested = run('nested');
  simulated[name] = { shadow, nested, nestedOverShadow: nested.cycles / shadow.cycles };
  console.log(
    `${name.padEnd(44)} shadow ${shadow.cyclesPerAccess.toFixed(1)} cyc/access, nested ${nested.cyclesPerAccess.toFixed(1)} cyc/access (nested/shadow ${(nested.cycles / shadow.cycles).toFixed(2)})`,
  );
}
const sweep: { updatesPerThousand: number; shadow: number; nested: number }[] = [];
console.log('\ncrossover sweep: PTE updates per 1000 accesses over a 16384-page working set');
for (const u of [0, 1, 2, 5, 10, 20, 50, 100]) {
  const s = workingSetWorkload('shadow', { remapsPerThousand: u, accesses: 50_000 });
  const n = workingSetWorkload('nested', { remapsPerThousand: u, accesses: 50_000 });
  sweep.push({ updatesPerThousand: u, shadow: s.cyclesPerAccess, nested: n.cyclesPerAccess });
  console.log(`  ${String(u).padStart(4)}  shadow ${s.cyclesPerAccess.toFixed(1).padStart(7)}  nested ${n.cyclesPerAccess.toFixed(1).padStart(7)}  ${s.cyclesPerAccess > n.cyclesPerAccess ? 'nested wins' : 'shadow wins'}`);
}
const firstNestedWin = sweep.find((p) => p.nested < p.shadow);
simulated.crossover = { sweep, nestedWinsFromUpdatesPerThousand: firstNestedWin?.updatesPerThousand ?? null };

// The same sweep when every trace and hidden fault is a first-generation VT-x exit (Adams & Agesen Table 1).
const vtx: CostModel = {
  ...mmuReferenceCosts,
  name: 'mmu-reference, VT-x exits',
  events: {
    ...mmuReferenceCosts.events,
    'tracing-fault': { cycles: 12733, source: 'Adams & Agesen ASPLOS 2006 Table 1: ptemod with a VT-x exit' },
    'shadow-fill': { cycles: 11242, source: 'Adams & Agesen ASPLOS 2006 Table 1: pgfault with a VT-x exit' },
  },
};
const vtxSweep: { updatesPerThousand: number; shadow: number; nested: number }[] = [];
console.log('\ncrossover sweep with VT-x exit costs for traces and hidden faults');
for (const u of [0, 1, 2, 5, 10, 20]) {
  const s = workingSetWorkload('shadow', { remapsPerThousand: u, accesses: 50_000, costModel: vtx });
  const n = workingSetWorkload('nested', { remapsPerThousand: u, accesses: 50_000, costModel: vtx });
  vtxSweep.push({ updatesPerThousand: u, shadow: s.cyclesPerAccess, nested: n.cyclesPerAccess });
  console.log(`  ${String(u).padStart(4)}  shadow ${s.cyclesPerAccess.toFixed(1).padStart(7)}  nested ${n.cyclesPerAccess.toFixed(1).padStart(7)}  ${s.cyclesPerAccess > n.cyclesPerAccess ? 'nested wins' : 'shadow wins'}`);
}
simulated.crossoverVtx = { sweep: vtxSweep, nestedWinsFromUpdatesPerThousand: vtxSweep.find((p) => p.nested < p.shadow)?.updatesPerThousand ?? null };

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
console.log(`\nwrote ${writeResults(dir, 'mmu', { host: figures, simulated })}`);
