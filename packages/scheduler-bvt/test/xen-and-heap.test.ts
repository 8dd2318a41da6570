/**
 * The Xen-facing names map onto the paper's parameters so that A advances
 * exactly as Xen's avt (⌈ran / MCU⌉ × mcu_advance), with Xen's defaults;
 * and the run-queue heap orders like a sorted list (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createXenBvt, XEN_BVT, xenAdjdom, xenBvtCtl, xenBvtParams } from '../src/index';
import { SlotHeap } from '../src/heap';
import { code, must } from './helpers';

describe('Xen sched_bvt names', () => {
  it('maps mcu_advance, warp, warpl, warpu onto weight, W, L, U', () => {
    expect(
      must(
        xenBvtParams({ mcu_advance: 20, warpback: true, warp: 300, warpl: 5e6, warpu: 1e7, name: 'dom1' }),
      ),
    ).toEqual({
      name: 'dom1',
      weight: XEN_BVT.MCU / 20,
      warp: 300,
      warpLimit: 5e6,
      unwarpRequirement: 1e7,
    });
    // Xen 2.0 defaults: mcu_advance 10, warping off.
    expect(must(xenBvtParams({}))).toEqual({ weight: XEN_BVT.MCU / 10 });
    // warpl = 0 never lets a domain warp in Xen: mapped to no warp.
    expect(must(xenBvtParams({ warpback: true, warp: 5, warpl: 0 }))).toEqual({ weight: XEN_BVT.MCU / 10 });
    expect(code(xenBvtParams({ mcu_advance: 0 }))).toBe('WEIGHT_NOT_POSITIVE');
  });

  it('advances A by ⌈ran / MCU⌉ × mcu_advance and keeps a running domain for ctx_allow', () => {
    const s = must(createXenBvt());
    expect(s).toMatchObject({ ctxAllow: 5_000_000, chargingUnit: 100_000, wakePreemption: 'xen' });
    must(s.add(1, must(xenBvtParams({ mcu_advance: 10 })), 0));
    must(s.add(2, must(xenBvtParams({ mcu_advance: 10, warpback: true, warp: 1000 })), 0));
    must(s.wake(1, 0));
    s.pick(0);
    must(s.account(1, 250_000, 250_000)); // 2.5 MCU → 3 MCU × 10
    expect(s.state(1)?.actual).toBeCloseTo(30, 9);
    // A warped waker still waits until the runner has had ctx_allow.
    expect(must(s.wake(2, 250_000)).reschedule).toBe(5_000_000);
  });
});

describe('Xen control calls', () => {
  it('adjdom sets parameters by Xen names and bvt_ctl changes ctx_allow for later decisions', () => {
    const s = must(createXenBvt());
    must(s.add(1, {}, 0));
    must(xenAdjdom(s, 1, { mcu_advance: 5, warpback: true, warp: 50, warpl: 1e6, warpu: 2e6 }, 0));
    expect(s.info(1)?.params).toEqual({
      weight: XEN_BVT.MCU / 5,
      warp: 50,
      warpLimit: 1e6,
      unwarpRequirement: 2e6,
    });
    expect(code(xenAdjdom(s, 2, {}, 0))).toBe('UNKNOWN_ID');
    must(xenBvtCtl(s, { ctx_allow: 1_000_000 }));
    expect(s.ctxAllow).toBe(1_000_000);
    expect(code(xenBvtCtl(s, { ctx_allow: 0 }))).toBe('INVALID_OPTION');
    must(s.add(2, {}, 0));
    must(s.wake(2, 0));
    s.pick(0);
    // A waker now waits only the new ctx_allow after the runner's dispatch.
    expect(must(s.wake(1, 10)).reschedule).toBe(1_000_000);
  });
});

describe('SlotHeap', () => {
  it('pops in (key, sequence) order under pushes, push-pops, removals and key updates', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('push' as const),
        slot: fc.nat(40),
        key: fc.integer({ min: -5, max: 5 }),
      }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({
        kind: fc.constant('pushPop' as const),
        slot: fc.nat(40),
        key: fc.integer({ min: -5, max: 5 }),
      }),
      fc.record({ kind: fc.constant('remove' as const), slot: fc.nat(40) }),
      fc.record({
        kind: fc.constant('update' as const),
        slot: fc.nat(40),
        key: fc.integer({ min: -5, max: 5 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const heap = new SlotHeap(2);
        const model = new Map<number, { key: number; seq: number }>();
        let seq = 0;
        const modelMin = (): number => {
          let best = -1;
          for (const [slot, v] of model) {
            const b = best < 0 ? undefined : model.get(best)!;
            if (b === undefined || v.key < b.key || (v.key === b.key && v.seq < b.seq)) best = slot;
          }
          return best;
        };
        for (const o of ops) {
          if (o.kind === 'push') {
            if (model.has(o.slot)) continue;
            heap.push(o.slot, o.key, seq);
            model.set(o.slot, { key: o.key, seq: seq++ });
          } else if (o.kind === 'pushPop') {
            if (model.has(o.slot)) continue;
            model.set(o.slot, { key: o.key, seq });
            const want = modelMin();
            expect(heap.pushPop(o.slot, o.key, seq++)).toBe(want);
            model.delete(want);
          } else if (o.kind === 'pop') {
            const want = modelMin();
            expect(heap.pop()).toBe(want);
            model.delete(want);
          } else if (o.kind === 'remove') {
            heap.remove(o.slot);
            model.delete(o.slot);
          } else if (model.has(o.slot)) {
            heap.update(o.slot, o.key);
            model.get(o.slot)!.key = o.key;
          }
          expect(heap.size).toBe(model.size);
          expect(heap.peek()).toBe(modelMin());
          const keys = [...model.values()].map((v) => v.key).sort((a, b) => a - b);
          expect(heap.peekSecondKey()).toBe(keys.length > 1 ? keys[1] : Number.POSITIVE_INFINITY);
        }
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});
