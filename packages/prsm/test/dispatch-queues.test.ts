/**
 * The dispatcher's queues (ready-queue.ts, wake-queue.ts) against the
 * straightforward scans they replace: over random sequences of logical CPs
 * becoming ready (with a virtual time and a `readyAt`), leaving the queue,
 * partitions being held by their cap and released, and decisions at
 * advancing (and sometimes earlier) times, the ready queue picks the same
 * slot as a scan of every slot in tie-break order and reports the same
 * earliest later `readyAt` and smallest ready virtual time; the wake queue
 * pops in time order and reports the same earliest time as a scan. The
 * wake-up rule's floor, taken from the queue before the waker joins it, is
 * the reference's: the smallest virtual time of the *other* ready slots, or
 * the system virtual time when none is ready.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadyQueue, referenceSelect } from '../src/ready-queue';
import { WakeQueue } from '../src/wake-queue';
import { systemVirtualTime, wakeVirtualTime } from '../src/weight-policy';

type QueueOp =
  | { readonly kind: 'ready'; readonly slot: number; readonly vt: number; readonly readyAt: number }
  | { readonly kind: 'leave'; readonly slot: number }
  | { readonly kind: 'block'; readonly group: number; readonly blocked: boolean }
  | { readonly kind: 'select'; readonly dt: number };

/** Group sizes like partitions' logical-CP counts, some dedicated (0 slots). */
const groupsArb = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 });

function opsArb(slots: number, groups: number): fc.Arbitrary<QueueOp[]> {
  // Few distinct virtual times and times, so ties and "ready exactly now" happen often.
  const slot = fc.integer({ min: 0, max: Math.max(0, slots - 1) });
  return fc.array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant('ready' as const),
          slot,
          vt: fc.integer({ min: 0, max: 8 }).map((v) => v * 0.5),
          readyAt: fc.integer({ min: 0, max: 60 }),
        }),
      },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('leave' as const), slot }) },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('block' as const),
          group: fc.integer({ min: 0, max: groups - 1 }),
          blocked: fc.boolean(),
        }),
      },
      {
        weight: 4,
        // Mostly forward; now and then a decision earlier than the last (the queue's fallback path).
        arbitrary: fc.record({ kind: fc.constant('select' as const), dt: fc.integer({ min: -3, max: 8 }) }),
      },
    ),
    { minLength: 1, maxLength: 120 },
  );
}

describe('the ready queue', () => {
  it('picks what a scan of every logical CP in tie-break order picks', () => {
    fc.assert(
      fc.property(
        groupsArb.chain((sizes) => {
          const slots = sizes.reduce((a, b) => a + b, 0);
          return fc.tuple(
            fc.constant(sizes),
            slots === 0 ? fc.constant([] as QueueOp[]) : opsArb(slots, sizes.length),
          );
        }),
        ([sizes, ops]) => {
          const q = new ReadyQueue(sizes);
          const slots = q.size;
          // The model: per slot ready/vt/readyAt, per group blocked.
          const ready: boolean[] = new Array(slots).fill(false);
          const vt: number[] = new Array(slots).fill(0);
          const at: number[] = new Array(slots).fill(0);
          const group: number[] = sizes.flatMap((n, g) => new Array<number>(n).fill(g));
          const blocked: boolean[] = new Array(sizes.length).fill(false);
          let t = 0;
          for (const op of ops) {
            if (op.kind === 'ready') {
              ready[op.slot] = true;
              vt[op.slot] = op.vt;
              at[op.slot] = op.readyAt;
              q.setReady(op.slot, op.vt, op.readyAt);
            } else if (op.kind === 'leave') {
              ready[op.slot] = false;
              q.setNotReady(op.slot);
            } else if (op.kind === 'block') {
              blocked[op.group] = op.blocked;
              q.setBlocked(op.group, op.blocked);
            } else {
              t = Math.max(0, t + op.dt);
              const want = referenceSelect(
                slots,
                (s) => (ready[s] && !blocked[group[s]!] ? vt[s]! : null),
                (s) => at[s]!,
                t,
              );
              expect(q.select(t)).toBe(want.slot);
              expect(q.earliestLater).toBe(want.earliestLater);
            }
            let minReady = Number.POSITIVE_INFINITY;
            for (let s = 0; s < slots; s++) if (ready[s] && vt[s]! < minReady) minReady = vt[s]!;
            expect(q.minReadyVt).toBe(minReady);
          }
        },
      ),
      { numRuns: 300, seed: 1960 },
    );
  });

  it('breaks ties of virtual time by slot, the partition first in RESOURCE order', () => {
    const q = new ReadyQueue([2, 0, 3]);
    q.setReady(4, 1, 0);
    q.setReady(1, 1, 0);
    q.setReady(3, 1, 0);
    expect(q.select(0)).toBe(1);
    q.setBlocked(0, true);
    expect(q.select(0)).toBe(3);
    q.setNotReady(3);
    expect(q.select(0)).toBe(4);
    // Released at a later time by another physical CP: not before its time, but reported as the next.
    q.setBlocked(0, false);
    q.setReady(0, 0, 10);
    expect(q.select(5)).toBe(1);
    expect(q.earliestLater).toBe(10);
    expect(q.select(10)).toBe(0);
  });
});

describe("the wake-up rule's floor from the ready queue", () => {
  it('is the smallest virtual time of the other ready slots (the system virtual time when none), taken before the waker joins', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('wake' as const),
        slot: fc.integer({ min: 0, max: 7 }),
        vt: fc.integer({ min: 0, max: 40 }),
      }),
      fc.record({
        kind: fc.constant('run' as const),
        slot: fc.integer({ min: 0, max: 7 }),
        ran: fc.integer({ min: 0, max: 9 }),
      }),
      fc.record({ kind: fc.constant('leave' as const), slot: fc.integer({ min: 0, max: 7 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const q = new ReadyQueue([3, 5]);
        const ready: boolean[] = new Array(8).fill(false);
        const vt: number[] = new Array(8).fill(0);
        // A waker's own virtual time is drawn anew: it may be far behind (a long wait) or ahead (it ran before).
        let svt = 0; // the dispatcher's, from the queue
        let refSvt = 0; // the reference's, from a scan
        const scanMin = (except: number) => {
          let m = Number.POSITIVE_INFINITY;
          for (let s = 0; s < 8; s++) if (ready[s] && s !== except && vt[s]! < m) m = vt[s]!;
          return m;
        };
        for (const o of ops) {
          if (o.kind === 'wake') {
            if (ready[o.slot]) continue;
            // The dispatcher: floor first, then join. The reference: the others, by a scan.
            svt = systemVirtualTime(svt, q.minReadyVt);
            const got = wakeVirtualTime(o.vt, svt);
            const others = scanMin(o.slot);
            refSvt = others === Number.POSITIVE_INFINITY ? refSvt : Math.max(refSvt, others);
            expect(got).toBe(Math.max(o.vt, refSvt));
            // No banked credit: never below a runnable one, never below where the last one left off.
            if (others !== Number.POSITIVE_INFINITY) expect(got).toBeGreaterThanOrEqual(others);
            expect(got).toBeGreaterThanOrEqual(refSvt);
            ready[o.slot] = true;
            vt[o.slot] = got;
            q.setReady(o.slot, got, 0);
          } else if (o.kind === 'run') {
            // Runnable slots' virtual times only grow.
            if (!ready[o.slot]) continue;
            vt[o.slot] = vt[o.slot]! + o.ran;
            q.setReady(o.slot, vt[o.slot]!, 0);
          } else {
            if (!ready[o.slot]) continue;
            svt = systemVirtualTime(svt, q.minReadyVt);
            refSvt = Math.max(refSvt, scanMin(-1));
            ready[o.slot] = false;
            q.setNotReady(o.slot);
          }
          expect(svt).toBe(refSvt);
        }
      }),
      { numRuns: 300, seed: 1962 },
    );
  });
});

describe('the wake queue', () => {
  it('pops in time order and always knows the earliest time, as a scan does', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        id: fc.integer({ min: 0, max: 15 }),
        at: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(Number.POSITIVE_INFINITY)),
      }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 15 }) }),
      fc.record({ kind: fc.constant('popDue' as const), t: fc.integer({ min: 0, max: 40 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const w = new WakeQueue(16);
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            w.set(o.id, o.at);
            if (o.at === Number.POSITIVE_INFINITY) model.delete(o.id);
            else model.set(o.id, o.at);
          } else if (o.kind === 'remove') {
            w.remove(o.id);
            model.delete(o.id);
          } else {
            const popped: number[] = [];
            let last = Number.NEGATIVE_INFINITY;
            while (w.minKey <= o.t) {
              const k = w.minKey;
              expect(k).toBeGreaterThanOrEqual(last);
              last = k;
              popped.push(w.pop());
            }
            const due = [...model].filter(([, at]) => at <= o.t).map(([id]) => id);
            expect(popped.sort((a, b) => a - b)).toEqual(due.sort((a, b) => a - b));
            for (const id of due) model.delete(id);
          }
          expect(w.size).toBe(model.size);
          expect(w.minKey).toBe(Math.min(...model.values()));
          for (let id = 0; id < 16; id++) expect(w.keyOf(id)).toBe(model.get(id) ?? Number.POSITIVE_INFINITY);
        }
      }),
      { numRuns: 300, seed: 1961 },
    );
  });
});
