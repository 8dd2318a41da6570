/**
 * Seeds for sweeps. A sweep has one seed; each point's seed is derived from
 * it and the point's index alone, so a point computes the same result
 * whichever worker thread, shard or machine runs it.
 */

/** splitmix32's finaliser: a well-mixed 32-bit value from any 32-bit input. */
function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** The seed of point `index` of a sweep seeded with `sweepSeed`. */
export function pointSeed(sweepSeed: number, index: number): number {
  return mix32(mix32(sweepSeed >>> 0) + Math.imul(index + 1, 0x9e3779b9));
}

/** A small deterministic generator (mulberry32) for workloads that need randomness. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** The next value in [0, 2^32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }
}
