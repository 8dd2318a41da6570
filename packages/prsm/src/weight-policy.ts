/**
 * PR/SM's weight-based selection (seed §12.4.2, step 1), written once and
 * used twice: by the multi-CP dispatcher in machine.ts, and behind
 * @strachey/scheduler-bvt's single-CPU `Scheduler` interface
 * (`PrsmWeightScheduler`), so the policy runs scheduler-bvt's contract suite
 * and can be compared with BVT, round-robin and credit in that package's
 * simulator.
 *
 * The rules: every runnable entity (a shared logical CP) has a virtual time
 * that advances by (time it ran) / (its share of the weight); the runnable
 * entity with the smallest virtual time runs next (ties: the one added
 * first); an entity that wakes starts no earlier than the smallest virtual
 * time of the other runnable ones (BVT's A_i = max(A_i, SVT), Duda &
 * Cheriton 1999), or, when none is runnable, than the system virtual time the
 * last runnable one left behind (Linux CFS's monotonic `min_vruntime`), so
 * time spent waiting earns no credit — an idle partition's share flows to the
 * others instead of coming back as a burst.
 */
import {
  type Decision,
  type EntityId,
  type EntityInfo,
  type EntityParams,
  fail,
  OK,
  ok,
  type PolicyName,
  type Result,
  type Scheduler,
  type WakeOutcome,
} from '@strachey/scheduler-bvt';

/** Virtual time after running `ran` with share `share` (> 0). */
export function advanceVirtualTime(vt: number, ran: number, share: number): number {
  return vt + ran / share;
}

/**
 * Virtual time of an entity that wakes while the smallest virtual time of
 * the *other* runnable entities is `minRunnable` — computed before the waker
 * counts as runnable, or its own virtual time is the floor and nothing is
 * raised. Infinity (none runnable) keeps `vt`: callers pass their system
 * virtual time instead (see `systemVirtualTime`).
 */
export function wakeVirtualTime(vt: number, minRunnable: number): number {
  return minRunnable === Number.POSITIVE_INFINITY ? vt : Math.max(vt, minRunnable);
}

/**
 * System virtual time (SVT: BVT's name; CFS's `min_vruntime`) after seeing
 * `minRunnable`, the smallest virtual time of the runnable entities
 * (Infinity: none): it follows that minimum and never decreases, so while
 * nothing is runnable it holds where the last runnable entity left off.
 */
export function systemVirtualTime(svt: number, minRunnable: number): number {
  return minRunnable !== Number.POSITIVE_INFINITY && minRunnable > svt ? minRunnable : svt;
}

/** Is `a` (virtual time, add order) chosen before `b`? */
export function selectsBefore(aVt: number, aOrder: number, bVt: number, bOrder: number): boolean {
  return aVt < bVt || (aVt === bVt && aOrder < bOrder);
}

interface Entity {
  readonly id: EntityId;
  readonly order: number;
  params: EntityParams;
  runnable: boolean;
  runtime: number;
  vt: number;
}

const IDLE: Decision = Object.freeze({ id: null, until: Number.POSITIVE_INFINITY, slice: Number.POSITIVE_INFINITY, limit: 'none', warped: false });
const NEVER: WakeOutcome = Object.freeze({ reschedule: Number.POSITIVE_INFINITY });

/** The policy's name as schedulers report it (scheduler-bvt's `PolicyName` admits policies written elsewhere). */
export const PRSM_WEIGHT_POLICY: PolicyName = 'prsm-weight';

/**
 * PR/SM's weight selection on one CPU behind scheduler-bvt's `Scheduler`
 * interface: a fixed time slice, `weight` as the share, no preemption on
 * wake (a waking logical CP waits for the next dispatch, as PR/SM's does).
 */
export class PrsmWeightScheduler implements Scheduler {
  readonly policy: PolicyName = PRSM_WEIGHT_POLICY;
  readonly slice: number;
  private readonly byId = new Map<EntityId, Entity>();
  private readonly order: Entity[] = [];
  private seq = 0;
  private current: Entity | null = null;
  private lastNow = Number.NEGATIVE_INFINITY;
  private chargedTo = 0;
  /** System virtual time: the wake-up floor when no other entity is runnable (`systemVirtualTime`). */
  private svt = 0;

  constructor(slice: number) {
    this.slice = slice;
  }

  private time(now: number): Result<void> {
    if (typeof now !== 'number' || !Number.isFinite(now)) return fail('NOT_FINITE', `time must be finite, got ${String(now)}`, undefined, 'now');
    if (now < this.lastNow) return fail('TIME_WENT_BACKWARDS', `time ${now} is before ${this.lastNow}`, undefined, 'now');
    this.lastNow = now;
    return OK;
  }

  private static checkParams(id: EntityId, params: EntityParams): Result<void> {
    const w = params.weight ?? 1;
    if (typeof w !== 'number' || !Number.isFinite(w)) return fail('NOT_FINITE', `weight must be finite, got ${String(w)}`, id, 'weight');
    if (w <= 0) return fail('WEIGHT_NOT_POSITIVE', `weight must be > 0, got ${w}`, id, 'weight');
    return OK;
  }

  private info0(e: Entity): EntityInfo {
    return { id: e.id, params: e.params, runnable: e.runnable, running: e === this.current, runtime: e.runtime };
  }

  private minRunnableVt(): number {
    let m = Number.POSITIVE_INFINITY;
    for (const e of this.order) if (e.runnable && e.vt < m) m = e.vt;
    return m;
  }

  add(id: EntityId, params: EntityParams, now: number): Result<void> {
    if (!Number.isSafeInteger(id) || id < 0) return fail('INVALID_ID', `entity id must be a non-negative safe integer, got ${String(id)}`, undefined, 'id');
    const known = this.byId.get(id);
    if (known !== undefined) return fail('DUPLICATE_ID', `entity ${id} already exists`, id);
    const p = PrsmWeightScheduler.checkParams(id, params);
    if (!p.ok) return p;
    const t = this.time(now);
    if (!t.ok) return t;
    const e: Entity = { id, order: this.seq++, params: { ...params }, runnable: false, runtime: 0, vt: 0 };
    this.byId.set(id, e);
    this.order.push(e);
    return OK;
  }

  remove(id: EntityId, now: number): Result<EntityInfo> {
    const e = this.byId.get(id);
    if (e === undefined) return fail('UNKNOWN_ID', `no entity ${id}`, id);
    const t = this.time(now);
    if (!t.ok) return t;
    const info = this.info0(e);
    if (e.runnable) this.svt = systemVirtualTime(this.svt, this.minRunnableVt());
    if (e === this.current) this.current = null;
    this.byId.delete(id);
    this.order.splice(this.order.indexOf(e), 1);
    return ok(info);
  }

  setParams(id: EntityId, params: EntityParams, now: number): Result<void> {
    const e = this.byId.get(id);
    if (e === undefined) return fail('UNKNOWN_ID', `no entity ${id}`, id);
    const p = PrsmWeightScheduler.checkParams(id, params);
    if (!p.ok) return p;
    const t = this.time(now);
    if (!t.ok) return t;
    e.params = { ...params };
    return OK;
  }

  wake(id: EntityId, now: number): Result<WakeOutcome> {
    const e = this.byId.get(id);
    if (e === undefined) return fail('UNKNOWN_ID', `no entity ${id}`, id);
    const t = this.time(now);
    if (!t.ok) return t;
    if (e.runnable) return ok(NEVER);
    // The floor is taken before e counts as runnable: over the others, or the system virtual time when none is.
    this.svt = systemVirtualTime(this.svt, this.minRunnableVt());
    e.vt = wakeVirtualTime(e.vt, this.svt);
    e.runnable = true;
    return ok(this.current === null ? { reschedule: now } : NEVER);
  }

  block(id: EntityId, now: number): Result<void> {
    const e = this.byId.get(id);
    if (e === undefined) return fail('UNKNOWN_ID', `no entity ${id}`, id);
    if (!e.runnable) return fail('NOT_RUNNABLE', `entity ${id} is already blocked`, id);
    const t = this.time(now);
    if (!t.ok) return t;
    this.svt = systemVirtualTime(this.svt, this.minRunnableVt());
    e.runnable = false;
    if (e === this.current) this.current = null;
    return OK;
  }

  account(id: EntityId, ran: number, now: number): Result<void> {
    const e = this.byId.get(id);
    if (e === undefined) return fail('UNKNOWN_ID', `no entity ${id}`, id);
    if (e !== this.current) return fail('NOT_RUNNING', `entity ${id} is not running`, id);
    if (typeof ran !== 'number' || !Number.isFinite(ran)) return fail('NOT_FINITE', `run time must be finite, got ${String(ran)}`, id, 'ran');
    if (ran < 0) return fail('NEGATIVE_RUN_TIME', `run time must be >= 0, got ${ran}`, id, 'ran');
    if (ran > now - this.chargedTo + 1e-9 * Math.max(1, Math.abs(now))) {
      return fail('OVERCHARGE', `charged ${ran} but only ${now - this.chargedTo} passed`, id, 'ran');
    }
    const t = this.time(now);
    if (!t.ok) return t;
    e.runtime += ran;
    e.vt = advanceVirtualTime(e.vt, ran, e.params.weight ?? 1);
    this.chargedTo = now;
    return OK;
  }

  pick(now: number): Decision {
    if (!Number.isFinite(now) || now < this.lastNow) throw new RangeError(`PrsmWeightScheduler.pick: time ${now} is not finite or before ${this.lastNow}`);
    this.lastNow = now;
    let best: Entity | null = null;
    for (const e of this.order) {
      if (e.runnable && (best === null || selectsBefore(e.vt, e.order, best.vt, best.order))) best = e;
    }
    this.current = best;
    if (best === null) return IDLE;
    this.chargedTo = now;
    return { id: best.id, until: now + this.slice, slice: this.slice, limit: 'slice', warped: false };
  }

  running(): EntityId | null {
    return this.current?.id ?? null;
  }

  info(id: EntityId): EntityInfo | undefined {
    const e = this.byId.get(id);
    return e === undefined ? undefined : this.info0(e);
  }

  entities(): EntityInfo[] {
    return this.order.map((e) => this.info0(e));
  }
}

/** PR/SM's weight selection behind the Scheduler interface, with time slice `slice` (> 0). */
export function createPrsmWeightScheduler(slice: number): Result<PrsmWeightScheduler> {
  if (!(slice > 0) || !Number.isFinite(slice)) return fail('INVALID_OPTION', `slice must be a positive finite number, got ${String(slice)}`, undefined, 'slice');
  return ok(new PrsmWeightScheduler(slice));
}
