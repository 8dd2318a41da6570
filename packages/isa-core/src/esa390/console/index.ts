/**
 * Console scripts: the command subset of the Hercules 3.x console (`r`,
 * `restart`, `pause`, `gpr`, `psw`, …) parsed and run on an ESA/390 machine,
 * printing Hercules 3.13's display layouts, so one script runs on both.
 */
import { createEsa390Machine, type Esa390Machine, type Esa390MachineOptions } from '../machine';
import { type ConsoleRunOptions, type ConsoleRunResult, executeConsoleScript } from './execute';
import { type ConsoleDiagnostic, parseConsoleScript } from './parse';

export * from './parse';
export * from './format';
export * from './execute';

/** Options of `runConsoleScript`: the machine to build and how to run the script on it. */
export interface ConsoleScriptOptions extends ConsoleRunOptions {
  /** Main-storage size in bytes. Default 16 MB (Hercules' MAINSIZE 16). */
  readonly mainsize?: number;
  /** Number of CPUs. Default 1. */
  readonly cpus?: number;
  /** Further machine options (channel subsystem, DAT, cost model, …). */
  readonly machine?: Omit<Esa390MachineOptions, 'mainsize' | 'cpus'>;
}

/** The outcome of `runConsoleScript`: syntax errors, or the run (which may itself end in a runtime error). */
export type ConsoleScriptOutcome =
  | { readonly ok: false; readonly errors: readonly ConsoleDiagnostic[] }
  | (ConsoleRunResult & { readonly ok: true; readonly machine: Esa390Machine });

/**
 * Parse `source` and run it on a new machine (all CPUs stopped after a
 * clear reset, as at power-on). Syntax errors are returned before anything
 * runs.
 */
export function runConsoleScript(source: string, file: string, options: ConsoleScriptOptions = {}): ConsoleScriptOutcome {
  const parsed = parseConsoleScript(source, file);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const machine = createEsa390Machine({
    ...options.machine,
    mainsize: options.mainsize ?? 16 * 1024 * 1024,
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
  });
  return { ok: true, machine, ...executeConsoleScript(parsed.script, machine, options) };
}
