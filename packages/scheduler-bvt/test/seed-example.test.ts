/**
 * Gerstel's figure 4: P1 5 units, P2 and P3 10 each, slice 5, an
 * interruption for P1 at t = 6 needing 1 unit. The fair time-slice procedure
 * serves it at 15; BVT with a warp of 7 at 10. Both numbers must come out of
 * the schedulers, so the test only builds the workload and reads the trace.
 */
import { describe, expect, it } from 'vitest';
import {
  createBvt,
  createCredit,
  createRoundRobin,
  GERSTEL_FIGURE_4 as F,
  gerstelFigure4Workload,
  type Scheduler,
  type ScheduleTrace,
  simulate,
  type WakePreemption,
} from '../src/index';
import { must } from './helpers';

function run(s: Scheduler, warp?: number): ScheduleTrace {
  return must(simulate(gerstelFigure4Workload(warp === undefined ? {} : { p1: { warp } }), s)).trace;
}
const served = (t: ScheduleTrace): number => t.jobs.find((j) => j.label === 'interruption')!.start;
const bvt = (wakePreemption: WakePreemption): Scheduler =>
  must(createBvt({ ctxAllow: F.slice, wakePreemption }));

describe("Gerstel's figure 4", () => {
  it('round-robin serves the interruption at t = 15: P1 queues behind P3', () => {
    const t = run(must(createRoundRobin({ slice: F.slice })));
    expect(served(t)).toBe(15);
    expect(t.segments.slice(0, 4).map((s) => [s.id, s.start, s.end])).toEqual([
      [1, 0, 5],
      [2, 5, 10],
      [3, 10, 15],
      [1, 15, 16],
    ]);
  });

  it('BVT with warp 7 deciding at slice ends (Xen: C = slice) serves it at t = 10', () => {
    const t = run(bvt('xen'), F.warp);
    expect(served(t)).toBe(10);
    const p1 = t.segments.find((s) => s.id === 1 && s.start === 10)!;
    expect(p1).toMatchObject({ end: 11, warped: true, endReason: 'block' });
    // P2 keeps its slice: the wake does not cut it short.
    expect(t.segments.find((s) => s.id === 2)).toMatchObject({ start: 5, end: 10, endReason: 'slice-end' });
  });

  it('any warp above A(P1) − A(P3) = 5 gives 10; the seed’s 7 is one of them', () => {
    // At 10: E1 = 5 − W against E3 = 0. W = 5 ties and P3, waiting longer, wins.
    expect(served(run(bvt('xen'), 5))).toBeGreaterThan(10);
    for (const w of [5.5, 6, 7, 12]) expect(served(run(bvt('xen'), w))).toBe(10);
  });

  it('the warp is what helps: without it BVT serves P1 only at t = 20, after P3 has caught up', () => {
    expect(served(run(bvt('xen')))).toBe(20);
    expect(served(run(bvt('paper')))).toBe(20);
  });

  it('wake-up preemption with allowance C = 5 serves it at t = 8, the paper rule at t = 6', () => {
    const allowance = run(bvt('allowance'), F.warp);
    expect(served(allowance)).toBe(8);
    expect(allowance.segments.find((s) => s.id === 2)).toMatchObject({
      start: 5,
      end: 8,
      endReason: 'wake-preempt',
    });
    const paper = run(bvt('paper'), F.warp);
    expect(served(paper)).toBe(6);
  });

  it('orders the policies as the seed argues: warped BVT beats round-robin, preemption beats both', () => {
    const rr = served(run(must(createRoundRobin({ slice: F.slice }))));
    const seed = served(run(bvt('xen'), F.warp));
    const c = served(run(bvt('allowance'), F.warp));
    const paper = served(run(bvt('paper'), F.warp));
    expect(paper).toBeLessThan(c);
    expect(c).toBeLessThan(seed);
    expect(seed).toBeLessThan(rr);
    expect(paper).toBe(F.interruptionAt);
  });

  it('credit with one slice per accounting period behaves like round-robin here', () => {
    expect(served(run(must(createCredit({ slice: F.slice, period: F.slice }))))).toBe(15);
  });

  it('BVT evens out: P1 borrows but all three finish their 26 units of work by t = 26', () => {
    const t = run(bvt('xen'), F.warp);
    expect(Math.max(...t.jobs.map((j) => j.finish))).toBe(26);
    const cpu = (id: number): number =>
      t.segments.filter((s) => s.id === id).reduce((a, s) => a + s.end - s.start, 0);
    expect([cpu(1), cpu(2), cpu(3)]).toEqual([6, 10, 10]);
  });
});
