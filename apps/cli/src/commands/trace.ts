/**
 * `strachey trace` exports a run's schedule as a Chrome/Perfetto
 * trace-event file (JSON; open it in ui.perfetto.dev or chrome://tracing):
 *
 * - `strachey trace prsm --iocp FILE --profiles FILE [--time 20ms]
 *   [--ipl NAME=FILE]… [-o trace.json]`: a PR/SM machine run for the given
 *   simulated time; one process "PR/SM physical CPs" with a thread per
 *   physical CP (what ran where), and one process per partition with a
 *   thread per logical CP (when each logical CP had a physical CP, and
 *   which). Each dispatch is a complete ('X') event with why it ended.
 * - `strachey trace repro NAME [-o trace.json]`: the scheduler trace a
 *   reproduction records (bvt-latency: every policy's schedule, one process
 *   per policy, a thread per task; lpar-weights: the full-load dispatches).
 *
 * Without -o the JSON goes to stdout. The file is checked against the
 * trace-event format before it is written (checkTraceEvents).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dispatchTraceEvents } from '@strachey/prsm';
import type { TraceEvent, TraceEventFile } from '@strachey/scheduler-bvt';
import type { Command } from 'commander';
import { UserError } from '../diagnostics';
import { fsErrorText } from '../fs-util';
import { iplPartitions, loadPrsm } from '../prsm-input';
import { findReproduction, reproductions } from '../repro/registry';
import { parseBudget } from './prsm';

/** Where the command writes (injectable for tests). */
export interface TraceIo {
  out(text: string): void;
  err(text: string): void;
}

/** Options of `strachey trace prsm`. */
export interface TracePrsmOptions {
  readonly iocp: string;
  readonly profiles: string;
  /** Simulated time: 500us, 20ms, 2s. Default 20ms. */
  readonly time?: string;
  readonly ipl?: readonly string[];
  readonly output?: string;
}

/** Options of `strachey trace repro`. */
export interface TraceReproOptions {
  readonly output?: string;
}

/**
 * Problems with a trace-event file, empty when it is well formed: a
 * traceEvents array; every event with a name, a phase (X, i, M), numeric
 * ts/pid/tid; complete events with a duration ≥ 0; every process and
 * thread that has events named by process_name / thread_name metadata.
 */
export function checkTraceEvents(file: unknown): string[] {
  const problems: string[] = [];
  const events = (file as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events)) return ['traceEvents is not an array'];
  const processes = new Set<number>();
  const threads = new Set<string>();
  const used = new Set<string>();
  events.forEach((e: Partial<TraceEvent>, i) => {
    const at = `traceEvents[${i}]`;
    if (typeof e.name !== 'string') problems.push(`${at}: name is not a string`);
    if (e.ph !== 'X' && e.ph !== 'i' && e.ph !== 'M')
      problems.push(`${at}: ph is ${JSON.stringify(e.ph)}, expected X, i or M`);
    for (const k of ['ts', 'pid', 'tid'] as const)
      if (typeof e[k] !== 'number' || !Number.isFinite(e[k])) problems.push(`${at}: ${k} is not a number`);
    if (e.ph === 'X' && !(typeof e.dur === 'number' && e.dur >= 0))
      problems.push(`${at}: complete event without a duration ≥ 0`);
    if (e.ph === 'M') {
      const name = (e.args as { name?: unknown } | undefined)?.name;
      if (e.name === 'process_name') {
        if (typeof name !== 'string') problems.push(`${at}: process_name without args.name`);
        processes.add(e.pid!);
      } else if (e.name === 'thread_name') {
        if (typeof name !== 'string') problems.push(`${at}: thread_name without args.name`);
        threads.add(`${e.pid}/${e.tid}`);
      }
    } else used.add(`${e.pid}/${e.tid}`);
  });
  for (const k of used) {
    const [pid] = k.split('/');
    if (!processes.has(Number(pid))) problems.push(`process ${pid} has events but no process_name`);
    if (!threads.has(k)) problems.push(`thread ${k} has events but no thread_name`);
  }
  return [...new Set(problems)];
}

/** Build, run and trace a PR/SM machine; returns the trace-event file. Throws UserError for bad input. */
export function tracePrsm(options: TracePrsmOptions): TraceEventFile {
  const us = parseBudget(options.time ?? '20ms');
  const loaded = loadPrsm(options, { traceSegments: 1_000_000 });
  const m = loaded.prsm;
  const active = iplPartitions(loaded, options);
  m.run({ us });
  const { segments, dropped } = m.dispatchTrace();
  const physical = dispatchTraceEvents(segments, m.costModel.mhz, m.physicalCps);
  // The same dispatches seen from the partitions: a process per partition, a thread per logical CP.
  const events: TraceEvent[] = [...physical.traceEvents];
  const pidOf = new Map(active.map((n, i) => [n, i + 2]));
  const usOf = (cycles: number): number => Math.round((cycles / m.costModel.mhz) * 1000) / 1000;
  for (const n of active) {
    const pid = pidOf.get(n)!;
    const p = m.partition(n)!;
    events.push({
      name: 'process_name',
      ph: 'M',
      ts: 0,
      pid,
      tid: 0,
      args: { name: `LPAR ${n}${p.dedicated ? ' (dedicated)' : ` (weight ${p.weight})`}` },
    });
    events.push({ name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: 0, args: { sort_index: pid } });
    for (let c = 0; c < p.cps; c++)
      events.push({
        name: 'thread_name',
        ph: 'M',
        ts: 0,
        pid,
        tid: c + 1,
        args: { name: `logical CP ${c}` },
      });
  }
  for (const s of segments) {
    const pid = pidOf.get(s.partition);
    if (pid === undefined) continue;
    events.push({
      name: `on CP${s.physical}`,
      cat: 'logical-cp',
      ph: 'X',
      ts: usOf(s.start),
      dur: usOf(s.end) - usOf(s.start),
      pid,
      tid: s.cp + 1,
      args: { physical_cp: s.physical, end_reason: s.reason },
    });
  }
  if (dropped > 0)
    events.push({
      name: `${dropped} dispatches not recorded (trace limit)`,
      ph: 'i',
      s: 'p',
      ts: usOf(m.clock.now()),
      pid: 1,
      tid: 1,
    });
  return { traceEvents: events, displayTimeUnit: physical.displayTimeUnit };
}

/** The Perfetto file a reproduction writes (NAME.perfetto.json among its files). */
export function traceRepro(name: string): unknown {
  const traced = reproductions.filter((r) => r.traceFile !== undefined).map((r) => r.name);
  const repro = findReproduction(name);
  if (repro === undefined)
    throw new UserError({
      code: 'UNKNOWN_REPRODUCTION',
      message: `no reproduction named '${name}'; traces come from: ${traced.join(', ')}`,
    });
  if (repro.traceFile === undefined)
    throw new UserError({
      code: 'NO_TRACE',
      message: `${name} records no schedule; traces come from: ${traced.join(', ')}`,
    });
  const file = repro.run().files.find((f) => f.name === repro.traceFile);
  if (file === undefined)
    throw new UserError({ code: 'NO_TRACE', message: `${name} did not write ${repro.traceFile}` }, 70);
  return JSON.parse(file.content) as unknown;
}

function emit(trace: unknown, output: string | undefined, io: TraceIo): void {
  const problems = checkTraceEvents(trace);
  if (problems.length > 0)
    throw new UserError(
      {
        code: 'BAD_TRACE',
        message: `the trace is not a valid trace-event file: ${problems.slice(0, 5).join('; ')}`,
      },
      70,
    );
  const text = `${JSON.stringify(trace)}\n`;
  if (output === undefined) {
    io.out(text);
    return;
  }
  const path = resolve(output);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (error) {
    throw new UserError({
      code: 'TRACE_UNWRITABLE',
      file: path,
      message: `cannot write the trace: ${fsErrorText(error)}`,
    });
  }
  const events = (trace as TraceEventFile).traceEvents.length;
  io.err(`wrote ${events} trace events to ${path} (open it in ui.perfetto.dev)\n`);
}

/** `strachey trace prsm …`. */
export function runTracePrsm(options: TracePrsmOptions, io: TraceIo): void {
  emit(tracePrsm(options), options.output, io);
}

/** `strachey trace repro NAME`. */
export function runTraceRepro(name: string, options: TraceReproOptions, io: TraceIo): void {
  emit(traceRepro(name), options.output, io);
}

const stdio: TraceIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Register `strachey trace`. */
export function registerTrace(program: Command): void {
  const trace = program
    .command('trace')
    .description("export a run's schedule as a Chrome/Perfetto trace-event file (ui.perfetto.dev)");
  trace
    .command('prsm')
    .description(
      'run a PR/SM machine and trace every dispatch: physical CPs, and partitions with their logical CPs',
    )
    .requiredOption('--iocp <file>', 'IOCP deck')
    .requiredOption('--profiles <file>', 'image profiles')
    .option('--time <t>', 'simulated time to run: 500us, 20ms, 2s', '20ms')
    .option(
      '--ipl <name=file>',
      'IPL this assembler program into partition NAME (repeatable; default a CPU-bound loop)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('-o, --output <file>', 'write the trace here (default: stdout)')
    .action((options: TracePrsmOptions) => runTracePrsm(options, stdio));
  trace
    .command('repro')
    .description('the scheduler trace a reproduction records (bvt-latency, lpar-weights)')
    .argument('<name>', 'reproduction')
    .option('-o, --output <file>', 'write the trace here (default: stdout)')
    .action((name: string, options: TraceReproOptions) => runTraceRepro(name, options, stdio));
}
