/**
 * The consumer-facing scheduler interface, in the spirit of rust-vmm: the
 * handful of calls a dispatcher (a discrete-event simulation, CP's virtual
 * CPU dispatcher, PR/SM, a Xen-like hypervisor) needs, and nothing about how
 * a policy is managed. Every policy in this package implements it, so they
 * can be compared side by side and swapped at run time.
 *
 * Time is abstract simulated time in "time units" (a driver decides whether
 * a unit is a microsecond, a nanosecond or one of Gerstel's figure ticks);
 * every call carries `now`, which must never decrease.
 */
import type { Result } from './errors';

/** An entity's identity: a non-negative safe integer (a thread, a virtual CPU, a domain). */
export type EntityId = number;

/**
 * Scheduling parameters of one runnable entity. One shape for every policy,
 * so an entity keeps its parameters when the policy is switched; each policy
 * reads the fields it understands. Validation is common to all policies, so
 * an entity one policy accepts is accepted by every other.
 */
export interface EntityParams {
  /** Name shown in traces and charts (defaults to `#id`). */
  readonly name?: string;
  /**
   * Share weight w_i > 0 (default 1). Under BVT the actual virtual time A_i
   * advances by (time run) / w_i, i.e. the "mcu advance" is 1 / w_i
   * (Duda & Cheriton 1999, §2.1); under credit it is Xen's domain weight;
   * round-robin ignores it.
   */
  readonly weight?: number;
  /**
   * BVT warp W_i ≥ 0 in virtual-time units: while warped, the entity's
   * effective virtual time is E_i = A_i − W_i, so it is dispatched ahead of
   * entities whose E is up to W_i larger — it "borrows" against its future
   * CPU share (Duda & Cheriton 1999, §2.2). 0 (default) means never warped.
   */
  readonly warp?: number;
  /**
   * BVT warp-time limit L_i > 0 in real time units: after running warped for
   * L_i in total the entity is unwarped. Absent: unlimited. Needs a warp.
   */
  readonly warpLimit?: number;
  /**
   * BVT unwarp-time requirement U_i ≥ 0 in real time units: after an
   * unwarp, the entity may not warp again until U_i has passed. Needs a warp.
   */
  readonly unwarpRequirement?: number;
  /**
   * Credit-scheduler cap in percent of one CPU (Xen's `cap`: 0 or absent =
   * uncapped, 50 = half a CPU). The other policies ignore it.
   */
  readonly cap?: number;
}

/** Whether the entity went to sleep by itself (waiting for input) or was stopped (a page fault). */
export type BlockKind = 'voluntary' | 'involuntary';

/** What bounds a decision's run time. */
export type DecisionLimit =
  /** The policy's time slice or, under BVT, the context-switch allowance C beyond the next entity. */
  | 'slice'
  /** BVT: the warp-time limit L runs out and E jumps back up by W. */
  | 'warp-limit'
  /** Credit: the entity's credit runs out under its cap. */
  | 'cap'
  /** Nothing bounds it (only one entity runnable, or idle). */
  | 'none';

/**
 * A dispatch decision: who runs and until when. The dispatcher runs `id`
 * from `now` until `until` at the latest, then calls {@link Scheduler.pick}
 * again; it calls it earlier when the entity blocks or a wake asks for it.
 */
export interface Decision {
  /** The entity to run, or `null` to idle. */
  readonly id: EntityId | null;
  /** Absolute time of the next decision (may be `Infinity`). */
  readonly until: number;
  /** `until − now`. */
  readonly slice: number;
  /** What bounds `until`. */
  readonly limit: DecisionLimit;
  /** BVT: the entity runs warped (E = A − W). Always false for other policies. */
  readonly warped: boolean;
}

/** The scheduler's answer to a wake: when the dispatcher should decide again. */
export interface WakeOutcome {
  /**
   * Absolute time at which the dispatcher should call {@link Scheduler.pick}
   * because of this wake: `now` to preempt the running entity at once, a
   * later time to preempt it then (before the running decision's `until`),
   * or `Infinity` when the running decision stands.
   */
  readonly reschedule: number;
}

/** What a scheduler reports about one entity (also what travels on a policy switch). */
export interface EntityInfo {
  readonly id: EntityId;
  readonly params: EntityParams;
  /** Waiting for or holding the CPU (not blocked). */
  readonly runnable: boolean;
  /** Holding the CPU now. */
  readonly running: boolean;
  /** Total time charged through {@link Scheduler.account}. */
  readonly runtime: number;
}

/** The policies this package implements. */
export type BuiltinPolicyName = 'bvt' | 'round-robin' | 'credit';

/**
 * Which policy a scheduler implements: one of this package's, or another
 * name for a policy written elsewhere against the same interface (PR/SM's
 * weight-based dispatch, for instance). The `string & {}` keeps editors
 * completing the built-in names.
 */
export type PolicyName = BuiltinPolicyName | (string & {});

/**
 * A CPU scheduler over abstract entities in simulated time.
 *
 * Protocol: `add` entities (they start blocked), `wake` them, `pick` to get a
 * {@link Decision}, run the chosen entity, `account` the time it ran, then
 * `block` it if it has no more work; `pick` again at the decision's `until`,
 * after a block, or at a wake's `reschedule` time. Account the running
 * entity before calling anything else at a later `now`.
 */
export interface Scheduler {
  readonly policy: PolicyName;
  /** Register an entity (blocked). */
  add(id: EntityId, params: EntityParams, now: number): Result<void>;
  /** Forget an entity; returns what it was. If it was running, the dispatcher must pick again. */
  remove(id: EntityId, now: number): Result<EntityInfo>;
  /** Change an entity's parameters (a control interface such as Xen's `adjdom`). */
  setParams(id: EntityId, params: EntityParams, now: number): Result<void>;
  /** Make a blocked entity runnable. Waking a runnable entity is allowed and changes nothing. */
  wake(id: EntityId, now: number): Result<WakeOutcome>;
  /** Make a runnable entity blocked. If it was running, the dispatcher must pick again. */
  block(id: EntityId, now: number, kind?: BlockKind): Result<void>;
  /** Charge the running entity for `ran` time units of CPU ending at `now`. */
  account(id: EntityId, ran: number, now: number): Result<void>;
  /**
   * Decide who runs from `now`. The previously running entity, if still
   * runnable, competes again. `now` must not decrease (a RangeError otherwise:
   * that is a dispatcher bug, not bad input).
   */
  pick(now: number): Decision;
  /** The entity holding the CPU, or `null`. */
  running(): EntityId | null;
  /** Information on one entity. */
  info(id: EntityId): EntityInfo | undefined;
  /** Every entity, in the order they were added. */
  entities(): EntityInfo[];
}
