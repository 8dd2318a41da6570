import { describe, expect, it } from 'vitest';
import { runSmpScaling, type SmpCurve, smpGuestSource } from '../src/index';
import { must } from './fixtures';

const at = (c: SmpCurve, cpus: number) => c.points.find((p) => p.cpus === cpus)!.relative;

describe('SMP scaling (seed fig. 12.1.1), emergent from a guest contending on a kernel lock', () => {
  const counts = [1, 2, 3, 4, 6, 7, 8, 10, 12];
  const ten = must(runSmpScaling({ n: 0.1, cpus: counts, ms: 1 }));
  const five = must(runSmpScaling({ n: 0.05, cpus: counts, ms: 1 }));

  it('a 2-way delivers twice a 1-way minus n: every added CPU costs each CPU n', () => {
    expect(at(ten, 2)).toBeGreaterThan(1.76);
    expect(at(ten, 2)).toBeLessThan(1.86);
    expect(at(five, 2)).toBeGreaterThan(1.87);
    expect(at(five, 2)).toBeLessThan(1.95);
  });

  it('the curves flatten (each added CPU adds less) up to a peak inside the range, then fall', () => {
    for (const c of [ten, five]) {
      expect(c.peak).toBeGreaterThan(2);
      expect(c.peak).toBeLessThan(12);
      const rising = c.points.filter((p) => p.cpus <= c.peak);
      for (let i = 2; i < rising.length; i++) {
        const gain =
          (rising[i]!.relative - rising[i - 1]!.relative) / (rising[i]!.cpus - rising[i - 1]!.cpus);
        const before =
          (rising[i - 1]!.relative - rising[i - 2]!.relative) / (rising[i - 1]!.cpus - rising[i - 2]!.cpus);
        expect(gain).toBeLessThan(before);
      }
      expect(at(c, 12)).toBeLessThan(at(c, c.peak));
    }
  });

  it("a smaller n is worth more CPUs: n = 5 % still gains where n = 10 % has fallen, and reaches the seed's 8", () => {
    expect(five.peak).toBeGreaterThan(ten.peak);
    expect(five.peak).toBeGreaterThanOrEqual(8);
    expect(at(five, ten.peak)).toBeGreaterThan(at(ten, ten.peak));
  });

  it('the guest pays one line transfer per other CPU outside the lock, and the lock holder one per waiter', () => {
    // The per-CPU part grows with N; the critical section's part is in units of one transfer.
    expect(smpGuestSource(1000, 111, 4)).toMatch(/ENTRIES\s+DC\s+F'333'/);
    expect(smpGuestSource(1000, 111, 4)).toMatch(/XFER\s+DC\s+F'111'/);
    expect(ten.scanIterations).toBe(111);
    expect(five.scanIterations).toBe(53);
  });
});
