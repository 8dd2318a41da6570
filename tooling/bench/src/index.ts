/**
 * Benchmark harness shared by every package's `pnpm bench`.
 *
 * Host-speed figures are measured with `process.hrtime.bigint()` around a
 * workload that reports how many units (instructions, translations, decisions)
 * it performed. A warm-up phase lets V8 tier the code up before sampling, and
 * the figure reported is the median of several samples, because machines here
 * are shared and noisy. Nothing here is ever used by a unit test.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One measured figure. */
export interface BenchFigure {
  readonly name: string;
  /** Units per second (median of samples). */
  readonly perSecond: number;
  readonly unit: string;
  readonly samples: readonly number[];
  readonly totalUnits: number;
  readonly seconds: number;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface MeasureOptions {
  /** Seconds of warm-up before sampling. */
  readonly warmupSeconds?: number;
  /** Number of samples. */
  readonly samples?: number;
  /** Minimum seconds per sample. */
  readonly sampleSeconds?: number;
  readonly unit?: string;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e9;

/**
 * Measure a workload. `work()` performs some amount of work and returns how
 * many units it did; it is called repeatedly until each sample lasts at least
 * `sampleSeconds`.
 */
export function measure(name: string, work: () => number, options: MeasureOptions = {}): BenchFigure {
  const warmup = options.warmupSeconds ?? 1;
  const sampleCount = options.samples ?? 5;
  const sampleSeconds = options.sampleSeconds ?? 1;
  const end = now() + warmup;
  while (now() < end) work();
  const samples: number[] = [];
  let totalUnits = 0;
  let totalSeconds = 0;
  for (let s = 0; s < sampleCount; s++) {
    let units = 0;
    const t0 = now();
    let t1 = t0;
    do {
      units += work();
      t1 = now();
    } while (t1 - t0 < sampleSeconds);
    samples.push(units / (t1 - t0));
    totalUnits += units;
    totalSeconds += t1 - t0;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const perSecond = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return { name, perSecond, unit: options.unit ?? 'ops', samples, totalUnits, seconds: totalSeconds };
}

/** Human-readable rate: 123.4 M ops/s. */
export function formatRate(figure: Pick<BenchFigure, 'perSecond' | 'unit'>): string {
  const v = figure.perSecond;
  const [scaled, prefix] =
    v >= 1e9 ? [v / 1e9, 'G'] : v >= 1e6 ? [v / 1e6, 'M'] : v >= 1e3 ? [v / 1e3, 'k'] : [v, ''];
  return `${scaled.toFixed(scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2)} ${prefix}${figure.unit}/s`;
}

/**
 * Write a package's results to `<dir>/bench-results/<file>.json` atomically
 * (temporary file, then rename), with the machine it ran on.
 */
export function writeResults(dir: string, file: string, results: unknown): string {
  const path = join(dir, 'bench-results', `${file}.json`);
  mkdirSync(dirname(path), { recursive: true });
  const body = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    results,
  };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}
export {
  buildChurn,
  gcCounter,
  settledHeapBytes,
  type BuildChurnCounts,
  type GcCounter,
  type GcCounts,
} from './gc';
