/**
 * The MINIKERN host-speed workloads of run.ts (and profile-minikern.ts): a
 * workload builds a machine (not timed) and returns the run (timed), which
 * reports the guest instructions it executed.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AbsoluteAddress, assemble, createEsa390Machine } from '@strachey/isa-core';
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

/** One sample's totals, as a sampling process reports them. */
interface SampleTotals {
  readonly units: number;
  readonly timed: number;
  readonly setup: number;
  readonly runs: number;
}

/** CPU time of this process in seconds. */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const now = (): number => Number(process.hrtime.bigint()) / 1e9;

/** One sample: runs of `work` until `seconds` of timed (CPU) run time. */
function sample(work: Workload, seconds: number): SampleTotals {
  let units = 0;
  let timed = 0;
  let setup = 0;
  let runs = 0;
  while (timed < seconds) {
    const s0 = cpuNow();
    const run = work();
    const t0 = cpuNow();
    units += run();
    const t1 = cpuNow();
    timed += t1 - t0;
    setup += t0 - s0;
    runs++;
  }
  return { units, timed, setup, runs };
}

/**
 * A sampling process (`fork`ed by `hostSpeed`): builds the workload named by
 * its first message, warms it up for a second, then answers each
 * `{ seconds }` with a sample's totals.
 */
export function serveSamples(): void {
  let work: Workload | null = null;
  process.on('message', (m: { key?: string; seconds?: number; exit?: boolean }) => {
    if (m.exit === true) process.exit(0);
    if (m.key !== undefined) {
      work = workloadByKey(m.key);
      const end = now() + 1;
      while (now() < end) work()();
      process.send!({ ready: true });
      return;
    }
    process.send!(sample(work!, m.seconds ?? 0.3));
  });
}

/**
 * Sample the workloads (label, `workloadByKey` key) in interleaved rounds:
 * each in a process of its own, one process sampling at a time, bare and
 * under CP back to back. One process each, because V8 collects garbage when
 * allocation calls for it, not when the allocating workload runs: in one
 * process, a workload that builds a large machine leaves collector work that
 * lands in whichever workload's sample runs next (the short MINIKERN moved
 * by about 0.1 in its SIE/bare ratio between orders of the same rounds).
 * Each process still pays for the collection of its own machines, as a
 * process that builds one per run must.
 */
export async function hostSpeed(
  workloads: readonly (readonly [string, string])[],
  rounds: number,
  seconds: number,
): Promise<Sampled[]> {
  const out: Sampled[] = workloads.map(([name]) => ({
    name,
    samples: [],
    units: 0,
    seconds: 0,
    setupSeconds: 0,
    runs: 0,
  }));
  const children = workloads.map(() =>
    fork(join(here, 'sampler.ts'), [], { execArgv: process.execArgv, stdio: 'inherit' }),
  );
  const ask = (i: number, message: object): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const c = children[i]!;
      const onExit = (code: number) =>
        reject(new Error(`sampler of ${workloads[i]![0]} exited with ${code}`));
      c.once('exit', onExit);
      c.once('message', (m) => {
        c.off('exit', onExit);
        resolve(m);
      });
      c.send(message);
    });
  try {
    for (let i = 0; i < workloads.length; i++) await ask(i, { key: workloads[i]![1] });
    for (let r = 0; r < rounds; r++)
      for (let i = 0; i < workloads.length; i++) {
        const t = (await ask(i, { seconds })) as SampleTotals;
        const into = out[i]!;
        into.samples.push(t.units / t.timed);
        into.units += t.units;
        into.seconds += t.timed;
        into.setupSeconds += t.setup;
        into.runs += t.runs;
      }
  } finally {
    for (const c of children) c.send({ exit: true });
  }
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
/**
 * CP's real machine. `sized` is sized for the workload as the bare machine is (1 MB and a 5-cylinder volume
 * there): real storage for CP's first megabyte, the 1 MB guest and its CP area, and a volume of the 305
 * cylinders that reach the minidisk at cylinder 300. `large` is what these workloads used before: 64 MB and a
 * full 3390-1 (1,113 cylinders). Neither size is visible to the guest or changes a simulated figure, but
 * building it is: io-channel keeps one array slot per track (and isa-core, until it grew its frame table
 * only to the highest frame written, one per storage frame), so `large` allocated arrays of some 130 KB per
 * run. V8 puts arrays that size in its large-object space, which only a full collection frees and whose
 * young referents every minor collection keeps; that collector work falls into the timed runs that follow
 * the (untimed) build: the short MINIKERN under SIE measured about 80 M guest instructions per CPU second
 * with `large` against about 155 M with `sized` (bare: about 150 M either way), SIE/bare about 0.57 vs 1.0;
 * with isa-core's growing frame table `large` measures about 0.66 (`profile-minikern.ts --ratio 11 large`).
 */
export const CP_REAL = {
  sized: { storage: 4 << 20, cylinders: 305 },
  large: { storage: 64 << 20, cylinders: 1113 },
} as const;
export type CpReal = (typeof CP_REAL)[keyof typeof CP_REAL];

/** CP's real volume of `cylinders` cylinders holding the kernel volume's records `start` cylinders further. */
export function relocated(start: number, cylinders: number = CP_REAL.sized.cylinders): CkdVolume {
  const real = new CkdVolume(geometry3390(cylinders));
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

/** CP with MINIKERN's user MINI logged on in `style`, its images loaded and its PSW set (not yet run). */
export function cpKernelMachine(
  style: 'trap-and-emulate' | 'sie',
  kernel: Image = KERNEL,
  real: CpReal = CP_REAL.sized,
) {
  const r = createCp({
    directory: 'USER MINI MINI 1M 16M G\n CONSOLE 009 3215\n MDISK 191 3390 300 5 VMRES1 MR\n',
    volumes: [{ volser: 'VMRES1', volume: relocated(300, real.cylinders) }],
    realStorage: real.storage,
  });
  if (!r.ok) throw new Error('directory');
  const l = r.cp.logon('MINI', undefined, { style });
  if (!l.ok) throw new Error(l.error.message);
  for (const c of images(kernel)) l.vm.load(c.address, c.bytes);
  l.vm.start(0x00080000, (0x80000000 | kernel.entry) >>> 0);
  return { cp: r.cp, vm: l.vm };
}

export function cpKernelWorkload(
  style: 'trap-and-emulate' | 'sie',
  kernel: Image = KERNEL,
  real: CpReal = CP_REAL.sized,
): () => () => number {
  return () => {
    const { cp, vm } = cpKernelMachine(style, kernel, real);
    return () => {
      cp.run(2_000_000_000);
      const psw = vm.cpus[0]!.getPsw();
      if (psw[1] !== 0 || vm.consoleLines.at(-1) !== 'ALL TASKS DONE')
        throw new Error(`MINIKERN ${style} ended at ${psw[1].toString(16)}`);
      return vm.counters.instructions;
    };
  };
}

/** The short (or long) MINIKERN workloads bare and under CP in both styles. */
export const workloads = (long = false, real: CpReal = CP_REAL.sized) => {
  const k = long ? LONG_KERNEL : KERNEL;
  return {
    bare: bareKernelWorkload(k),
    'trap-and-emulate': cpKernelWorkload('trap-and-emulate', k, real),
    sie: cpKernelWorkload('sie', k, real),
  };
};

const LOOP = `
L        START X'1000'
         BALR  12,0
         USING *,12
         L     3,=F'3000000'
LOOP     LA    4,1(4)
         AR    5,4
         BCT   3,LOOP
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
         END   L`;
const loop = assemble(LOOP);
if (!loop.ok) throw new Error('loop');
const loopChunks = loop.chunks;
function bareLoopWorkload(): () => number {
  const m = createEsa390Machine({ mainsize: 1 << 20 });
  for (const ch of loopChunks) m.storage.writeFrom(ch.address as AbsoluteAddress, ch.bytes);
  m.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0, 8, 0, 0, 0x80, 0, 0x10, 0]));
  m.restart(0);
  return () => {
    m.run(100_000_000);
    return m.cpus[0]!.instructions;
  };
}
function cpLoopWorkload(style: 'trap-and-emulate' | 'sie'): () => () => number {
  return () => {
    const r = createCp({ directory: 'USER L L 1M 1M G\n', volumes: [], realStorage: 16 << 20 });
    if (!r.ok) throw new Error('dir');
    const l = r.cp.logon('L', undefined, { style });
    if (!l.ok) throw new Error('logon');
    for (const ch of loopChunks) l.vm.load(ch.address, ch.bytes);
    l.vm.start(0x00080000, 0x80001000);
    return () => {
      r.cp.run(10_000_000_000);
      return l.vm.counters.instructions;
    };
  };
}

/**
 * The host-speed workloads by key: `minikern`, `long` (the long MINIKERN) or
 * `loop` (the CPU-bound loop), a colon and `bare`, `trap-and-emulate` or
 * `sie`; a MINIKERN key may end in `:large` (CP on `CP_REAL.large`).
 */
export function workloadByKey(key: string): Workload {
  const [kind, style, real] = key.split(':') as [string, string, string | undefined];
  if (kind === 'loop') return style === 'bare' ? bareLoopWorkload : cpLoopWorkload(style as 'sie');
  const w = workloads(kind === 'long', real === 'large' ? CP_REAL.large : CP_REAL.sized);
  const found = w[style as keyof typeof w];
  if (found === undefined) throw new Error(`no workload ${key}`);
  return found;
}
