/**
 * Round-robin with a fixed time slice — the "fair time-slice procedure"
 * (faires Zeitscheibenverfahren) Gerstel sets against BVT: runnable entities
 * wait in one FIFO queue, the head runs for at most one slice, a preempted
 * entity goes to the tail, and a waking entity joins the tail without
 * preempting anyone. Weights, warps and caps are accepted and ignored.
 */
import { IDLE, NO_RESCHEDULE } from './decisions';
import { fail, OK, ok, type Result } from './errors';
import { type BaseEntity, EntityTable, unknownId } from './table';
import type {
  BlockKind,
  Decision,
  EntityId,
  EntityInfo,
  EntityParams,
  Scheduler,
  WakeOutcome,
} from './types';
import { checkCharge, checkParams, checkPositiveOption, checkTime, cleanParams } from './validate';

/** Construction options of {@link RoundRobinScheduler}. */
export interface RoundRobinOptions {
  /** The fixed time slice (> 0). */
  readonly slice: number;
}

class RrEntity implements BaseEntity {
  params: EntityParams;
  runnable = false;
  runtime = 0;
  constructor(
    readonly id: EntityId,
    readonly slot: number,
    readonly addedSeq: number,
    params: EntityParams,
  ) {
    this.params = params;
  }
}

/** Round-robin over a FIFO run queue (a doubly linked list over slots, O(1) everywhere). */
export class RoundRobinScheduler implements Scheduler {
  readonly policy = 'round-robin' as const;
  readonly slice: number;
  private readonly table = new EntityTable<RrEntity>();
  private next = new Int32Array(16).fill(-1);
  private prev = new Int32Array(16).fill(-1);
  private queued = new Uint8Array(16);
  private head = -1;
  private tail = -1;
  private current: RrEntity | null = null;
  private lastNow = Number.NEGATIVE_INFINITY;
  private chargedTo = 0;

  /** Use {@link createRoundRobin} for validated construction. */
  constructor(options: RoundRobinOptions) {
    this.slice = options.slice;
  }

  add(id: EntityId, params: EntityParams, now: number): Result<void> {
    const t = this.time(now);
    if (!t.ok) return t;
    const r = this.table.checkNew(id);
    if (!r.ok) return r;
    const p = checkParams(id, params);
    if (!p.ok) return p;
    const e = new RrEntity(id, this.table.nextSlot(), this.table.nextAddSeq(), cleanParams(params));
    this.table.insert(e);
    this.reserve(e.slot + 1);
    return OK;
  }

  remove(id: EntityId, now: number): Result<EntityInfo> {
    const t = this.time(now);
    if (!t.ok) return t;
    const e = this.table.get(id);
    if (e === undefined) return unknownId(id);
    const info = this.table.info(e, e === this.current);
    if (e === this.current) this.current = null;
    this.unlink(e.slot);
    this.table.delete(e);
    return ok(info);
  }

  setParams(id: EntityId, params: EntityParams, now: number): Result<void> {
    const t = this.time(now);
    if (!t.ok) return t;
    const e = this.table.get(id);
    if (e === undefined) return unknownId(id);
    const p = checkParams(id, params);
    if (!p.ok) return p;
    e.params = cleanParams(params);
    return OK;
  }

  wake(id: EntityId, now: number): Result<WakeOutcome> {
    const t = this.time(now);
    if (!t.ok) return t;
    const e = this.table.get(id);
    if (e === undefined) return unknownId(id);
    if (e.runnable) return ok(NO_RESCHEDULE);
    e.runnable = true;
    this.append(e.slot);
    // Only an idle CPU is taken at once; otherwise the waker waits its turn.
    return ok(this.current === null ? { reschedule: now } : NO_RESCHEDULE);
  }

  block(id: EntityId, now: number, _kind?: BlockKind): Result<void> {
    const t = this.time(now);
    if (!t.ok) return t;
    const e = this.table.get(id);
    if (e === undefined) return unknownId(id);
    if (!e.runnable) return fail('NOT_RUNNABLE', `entity ${id} is already blocked`, id);
    if (e === this.current) this.current = null;
    else this.unlink(e.slot);
    e.runnable = false;
    return OK;
  }

  account(id: EntityId, ran: number, now: number): Result<void> {
    const t = this.time(now);
    if (!t.ok) return t;
    const e = this.table.get(id);
    if (e === undefined) return unknownId(id);
    if (e !== this.current) return fail('NOT_RUNNING', `entity ${id} is not running`, id);
    const charge = checkCharge(id, ran, now, this.chargedTo);
    if (!charge.ok) return charge;
    e.runtime += ran;
    this.chargedTo = now;
    return OK;
  }

  pick(now: number): Decision {
    if (!(now >= this.lastNow) || !Number.isFinite(now)) {
      throw new RangeError(`RoundRobinScheduler.pick: time ${now} is not finite or before ${this.lastNow}`);
    }
    this.lastNow = now;
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

  running(): EntityId | null {
    return this.current === null ? null : this.current.id;
  }

  info(id: EntityId): EntityInfo | undefined {
    const e = this.table.get(id);
    return e === undefined ? undefined : this.table.info(e, e === this.current);
  }

  entities(): EntityInfo[] {
    return this.table.list().map((e) => this.table.info(e, e === this.current));
  }

  /** The run queue from head to tail (not including the running entity). */
  queue(): EntityId[] {
    const out: EntityId[] = [];
    for (let s = this.head; s >= 0; s = this.next[s]!) out.push(this.table.at(s).id);
    return out;
  }

  private reserve(slots: number): void {
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

  private time(now: number): Result<void> {
    const r = checkTime(now, this.lastNow);
    if (r.ok) this.lastNow = now;
    return r;
  }
}


/** Create a round-robin scheduler with a positive finite slice. */
export function createRoundRobin(options: RoundRobinOptions): Result<RoundRobinScheduler> {
  const s = checkPositiveOption('slice', options.slice);
  if (!s.ok) return s;
  return ok(new RoundRobinScheduler(options));
}
