/**
 * shadow-vs-nested — VMware's comparison of software shadow page tables and
 * hardware nested paging (Bhargava et al., ASPLOS 2008; Adams & Agesen,
 * ASPLOS 2006), as the seeds summarise it: a page-table-update-heavy
 * workload (process creation) favours nested paging (VMware saw up to
 * 42 %), a TLB-miss-heavy one (a large working set) can favour shadow
 * paging, because a nested TLB miss walks two dimensions: (n+1)(m+1) − 1 =
 * 24 references for 4-level guest over 4-level host tables.
 *
 * A guest kernel written here in TypeScript keeps x86-64-shaped 4-level
 * radix tables (mmu's x86_64Format) in guest-physical storage; the host maps
 * guest-physical storage with its own 4-level tables. The same sequence of
 * table stores, INVLPGs, CR3 loads and memory accesses is replayed against
 * mmu's ShadowPager (tracing on, as VMware does) and NestedWalker (with
 * page-walk caches and a host TLB); the figure is the translation cycles
 * those layers charge through isa-core's ESA390_REFERENCE_MACHINE cost model
 * (walk-reference, tlb-miss, shadow-fill, tracing-fault, shadow-flush).
 * Instruction costs are left out: the figure is translation overhead alone.
 *
 * The sweep mixes PTE remaps (store + INVLPG) into the large working set at
 * a rising rate, so the crossover shows where nested paging starts to win.
 */
import { ESA390_REFERENCE_MACHINE } from '@strachey/isa-core';
import {
  coldNestedWalkReferences,
  type PagingScheme,
  type PagingWorkloadResult,
  processCreationWorkload,
  workingSetWorkload,
} from '@strachey/mmu';
import { SeededRandom } from './seeds';
import { lineChart } from './chart';
import { toCsv } from './smp-scaling';
import { formatNumber as num, formatTable } from './table';
import { defineSweep, type ReproResult, type Reproduction, type SweepScale } from './types';
import { runSweepInProcess } from './sweep';

const COST = ESA390_REFERENCE_MACHINE;

/** Cycles and references one scheme charged for a workload. */
export interface SchemeCost {
  readonly cycles: number;
  readonly cyclesPerAccess: number;
  readonly references: number;
  readonly tableStores: number;
  readonly counters: Readonly<Record<string, number>>;
}

/** mmu's paging workloads (x86-64 4-level guest over 4-level host tables, 512-entry 4-way TLBs), in this figure's terms. */
function schemeCost(r: PagingWorkloadResult): SchemeCost {
  const { tlbMisses, tlbHits: _hits, shadowLeaves: _leaves, ...counters } = r.counters;
  return {
    cycles: r.cycles,
    cyclesPerAccess: r.cyclesPerAccess,
    references: r.references,
    tableStores: r.tableStores,
    counters: { ...counters, ...(tlbMisses !== undefined ? { tlbMisses } : {}) },
  };
}

const processCreation = (scheme: PagingScheme, rounds: number, pages: number, touches: number): SchemeCost =>
  schemeCost(processCreationWorkload(scheme, { rounds, pages, touches, costModel: COST }));

const workingSet = (
  scheme: PagingScheme,
  pages: number,
  accesses: number,
  remapsPerThousand: number,
  seed: number,
): SchemeCost =>
  schemeCost(
    workingSetWorkload(scheme, {
      pages,
      accesses,
      remapsPerThousand,
      random: new SeededRandom(seed),
      costModel: COST,
    }),
  );

const coldWalkReferences = (): number => coldNestedWalkReferences(COST);

// ------------------------------------------------------------ the sweep

/** One point: the process-creation workload, or the working set at one remap rate. */
export type ShadowNestedPoint =
  | {
      readonly workload: 'process-creation';
      readonly rounds: number;
      readonly pages: number;
      readonly touches: number;
    }
  | {
      readonly workload: 'working-set';
      readonly pages: number;
      readonly accesses: number;
      readonly remapsPerThousand: number;
    };

/** What a point measured under both schemes. */
export interface ShadowNestedResult {
  readonly shadow: SchemeCost;
  readonly nested: SchemeCost;
  /** Only on the first point: references of a cold 4+4 2D walk. */
  readonly coldWalkReferences?: number;
}

const RATES: Record<SweepScale, readonly number[]> = {
  full: [0, 1, 2, 5, 10, 20, 50, 100, 200],
  quick: [0, 2, 10, 50, 200],
};

function points(scale: SweepScale): ShadowNestedPoint[] {
  const full = scale === 'full';
  return [
    { workload: 'process-creation', rounds: full ? 200 : 40, pages: 64, touches: 4 },
    ...RATES[scale].map(
      (u): ShadowNestedPoint => ({
        workload: 'working-set',
        pages: full ? 16384 : 8192,
        accesses: full ? 50_000 : 20_000,
        remapsPerThousand: u,
      }),
    ),
  ];
}

function runPoint(p: ShadowNestedPoint, seed: number): ShadowNestedResult {
  const run = (s: PagingScheme): SchemeCost =>
    p.workload === 'process-creation'
      ? processCreation(s, p.rounds, p.pages, p.touches)
      : workingSet(s, p.pages, p.accesses, p.remapsPerThousand, seed);
  return {
    shadow: run('shadow'),
    nested: run('nested'),
    ...(p.workload === 'process-creation' ? { coldWalkReferences: coldWalkReferences() } : {}),
  };
}

/** Nested over shadow cycles, as a saving in percent of shadow's (positive: nested wins). */
const saving = (r: ShadowNestedResult): number => (1 - r.nested.cycles / r.shadow.cycles) * 100;

function assemble(
  all: readonly {
    readonly params: ShadowNestedPoint;
    readonly result: ShadowNestedResult;
    readonly seed: number;
  }[],
): ReproResult {
  const fork = all.find((p) => p.params.workload === 'process-creation')!;
  const sweep = all.filter((p) => p.params.workload === 'working-set') as readonly {
    params: Extract<ShadowNestedPoint, { workload: 'working-set' }>;
    result: ShadowNestedResult;
    seed: number;
  }[];
  const crossover =
    sweep.find((p) => p.result.nested.cycles < p.result.shadow.cycles)?.params.remapsPerThousand ?? null;
  const header = ['workload', 'shadow cyc/access', 'nested cyc/access', 'nested saves %', 'winner'];
  const row = (label: string, r: ShadowNestedResult): (string | number)[] => [
    label,
    r.shadow.cyclesPerAccess,
    r.nested.cyclesPerAccess,
    saving(r),
    r.nested.cycles < r.shadow.cycles ? 'nested' : 'shadow',
  ];
  const rows = [
    row(
      `process creation (${fork.params.workload === 'process-creation' ? `${fork.params.rounds} × ${fork.params.pages} pages` : ''})`,
      fork.result,
    ),
    ...sweep.map((p) =>
      row(`working set ${p.params.pages} pages, ${p.params.remapsPerThousand} remaps/1000`, p.result),
    ),
  ];
  const walk = fork.result.coldWalkReferences ?? Number.NaN;
  const e = COST.events;
  const text = [
    `shadow-vs-nested — ${TITLE}`,
    `Costs: ${COST.name}: walk-reference ${e['walk-reference'].cycles}, tlb-miss ${e['tlb-miss'].cycles}, shadow-fill ${e['shadow-fill'].cycles}, tracing-fault ${e['tracing-fault'].cycles}, shadow-flush ${e['shadow-flush'].cycles} cycles; 512-entry 4-way TLBs.`,
    `A cold 2D walk, 4-level guest over 4-level host tables (x86-64 format), made ${num(walk)} references (the seed: 24).`,
    '',
    formatTable(header, rows),
    '',
    `Process creation: under shadow paging a guest store into a table the shadows were built from is a tracing fault`,
    `(${num(fork.result.shadow.counters.tracingFaults ?? 0)} of ${num(fork.result.shadow.tableStores)} table stores: the teardowns) and every new page a hidden fault (${num(fork.result.shadow.counters.fills ?? 0)} fills);`,
    'nested paging lets the guest write its tables freely and pays only longer TLB misses.',
    crossover === null
      ? 'Working set: shadow paging wins at every remap rate swept.'
      : `Working set: shadow paging wins while remaps are rare; nested paging wins from ${crossover} remaps per 1000 accesses on.`,
  ].join('\n');
  const json = {
    reproduction: 'shadow-vs-nested',
    source: SOURCE,
    costModel: COST.name,
    coldWalkReferences: walk,
    processCreation: {
      params: fork.params,
      shadow: fork.result.shadow,
      nested: fork.result.nested,
      nestedSavesPercent: saving(fork.result),
    },
    workingSet: sweep.map((p) => ({
      params: p.params,
      seed: p.seed,
      shadow: p.result.shadow,
      nested: p.result.nested,
      nestedSavesPercent: saving(p.result),
    })),
    crossoverRemapsPerThousand: crossover,
  };
  return {
    text,
    json,
    files: [
      { name: 'shadow-vs-nested.json', content: `${JSON.stringify(json, null, 2)}\n` },
      {
        name: 'shadow-vs-nested.csv',
        content: toCsv(
          ['workload', 'remaps_per_1000', 'shadow_cycles_per_access', 'nested_cycles_per_access'],
          [
            ['process-creation', '', fork.result.shadow.cyclesPerAccess, fork.result.nested.cyclesPerAccess],
            ...sweep.map((p) => [
              'working-set',
              p.params.remapsPerThousand,
              p.result.shadow.cyclesPerAccess,
              p.result.nested.cyclesPerAccess,
            ]),
          ],
        ),
      },
      {
        name: 'shadow-vs-nested.svg',
        content: lineChart(
          'Large working set: translation cycles per access vs PTE remap rate',
          'PTE remaps per 1000 accesses',
          'cycles per access',
          [
            {
              name: 'shadow paging',
              points: sweep.map(
                (p) => [p.params.remapsPerThousand, p.result.shadow.cyclesPerAccess] as const,
              ),
            },
            {
              name: 'nested paging',
              points: sweep.map(
                (p) => [p.params.remapsPerThousand, p.result.nested.cyclesPerAccess] as const,
              ),
            },
          ],
        ),
      },
    ],
  };
}

const TITLE = 'shadow page tables vs nested paging: process creation, a large working set, and the crossover';
const SOURCE =
  'Adams & Agesen, ASPLOS 2006; Bhargava, Serebrin, Spadini & Manne, "Accelerating two-dimensional page walks", ASPLOS 2008; VMware, "Performance evaluation of AMD RVI hardware assist", 2008 (up to 42 %)';

/** The sweep: process creation, then the working set at each remap rate. */
export const shadowVsNestedSweep = defineSweep<ShadowNestedPoint, ShadowNestedResult>({
  points,
  runPoint,
  assemble: (all) => assemble(all),
  describe: (p) =>
    p.workload === 'process-creation'
      ? 'process creation'
      : `working set, ${p.remapsPerThousand} remaps/1000`,
});

/** The reproduction. */
export const shadowVsNested: Reproduction = {
  name: 'shadow-vs-nested',
  title: TITLE,
  source: SOURCE,
  sweep: shadowVsNestedSweep,
  run: () => runSweepInProcess(shadowVsNestedSweep, 'full'),
};
