/**
 * smp-scaling — Spruth fig. 12.1.1: throughput against the number of CPUs
 * when each added CPU costs n % (10 % and 5 %); the seed: more than about 4
 * CPUs make little sense at n = 10 %, 8 at n = 5 %.
 *
 * The measured curves come from @strachey/prsm's SMP experiment: a real
 * ESA/390 guest on N dedicated logical CPs: each CPU's timer tick looks at
 * every other CPU's entries (n of its time per other CPU, the seed's
 * definition of n), and a ticket spin lock on the kernel's shared data costs
 * one cache-line transfer per waiting CPU at each handoff. The analytic curve
 * N · (1 − n·(N − 1)) is printed beside it; the measured one follows it to
 * the peak and then collapses in a lock convoy.
 */
import { formatPrsmError, runSmpScaling, type SmpCurve } from '@strachey/prsm';
import { UserError } from '../diagnostics';
import { type ChartSeries, lineChart } from './chart';
import { formatNumber as num, formatTable } from './table';
import { defineSweep, type ReproResult, type Reproduction } from './types';

const COUNTS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16];
const LOSSES = [0.1, 0.05];

/** CSV with a header row; values are numbers or plain words. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return `${[header, ...rows].map((r) => r.join(',')).join('\n')}\n`;
}

// ------------------------------------------------------------ reproduction

/** One point of the sweep: a loss n and a CPU count, measured for `ms` of simulated time. */
export interface SmpSweepPoint {
  readonly n: number;
  readonly cpus: number;
  readonly ms: number;
}

/** What a point measured. */
export interface SmpSweepResult {
  /** Transactions per simulated second. */
  readonly throughput: number;
  readonly workIterations: number;
  readonly scanIterations: number;
}

function sweepPoints(counts: readonly number[], ms: number): SmpSweepPoint[] {
  return LOSSES.flatMap((n) => counts.map((cpus) => ({ n, cpus, ms })));
}

/** Run one CPU count of one curve: its own machine, so points are independent. */
function runSmpPoint(p: SmpSweepPoint): SmpSweepResult {
  const r = runSmpScaling({ n: p.n, cpus: [p.cpus], ms: p.ms });
  if (!r.ok) throw new UserError({ code: r.error.code, message: formatPrsmError(r.error) });
  return {
    throughput: r.value.points[0]!.throughput,
    workIterations: r.value.workIterations,
    scanIterations: r.value.scanIterations,
  };
}

/** The curves from the points: relative to each curve's 1-way, with the analytic N·(1 − n·(N − 1)) beside it. */
function curvesOf(
  points: readonly { readonly params: SmpSweepPoint; readonly result: SmpSweepResult }[],
): SmpCurve[] {
  const losses = [...new Set(points.map((p) => p.params.n))];
  return losses.map((n) => {
    const mine = points.filter((p) => p.params.n === n);
    const one = mine.find((p) => p.params.cpus === 1)?.result.throughput ?? mine[0]!.result.throughput;
    const pts = mine.map((p) => ({
      cpus: p.params.cpus,
      throughput: p.result.throughput,
      relative: p.result.throughput / one,
      analytic: p.params.cpus * (1 - n * (p.params.cpus - 1)),
    }));
    const peak = pts.reduce((a, b) => (b.relative > a.relative ? b : a), pts[0]!).cpus;
    const analyticPeak = pts.reduce((a, b) => (b.analytic > a.analytic ? b : a), pts[0]!).cpus;
    return {
      n,
      scanIterations: mine[0]!.result.scanIterations,
      workIterations: mine[0]!.result.workIterations,
      points: pts,
      peak,
      analyticPeak,
    };
  });
}

function assembleSmp(
  points: readonly { readonly params: SmpSweepPoint; readonly result: SmpSweepResult }[],
): ReproResult {
  const cs = curvesOf(points);
  const counts = cs[0]!.points.map((p) => p.cpus);
  const rows = counts.map((cpus) => [
    cpus,
    ...cs.flatMap((c) => {
      const p = c.points.find((x) => x.cpus === cpus)!;
      return [p.relative, Math.max(0, p.analytic)];
    }),
  ]);
  const header = ['CPUs', ...cs.flatMap((c) => [`measured n=${c.n * 100}%`, `analytic n=${c.n * 100}%`])];
  const text = [
    'SMP scaling (Spruth fig. 12.1.1): throughput in 1-way CPUs against the number of CPUs',
    '',
    formatTable(header, rows),
    '',
    ...cs.map(
      (c) =>
        `n = ${c.n * 100} %: measured maximum at ${c.peak} CPUs, analytic N·(1 − n·(N − 1)) at ${c.analyticPeak}; ` +
        `2-way = ${num(c.points.find((p) => p.cpus === 2)?.relative ?? Number.NaN)} (seed: 2 − 2n = ${num(2 - 2 * c.n)}).`,
    ),
    '',
    'Measured: an ESA/390 guest on N dedicated logical CPs; each transaction does private work',
    `(${cs[0]?.workIterations} BCT iterations), then updates a shared queue under a ticket spin lock; each CPU's timer tick looks at every other`,
    `CPU's entries, one cache-line transfer each (${cs.map((c) => `${c.scanIterations} iterations for n = ${c.n * 100} %`).join(', ')}),`,
    'and each lock handoff costs one transfer per waiting CPU. Nothing is fitted: the curve follows',
    'N·(1 − n·(N − 1)) up to its peak, then collapses as waiters pile up on the lock (a convoy).',
    `Each point (n, CPUs) is its own machine run for ${num(points[0]?.params.ms ?? 0)} ms of simulated time.`,
  ].join('\n');
  const json = {
    curves: cs.map((c) => ({
      n: c.n,
      peak: c.peak,
      analyticPeak: c.analyticPeak,
      work: c.workIterations,
      scanPerCpu: c.scanIterations,
      points: c.points,
    })),
  };
  // One colour per n: the measured curve solid, the analytic one dashed beside it.
  const colours = ['#1f77b4', '#d62728'];
  const series: ChartSeries[] = cs.flatMap((c, i) => [
    {
      name: `measured, n = ${c.n * 100} %`,
      points: c.points.map((p) => [p.cpus, p.relative] as const),
      colour: colours[i % colours.length]!,
    },
    {
      name: `analytic N·(1 − n·(N − 1)), n = ${c.n * 100} %`,
      points: c.points.map((p) => [p.cpus, Math.max(0, p.analytic)] as const),
      dashed: true,
      colour: colours[i % colours.length]!,
    },
  ]);
  return {
    text,
    json,
    files: [
      { name: 'smp-scaling.json', content: `${JSON.stringify(json, null, 2)}\n` },
      { name: 'smp-scaling.csv', content: toCsv(header, rows) },
      {
        name: 'smp-scaling.svg',
        content: lineChart(
          'SMP throughput against the number of CPUs (Spruth fig. 12.1.1)',
          'CPUs (N)',
          'throughput (multiples of one CPU)',
          series,
        ),
      },
    ],
  };
}

/** Run the experiment in this thread (exported with its CPU counts and length so tests can run a smaller one). */
export function smpScalingResult(counts: readonly number[] = COUNTS, ms = 2): ReproResult {
  return assembleSmp(
    sweepPoints(counts, ms).map((params, index) => ({ index, seed: 0, params, result: runSmpPoint(params) })),
  );
}

/** The sweep: every (n, CPU count) pair is a point. */
export const smpScalingSweep = defineSweep<SmpSweepPoint, SmpSweepResult>({
  points: (scale) => (scale === 'full' ? sweepPoints(COUNTS, 2) : sweepPoints([1, 2, 4, 6, 8, 10, 12], 1)),
  runPoint: (p) => runSmpPoint(p),
  assemble: (points) => assembleSmp(points),
  describe: (p) => `n = ${p.n * 100} %, ${p.cpus} CPUs`,
});

export const smpScaling: Reproduction = {
  name: 'smp-scaling',
  title: 'Spruth fig. 12.1.1: SMP throughput vs CPUs at n = 10 % and 5 %',
  source: 'Spruth, seed 004 §12.1.1 (Abb. 12.1.1)',
  sweep: smpScalingSweep,
  run: () => smpScalingResult(),
};
