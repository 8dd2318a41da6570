/**
 * An indexed binary min-heap of entity slots, keyed by a float (a virtual
 * time) with a sequence number to break ties in first-come order. Indexed
 * (each slot knows its heap position) so that an entity leaving the run
 * queue — it blocks, is removed, or has its parameters changed — costs
 * O(log n) instead of a scan. Typed arrays keep it allocation-free after
 * growth; this is the scheduler's hot path.
 */
export class SlotHeap {
  private items: Int32Array;
  private pos: Int32Array;
  private keys: Float64Array;
  private seqs: Float64Array;
  private n = 0;

  constructor(capacity = 16) {
    this.items = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
    this.keys = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Make room for slot numbers below `slots`. */
  reserve(slots: number): void {
    if (slots <= this.pos.length) return;
    let cap = this.pos.length;
    while (cap < slots) cap *= 2;
    const items = new Int32Array(cap);
    items.set(this.items);
    this.items = items;
    const pos = new Int32Array(cap).fill(-1);
    pos.set(this.pos);
    this.pos = pos;
    const keys = new Float64Array(cap);
    keys.set(this.keys);
    this.keys = keys;
    const seqs = new Float64Array(cap);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }

  has(slot: number): boolean {
    return slot < this.pos.length && this.pos[slot]! >= 0;
  }

  key(slot: number): number {
    return this.keys[slot]!;
  }

  /** Smallest slot, or -1 when empty. */
  peek(): number {
    return this.n > 0 ? this.items[0]! : -1;
  }

  /** Key of the smallest slot (Infinity when empty). */
  peekKey(): number {
    return this.n > 0 ? this.keys[this.items[0]!]! : Number.POSITIVE_INFINITY;
  }

  /** Key of the second-smallest slot (Infinity if fewer than two). */
  peekSecondKey(): number {
    const n = this.n;
    if (n < 2) return Number.POSITIVE_INFINITY;
    const a = this.keys[this.items[1]!]!;
    return n > 2 ? Math.min(a, this.keys[this.items[2]!]!) : a;
  }

  /**
   * Insert `slot` and remove the smallest in one sift: returns `slot` itself
   * (not inserted) when it would be the smallest, otherwise the old top.
   */
  pushPop(slot: number, key: number, seq: number): number {
    this.reserve(slot + 1);
    this.keys[slot] = key;
    this.seqs[slot] = seq;
    if (this.n === 0 || this.less(slot, this.items[0]!)) return slot;
    const top = this.items[0]!;
    this.pos[top] = -1;
    this.items[0] = slot;
    this.pos[slot] = 0;
    this.down(0);
    return top;
  }

  push(slot: number, key: number, seq: number): void {
    this.reserve(slot + 1);
    this.keys[slot] = key;
    this.seqs[slot] = seq;
    const i = this.n++;
    this.items[i] = slot;
    this.pos[slot] = i;
    this.up(i);
  }

  /** Remove and return the smallest slot, or -1. */
  pop(): number {
    if (this.n === 0) return -1;
    const top = this.items[0]!;
    this.removeAt(0);
    return top;
  }

  /** Remove a slot wherever it is; no-op if absent. */
  remove(slot: number): void {
    if (!this.has(slot)) return;
    this.removeAt(this.pos[slot]!);
  }

  /** Change a queued slot's key (keeping its sequence number). */
  update(slot: number, key: number): void {
    const i = this.pos[slot]!;
    const old = this.keys[slot]!;
    this.keys[slot] = key;
    if (key < old) this.up(i);
    else this.down(i);
  }

  /** Every queued slot, in heap order (for inspection, not the hot path). */
  slots(): number[] {
    return Array.from(this.items.subarray(0, this.n));
  }

  private removeAt(i: number): void {
    const slot = this.items[i]!;
    this.pos[slot] = -1;
    const last = --this.n;
    if (i === last) return;
    const moved = this.items[last]!;
    this.items[i] = moved;
    this.pos[moved] = i;
    this.up(i);
    this.down(this.pos[moved]!);
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka < kb || (ka === kb && this.seqs[a]! < this.seqs[b]!);
  }

  private up(i: number): void {
    const items = this.items;
    const slot = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!this.less(slot, p)) break;
      items[i] = p;
      this.pos[p] = i;
      i = parent;
    }
    items[i] = slot;
    this.pos[slot] = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = this.n;
    const slot = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(items[r]!, items[l]!)) c = r;
      const child = items[c]!;
      if (!this.less(child, slot)) break;
      items[i] = child;
      this.pos[child] = i;
      i = c;
    }
    items[i] = slot;
    this.pos[slot] = i;
  }
}
