/**
 * `strachey run --arch esa390 --script FILE.rc [-f h.cnf] [--mainsize 16M]
 * [--cpus N] [--budget N] [--echo] [--json]`: run a bare-metal program from
 * a console script in the Hercules 3.x command subset (`r ADDR=HEX`,
 * `restart`, `pause`, `gpr`, `psw`, `loadcore`, `ipl`, …), so the same
 * script runs on Hercules and here. With `-f`, the machine comes from a
 * Hercules configuration file (MAINSIZE, NUMCPU, devices, through
 * @strachey/io-channel), and `ipl DEVNUM` works. Prints what the commands
 * print, in Hercules' layouts; `--json` prints the final state instead. A
 * live status line shows the instruction count on long pauses when stderr
 * is a terminal.
 *
 * Exit codes: 0 the script ran; 1 the script or configuration has errors, or
 * a command could not be carried out (the message says file:line:column); 2
 * bad arguments or an unreadable file; 3 the addressed CPU ended
 * check-stopped.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadMachineConfig, runScriptOnConfiguredMachine } from '@strachey/io-channel';
import { type ConsoleFinalState, type ConsoleScriptOptions, runConsoleScript } from '@strachey/isa-core';
import type { Command } from 'commander';
import { formatDiagnostic } from '../diagnostics';
import { createProgress, type StatusStream } from '../progress';

/** Options of `strachey run`, as commander parses them. */
export interface RunCommandOptions {
  readonly arch?: string;
  readonly script?: string;
  /** A Hercules configuration file (MAINSIZE, NUMCPU, devices). */
  readonly config?: string;
  readonly mainsize?: string;
  readonly cpus?: string;
  readonly budget?: string;
  readonly echo?: boolean;
  readonly json?: boolean;
}

/** Where the command writes (the process, or a test's buffers). */
export interface RunIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Stream for the live status line. */
  readonly status: StatusStream;
}

const PROCESS_IO: RunIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  status: process.stderr,
};

const UNITS: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

class ArgumentError extends Error {}

/**
 * "16M", "512K", "1G" → bytes; a bare number is megabytes, as in Hercules'
 * MAINSIZE statement. Main storage is whole 4 KB frames, up to 2 GB.
 */
export function parseMainsize(text: string): number {
  const m = /^\s*(\d+)\s*([kKmMgG]?)\s*$/.exec(text);
  const bytes = m ? Number(m[1]) * (UNITS[(m[2] || 'm').toLowerCase()] ?? 0) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 4096 || bytes > 2 ** 31 || bytes % 4096 !== 0) {
    throw new ArgumentError(`--mainsize expects a size such as 16M, 512K or 1G (a multiple of 4K, at most 2G), found '${text}'`);
  }
  return bytes;
}

/** "100000", "250k", "50M", "1G" → a positive instruction count. */
export function parseInstructionBudget(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)\s*$/.exec(text);
  const factor = m ? ({ '': 1, k: 1e3, m: 1e6, g: 1e9 } as Record<string, number>)[(m[2] ?? '').toLowerCase()] ?? 1 : 1;
  const value = m ? Math.round(Number(m[1]) * factor) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ArgumentError(`--budget expects a positive instruction count such as 100000, 250k or 50M, found '${text}'`);
  }
  return value;
}

function parseCpus(text: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new ArgumentError(`--cpus expects a CPU count from 1 to 64, found '${text}'`);
  return n;
}

/** The `--json` document: the final state of the addressed CPU. */
export function stateJson(state: ConsoleFinalState): string {
  const { stop, psw, gpr, cr, instructions, cycles } = state;
  return `${JSON.stringify({ stop, psw, gpr, cr, instructions, cycles }, null, 2)}\n`;
}

/** Run `strachey run` and return its exit code. */
export function runRun(options: RunCommandOptions, io: RunIo = PROCESS_IO): number {
  let mainsize: number;
  let budget: number;
  let cpus: number;
  try {
    if (options.script === undefined) throw new ArgumentError('--script FILE.rc is required');
    const arch = options.arch ?? 'esa390';
    if (arch !== 'esa390') throw new ArgumentError(`--arch: only esa390 can run scripts so far, found '${arch}'`);
    mainsize = parseMainsize(options.mainsize ?? '16M');
    budget = parseInstructionBudget(options.budget ?? '100M');
    cpus = parseCpus(options.cpus ?? '1');
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    io.stderr(`strachey run: error RUN_ARGUMENT: ${error.message}\n`);
    return 2;
  }
  const file = options.script;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    io.stderr(formatDiagnostic({ code: 'RUN_READ', message: `cannot read the script: ${(error as Error).message}`, file }) + '\n');
    return 2;
  }

  const progress = createProgress({ stream: io.status, quiet: options.json === true });
  const base = dirname(resolve(file));
  const runOptions: ConsoleScriptOptions = {
    mainsize,
    cpus,
    budget,
    ...(options.echo ? { echo: true } : {}),
    ...(options.json ? {} : { write: (line: string) => io.stdout(`${line}\n`) }),
    // loadcore names files relative to the script, so a script and its images travel together.
    loadFile: (name) => {
      try {
        return new Uint8Array(readFileSync(isAbsolute(name) ? name : resolve(base, name)));
      } catch (error) {
        return { error: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message };
      }
    },
    onProgress: (n) => progress.update(() => `strachey run ${file}: ${n.toLocaleString('en-US')} instructions`),
  };
  let outcome: ReturnType<typeof runConsoleScript>;
  if (options.config !== undefined) {
    // Console output is what the program says: stdout, or stderr when stdout carries --json.
    const config = loadMachineConfig(options.config, {
      consoleLine: (_device, line) => (options.json ? io.stderr : io.stdout)(`${line}\n`),
    });
    if (!config.ok) {
      for (const e of config.errors) io.stderr(`${formatDiagnostic(e.line > 0 ? e : { code: e.code, message: e.message, file: e.file })}\n`);
      return config.errors.some((e) => e.code === 'CONFIG_FILE') ? 2 : 1;
    }
    // The configuration's MAINSIZE and NUMCPU rule; --mainsize is the default when it has no MAINSIZE.
    outcome = runScriptOnConfiguredMachine(source, file, config.config, runOptions);
  } else {
    outcome = runConsoleScript(source, file, runOptions);
  }
  progress.done();

  if (!outcome.ok) {
    for (const e of outcome.errors) io.stderr(`${formatDiagnostic(e)}\n`);
    io.stderr(`${file}: ${outcome.errors.length} error${outcome.errors.length === 1 ? '' : 's'}; nothing was run\n`);
    return 1;
  }
  if (options.json) io.stdout(stateJson(outcome.state));
  if (outcome.error) {
    io.stderr(`${formatDiagnostic(outcome.error)}\n`);
    return 1;
  }
  if (!options.json && outcome.state.stop === 'budget') {
    io.stderr(`${file}: the instruction budget (${budget.toLocaleString('en-US')}) ended a pause before the CPUs stopped\n`);
  }
  return outcome.state.stop === 'check-stop' ? 3 : 0;
}

/** Register `strachey run` on the program. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a bare-metal program from a Hercules-style console script (r, restart, pause, gpr, psw, ...)')
    .option('--arch <arch>', 'architecture (esa390)', 'esa390')
    .option('--script <file>', 'console script in the Hercules 3.x command subset (.rc)')
    .option('-f, --config <file>', 'Hercules configuration file (MAINSIZE, NUMCPU, devices); enables ipl')
    .option('--mainsize <size>', 'main storage, e.g. 16M (a bare number is megabytes, as in Hercules)', '16M')
    .option('--cpus <n>', 'number of CPUs', '1')
    .option('--budget <n>', 'instructions all pauses together may execute, e.g. 100M', '100M')
    .option('--echo', 'echo each command before its output, as the Hercules log does')
    .option('--json', 'print the final state as JSON (stop, psw, gpr, cr, instructions, cycles)')
    .action((options: RunCommandOptions) => {
      process.exitCode = runRun(options);
    });
}
