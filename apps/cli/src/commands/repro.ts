/**
 * `strachey repro` lists every reproduction of reproductions.md, marking
 * which run now; `strachey repro NAME [--json] [--out DIR]` runs one: it
 * prints its table and explanation (or, with --json, its figures as JSON)
 * and with --out writes its data and charts.
 *
 * Sweeps (reproductions whose figure is a set of independent points) run
 * their points on `--workers K` threads; `--shard I/N --out DIR` runs only
 * shard I of N and writes a partial result file; `strachey repro merge
 * DIR…` checks that shard files make one complete sweep and writes the same
 * figure a single run would.
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { fsErrorText, makeDirectories } from '../fs-util';
import { UserError } from '../diagnostics';
import { createProgress, type Progress, type StatusStream } from '../progress';
import { findReproduction, plannedReproductions, REPRODUCTION_ORDER, reproductions } from '../repro/registry';
import {
  DEFAULT_SWEEP_SEED,
  defaultWorkers,
  mergeShards,
  parseShard,
  planSweep,
  runPoints,
  type ShardInput,
  shardFile,
  shardPoints,
} from '../repro/sweep';
import type { ReproFile, ReproResult, Reproduction, SweepScale } from '../repro/types';
import type { RegisterCommand } from './index';

/** Where the command writes (injectable for tests). */
export interface ReproIo {
  out(text: string): void;
  err(text: string): void;
  /** Where the progress line goes; default process.stderr (drawn only on a terminal). */
  readonly status?: StatusStream;
}

/** Options of `strachey repro`. */
export interface ReproOptions {
  readonly json?: boolean;
  readonly out?: string;
  /** Sweeps: worker threads (default: cores − 1, at least 1; 1 runs in this thread). */
  readonly workers?: string | number;
  /** Sweeps: `I/N`, run only the points with index % N === I − 1 and write a shard file to --out. */
  readonly shard?: string;
  /** Sweeps: the sweep seed every point's seed derives from. */
  readonly seed?: string | number;
  /** Sweeps: the smaller sweep. */
  readonly quick?: boolean;
}

/** Write a file by writing a temporary file beside it and renaming it, so a reader never sees half a file. */
function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

function writeFiles(out: string, files: readonly ReproFile[], options: ReproOptions, io: ReproIo): void {
  const dir = resolve(out);
  try {
    makeDirectories(dir);
    for (const f of files) writeAtomic(join(dir, basename(f.name)), f.content);
  } catch (error) {
    throw new UserError({
      code: 'OUT_DIR_UNWRITABLE',
      file: dir,
      message: `cannot write the output files: ${fsErrorText(error)}`,
    });
  }
  // Keep stdout pure JSON under --json.
  const note = `wrote ${files.length} file${files.length === 1 ? '' : 's'} to ${dir}\n`;
  if (options.json) io.err(note);
  else io.out(note);
}

function printResult(result: ReproResult, options: ReproOptions, io: ReproIo): void {
  io.out(options.json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text}\n`);
  if (options.out !== undefined) writeFiles(options.out, result.files, options, io);
}

function integer(text: string | number, flag: string, min: number): number {
  const v = typeof text === 'number' ? text : /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(v) || v < min)
    throw new UserError({
      code: 'BAD_OPTION',
      message: `${flag}: expected a whole number ≥ ${min}, found '${text}'`,
    });
  return v;
}

const rank = (name: string): number => {
  const i = REPRODUCTION_ORDER.indexOf(name);
  return i < 0 ? REPRODUCTION_ORDER.length : i;
};

function list(options: ReproOptions, io: ReproIo): void {
  const all = [
    ...reproductions.map((r) => ({
      name: r.name,
      title: r.title,
      source: r.source,
      supported: true,
      sweep: r.sweep !== undefined,
    })),
    ...plannedReproductions.map((r) => ({
      name: r.name,
      title: r.title,
      source: r.source,
      supported: false,
      sweep: false,
      needs: r.needs,
    })),
  ].sort((a, b) => rank(a.name) - rank(b.name));
  if (options.json) {
    io.out(`${JSON.stringify(all, null, 2)}\n`);
    return;
  }
  const width = Math.max(...all.map((r) => r.name.length));
  const lines = all.map(
    (r) =>
      `${r.name.padEnd(width)}  ${r.supported ? (r.sweep ? 'now, sweep' : 'now       ') : 'later     '}  ${r.title}${'needs' in r ? ` (needs ${r.needs})` : ''}`,
  );
  io.out(`${lines.join('\n')}\n`);
}

const SWEEP_ONLY = ['shard', 'seed', 'quick', 'workers'] as const;

async function runSweep(repro: Reproduction, options: ReproOptions, io: ReproIo): Promise<void> {
  const sweep = repro.sweep!;
  const scale: SweepScale = options.quick ? 'quick' : 'full';
  const seed = options.seed === undefined ? DEFAULT_SWEEP_SEED : integer(options.seed, '--seed', 0);
  const workers = options.workers === undefined ? defaultWorkers() : integer(options.workers, '--workers', 1);
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  if (shard !== undefined && options.out === undefined) {
    throw new UserError({
      code: 'SHARD_NEEDS_OUT',
      message: `--shard ${options.shard}: give --out DIR for the shard's partial result file`,
    });
  }
  const plan = planSweep(repro.name, sweep, scale, seed);
  const points = shardPoints(plan, shard);
  const progress: Progress = createProgress({
    quiet: options.json === true,
    ...(io.status ? { stream: io.status } : {}),
  });
  const label = `${repro.name}${shard ? ` shard ${shard.index}/${shard.count}` : ''}`;
  progress.update(
    `${label}: 0/${points.length} points on ${Math.min(workers, Math.max(1, points.length))} worker${workers === 1 ? '' : 's'}`,
    true,
  );
  const results = await runPoints(repro.name, sweep, points, workers, (done, total, last) => {
    progress.update(`${label}: ${done}/${total} points (last: ${last})`, done === total);
  });
  progress.done();
  if (shard === undefined) {
    printResult(sweep.assemble(results, scale), options, io);
    return;
  }
  const file = shardFile(plan, shard, results);
  const summary = {
    reproduction: repro.name,
    scale,
    sweepSeed: seed,
    shard,
    points: plan.points.length,
    ran: results.map((r) => r.index),
    file: file.name,
  };
  io.out(
    options.json
      ? `${JSON.stringify(summary, null, 2)}\n`
      : `${label}: ran points ${summary.ran.join(', ') || '(none)'} of ${plan.points.length}; merge all ${shard.count} shard files with 'strachey repro merge DIR…'\n`,
  );
  writeFiles(options.out!, [file], options, io);
}

/** Shard files (NAME.shard-I-of-N.json) directly inside each directory. */
function readShardFiles(dirs: readonly string[]): ShardInput[] {
  const inputs: ShardInput[] = [];
  for (const d of dirs) {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch (error) {
      throw new UserError({
        code: 'FILE_NOT_READABLE',
        file: d,
        message: `cannot read the directory: ${(error as Error).message}`,
      });
    }
    for (const n of names.filter((x) => /\.shard-\d+-of-\d+\.json$/.test(x)).sort()) {
      const file = join(d, n);
      inputs.push({ file, text: readFileSync(file, 'utf8') });
    }
  }
  return inputs;
}

/** `strachey repro merge DIR…`: merge shard files into the figure. */
export function runMerge(dirs: readonly string[], options: ReproOptions, io: ReproIo): void {
  if (dirs.length === 0)
    throw new UserError({
      code: 'MISSING_ARGUMENT',
      message: 'repro merge: expected one or more directories holding shard files',
    });
  const merged = mergeShards(readShardFiles(dirs), (name, scale, seed) => {
    const r = findReproduction(name);
    return r?.sweep === undefined ? undefined : planSweep(r.name, r.sweep, scale, seed);
  });
  const sweep = findReproduction(merged.reproduction)!.sweep!;
  printResult(sweep.assemble(merged.results, merged.scale), { ...options, out: options.out ?? dirs[0]! }, io);
}

/**
 * List the reproductions, run one, or merge shards. Throws (rejects with)
 * UserError for an unknown name, bad options or an unwritable directory.
 */
export async function runRepro(
  name: string | undefined,
  options: ReproOptions,
  io: ReproIo,
  rest: readonly string[] = [],
): Promise<void> {
  if (name === undefined) {
    list(options, io);
    return;
  }
  if (name === 'merge') {
    runMerge(rest, options, io);
    return;
  }
  const repro = findReproduction(name);
  if (repro === undefined) {
    const later = plannedReproductions.find((r) => r.name === name);
    throw new UserError({
      code: later ? 'NOT_YET_SUPPORTED' : 'UNKNOWN_REPRODUCTION',
      message: later
        ? `'${name}' is not supported yet: it needs ${later.needs}`
        : `no reproduction named '${name}'; expected one of: ${reproductions.map((r) => r.name).join(', ')}`,
    });
  }
  if (rest.length > 0)
    throw new UserError({
      code: 'EXTRA_ARGUMENT',
      message: `repro ${name}: unexpected argument '${rest[0]}'`,
    });
  if (repro.sweep !== undefined) {
    await runSweep(repro, options, io);
    return;
  }
  const given = SWEEP_ONLY.filter((k) => options[k] !== undefined && options[k] !== false);
  if (given.length > 0) {
    throw new UserError({
      code: 'NOT_A_SWEEP',
      message: `${name} is not a sweep: --${given.join(', --')} ${given.length === 1 ? 'applies' : 'apply'} only to ${reproductions
        .filter((r) => r.sweep)
        .map((r) => r.name)
        .join(', ')}`,
    });
  }
  printResult(repro.run(), options, io);
}

/** Register `strachey repro`. */
export const registerRepro: RegisterCommand = (program: Command) => {
  program
    .command('repro')
    .description(
      'regenerate a figure of the seed documents by simulation (no name: list them; merge DIR…: merge sweep shards)',
    )
    .argument('[name]', 'reproduction to run, or merge')
    .argument('[dirs...]', 'with merge: directories holding shard files')
    .option('--json', 'print the figures as JSON')
    .option('--out <dir>', 'write JSON, CSV and SVG charts (or a shard file) to this directory')
    .option('--workers <k>', 'sweeps: worker threads (default: cores − 1; 1 runs in-process)')
    .option(
      '--shard <I/N>',
      'sweeps: run only shard I of N (points with index % N = I − 1) and write a partial result file',
    )
    .option(
      '--seed <n>',
      `sweeps: the sweep seed (default ${DEFAULT_SWEEP_SEED}); each point's seed derives from it and the point's index`,
    )
    .option('--quick', 'sweeps: a smaller sweep for a fast look')
    .action(async (name: string | undefined, dirs: string[], options: ReproOptions) => {
      await runRepro(
        name,
        options,
        { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
        dirs,
      );
    });
};
