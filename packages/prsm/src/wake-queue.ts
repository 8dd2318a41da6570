/**
 * Step 5's other queue, the waiting logical CPs, ordered by the machine
 * time at which each can next wake by itself (its clock comparator or CPU
 * timer, as isa-core's `timerDeadline` bounds it; for a hosted kernel its
 * `nextWake`). An indexed binary min-heap over fixed ids (every logical CP
 * of the machine has one): set, remove and pop in O(log n), the earliest
 * time in O(1). Wake-ups by events (an I/O interruption made pending, a
 * SIGP from a sibling, an operator action) do not go through it: the
 * dispatcher checks the logical CPs those events concern.
 * Not exported from the package: the dispatcher's internals.
 */
export class WakeQueue {
  private readonly keys: Float64Array;
  /** heap position → id */
  private readonly heap: Int32Array;
  /** id → heap position, or -1 */
  private readonly pos: Int32Array;
  private n = 0;

  constructor(ids: number) {
    this.keys = new Float64Array(ids);
    this.heap = new Int32Array(ids);
    this.pos = new Int32Array(ids).fill(-1);
  }

  /** Ids in the queue. */
  get size(): number {
    return this.n;
  }

  /** Earliest wake time (Infinity when empty). */
  get minKey(): number {
    return this.n === 0 ? Number.POSITIVE_INFINITY : this.keys[this.heap[0]!]!;
  }

  has(id: number): boolean {
    return this.pos[id] !== -1;
  }

  keyOf(id: number): number {
    return this.pos[id] === -1 ? Number.POSITIVE_INFINITY : this.keys[id]!;
  }

  /** Queue `id` to wake at `at` (replacing its earlier time); Infinity removes it. */
  set(id: number, at: number): void {
    if (at === Number.POSITIVE_INFINITY) {
      this.remove(id);
      return;
    }
    const p = this.pos[id]!;
    if (p === -1) {
      this.keys[id] = at;
      this.heap[this.n] = id;
      this.pos[id] = this.n;
      this.n++;
      this.up(this.n - 1);
      return;
    }
    const old = this.keys[id]!;
    this.keys[id] = at;
    if (at < old) this.up(p);
    else if (at > old) this.down(p);
  }

  remove(id: number): void {
    const p = this.pos[id]!;
    if (p === -1) return;
    this.pos[id] = -1;
    this.n--;
    if (p === this.n) return;
    const last = this.heap[this.n]!;
    this.heap[p] = last;
    this.pos[last] = p;
    this.down(p);
    this.up(this.pos[last]!);
  }

  /** Remove and return the id with the earliest time (-1 when empty). */
  pop(): number {
    if (this.n === 0) return -1;
    const id = this.heap[0]!;
    this.remove(id);
    return id;
  }

  private up(i: number): void {
    const heap = this.heap;
    const keys = this.keys;
    const id = heap[i]!;
    const k = keys[id]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pid = heap[parent]!;
      if (keys[pid]! <= k) break;
      heap[i] = pid;
      this.pos[pid] = i;
      i = parent;
    }
    heap[i] = id;
    this.pos[id] = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const keys = this.keys;
    const n = this.n;
    const id = heap[i]!;
    const k = keys[id]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && keys[heap[c + 1]!]! < keys[heap[c]!]!) c++;
      const cid = heap[c]!;
      if (keys[cid]! >= k) break;
      heap[i] = cid;
      this.pos[cid] = i;
      i = c;
    }
    heap[i] = id;
    this.pos[id] = i;
  }
}
