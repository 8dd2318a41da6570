/**
 * Weighted fair share with caps, after Xen's credit scheduler (E. Ackaouy,
 * 2006; Xen's default from 3.0.3): every accounting period the CPU time of
 * the period is handed out as credit to the active entities in proportion to
 * their weights, clipped by each entity's cap (a percentage of one CPU); the
 * running entity is debited for the time it runs. Entities with credit left
 * (UNDER) run before those that have used theirs up (OVER), first come first
 * served within a class, each for at most one time slice (30 ms in Xen). A
 * capped entity without credit is parked until the next accounting, which
 * is what makes a cap hold even on an otherwise idle CPU; uncapped OVER
 * entities still run when nobody else wants the CPU (work conserving).
 *
 * Optionally (`boost`, Xen 3.0.4's BOOST priority) an entity that wakes with
 * credit left preempts the running one so I/O-bound entities get low latency.
 */
import { NO_RESCHEDULE } from './decisions';
import { fail, OK, ok, type Result } from './errors';
import { SlotHeap } from './heap';
import { type BaseEntity, EntityTable, unknownId } from './table';
import type {
  BlockKind,
  Decision,
  DecisionLimit,
  EntityId,
  EntityInfo,
  EntityParams,
  Scheduler,
  WakeOutcome,
} from './types';
import { checkCharge, checkParams, checkPositiveOption, checkTime, cleanParams } from './validate';

/** Construction options of {@link CreditScheduler}. Times are in the driver's time unit. */
export interface CreditOptions {
  /** Longest run without a new decision (Xen: 30 ms). */
  readonly slice: number;
  /** Accounting period: credit is handed out once per period (Xen: 30 ms, three 10 ms ticks). */
  readonly period: number;
  /** Let an entity waking with credit preempt (Xen's BOOST priority). Default false. */
  readonly boost?: boolean;
}

/** Xen's classes, lowest key first. */
const BOOST = 0;
const UNDER = 1;
const OVER = 2;

class CreditEntity implements BaseEntity {
  params: EntityParams;
  runnable = false;
  runtime = 0;
  weight = 1;
  cap = 0;
  credit = 0;
  ranThisPeriod = 0;
  boosted = false;
  parked = false;
  constructor(
    readonly id: EntityId,
    readonly slot: number,
    readonly addedSeq: number,
    params: EntityParams,
  ) {
    this.params = params;
    this.apply(params);
  }
  apply(p: EntityParams): void {
    this.params = p;
    this.weight = p.weight ?? 1;
    this.cap = p.cap ?? 0;
  }
  klass(): number {
    if (this.boosted) return BOOST;
    return this.credit > 0 ? UNDER : OVER;
  }
}

/** The credit scheduler (see the module comment). */
export class CreditScheduler implements Scheduler {
  readonly policy = 'credit' as const;
  readonly slice: number;
  readonly period: number;
  readonly boost: boolean;
  private readonly table = new EntityTable<CreditEntity>();
  private readonly queue = new SlotHeap();
  private readonly parked = new Set<CreditEntity>();
  private current: CreditEntity | null = null;
  private lastNow = Number.NEGATIVE_INFINITY;
  private chargedTo = 0;
  private nextAccounting: number;
  private seq = 0;

  /** Use {@link createCredit} for validated construction. */
  constructor(options: CreditOptions) {
    this.slice = options.slice;
    this.period = options.period;
    this.boost = options.boost ?? false;
    this.nextAccounting = options.period;
  }

  add(id: EntityId, params: EntityParams, now: number): Result<void> {
    const t = this.time(now);
    if (!t.ok) return t;
    const r = this.table.checkNew(id);
    if (!r.ok) return r;
    const p = checkParams(id, params);
    if (!p.ok) return p;
    const e = new CreditEntity(id, this.table.nextSlot(), this.table.nextAddSeq(), cleanParams(params));
    this.table.insert(e);
    this.queue.reserve(e.slot + 1);
    return OK;
  }

  remove(id: EntityId, now: number): Result<EntityInfo> {
    const t = this.time(now);
    if (!t.ok) return t;
    const e = this.table.get(id);
    if (e === undefined) return unknownId(id);
    const info = this.table.info(e, e === this.current);
    if (e === this.current) this.current = null;
    this.queue.remove(e.slot);
    this.parked.delete(e);
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
    e.apply(cleanParams(params));
    if (e.parked && e.cap === 0) this.unpark(e);
    return OK;
  }

  wake(id: EntityId, now: number): Result<WakeOutcome> {
    const t = this.time(now);
    if (!t.ok) return t;
    this.catchUp(now);
    const e = this.table.get(id);
    if (e === undefined) return unknownId(id);
    if (e.runnable) return ok(NO_RESCHEDULE);
    e.runnable = true;
    e.boosted = this.boost && e.credit > 0;
    this.enqueue(e);
    if (this.current === null) return ok({ reschedule: now });
    if (e.boosted && !this.current.boosted) return ok({ reschedule: now });
    return ok(NO_RESCHEDULE);
  }

  block(id: EntityId, now: number, _kind?: BlockKind): Result<void> {
    const t = this.time(now);
    if (!t.ok) return t;
    const e = this.table.get(id);
    if (e === undefined) return unknownId(id);
    if (!e.runnable) return fail('NOT_RUNNABLE', `entity ${id} is already blocked`, id);
    if (e === this.current) this.current = null;
    this.queue.remove(e.slot);
    this.parked.delete(e);
    e.parked = false;
    e.boosted = false;
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
    e.credit -= ran;
    e.ranThisPeriod += ran;
    e.runtime += ran;
    e.boosted = false;
    this.chargedTo = now;
    this.catchUp(now);
    return OK;
  }

  pick(now: number): Decision {
    if (!(now >= this.lastNow) || !Number.isFinite(now)) {
      throw new RangeError(`CreditScheduler.pick: time ${now} is not finite or before ${this.lastNow}`);
    }
    this.lastNow = now;
    this.catchUp(now);
    const prev = this.current;
    this.current = null;
    if (prev?.runnable) this.enqueue(prev);
    const slot = this.queue.pop();
    if (slot < 0) {
      // Parked entities get credit at the next accounting: decide again then.
      const until = this.parked.size > 0 ? this.nextAccounting : Number.POSITIVE_INFINITY;
      return { id: null, until, slice: until - now, limit: 'none', warped: false };
    }
    const e = this.table.at(slot);
    let until = now + this.slice;
    let limit: DecisionLimit = 'slice';
    if (e.cap > 0 && now + e.credit < until) {
      until = now + Math.max(e.credit, 0);
      limit = 'cap';
    }
    this.current = e;
    this.chargedTo = now;
    return { id: e.id, until, slice: until - now, limit, warped: false };
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

  /** An entity's credit balance (time units) and whether it is parked by its cap. */
  credit(id: EntityId): { readonly credit: number; readonly parked: boolean } | undefined {
    const e = this.table.get(id);
    return e === undefined ? undefined : { credit: e.credit, parked: e.parked };
  }

  private enqueue(e: CreditEntity): void {
    if (e.cap > 0 && e.credit <= 0) {
      e.parked = true;
      this.parked.add(e);
      return;
    }
    this.queue.push(e.slot, e.klass(), this.seq++);
  }

  private unpark(e: CreditEntity): void {
    e.parked = false;
    this.parked.delete(e);
    if (e.runnable && e !== this.current) this.queue.push(e.slot, e.klass(), this.seq++);
  }

  /** Run every accounting period that has ended by `now`. */
  private catchUp(now: number): void {
    if (now < this.nextAccounting) return;
    let any = false;
    for (const e of this.table.values()) {
      if (e.runnable || e.ranThisPeriod > 0) {
        any = true;
        break;
      }
    }
    if (!any) {
      // Nobody competes: periods without activity hand out nothing, so skip them.
      this.nextAccounting += Math.floor((now - this.nextAccounting) / this.period + 1) * this.period;
      return;
    }
    while (now >= this.nextAccounting) {
      this.accountPeriod();
      this.nextAccounting += this.period;
    }
  }

  private accountPeriod(): void {
    const period = this.period;
    const active: CreditEntity[] = [];
    let total = 0;
    for (const e of this.table.values()) {
      if (e.runnable || e.ranThisPeriod > 0) {
        active.push(e);
        total += e.weight;
      }
    }
    for (const e of active) {
      let share = (period * e.weight) / total;
      if (e.cap > 0) share = Math.min(share, (period * e.cap) / 100);
      // Clip so that neither an idle nor a hungry entity carries more than a
      // period's worth of credit or debt into the future.
      e.credit = Math.min(period, Math.max(-period, e.credit + share));
      e.ranThisPeriod = 0;
      if (this.queue.has(e.slot)) this.queue.update(e.slot, e.klass());
      else if (e.parked && e.credit > 0) this.unpark(e);
    }
  }

  private time(now: number): Result<void> {
    const r = checkTime(now, this.lastNow);
    if (r.ok) this.lastNow = now;
    return r;
  }
}


/** Create a credit scheduler with positive finite slice and period. */
export function createCredit(options: CreditOptions): Result<CreditScheduler> {
  const s = checkPositiveOption('slice', options.slice);
  if (!s.ok) return s;
  const p = checkPositiveOption('period', options.period);
  if (!p.ok) return p;
  return ok(new CreditScheduler(options));
}
