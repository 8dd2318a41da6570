import { describe, expect, it } from 'vitest';
import { quickstart } from '../examples/quickstart';

describe('README example', () => {
  it("runs the seed's machine and measures shares near the weights", () => {
    const r = quickstart(100);
    // 100 ms holds eight 12.5 ms slices per CP: shares are within a slice's worth of the weights.
    expect(Math.abs(r.MVS2!.share - 0.1)).toBeLessThan(0.05);
    expect(Math.abs(r.MVS5!.share - 0.4)).toBeLessThan(0.05);
    expect(r.MVS5!.share).toBeGreaterThan(r.MVS4!.share);
    expect(r.MVS4!.share).toBeGreaterThan(r.MVS3!.share);
    expect(r.MVS3!.share).toBeGreaterThan(r.MVS2!.share);
  });
});
