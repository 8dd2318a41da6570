/**
 * One Hercules run judged only once the guest has finished. Hercules runs the
 * guest on its own CPU thread while the script thread sleeps out `pause N`
 * in wall-clock seconds, so on a loaded machine (CI: two cores, two test
 * files at a time) the displays after the pause can show a program still
 * running, or one that stopped half-way through a PSW load. Completion is
 * therefore read from Hercules' own output — by default the HHCCP011I
 * disabled-wait message printed before the first display command — and a run
 * without it is repeated with a longer pause, a bounded number of times.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandOutput } from './parse';
import { type HerculesRun, type HerculesRunOptions, runHercules } from './run';

/** Pauses (seconds) tried in turn by `runHerculesSettled` unless told otherwise. */
export const SETTLE_PAUSES: readonly number[] = [1, 3, 8];

/** Options of `runHerculesSettled`: those of `runHercules` with a retry ladder instead of one pause. */
export interface HerculesSettledOptions extends Omit<HerculesRunOptions, 'fastPause' | 'timeoutMs'> {
  /**
   * Pause of each attempt in seconds, replacing every `pause` line of the
   * script: below 1 it is sent as `sh sleep S`, from 1 up as `pause N`
   * (Hercules' own pause counts whole seconds). Default `SETTLE_PAUSES`.
   */
  readonly pauses?: readonly number[];
  /** Did the guest finish before the displays were taken? Default `waitedBeforeDisplays`. */
  readonly isComplete?: (run: HerculesRun) => boolean;
  /** Kill limit per attempt; default 20 s plus the attempt's pauses. */
  readonly timeoutMs?: number;
  /**
   * Called before each attempt (0-based): a guest that changes files Hercules
   * was configured with (a DASD image) must start each attempt from fresh ones.
   */
  readonly beforeAttempt?: (attempt: number) => void;
}

/** A run from `runHerculesSettled`: the last attempt, whether it was complete, and how many attempts it took. */
export interface HerculesSettledRun extends HerculesRun {
  readonly complete: boolean;
  readonly attempts: number;
}

const PAUSE_LINE = /^\s*pause(\s|$)/i;

/** The script with every `pause` line set to `seconds` (see `HerculesSettledOptions.pauses`). */
export function withPause(script: string, seconds: number): string {
  if (!(seconds > 0 && seconds < 1000)) throw new RangeError(`pause must be between 0 and 1000 seconds, got ${seconds}`);
  const line = seconds >= 1 ? `pause ${Math.ceil(seconds)}` : `sh sleep ${seconds}`;
  return script
    .split('\n')
    .map((l) => (PAUSE_LINE.test(l) ? line : l))
    .join('\n');
}

// Commands that only start the CPU or wait for it; a display is anything else.
const STARTS = /^(restart|start|ipl|ipli)\b/i;
const WAITS = /^(sh\s+sleep|pause)\b/i;

/**
 * Default completion check of `runHerculesSettled`: after the script's last
 * `restart` (or `ipl`/`start`), a CPU announced a disabled wait (HHCCP011I)
 * before the first command that displays or alters anything was echoed.
 * Messages are attributed to the command echoed last before them, so the
 * message must belong to the start command or to a pause after it; one that
 * arrives later means the displays may show a half-finished state.
 */
export function waitedBeforeDisplays(run: { readonly commands: readonly CommandOutput[] }): boolean {
  const cmds = run.commands;
  for (let i = cmds.length - 1; i >= 0; i--) if (STARTS.test(cmds[i]!.text)) return waitedAfter(cmds, i);
  return false;
}

/**
 * `waitedBeforeDisplays` for a script that starts the CPU several times (one
 * session running case after case, each ending in a disabled wait): every
 * start command was followed by its own HHCCP011I before the next display,
 * so no case's displays can show the CPU still running.
 */
export function everyStartWaitedBeforeDisplays(run: { readonly commands: readonly CommandOutput[] }): boolean {
  const cmds = run.commands;
  let starts = 0;
  for (let i = 0; i < cmds.length; i++) {
    if (!STARTS.test(cmds[i]!.text)) continue;
    starts++;
    if (!waitedAfter(cmds, i)) return false;
  }
  return starts > 0;
}

// Did HHCCP011I arrive while the start command at `start`, or a pause right after it, was current?
function waitedAfter(cmds: readonly CommandOutput[], start: number): boolean {
  for (let i = start; i < cmds.length; i++) {
    const c = cmds[i]!;
    if (i > start && !WAITS.test(c.text)) return false;
    if (c.messages.some((m) => m.id === 'HHCCP011I' && m.stopPsw !== null)) return true;
  }
  return false;
}

// Debugging aid, as for batches: HERCULES_ORACLE_KEEP=DIR keeps every attempt's script and log.
function keepLog(run: HerculesRun): void {
  const keep = process.env.HERCULES_ORACLE_KEEP;
  if (!keep) return;
  const name = `run-${process.pid}-${process.hrtime.bigint()}`;
  writeFileSync(join(keep, `${name}.rc`), run.script);
  writeFileSync(join(keep, `${name}.log`), run.raw);
  writeFileSync(join(keep, `${name}.err`), `exit ${run.exitCode} timedOut ${run.timedOut}\n${run.stderr}`);
}

/**
 * Was every script command echoed, up to the final `quit`? Hercules 3.13
 * occasionally loses the tail of its log (seen under load: the log ended at
 * the `gpr` echo with no display after it), and a missing display must not
 * read as a result.
 */
export function logIsWhole(run: HerculesRun): boolean {
  const last = run.commands[run.commands.length - 1];
  return last !== undefined && /^(quit|exit)\b/i.test(last.text);
}

/**
 * Run `script` on Hercules with each pause of the ladder in turn until
 * `isComplete` accepts the run, its log is whole (`logIsWhole`) and Hercules
 * shut down cleanly (exit code 0, so devices' files were written back); returns the last attempt with `complete`
 * false when none did (the caller asserts `complete`, so an unfinished guest
 * is a visible failure, never a result compared half-way).
 */
export async function runHerculesSettled(options: HerculesSettledOptions): Promise<HerculesSettledRun> {
  const pauses = options.pauses ?? SETTLE_PAUSES;
  if (pauses.length === 0) throw new RangeError('pauses must name at least one pause');
  const isComplete = options.isComplete ?? waitedBeforeDisplays;
  const pauseLines = options.script.split('\n').filter((l) => PAUSE_LINE.test(l)).length;
  const { pauses: _p, isComplete: _c, timeoutMs, beforeAttempt, ...rest } = options;
  let last: HerculesSettledRun | undefined;
  for (const [i, pause] of pauses.entries()) {
    beforeAttempt?.(i);
    const run = await runHercules({
      ...rest,
      script: withPause(options.script, pause),
      timeoutMs: timeoutMs ?? 20_000 + pauseLines * Math.ceil(pause) * 1000,
    });
    keepLog(run);
    last = { ...run, complete: !run.timedOut && run.exitCode === 0 && logIsWhole(run) && isComplete(run), attempts: i + 1 };
    if (last.complete) return last;
  }
  return last!;
}
