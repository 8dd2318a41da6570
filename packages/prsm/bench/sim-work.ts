/**
 * The simulated work behind the host-speed figures, per million guest instructions, for every
 * configuration of bench/workloads.ts HOST_CONFIGS: channel programs completed (the guest's DONE
 * counter), I/O interruptions taken (the CPUs' own count), device events fired on the machine
 * clock, and returns from the CPUs' run loop (`cpu.run` calls: each ends a
 * compiled block early, and the instructions around it run in isa-core's interpreter). The host
 * speeds compare like with like only when the first two match bare's; the third is host work the
 * machine chooses to do. Deterministic (no timing):
 *
 *   tsx --conditions=@strachey/source bench/sim-work.ts [million guest instructions, default 20]
 *
 * The counters wrap the clock's `schedule` and each CPU's `run` on the instances, so this is a
 * diagnostic, not a speed measurement.
 */
import { type Esa390Cpu, type SimClock, systemOf } from '@strachey/isa-core';
import { HOST_CONFIGS, hostWorkload } from './workloads';

const target = Number(process.argv[2] ?? 20) * 1e6;

interface Counts {
  events: number;
  runs: number;
}

function count(clock: SimClock, cpus: readonly Esa390Cpu[]): Counts {
  const c: Counts = { events: 0, runs: 0 };
  const schedule = clock.schedule.bind(clock);
  clock.schedule = (at, action) =>
    schedule(at, () => {
      c.events++;
      action();
    });
  for (const cpu of cpus) {
    const run = cpu.run.bind(cpu);
    cpu.run = (budget) => {
      c.runs++;
      return run(budget);
    };
  }
  return c;
}

const perMillion = (n: number, of: number) => ((n / of) * 1e6).toFixed(1).padStart(10);
console.log(`${'per million guest instructions:'.padEnd(62)}  programs  I/O ints    events   cpu.run`);
for (const config of HOST_CONFIGS) {
  // Process B is the same machine as A.
  if (config.baseline === true && !config.machine.endsWith('process A')) continue;
  const w = hostWorkload(config);
  const c = count(w.clock, w.cpus);
  while (w.instructions() < target) w.work();
  const n = w.instructions();
  const interruptions = w.cpus.reduce((sum, cpu) => sum + systemOf(cpu).interruptions.io, 0);
  const label = `${config.program === 'cpu' ? 'CPU-bound' : 'I/O mix'}, ${config.machine}`;
  console.log(
    `${label.padEnd(62)}${perMillion(w.io(), n)}${perMillion(interruptions, n)}${perMillion(c.events, n)}${perMillion(c.runs, n)}`,
  );
}
