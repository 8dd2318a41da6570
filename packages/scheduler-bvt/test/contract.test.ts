/**
 * Every policy passes the exported Scheduler contract, and the contract
 * catches a scheduler that breaks it.
 */
import { describe, expect, it } from 'vitest';
import { createBvt, createCredit, createRoundRobin, type Scheduler } from '../src/index';
import { schedulerContract } from '../src/testing/index';
import { must } from './helpers';

const subjects: [string, () => Scheduler][] = [
  ['bvt (paper)', () => must(createBvt({ ctxAllow: 1 }))],
  ['bvt (allowance)', () => must(createBvt({ ctxAllow: 2, wakePreemption: 'allowance' }))],
  [
    'bvt (xen, charging unit)',
    () => must(createBvt({ ctxAllow: 2, wakePreemption: 'xen', chargingUnit: 0.5 })),
  ],
  ['round-robin', () => must(createRoundRobin({ slice: 1 }))],
  ['credit', () => must(createCredit({ slice: 1, period: 3 }))],
  ['credit (boost)', () => must(createCredit({ slice: 2, period: 6, boost: true }))],
];

describe.each(subjects)('%s passes the Scheduler contract', (_name, make) => {
  for (const c of schedulerContract(make)) it(c.name, c.run);
});

describe('the contract has teeth', () => {
  it('fails a scheduler that keeps choosing the first entity it ever ran', () => {
    const broken = (): Scheduler => {
      const inner = must(createRoundRobin({ slice: 1 }));
      let first: number | null = null;
      return {
        policy: inner.policy,
        add: (id, p, now) => inner.add(id, p, now),
        remove: (id, now) => inner.remove(id, now),
        setParams: (id, p, now) => inner.setParams(id, p, now),
        wake: (id, now) => inner.wake(id, now),
        block: (id, now, kind) => inner.block(id, now, kind),
        account: (id, ran, now) => inner.account(id, ran, now),
        pick(now) {
          const d = inner.pick(now);
          if (first === null) first = d.id;
          return { ...d, id: first };
        },
        running: () => inner.running(),
        info: (id) => inner.info(id),
        entities: () => inner.entities(),
      };
    };
    const failures = schedulerContract(broken).filter((c) => {
      try {
        c.run();
        return false;
      } catch {
        return true;
      }
    });
    expect(failures.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'chooses only runnable entities, and one whenever any is runnable',
        'starves nobody: five equal CPU-bound entities each run within 50 decisions',
      ]),
    );
  });
});
