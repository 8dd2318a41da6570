/**
 * One host-speed configuration in its own worker thread (its own V8 isolate), so what V8 learns
 * running one machine does not slow the next: run in one isolate, whichever LPAR configuration
 * ran second was some 10 % slower than the first, whatever it was (the shared interpreter and
 * CPU code sees bare, zone and block-table machines and goes polymorphic).
 *
 * Messages: the main thread sends seconds of sampling; the worker answers with guest
 * instructions, the CPU seconds they took and the I/O completions so far.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { measure } from '@strachey/bench';
import { type HostConfig, hostWorkload } from './workloads';

/** What the worker sends back per sample. */
export interface HostSample {
  readonly units: number;
  readonly cpuSeconds: number;
  readonly io: number;
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const config = workerData as HostConfig;
const w = hostWorkload(config);
parentPort?.on('message', (request: { readonly seconds: number; readonly warmup: number }) => {
  let units = 0;
  let cpu = 0;
  // Wall-clock sampling (measure) decides how long; the rate is by CPU time: on a shared machine the
  // wall clock also counts time other processes had the CPU. The main thread waits meanwhile.
  measure(
    config.machine,
    () => {
      const t0 = cpuSeconds();
      const n = w.work();
      cpu += cpuSeconds() - t0;
      units += n;
      return n;
    },
    { warmupSeconds: request.warmup, samples: 1, sampleSeconds: request.seconds },
  );
  const sample: HostSample = { units, cpuSeconds: cpu, io: w.io() };
  parentPort?.postMessage(sample);
});
