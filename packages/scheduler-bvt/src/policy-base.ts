/**
 * What the Scheduler protocol asks of every policy, written once: time that
 * never decreases, entity lookup and the errors for unknown, blocked or
 * non-running entities, charge checks, and the entity table. A policy
 * supplies its entity record and its run queue through the hooks; the
 * order of checks (and so which error a bad call gets) is the same for all
 * policies, which a policy switch relies on.
 *
 * Internal to the package (not exported from index.ts).
 */
import { NO_RESCHEDULE } from './decisions';
import { fail, OK, ok, type Result } from './errors';
import { type BaseEntity, EntityTable, unknownId } from './table';
import type {
  BlockKind,
  Decision,
  EntityId,
  EntityInfo,
  EntityParams,
  PolicyName,
  Scheduler,
  WakeOutcome,
} from './types';
import { checkCharge, checkParams, checkTime, cleanParams } from './validate';

/**
 * The base of BVT, round-robin and credit: the Scheduler methods whose
 * checks and bookkeeping are the same for every policy, calling the
 * policy's hooks at the points where the policies differ.
 */
export abstract class PolicyBase<E extends BaseEntity> implements Scheduler {
  abstract readonly policy: PolicyName;
  protected readonly table = new EntityTable<E>();
  /** The entity holding the CPU; always runnable and never in the run queue. */
  protected current: E | null = null;
  protected lastNow = Number.NEGATIVE_INFINITY;
  /** Up to when the running entity has been charged. */
  protected chargedTo = 0;

  /** Build the record of a new entity (validated, cleaned parameters). */
  protected abstract create(
    id: EntityId,
    slot: number,
    addedSeq: number,
    params: EntityParams,
    now: number,
  ): E;
  /** Make room in the run queue for slots below `slots`. */
  protected abstract reserve(slots: number): void;
  /** Take `e` out of the run queue (and any other waiting place), if it is there. */
  protected abstract dequeue(e: E): void;
  /** Apply new (validated, cleaned) parameters to `e`. */
  protected abstract reparam(e: E, params: EntityParams): void;
  /** `e` has just become runnable: queue it and say when to decide again. */
  protected abstract woken(e: E, now: number): WakeOutcome;
  /** The running `e` ran `ran` more (its runtime and `chargedTo` are updated already). */
  protected abstract charge(e: E, ran: number, now: number): void;
  abstract pick(now: number): Decision;

  /** Work a policy does whenever time is seen to pass, before a wake looks at the entity. */
  protected advance(_now: number): void {}
  /** `e` (dequeued, possibly the former runner) is about to become blocked. */
  protected blocking(_e: E, _now: number, _kind: BlockKind): void {}

  add(id: EntityId, params: EntityParams, now: number): Result<void> {
    const t = this.time(now);
    if (!t.ok) return t;
    const r = this.table.checkNew(id);
    if (!r.ok) return r;
    const p = checkParams(id, params);
    if (!p.ok) return p;
    const e = this.create(id, this.table.nextSlot(), this.table.nextAddSeq(), cleanParams(params), now);
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
    this.dequeue(e);
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
    this.reparam(e, cleanParams(params));
    return OK;
  }

  wake(id: EntityId, now: number): Result<WakeOutcome> {
    const t = this.time(now);
    if (!t.ok) return t;
    this.advance(now);
    const e = this.table.get(id);
    if (e === undefined) return unknownId(id);
    if (e.runnable) return ok(NO_RESCHEDULE);
    e.runnable = true;
    return ok(this.woken(e, now));
  }

  block(id: EntityId, now: number, kind: BlockKind = 'voluntary'): Result<void> {
    const t = this.time(now);
    if (!t.ok) return t;
    const e = this.table.get(id);
    if (e === undefined) return unknownId(id);
    if (!e.runnable) return fail('NOT_RUNNABLE', `entity ${id} is already blocked`, id);
    if (e === this.current) this.current = null;
    this.dequeue(e);
    this.blocking(e, now, kind);
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
    this.charge(e, ran, now);
    return OK;
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

  /**
   * The start of every pick: a decreasing or non-finite time is a
   * dispatcher bug, so it throws (the interface says so) instead of
   * returning an error value.
   */
  protected pickAt(now: number, scheduler: string): void {
    if (!(now >= this.lastNow) || !Number.isFinite(now)) {
      throw new RangeError(`${scheduler}.pick: time ${now} is not finite or before ${this.lastNow}`);
    }
    this.lastNow = now;
  }

  private time(now: number): Result<void> {
    const r = checkTime(now, this.lastNow);
    if (r.ok) this.lastNow = now;
    return r;
  }
}
