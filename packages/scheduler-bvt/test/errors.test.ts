/**
 * Bad input is refused with an error value naming the entity and field —
 * the same way by every policy, so a policy switch can never meet an entity
 * the new policy rejects.
 */
import { describe, expect, it } from 'vitest';
import {
  createBvt,
  createCredit,
  createRoundRobin,
  type EntityParams,
  formatSchedError,
  type Scheduler,
  simulate,
} from '../src/index';
import { code, must } from './helpers';

const factories: [string, () => Scheduler][] = [
  ['bvt', () => must(createBvt({ ctxAllow: 1 }))],
  ['round-robin', () => must(createRoundRobin({ slice: 1 }))],
  ['credit', () => must(createCredit({ slice: 3, period: 3 }))],
];

const badParams: [EntityParams, string, string][] = [
  [{ weight: 0 }, 'WEIGHT_NOT_POSITIVE', 'weight'],
  [{ weight: -2 }, 'WEIGHT_NOT_POSITIVE', 'weight'],
  [{ weight: Number.NaN }, 'NOT_FINITE', 'weight'],
  [{ weight: Number.POSITIVE_INFINITY }, 'NOT_FINITE', 'weight'],
  [{ warp: -1 }, 'NEGATIVE_WARP', 'warp'],
  [{ warp: Number.NaN }, 'NOT_FINITE', 'warp'],
  [{ warpLimit: 3 }, 'WARP_LIMIT_WITHOUT_WARP', 'warpLimit'],
  [{ warp: 0, warpLimit: 3 }, 'WARP_LIMIT_WITHOUT_WARP', 'warpLimit'],
  [{ warp: 2, warpLimit: 0 }, 'WARP_LIMIT_NOT_POSITIVE', 'warpLimit'],
  [{ warp: 2, warpLimit: Number.POSITIVE_INFINITY }, 'NOT_FINITE', 'warpLimit'],
  [{ unwarpRequirement: 1 }, 'UNWARP_WITHOUT_WARP', 'unwarpRequirement'],
  [{ warp: 2, unwarpRequirement: -1 }, 'NEGATIVE_UNWARP', 'unwarpRequirement'],
  [{ cap: -5 }, 'CAP_OUT_OF_RANGE', 'cap'],
];

describe.each(factories)('%s refuses bad input', (_name, make) => {
  it.each(badParams)('params %j → %s', (params, expected, field) => {
    const r = make().add(7, params, 0);
    expect(code(r)).toBe(expected);
    if (!r.ok) {
      expect(r.error).toMatchObject({ entity: 7, field });
      expect(formatSchedError(r.error)).toContain(`entity 7, field ${field}`);
    }
  });

  it('refuses malformed and duplicate ids, and unknown ids everywhere', () => {
    const s = make();
    expect(code(s.add(-1, {}, 0))).toBe('INVALID_ID');
    expect(code(s.add(1.5, {}, 0))).toBe('INVALID_ID');
    must(s.add(1, {}, 0));
    expect(code(s.add(1, {}, 0))).toBe('DUPLICATE_ID');
    expect(code(s.wake(9, 0))).toBe('UNKNOWN_ID');
    expect(code(s.block(9, 0))).toBe('UNKNOWN_ID');
    expect(code(s.account(9, 0, 0))).toBe('UNKNOWN_ID');
    expect(code(s.remove(9, 0))).toBe('UNKNOWN_ID');
    expect(code(s.setParams(9, {}, 0))).toBe('UNKNOWN_ID');
    expect(s.info(9)).toBeUndefined();
  });

  it('refuses time going backwards, charging the wrong entity or too much, and double blocks', () => {
    const s = make();
    must(s.add(1, {}, 0));
    must(s.add(2, {}, 0));
    must(s.wake(1, 5));
    expect(code(s.wake(2, 4))).toBe('TIME_WENT_BACKWARDS');
    expect(code(s.wake(2, Number.NaN))).toBe('NOT_FINITE');
    expect(() => s.pick(4)).toThrow(RangeError);
    expect(s.pick(5).id).toBe(1);
    expect(code(s.account(2, 1, 6))).toBe('NOT_RUNNING');
    expect(code(s.account(1, 2, 6))).toBe('OVERCHARGE');
    expect(code(s.account(1, -1, 6))).toBe('NEGATIVE_RUN_TIME');
    expect(code(s.account(1, Number.NaN, 6))).toBe('NOT_FINITE');
    must(s.account(1, 1, 6));
    expect(code(s.block(2, 6))).toBe('NOT_RUNNABLE');
    expect(code(s.setParams(1, { weight: 0 }, 6))).toBe('WEIGHT_NOT_POSITIVE');
  });
});

describe('constructors refuse bad options', () => {
  it('BVT needs a positive finite C and charging unit and a known wake rule', () => {
    expect(code(createBvt({ ctxAllow: 0 }))).toBe('INVALID_OPTION');
    expect(code(createBvt({ ctxAllow: Number.POSITIVE_INFINITY }))).toBe('INVALID_OPTION');
    expect(code(createBvt({ ctxAllow: 1, chargingUnit: -1 }))).toBe('INVALID_OPTION');
    // @ts-expect-error: not a wake rule
    expect(code(createBvt({ ctxAllow: 1, wakePreemption: 'eager' }))).toBe('INVALID_OPTION');
  });

  it('round-robin and credit need positive slices and periods', () => {
    expect(code(createRoundRobin({ slice: 0 }))).toBe('INVALID_OPTION');
    expect(code(createCredit({ slice: 30, period: -1 }))).toBe('INVALID_OPTION');
  });

  it('simulate refuses malformed workloads', () => {
    const s = must(createBvt({ ctxAllow: 1 }));
    expect(code(simulate({ entities: [{ id: 1, params: {}, jobs: [{ at: 0, work: 0 }] }] }, s))).toBe(
      'INVALID_WORKLOAD',
    );
    expect(code(simulate({ entities: [{ id: 1, params: {}, jobs: [{ at: -1, work: 1 }] }] }, s))).toBe(
      'INVALID_WORKLOAD',
    );
    const dup = { entities: [1, 1].map((id) => ({ id, params: {}, jobs: [] })) };
    expect(code(simulate(dup, s))).toBe('DUPLICATE_ID');
    expect(code(simulate({ entities: [{ id: 1, params: { weight: -1 }, jobs: [] }] }, s))).toBe(
      'WEIGHT_NOT_POSITIVE',
    );
  });
});
