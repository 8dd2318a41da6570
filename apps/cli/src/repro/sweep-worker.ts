/**
 * The worker-thread side of sweeps: tinypool calls the default export with
 * one point; it runs the point of the named reproduction's sweep and returns
 * its (JSON-safe) result. Bundled by tsup as dist/sweep-worker.js; from
 * source it is loaded through sweep-worker.mjs.
 */
import { findReproduction } from './registry';

/** A point as the main thread sends it. */
export interface SweepTask {
  readonly name: string;
  readonly params: unknown;
  readonly seed: number;
}

export default function runSweepTask(task: SweepTask): unknown {
  const sweep = findReproduction(task.name)?.sweep;
  if (sweep === undefined) throw new Error(`no sweep reproduction named '${task.name}'`);
  return sweep.runPoint(task.params, task.seed);
}
