/**
 * A small seeded PRNG (mulberry32) for the differential-test generator: the
 * same seed gives the same programs on every machine, so a divergence found
 * in CI can be reproduced from its case id alone.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x100000000) * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /**
   * A 32-bit value biased towards the boundaries that break arithmetic:
   * 0, ±1, the signed and unsigned extremes, small numbers, powers of two.
   */
  interesting32(): number {
    switch (this.int(8)) {
      case 0:
        return this.pick([0, 1, -1, 0x7fffffff, 0x80000000 | 0, 0x7ffffffe, 0x80000001 | 0, 2, -2]);
      case 1:
        return this.range(0, 255);
      case 2:
        return -this.range(1, 255);
      case 3:
        return (1 << this.int(32)) | 0;
      case 4:
        return this.range(0, 0xffff);
      default:
        return this.u32() | 0;
    }
  }

  /** A 16-bit immediate biased the same way. */
  interesting16(): number {
    switch (this.int(5)) {
      case 0:
        return this.pick([0, 1, 0xffff, 0x7fff, 0x8000, 0xfffe]);
      case 1:
        return this.range(0, 31);
      default:
        return this.int(0x10000);
    }
  }
}
