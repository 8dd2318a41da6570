/**
 * One host-speed configuration (bench/workloads.ts HOST_CONFIGS, by index) run in this process for a
 * while, its rate printed: for profiling (`run.ts host` samples each configuration in its own
 * child process for a quarter of a second at a time). Inside this "type": "module" package, so tsx
 * loads it as ESM (as CommonJS the profile is skewed):
 *
 *   node --cpu-prof --cpu-prof-dir=DIR --import tsx --conditions=@strachey/source bench/profile-one.ts 5 5
 *   tsx bench/self-time.ts DIR
 *
 * Arguments: configuration index (default 5, the CPU-bound loop in four LPARs, zone; run without a valid one for the list) and CPU seconds timed after 1.5 s of warm-up.
 */
import { HOST_CONFIGS, hostWorkload } from './workloads';

const index = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 5);
const config = HOST_CONFIGS[index];
if (config === undefined) {
  throw new Error(
    `no host configuration ${index}; they are:\n${HOST_CONFIGS.map((c, i) => `${i}: ${c.program}, ${c.machine}`).join('\n')}`,
  );
}
const w = hostWorkload(config);
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let t0 = cpuSeconds();
while (cpuSeconds() - t0 < 1.5) w.work();
t0 = cpuSeconds();
let units = 0;
while (cpuSeconds() - t0 < seconds) units += w.work();
const rate = units / (cpuSeconds() - t0) / 1e6;
console.log(`${config.program} on ${config.machine}: ${rate.toFixed(1)} Minstructions per CPU second`);
