/**
 * Borrowed Virtual Time — K. J. Duda and D. R. Cheriton, "Borrowed-virtual-time
 * (BVT) scheduling: supporting latency-sensitive threads in a general-purpose
 * scheduler", SOSP 1999.
 *
 * Per entity i: weight w_i; actual virtual time A_i, advanced by t / w_i for
 * t of CPU time (the "mcu advance" m_i = 1 / w_i per unit of real time);
 * warp W_i and a warp flag; warp-time limit L_i and unwarp-time requirement
 * U_i. Effective virtual time E_i = A_i − (warped_i ? W_i : 0). The runnable
 * entity with the smallest E runs. A running entity i is switched for a
 * runnable j once E_j ≤ E_i − C / w_i, C being the context-switch
 * allowance in real time. A waking entity gets A_i ← max(A_i, SVT), the
 * scheduler virtual time SVT being the minimum A over runnable entities, so
 * sleeping earns no credit.
 *
 * Selection is O(log n): runnable entities that are not running sit in an
 * indexed binary heap keyed by E (and a second one keyed by A for SVT).
 * Their keys cannot change while they wait — A moves only while running and
 * the warp limit counts running time — so the running entity alone is out
 * of the heaps and is re-inserted with its new key at the next decision
 * (the lazy update), instead of re-keying anything per tick.
 */
import { IDLE } from './decisions';
import { fail, OK, ok, type Result } from './errors';
import { SlotHeap } from './heap';
import { PolicyBase } from './policy-base';
import { EntityRecord } from './table';
import type { BlockKind, Decision, DecisionLimit, EntityId, EntityParams, WakeOutcome } from './types';
import { checkPositiveOption } from './validate';

/**
 * When a waking entity j may take the CPU from the running entity i.
 *
 * - `'paper'` — Duda & Cheriton: C is ignored for an entity that has just
 *   become runnable, so j preempts at once if E_j ≤ E_i; otherwise the usual
 *   allowance rule applies from now on (i keeps the CPU until
 *   E_i ≥ E_j + C / w_i).
 * - `'allowance'` — the allowance rule applied to wakers too: i keeps the CPU
 *   until E_j ≤ E_i − C / w_i, which may be at once or later.
 * - `'xen'` — Xen's sched_bvt (bvt_wake): the running domain keeps the CPU
 *   for at least C after it was dispatched (its `min_slice`); then a new
 *   decision picks the smallest E. With C equal to a time slice this is a
 *   scheduler that decides only at slice ends, as in Gerstel's figure 4.
 */
export type WakePreemption = 'paper' | 'allowance' | 'xen';

/** Construction options of {@link BvtScheduler}. */
export interface BvtOptions {
  /**
   * Context-switch allowance C > 0 in real time units: how far (in real
   * time) the running entity may advance beyond the next one before it is
   * switched out; it bounds the switch rate like a time slice does. Xen's
   * default `ctx_allow` is 5 ms.
   */
  readonly ctxAllow: number;
  /** Wake-up preemption rule (default `'paper'`). */
  readonly wakePreemption?: WakePreemption;
  /**
   * Minimum charging unit ("mcu", Xen: 100 µs): CPU time is charged rounded
   * up to whole units per dispatch. 0 or absent: charge exactly.
   */
  readonly chargingUnit?: number;
}

/** BVT's view of one entity (for tests, traces and tools). */
export interface BvtEntityState {
  /** Actual virtual time A. */
  readonly actual: number;
  /** Effective virtual time E = A − (warped ? W : 0). */
  readonly effective: number;
  /** The warp flag. */
  readonly warped: boolean;
  /** Running time used while warped since the warp began (counts toward L). */
  readonly warpUsed: number;
  /** When the entity last unwarped (−Infinity if never). */
  readonly unwarpedAt: number;
}

class BvtEntity extends EntityRecord {
  weight = 1;
  warp = 0;
  warpLimit = Number.POSITIVE_INFINITY;
  unwarpRequirement = 0;
  actual: number;
  warped = false;
  warpUsed = 0;
  unwarpedAt = Number.NEGATIVE_INFINITY;
  involuntary = false;

  constructor(id: EntityId, slot: number, addedSeq: number, params: EntityParams, actual: number) {
    super(id, slot, addedSeq, params);
    this.actual = actual;
    this.apply(params);
  }

  apply(p: EntityParams): void {
    this.params = p;
    this.weight = p.weight ?? 1;
    this.warp = p.warp ?? 0;
    this.warpLimit = p.warpLimit ?? Number.POSITIVE_INFINITY;
    this.unwarpRequirement = p.unwarpRequirement ?? 0;
    if (this.warp === 0) this.warped = false;
  }

  effective(): number {
    return this.warped ? this.actual - this.warp : this.actual;
  }
}

/** The Borrowed Virtual Time scheduler (see the module comment). */
export class BvtScheduler extends PolicyBase<BvtEntity> {
  readonly policy = 'bvt' as const;
  /** C, the context-switch allowance (change it with {@link BvtScheduler.setCtxAllow}). */
  get ctxAllow(): number {
    return this.allowance;
  }
  private allowance: number;
  readonly wakePreemption: WakePreemption;
  readonly chargingUnit: number;

  private readonly byE = new SlotHeap();
  private readonly byA = new SlotHeap();
  private dispatchedAt = 0;
  private runSinceDispatch = 0;
  private chargedSinceDispatch = 0;
  private currentUntil = Number.POSITIVE_INFINITY;
  private lastSvt = 0;
  private seq = 0;

  /** Use {@link createBvt} for validated construction. */
  constructor(options: BvtOptions) {
    super();
    this.allowance = options.ctxAllow;
    this.wakePreemption = options.wakePreemption ?? 'paper';
    this.chargingUnit = options.chargingUnit ?? 0;
  }

  protected create(
    id: EntityId,
    slot: number,
    addedSeq: number,
    params: EntityParams,
    now: number,
  ): BvtEntity {
    // A newcomer starts at SVT (as Xen's bvt_add_task does) so it neither
    // owes nor is owed CPU relative to the entities already competing.
    return new BvtEntity(id, slot, addedSeq, params, this.svt(now));
  }

  protected reserve(slots: number): void {
    this.byE.reserve(slots);
    this.byA.reserve(slots);
  }

  protected dequeue(e: BvtEntity): void {
    this.byE.remove(e.slot);
    this.byA.remove(e.slot);
  }

  protected reparam(e: BvtEntity, params: EntityParams): void {
    e.apply(params);
    if (this.byE.has(e.slot)) this.byE.update(e.slot, e.effective());
  }

  protected woken(e: BvtEntity, now: number): WakeOutcome {
    // After a voluntary sleep the entity may not come back behind SVT: it
    // earns no credit for sleeping. After an involuntary stop (a page fault)
    // it keeps its A and catches up, as the paper prescribes.
    if (!e.involuntary) {
      const svt = this.svt(now);
      if (e.actual < svt) e.actual = svt;
    }
    if (e.warp > 0 && now - e.unwarpedAt >= e.unwarpRequirement) {
      e.warped = true;
      e.warpUsed = 0;
    }
    this.enqueue(e);
    return { reschedule: this.wakeReschedule(e, now) };
  }

  protected override blocking(e: BvtEntity, now: number, kind: BlockKind): void {
    if (e.warped) {
      e.warped = false;
      e.unwarpedAt = now;
    }
    e.involuntary = kind === 'involuntary';
  }

  protected charge(e: BvtEntity, ran: number, now: number): void {
    // Xen rounds each dispatch's run time up to whole charging units; doing
    // it on the running total keeps repeated account() calls from
    // compounding the rounding.
    this.runSinceDispatch += ran;
    const unit = this.chargingUnit;
    const charged = unit > 0 ? Math.ceil(this.runSinceDispatch / unit - 1e-12) * unit : this.runSinceDispatch;
    e.actual += (charged - this.chargedSinceDispatch) / e.weight;
    this.chargedSinceDispatch = charged;
    if (e.warped) {
      e.warpUsed += ran;
      if (e.warpUsed >= e.warpLimit - 1e-12 * Math.max(1, e.warpLimit)) {
        e.warped = false;
        e.unwarpedAt = now;
      }
    }
  }

  pick(now: number): Decision {
    this.pickAt(now, 'BvtScheduler');
    const prev = this.current;
    this.current = null;
    let slot: number;
    if (prev?.runnable) {
      // The runner competes again with its new E: one push-pop on the E heap
      // (it keeps the CPU without touching the heap if it is still the
      // smallest), and one re-key in the A heap, where it stayed while running.
      const s = this.seq++;
      slot = this.byE.pushPop(prev.slot, prev.effective(), s);
      this.byA.update(prev.slot, prev.actual);
    } else {
      slot = this.byE.pop();
    }
    if (slot < 0) {
      this.currentUntil = Number.POSITIVE_INFINITY;
      return IDLE;
    }
    const e = this.table.at(slot);
    const mine = e.effective();
    const next = this.byE.peekKey();
    let until = Number.POSITIVE_INFINITY;
    let limit: DecisionLimit = 'none';
    if (next !== Number.POSITIVE_INFINITY) {
      // Run until E_e has passed the next entity's E by C / w_e.
      until = now + (next - mine) * e.weight + this.allowance;
      limit = 'slice';
    }
    if (e.warped && e.warpLimit !== Number.POSITIVE_INFINITY) {
      const warpEnd = now + (e.warpLimit - e.warpUsed);
      if (warpEnd < until) {
        until = warpEnd;
        limit = 'warp-limit';
      }
    }
    this.current = e;
    this.dispatchedAt = now;
    this.chargedTo = now;
    this.runSinceDispatch = 0;
    this.chargedSinceDispatch = 0;
    this.currentUntil = until;
    return { id: e.id, until, slice: until - now, limit, warped: e.warped };
  }

  /**
   * Change C at run time (Xen's `bvt_ctl` / `xm sched-bvt-ctxallow`). It
   * applies from the next decision or wake on.
   */
  setCtxAllow(ctxAllow: number): Result<void> {
    const r = checkPositiveOption('ctxAllow', ctxAllow);
    if (!r.ok) return r;
    this.allowance = ctxAllow;
    return OK;
  }

  /** A, E and warp state of an entity. */
  state(id: EntityId): BvtEntityState | undefined {
    const e = this.table.get(id);
    if (e === undefined) return undefined;
    return {
      actual: e.actual,
      effective: e.effective(),
      warped: e.warped,
      warpUsed: e.warpUsed,
      unwarpedAt: e.unwarpedAt,
    };
  }

  /**
   * Scheduler virtual time: the minimum A over runnable entities (the
   * running one included, as charged so far); when nothing is runnable, the
   * last value seen.
   */
  svt(now: number): number {
    const c = this.current;
    let min: number;
    if (c?.runnable) {
      // The runner's key in the A heap is its A at dispatch, which only
      // understates it: use its real A and, if it holds the top, the next key.
      min = this.byA.peek() === c.slot ? this.byA.peekSecondKey() : this.byA.peekKey();
      const a = c.actual + (now > this.chargedTo ? (now - this.chargedTo) / c.weight : 0);
      if (a < min) min = a;
    } else {
      min = this.byA.peekKey();
    }
    if (min !== Number.POSITIVE_INFINITY) this.lastSvt = min;
    return this.lastSvt;
  }

  private enqueue(e: BvtEntity): void {
    const s = this.seq++;
    this.byE.push(e.slot, e.effective(), s);
    this.byA.push(e.slot, e.actual, s);
  }

  /** When the waker `w` may take the CPU, per the configured rule. */
  private wakeReschedule(w: BvtEntity, now: number): number {
    const c = this.current;
    if (c === null) return now;
    // The running entity's E as of now (it may not have been charged yet).
    const ec = c.effective() + (now > this.chargedTo ? (now - this.chargedTo) / c.weight : 0);
    const ew = w.effective();
    let at: number;
    switch (this.wakePreemption) {
      case 'paper':
        at = ew <= ec ? now : now + (ew - ec) * c.weight + this.allowance;
        break;
      case 'allowance':
        at = Math.max(now, now + (ew - ec) * c.weight + this.allowance);
        break;
      case 'xen':
        at = Math.max(now, this.dispatchedAt + this.allowance);
        break;
    }
    if (at < this.currentUntil) {
      this.currentUntil = at;
      return at;
    }
    return Number.POSITIVE_INFINITY;
  }
}

/** Create a BVT scheduler, refusing a non-positive or non-finite C or charging unit. */
export function createBvt(options: BvtOptions): Result<BvtScheduler> {
  const c = checkPositiveOption('ctxAllow', options.ctxAllow);
  if (!c.ok) return c;
  if (options.chargingUnit !== undefined && options.chargingUnit !== 0) {
    const u = checkPositiveOption('chargingUnit', options.chargingUnit);
    if (!u.ok) return u;
  }
  const w = options.wakePreemption;
  if (w !== undefined && w !== 'paper' && w !== 'allowance' && w !== 'xen') {
    return fail('INVALID_OPTION', `wakePreemption must be 'paper', 'allowance' or 'xen', got ${String(w)}`);
  }
  return ok(new BvtScheduler(options));
}
