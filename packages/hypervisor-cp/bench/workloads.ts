/**
 * The MINIKERN host-speed workloads of run.ts (and profile-minikern.ts): a
 * workload builds a machine (not timed) and returns the run (timed), which
 * reports the guest instructions it executed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AbsoluteAddress, assemble } from '@strachey/isa-core';
import {
  CkdVolume,
  Console3215,
  Dasd3390,
  createChannelMachine,
  formatVolume,
  geometry3390,
  toEbcdic,
} from '@strachey/io-channel';
import { createEsa390Dat } from '@strachey/mmu';
import { createCp } from '../src/index';

const here = dirname(fileURLToPath(import.meta.url));

/** A workload: build a machine (not timed) and return the run (timed), which reports the guest instructions it executed. */
export type Workload = () => () => number;

export interface Sampled {
  readonly name: string;
  readonly samples: number[];
  units: number;
  seconds: number;
  setupSeconds: number;
  runs: number;
}

/** CPU time of this process in seconds. */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const now = (): number => Number(process.hrtime.bigint()) / 1e9;

/** One sample: runs of `work` until `seconds` of timed (CPU) run time. */
function sample(into: Sampled, work: Workload, seconds: number): void {
  let units = 0;
  let timed = 0;
  while (timed < seconds) {
    const s0 = cpuNow();
    const run = work();
    const t0 = cpuNow();
    units += run();
    const t1 = cpuNow();
    timed += t1 - t0;
    into.setupSeconds += t0 - s0;
    into.runs++;
  }
  into.samples.push(units / timed);
  into.units += units;
  into.seconds += timed;
}

/** Sample the workloads in interleaved rounds after a warm-up; figures with the median rate of each. */
export function hostSpeed(
  workloads: readonly (readonly [string, Workload])[],
  rounds: number,
  seconds: number,
): Sampled[] {
  const out: Sampled[] = workloads.map(([name]) => ({
    name,
    samples: [],
    units: 0,
    seconds: 0,
    setupSeconds: 0,
    runs: 0,
  }));
  for (const [, work] of workloads) {
    const end = now() + 0.5;
    while (now() < end) work()();
  }
  for (let r = 0; r < rounds; r++)
    for (let i = 0; i < workloads.length; i++) sample(out[i]!, workloads[i]![1], seconds);
  return out;
}

export const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** Median over rounds of (rate of `a` / rate of `b`) from interleaved samples. */
export const ratio = (a: Sampled, b: Sampled): number => median(a.samples.map((x, i) => x / b.samples[i]!));

export function asm(file: string, edit: (source: string) => string = (s) => s) {
  const r = assemble(edit(readFileSync(join(here, '../guests', file), 'utf8')));
  if (!r.ok) throw new Error(`${file}: ${r.errors.map((e) => e.message).join('; ')}`);
  return { chunks: r.chunks, entry: r.entry ?? r.origin };
}
export type Image = ReturnType<typeof asm>;
export const KERNEL = asm('minikern.asm');
/**
 * The long MINIKERN: the same kernel and tasks, each task summing 30 times
 * more numbers (its two EQUs changed, nothing else): the same 26 SIE
 * interceptions (I/O, waits) over ~20 times the instructions, so its ratio
 * shows the steady state where the short run's shows fixed costs too.
 */
export const LONG_KERNEL = asm('minikern.asm', (s) =>
  s
    .replace(/^NA {7}EQU {3}2000$/m, 'NA       EQU   60000')
    .replace(/^NB {7}EQU {3}4400$/m, 'NB       EQU   64000'),
);
if (LONG_KERNEL.chunks.every((c, i) => c.bytes.every((b, j) => b === KERNEL.chunks[i]?.bytes[j])))
  throw new Error('long MINIKERN: the EQUs were not found');
const TASK = asm('task.asm');
export const images = (kernel: Image = KERNEL) => [
  ...kernel.chunks,
  ...[0x20000, 0x30000].flatMap((b) => TASK.chunks.map((c) => ({ address: b + c.address, bytes: c.bytes }))),
];

export function kernelVolume(): CkdVolume {
  const v = new CkdVolume(geometry3390(5));
  formatVolume(v, 'MINI01');
  const rec = (cc: number, r: number, text: string) => ({
    cc,
    hh: 0,
    r,
    key: new Uint8Array(0),
    data: toEbcdic(text.padEnd(80, ' ')),
  });
  v.setTrack(1, 0, [...v.track(1, 0), rec(1, 1, 'MINIKERN BOOTED FROM DISK')]);
  v.setTrack(2, 0, [...v.track(2, 0), rec(2, 1, ''), rec(2, 2, '')]);
  return v;
}
export function relocated(start: number): CkdVolume {
  const real = new CkdVolume(geometry3390(1113));
  for (const t of kernelVolume().writtenTracks())
    real.setTrack(
      t.cc + start,
      t.hh,
      t.records.map((r) => ({ ...r, cc: r.cc + start })),
    );
  return real;
}

export function bareKernelWorkload(kernel: Image = KERNEL): () => () => number {
  return () => {
    const { machine, channels } = createChannelMachine({
      mainsize: 1 << 20,
      dat: (context, storage) => createEsa390Dat({ storage, context }),
    });
    channels.attach(0x0009, new Console3215());
    channels.attach(0x0191, new Dasd3390(kernelVolume()));
    for (const c of images(kernel)) machine.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
    machine.storage.writeFrom(
      0 as AbsoluteAddress,
      Uint8Array.from([0, 8, 0, 0, 0x80, 0, kernel.entry >>> 8, kernel.entry & 0xff]),
    );
    machine.restart(0);
    return () => {
      machine.run(50_000_000);
      const cpu = machine.cpus[0]!;
      if (cpu.getPsw()[1] !== 0) throw new Error(`MINIKERN bare ended at ${cpu.getPsw()[1]!.toString(16)}`);
      return cpu.instructions;
    };
  };
}

export function cpKernelWorkload(
  style: 'trap-and-emulate' | 'sie',
  kernel: Image = KERNEL,
): () => () => number {
  return () => {
    const r = createCp({
      directory: 'USER MINI MINI 1M 16M G\n CONSOLE 009 3215\n MDISK 191 3390 300 5 VMRES1 MR\n',
      volumes: [{ volser: 'VMRES1', volume: relocated(300) }],
      realStorage: 64 << 20,
    });
    if (!r.ok) throw new Error('directory');
    const l = r.cp.logon('MINI', undefined, { style });
    if (!l.ok) throw new Error(l.error.message);
    for (const c of images(kernel)) l.vm.load(c.address, c.bytes);
    l.vm.start(0x00080000, (0x80000000 | kernel.entry) >>> 0);
    return () => {
      r.cp.run(2_000_000_000);
      const psw = l.vm.cpus[0]!.getPsw();
      if (psw[1] !== 0 || l.vm.consoleLines.at(-1) !== 'ALL TASKS DONE')
        throw new Error(`MINIKERN ${style} ended at ${psw[1].toString(16)}`);
      return l.vm.counters.instructions;
    };
  };
}

/** The short (or long) MINIKERN workloads bare and under CP in both styles. */
export const workloads = (long = false) => {
  const k = long ? LONG_KERNEL : KERNEL;
  return {
    bare: bareKernelWorkload(k),
    'trap-and-emulate': cpKernelWorkload('trap-and-emulate', k),
    sie: cpKernelWorkload('sie', k),
  };
};
