/**
 * Run Debian's Hercules 3.13 headless on a console script and return its log,
 * parsed. The configuration is the project's oracle machine (see
 * /work/shared/reference/hercules-oracle.md): ESA/390, CPU model 3090,
 * serial 000611, a 3215-C console at 0009.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type HerculesOutput, parseHerculesOutput, scriptCommands } from './parse';

/** The console device every oracle configuration has (Hercules needs at least one device). */
export const DEFAULT_DEVICES: readonly string[] = ['0009 3215-C / noprompt'];

/** Options of `herculesConfig`. */
export interface HerculesConfigOptions {
  /** Main storage in megabytes (Hercules' MAINSIZE unit). Default 16. */
  readonly mainsize?: number;
  /** Number of CPUs (NUMCPU). Default 1. */
  readonly numcpu?: number;
  /** Device statements (`devnum type args`). Default: one 3215-C console at 0009. */
  readonly devices?: readonly string[];
}

/** The `h.cnf` text of the oracle machine. */
export function herculesConfig(options: HerculesConfigOptions = {}): string {
  const mainsize = options.mainsize ?? 16;
  const numcpu = options.numcpu ?? 1;
  if (!Number.isInteger(mainsize) || mainsize < 1) throw new RangeError(`mainsize must be a whole number of megabytes, got ${mainsize}`);
  if (!Number.isInteger(numcpu) || numcpu < 1 || numcpu > 8) throw new RangeError(`numcpu must be 1-8 (Hercules 3.13 MAX_CPU), got ${numcpu}`);
  const devices = options.devices ?? DEFAULT_DEVICES;
  return [
    'CPUSERIAL 000611',
    'CPUMODEL  3090',
    `MAINSIZE  ${mainsize}`,
    'XPNDSIZE  0',
    `NUMCPU    ${numcpu}`,
    'ARCHMODE  ESA/390',
    'PANRATE   FAST',
    ...devices,
    '',
  ].join('\n');
}

let cachedPath: string | null | undefined;

/**
 * Where the `hercules` executable is: `$HERCULES` if set, else the first
 * `hercules` on PATH; null when there is none.
 */
export function herculesPath(): string | null {
  if (cachedPath !== undefined) return cachedPath;
  const candidates: string[] = [];
  if (process.env.HERCULES) candidates.push(process.env.HERCULES);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'hercules'));
  cachedPath = null;
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      cachedPath = c;
      break;
    } catch {
      // not here
    }
  }
  return cachedPath;
}

/** Is Hercules installed (tests that need it skip, saying so, when it is not)? */
export function herculesAvailable(): boolean {
  return herculesPath() !== null;
}

/** Options of `runHercules`. */
export interface HerculesRunOptions extends HerculesConfigOptions {
  /** The console script (the .rc file). A final `quit` is added when the script does not end with one. */
  readonly script: string;
  /** Kill Hercules after this many milliseconds (its log so far is still returned, `timedOut` set). */
  readonly timeoutMs: number;
  /**
   * Hercules 3.13 reads `pause N` with `%d` and sleeps whole seconds, so a
   * sub-second pause is impossible in its own syntax. When set, every
   * `pause` line is sent as `sh sleep <fastPause>` instead (Hercules' `sh`
   * command runs a host command and waits for it), which lets one process
   * run many short cases. The caller must check that each case finished.
   */
  readonly fastPause?: number;
  /** Extra files written into Hercules' working directory (for `loadcore NAME`). */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
}

/** A finished Hercules run: the raw log, how the process ended, and the parsed log. */
export interface HerculesRun extends HerculesOutput {
  /** Standard output: the console log. */
  readonly raw: string;
  /** Standard error (Hercules prints only its last shutdown messages there). */
  readonly stderr: string;
  /** The script as sent (after `fastPause` rewriting and the added `quit`). */
  readonly script: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** Rewrite `pause N` lines to `sh sleep S` (see `HerculesRunOptions.fastPause`). */
export function rewritePauses(script: string, seconds: number): string {
  if (!(seconds > 0 && seconds < 1000)) throw new RangeError(`fastPause must be between 0 and 1000 seconds, got ${seconds}`);
  const s = String(seconds);
  return script
    .split('\n')
    .map((line) => (/^pause(\s|$)/i.test(line.replace(/\s+$/, '')) ? `sh sleep ${s}` : line))
    .join('\n');
}

function withQuit(script: string): string {
  const cmds = scriptCommands(script);
  const last = cmds[cmds.length - 1];
  if (last !== undefined && /^(quit|exit)\b/i.test(last.text)) return script;
  return `${script.replace(/\n?$/, '\n')}quit\n`;
}

/**
 * Run Hercules on `script` in a fresh temporary directory and parse its log.
 * Never rejects for what the guest or the script does; rejects only when the
 * process cannot be started (e.g. Hercules is not installed).
 */
export async function runHercules(options: HerculesRunOptions): Promise<HerculesRun> {
  const exe = herculesPath();
  if (exe === null) throw new Error('hercules is not installed (apt-get install hercules), or set $HERCULES');
  let script = options.fastPause !== undefined ? rewritePauses(options.script, options.fastPause) : options.script;
  script = withQuit(script);
  const dir = mkdtempSync(join(tmpdir(), 'strachey-hercules-'));
  try {
    writeFileSync(join(dir, 'h.cnf'), herculesConfig(options));
    writeFileSync(join(dir, 'prog.rc'), script);
    for (const [name, data] of Object.entries(options.files ?? {})) {
      if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`file name must be a plain name: ${name}`);
      writeFileSync(join(dir, name), data);
    }
    const started = process.hrtime.bigint();
    const result = await new Promise<{ out: string; err: string; code: number | null; timedOut: boolean }>((resolve, reject) => {
      const child = spawn(exe, ['-f', 'h.cnf', '-d'], {
        cwd: dir,
        env: { ...process.env, HERCULES_RC: 'prog.rc' },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Own process group, so a timeout also ends `sh sleep` children.
        detached: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, options.timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ out: Buffer.concat(out).toString('latin1'), err: Buffer.concat(err).toString('latin1'), code, timedOut });
      });
    });
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    return {
      ...parseHerculesOutput(result.out, script),
      raw: result.out,
      stderr: result.err,
      script,
      exitCode: result.code,
      timedOut: result.timedOut,
      durationMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
