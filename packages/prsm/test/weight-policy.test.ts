import { simulate } from '@strachey/scheduler-bvt';
import { schedulerContract } from '@strachey/scheduler-bvt/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPrsmWeightScheduler, PrsmWeightScheduler, systemVirtualTime } from '../src/index';

describe("PR/SM's weight selection behind scheduler-bvt's Scheduler interface", () => {
  for (const c of schedulerContract(() => new PrsmWeightScheduler(1))) it(c.name, c.run);

  it('shares one CPU in proportion to the weights and gives a waking entity no banked credit', () => {
    const s = new PrsmWeightScheduler(1);
    s.add(1, { weight: 10 }, 0);
    s.add(2, { weight: 30 }, 0);
    s.add(3, { weight: 20 }, 0);
    s.wake(1, 0);
    s.wake(2, 0);
    let t = 0;
    for (let k = 0; k < 400; k++) {
      const d = s.pick(t);
      t += 1;
      s.account(d.id!, 1, t);
    }
    expect(s.info(2)!.runtime / s.info(1)!.runtime).toBeCloseTo(3, 1);
    // Entity 3 slept through 400 units; waking, it does not get them back: it shares 20/60 from now on.
    s.wake(3, t);
    const before = [1, 2, 3].map((id) => s.info(id)!.runtime);
    for (let k = 0; k < 600; k++) {
      const d = s.pick(t);
      t += 1;
      s.account(d.id!, 1, t);
    }
    const got = [1, 2, 3].map((id, i) => s.info(id)!.runtime - before[i]!);
    expect(got[2]).toBeGreaterThan(190);
    expect(got[2]).toBeLessThan(210);
    expect(got[1]! / got[0]!).toBeCloseTo(3, 1);
  });

  it('a waker that finds nothing runnable starts where the last runnable entity left off', () => {
    // 1 runs alone for 100 units while 2 sleeps, then blocks; 2 wakes into an idle CPU, 1 a unit later.
    // Keeping 2's old virtual time (nothing to compare with) would let it run ahead for 100 units.
    const s = new PrsmWeightScheduler(1);
    s.add(1, { weight: 1 }, 0);
    s.add(2, { weight: 1 }, 0);
    s.wake(1, 0);
    let t = 0;
    for (let k = 0; k < 100; k++) {
      s.pick(t);
      t += 1;
      s.account(1, 1, t);
    }
    s.block(1, t);
    expect(s.pick(t).id).toBe(null);
    s.wake(2, t);
    s.pick(t);
    t += 1;
    s.account(2, 1, t);
    s.wake(1, t);
    const before = [1, 2].map((id) => s.info(id)!.runtime);
    for (let k = 0; k < 40; k++) {
      const d = s.pick(t);
      t += 1;
      s.account(d.id!, 1, t);
    }
    const got = [1, 2].map((id, i) => s.info(id)!.runtime - before[i]!);
    expect(Math.abs(got[0]! - got[1]!)).toBeLessThanOrEqual(2);
  });

  it('the system virtual time follows the smallest runnable virtual time and never decreases', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.double({ min: 0, max: 1e6, noNaN: true })),
        ),
        (mins) => {
          let svt = 0;
          for (const m of mins) {
            const next = systemVirtualTime(svt, m);
            expect(next).toBeGreaterThanOrEqual(svt);
            expect(next).toBe(m === Number.POSITIVE_INFINITY ? svt : Math.max(svt, m));
            svt = next;
          }
        },
      ),
      { seed: 1999 },
    );
  });

  it("runs a workload in scheduler-bvt's discrete-event simulator: the heavier entity finishes first", () => {
    const s = createPrsmWeightScheduler(1);
    expect(createPrsmWeightScheduler(0).ok).toBe(false);
    if (!s.ok) return;
    const r = simulate(
      {
        entities: [
          { id: 1, params: { weight: 1 }, jobs: [{ at: 0, work: 40 }] },
          { id: 2, params: { weight: 3 }, jobs: [{ at: 0, work: 40 }] },
        ],
      },
      s.value,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const jobs = r.value.trace.jobs;
    const finish = (id: number) => jobs.find((j) => j.entity === id)!.finish;
    // Weight 3 gets three quarters of the CPU: 40 units done by about t = 53; then entity 1 alone.
    expect(finish(2)).toBeGreaterThan(50);
    expect(finish(2)).toBeLessThan(56);
    expect(finish(1)).toBe(80);
  });
});
