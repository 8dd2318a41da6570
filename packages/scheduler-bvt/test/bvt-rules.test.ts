/**
 * Duda & Cheriton's rules one at a time, driven through the Scheduler
 * protocol by hand. Every expected number below is worked out from the
 * paper's formulas in the comment next to it.
 */
import { describe, expect, it } from 'vitest';
import { type BlockKind, type BvtOptions, type BvtScheduler, createBvt } from '../src/index';
import { must } from './helpers';

const bvt = (o: BvtOptions): BvtScheduler => must(createBvt(o));

describe('BVT: the smallest effective virtual time runs', () => {
  it('dispatches by E, advances A by ran / w, and sizes the slice by C beyond the next E', () => {
    const s = bvt({ ctxAllow: 2 });
    must(s.add(1, { weight: 1 }, 0));
    must(s.add(2, { weight: 2 }, 0));
    must(s.add(3, { weight: 1 }, 0));
    for (const id of [1, 2, 3]) must(s.wake(id, 0));
    // All E = 0: first come first served; slice = (E_next − E_1)·w_1 + C = 0 + 2.
    let d = s.pick(0);
    expect(d).toMatchObject({ id: 1, until: 2, limit: 'slice', warped: false });
    must(s.account(1, 2, 2));
    expect(s.state(1)?.actual).toBe(2); // 2 / w=1
    // E = {1: 2, 2: 0, 3: 0}: entity 2 (queued before 3); slice = (0 − 0)·2 + 2.
    d = s.pick(2);
    expect(d).toMatchObject({ id: 2, until: 4 });
    must(s.account(2, 2, 4));
    expect(s.state(2)?.actual).toBe(1); // 2 / w=2: the heavier entity's clock runs slower
    // E = {1: 2, 2: 1, 3: 0}: entity 3; slice = (1 − 0)·1 + 2 = 3.
    d = s.pick(4);
    expect(d).toMatchObject({ id: 3, until: 7 });
    must(s.account(3, 3, 7));
    // E = {1: 2, 2: 1, 3: 3}: entity 2; slice = (2 − 1)·2 + 2 = 4.
    d = s.pick(7);
    expect(d).toMatchObject({ id: 2, until: 11 });
  });

  it('runs a lone entity without a bound and idles when nothing is runnable', () => {
    const s = bvt({ ctxAllow: 1 });
    expect(s.pick(0)).toMatchObject({ id: null, until: Number.POSITIVE_INFINITY });
    must(s.add(5, {}, 0));
    must(s.wake(5, 0));
    expect(s.pick(0)).toMatchObject({ id: 5, until: Number.POSITIVE_INFINITY, limit: 'none' });
  });
});

describe('BVT: scheduler virtual time on wake-up', () => {
  /**
   * Entities 1 and 2 runnable from 0; 1 runs one unit and blocks (`kind`),
   * 2 then runs 10 units alone (A2 = 10 = SVT, the only runnable entity),
   * and 1 wakes at 11.
   */
  function blockRunOtherWake(kind: BlockKind) {
    const s = bvt({ ctxAllow: 1 });
    must(s.add(1, {}, 0));
    must(s.add(2, {}, 0));
    must(s.wake(1, 0));
    must(s.wake(2, 0));
    expect(s.pick(0).id).toBe(1);
    must(s.account(1, 1, 1));
    must(s.block(1, 1, kind));
    expect(s.pick(1).id).toBe(2);
    must(s.account(2, 10, 11));
    const w = must(s.wake(1, 11));
    return { s, w };
  }

  it('sets A = max(A, SVT) after a voluntary sleep, so sleeping earns no credit', () => {
    const { s, w } = blockRunOtherWake('voluntary');
    expect(s.state(1)?.actual).toBe(10); // max(1, 10)
    // 'paper': C is ignored for a waker; E1 = 10 ≤ E2 = 10 → preempt now.
    expect(w.reschedule).toBe(11);
  });

  it('keeps A when it is already above SVT', () => {
    const s = bvt({ ctxAllow: 1 });
    must(s.add(1, {}, 0));
    must(s.add(2, {}, 0));
    must(s.wake(1, 0));
    expect(s.pick(0).id).toBe(1);
    must(s.account(1, 8, 8)); // A1 = 8
    must(s.block(1, 8));
    must(s.wake(2, 8)); // A2 = 0: nothing runnable at 8, last SVT was 0
    expect(s.pick(8).id).toBe(2);
    must(s.account(2, 3, 11)); // A2 = 3
    must(s.wake(1, 11));
    expect(s.state(1)?.actual).toBe(8); // max(8, 3)
  });

  it('keeps A after an involuntary stop (a page fault) so the entity catches up', () => {
    const { s } = blockRunOtherWake('involuntary');
    expect(s.state(1)?.actual).toBe(1);
    expect(s.svt(11)).toBe(1); // SVT is the minimum A over runnable entities
  });

  it('starts a newcomer at SVT', () => {
    const s = bvt({ ctxAllow: 1 });
    must(s.add(1, {}, 0));
    must(s.wake(1, 0));
    s.pick(0);
    must(s.account(1, 6, 6));
    must(s.add(2, {}, 6));
    expect(s.state(2)?.actual).toBe(6);
  });
});

describe('BVT: warp, warp-time limit and unwarp requirement', () => {
  it('runs a warped waker ahead with E = A − W', () => {
    const s = bvt({ ctxAllow: 1 });
    must(s.add(1, { warp: 5 }, 0));
    must(s.add(2, {}, 0));
    must(s.wake(2, 0));
    s.pick(0);
    must(s.account(2, 3, 3)); // A2 = 3
    const w = must(s.wake(1, 3)); // A1 = SVT = 3, warped: E1 = −2
    expect(s.state(1)).toMatchObject({ actual: 3, effective: -2, warped: true });
    expect(w.reschedule).toBe(3); // −2 ≤ 3
    // slice = (E2 − E1)·1 + C = (3 − (−2)) + 1 = 6.
    expect(s.pick(3)).toMatchObject({ id: 1, warped: true, until: 9, limit: 'slice' });
  });

  it('unwarps after L of running time; E jumps back to A', () => {
    const s = bvt({ ctxAllow: 1 });
    must(s.add(1, { warp: 5, warpLimit: 2 }, 0));
    must(s.add(2, {}, 0));
    must(s.wake(2, 0));
    s.pick(0);
    must(s.account(2, 3, 3));
    must(s.wake(1, 3));
    // The allowance would give until 9; the warp limit ends the warp at 3 + 2.
    expect(s.pick(3)).toMatchObject({ id: 1, warped: true, until: 5, limit: 'warp-limit' });
    must(s.account(1, 2, 5));
    expect(s.state(1)).toMatchObject({ actual: 5, effective: 5, warped: false, unwarpedAt: 5 });
    // E1 = 5 > E2 = 3: entity 2 runs, slice = (5 − 3) + 1.
    expect(s.pick(5)).toMatchObject({ id: 2, until: 8, warped: false });
  });

  it('does not warp again until U has passed since the unwarp', () => {
    const s = bvt({ ctxAllow: 1 });
    must(s.add(1, { warp: 5, warpLimit: 2, unwarpRequirement: 4 }, 0));
    must(s.add(2, {}, 0));
    must(s.wake(2, 0));
    s.pick(0);
    must(s.account(2, 3, 3));
    must(s.wake(1, 3));
    s.pick(3);
    must(s.account(1, 2, 5)); // unwarped at 5
    expect(s.pick(5).id).toBe(2);
    must(s.account(2, 1, 6));
    must(s.block(1, 6));
    must(s.account(2, 1, 7));
    must(s.wake(1, 7)); // 7 − 5 = 2 < U = 4
    expect(s.state(1)?.warped).toBe(false);
    must(s.block(1, 7));
    must(s.account(2, 2, 9));
    must(s.wake(1, 9)); // 9 − 5 = 4 ≥ U
    expect(s.state(1)?.warped).toBe(true);
  });

  it('unwarps at block, which starts the U clock', () => {
    const s = bvt({ ctxAllow: 1 });
    must(s.add(1, { warp: 5, unwarpRequirement: 3 }, 0));
    must(s.wake(1, 0));
    expect(s.state(1)?.warped).toBe(true);
    s.pick(0);
    must(s.account(1, 1, 1));
    must(s.block(1, 1));
    expect(s.state(1)).toMatchObject({ warped: false, unwarpedAt: 1 });
    must(s.wake(1, 2));
    expect(s.state(1)?.warped).toBe(false);
  });
});

describe('BVT: context-switch allowance C', () => {
  // Entity 2 runs from 0; at 3 (A2 = 3) entity 1 wakes with A1 = SVT = 3.
  function scene(
    wakePreemption: BvtOptions['wakePreemption'],
    warp?: number,
  ): { s: BvtScheduler; at: number } {
    const s = bvt({ ctxAllow: 4, ...(wakePreemption ? { wakePreemption } : {}) });
    must(s.add(1, warp === undefined ? {} : { warp }, 0));
    must(s.add(2, {}, 0));
    must(s.wake(2, 0));
    s.pick(0);
    must(s.account(2, 3, 3));
    return { s, at: must(s.wake(1, 3)).reschedule };
  }

  it("'paper': C is ignored for a waker whose E is not above the runner's", () => {
    expect(scene('paper').at).toBe(3); // E1 = 3 ≤ E2 = 3
    expect(scene('paper', 2).at).toBe(3); // E1 = 1
  });

  it("'allowance': the waker preempts once E_w ≤ E_run − C / w_run", () => {
    expect(scene('allowance').at).toBe(7); // 3 + (3 − 3)·1 + 4
    expect(scene('allowance', 2).at).toBe(5); // 3 + (1 − 3)·1 + 4
  });

  it("'xen': the runner keeps the CPU for C after its dispatch", () => {
    expect(scene('xen').at).toBe(4); // max(3, 0 + 4)
    expect(scene('xen', 2).at).toBe(4);
  });

  it('hands the CPU to the waker at the reschedule time', () => {
    const { s, at } = scene('allowance', 2);
    must(s.account(2, at - 3, at)); // A2 = 5, E1 = 1
    expect(s.pick(at)).toMatchObject({ id: 1, warped: true });
  });

  it('leaves the running decision alone when it already ends sooner', () => {
    const s = bvt({ ctxAllow: 4, wakePreemption: 'allowance' });
    for (const id of [1, 2, 3]) must(s.add(id, {}, 0));
    must(s.wake(2, 0));
    must(s.wake(3, 0));
    expect(s.pick(0)).toMatchObject({ id: 2, until: 4 });
    must(s.account(2, 1, 1));
    // A1 = SVT = min(A2 = 1, A3 = 0) = 0; allowance: 1 + (0 − 1) + 4 = 4, not before 4.
    expect(must(s.wake(1, 1)).reschedule).toBe(Number.POSITIVE_INFINITY);
  });

  it('charges whole charging units per dispatch, as Xen charges whole MCUs', () => {
    const s = bvt({ ctxAllow: 1, chargingUnit: 10 });
    must(s.add(1, {}, 0));
    must(s.wake(1, 0));
    s.pick(0);
    must(s.account(1, 3, 3));
    expect(s.state(1)?.actual).toBe(10);
    must(s.account(1, 4, 7));
    expect(s.state(1)?.actual).toBe(10); // 7 ran: still one unit
    must(s.account(1, 4, 11));
    expect(s.state(1)?.actual).toBe(20); // 11 ran: two units
  });
});
