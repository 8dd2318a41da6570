/**
 * The baselines: round-robin's FIFO rotation, and the credit scheduler's
 * weighted shares and caps (Xen credit: credit handed out per accounting
 * period by weight, clipped by the cap; a capped entity without credit is
 * parked until the next accounting).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCredit, createRoundRobin, simulate, statistics, type Workload } from '../src/index';
import { must } from './helpers';

const cpuBound = (params: { weight?: number; cap?: number }[]): Workload => ({
  entities: params.map((p, i) => ({ id: i, params: p, jobs: [{ at: 0, work: 1e9 }] })),
});

describe('round-robin', () => {
  it('rotates the FIFO queue one slice at a time', () => {
    const s = must(createRoundRobin({ slice: 4 }));
    for (const id of [1, 2, 3]) must(s.add(id, {}, 0));
    for (const id of [1, 2, 3]) must(s.wake(id, 0));
    const order: (number | null)[] = [];
    let t = 0;
    for (let k = 0; k < 7; k++) {
      const d = s.pick(t);
      expect(d.until).toBe(t + 4);
      order.push(d.id);
      must(s.account(d.id!, 4, t + 4));
      t += 4;
    }
    expect(order).toEqual([1, 2, 3, 1, 2, 3, 1]);
  });

  it('puts a waker at the tail and preempts only an idle CPU', () => {
    const s = must(createRoundRobin({ slice: 5 }));
    for (const id of [1, 2, 3]) must(s.add(id, {}, 0));
    expect(must(s.wake(1, 0)).reschedule).toBe(0); // idle CPU
    expect(s.pick(0).id).toBe(1);
    must(s.wake(2, 0));
    must(s.account(1, 2, 2));
    expect(must(s.wake(3, 2)).reschedule).toBe(Number.POSITIVE_INFINITY);
    expect(s.queue()).toEqual([2, 3]);
    must(s.block(2, 2)); // a queued entity leaves the queue
    expect(s.queue()).toEqual([3]);
    must(s.account(1, 3, 5));
    expect(s.pick(5).id).toBe(3);
    expect(s.queue()).toEqual([1]);
  });

  it('gives equal shares whatever the weights', () => {
    const { trace } = must(
      simulate(cpuBound([{ weight: 1 }, { weight: 9 }]), must(createRoundRobin({ slice: 3 })), {
        horizon: 600,
      }),
    );
    expect(statistics(trace).entities.map((e) => e.share)).toEqual([0.5, 0.5]);
  });
});

describe('credit', () => {
  it('shares the CPU in proportion to weights (fast-check, within 3 % after 400 periods)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }), (weights) => {
        const s = must(createCredit({ slice: 30, period: 30 }));
        const { trace } = must(
          simulate(cpuBound(weights.map((weight) => ({ weight }))), s, { horizon: 30 * 400 }),
        );
        const sum = weights.reduce((a, b) => a + b, 0);
        statistics(trace).entities.forEach((e, i) => {
          expect(Math.abs(e.share - weights[i]! / sum)).toBeLessThan(0.03);
        });
      }),
      { numRuns: 30, seed: 30 },
    );
  });

  it('holds a capped entity at its cap, alone or against others', () => {
    for (const cap of [10, 25, 50]) {
      const horizon = 30 * 400;
      const alone = must(
        simulate(cpuBound([{ cap }]), must(createCredit({ slice: 30, period: 30 })), { horizon }),
      );
      const aloneCpu = statistics(alone.trace).entities[0]!.cpu / horizon;
      expect(aloneCpu).toBeLessThanOrEqual(cap / 100 + 1e-9);
      expect(aloneCpu).toBeGreaterThan(cap / 100 - 0.01);
      const shared = must(
        simulate(
          cpuBound([{ cap, weight: 4 }, { weight: 1 }]),
          must(createCredit({ slice: 30, period: 30 })),
          { horizon },
        ),
      );
      const [capped, other] = statistics(shared.trace).entities;
      expect(capped!.cpu / horizon).toBeLessThanOrEqual(cap / 100 + 1e-9);
      // The cap does not waste the CPU while another entity wants it.
      expect((capped!.cpu + other!.cpu) / horizon).toBeCloseTo(1, 9);
    }
  });

  it('parks a capped entity without credit and wakes the dispatcher at the next accounting', () => {
    const s = must(createCredit({ slice: 30, period: 30 }));
    must(s.add(1, { cap: 20 }, 0));
    must(s.wake(1, 0));
    // No credit yet: parked; idle until the accounting at 30.
    expect(s.pick(0)).toMatchObject({ id: null, until: 30 });
    expect(s.credit(1)).toEqual({ credit: 0, parked: true });
    // At 30 it receives min(30·1/1, 30·20 %) = 6 and may run exactly that long.
    expect(s.pick(30)).toMatchObject({ id: 1, until: 36, limit: 'cap' });
  });

  it('lets a waker with credit preempt only when BOOST is on', () => {
    for (const boost of [false, true]) {
      const s = must(createCredit({ slice: 30, period: 30, boost }));
      must(s.add(1, {}, 0));
      must(s.add(2, {}, 0));
      must(s.wake(1, 0));
      must(s.wake(2, 0));
      expect(s.pick(0).id).toBe(1);
      must(s.account(1, 30, 30)); // accounting at 30: both get 15; 1 is at −15, 2 at +15
      expect(s.pick(30).id).toBe(2);
      must(s.account(2, 5, 35));
      must(s.block(2, 35));
      expect(s.pick(35).id).toBe(1);
      must(s.account(1, 1, 36));
      const w = must(s.wake(2, 36));
      expect(w.reschedule).toBe(boost ? 36 : Number.POSITIVE_INFINITY);
    }
  });
});
