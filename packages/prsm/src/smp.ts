/**
 * The seed's SMP scaling experiment (Spruth, fig. 12.1.1): a 2-way SMP does
 * not deliver twice a 1-way; if each CPU loses n % per added CPU, more than
 * about 4 CPUs make little sense at n = 10 %, 8 at n = 5 %. The reason the
 * seed gives is contention for serialised kernel services, the scheduler
 * being the typical example.
 *
 * Here the curve is produced by a real SMP guest: an ESA/390 program on N
 * dedicated logical CPs of one partition. Each CPU loops: W iterations of
 * private work, then it takes the kernel lock with COMPARE AND SWAP
 * (spinning while another CPU holds it), scans the per-CPU scheduler entries
 * of the other CPUs under the lock (s iterations each, so the critical
 * section grows with N), updates the shared counter, releases the lock and
 * counts one transaction. Throughput is transactions per simulated second;
 * nothing in the loop knows about the model.
 *
 * The only calibration: s = W · n / (1 − n), chosen so that without
 * contention a CPU of a 2-way spends 1/(1 − n) of a 1-way's time per
 * transaction, i.e. loses n. Contention for the lock is what bends the curve
 * over. The analytic curve beside it is the seed's assumption taken
 * literally: every CPU loses n for each other CPU, T(N) = N · (1 − n·(N − 1)).
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
  readonly scanIterations: number;
  readonly workIterations: number;
  readonly points: readonly SmpPoint[];
  /** CPU count with the highest measured throughput. */
  readonly peak: number;
  /** CPU count with the highest analytic throughput among the measured counts. */
  readonly analyticPeak: number;
}

/** The SMP guest. WORK and SCAN are patched per run; COUNTS holds one word per CPU. */
export function smpGuestSource(work: number, scanPerCpu: number, cpus: number): string {
  return `
SMP      START X'2000'
         BALR  12,0
         USING *,12
         STAP  CPUADDR
         LH    9,CPUADDR
         SLL   9,2
LOOP     L     3,WORK
WLOOP    BCT   3,WLOOP
*        Take the kernel lock: test, then COMPARE AND SWAP 0 -> 1.
GET      L     0,LOCK
         LTR   0,0
         BNZ   GET
         LA    1,1
         CS    0,1,LOCK
         BNZ   GET
*        Critical section: scan the other CPUs' scheduler entries.
         L     3,SCAN
         LTR   3,3
         BZ    NOSCAN
CLOOP    BCT   3,CLOOP
NOSCAN   L     4,TOTAL
         LA    4,1(4)
         ST    4,TOTAL
         SR    0,0
         ST    0,LOCK
         L     4,COUNTS(9)
         LA    4,1(4)
         ST    4,COUNTS(9)
         B     LOOP
         DS    0F
WORK     DC    F'${Math.max(1, work)}'
SCAN     DC    F'${Math.max(0, scanPerCpu * (cpus - 1))}'
LOCK     DC    F'0'
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
  const scan = Math.round((work * n) / (1 - n));
  const ms = options.ms ?? 4;
  const raw: { cpus: number; throughput: number }[] = [];
  const countsAt = assemble(smpGuestSource(work, scan, 1)).symbols.find((x) => x.name === 'COUNTS')?.value ?? 0;
  for (const cpus of options.cpus) {
    const iocp = parseIocp(' RESOURCE PARTITION=((SMP,1))\n', 'smp.iocp');
    if (!iocp.ok) return iocp;
    const profiles = parseProfiles(`[CPC]\nstorage = 128M\ncps = ${cpus}\n[SMP]\nstorage = 64M\ncps = ${cpus}\ndedicated = yes\n`, 'smp.profiles');
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
