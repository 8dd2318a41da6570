/**
 * One host-speed configuration (bench/workloads.ts HOST_CONFIGS, by index), its `work()` loop run
 * either in the module's top-level code or inside timer callbacks (as bench/host-worker.ts runs it,
 * inside its message handler): five windows of 1.5 CPU seconds after 1 s of warm-up, the rate of
 * each. The bare I/O mix runs some 7 % faster at the top level, the LPARs do not (README,
 * Benchmarks):
 *
 *   node --import tsx --conditions=@strachey/source bench/context.ts top 7
 *   node --import tsx --conditions=@strachey/source bench/context.ts callback 7
 *
 * Add --trace-gc to see the garbage collections of each.
 */
import { measure } from '@strachey/bench';
import { HOST_CONFIGS, hostWorkload } from './workloads';

const where = process.argv[2];
const config = HOST_CONFIGS[Number(process.argv[3] ?? 7)];
if (config === undefined || (where !== 'top' && where !== 'callback')) {
  throw new Error('usage: context.ts top|callback INDEX (bench/profile-one.ts lists the indexes)');
}
const w = hostWorkload(config);
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const window = (k: number): void => {
  if (k === 0) measure(config.machine, w.work, { warmupSeconds: 1, samples: 1, sampleSeconds: 0 });
  const t0 = cpuSeconds();
  let n = 0;
  while (cpuSeconds() - t0 < 1.5) n += w.work();
  console.log(
    `${config.program}, ${config.machine}, ${where}, window ${k}: ${(n / (cpuSeconds() - t0) / 1e6).toFixed(1)} M guest instructions per CPU second`,
  );
};
if (where === 'top') for (let k = 0; k < 5; k++) window(k);
else {
  let k = 0;
  const next = (): void => {
    window(k);
    if (++k < 5) setTimeout(next, 10);
  };
  setTimeout(next, 10);
}
