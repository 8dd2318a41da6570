/**
 * The dispatcher's one ready queue (seed §12.4.2, step 1) as a structure
 * that answers in O(log n) what a scan of every logical CP answered in O(n):
 * the ready logical CP with the smallest virtual time (ties: the smallest
 * slot, i.e. partition in RESOURCE order, then CPU address), among those
 * whose partition is not held by its cap and whose `readyAt` has come.
 *
 * Slots are the shared logical CPs, numbered in the tie-break order, and
 * grouped by partition (a group is a contiguous run of slots) so a capped
 * partition's slots can leave and rejoin the selection together. Two
 * tournament trees (`SlotMinTree`) hold the selectable slots and all ready
 * slots (the second gives the smallest virtual time a waking logical CP
 * starts from). A slot released by a physical CP whose time is ahead of the
 * dispatching one (`readyAt` later than the decision) waits in a short
 * `later` list until a decision reaches its time; that list also gives the
 * earliest time one becomes selectable, for an idle physical CP.
 *
 * `select(t)` expects decision times that do not decrease (PR/SM's physical
 * CPs advance in time order); an earlier time falls back to the scan, so the
 * answer is the scan's in every case. `referenceSelect` is that scan.
 * Not exported from the package: the dispatcher's internals.
 */

/** Min by (key, slot) over a fixed number of slots; Infinity marks an empty slot. */
export class SlotMinTree {
  /** Leaves start here (a power of two). */
  private readonly base: number;
  private readonly keys: Float64Array;
  private readonly slots: Int32Array;

  constructor(slots: number) {
    let base = 1;
    while (base < slots) base <<= 1;
    this.base = base;
    this.keys = new Float64Array(2 * base).fill(Number.POSITIVE_INFINITY);
    this.slots = new Int32Array(2 * base);
    for (let i = 0; i < base; i++) this.slots[base + i] = i;
    for (let i = base - 1; i >= 1; i--) this.slots[i] = this.slots[2 * i]!;
  }

  /** Smallest key (Infinity when every slot is empty). */
  get minKey(): number {
    return this.keys[1]!;
  }

  /** Slot of the smallest key, the smallest such slot on a tie; -1 when empty. */
  get minSlot(): number {
    return this.keys[1] === Number.POSITIVE_INFINITY ? -1 : this.slots[1]!;
  }

  set(slot: number, key: number): void {
    const keys = this.keys;
    const slots = this.slots;
    let i = this.base + slot;
    if (keys[i] === key) return;
    keys[i] = key;
    for (i >>= 1; i >= 1; i >>= 1) {
      const l = 2 * i;
      const kl = keys[l]!;
      const kr = keys[l + 1]!;
      // Right only when strictly smaller: the left subtree holds the smaller slots.
      const right = kr < kl;
      const k = right ? kr : kl;
      const s = right ? slots[l + 1]! : slots[l]!;
      if (keys[i] === k && slots[i] === s) return;
      keys[i] = k;
      slots[i] = s;
    }
  }

  clear(slot: number): void {
    this.set(slot, Number.POSITIVE_INFINITY);
  }
}

/** The ready queue; see the file comment. */
export class ReadyQueue {
  /** Earliest `readyAt` after the last `select`'s time among selectable groups (Infinity: none). */
  earliestLater = Number.POSITIVE_INFINITY;
  private readonly vt: Float64Array;
  private readonly readyAt: Float64Array;
  private readonly ready: Uint8Array;
  private readonly groupOf: Int32Array;
  private readonly groupBase: Int32Array;
  private readonly groupEnd: Int32Array;
  private readonly blocked: Uint8Array;
  /** Index of a slot in `later`, or -1. */
  private readonly laterPos: Int32Array;
  private readonly later: number[] = [];
  private readonly selectable: SlotMinTree;
  private readonly all: SlotMinTree;
  /** Decision time up to which `readyAt`s have been taken into `selectable`. */
  private flushed = Number.NEGATIVE_INFINITY;

  /** `groupSizes[g]`: slots of group g; group g's slots follow group g - 1's. */
  constructor(groupSizes: readonly number[]) {
    let n = 0;
    for (const s of groupSizes) n += s;
    this.vt = new Float64Array(n);
    this.readyAt = new Float64Array(n);
    this.ready = new Uint8Array(n);
    this.groupOf = new Int32Array(n);
    this.laterPos = new Int32Array(n).fill(-1);
    this.groupBase = new Int32Array(groupSizes.length);
    this.groupEnd = new Int32Array(groupSizes.length);
    this.blocked = new Uint8Array(groupSizes.length);
    let at = 0;
    groupSizes.forEach((size, g) => {
      this.groupBase[g] = at;
      for (let i = 0; i < size; i++) this.groupOf[at + i] = g;
      at += size;
      this.groupEnd[g] = at;
    });
    this.selectable = new SlotMinTree(n);
    this.all = new SlotMinTree(n);
  }

  /** Number of slots. */
  get size(): number {
    return this.vt.length;
  }

  /** Smallest virtual time of every ready slot, whatever its `readyAt` or cap (Infinity: none). */
  get minReadyVt(): number {
    return this.all.minKey;
  }

  /** The slot is ready with virtual time `vt` from time `readyAt`. */
  setReady(slot: number, vt: number, readyAt: number): void {
    this.ready[slot] = 1;
    this.vt[slot] = vt;
    this.readyAt[slot] = readyAt;
    this.all.set(slot, vt);
    if (readyAt > this.flushed) {
      this.selectable.clear(slot);
      if (this.laterPos[slot] === -1) {
        this.laterPos[slot] = this.later.length;
        this.later.push(slot);
      }
      return;
    }
    this.dropLater(slot);
    if (this.blocked[this.groupOf[slot]!] === 0) this.selectable.set(slot, vt);
    else this.selectable.clear(slot);
  }

  /** The slot is not ready (running, waiting, stopped, or its partition is gone). */
  setNotReady(slot: number): void {
    if (this.ready[slot] === 0) return;
    this.ready[slot] = 0;
    this.all.clear(slot);
    this.selectable.clear(slot);
    this.dropLater(slot);
  }

  /** Hold (capped partition over its allowance) or release a group. */
  setBlocked(group: number, blocked: boolean): void {
    const b = blocked ? 1 : 0;
    if (this.blocked[group] === b) return;
    this.blocked[group] = b;
    for (let s = this.groupBase[group]!, end = this.groupEnd[group]!; s < end; s++) {
      if (this.ready[s] === 0 || this.readyAt[s]! > this.flushed) continue;
      if (b === 1) this.selectable.clear(s);
      else this.selectable.set(s, this.vt[s]!);
    }
  }

  isBlocked(group: number): boolean {
    return this.blocked[group] === 1;
  }

  /**
   * The slot step 1 picks at time `t`, or -1; sets `earliestLater`. Ties of
   * virtual time go to the smaller slot, as the scan's strict comparison in
   * slot order does.
   */
  select(t: number): number {
    if (t < this.flushed) return this.scan(t);
    this.flushed = t;
    const later = this.later;
    let earliest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < later.length; ) {
      const s = later[i]!;
      const at = this.readyAt[s]!;
      if (at <= t) {
        this.dropLater(s);
        if (this.blocked[this.groupOf[s]!] === 0) this.selectable.set(s, this.vt[s]!);
        continue;
      }
      if (at < earliest && this.blocked[this.groupOf[s]!] === 0) earliest = at;
      i++;
    }
    this.earliestLater = earliest;
    return this.selectable.minSlot;
  }

  /** The same answer by looking at every slot (used when `t` goes back in time). */
  private scan(t: number): number {
    const r = referenceSelect(
      this.size,
      (s) => (this.ready[s] === 1 && this.blocked[this.groupOf[s]!] === 0 ? this.vt[s]! : null),
      (s) => this.readyAt[s]!,
      t,
    );
    this.earliestLater = r.earliestLater;
    return r.slot;
  }

  private dropLater(slot: number): void {
    const at = this.laterPos[slot]!;
    if (at === -1) return;
    const later = this.later;
    const last = later.pop()!;
    if (last !== slot) {
      later[at] = last;
      this.laterPos[last] = at;
    }
    this.laterPos[slot] = -1;
  }
}

/**
 * Step 1 as a scan of every slot in tie-break order: `vtOf(s)` is the
 * slot's virtual time when it is ready and its group not blocked, else
 * null; the smallest virtual time among those whose `readyAt` has come
 * wins (the first on a tie), and the earliest `readyAt` still to come is
 * reported.
 */
export function referenceSelect(
  slots: number,
  vtOf: (slot: number) => number | null,
  readyAtOf: (slot: number) => number,
  t: number,
): { readonly slot: number; readonly earliestLater: number } {
  let best = -1;
  let bestVt = 0;
  let earliestLater = Number.POSITIVE_INFINITY;
  for (let s = 0; s < slots; s++) {
    const vt = vtOf(s);
    if (vt === null) continue;
    const at = readyAtOf(s);
    if (at > t) {
      if (at < earliestLater) earliestLater = at;
      continue;
    }
    if (best === -1 || vt < bestVt) {
      best = s;
      bestVt = vt;
    }
  }
  return { slot: best, earliestLater };
}
