/**
 * PR/SM benchmarks, simulated and host speed side by side:
 *
 * - simulated overhead of PR/SM for a CPU-bound guest: PR/SM's cycles
 *   (firmware dispatch path + cache reloads) over all cycles, for one
 *   partition alone on a shared CP and for two partitions taking turns on
 *   one CP, at slices of 12.5 and 25 ms (the seed: "little more than 1 %");
 * - host speed of guests in LPARs against the same guest on a bare isa-core
 *   machine (target: within 5 %), as ratios measured in the same process in
 *   interleaved rounds (this machine is shared and noisy: a ratio of two
 *   samples taken back to back is steadier than two figures minutes apart).
 *   Two programs, a CPU-bound loop and an I/O mix (the loop, interrupted by
 *   the end of a SENSE + NOP channel program it starts again from its I/O
 *   interruption handler: TSCH, SSCH, LPSW); five machines: bare, one LPAR
 *   on a 4 GB CPC in zone mode and in block-table mode, and the same with
 *   three more LPARs running the same program on two shared CPs. On the
 *   4 GB CPC the zone sits top-down under the HSA, so its frames are above
 *   2 GB: the case that used to be a third slower;
 * - dispatcher decisions per host second with 60 partitions on 8 shared CPs,
 *   each guest setting its clock comparator 10 µs ahead and loading an
 *   enabled wait PSW, so nearly every decision follows a wait release
 *   (a handful of guest instructions between decisions).
 *
 * Run: pnpm bench (tsx --conditions=@strachey/source bench/run.ts [overhead|host|dispatch ...]).
 * Profile: node --cpu-prof --cpu-prof-dir=DIR --import tsx --conditions=@strachey/source bench/run.ts host,
 * then tsx bench/self-time.ts DIR.
 */
import { fileURLToPath } from 'node:url';
import { type BenchFigure, formatRate, measure, writeResults } from '@strachey/bench';
import { type AbsoluteAddress, assemble, type Esa390Machine } from '@strachey/isa-core';
import { createChannelMachine, Printer1403 } from '@strachey/io-channel';
import { createPrsm, type Prsm, type PrsmResult, parseIocp, parseProfiles } from '../src/index';

function must<T>(r: PrsmResult<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** CPU-bound guest: a loop of ordinary instructions (loads, adds, stores, a branch). */
const GUEST = `
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
const IOMIX = `
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

/** SENSE (1 byte, SLI) then 40 command-chained NOPs, format-1 CCWs. */
function channelProgram(): Uint8Array {
  const n = 41;
  const b = new Uint8Array(n * 8);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < n; i++) {
    b[i * 8] = i === 0 ? 0x04 : 0x03;
    b[i * 8 + 1] = i === n - 1 ? 0x20 : 0x60;
    dv.setUint16(i * 8 + 2, 1);
    if (i === 0) dv.setUint32(i * 8 + 4, 0x11000);
  }
  return b;
}

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

function machine(
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
function bareMachine(guest: string, mainsize: number): Esa390Machine {
  const { machine: bare, channels } = createChannelMachine({ mainsize });
  channels.attach(0x00e0, new Printer1403(), { chpids: [0x20] });
  for (const c of assemble(guest).chunks) bare.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
  bare.storage.writeFrom(0x10000 as AbsoluteAddress, channelProgram());
  bare.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0, 8, 0, 0, 0x80, 0, 0x20, 0]));
  bare.restart(0);
  return bare;
}

/** Seconds of this process's CPU time (user + system). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const sections = new Set(process.argv.slice(2));
const wanted = (s: string) => sections.size === 0 || sections.has(s);
const results: Record<string, unknown> = {};
const figures: BenchFigure[] = [];

// ---- simulated overhead
if (wanted('overhead')) {
  const overhead: Record<string, number> = {};
  for (const [label, partitions, slice] of [
    ['alone, 12.5 ms slice', 1, '12.5ms'],
    ['two sharing one CP, 12.5 ms slice', 2, '12.5ms'],
    ['two sharing one CP, 25 ms slice', 2, '25ms'],
  ] as const) {
    const p = machine(partitions, 1, slice);
    p.run({ ms: 500 });
    const c = p.counters();
    overhead[label] = c.overheadCycles / (c.overheadCycles + c.busyCycles);
    console.log(
      `PR/SM overhead, CPU-bound guest, ${label}: ${(overhead[label]! * 100).toFixed(3)} % (${c.dispatches} dispatches in 500 ms)`,
    );
  }
  results.simulatedOverhead = overhead;
}

// ---- host speed: guests in LPARs vs the same guest bare, ratios in the same run
if (wanted('host')) {
  const LPAR_STORAGE = '128M';
  interface Config {
    readonly program: 'cpu' | 'io';
    readonly machine: string;
    readonly work: () => number;
    /** I/O completions so far (a check that the I/O mix does I/O everywhere). */
    readonly io: () => number;
  }
  const configs: Config[] = [];
  for (const [program, guest] of [
    ['cpu', GUEST],
    ['io', IOMIX],
  ] as const) {
    const doneAt = assemble(guest).symbols.find((s) => s.name === 'DONE')?.value ?? -1;
    const bare = bareMachine(guest, 128 << 20);
    const cpu = bare.cpus[0]!;
    configs.push({
      program,
      machine: 'bare isa-core machine (128 MB)',
      work: () => {
        const before = cpu.instructions;
        bare.run(200_000);
        return cpu.instructions - before;
      },
      io: () => (doneAt < 0 ? 0 : bare.storage.read32(doneAt as AbsoluteAddress)),
    });
    for (const [label, partitions, cps, mode] of [
      ['one LPAR, zone, 4 GB CPC', 1, 1, 'zone'],
      ['one LPAR, block table, 4 GB CPC', 1, 1, 'blocks'],
      ['four LPARs on 2 shared CPs, zone, 4 GB CPC', 4, 2, 'zone'],
      ['four LPARs on 2 shared CPs, block table, 4 GB CPC', 4, 2, 'blocks'],
    ] as const) {
      const p = machine(partitions, cps, '12.5ms', LPAR_STORAGE, guest, '4G', mode);
      const names = p.partitionNames;
      const instructions = () => {
        const c = p.counters().partitions;
        let s = 0;
        for (const n of names) s += c[n]!.instructions;
        return s;
      };
      configs.push({
        program,
        machine: label,
        work: () => {
          const before = instructions();
          p.run({ us: 400 * cps });
          return instructions() - before;
        },
        io: () =>
          doneAt < 0
            ? 0
            : names.reduce((s, n) => s + p.partitionStorage(n)!.read32(doneAt as AbsoluteAddress), 0),
      });
    }
  }
  // Warm every configuration up, then rounds of one short sample each, in turn. Rates are per
  // second of this process's CPU time: on a shared machine the wall clock also counts the time
  // other processes had the CPU, which differs from one sample to the next.
  const sample = (c: Config, seconds: number, warmup: number): number => {
    let units = 0;
    let cpu = 0;
    measure(
      c.machine,
      () => {
        const t0 = cpuSeconds();
        const n = c.work();
        cpu += cpuSeconds() - t0;
        units += n;
        return n;
      },
      { warmupSeconds: warmup, samples: 1, sampleSeconds: seconds },
    );
    return units / cpu;
  };
  for (const c of configs) sample(c, 0.2, 1);
  const ROUNDS = 9;
  const rates = configs.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    configs.forEach((c, i) => {
      rates[i]!.push(sample(c, 0.3, 0));
    });
  }
  const median = (a: readonly number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] ?? 0;
  const ratios: Record<
    string,
    Record<
      string,
      { ratio: number; min: number; max: number; instructionsPerSecond: number; ioCompletions: number }
    >
  > = {};
  configs.forEach((c, i) => {
    const bareIndex = configs.findIndex((b) => b.program === c.program);
    const perRound = rates[i]!.map((v, r) => v / rates[bareIndex]![r]!);
    const entry = {
      ratio: median(perRound),
      min: Math.min(...perRound),
      max: Math.max(...perRound),
      instructionsPerSecond: median(rates[i]!),
      ioCompletions: c.io(),
    };
    const byProgram = ratios[c.program] ?? {};
    byProgram[c.machine] = entry;
    ratios[c.program] = byProgram;
    const name = `guest instructions per CPU second, ${c.program === 'cpu' ? 'CPU-bound' : 'I/O mix'}, ${c.machine}`;
    figures.push({
      name,
      perSecond: entry.instructionsPerSecond,
      unit: 'instructions',
      samples: rates[i]!,
      totalUnits: 0,
      seconds: 0,
      extra: { vsBare: entry.ratio },
    });
    console.log(
      `${name}: ${formatRate({ perSecond: entry.instructionsPerSecond, unit: 'instructions' })}` +
        (i === bareIndex
          ? ''
          : `, ${(entry.ratio * 100).toFixed(1)} % of bare (rounds ${(entry.min * 100).toFixed(1)}-${(entry.max * 100).toFixed(1)} %)`) +
        (c.program === 'io' ? `, ${entry.ioCompletions} I/O completions` : ''),
    );
  });
  results.lparVsBare = ratios;
}

// ---- dispatcher decisions with 60 partitions
if (wanted('dispatch')) {
  const TICK = `
TICK     START X'2000'
         BALR  12,0
         USING *,12
         MVC   X'58'(8),EXTNEW
         LCTL  0,0,CR0
NEXT     STCK  NOW
         LM    4,5,NOW
         AL    5,STEP
         BC    12,NOCARRY
         LA    4,1(4)
NOCARRY  STM   4,5,CKC
         SCKC  CKC
         LPSW  WAITPSW
EXTINT   B     NEXT
         DS    0D
EXTNEW   DC    X'00080000',A(X'80000000'+EXTINT)
WAITPSW  DC    X'010A0000',X'80000000'
NOW      DS    D
CKC      DS    D
STEP     DC    F'40960'
CR0      DC    X'00000800'
         END   TICK
`;
  const sixty = machine(60, 8, '12.5ms', '32M', TICK);
  // 20 simulated ms per call (some 1300 decisions): counters() builds every partition's report, so
  // calling it every simulated millisecond measured counters() more than the dispatcher.
  let cpu = 0;
  let units = 0;
  const wall = measure(
    'dispatcher decisions per CPU second, 60 LPARs on 8 shared CPs, guests waking every 10 µs',
    () => {
      const before = sixty.counters().decisions;
      const t0 = cpuSeconds();
      sixty.run({ ms: 20 });
      cpu += cpuSeconds() - t0;
      const n = sixty.counters().decisions - before;
      units += n;
      return n;
    },
    { unit: 'decisions' },
  );
  const decisions: BenchFigure = {
    ...wall,
    perSecond: units / cpu,
    unit: 'decisions',
    extra: { wallClockPerSecond: wall.perSecond },
  };
  figures.push(decisions);
  const c = sixty.counters();
  console.log(
    `${decisions.name}: ${formatRate(decisions)} (${c.dispatches} dispatches, ${c.decisions} decisions in ${(sixty.clock.now() / sixty.costModel.mhz / 1000).toFixed(1)} simulated ms)`,
  );
}

results.host = figures;
const dir = fileURLToPath(new URL('..', import.meta.url));
console.log(`wrote ${writeResults(dir, 'prsm', results)}`);
