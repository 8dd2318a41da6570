/**
 * SimClock's cancel against a reference priority queue (a plain list scanned
 * for the earliest event): over random schedules, cancels (of pending, fired,
 * already cancelled and never issued ids), advances, and events that schedule
 * or cancel others when they fire, the clock fires the same events at the same
 * times in the same order (time, then order of scheduling), and reports the
 * same pending count and next event time after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimClock } from '@strachey/isa-core';

/** What an event does when it fires, besides being logged: cancel an id, schedule another event. */
interface Effect {
  readonly cancel: number | null;
  readonly schedule: { readonly delay: number; readonly effect: Effect | null } | null;
}

type Step =
  | { readonly kind: 'schedule'; readonly delay: number; readonly effect: Effect | null }
  | { readonly kind: 'cancel'; readonly id: number }
  | { readonly kind: 'advance'; readonly by: number };

// Few distinct times, so ties are common; negative delays schedule in the past (clamped to now).
const delay = fc.integer({ min: -3, max: 12 });
const effect: fc.Arbitrary<Effect | null> = fc.option(
  fc.record({
    cancel: fc.option(fc.integer({ min: 0, max: 40 })),
    schedule: fc.option(fc.record({ delay, effect: fc.constant(null) })),
  }),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('schedule' as const), delay, effect }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('cancel' as const), id: fc.integer({ min: 0, max: 40 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), by: fc.integer({ min: 0, max: 8 }) }),
  },
);

interface RefEvent {
  readonly at: number;
  readonly id: number;
  readonly effect: Effect | null;
}

/** The reference: pending events in the order scheduled; the earliest time wins, the first scheduled among equals. */
class Reference {
  time = 0;
  private nextId = 1;
  readonly pending: RefEvent[] = [];
  constructor(private readonly log: [number, number][]) {}

  schedule(at: number, effect: Effect | null): number {
    const id = this.nextId++;
    this.pending.push({ at: Math.max(at, this.time), id, effect });
    return id;
  }

  cancel(id: number): void {
    const i = this.pending.findIndex((e) => e.id === id);
    if (i >= 0) this.pending.splice(i, 1);
  }

  private earliest(): number {
    let best = -1;
    for (let i = 0; i < this.pending.length; i++)
      if (best < 0 || this.pending[i]!.at < this.pending[best]!.at) best = i;
    return best;
  }

  nextEventTime(): number {
    const i = this.earliest();
    return i < 0 ? Number.POSITIVE_INFINITY : this.pending[i]!.at;
  }

  advanceTo(target: number): void {
    for (;;) {
      const i = this.earliest();
      if (i < 0 || this.pending[i]!.at > target) break;
      const [ev] = this.pending.splice(i, 1);
      this.time = Math.max(this.time, ev!.at);
      this.log.push([ev!.id, this.time]);
      apply(ev!.effect, this);
    }
    if (target > this.time) this.time = target;
  }
}

interface Schedules {
  time: number;
  schedule(at: number, effect: Effect | null): number;
  cancel(id: number): void;
}

function apply(e: Effect | null, on: Schedules): void {
  if (e === null) return;
  if (e.cancel !== null) on.cancel(e.cancel);
  if (e.schedule !== null) on.schedule(on.time + e.schedule.delay, e.schedule.effect);
}

/** The clock under test, its events logging (id, time) and applying their effects to it. */
function clockUnderTest(log: [number, number][]): Schedules & { readonly clock: SimClock } {
  const clock = new SimClock(1);
  const self = {
    clock,
    get time(): number {
      return clock.now();
    },
    schedule(at: number, e: Effect | null): number {
      const id: number = clock.schedule(at, () => {
        log.push([id, clock.now()]);
        apply(e, self);
      });
      return id;
    },
    cancel(id: number): void {
      clock.cancel(id);
    },
  };
  return self;
}

describe('SimClock cancel', () => {
  it('fires what a reference priority queue fires, in the same order and at the same times', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const got: [number, number][] = [];
        const want: [number, number][] = [];
        const c = clockUnderTest(got);
        const r = new Reference(want);
        for (const s of steps) {
          if (s.kind === 'schedule')
            expect(c.schedule(c.time + s.delay, s.effect)).toBe(r.schedule(r.time + s.delay, s.effect));
          else if (s.kind === 'cancel') {
            c.cancel(s.id);
            r.cancel(s.id);
          } else {
            c.clock.advanceTo(c.time + s.by);
            r.advanceTo(r.time + s.by);
          }
          expect(got).toEqual(want);
          expect(c.clock.now()).toBe(r.time);
          expect(c.clock.pendingEvents).toBe(r.pending.length);
          expect(c.clock.nextEventTime()).toBe(r.nextEventTime());
        }
        c.clock.advanceTo(c.time + 100);
        r.advanceTo(r.time + 100);
        expect(got).toEqual(want);
        expect(c.clock.pendingEvents).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('an event cancelled twice, or after it fired, changes nothing', () => {
    const clock = new SimClock(1);
    const fired: number[] = [];
    const a = clock.schedule(5, () => fired.push(5));
    clock.schedule(7, () => fired.push(7));
    clock.cancel(a);
    clock.cancel(a);
    expect(clock.pendingEvents).toBe(1);
    clock.advanceTo(10);
    const b = clock.schedule(12, () => fired.push(12));
    clock.advanceTo(12);
    clock.cancel(b);
    expect(clock.pendingEvents).toBe(0);
    expect(fired).toEqual([7, 12]);
  });
});
