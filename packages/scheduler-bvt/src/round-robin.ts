/**
 * Round-robin with a fixed time slice — the "fair time-slice procedure"
 * (faires Zeitscheibenverfahren) Gerstel sets against BVT: runnable entities
 * wait in one FIFO queue, the head runs for at most one slice, a preempted
 * entity goes to the tail, and a waking entity joins the tail without
 * preempting anyone. Weights, warps and caps are accepted and ignored.
 */
import { IDLE, NO_RESCHEDULE } from './decisions';
import { ok, type Result } from './errors';
import { PolicyBase } from './policy-base';
import { EntityRecord } from './table';
import type { Decision, EntityId, EntityParams, WakeOutcome } from './types';
import { checkPositiveOption } from './validate';

/** Construction options of {@link RoundRobinScheduler}. */
export interface RoundRobinOptions {
  /** The fixed time slice (> 0). */
  readonly slice: number;
}

/** Round-robin keeps nothing per entity beyond the common record. */
type RrEntity = EntityRecord;

/** Round-robin over a FIFO run queue (a doubly linked list over slots, O(1) everywhere). */
export class RoundRobinScheduler extends PolicyBase<RrEntity> {
  readonly policy = 'round-robin' as const;
  readonly slice: number;
  private next = new Int32Array(16).fill(-1);
  private prev = new Int32Array(16).fill(-1);
  private queued = new Uint8Array(16);
  private head = -1;
  private tail = -1;

  /** Use {@link createRoundRobin} for validated construction. */
  constructor(options: RoundRobinOptions) {
    super();
    this.slice = options.slice;
  }

  protected create(id: EntityId, slot: number, addedSeq: number, params: EntityParams): RrEntity {
    return new EntityRecord(id, slot, addedSeq, params);
  }

  protected dequeue(e: RrEntity): void {
    this.unlink(e.slot);
  }

  protected reparam(e: RrEntity, params: EntityParams): void {
    e.params = params;
  }

  protected woken(e: RrEntity, now: number): WakeOutcome {
    this.append(e.slot);
    // Only an idle CPU is taken at once; otherwise the waker waits its turn.
    return this.current === null ? { reschedule: now } : NO_RESCHEDULE;
  }

  /** Run time decides nothing here (the slice does); the base class already counted it in `runtime`. */
  protected charge(): void {}

  pick(now: number): Decision {
    this.pickAt(now, 'RoundRobinScheduler');
    const prev = this.current;
    if (prev?.runnable) this.append(prev.slot);
    this.current = null;
    const slot = this.head;
    if (slot < 0) return IDLE;
    this.unlink(slot);
    const e = this.table.at(slot);
    this.current = e;
    this.chargedTo = now;
    // A lone entity still gets slices: the policy is defined by them.
    return { id: e.id, until: now + this.slice, slice: this.slice, limit: 'slice', warped: false };
  }

  /** The run queue from head to tail (not including the running entity). */
  queue(): EntityId[] {
    const out: EntityId[] = [];
    for (let s = this.head; s >= 0; s = this.next[s]!) out.push(this.table.at(s).id);
    return out;
  }

  protected reserve(slots: number): void {
    if (slots <= this.next.length) return;
    let cap = this.next.length;
    while (cap < slots) cap *= 2;
    const next = new Int32Array(cap).fill(-1);
    next.set(this.next);
    const prev = new Int32Array(cap).fill(-1);
    prev.set(this.prev);
    const queued = new Uint8Array(cap);
    queued.set(this.queued);
    this.next = next;
    this.prev = prev;
    this.queued = queued;
  }

  private append(slot: number): void {
    if (this.queued[slot] === 1) return;
    this.queued[slot] = 1;
    this.next[slot] = -1;
    this.prev[slot] = this.tail;
    if (this.tail >= 0) this.next[this.tail] = slot;
    else this.head = slot;
    this.tail = slot;
  }

  private unlink(slot: number): void {
    if (this.queued[slot] !== 1) return;
    this.queued[slot] = 0;
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
    this.next[slot] = -1;
    this.prev[slot] = -1;
  }
}

/** Create a round-robin scheduler with a positive finite slice. */
export function createRoundRobin(options: RoundRobinOptions): Result<RoundRobinScheduler> {
  const s = checkPositiveOption('slice', options.slice);
  if (!s.ok) return s;
  return ok(new RoundRobinScheduler(options));
}
