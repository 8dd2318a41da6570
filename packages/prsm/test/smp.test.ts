import { describe, expect, it } from 'vitest';
import { runSmpScaling } from '../src/index';
import { must } from './fixtures';

describe('SMP scaling (seed fig. 12.1.1), emergent from a guest contending on a kernel lock', () => {
  it('loses about n on a 2-way, peaks, then falls; a smaller n peaks later', () => {
    const ten = must(runSmpScaling({ n: 0.1, cpus: [1, 2, 3, 4, 5, 6, 8], ms: 1.5 }));
    const five = must(runSmpScaling({ n: 0.05, cpus: [1, 2, 3, 4, 5, 6, 8], ms: 1.5 }));
    const at = (c: typeof ten, cpus: number) => c.points.find((p) => p.cpus === cpus)!.relative;
    // The 2-way delivers twice a 1-way minus n (contention adds a little on top).
    expect(at(ten, 2)).toBeGreaterThan(1.74);
    expect(at(ten, 2)).toBeLessThan(1.86);
    expect(at(five, 2)).toBeGreaterThan(1.86);
    expect(at(five, 2)).toBeLessThan(1.95);
    // The curves rise, flatten and fall: the peak is inside the range, not at its end.
    expect(ten.peak).toBeGreaterThanOrEqual(3);
    expect(ten.peak).toBeLessThanOrEqual(5);
    expect(at(ten, 8)).toBeLessThan(at(ten, ten.peak));
    expect(five.peak).toBeGreaterThan(ten.peak);
    expect(at(five, ten.peak)).toBeGreaterThan(at(ten, ten.peak));
  });
});
