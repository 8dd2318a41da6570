/**
 * SimClock recycles its event records (a pool with a free list, ids found
 * through a hash table). Against a reference kept as a sorted array, random
 * schedule / cancel / advance sequences must fire the same events at the same
 * times in the same order (time, then order of scheduling), including when
 * the pool grows past its initial size, when ids collide in the table, and
 * when an id is cancelled after its event fired or was cancelled and its
 * record now carries another event (the other event must still fire).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimClock } from '@strachey/isa-core';

interface RefEvent {
  readonly at: number;
  readonly id: number;
}

/** Pending events kept sorted by (time, id): the front is the next to fire. */
class SortedReference {
  time = 0;
  private nextId = 1;
  readonly pending: RefEvent[] = [];

  schedule(at: number): number {
    const ev = { at: Math.max(at, this.time), id: this.nextId++ };
    let i = this.pending.length;
    while (
      i > 0 &&
      (this.pending[i - 1]!.at > ev.at ||
        (this.pending[i - 1]!.at === ev.at && this.pending[i - 1]!.id > ev.id))
    )
      i--;
    this.pending.splice(i, 0, ev);
    return ev.id;
  }

  cancel(id: number): void {
    const i = this.pending.findIndex((e) => e.id === id);
    if (i >= 0) this.pending.splice(i, 1);
  }

  /** Fire due events; `onFire` may schedule or cancel (as the clock's actions do). */
  advanceTo(target: number, onFire: (id: number) => void): void {
    while (this.pending.length > 0 && this.pending[0]!.at <= target) {
      const ev = this.pending.shift()!;
      this.time = Math.max(this.time, ev.at);
      onFire(ev.id);
    }
    if (target > this.time) this.time = target;
  }
}

type Step =
  | { readonly kind: 'schedule'; readonly delay: number; readonly chain: number | null }
  | { readonly kind: 'cancel'; readonly pick: number }
  | { readonly kind: 'advance'; readonly by: number };

/**
 * Delays mostly short (ties and reuse of records are common) with some far
 * ahead (long-lived events whose ids later collide in the table); `chain`
 * makes the event schedule another when it fires.
 */
const delay = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -2, max: 10 }) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 5000 }) },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('schedule' as const),
      delay,
      chain: fc.option(fc.integer({ min: 0, max: 6 })),
    }),
  },
  // Cancel an id picked among all ids issued so far: pending, fired, cancelled, or with a recycled record.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), by: fc.integer({ min: 0, max: 12 }) }),
  },
);

function runBoth(steps: readonly Step[]): void {
  const clock = new SimClock(1);
  const ref = new SortedReference();
  const got: [number, number][] = [];
  const want: [number, number][] = [];
  const issued: number[] = [];
  /** What each id does when it fires: schedule a follow-up `chain` cycles later. */
  const chains = new Map<number, number | null>();

  /** The clock's side: an event logs itself and schedules its follow-up on the clock only. */
  const scheduleOnClock = (at: number, chain: number | null): number => {
    const id: number = clock.schedule(at, () => {
      got.push([id, clock.now()]);
      if (chain !== null) scheduleOnClock(clock.now() + chain, null);
    });
    chains.set(id, chain);
    issued.push(id);
    return id;
  };
  const scheduleBoth = (at: number, chain: number | null): void => {
    expect(scheduleOnClock(at, chain)).toBe(ref.schedule(at));
  };
  /** The reference's side of a firing; follow-ups get the same ids as on the clock when the order agrees. */
  const refFire = (id: number): void => {
    want.push([id, ref.time]);
    const c = chains.get(id);
    if (c !== null && c !== undefined) ref.schedule(ref.time + c);
  };

  for (const s of steps) {
    if (s.kind === 'schedule') scheduleBoth(clock.now() + s.delay, s.chain);
    else if (s.kind === 'cancel') {
      if (issued.length === 0) continue;
      const id = issued[s.pick % issued.length]!;
      clock.cancel(id);
      ref.cancel(id);
    } else {
      // The reference does not run the clock's actions: replay what they schedule, in firing order.
      const target = clock.now() + s.by;
      const before = got.length;
      clock.advanceTo(target);
      const fired = got.slice(before).map(([id]) => id);
      let k = 0;
      ref.advanceTo(target, (id) => {
        expect(id).toBe(fired[k++]);
        refFire(id);
      });
    }
    expect(got).toEqual(want);
    expect(clock.now()).toBe(ref.time);
    expect(clock.pendingEvents).toBe(ref.pending.length);
    expect(clock.nextEventTime()).toBe(
      ref.pending.length > 0 ? ref.pending[0]!.at : Number.POSITIVE_INFINITY,
    );
  }
  const end = clock.now() + 10_000;
  clock.advanceTo(end);
  ref.advanceTo(end, refFire);
  expect(got).toEqual(want);
  expect(clock.pendingEvents).toBe(0);
}

describe('SimClock event pool', () => {
  it('fires what a sorted reference fires, at the same times, in the same order', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => runBoth(steps)),
      { numRuns: 300 },
    );
  });

  it('keeps order with hundreds pending (the pool grows, ids collide in the table)', () => {
    const burst: fc.Arbitrary<Step[]> = fc.array(step, { minLength: 200, maxLength: 600 });
    fc.assert(
      fc.property(burst, (steps) => runBoth(steps)),
      { numRuns: 25 },
    );
  });

  it('a stale id does not cancel the event that now has its record', () => {
    const clock = new SimClock(1);
    const fired: string[] = [];
    const a = clock.schedule(1, () => fired.push('a'));
    clock.advanceTo(1);
    // b takes a's record (the most recently freed); cancelling a must leave b alone.
    const b = clock.schedule(2, () => fired.push('b'));
    clock.cancel(a);
    expect(clock.pendingEvents).toBe(1);
    const c = clock.schedule(3, () => fired.push('c'));
    clock.cancel(c);
    // d takes c's record: a second cancel of c is a no-op.
    clock.schedule(3, () => fired.push('d'));
    clock.cancel(c);
    clock.advanceTo(10);
    expect(fired).toEqual(['a', 'b', 'd']);
    expect([a, b, c]).toEqual([1, 2, 3]);
  });

  it('an event can cancel its own id and reschedule itself while firing', () => {
    const clock = new SimClock(1);
    const times: number[] = [];
    let id = 0;
    let ticks = 0;
    const tick = (): void => {
      times.push(clock.now());
      clock.cancel(id); // already fired: nothing to cancel, and its record must not be hit
      if (++ticks < 5) id = clock.schedule(clock.now() + 3, tick);
    };
    id = clock.schedule(2, tick);
    const other = clock.schedule(9, () => times.push(-clock.now()));
    clock.advanceTo(20);
    expect(times).toEqual([2, 5, 8, -9, 11, 14]);
    expect(other).toBe(2);
  });

  it('ids that were never issued, negative, fractional or NaN cancel nothing', () => {
    const clock = new SimClock(1);
    const fired: number[] = [];
    for (let i = 0; i < 40; i++) clock.schedule(i, () => fired.push(i));
    for (const bogus of [0, -1, 41, 41 + 64, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 40])
      clock.cancel(bogus);
    expect(clock.pendingEvents).toBe(40);
    clock.advanceTo(100);
    expect(fired).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});
