import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Prsm, PrsmSnapshot } from '../src/index';
import { fourLpars, IDLE, machineFrom, must, SPIN } from './fixtures';

const NAMES = ['LP1', 'LP2', 'LP3', 'LP4'];

function state(m: Prsm) {
  return {
    counters: m.counters(),
    cpus: NAMES.flatMap((n) => m.logicalCps(n).map((l) => ({ psw: l.cpu.getPsw(), gpr: Array.from(l.cpu.gpr), state: l.state }))),
  };
}

describe('snapshot and restore', () => {
  it('a restored machine continues exactly as the original', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 99 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 50, max: 1500 }),
        fc.integer({ min: 50, max: 1500 }),
        fc.integer({ min: 0, max: 3 }),
        (weights, firstUs, secondUs, idle) => {
          const text = fourLpars(weights, { cps: 3, lcps: 2, capped: ['LP2'] });
          const a = machineFrom(text);
          for (const n of NAMES) {
            must(a.activate(n));
            must(a.ipl(n, { source: n === NAMES[idle] ? IDLE : SPIN, start: 'all' }));
          }
          a.run({ us: firstUs });
          const snap = JSON.parse(JSON.stringify(a.snapshot())) as PrsmSnapshot;
          a.run({ us: secondUs });
          const b = machineFrom(text);
          must(b.restore(snap));
          b.run({ us: secondUs });
          expect(state(b)).toEqual(state(a));
        },
      ),
      { numRuns: 8, seed: 2003 },
    );
  });

  it('refuses to restore into a machine that already runs partitions', () => {
    const m = machineFrom(fourLpars([1, 1, 1, 1]));
    must(m.activate('LP1'));
    const r = m.restore(m.snapshot());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('SNAPSHOT');
  });
});
