/**
 * Schedule traces: who ran from when to when and why the CPU changed hands,
 * plus the instants that matter for latency (arrivals of work, wake-ups,
 * the start of service). Statistics and CSV are computed from a trace, so
 * every figure a reproduction prints can be traced back to the schedule.
 */
import type { EntityId, PolicyName } from './types';

/** Why a run segment ended. */
export type SwitchReason =
  /** The decision's time slice (or BVT's context-switch allowance) ran out. */
  | 'slice-end'
  /** BVT: the warp-time limit L ran out. */
  | 'warp-limit'
  /** Credit: the entity's capped credit ran out. */
  | 'cap'
  /** The entity had no more work and blocked. */
  | 'block'
  /** A waking entity took the CPU. */
  | 'wake-preempt'
  /** The scheduling policy was replaced. */
  | 'policy-switch'
  /** The simulation's time horizon was reached. */
  | 'horizon';

/** One stretch of CPU time given to one entity. */
export interface RunSegment {
  readonly id: EntityId;
  readonly start: number;
  readonly end: number;
  readonly endReason: SwitchReason;
  /** BVT: the entity ran warped throughout. */
  readonly warped: boolean;
  readonly policy: PolicyName;
}

/** Kinds of instant events. */
export type InstantKind =
  /** Work (a job) arrived for the entity — an interruption request when it was blocked. */
  | 'arrival'
  /** The entity became runnable. */
  | 'wake'
  /** A job began to be served. */
  | 'service'
  /** A job finished. */
  | 'complete'
  /** The policy was switched (entity `null`). */
  | 'policy-switch';

/** Something that happened at one instant. */
export interface TraceInstant {
  readonly t: number;
  readonly kind: InstantKind;
  readonly id: EntityId | null;
  readonly label?: string;
}

/** The life of one job (a work demand of an entity). */
export interface JobRecord {
  readonly entity: EntityId;
  /** Index of the job in the entity's job list. */
  readonly index: number;
  readonly label?: string;
  readonly arrival: number;
  readonly work: number;
  /** When service began (NaN if never). */
  readonly start: number;
  /** When the job completed (NaN if never). */
  readonly finish: number;
}

/** A complete schedule of one simulation. */
export interface ScheduleTrace {
  /** A name for the run (e.g. `bvt warp 7`). */
  readonly label: string;
  readonly entities: readonly { readonly id: EntityId; readonly name: string }[];
  readonly segments: readonly RunSegment[];
  readonly instants: readonly TraceInstant[];
  readonly jobs: readonly JobRecord[];
  /** Time the simulation stopped. */
  readonly end: number;
}

/** Wake-to-run latencies of one entity. */
export interface LatencyStats {
  readonly count: number;
  readonly mean: number;
  readonly max: number;
  readonly samples: readonly number[];
}

/** Per-entity figures of a trace. */
export interface EntityStats {
  readonly id: EntityId;
  readonly name: string;
  /** CPU time received. */
  readonly cpu: number;
  /** cpu / total CPU time given to all entities. */
  readonly share: number;
  /** Number of run segments (dispatches). */
  readonly dispatches: number;
  /** Wake → first run after it. */
  readonly latency: LatencyStats;
}

/** Figures of a whole trace. */
export interface TraceStats {
  readonly entities: readonly EntityStats[];
  /** Total CPU time given to entities. */
  readonly busy: number;
  /** Time from 0 to the end of the last segment. */
  readonly makespan: number;
  /** Number of times the CPU went from one entity to another. */
  readonly switches: number;
}

/** Compute shares and wake-to-run latencies from a trace. */
export function statistics(trace: ScheduleTrace): TraceStats {
  const cpu = new Map<EntityId, number>();
  const dispatches = new Map<EntityId, number>();
  const starts = new Map<EntityId, number[]>();
  let busy = 0;
  let makespan = 0;
  let switches = 0;
  let last: EntityId | null = null;
  for (const s of trace.segments) {
    const d = s.end - s.start;
    busy += d;
    cpu.set(s.id, (cpu.get(s.id) ?? 0) + d);
    dispatches.set(s.id, (dispatches.get(s.id) ?? 0) + 1);
    let list = starts.get(s.id);
    if (list === undefined) {
      list = [];
      starts.set(s.id, list);
    }
    list.push(s.start);
    if (last !== null && last !== s.id) switches++;
    last = s.id;
    if (s.end > makespan) makespan = s.end;
  }
  const entities = trace.entities.map(({ id, name }): EntityStats => {
    const runStarts = starts.get(id) ?? [];
    const samples: number[] = [];
    let k = 0;
    for (const w of trace.instants) {
      if (w.kind !== 'wake' || w.id !== id) continue;
      while (k < runStarts.length && runStarts[k]! < w.t) k++;
      if (k < runStarts.length) samples.push(runStarts[k]! - w.t);
    }
    const sum = samples.reduce((a, b) => a + b, 0);
    const c = cpu.get(id) ?? 0;
    return {
      id,
      name,
      cpu: c,
      share: busy > 0 ? c / busy : 0,
      dispatches: dispatches.get(id) ?? 0,
      latency: {
        count: samples.length,
        mean: samples.length > 0 ? sum / samples.length : 0,
        max: samples.length > 0 ? Math.max(...samples) : 0,
        samples,
      },
    };
  });
  return { entities, busy, makespan, switches };
}

function csvField(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The run segments as CSV: `policy,entity,name,start,end,duration,end_reason,warped`. */
export function segmentsToCsv(trace: ScheduleTrace): string {
  const names = new Map(trace.entities.map((e) => [e.id, e.name]));
  const rows = ['policy,entity,name,start,end,duration,end_reason,warped'];
  for (const s of trace.segments) {
    rows.push(
      [s.policy, s.id, names.get(s.id) ?? `#${s.id}`, s.start, s.end, s.end - s.start, s.endReason, s.warped]
        .map(csvField)
        .join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

/** The jobs as CSV: `entity,name,job,label,arrival,work,start,finish,latency`. */
export function jobsToCsv(trace: ScheduleTrace): string {
  const names = new Map(trace.entities.map((e) => [e.id, e.name]));
  const rows = ['entity,name,job,label,arrival,work,start,finish,latency'];
  for (const j of trace.jobs) {
    rows.push(
      [
        j.entity,
        names.get(j.entity) ?? `#${j.entity}`,
        j.index,
        j.label ?? '',
        j.arrival,
        j.work,
        j.start,
        j.finish,
        j.start - j.arrival,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}
