/**
 * Export a schedule trace in the Chrome trace-event format, which Perfetto
 * (ui.perfetto.dev) and chrome://tracing open directly: one process per
 * simulated CPU/policy, one thread per entity, an 'X' (complete) event per
 * run segment, 'i' (instant) events for arrivals, wakes and service starts,
 * and 'M' (metadata) events naming processes and threads. Timestamps are in
 * microseconds, as the format requires.
 */
import type { ScheduleTrace } from './trace';

/** One trace event (the subset of fields this exporter emits). */
export interface TraceEvent {
  readonly name: string;
  /** Phase: 'X' complete, 'i' instant, 'M' metadata. */
  readonly ph: 'X' | 'i' | 'M';
  /** Microseconds. */
  readonly ts: number;
  readonly pid: number;
  readonly tid: number;
  /** Duration in microseconds ('X' only). */
  readonly dur?: number;
  readonly cat?: string;
  /** Instant scope: 't' thread, 'p' process. */
  readonly s?: 't' | 'p';
  readonly args?: Readonly<Record<string, string | number | boolean>>;
}

/** A trace-event file. */
export interface TraceEventFile {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ms' | 'ns';
}

/** Options of {@link toTraceEvents}. */
export interface TraceEventOptions {
  /** Process id for this trace (default 1); give each policy its own to compare them in one file. */
  readonly pid?: number;
  /** Microseconds per simulated time unit (default 1000: one unit shows as one millisecond). */
  readonly usPerUnit?: number;
  /** Process name (default: the trace's label). */
  readonly processName?: string;
}

/** Trace events of one schedule trace. */
export function toTraceEvents(trace: ScheduleTrace, options: TraceEventOptions = {}): TraceEvent[] {
  const pid = options.pid ?? 1;
  const k = options.usPerUnit ?? 1000;
  const us = (t: number): number => Math.round(t * k * 1000) / 1000;
  const names = new Map(trace.entities.map((e) => [e.id, e.name]));
  const out: TraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: options.processName ?? trace.label } },
  ];
  for (const [i, e] of trace.entities.entries()) {
    out.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid: e.id, args: { name: e.name } });
    out.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid, tid: e.id, args: { sort_index: i } });
  }
  for (const s of trace.segments) {
    out.push({
      name: names.get(s.id) ?? `#${s.id}`,
      cat: s.warped ? 'run,warped' : 'run',
      ph: 'X',
      ts: us(s.start),
      dur: us(s.end) - us(s.start),
      pid,
      tid: s.id,
      args: { policy: s.policy, end_reason: s.endReason, warped: s.warped },
    });
  }
  for (const m of trace.instants) {
    if (m.kind === 'complete') continue;
    const name = m.label === undefined ? m.kind : `${m.kind}: ${m.label}`;
    if (m.id === null) {
      out.push({ name, cat: m.kind, ph: 'i', ts: us(m.t), pid, tid: 0, s: 'p' });
    } else {
      out.push({ name, cat: m.kind, ph: 'i', ts: us(m.t), pid, tid: m.id, s: 't' });
    }
  }
  return out;
}

/** A trace-event file holding several traces, one process each (pid 1, 2, …). */
export function traceEventFile(traces: readonly ScheduleTrace[], usPerUnit = 1000): TraceEventFile {
  const traceEvents = traces.flatMap((trace, i) => toTraceEvents(trace, { pid: i + 1, usPerUnit }));
  return { traceEvents, displayTimeUnit: 'ms' };
}
