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
import { ok, type Result } from './errors';
import { SlotHeap } from './heap';
import { PolicyBase } from './policy-base';
import { EntityRecord } from './table';
import type { Decision, DecisionLimit, EntityId, EntityParams, WakeOutcome } from './types';
import { checkPositiveOption } from './validate';

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

class CreditEntity extends EntityRecord {
  weight = 1;
  cap = 0;
  credit = 0;
  ranThisPeriod = 0;
  boosted = false;
  parked = false;
  constructor(id: EntityId, slot: number, addedSeq: number, params: EntityParams) {
    super(id, slot, addedSeq, params);
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
export class CreditScheduler extends PolicyBase<CreditEntity> {
  readonly policy = 'credit' as const;
  readonly slice: number;
  readonly period: number;
  readonly boost: boolean;
  private readonly queue = new SlotHeap();
  private readonly parked = new Set<CreditEntity>();
  private nextAccounting: number;
  private seq = 0;

  /** Use {@link createCredit} for validated construction. */
  constructor(options: CreditOptions) {
    super();
    this.slice = options.slice;
    this.period = options.period;
    this.boost = options.boost ?? false;
    this.nextAccounting = options.period;
  }

  protected create(id: EntityId, slot: number, addedSeq: number, params: EntityParams): CreditEntity {
    return new CreditEntity(id, slot, addedSeq, params);
  }

  protected reserve(slots: number): void {
    this.queue.reserve(slots);
  }

  protected dequeue(e: CreditEntity): void {
    this.queue.remove(e.slot);
    this.parked.delete(e);
  }

  protected reparam(e: CreditEntity, params: EntityParams): void {
    e.apply(params);
    if (e.parked && e.cap === 0) this.unpark(e);
  }

  protected override advance(now: number): void {
    this.catchUp(now);
  }

  protected woken(e: CreditEntity, now: number): WakeOutcome {
    e.boosted = this.boost && e.credit > 0;
    this.enqueue(e);
    if (this.current === null) return { reschedule: now };
    if (e.boosted && !this.current.boosted) return { reschedule: now };
    return NO_RESCHEDULE;
  }

  protected override blocking(e: CreditEntity): void {
    e.parked = false;
    e.boosted = false;
  }

  protected charge(e: CreditEntity, ran: number, now: number): void {
    e.credit -= ran;
    e.ranThisPeriod += ran;
    e.boosted = false;
    this.catchUp(now);
  }

  pick(now: number): Decision {
    this.pickAt(now, 'CreditScheduler');
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
}

/** Create a credit scheduler with positive finite slice and period. */
export function createCredit(options: CreditOptions): Result<CreditScheduler> {
  const s = checkPositiveOption('slice', options.slice);
  if (!s.ok) return s;
  const p = checkPositiveOption('period', options.period);
  if (!p.ok) return p;
  return ok(new CreditScheduler(options));
}
