/**
 * One host-speed configuration in its own child process, so what V8 learns running one machine
 * does not slow the next (run in one isolate, whichever LPAR configuration ran second was some
 * 10 % slower than the first, whatever it was: the shared interpreter and CPU code sees bare, zone
 * and block-table machines and goes polymorphic), and so that the process's CPU time is this
 * configuration's alone. (Worker threads, used before, share one process: `process.cpuUsage()`
 * there also counts what V8's background threads do for the other workers' isolates — concurrent
 * GC and compilation left over from their last sample — charged to whichever sampled next.)
 *
 * Started by bench/run.ts with the configuration as JSON in argv[2]. Messages: the parent sends
 * seconds of sampling and of warm-up; the child answers with the guest instructions, the CPU
 * seconds they took, and its totals so far (guest instructions, completed channel programs).
 * It exits when the parent disconnects.
 */
import { measure } from '@strachey/bench';
import { type HostConfig, hostWorkload } from './workloads';

/** What the child sends back per sample. */
export interface HostSample {
  readonly units: number;
  readonly cpuSeconds: number;
  /** Guest instructions since the machine was built (warm-up included). */
  readonly instructions: number;
  /** Channel programs the guests completed since the machine was built. */
  readonly io: number;
}

const config = JSON.parse(process.argv[2] ?? 'null') as HostConfig;
const w = hostWorkload(config);
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
// CPU time is charged from the end of the previous sample, not from the start of this one: between
// samples the process only waits for its next turn, and what its threads do meanwhile (V8's
// concurrent sweeping and compiling, left over from the last sample) is the machine's work too.
// Counted from the start of the sample, a machine that makes more garbage had part of its GC free.
let since = cpuSeconds();
process.on('message', (request: { readonly seconds: number; readonly warmup: number }) => {
  let units = 0;
  // Wall-clock sampling (measure) decides how long; the rate is by CPU time: on a shared machine the
  // wall clock also counts time other processes had the CPU.
  if (request.warmup > 0) {
    measure(config.machine, w.work, { warmupSeconds: request.warmup, samples: 1, sampleSeconds: 0 });
    since = cpuSeconds();
  }
  measure(
    config.machine,
    () => {
      const n = w.work();
      units += n;
      return n;
    },
    { warmupSeconds: 0, samples: 1, sampleSeconds: request.seconds },
  );
  const now = cpuSeconds();
  const sample: HostSample = { units, cpuSeconds: now - since, instructions: w.instructions(), io: w.io() };
  since = now;
  process.send?.(sample);
});
process.on('disconnect', () => process.exit(0));
