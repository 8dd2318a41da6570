/**
 * One host-speed configuration (bench/workloads.ts HOST_CONFIGS, by index) run in this process for a
 * while, its rate printed: for profiling, since the worker threads of `run.ts host` end by
 * terminate() and write no profile. Inside this "type": "module" package, so tsx loads it as ESM
 * (as CommonJS the profile is skewed):
 *
 *   node --cpu-prof --cpu-prof-dir=DIR --import tsx --conditions=@strachey/source bench/profile-one.ts 3 5
 *   tsx bench/self-time.ts DIR
 *
 * Arguments: configuration index (default 3, four LPARs, zone) and CPU seconds timed after 1.5 s of warm-up.
 */
import { HOST_CONFIGS, hostWorkload } from './workloads';

const index = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 5);
const config = HOST_CONFIGS[index];
if (config === undefined) throw new Error(`no host configuration ${index} (0-${HOST_CONFIGS.length - 1})`);
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
