/**
 * The seed's SMP scaling experiment (Spruth, fig. 12.1.1): a 2-way SMP does
 * not deliver twice a 1-way; if every added CPU costs n %, more than about
 * 4 CPUs make little sense at n = 10 %, 8 at n = 5 %. The reason the seed
 * gives is contention for serialised kernel services, the scheduler being
 * the typical example.
 *
 * Here the curve is produced by a real SMP guest: an ESA/390 program on N
 * dedicated logical CPs of one partition, a small kernel's dispatcher.
 * Nothing in it knows about the model. The cost unit is a cache-line
 * transfer between CPUs, `x` BCT iterations; W is a transaction's private
 * work. Each CPU:
 *
 * - sets its own prefix (SPX) and a clock-comparator tick every
 *   TICK_TRANSACTIONS · W cycles of its time;
 * - loops over transactions: W iterations of private work; the kernel lock,
 *   a ticket spin lock (ticket drawn with COMPARE AND SWAP, then spinning
 *   until served); the critical section, the update of the shared queue,
 *   which costs one line transfer (the queue was last written by another
 *   CPU) plus one per CPU spinning on the lock at that moment (their loads
 *   hold the lock's line and the handoff waits for each of them: the
 *   non-scalable spin lock of Boyd-Wickizer, Kaashoek, Morris and Zeldovich,
 *   "Non-scalable locks are dangerous", Linux Symposium 2012); release;
 *   count;
 * - on every tick (external interruption) looks at every other CPU's
 *   scheduler entries for load balancing: the lines their owners wrote since
 *   the last tick, TICK_TRANSACTIONS · x per other CPU.
 *
 * How n maps onto it is the seed's definition, every added CPU costs each
 * CPU n of its time: x = n · W, so the tick's look at one other CPU takes n
 * of the tick, whatever its length. Nothing else is calibrated. The
 * per-CPU cost makes the curve flatten as the seed's analytic curve does;
 * the lock makes it fall: when N · x(1 + waiters) approaches a transaction,
 * waiters lengthen every handoff faster than the queue drains (a convoy).
 *
 * An earlier model scanned the other CPUs' entries inside the critical
 * section, once per transaction: the seed's per-CPU cost became serialised
 * time, the lock's demand grew with N · (N − 1) · x and saturated at
 * N ≈ 1 + √(1/n − 1), so the maximum moved with 1/√n (4 CPUs at 10 %, 5 at
 * 5 %) instead of 1/n.
 *
 * The analytic curve beside it is the seed's assumption taken literally:
 * every CPU loses n for each other CPU, T(N) = N · (1 − n·(N − 1)).
 */
import {
  type AbsoluteAddress,
  assemble,
  ESA390_REFERENCE_MACHINE,
  esa390Instruction,
  type StoragePort,
} from '@strachey/isa-core';
import { ok, type PrsmResult } from './errors';
import { parseIocp } from './iocp';
import { createPrsm } from './machine';
import { parseProfiles } from './profiles';

/** Options of `runSmpScaling`. */
export interface SmpScalingOptions {
  /** Loss per added CPU, e.g. 0.1 for the seed's 10 %. */
  readonly n: number;
  /** CPU counts to measure (1-16). */
  readonly cpus: readonly number[];
  /** Simulated milliseconds per point. Default 4. */
  readonly ms?: number;
  /** Iterations of private work per transaction. Default 1000. */
  readonly work?: number;
}

/** One measured point. */
export interface SmpPoint {
  readonly cpus: number;
  /** Transactions per simulated second. */
  readonly throughput: number;
  /** Throughput relative to the 1-way (in 1-way CPUs' worth). */
  readonly relative: number;
  /** The analytic N · (1 − n·(N − 1)). */
  readonly analytic: number;
}

/** The measured curve and its maxima. */
export interface SmpCurve {
  readonly n: number;
  /**
   * x: BCT iterations of one cache-line transfer, n·W. Each tick a CPU pays
   * TICK_TRANSACTIONS·x per other CPU; the lock holder x plus x per spinning
   * CPU. (The name is kept from when the transfers were a scan under the lock.)
   */
  readonly scanIterations: number;
  /** W: BCT iterations of private work per transaction. */
  readonly workIterations: number;
  readonly points: readonly SmpPoint[];
  /** CPU count with the highest measured throughput. */
  readonly peak: number;
  /** CPU count with the highest analytic throughput among the measured counts. */
  readonly analyticPeak: number;
}

/** Ticks per transaction's private work: the load-balancing tick comes every this many W. */
export const TICK_TRANSACTIONS = 4;

/** TOD-clock units per microsecond (bit 51 of the TOD clock is one microsecond). */
const TOD_PER_US = 4096;

/**
 * The SMP guest. `work` = W, `transfer` = x (BCT iterations of one cache-line
 * transfer), `cpus` = N; COUNTS holds one transaction counter per CPU. The
 * tick is TICK_TRANSACTIONS · W BCT iterations' worth of time on the reference
 * machine (createPrsm's default cost model).
 */
export function smpGuestSource(work: number, transfer: number, cpus: number): string {
  const w = Math.max(1, Math.round(work));
  const x = Math.max(0, Math.round(transfer));
  const bctCycles = esa390Instruction('BCT')?.cycles ?? 1;
  const tick = Math.max(
    1,
    Math.round(((TICK_TRANSACTIONS * w * bctCycles) / ESA390_REFERENCE_MACHINE.mhz) * TOD_PER_US),
  );
  return `
SMP      START X'2000'
         BALR  12,0
         USING *,12
*        Own prefix area: 1 MB + 4 KB per CPU address.
         STAP  CPUADDR
         LH    9,CPUADDR
         LR    8,9
         SLL   8,12
         A     8,PFXBASE
         SLL   9,2
         ST    8,PFXS(9)
         LA    7,PFXS(9)
         SPX   0(7)
*        The tick: external new PSW, CKC subclass mask, first CKC.
         MVC   88(8,0),EXTNEW
         LCTL  0,0,CR0
         STCK  768(0)
         BAL   11,NEXTTICK
         SSM   EXTMASK
LOOP     L     3,WORK
WLOOP    BCT   3,WLOOP
*        Take the kernel lock, a ticket lock: draw a ticket with
*        COMPARE AND SWAP, spin until it is served.
TAKE     L     5,NEXT
DRAW     LA    6,1(5)
         CS    5,6,NEXT
         BNZ   DRAW
SPIN     C     5,SERVING
         BNE   SPIN
*        Critical section: the queue's line, plus one transfer per CPU
*        spinning on the lock (tickets drawn after this one).
         L     3,NEXT
         SR    3,5
         M     2,XFER
         LTR   3,3
         BZ    NOXFER
CLOOP    BCT   3,CLOOP
NOXFER   L     4,TOTAL
         LA    4,1(4)
         ST    4,TOTAL
         LA    5,1(5)
         ST    5,SERVING
         L     4,COUNTS(9)
         LA    4,1(4)
         ST    4,COUNTS(9)
         B     LOOP
*        Tick: next CKC, then the other CPUs' entries, then back.
TICKH    STM   0,15,512(0)
         BAL   11,NEXTTICK
         L     3,ENTRIES
         LTR   3,3
         BZ    TDONE
TLOOP    BCT   3,TLOOP
TDONE    LM    0,15,512(0)
         LPSW  24(0)
*        CKC at real X'300' += TICK (64-bit add), set it.
NEXTTICK LM    4,5,768(0)
         AL    5,TICK
         BC    12,NOCARRY
         AL    4,ONE
NOCARRY  STM   4,5,768(0)
         SCKC  768(0)
         BR    11
         DS    0D
EXTNEW   DC    X'00080000',A(X'80000000'+TICKH)
WORK     DC    F'${w}'
ENTRIES  DC    F'${TICK_TRANSACTIONS * x * Math.max(0, cpus - 1)}'
XFER     DC    F'${x}'
TICK     DC    F'${tick}'
ONE      DC    F'1'
PFXBASE  DC    X'00100000'
CR0      DC    X'00000800'
NEXT     DC    F'0'
SERVING  DC    F'0'
TOTAL    DC    F'0'
EXTMASK  DC    X'01'
CPUADDR  DC    H'0'
         DS    0F
PFXS     DC    16F'0'
COUNTS   DC    16F'0'
         END   SMP
`;
}

/** Run the experiment for one n over the given CPU counts. */
export function runSmpScaling(options: SmpScalingOptions): PrsmResult<SmpCurve> {
  const n = options.n;
  const work = options.work ?? 1000;
  // The seed's definition of n: each other CPU costs a CPU n of its time, x = n·W per W of time.
  const scan = Math.round(work * n);
  const ms = options.ms ?? 4;
  const raw: { cpus: number; throughput: number }[] = [];
  const countsAt =
    assemble(smpGuestSource(work, scan, 1)).symbols.find((x) => x.name === 'COUNTS')?.value ?? 0;
  for (const cpus of options.cpus) {
    const iocp = parseIocp(' RESOURCE PARTITION=((SMP,1))\n', 'smp.iocp');
    if (!iocp.ok) return iocp;
    const profiles = parseProfiles(
      `[CPC]\nstorage = 128M\ncps = ${cpus}\n[SMP]\nstorage = 64M\ncps = ${cpus}\ndedicated = yes\n`,
      'smp.profiles',
    );
    if (!profiles.ok) return profiles;
    // Fine interleaving: the lock is contended at instruction granularity, not per chunk.
    const m = createPrsm({ iocp: iocp.value, profiles: profiles.value, chunkInstructions: 20 });
    if (!m.ok) return m;
    const prsm = m.value;
    const act = prsm.activate('SMP');
    if (!act.ok) return act;
    const source = smpGuestSource(work, scan, cpus);
    const ipl = prsm.ipl('SMP', { source, start: 'all' });
    if (!ipl.ok) return ipl;
    const view = prsm.partitionStorage('SMP')!;
    // Warm up one transaction's worth, then measure.
    prsm.run({ us: 100 });
    const before = sumCounts(view, countsAt, cpus);
    const t0 = prsm.clock.now();
    prsm.run({ ms });
    const done = sumCounts(view, countsAt, cpus) - before;
    const seconds = (prsm.clock.now() - t0) / (prsm.costModel.mhz * 1e6);
    raw.push({ cpus, throughput: done / seconds });
  }
  const one = raw.find((r) => r.cpus === 1)?.throughput ?? raw[0]?.throughput ?? 1;
  const points: SmpPoint[] = raw.map((r) => ({
    cpus: r.cpus,
    throughput: r.throughput,
    relative: r.throughput / one,
    analytic: r.cpus * (1 - n * (r.cpus - 1)),
  }));
  const peak = points.reduce((a, b) => (b.relative > a.relative ? b : a), points[0]!).cpus;
  const analyticPeak = points.reduce((a, b) => (b.analytic > a.analytic ? b : a), points[0]!).cpus;
  return ok({ n, scanIterations: scan, workIterations: work, points, peak, analyticPeak });
}

function sumCounts(view: StoragePort, at: number, cpus: number): number {
  let s = 0;
  for (let i = 0; i < cpus; i++) s += view.read32((at + 4 * i) as AbsoluteAddress) >>> 0;
  return s;
}
