/**
 * A discrete-event driver for one CPU: entities receive jobs (work demands)
 * at given times, a scheduler decides who runs, and the driver records the
 * schedule. A job arriving for a blocked entity wakes it — that is an
 * interruption request in Gerstel's example; an entity whose work is done
 * blocks. The driver is the reference user of the {@link Scheduler}
 * protocol: account before anything else at a new time, pick at a
 * decision's `until`, after a block, or at a wake's `reschedule` time.
 */
import { fail, ok, type Result } from './errors';
import { switchPolicy } from './switch';
import type { InstantKind, RunSegment, ScheduleTrace, SwitchReason, TraceInstant } from './trace';
import type { DecisionLimit, EntityId, EntityParams, Scheduler } from './types';

/** A work demand: `work` time units of CPU, arriving at `at`. */
export interface Job {
  readonly at: number;
  readonly work: number;
  /** Shown in traces and charts (e.g. `interruption`). */
  readonly label?: string;
}

/** One entity of a workload. */
export interface WorkloadEntity {
  readonly id: EntityId;
  readonly params: EntityParams;
  /** Jobs in any order; an entity serves its jobs first come, first served. */
  readonly jobs: readonly Job[];
}

/** What to simulate. */
export interface Workload {
  readonly entities: readonly WorkloadEntity[];
}

/** Replace the policy at time `at` by a fresh, empty scheduler. */
export interface PolicySwitch {
  readonly at: number;
  readonly to: () => Scheduler;
}

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** Name of the run in the trace (default: the scheduler's policy). */
  readonly label?: string;
  /** Stop at this time even if work remains (default: run until all work is done). */
  readonly horizon?: number;
  /** Policy switches during the run. */
  readonly switches?: readonly PolicySwitch[];
  /** Safety limit on driver steps (default 10,000,000). */
  readonly maxEvents?: number;
}

/** A finished simulation. */
export interface SimulationResult {
  readonly trace: ScheduleTrace;
  /** The scheduler in charge at the end (differs from the input after a switch). */
  readonly scheduler: Scheduler;
}

interface SimEntity {
  readonly id: EntityId;
  readonly order: number;
  /** Indices into `jobs` of arrived, unfinished jobs, oldest first. */
  readonly pending: number[];
  pendingHead: number;
  remaining: number;
  runnable: boolean;
}

interface MutableJob {
  entity: EntityId;
  index: number;
  label?: string;
  arrival: number;
  work: number;
  start: number;
  finish: number;
}

function limitReason(limit: DecisionLimit): SwitchReason {
  return limit === 'warp-limit' ? 'warp-limit' : limit === 'cap' ? 'cap' : 'slice-end';
}

function checkWorkload(workload: Workload, horizon: number): Result<void> {
  const seen = new Set<EntityId>();
  for (const e of workload.entities) {
    if (seen.has(e.id)) return fail('DUPLICATE_ID', `entity ${e.id} appears twice in the workload`, e.id);
    seen.add(e.id);
    for (const [i, j] of e.jobs.entries()) {
      if (!Number.isFinite(j.at) || j.at < 0) {
        return fail(
          'INVALID_WORKLOAD',
          `job ${i} arrives at ${j.at}; arrival times must be finite and ≥ 0`,
          e.id,
          'at',
        );
      }
      if (!Number.isFinite(j.work) || j.work <= 0) {
        return fail(
          'INVALID_WORKLOAD',
          `job ${i} needs ${j.work}; work must be finite and > 0`,
          e.id,
          'work',
        );
      }
    }
  }
  if (Number.isNaN(horizon) || horizon < 0)
    return fail('INVALID_OPTION', `horizon must be ≥ 0, got ${horizon}`);
  return ok(undefined);
}

/**
 * Run `workload` under `scheduler` (which must be empty) and return the
 * schedule trace. Deterministic: the same inputs give the same trace.
 */
export function simulate(
  workload: Workload,
  scheduler: Scheduler,
  options: SimulateOptions = {},
): Result<SimulationResult> {
  const horizon = options.horizon ?? Number.POSITIVE_INFINITY;
  const w = checkWorkload(workload, horizon);
  if (!w.ok) return w;
  if (scheduler.entities().length > 0) return fail('NOT_EMPTY', 'simulate needs an empty scheduler');
  const maxEvents = options.maxEvents ?? 10_000_000;
  let sched = scheduler;

  const ents = new Map<EntityId, SimEntity>();
  const jobs: MutableJob[] = [];
  const arrivals: { at: number; order: number; index: number; job: number; entity: SimEntity }[] = [];
  const names: { id: EntityId; name: string }[] = [];
  for (const [order, we] of workload.entities.entries()) {
    const a = sched.add(we.id, we.params, 0);
    if (!a.ok) return a;
    const se: SimEntity = { id: we.id, order, pending: [], pendingHead: 0, remaining: 0, runnable: false };
    ents.set(we.id, se);
    names.push({ id: we.id, name: we.params.name ?? `#${we.id}` });
    for (const [i, j] of we.jobs.entries()) {
      const rec: MutableJob = {
        entity: we.id,
        index: i,
        arrival: j.at,
        work: j.work,
        start: Number.NaN,
        finish: Number.NaN,
      };
      if (j.label !== undefined) rec.label = j.label;
      arrivals.push({ at: j.at, order, index: i, job: jobs.length, entity: se });
      jobs.push(rec);
    }
  }
  arrivals.sort((x, y) => x.at - y.at || x.order - y.order || x.index - y.index);
  const switches = [...(options.switches ?? [])].sort((x, y) => x.at - y.at);

  const segments: RunSegment[] = [];
  const instants: TraceInstant[] = [];
  const instant = (t: number, kind: InstantKind, id: EntityId | null, label?: string): void => {
    instants.push(label === undefined ? { t, kind, id } : { t, kind, id, label });
  };

  let t = 0;
  let ai = 0;
  let si = 0;
  let running: SimEntity | null = null;
  let segStart = 0;
  let segWarped = false;
  let rescheduleAt = Number.POSITIVE_INFINITY;
  let rescheduleReason: SwitchReason = 'slice-end';
  let preemptNow = false;
  let steps = 0;

  const close = (reason: SwitchReason): void => {
    if (running === null) return;
    if (t > segStart) {
      segments.push({
        id: running.id,
        start: segStart,
        end: t,
        endReason: reason,
        warped: segWarped,
        policy: sched.policy,
      });
    }
    running = null;
  };
  const startHeadJob = (se: SimEntity): void => {
    const j = jobs[se.pending[se.pendingHead]!]!;
    if (Number.isNaN(j.start)) {
      j.start = t;
      instant(t, 'service', se.id, j.label);
    }
  };

  for (;;) {
    if (++steps > maxEvents) {
      return fail('EVENT_LIMIT', `simulation exceeded ${maxEvents} steps at t = ${t} (zero-length slices?)`);
    }
    // Work arriving now; an arrival for a blocked entity wakes it.
    while (ai < arrivals.length && arrivals[ai]!.at <= t) {
      const a = arrivals[ai++]!;
      const se = a.entity;
      const job = jobs[a.job]!;
      instant(t, 'arrival', se.id, job.label);
      if (se.pendingHead >= se.pending.length) se.remaining = job.work;
      se.pending.push(a.job);
      if (!se.runnable) {
        se.runnable = true;
        const r = sched.wake(se.id, t);
        if (!r.ok) return r;
        instant(t, 'wake', se.id, job.label);
        if (r.value.reschedule <= t) preemptNow = true;
        else if (r.value.reschedule < rescheduleAt) {
          rescheduleAt = r.value.reschedule;
          rescheduleReason = 'wake-preempt';
        }
      }
    }
    while (si < switches.length && switches[si]!.at <= t) {
      const s = switches[si++]!;
      close('policy-switch');
      const next = switchPolicy(sched, s.to(), t);
      if (!next.ok) return next;
      sched = next.value;
      instant(t, 'policy-switch', null, sched.policy);
      preemptNow = true;
    }

    if (running === null || preemptNow || t >= rescheduleAt) {
      const reason: SwitchReason = preemptNow ? 'wake-preempt' : rescheduleReason;
      const d = sched.pick(t);
      const prev: SimEntity | null = running;
      if (prev === null || d.id !== prev.id || d.warped !== segWarped) {
        close(reason);
        if (d.id !== null) {
          running = ents.get(d.id) ?? null;
          segStart = t;
          segWarped = d.warped;
          if (running !== null) startHeadJob(running);
        }
      }
      rescheduleAt = d.until;
      rescheduleReason = limitReason(d.limit);
      preemptNow = false;
    }

    let next = Math.min(
      ai < arrivals.length ? arrivals[ai]!.at : Number.POSITIVE_INFINITY,
      si < switches.length ? switches[si]!.at : Number.POSITIVE_INFINITY,
      horizon,
      rescheduleAt,
    );
    const cur = running as SimEntity | null;
    if (cur !== null) next = Math.min(next, t + cur.remaining);
    if (next === Number.POSITIVE_INFINITY) break;

    if (cur !== null) {
      const ran = next - t;
      const r = sched.account(cur.id, ran, next);
      if (!r.ok) return r;
      cur.remaining -= ran;
    }
    t = next;

    // Done when what is left is rounding noise, or too small to move the clock at all.
    if (
      cur !== null &&
      (cur.remaining <= 1e-9 * Math.max(1, jobs[cur.pending[cur.pendingHead]!]!.work) ||
        t + cur.remaining === t)
    ) {
      const j = jobs[cur.pending[cur.pendingHead++]!]!;
      j.finish = t;
      instant(t, 'complete', cur.id, j.label);
      if (cur.pendingHead < cur.pending.length) {
        cur.remaining = jobs[cur.pending[cur.pendingHead]!]!.work;
        startHeadJob(cur);
      } else {
        cur.remaining = 0;
        cur.runnable = false;
        const b = sched.block(cur.id, t);
        if (!b.ok) return b;
        close('block');
      }
    }
    if (t >= horizon) {
      close('horizon');
      break;
    }
  }

  const trace: ScheduleTrace = {
    label: options.label ?? scheduler.policy,
    entities: names,
    segments,
    instants,
    jobs: jobs.map((j) => ({ ...j })),
    end: t,
  };
  return ok({ trace, scheduler: sched });
}
