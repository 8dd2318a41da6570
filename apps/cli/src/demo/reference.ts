/**
 * TypeScript references for what the bare-metal guest computes, so the demo
 * can say whether the simulated machine got it right. They are written the
 * plain way, independently of the guest's algorithm details (the guest's
 * sieve marks from i*i with BXLE; this one is the textbook sieve).
 */

/** π(n−1): the number of primes below `limit`, and the largest of them (0 if none). */
export function primesBelow(limit: number): { readonly count: number; readonly largest: number } {
  if (limit <= 2) return { count: 0, largest: 0 };
  const composite = new Uint8Array(limit);
  let count = 0;
  let largest = 0;
  for (let i = 2; i < limit; i++) {
    if (composite[i] === 1) continue;
    count++;
    largest = i;
    for (let j = i * i; j < limit; j += i) composite[j] = 1;
  }
  return { count, largest };
}

/** A start value whose Collatz chain is longer than that of every smaller start. */
export interface CollatzRecord {
  readonly start: number;
  /** Steps of n → n/2 (n even) or 3n+1 (n odd) until n = 1. */
  readonly steps: number;
}

/**
 * The record-setting starts below `limit` in increasing order (OEIS A006877
 * with their step counts, A006878); the last one is the longest chain.
 */
export function collatzRecords(limit: number): CollatzRecord[] {
  const records: CollatzRecord[] = [];
  let best = -1;
  for (let n = 1; n < limit; n++) {
    let x = n;
    let steps = 0;
    while (x !== 1) {
      x = x % 2 === 0 ? x / 2 : 3 * x + 1;
      steps++;
    }
    if (steps > best) {
      best = steps;
      records.push({ start: n, steps });
    }
  }
  return records;
}
