/**
 * The seed's SMP scaling experiment (Spruth, fig. 12.1.1): a 2-way SMP does
 * not deliver twice a 1-way; if every added CPU costs n %, more than about
 * 4 CPUs make little sense at n = 10 %, 8 at n = 5 %. The reason the seed
 * gives is contention for serialised kernel services, the scheduler being
 * the typical example.
 *
 * Here the curve is produced by a real SMP guest: an ESA/390 program on N
 * dedicated logical CPs of one partition, a transaction loop of a kernel
 * dispatcher. Nothing in the loop knows about the model; the one cost unit is
 * a cache-line transfer between CPUs, `x` BCT iterations:
 *
 * - private work, W iterations;
 * - the scheduler looks at every other CPU's entry (its run state, which its
 *   owner keeps writing): one line transfer each, x·(N − 1), done before the
 *   lock is taken, because per-CPU entries are not what the lock protects;
 * - the kernel lock, a ticket spin lock: a ticket drawn with COMPARE AND
 *   SWAP, then spinning until the lock serves it;
 * - the critical section, the update of the shared queue: one line transfer
 *   (the queue's line was last written by another CPU) plus one for every CPU
 *   spinning on the lock at that moment (tickets drawn after the holder's):
 *   their loads hold the lock's line, and the handoff waits for each of them
 *   (the non-scalable spin lock of Boyd-Wickizer, Kaashoek, Morris and
 *   Zeldovich, "Non-scalable locks are dangerous", Linux Symposium 2012);
 * - release, count one transaction.
 *
 * The mapping from n is the seed's definition, every added CPU costs each
 * CPU n: one more line transfer per transaction, x = W·n / (1 − n), so a
 * 2-way without contention spends 1/(1 − n) of a 1-way's time per
 * transaction, i.e. loses n. Before, the other CPUs' entries were scanned
 * *inside* the critical section, so the lock's demand grew with N·(N − 1)·x
 * and saturated at N ≈ 1 + √(1/n − 1) (4 at 10 %, 5.4 at 5 %): the seed's
 * per-CPU cost had been made a serialised one. Now only the queue update and
 * the contention are serialised; the curve flattens with the per-CPU cost and
 * collapses once waiters lengthen every handoff faster than they drain (a lock
 * convoy): measured maxima 7 CPUs at n = 10 %, 10 at n = 5 % (the analytic
 * curve: 5-6 and 10-11; the seed's "useful maximum": about 4 and 8).
 *
 * The analytic curve beside it is the seed's assumption taken literally:
 * every CPU loses n for each other CPU, T(N) = N · (1 − n·(N − 1)).
 */
import { type AbsoluteAddress, assemble, type StoragePort } from '@strachey/isa-core';
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
   * x: BCT iterations of one cache-line transfer, W·n / (1 − n). Each CPU pays
   * it once per other CPU per transaction, and the lock holder once plus once
   * per spinning CPU. (The name is kept from when the transfers were a scan
   * under the lock.)
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

/**
 * The SMP guest. `work` = W, `transfer` = x (BCT iterations of one cache-line
 * transfer), `cpus` = N; COUNTS holds one transaction counter per CPU.
 */
export function smpGuestSource(work: number, transfer: number, cpus: number): string {
  const x = Math.max(0, Math.round(transfer));
  return `
SMP      START X'2000'
         BALR  12,0
         USING *,12
         STAP  CPUADDR
         LH    9,CPUADDR
         SLL   9,2
LOOP     L     3,WORK
WLOOP    BCT   3,WLOOP
*        The other CPUs' scheduler entries: one line transfer each.
         L     3,ENTRIES
         LTR   3,3
         BZ    TAKE
ELOOP    BCT   3,ELOOP
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
         DS    0F
WORK     DC    F'${Math.max(1, Math.round(work))}'
ENTRIES  DC    F'${x * Math.max(0, cpus - 1)}'
XFER     DC    F'${x}'
NEXT     DC    F'0'
SERVING  DC    F'0'
TOTAL    DC    F'0'
CPUADDR  DC    H'0'
         DS    0F
COUNTS   DC    16F'0'
         END   SMP
`;
}

/** Run the experiment for one n over the given CPU counts. */
export function runSmpScaling(options: SmpScalingOptions): PrsmResult<SmpCurve> {
  const n = options.n;
  const work = options.work ?? 1000;
  // The seed's definition of n, as the one cost unit: a line transfer per other CPU per transaction.
  const scan = Math.round((work * n) / (1 - n));
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
