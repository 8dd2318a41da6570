/**
 * `strachey trace`: PR/SM dispatches and reproductions' scheduler traces as
 * Chrome/Perfetto trace-event JSON. The files are checked for the format's
 * structure (traceEvents, ph/ts/dur/pid/tid, process and thread names) and
 * for what a schedule must be: one logical CP at a time per physical CP,
 * the partition view matching the physical one, shares ordered by weight.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceEvent, TraceEventFile } from '@strachey/scheduler-bvt';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkTraceEvents, registerTrace, runTracePrsm, tracePrsm, traceRepro } from '../src/commands/trace';
import { UserError } from '../src/diagnostics';

const EXAMPLES = join(__dirname, '../examples');
const iocp = join(EXAMPLES, 'trace.iocp');
const profiles = join(EXAMPLES, 'trace.profiles');
const tmp = mkdtempSync(join(tmpdir(), 'strachey-trace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function refusal(f: () => unknown): { code: string; file?: string; line?: number; message: string } {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as UserError).diagnostics[0]!;
  }
  throw new Error('expected a refusal');
}

const names = (t: TraceEventFile, what: string): Map<string, string> =>
  new Map(
    t.traceEvents
      .filter((e) => e.ph === 'M' && e.name === what)
      .map((e) => [`${e.pid}/${e.tid}`, String(e.args?.name)]),
  );

describe('strachey trace prsm', () => {
  const t = tracePrsm({ iocp, profiles, time: '20ms' });
  const complete = t.traceEvents.filter((e): e is TraceEvent & { dur: number } => e.ph === 'X');

  it('is a well-formed trace-event file with named processes and threads', () => {
    expect(checkTraceEvents(t)).toEqual([]);
    expect(Array.isArray(t.traceEvents)).toBe(true);
    for (const e of complete) {
      expect(typeof e.ts).toBe('number');
      expect(e.dur).toBeGreaterThan(0);
    }
    const processes = [...names(t, 'process_name').values()];
    expect(processes).toEqual([
      'PR/SM physical CPs',
      'LPAR PROD (weight 50)',
      'LPAR TEST (weight 30)',
      'LPAR DEV (weight 20)',
    ]);
    const threads = names(t, 'thread_name');
    expect([
      threads.get('1/1'),
      threads.get('1/2'),
      threads.get('2/1'),
      threads.get('2/2'),
      threads.get('4/1'),
    ]).toEqual(['CP0', 'CP1', 'logical CP 0', 'logical CP 1', 'logical CP 0']);
  });

  it('a physical CP runs one logical CP at a time, and the partitions’ view is the same dispatches', () => {
    const physical = complete.filter((e) => e.pid === 1);
    for (const tid of [1, 2]) {
      const mine = physical.filter((e) => e.tid === tid).sort((a, b) => a.ts - b.ts);
      for (let i = 1; i < mine.length; i++)
        expect(mine[i]!.ts).toBeGreaterThanOrEqual(mine[i - 1]!.ts + mine[i - 1]!.dur - 0.001);
    }
    const logical = complete.filter((e) => e.pid > 1);
    expect(logical.length).toBe(physical.length);
    const key = (e: TraceEvent & { dur: number }, cp: number): string => `${e.ts}/${e.dur}/${cp}`;
    const seen = new Set(physical.map((e) => key(e, e.tid - 1)));
    for (const e of logical) expect(seen.has(key(e, Number(e.args?.physical_cp)))).toBe(true);
  });

  it('the partitions got physical-CP time in the order of their weights', () => {
    const busy = (pid: number): number =>
      complete.filter((e) => e.pid === pid).reduce((s, e) => s + e.dur, 0);
    expect(busy(2)).toBeGreaterThan(busy(3));
    expect(busy(3)).toBeGreaterThan(busy(4));
  });

  it('writes the file atomically with -o, or prints it', () => {
    const out = join(tmp, 'prsm.json');
    const err: string[] = [];
    runTracePrsm({ iocp, profiles, time: '2ms', output: out }, { out: () => {}, err: (x) => err.push(x) });
    expect(checkTraceEvents(JSON.parse(readFileSync(out, 'utf8')))).toEqual([]);
    expect(err.join('')).toContain('ui.perfetto.dev');
    const printed: string[] = [];
    runTracePrsm({ iocp, profiles, time: '2ms' }, { out: (x) => printed.push(x), err: () => {} });
    expect(printed.join('')).toBe(readFileSync(out, 'utf8'));
  });

  it('reports bad input with its location', () => {
    expect(refusal(() => tracePrsm({ iocp: join(tmp, 'missing.iocp'), profiles }))).toMatchObject({
      code: 'FILE_NOT_READABLE',
    });
    const bad = join(tmp, 'bad.profiles');
    writeFileSync(bad, '[CPC]\ncps = 2\nslice = fast\n');
    expect(refusal(() => tracePrsm({ iocp, profiles: bad }))).toMatchObject({ file: bad, line: 3 });
    expect(refusal(() => tracePrsm({ iocp, profiles, time: 'forever' })).code).toBe('BAD_BUDGET');
  });
});

describe('strachey trace repro', () => {
  it('bvt-latency: every policy a process, every task a thread', () => {
    const t = traceRepro('bvt-latency') as TraceEventFile;
    expect(checkTraceEvents(t)).toEqual([]);
    const pids = new Set(t.traceEvents.filter((e) => e.ph === 'X').map((e) => e.pid));
    expect(pids.size).toBe(5);
    expect([...names(t, 'process_name').values()]).toContain('round-robin, slice 5');
  });

  it('refuses a reproduction that records no schedule, naming those that do', () => {
    const d = refusal(() => traceRepro('shadow-vs-nested'));
    expect(d.code).toBe('NO_TRACE');
    expect(d.message).toContain('bvt-latency, lpar-weights');
  });

  it('is wired into the command line', async () => {
    const program = new Command('strachey').exitOverride();
    registerTrace(program);
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    await program.parseAsync(['trace', 'repro', 'bvt-latency'], { from: 'user' });
    vi.restoreAllMocks();
    expect(checkTraceEvents(JSON.parse(writes.join('')))).toEqual([]);
    const out = join(tmp, 'cli.json');
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await program.parseAsync(
      ['trace', 'prsm', '--iocp', iocp, '--profiles', profiles, '--time', '1ms', '-o', out],
      { from: 'user' },
    );
    err.mockRestore();
    expect(checkTraceEvents(JSON.parse(readFileSync(out, 'utf8')))).toEqual([]);
  });
});

describe('checkTraceEvents', () => {
  it('finds what Perfetto would reject or show unnamed', () => {
    expect(checkTraceEvents({})).toEqual(['traceEvents is not an array']);
    const problems = checkTraceEvents({
      traceEvents: [
        { name: 'process_name', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: 'p' } },
        { name: 'a', ph: 'X', ts: 0, pid: 1, tid: 1, dur: -1 },
        { name: 'b', ph: 'B', ts: 0, pid: 2, tid: 1 },
        { name: 'c', ph: 'i', ts: 'soon', pid: 1, tid: 1 },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'traceEvents[1]: complete event without a duration ≥ 0',
        'traceEvents[2]: ph is "B", expected X, i or M',
        'traceEvents[3]: ts is not a number',
        'thread 1/1 has events but no thread_name',
        'process 2 has events but no process_name',
      ]),
    );
  });
});
