/**
 * Many short cases through few Hercules processes. Start-up costs a
 * fraction of a second and `pause` sleeps whole seconds, so one process per
 * case (or `pause 1` per case) would make a thousand-case differential suite
 * take a quarter of an hour. Instead the cases are concatenated into one
 * script per process, each case after a `* CASE id` marker, with every
 * `pause` sent as a short `sh sleep` (see `fastPause`). A case whose
 * displays show it had not finished when they were taken is run again with
 * a longer pause, and then with real `pause 1`, `pause 3`, `pause 8`; so is a case whose
 * `sysclear` Hercules refused because the previous case's CPU still ran.
 * (A `stop` before each case does not help: on a stopped CPU it leaves the
 * CPU "stopping" for a moment, and an immediate `sysclear` is refused.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandOutput, HerculesSection } from './parse';
import { splitSections } from './parse';
import { type HerculesConfigOptions, runHercules } from './run';
import { logIsWhole } from './settle';

/** One case: an id (unique in the batch) and its script (no `quit`). */
export interface HerculesCase {
  readonly id: string;
  readonly script: string;
}

/** The outcome of one case. */
export interface HerculesCaseResult {
  readonly id: string;
  /** The case's commands and what they printed. */
  readonly commands: readonly CommandOutput[];
  /** Did the completion check accept the case's output? */
  readonly complete: boolean;
  /** Runs it took (1 when the first batch was enough). */
  readonly attempts: number;
}

/** Options of `runHerculesCases`. */
export interface HerculesBatchOptions extends HerculesConfigOptions {
  /** Hercules processes at a time. Default 2 (CI has two cores). */
  readonly parallel?: number;
  /** Pauses tried in turn, in seconds; a value of 1 or more is sent as a real `pause`. Default [0.02, 0.25, 1, 3, 8]: a loaded machine can need several seconds. */
  readonly pauses?: readonly number[];
  /**
   * Did the case finish before its displays were taken, and is its log
   * whole? Default (`endsInWait`): its last `psw` command shows the wait bit
   * (PSW bit 14) — the case ends in a wait state, so a PSW without it means
   * the CPU was still running.
   */
  readonly isComplete?: (commands: readonly CommandOutput[]) => boolean;
  /** Called after each batch process with the number of cases finished so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Default completion check: the last `psw` command displayed a wait PSW. Only
 * a display under its own echoed command counts, so a case whose log was
 * garbled by interleaving threads is run again rather than misread. A
 * disabled wait PSW must also match the HHCCP011I message the CPU printed
 * when it stopped: the `psw` command reads the PSW field by field while the
 * CPU thread may still be loading it (a display with the wait bit but the
 * old instruction address was seen under load).
 */
export function endsInWait(commands: readonly CommandOutput[]): boolean {
  for (let i = commands.length - 1; i >= 0; i--) {
    const c = commands[i]!;
    if (c.text !== 'psw') continue;
    const psw = c.items.find((it) => it.kind === 'psw');
    if (psw === undefined || psw.kind !== 'psw' || ((psw.high >>> 16) & 0x2) === 0) return false;
    // An enabled wait (I/O or external mask on) prints no message.
    if (((psw.high >>> 24) & 0x03) !== 0) return true;
    return commands.some((cmd) =>
      cmd.messages.some((m) => m.id === 'HHCCP011I' && m.stopPsw !== null && m.stopPsw[0] === psw.high && m.stopPsw[1] === psw.low),
    );
  }
  return false;
}

function batchScript(cases: readonly HerculesCase[], pause: number): string {
  const parts: string[] = [];
  for (const c of cases) {
    if (/[\r\n]/.test(c.id)) throw new Error(`case id must be one line: ${JSON.stringify(c.id)}`);
    parts.push(`* CASE ${c.id}`);
    for (const line of c.script.split('\n')) {
      const t = line.trim();
      if (/^(quit|exit)\b/i.test(t)) continue;
      if (/^pause(\s|$)/i.test(t)) parts.push(pause >= 1 ? `pause ${Math.ceil(pause)}` : `sh sleep ${pause}`);
      else parts.push(line);
    }
  }
  parts.push('quit', '');
  return parts.join('\n');
}

async function runChunk(
  cases: readonly HerculesCase[],
  pause: number,
  options: HerculesBatchOptions,
): Promise<Map<string, HerculesSection>> {
  const script = batchScript(cases, pause);
  const per = pause >= 1 ? Math.ceil(pause) * 1000 + 200 : pause * 1000 + 60;
  const run = await runHercules({
    script,
    timeoutMs: 15_000 + cases.length * per * 3,
    ...(options.mainsize !== undefined ? { mainsize: options.mainsize } : {}),
    ...(options.numcpu !== undefined ? { numcpu: options.numcpu } : {}),
    ...(options.devices !== undefined ? { devices: options.devices } : {}),
  });
  // Debugging aid: keep every batch's script and log.
  const keep = process.env.HERCULES_ORACLE_KEEP;
  if (keep) {
    const name = `batch-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    writeFileSync(join(keep, `${name}.rc`), run.script);
    writeFileSync(join(keep, `${name}.log`), run.raw);
  }
  const byId = new Map<string, HerculesSection>();
  let last: string | undefined;
  for (const s of splitSections(run)) {
    if (!s.title.startsWith('CASE ')) continue;
    last = s.title.slice(5);
    byId.set(last, s);
  }
  // A log cut short (a timeout, or Hercules losing its tail, seen under
  // load) may end inside a case's displays: that case runs again.
  if (!logIsWhole(run) && last !== undefined) byId.delete(last);
  return byId;
}

/**
 * Run every case on Hercules, `parallel` processes at a time, retrying the
 * cases that had not finished with longer pauses. Results come back in the
 * order of `cases`.
 */
export async function runHerculesCases(
  cases: readonly HerculesCase[],
  options: HerculesBatchOptions = {},
): Promise<HerculesCaseResult[]> {
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    ids.add(c.id);
  }
  const parallel = Math.max(1, options.parallel ?? 2);
  const pauses = options.pauses ?? [0.02, 0.25, 1, 3, 8];
  const isComplete = options.isComplete ?? endsInWait;
  const results = new Map<string, HerculesCaseResult>();
  let todo: readonly HerculesCase[] = cases;
  let done = 0;
  for (let attempt = 0; attempt < pauses.length && todo.length > 0; attempt++) {
    const pause = pauses[attempt]!;
    // Later attempts have few cases and long pauses: spread them over more processes.
    const chunks: HerculesCase[][] = Array.from({ length: Math.min(parallel, todo.length) }, () => []);
    for (const [i, c] of todo.entries()) chunks[i % chunks.length]!.push(c);
    const maps = await Promise.all(
      chunks.map(async (chunk) => {
        const m = await runChunk(chunk, pause, options);
        done += chunk.length;
        options.onProgress?.(Math.min(done, cases.length), cases.length);
        return m;
      }),
    );
    const retry: HerculesCase[] = [];
    for (const c of todo) {
      let section: HerculesSection | undefined;
      for (const m of maps) section ??= m.get(c.id);
      const commands = section?.commands ?? [];
      // Hercules refuses sysclear while a CPU still runs (HHCPN053E): the
      // case then ran on top of the previous one and must run again.
      const refused = commands.some((cmd) => cmd.messages.some((m) => m.id === 'HHCPN053E'));
      const complete = section !== undefined && !refused && isComplete(commands);
      results.set(c.id, { id: c.id, commands, complete, attempts: attempt + 1 });
      if (!complete) retry.push(c);
    }
    todo = retry;
  }
  return cases.map((c) => results.get(c.id)!);
}
