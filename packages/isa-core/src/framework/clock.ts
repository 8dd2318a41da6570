/**
 * One simulated clock per machine. Time is counted in CPU cycles of the
 * configured machine model (a double, exact up to 2^53 cycles) and converted to
 * nanoseconds through the model's frequency. Devices and timers schedule
 * events on it; the machine's run loop fires them in order of time, ties broken
 * by the order they were scheduled, so a run is deterministic. Wall-clock time
 * never enters.
 */
export interface Clock {
  /** Current simulated time in cycles. */
  now(): number;
  /** Cycles per microsecond of the machine model (its MHz). */
  readonly cyclesPerMicrosecond: number;
  /** Schedule `action` at absolute simulated time `at` (cycles); returns an id for cancel(). */
  schedule(at: number, action: () => void): number;
  cancel(id: number): void;
}

/** An action slot with nothing to run: keeps the action array of one element kind. */
function idle(): void {}

/** Initial number of event records; the pool doubles when more are pending at once. */
const INITIAL_CAPACITY = 16;

/**
 * A discrete-event clock: a binary heap of events ordered by (time, order of
 * scheduling). `advanceTo(t)` fires every event due at or before `t`, moving
 * `now()` to each event's time as it fires, and ends at `t`.
 *
 * A device event is scheduled some 5,000 times per million guest
 * instructions of an I/O-bound guest, so scheduling allocates nothing once
 * the pool is as large as the most events ever pending at once: events are
 * records in parallel typed arrays (a struct of arrays), recycled through a
 * free list, the heap holds record numbers, and ids find their record
 * through an open-addressing table of typed arrays instead of a Map. Ids
 * are still 1, 2, 3, ... in order of scheduling and never reused, so an id
 * whose event fired or was cancelled is simply not in the table: it can
 * never reach a record that now belongs to another event.
 */
export class SimClock implements Clock {
  readonly cyclesPerMicrosecond: number;
  private time = 0;
  private nextId = 1;

  // Event records, by record number. An event's id doubles as its order of scheduling (ties in time).
  private at = new Float64Array(INITIAL_CAPACITY);
  private idOf = new Float64Array(INITIAL_CAPACITY);
  /** Where the record sits in `heap`, or -1 when it is free. */
  private heapPos = new Int32Array(INITIAL_CAPACITY).fill(-1);
  private actions: (() => void)[] = Array.from({ length: INITIAL_CAPACITY }, () => idle);
  /** Free record numbers, used last-in first-out (deterministic, and the most recently used record is warm). */
  private free = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
  private capacity = 0;

  /** Record numbers in heap order; the first `size` are the pending events. */
  private heap = new Int32Array(INITIAL_CAPACITY);
  private size = 0;

  /**
   * Pending ids to record numbers: linear probing on `id & mask`. Ids are
   * consecutive, so the pending ones rarely collide; 0 marks an empty bucket
   * (ids start at 1); removal shifts the probe run back, so no tombstones.
   */
  private keys = new Float64Array(2 * INITIAL_CAPACITY);
  private vals = new Int32Array(2 * INITIAL_CAPACITY);
  private mask = 2 * INITIAL_CAPACITY - 1;

  constructor(cyclesPerMicrosecond = 1000) {
    if (!(cyclesPerMicrosecond > 0)) throw new RangeError('cyclesPerMicrosecond must be positive');
    this.cyclesPerMicrosecond = cyclesPerMicrosecond;
    this.addRecords(INITIAL_CAPACITY);
  }

  now(): number {
    return this.time;
  }

  /** Time of the earliest pending event, or Infinity. */
  nextEventTime(): number {
    return this.size > 0 ? this.at[this.heap[0]!]! : Number.POSITIVE_INFINITY;
  }

  get pendingEvents(): number {
    return this.size;
  }

  schedule(at: number, action: () => void): number {
    const id = this.nextId++;
    if (this.freeCount === 0) this.grow();
    const r = this.free[--this.freeCount]!;
    this.at[r] = Math.max(at, this.time);
    this.idOf[r] = id;
    this.actions[r] = action;
    this.insertKey(id, r);
    const i = this.size++;
    this.heap[i] = r;
    this.heapPos[r] = i;
    this.siftUp(i);
    return id;
  }

  cancel(id: number): void {
    const b = this.findKey(id);
    if (b < 0) return;
    const r = this.vals[b]!;
    this.removeBucket(b);
    this.removeFromHeap(this.heapPos[r]!);
    this.release(r);
  }

  /** Fire every event due at or before `target`, then set the time to `target`. */
  advanceTo(target: number): void {
    while (this.size > 0) {
      const r = this.heap[0]!;
      const at = this.at[r]!;
      if (at > target) break;
      const action = this.actions[r]!;
      this.removeBucket(this.findKey(this.idOf[r]!));
      this.removeFromHeap(0);
      // Freed before it runs: the action may schedule (and reuse this record) or cancel its own, now stale, id.
      this.release(r);
      this.time = Math.max(this.time, at);
      action();
    }
    if (target > this.time) this.time = target;
  }

  /** Nanoseconds of simulated time for a number of cycles. */
  cyclesToNs(cycles: number): number {
    return (cycles * 1000) / this.cyclesPerMicrosecond;
  }

  private release(r: number): void {
    this.heapPos[r] = -1;
    this.actions[r] = idle; // drop the closure so the clock keeps nothing of a finished device alive
    this.free[this.freeCount++] = r;
  }

  /** Double the pool (and the id table with it): the only allocation, when more events are pending than ever before. */
  private grow(): void {
    const old = this.capacity;
    const n = old * 2;
    const at = new Float64Array(n);
    at.set(this.at);
    this.at = at;
    const idOf = new Float64Array(n);
    idOf.set(this.idOf);
    this.idOf = idOf;
    const heapPos = new Int32Array(n).fill(-1);
    heapPos.set(this.heapPos);
    this.heapPos = heapPos;
    const heap = new Int32Array(n);
    heap.set(this.heap);
    this.heap = heap;
    this.free = new Int32Array(n); // empty when growing
    for (let i = old; i < n; i++) this.actions.push(idle);
    // Rehash the pending ids into a table twice the pool's size.
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.keys = new Float64Array(2 * n);
    this.vals = new Int32Array(2 * n);
    this.mask = 2 * n - 1;
    for (let b = 0; b < oldKeys.length; b++) if (oldKeys[b] !== 0) this.insertKey(oldKeys[b]!, oldVals[b]!);
    this.addRecords(n);
  }

  /** Make records capacity..n-1 free, the lowest number to be used first. */
  private addRecords(n: number): void {
    for (let r = n - 1; r >= this.capacity; r--) this.free[this.freeCount++] = r;
    this.capacity = n;
  }

  private insertKey(id: number, r: number): void {
    const keys = this.keys;
    const mask = this.mask;
    let b = id & mask;
    while (keys[b] !== 0) b = (b + 1) & mask;
    keys[b] = id;
    this.vals[b] = r;
  }

  /** The bucket holding `id`, or -1 (an id never issued, or one that fired or was cancelled). */
  private findKey(id: number): number {
    // Not a positive integer: never an id (and `id & mask` would alias a real one).
    if (!(id >= 1) || id !== Math.floor(id)) return -1;
    const keys = this.keys;
    const mask = this.mask;
    let b = id & mask;
    for (;;) {
      const k = keys[b]!;
      if (k === id) return b;
      if (k === 0) return -1;
      b = (b + 1) & mask;
    }
  }

  /** Empty bucket `b`, moving later entries of its probe run back so every lookup still finds its key. */
  private removeBucket(b: number): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let hole = b;
    let j = b;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j]!;
      if (k === 0) break;
      const home = k & mask;
      // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        keys[hole] = k;
        vals[hole] = vals[j]!;
        hole = j;
      }
    }
    keys[hole] = 0;
  }

  /** Remove the heap entry at position `i`, keeping the heap ordered. */
  private removeFromHeap(i: number): void {
    const last = --this.size;
    if (i === last) return;
    const r = this.heap[last]!;
    this.heap[i] = r;
    this.heapPos[r] = i;
    if (i > 0 && this.less(r, this.heap[(i - 1) >> 1]!)) this.siftUp(i);
    else this.siftDown(i);
  }

  /** Record a before record b: earlier time, or the same time and scheduled first. */
  private less(a: number, b: number): boolean {
    const ta = this.at[a]!;
    const tb = this.at[b]!;
    return ta < tb || (ta === tb && this.idOf[a]! < this.idOf[b]!);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const pos = this.heapPos;
    const r = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = heap[p]!;
      if (!this.less(r, q)) break;
      heap[i] = q;
      pos[q] = i;
      i = p;
    }
    heap[i] = r;
    pos[r] = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const pos = this.heapPos;
    const n = this.size;
    const r = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      const rr = l + 1;
      if (rr < n && this.less(heap[rr]!, heap[l]!)) m = rr;
      const c = heap[m]!;
      if (!this.less(c, r)) break;
      heap[i] = c;
      pos[c] = i;
      i = m;
    }
    heap[i] = r;
    pos[r] = i;
  }
}
