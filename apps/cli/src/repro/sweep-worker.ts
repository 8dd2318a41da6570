/**
 * The worker-thread side of sweeps: tinypool calls the default export with
 * one point; it runs the point of the named reproduction's sweep and returns
 * its (JSON-safe) result. Bundled by tsup as dist/sweep-worker.js; from
 * source it is loaded through sweep-worker.mjs.
 */
import { type Diagnostic, UserError } from '../diagnostics';
import { findReproduction } from './registry';

/** A point as the main thread sends it. */
export interface SweepTask {
  readonly name: string;
  readonly params: unknown;
  readonly seed: number;
}

/** A point's outcome: its result, or the user-facing diagnostics a model refused it with (a UserError does not survive the thread boundary as a class). */
export type SweepTaskOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly exitCode: number };

export default function runSweepTask(task: SweepTask): SweepTaskOutcome {
  const sweep = findReproduction(task.name)?.sweep;
  if (sweep === undefined) throw new Error(`no sweep reproduction named '${task.name}'`);
  try {
    return { ok: true, result: sweep.runPoint(task.params, task.seed) };
  } catch (error) {
    if (error instanceof UserError)
      return { ok: false, diagnostics: error.diagnostics, exitCode: error.exitCode };
    throw error;
  }
}
