/**
 * lpar-weights — the seed's LPAR dispatching example (Spruth §12.4.2,
 * Abb. 12.4.4-12.4.6): MVS1 has two dedicated CPs; MVS2..MVS5 share eight
 * physical CPs with four logical CPs each (their logical CPs outnumber the
 * physical ones). Weights are the guaranteed minimum and, when everyone
 * uses their share, also the maximum; an idle partition's share flows to
 * the others; capping holds a capped partition at its share.
 *
 * Every figure comes from @strachey/prsm running real ESA/390 guests: a
 * CPU-bound loop in each busy partition, an enabled wait in an idle one. The
 * slice is 0.5 ms instead of 12.5-25 ms so that each 40 ms window holds
 * hundreds of dispatches (shares do not depend on the slice; the overhead
 * does, see the package's bench).
 */
import { createPrsm, dispatchTraceEvents, parseIocp, parseProfiles, type Prsm, type PrsmCounters } from '@strachey/prsm';
import { IDLE_SOURCE, mustPrsm, SPIN_SOURCE } from '../prsm-input';
import { barChart } from './chart';
import { toCsv } from './smp-scaling';
import { formatNumber as num, formatTable } from './table';
import { defineSweep, type ReproResult, type Reproduction } from './types';

const SHARED = ['MVS2', 'MVS3', 'MVS4', 'MVS5'];
const WEIGHTS = [10, 20, 30, 40];
const WINDOW_MS = 40;

const DECK = `
         ID    SYSTEM=(2064,1)
         RESOURCE PARTITION=((CSS(0),(MVS1,1),(MVS2,2),(MVS3,3),(MVS4,4),(MVS5,5)))
`;

function profiles(weights: readonly number[], capped: readonly string[]): string {
  let p = '[CPC]\nstorage = 1G\ncps = 10\nhsa = 64M\nslice = 500us\n\n[MVS1]\nstorage = 64M\ncps = 2\ndedicated = yes\n';
  SHARED.forEach((n, i) => {
    p += `\n[${n}]\nstorage = 64M\nmode = ${i % 2 === 0 ? 'zone' : 'blocks'}\ncps = 4\nweight = ${weights[i]}\ncapped = ${capped.includes(n) ? 'yes' : 'no'}\n`;
  });
  return p;
}

function machine(weights: readonly number[], idle: readonly string[], capped: readonly string[] = [], traced = false): Prsm {
  const m = mustPrsm(createPrsm({ iocp: mustPrsm(parseIocp(DECK, 'lpar-weights.iocp')), profiles: mustPrsm(parseProfiles(profiles(weights, capped), 'lpar-weights.profiles')), ...(traced ? { traceSegments: 200_000 } : {}) }));
  for (const n of ['MVS1', ...SHARED]) {
    mustPrsm(m.activate(n));
    mustPrsm(m.ipl(n, { source: idle.includes(n) ? IDLE_SOURCE : SPIN_SOURCE, start: 'all' }));
  }
  return m;
}

/** Physical CPs' worth each partition used in the window. */
function window(m: Prsm, ms: number): Record<string, number> {
  const before: PrsmCounters = m.counters();
  m.run({ ms });
  const after = m.counters();
  const out: Record<string, number> = {};
  for (const n of ['MVS1', ...SHARED]) out[n] = (after.partitions[n]!.cycles - before.partitions[n]!.cycles) / (after.time - before.time);
  return out;
}

const share = (cps: Record<string, number>, names: readonly string[]): Record<string, number> => {
  const total = names.reduce((s, n) => s + (cps[n] ?? 0), 0);
  return Object.fromEntries(names.map((n) => [n, (cps[n] ?? 0) / total]));
};

/** One machine of the reproduction: a phase of the seed's example, or full load under another weight set. */
export type LparWeightsPoint =
  | { readonly phase: 'full' | 'mvs2-idle' | 'capped' | 'uncapped' | 'ird'; readonly windowMs: number }
  | { readonly phase: 'weight-set'; readonly weights: readonly number[]; readonly windowMs: number };

/** Physical CPs' worth each partition used in the window (and, for the seed's full-load run, its dispatches as a trace). */
export interface LparWeightsMeasured {
  readonly cps: Record<string, number>;
  readonly dispatches: number;
  readonly trace?: unknown;
}

/** Other weight sets measured under full load: equal weights, reversed, and one whose share exceeds what 4 logical CPs can use. */
const WEIGHT_SETS: readonly (readonly number[])[] = [
  [25, 25, 25, 25],
  [40, 30, 20, 10],
  [5, 5, 10, 80],
];

function runPhase(p: LparWeightsPoint): LparWeightsMeasured {
  const warm = 4;
  const traced = p.phase === 'full';
  const weights = p.phase === 'weight-set' ? p.weights : WEIGHTS;
  const idleSet = p.phase === 'mvs2-idle' ? ['MVS2'] : p.phase === 'capped' || p.phase === 'uncapped' ? ['MVS2', 'MVS3', 'MVS4'] : [];
  const m = machine(weights, idleSet, p.phase === 'capped' ? ['MVS5'] : [], traced);
  m.run({ ms: warm });
  if (p.phase === 'ird') {
    // IRD: WLM raises MVS2's weight from 10 to 50 while everything runs.
    mustPrsm(m.setWeight('MVS2', 50));
    m.run({ ms: warm });
  }
  const cps = window(m, p.windowMs);
  return {
    cps,
    dispatches: m.counters().dispatches,
    ...(traced ? { trace: dispatchTraceEvents(m.dispatchTrace().segments, m.costModel.mhz, m.physicalCps) } : {}),
  };
}

/**
 * Each partition's expected share of what the shared partitions used under
 * full load: by weight, except that a partition never gets more physical
 * CPs than its logical CPs (`cap`: 4 CPs over the CPs used in all); what it
 * cannot use is shared by the others by weight (water-filling).
 */
export function expectedShares(weights: readonly number[], cap: number): number[] {
  const share = weights.map(() => 0);
  let open = weights.map((_, i) => i);
  let left = 1;
  while (open.length > 0) {
    const w = open.reduce((a, i) => a + weights[i]!, 0);
    const over = open.filter((i) => (weights[i]! / w) * left > cap);
    if (over.length === 0) {
      for (const i of open) share[i] = (weights[i]! / w) * left;
      break;
    }
    for (const i of over) share[i] = cap;
    left -= cap * over.length;
    open = open.filter((i) => !over.includes(i));
  }
  return share;
}

function points(windowMs: number): LparWeightsPoint[] {
  return [
    ...(['full', 'mvs2-idle', 'capped', 'uncapped', 'ird'] as const).map((phase) => ({ phase, windowMs })),
    ...WEIGHT_SETS.map((weights) => ({ phase: 'weight-set' as const, weights, windowMs })),
  ];
}

function assembleLpar(all: readonly { readonly params: LparWeightsPoint; readonly result: LparWeightsMeasured }[]): ReproResult {
  const at = (phase: string): LparWeightsMeasured => all.find((p) => p.params.phase === phase)!.result;
  const windowMs = all[0]!.params.windowMs;
  const fullCps = at('full').cps;
  const fullShare = share(fullCps, SHARED);
  const idleCps = at('mvs2-idle').cps;
  const idleShare = share(idleCps, SHARED);
  const cappedCps = at('capped').cps;
  const uncappedCps = at('uncapped').cps;
  const irdShare = share(at('ird').cps, SHARED);
  const irdWeights = [50, 20, 30, 40];
  const sets = all.filter((p) => p.params.phase === 'weight-set').map((p) => {
    const weights = (p.params as { weights: readonly number[] }).weights;
    const used = SHARED.reduce((a, n) => a + (p.result.cps[n] ?? 0), 0);
    const expected = expectedShares(weights, 4 / used);
    const measured = share(p.result.cps, SHARED);
    return { weights, expected: Object.fromEntries(SHARED.map((n, i) => [n, expected[i]!])), measured, maxError: Math.max(...SHARED.map((n, i) => Math.abs(measured[n]! - expected[i]!))) };
  });
  const sum = WEIGHTS.reduce((a, b) => a + b, 0);
  const busyIdle = WEIGHTS.slice(1).reduce((a, b) => a + b, 0);
  const rows = SHARED.map((n, i) => [
    n,
    WEIGHTS[i]!,
    WEIGHTS[i]! / sum,
    fullShare[n]!,
    fullCps[n]!,
    i === 0 ? 0 : WEIGHTS[i]! / busyIdle,
    idleShare[n]!,
    irdWeights[i]! / 140,
    irdShare[n]!,
  ]);
  const header = ['LPAR', 'weight', 'configured', 'measured', 'CPs', 'expected (MVS2 idle)', 'measured (MVS2 idle)', 'expected (IRD)', 'measured (IRD)'];
  const capShareCps = (WEIGHTS[3]! / sum) * 8;
  const text = [
    "LPAR weights (seed §12.4.2): MVS1 has 2 dedicated CPs; MVS2-MVS5 share 8 physical CPs with 4 logical CPs each",
    '',
    formatTable(header, rows),
    '',
    `MVS1 (dedicated) used ${num(fullCps.MVS1!)} CPs, outside the weights. The shared partitions used ${num(SHARED.reduce((a, n) => a + fullCps[n]!, 0))} of 8 CPs;`,
    `the rest is PR/SM's dispatch overhead, large at these short slices (a cache reload per dispatch; ~1 % at 12.5 ms).`,
    `Capping: with MVS2-MVS4 idle, uncapped MVS5 takes ${num(uncappedCps.MVS5!)} CPs (all 4 of its logical CPs);`,
    `capped at its share (40/100 of 8 = ${num(capShareCps)} CPs) it takes ${num(cappedCps.MVS5!)}.`,
    `IRD: MVS2's weight raised from 10 to 50 at run time; shares follow the new weights (50/140 = ${num(50 / 140)}).`,
    '',
    '',
    'Other weight sets under full load (expected: by weight, but never more than a partition\'s 4 logical CPs; the rest by weight):',
    formatTable(
      ['weights', ...SHARED.map((n) => `${n} exp/meas`), 'max error'],
      sets.map((x) => [x.weights.join('/'), ...SHARED.map((n) => `${num(x.expected[n]!)}/${num(x.measured[n]!)}`), x.maxError]),
    ),
    '',
    `Each figure is guest cycles over a ${windowMs} ms window of simulated time (0.5 ms slices, ${num(at('full').dispatches)} dispatches in the full-load run).`,
  ].join('\n');
  const json = {
    windowMs,
    weights: Object.fromEntries(SHARED.map((n, i) => [n, WEIGHTS[i]])),
    fullLoad: { share: fullShare, cps: fullCps },
    mvs2Idle: { share: idleShare, cps: idleCps },
    capping: { shareCps: capShareCps, capped: cappedCps.MVS5, uncapped: uncappedCps.MVS5 },
    ird: { weights: Object.fromEntries(SHARED.map((n, i) => [n, irdWeights[i]])), share: irdShare },
    weightSets: sets,
  };
  return {
    text,
    json,
    files: [
      { name: 'lpar-weights.json', content: `${JSON.stringify(json, null, 2)}\n` },
      // Every dispatch of the full-load run, one track per physical CP (strachey trace repro lpar-weights).
      { name: 'lpar-weights.perfetto.json', content: `${JSON.stringify(at('full').trace)}\n` },
      { name: 'lpar-weights.csv', content: toCsv(header.map((h) => h.replace(/[ ,()]+/g, '_')), rows) },
      {
        name: 'lpar-weights.svg',
        // Measured shares as bars, what the weights promise as a black mark on each: one glance shows the fit.
        content: barChart(
          'LPAR shares of the 8 shared CPs: measured vs expected by weight',
          'share of the 8 shared physical CPs',
          SHARED,
          [
            { name: 'full load', values: SHARED.map((n) => fullShare[n]!), expected: SHARED.map((_, i) => WEIGHTS[i]! / sum) },
            { name: 'MVS2 idle', values: SHARED.map((n) => idleShare[n]!), expected: SHARED.map((_, i) => (i === 0 ? 0 : WEIGHTS[i]! / busyIdle)) },
            { name: 'IRD: MVS2 weight 50', values: SHARED.map((n) => irdShare[n]!), expected: SHARED.map((_, i) => irdWeights[i]! / 140) },
          ],
          { xLabel: 'partition (weights 10, 20, 30, 40)', expectedLabel: 'expected by weight' },
        ),
      },
    ],
  };
}

/** Run every machine in this thread (window length exported so tests can run a shorter one). */
export function lparWeightsResult(windowMs = WINDOW_MS): ReproResult {
  return assembleLpar(points(windowMs).map((params) => ({ params, result: runPhase(params) })));
}

/** The sweep: each machine (phase or weight set) is a point. */
export const lparWeightsSweep = defineSweep<LparWeightsPoint, LparWeightsMeasured>({
  points: (scale) => points(scale === 'full' ? WINDOW_MS : 10),
  runPoint: (p) => runPhase(p),
  assemble: (all) => assembleLpar(all),
  describe: (p) => (p.phase === 'weight-set' ? `weights ${p.weights.join('/')}` : p.phase),
});

export const lparWeights: Reproduction = {
  name: 'lpar-weights',
  traceFile: 'lpar-weights.perfetto.json',
  sweep: lparWeightsSweep,
  title: 'Spruth §12.4.2: LPAR weights, idle share flowing to others, capping, IRD',
  source: 'Spruth, seed 004 §12.4.2 (Abb. 12.4.4-12.4.6); IBM PR/SM Planning Guide on weights and capping',
  run: () => lparWeightsResult(),
};
