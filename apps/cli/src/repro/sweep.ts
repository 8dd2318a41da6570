/**
 * Running sweeps: the points of a parameter sweep on worker threads
 * (tinypool), a shard of them (`--shard I/N`: the points whose index % N is
 * I − 1) written as a partial result file, and the merge of shard files into
 * the figure. Every point's seed comes from the sweep seed and its index
 * (seeds.ts) and every result crosses a JSON boundary, so one machine, many
 * workers and many machines produce byte-identical figures.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import Tinypool from 'tinypool';
import { UserError } from '../diagnostics';
import { pointSeed } from './seeds';
import type { SweepTaskOutcome } from './sweep-worker';
import type { ReproFile, ReproResult, Sweep, SweepPointResult, SweepScale } from './types';

/** The sweep seed when none is given. */
export const DEFAULT_SWEEP_SEED = 1;

/** Shard I of N (1-based I, as `--shard I/N` and a Kubernetes completion index + 1). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** A point to run. */
export interface PlannedPoint {
  readonly index: number;
  readonly seed: number;
  readonly params: unknown;
}

/** Every point of a sweep and the fingerprint that identifies the plan across machines. */
export interface SweepPlan {
  readonly name: string;
  readonly scale: SweepScale;
  readonly sweepSeed: number;
  readonly points: readonly PlannedPoint[];
  /** SHA-256 of the reproduction, scale, seed and every point's parameters: shards of one plan agree on it. */
  readonly fingerprint: string;
}

const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function fingerprint(name: string, scale: SweepScale, sweepSeed: number, params: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify({ name, scale, sweepSeed, params })).digest('hex');
}

/** The plan of a sweep: its points with their seeds. */
export function planSweep(
  name: string,
  sweep: Sweep,
  scale: SweepScale,
  sweepSeed = DEFAULT_SWEEP_SEED,
): SweepPlan {
  const params = json(sweep.points(scale));
  return {
    name,
    scale,
    sweepSeed,
    points: params.map((p, index) => ({ index, seed: pointSeed(sweepSeed, index), params: p })),
    fingerprint: fingerprint(name, scale, sweepSeed, params),
  };
}

/** The points of shard I/N. */
export function shardPoints(plan: SweepPlan, shard: Shard | undefined): readonly PlannedPoint[] {
  if (shard === undefined) return plan.points;
  return plan.points.filter((p) => p.index % shard.count === shard.index - 1);
}

/** Parse `I/N` (1 ≤ I ≤ N). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || !(count >= 1) || !(index >= 1) || index > count) {
    throw new UserError({
      code: 'BAD_SHARD',
      message: `--shard: expected I/N with 1 ≤ I ≤ N (e.g. 2/8), found '${text}'`,
    });
  }
  return { index, count };
}

/** Worker threads to use by default: all cores but one, at least one. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * The worker module tinypool loads. From source (tsx, vitest) it is a small
 * .mjs that registers tsx in the worker thread and re-exports
 * sweep-worker.ts, because loader hooks registered in the main thread do not
 * reach worker threads on Node 20; the worker also gets the
 * @strachey/source condition so packages resolve to their sources, not to a
 * stale dist/. From the tsup bundle (dist/main.js) it is dist/sweep-worker.js.
 */
function workerModule(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  return fromSource
    ? {
        filename: new URL('./sweep-worker.mjs', import.meta.url).href,
        execArgv: ['--conditions=@strachey/source'],
      }
    : { filename: new URL('./sweep-worker.js', import.meta.url).href, execArgv: [] };
}

/** Called after each finished point. */
export type SweepProgress = (done: number, total: number, last: string) => void;

/**
 * Run points and return their results in index order. `workers` ≤ 1 runs
 * them in this thread, one after another; otherwise on that many worker
 * threads.
 */
export async function runPoints(
  name: string,
  sweep: Sweep,
  points: readonly PlannedPoint[],
  workers: number,
  progress?: SweepProgress,
): Promise<SweepPointResult[]> {
  const results: SweepPointResult[] = [];
  let done = 0;
  const finished = (p: PlannedPoint, result: unknown): void => {
    results.push({ index: p.index, seed: p.seed, params: p.params, result: json(result) });
    done++;
    progress?.(done, points.length, sweep.describe(p.params));
  };
  if (workers <= 1 || points.length <= 1) {
    for (const p of points) finished(p, sweep.runPoint(p.params, p.seed));
  } else {
    const { filename, execArgv } = workerModule();
    const pool = new Tinypool({
      filename,
      execArgv,
      minThreads: 1,
      maxThreads: Math.min(workers, points.length),
    });
    try {
      await Promise.all(
        points.map(async (p) => {
          const outcome = (await pool.run({ name, params: p.params, seed: p.seed })) as SweepTaskOutcome;
          if (!outcome.ok) throw new UserError(outcome.diagnostics, outcome.exitCode);
          finished(p, outcome.result);
        }),
      );
    } finally {
      await pool.destroy();
    }
  }
  return results.sort((a, b) => a.index - b.index);
}

/** Run every point in this thread and assemble the figure (what `Reproduction.run()` of a sweep does). */
export function runSweepInProcess(
  sweep: Sweep,
  scale: SweepScale,
  sweepSeed = DEFAULT_SWEEP_SEED,
): ReproResult {
  const plan = planSweep('', sweep, scale, sweepSeed);
  return sweep.assemble(
    plan.points.map((p) => ({
      index: p.index,
      seed: p.seed,
      params: p.params,
      result: json(sweep.runPoint(p.params, p.seed)),
    })),
    scale,
  );
}

// ------------------------------------------------------------ shard files

/** The format marker of shard files. */
export const SHARD_FORMAT = 'strachey-sweep-shard';

/** What a shard file holds. */
export interface ShardFile {
  readonly format: typeof SHARD_FORMAT;
  readonly version: 1;
  readonly reproduction: string;
  readonly scale: SweepScale;
  readonly sweepSeed: number;
  readonly fingerprint: string;
  /** Points in the whole sweep. */
  readonly points: number;
  readonly shard: Shard;
  readonly results: readonly SweepPointResult[];
}

/** The partial result file of one shard. */
export function shardFile(plan: SweepPlan, shard: Shard, results: readonly SweepPointResult[]): ReproFile {
  const body: ShardFile = {
    format: SHARD_FORMAT,
    version: 1,
    reproduction: plan.name,
    scale: plan.scale,
    sweepSeed: plan.sweepSeed,
    fingerprint: plan.fingerprint,
    points: plan.points.length,
    shard,
    results,
  };
  return {
    name: `${plan.name}.shard-${shard.index}-of-${shard.count}.json`,
    content: `${JSON.stringify(body, null, 2)}\n`,
  };
}

/** A shard file read from disk: where it came from and its contents. */
export interface ShardInput {
  readonly file: string;
  readonly text: string;
}

/** The identity shared by every shard of a merge. */
export interface MergedSweep {
  readonly reproduction: string;
  readonly scale: SweepScale;
  readonly sweepSeed: number;
  readonly results: readonly SweepPointResult[];
}

function bad(code: string, file: string | undefined, message: string): never {
  throw new UserError({ code, ...(file !== undefined ? { file } : {}), message });
}

function parseShardFile(input: ShardInput): ShardFile {
  let v: unknown;
  try {
    v = JSON.parse(input.text);
  } catch (error) {
    return bad('BAD_SHARD', input.file, `not JSON: ${(error as Error).message}`);
  }
  const o = v as Partial<ShardFile> | null;
  if (o === null || typeof o !== 'object' || o.format !== SHARD_FORMAT)
    bad('BAD_SHARD', input.file, `expected a shard file ("format": "${SHARD_FORMAT}")`);
  if (o.version !== 1)
    bad('BAD_SHARD', input.file, `expected shard format version 1, found ${JSON.stringify(o.version)}`);
  const s = o.shard;
  if (
    typeof o.reproduction !== 'string' ||
    (o.scale !== 'full' && o.scale !== 'quick') ||
    typeof o.sweepSeed !== 'number' ||
    typeof o.fingerprint !== 'string' ||
    typeof o.points !== 'number' ||
    s === undefined ||
    typeof s.index !== 'number' ||
    typeof s.count !== 'number' ||
    !Array.isArray(o.results)
  ) {
    bad(
      'BAD_SHARD',
      input.file,
      'expected reproduction, scale, sweepSeed, fingerprint, points, shard {index, count} and results',
    );
  }
  return o as ShardFile;
}

/**
 * Check that shard files make one complete sweep and return its results in
 * index order. Refuses (UserError naming the files) files of different
 * sweeps, a shard given twice, missing shards, and a shard whose points are
 * not exactly its share.
 */
export function mergeShards(
  inputs: readonly ShardInput[],
  planOf: (reproduction: string, scale: SweepScale, sweepSeed: number) => SweepPlan | undefined,
): MergedSweep {
  if (inputs.length === 0) bad('NO_SHARDS', undefined, `no shard files (*.shard-I-of-N.json) found`);
  const shards = inputs.map((i) => ({ input: i, s: parseShardFile(i) }));
  const first = shards[0]!;
  for (const { input, s } of shards.slice(1)) {
    for (const field of ['reproduction', 'scale', 'sweepSeed', 'fingerprint', 'points'] as const) {
      if (s[field] !== first.s[field]) {
        bad(
          'SHARD_MISMATCH',
          input.file,
          `${field} is ${JSON.stringify(s[field])} but ${JSON.stringify(first.s[field])} in ${first.input.file}: the files are not shards of one sweep`,
        );
      }
    }
    if (s.shard.count !== first.s.shard.count) {
      bad(
        'SHARD_MISMATCH',
        input.file,
        `shard ${s.shard.index}/${s.shard.count} cannot merge with shard ${first.s.shard.index}/${first.s.shard.count} of ${first.input.file}: different shard counts`,
      );
    }
  }
  const count = first.s.shard.count;
  const seen = new Map<number, string>();
  for (const { input, s } of shards) {
    if (s.shard.index < 1 || s.shard.index > count)
      bad('BAD_SHARD', input.file, `shard index ${s.shard.index} is outside 1..${count}`);
    const other = seen.get(s.shard.index);
    if (other !== undefined)
      bad('DUPLICATE_SHARD', input.file, `shard ${s.shard.index}/${count} is also in ${other}`);
    seen.set(s.shard.index, input.file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    bad(
      'INCOMPLETE_SHARDS',
      undefined,
      `${first.s.reproduction}: have shard${seen.size === 1 ? '' : 's'} ${[...seen.keys()].sort((a, b) => a - b).join(', ')} of ${count}; missing ${missing.map((m) => `${m}/${count}`).join(', ')}`,
    );
  }
  const plan = planOf(first.s.reproduction, first.s.scale, first.s.sweepSeed);
  if (plan === undefined)
    bad('UNKNOWN_REPRODUCTION', first.input.file, `no sweep reproduction named '${first.s.reproduction}'`);
  if (plan.fingerprint !== first.s.fingerprint) {
    bad(
      'SHARD_MISMATCH',
      first.input.file,
      `the shards were made by a different version of the ${plan.name} sweep (fingerprint ${first.s.fingerprint.slice(0, 12)}…, this one ${plan.fingerprint.slice(0, 12)}…)`,
    );
  }
  const results: SweepPointResult[] = [];
  for (const { input, s } of shards) {
    const expected = shardPoints(plan, s.shard).map((p) => p.index);
    const got = s.results.map((r) => r.index);
    if (JSON.stringify(expected) !== JSON.stringify(got)) {
      bad(
        'SHARD_POINTS_MISMATCH',
        input.file,
        `shard ${s.shard.index}/${count} should hold points ${expected.join(', ')}, holds ${got.join(', ')}`,
      );
    }
    for (const r of s.results) {
      const p = plan.points[r.index]!;
      if (r.seed !== p.seed || JSON.stringify(r.params) !== JSON.stringify(p.params))
        bad(
          'SHARD_POINTS_MISMATCH',
          input.file,
          `point ${r.index} has other parameters or seed than the sweep's`,
        );
      results.push(r);
    }
  }
  return {
    reproduction: plan.name,
    scale: plan.scale,
    sweepSeed: plan.sweepSeed,
    results: results.sort((a, b) => a.index - b.index),
  };
}
