/**
 * PR/SM benchmarks, simulated and host speed side by side:
 *
 * - simulated overhead of PR/SM for a CPU-bound guest: PR/SM's cycles
 *   (firmware dispatch path + cache reloads) over all cycles, for one
 *   partition alone on a shared CP and for two partitions taking turns on
 *   one CP, at slices of 12.5 and 25 ms (the seed: "little more than 1 %");
 * - host speed of guests in LPARs against the same guest on a bare isa-core
 *   machine (target: within 5 %), as ratios of neighbouring samples
 *   (bare, X, bare, Y, ...: each sample against the mean of the bare
 *   samples around it, one from each of two bare processes taking turns;
 *   this machine is shared and noisy, and a ratio of samples taken back to
 *   back is steadier than two figures seconds apart), the median over nine
 *   rounds, each configuration in its own process.
 *   Two programs, a CPU-bound loop and an I/O mix (the loop, interrupted by
 *   the end of a SENSE + NOP channel program it starts again from its I/O
 *   interruption handler: TSCH, SSCH, LPSW); against bare: the second bare
 *   process against the first (the control: how far apart two processes
 *   running the same machine measure), for the loop a bare machine with
 *   longer rounds, and four
 *   LPAR machines: one LPAR on a 4 GB CPC in zone mode and in block-table
 *   mode, and the same with three more LPARs running the same program on two
 *   shared CPs. On the 4 GB CPC the zone sits top-down under the HSA, so its
 *   frames are above 2 GB: the case that used to be a third slower. For the
 *   I/O mix it prints the channel programs completed per million guest
 *   instructions, the simulated work per instruction, which must be the
 *   same everywhere for the ratios to compare like with like;
 * - dispatcher decisions per host second with 60 partitions on 8 shared CPs,
 *   each guest setting its clock comparator 10 µs ahead and loading an
 *   enabled wait PSW, so nearly every decision follows a wait release
 *   (a handful of guest instructions between decisions).
 *
 * Run: pnpm bench (tsx --conditions=@strachey/source bench/run.ts [overhead|host|dispatch ...]).
 * Profile one configuration: bench/profile-one.ts (node --cpu-prof), then tsx bench/self-time.ts DIR.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BenchFigure, formatRate, measure, writeResults } from '@strachey/bench';
import type { HostSample } from './host-worker';
import { HOST_CONFIGS, machine } from './workloads';

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
  // One child process per configuration (bench/host-worker.ts says why). Each round samples a bare
  // baseline process between every two other configurations of a program, A and B in turn (A, X, B,
  // Y, A, ...), and each sample of X is divided by the mean of the bare samples just before and after
  // it, one from each process: on this shared machine the load moves within seconds, and a ratio of
  // neighbours is steadier than one against a sample taken seconds earlier. The control is B's
  // samples of the round over A's. Reported: the median over the rounds, with their range.
  const children = HOST_CONFIGS.map((c) =>
    fork(fileURLToPath(new URL('./host-worker.ts', import.meta.url)), [JSON.stringify(c)], {
      execArgv: ['--import', 'tsx', '--conditions=@strachey/source'],
    }),
  );
  const sample = (child: ChildProcess, seconds: number, warmup: number): Promise<HostSample> =>
    new Promise((resolve, reject) => {
      // Both listeners go once either fires: the bare children are sampled dozens of times.
      const onExit = (code: number | null): void => {
        child.off('message', onMessage);
        reject(new Error(`host-speed child exited (${code})`));
      };
      const onMessage = (m: unknown): void => {
        child.off('exit', onExit);
        resolve(m as HostSample);
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
      child.send({ seconds, warmup });
    });
  for (const c of children) await sample(c, 0.2, 1);
  const ROUNDS = 9;
  const rates = HOST_CONFIGS.map(() => [] as number[]);
  const vsBare = HOST_CONFIGS.map(() => [] as number[]);
  const last = HOST_CONFIGS.map((): HostSample | null => null);
  const rate = async (i: number): Promise<number> => {
    const s = await sample(children[i]!, 0.25, 0);
    const r = s.units / s.cpuSeconds;
    rates[i]!.push(r);
    last[i] = s;
    return r;
  };
  const mean = (a: readonly number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  for (let r = 0; r < ROUNDS; r++) {
    for (const program of ['cpu', 'io'] as const) {
      const bases = [...HOST_CONFIGS.entries()]
        .filter(([, c]) => c.program === program && c.baseline === true)
        .map(([i]) => i);
      const round = bases.map(() => [] as number[]);
      let k = 0;
      let before = await rate(bases[k]!);
      round[k]!.push(before);
      for (const [i, c] of HOST_CONFIGS.entries()) {
        if (c.program !== program || c.baseline === true) continue;
        const mine = await rate(i);
        k = (k + 1) % bases.length;
        const after = await rate(bases[k]!);
        round[k]!.push(after);
        vsBare[i]!.push(mine / ((before + after) / 2));
        before = after;
      }
      // The control: process B against process A, their samples of this round.
      vsBare[bases[1]!]!.push(mean(round[1]!) / mean(round[0]!));
    }
  }
  for (const c of children) c.disconnect();
  const median = (a: readonly number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] ?? 0;
  const ratios: Record<
    string,
    Record<
      string,
      {
        ratio: number;
        min: number;
        max: number;
        instructionsPerSecond: number;
        ioPerMillionInstructions: number;
      }
    >
  > = {};
  HOST_CONFIGS.forEach((c, i) => {
    const first = HOST_CONFIGS.findIndex((b) => b.program === c.program && b.baseline === true);
    const perRound = i === first ? rates[i]!.map(() => 1) : vsBare[i]!;
    const s = last[i]!;
    const entry = {
      ratio: median(perRound),
      min: Math.min(...perRound),
      max: Math.max(...perRound),
      instructionsPerSecond: median(rates[i]!),
      // The simulated work per instruction, which must match bare's for the ratio to mean anything.
      ioPerMillionInstructions: (s.io / s.instructions) * 1e6,
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
      extra: {
        vsBare: entry.ratio,
        vsBareMin: entry.min,
        vsBareMax: entry.max,
        ioPerMillionInstructions: entry.ioPerMillionInstructions,
      },
    });
    const against = c.baseline === true ? 'of process A (control)' : 'of bare';
    console.log(
      `${name}: ${formatRate({ perSecond: entry.instructionsPerSecond, unit: 'instructions' })}` +
        (i === first
          ? ''
          : `, ${(entry.ratio * 100).toFixed(1)} % ${against} (rounds ${(entry.min * 100).toFixed(1)}-${(entry.max * 100).toFixed(1)} %)`) +
        (c.program === 'io'
          ? `, ${entry.ioPerMillionInstructions.toFixed(1)} channel programs per million guest instructions`
          : ''),
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
