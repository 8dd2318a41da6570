/**
 * The guests and machines the benchmarks run (bench/run.ts, and bench/host-worker.ts, which holds
 * one host-speed configuration in its own child process).
 */
import {
  type AbsoluteAddress,
  assemble,
  type Esa390Cpu,
  type Esa390Machine,
  type SimClock,
} from '@strachey/isa-core';
import { createChannelMachine, Printer1403 } from '@strachey/io-channel';
import { createPrsm, type Prsm, parseIocp, parseProfiles } from '../src/index';
import { must, senseThenNops } from '../test/fixtures';

export { must };

/** CPU-bound guest: a loop of ordinary instructions (loads, adds, stores, a branch). */
export const GUEST = `
LOOP     START X'2000'
         BALR  12,0
         USING *,12
AGAIN    LA    1,1(1)
         L     2,WORD
         AR    2,1
         ST    2,WORD
         BCT   3,AGAIN
         B     AGAIN
WORD     DC    F'0'
         END   LOOP
`;

/**
 * I/O mix: the same loop, while the channel program at X'10000' (SENSE into
 * X'11000', then NOPs: some 20 µs on the path) runs on subchannel 0; its
 * I/O interruption takes TSCH, counts, starts it again and returns.
 */
export const IOMIX = `
IOMIX    START X'2000'
         BALR  12,0
         USING *,12
         MVC   120(8,0),IONEW
         LCTL  6,6,CR6
         L     1,SCHID
         STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
         SSCH  ORB
         SSM   IOMASK
AGAIN    LA    1,1(1)
         L     2,WORD
         AR    2,1
         ST    2,WORD
         BCT   3,AGAIN
         B     AGAIN
IOINT    STM   0,15,SAVE
         L     1,SCHID
         TSCH  IRB
         L     5,DONE
         LA    5,1(5)
         ST    5,DONE
         SSCH  ORB
         LM    0,15,SAVE
         LPSW  56(0)
         DS    0D
IONEW    DC    X'00080000',A(X'80000000'+IOINT)
ORB      DC    F'1',X'00808000',A(X'10000')
SCHID    DC    X'00010000'
CR6      DC    X'FF000000'
WORD     DC    F'0'
DONE     DC    F'0'
IOMASK   DC    X'02'
         DS    0F
SAVE     DS    16F
SCHIB    DS    XL52
IRB      DS    XL96
         END   IOMIX
`;

/** The I/O mix's channel program: SENSE, then 40 command-chained NOPs. */
const channelProgram = (): Uint8Array => senseThenNops(40);

/** A 1403 per partition on its own CHPID (PARTITION= access list of one). */
function deckFor(names: readonly string[]): string {
  let iocp = ` RESOURCE PARTITION=((CSS(0),${names.map((n, k) => `(${n},${(k + 1).toString(16).toUpperCase()})`).join(',')}))\n`;
  names.forEach((n, i) => {
    const chpid = (0x20 + i).toString(16).toUpperCase();
    iocp += ` CHPID PATH=(CSS(0),${chpid}),TYPE=CNC,PARTITION=(${n})\n`;
    iocp += ` CNTLUNIT CUNUMBR=0${i + 1}00,PATH=((CSS(0),${chpid})),UNIT=2821\n`;
    iocp += ` IODEVICE ADDRESS=(00E0,1),CUNUMBR=(0${i + 1}00),UNIT=1403,PARTITION=(${n})\n`;
  });
  return iocp;
}

export function machine(
  partitions: number,
  cps: number,
  slice: string,
  storage = '64M',
  guest = GUEST,
  cpcStorage = '4G',
  mode = 'zone',
): Prsm {
  const names = Array.from({ length: partitions }, (_, i) => `LP${i + 1}`);
  const groups: string[] = [];
  for (let i = 0; i < names.length; i += 15) {
    groups.push(
      `(CSS(${i / 15}),${names
        .slice(i, i + 15)
        .map((n, k) => `(${n},${(k + 1).toString(16).toUpperCase()})`)
        .join(',')})`,
    );
  }
  const deck = guest === IOMIX ? deckFor(names) : ` RESOURCE PARTITION=(${groups.join(',')})\n`;
  const iocp = must(parseIocp(deck, 'bench.iocp'));
  let profiles = `[CPC]\nstorage = ${cpcStorage}\ncps = ${cps}\nslice = ${slice}\n`;
  for (const n of names) profiles += `[${n}]\nstorage = ${storage}\nmode = ${mode}\ncps = 1\nweight = 10\n`;
  const p = must(createPrsm({ iocp, profiles: must(parseProfiles(profiles, 'bench.profiles')) }));
  for (const n of names) {
    must(p.activate(n));
    must(p.ipl(n, { source: guest }));
    if (guest === IOMIX) p.partitionStorage(n)!.writeFrom(0x10000 as AbsoluteAddress, channelProgram());
  }
  return p;
}

/** The guest on a bare isa-core machine of the partition's size, with a 1403 at 00E0 on its channel subsystem. */
export function bareMachine(guest: string, mainsize: number, quantum?: number): Esa390Machine {
  const { machine: bare, channels } = createChannelMachine({
    mainsize,
    ...(quantum !== undefined ? { quantum } : {}),
  });
  channels.attach(0x00e0, new Printer1403(), { chpids: [0x20] });
  for (const c of assemble(guest).chunks) bare.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
  bare.storage.writeFrom(0x10000 as AbsoluteAddress, channelProgram());
  bare.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0, 8, 0, 0, 0x80, 0, 0x20, 0]));
  bare.restart(0);
  return bare;
}

/** The host-speed configurations: a program on a bare machine or in LPARs, run together as ratios. */
export interface HostConfig {
  readonly program: 'cpu' | 'io';
  /** What it runs on, as the report names it. */
  readonly machine: string;
  /**
   * The bare machine's instructions per round (isa-core's `quantum`, default 1000): with one CPU a
   * round's end changes nothing the guest sees here (rounds also end at device events), but each
   * costs the host a return from the CPU's run loop, which an LPAR's longer chunks do not pay.
   */
  readonly quantum?: number;
  /** One of the bare machines every other configuration of the program is measured against. */
  readonly baseline?: boolean;
  /** null: the bare isa-core machine; else partitions, physical CPs, storage mode. */
  readonly lpars: null | {
    readonly partitions: number;
    readonly cps: number;
    readonly mode: 'zone' | 'blocks';
  };
}

/**
 * Per program, the baseline: a bare machine as `createChannelMachine` builds it, in two processes
 * (A and B) that take turns, so a process whose code V8 happened to optimise better or worse does
 * not move every ratio (two processes running the same machine have measured up to 7 % apart, and
 * B against A, the control, shows how far apart they are in each run). Then what is measured
 * against it: for the CPU-bound loop a bare machine with one round per `run` call (whether the
 * baseline's rounds of 1000 instructions cost it speed that the LPARs' longer chunks do not pay),
 * and the LPAR configurations.
 */
export const HOST_CONFIGS: readonly HostConfig[] = (['cpu', 'io'] as const).flatMap((program) => [
  { program, machine: 'bare isa-core machine (128 MB), process A', lpars: null, baseline: true },
  { program, machine: 'bare isa-core machine (128 MB), process B', lpars: null, baseline: true },
  ...(program === 'cpu'
    ? [{ program, machine: 'bare, rounds of 200 000 instructions (quantum)', lpars: null, quantum: 200_000 }]
    : []),
  { program, machine: 'one LPAR, zone, 4 GB CPC', lpars: { partitions: 1, cps: 1, mode: 'zone' as const } },
  {
    program,
    machine: 'one LPAR, block table, 4 GB CPC',
    lpars: { partitions: 1, cps: 1, mode: 'blocks' as const },
  },
  {
    program,
    machine: 'four LPARs on 2 shared CPs, zone, 4 GB CPC',
    lpars: { partitions: 4, cps: 2, mode: 'zone' as const },
  },
  {
    program,
    machine: 'four LPARs on 2 shared CPs, block table, 4 GB CPC',
    lpars: { partitions: 4, cps: 2, mode: 'blocks' as const },
  },
]);

/**
 * A configuration built: `work()` runs a little and returns the guest instructions it executed;
 * `instructions()` and `io()` count guest instructions and completed channel programs (the I/O
 * mix's DONE counter, summed over the partitions) since it was built. Their ratio is the simulated
 * work per instruction, which must be the same on every machine for the host speeds to compare.
 */
export interface HostWorkload {
  /** The machine clock and the guest CPUs (logical CPs), for bench/sim-work.ts's counters. */
  readonly clock: SimClock;
  readonly cpus: readonly Esa390Cpu[];
  readonly work: () => number;
  readonly instructions: () => number;
  readonly io: () => number;
}

/** Each partition has 128 MB (two 64 MB blocks in block-table mode), the bare machine the same. */
export function hostWorkload(config: HostConfig): HostWorkload {
  const guest = config.program === 'cpu' ? GUEST : IOMIX;
  const doneAt = assemble(guest).symbols.find((s) => s.name === 'DONE')?.value ?? -1;
  if (config.lpars === null) {
    const bare = bareMachine(guest, 128 << 20, config.quantum);
    const cpu = bare.cpus[0]!;
    return {
      clock: bare.clock,
      cpus: bare.cpus,
      work: () => {
        const before = cpu.instructions;
        bare.run(200_000);
        return cpu.instructions - before;
      },
      instructions: () => cpu.instructions,
      io: () => (doneAt < 0 ? 0 : bare.storage.read32(doneAt as AbsoluteAddress)),
    };
  }
  const { partitions, cps, mode } = config.lpars;
  const p = machine(partitions, cps, '12.5ms', '128M', guest, '4G', mode);
  const names = p.partitionNames;
  // The logical CPs' own instruction counters: counters() builds every partition's report, work the bare machine does not do.
  const cpus = names.flatMap((n) => p.logicalCps(n).map((l) => l.cpu));
  const instructions = () => {
    let s = 0;
    for (const c of cpus) s += c.instructions;
    return s;
  };
  return {
    clock: p.clock,
    cpus,
    work: () => {
      const before = instructions();
      p.run({ us: 400 * cps });
      return instructions() - before;
    },
    instructions,
    io: () =>
      doneAt < 0
        ? 0
        : names.reduce((s, n) => s + p.partitionStorage(n)!.read32(doneAt as AbsoluteAddress), 0),
  };
}
