import { describe, expect, it } from 'vitest';
import { runSmpScaling, type SmpCurve, smpGuestSource, TICK_TRANSACTIONS } from '../src/index';
import { must } from './fixtures';

const at = (c: SmpCurve, cpus: number) => c.points.find((p) => p.cpus === cpus)!.relative;

describe('SMP scaling (seed fig. 12.1.1), emergent from a guest contending on a kernel lock', () => {
  const counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12];
  const ten = must(runSmpScaling({ n: 0.1, cpus: counts, ms: 1 }));
  const five = must(runSmpScaling({ n: 0.05, cpus: counts, ms: 1 }));

  it('a 2-way delivers twice a 1-way minus n: every added CPU costs each CPU n', () => {
    expect(at(ten, 2)).toBeGreaterThan(1.76);
    expect(at(ten, 2)).toBeLessThan(1.84);
    expect(at(five, 2)).toBeGreaterThan(1.87);
    expect(at(five, 2)).toBeLessThan(1.93);
  });

  it("up to its maximum the measured curve is the seed's N·(1 − n·(N − 1)), flattening", () => {
    for (const c of [ten, five]) {
      const rising = c.points.filter((p) => p.cpus <= c.peak);
      for (const p of rising) expect(Math.abs(p.relative - p.analytic)).toBeLessThan(0.05 * p.analytic);
      for (let i = 2; i < rising.length; i++) {
        expect(rising[i]!.relative - rising[i - 1]!.relative).toBeLessThan(
          rising[i - 1]!.relative - rising[i - 2]!.relative,
        );
      }
    }
  });

  it('then falls: waiters lengthen every lock handoff (a convoy)', () => {
    for (const c of [ten, five]) {
      expect(c.peak).toBeLessThan(12);
      expect(at(c, c.peak + 1)).toBeLessThan(at(c, c.peak));
      expect(at(c, 12)).toBeLessThan(at(c, c.peak) / 2);
    }
  });

  it('the useful maximum is about 4-5 CPUs at n = 10 % and about 8 at n = 5 %', () => {
    expect(ten.peak).toBeGreaterThanOrEqual(4);
    expect(ten.peak).toBeLessThanOrEqual(6);
    expect(five.peak).toBeGreaterThanOrEqual(7);
    expect(five.peak).toBeLessThanOrEqual(10);
    expect(five.peak).toBeGreaterThanOrEqual(ten.peak + 2);
  });

  it('maps n onto one cost unit: a line transfer is n·W, the tick looks at each other CPU for n of its time', () => {
    expect(ten.scanIterations).toBe(100);
    expect(five.scanIterations).toBe(50);
    const src = smpGuestSource(1000, 100, 4);
    expect(src).toMatch(new RegExp(`ENTRIES\\s+DC\\s+F'${TICK_TRANSACTIONS * 100 * 3}'`));
    expect(src).toMatch(/XFER\s+DC\s+F'100'/);
    // The tick is TICK_TRANSACTIONS·W one-cycle BCT iterations at 500 MHz, in TOD units (4096 per µs).
    expect(src).toMatch(new RegExp(`TICK\\s+DC\\s+F'${(TICK_TRANSACTIONS * 1000 * 4096) / 500}'`));
  });
});
