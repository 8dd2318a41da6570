/**
 * Dispatch traces in the Chrome/Perfetto trace-event format (the format
 * @strachey/scheduler-bvt exports, so the files open the same way in
 * ui.perfetto.dev or chrome://tracing): one track per physical CP, one
 * complete event per dispatch of a logical CP, named PARTITION.CP, with why
 * it ended.
 */
import type { TraceEvent, TraceEventFile } from '@strachey/scheduler-bvt';
import type { DispatchSegment } from './machine';

/** Trace events of recorded dispatches; `mhz` converts cycles to microseconds. */
export function dispatchTraceEvents(segments: readonly DispatchSegment[], mhz: number, physicalCps: number): TraceEventFile {
  const us = (cycles: number): number => Math.round((cycles / mhz) * 1000) / 1000;
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: 'PR/SM physical CPs' } }];
  for (let c = 0; c < physicalCps; c++) {
    events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: 1, tid: c + 1, args: { name: `CP${c}` } });
    events.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: 1, tid: c + 1, args: { sort_index: c } });
  }
  for (const s of segments) {
    events.push({
      name: `${s.partition}.${s.cp}`,
      cat: 'dispatch',
      ph: 'X',
      ts: us(s.start),
      dur: us(s.end) - us(s.start),
      pid: 1,
      tid: s.physical + 1,
      args: { partition: s.partition, logical_cp: s.cp, end_reason: s.reason },
    });
  }
  return { traceEvents: events, displayTimeUnit: 'ms' };
}
