/**
 * Trace outputs: the Chrome trace-event JSON follows the format (phases,
 * microsecond timestamps, metadata naming every thread, one complete event
 * per run segment), statistics agree with the schedule, CSV has one row per
 * segment, and the SVG Gantt chart has a row per entity, a bar per segment
 * and the interruption markers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createBvt,
  createRoundRobin,
  GERSTEL_FIGURE_4 as F,
  gerstelFigure4Workload,
  jobsToCsv,
  renderGantt,
  segmentsToCsv,
  simulate,
  statistics,
  type TraceEvent,
  toTraceEvents,
  traceEventFile,
  type Workload,
} from '../src/index';
import { must } from './helpers';

/** Structural check of a trace-event JSON document (the fields Perfetto requires). */
function validateTraceEventJson(text: string): string[] {
  const problems: string[] = [];
  const doc = JSON.parse(text) as { traceEvents?: unknown; displayTimeUnit?: unknown };
  if (!Array.isArray(doc.traceEvents)) return ['traceEvents is not an array'];
  if (doc.displayTimeUnit !== undefined && doc.displayTimeUnit !== 'ms' && doc.displayTimeUnit !== 'ns') {
    problems.push('bad displayTimeUnit');
  }
  const named = new Set<string>();
  for (const [i, raw] of doc.traceEvents.entries()) {
    const e = raw as Record<string, unknown>;
    if (typeof e.name !== 'string') problems.push(`${i}: name`);
    if (!['X', 'i', 'M'].includes(e.ph as string)) problems.push(`${i}: ph ${String(e.ph)}`);
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts) || e.ts < 0) problems.push(`${i}: ts`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) problems.push(`${i}: pid/tid`);
    if (e.ph === 'X' && (typeof e.dur !== 'number' || e.dur < 0)) problems.push(`${i}: dur`);
    if (e.ph === 'i' && e.s !== 't' && e.s !== 'p') problems.push(`${i}: instant scope`);
    if (e.ph === 'M') {
      const args = e.args as Record<string, unknown> | undefined;
      if (e.name === 'thread_name' || e.name === 'process_name') {
        if (typeof args?.name !== 'string') problems.push(`${i}: metadata without args.name`);
        if (e.name === 'thread_name') named.add(`${e.pid}/${e.tid}`);
      }
    }
  }
  for (const raw of doc.traceEvents) {
    const e = raw as Record<string, unknown>;
    if ((e.ph === 'X' || (e.ph === 'i' && e.s === 't')) && !named.has(`${e.pid}/${e.tid}`)) {
      problems.push(`event on unnamed thread ${e.pid}/${e.tid}`);
    }
  }
  return problems;
}

const seedTrace = () =>
  must(
    simulate(
      gerstelFigure4Workload({ p1: { warp: F.warp } }),
      must(createBvt({ ctxAllow: 5, wakePreemption: 'xen' })),
      { label: 'bvt' },
    ),
  ).trace;

describe('Chrome/Perfetto trace-event export', () => {
  it('writes valid trace-event JSON with one X event per segment in microseconds', () => {
    const trace = seedTrace();
    const events = toTraceEvents(trace, { usPerUnit: 1000 });
    expect(validateTraceEventJson(JSON.stringify({ traceEvents: events }))).toEqual([]);
    const x = events.filter((e) => e.ph === 'X');
    expect(x.length).toBe(trace.segments.length);
    x.forEach((e, k) => {
      const s = trace.segments[k]!;
      expect(e).toMatchObject({ ts: s.start * 1000, dur: (s.end - s.start) * 1000, tid: s.id });
      expect(e.args).toMatchObject({ end_reason: s.endReason, warped: s.warped });
    });
    // The interruption's arrival is an instant on P1's thread at t = 6 ms.
    expect(events).toContainEqual(
      expect.objectContaining({
        ph: 'i',
        name: 'arrival: interruption',
        ts: 6000,
        tid: 1,
        s: 't',
      }) as TraceEvent,
    );
    expect(events.filter((e) => e.name === 'thread_name').map((e) => e.args?.name)).toEqual([
      'P1',
      'P2',
      'P3',
    ]);
  });

  it('stays valid for random workloads and several traces in one file (fast-check)', () => {
    const workloadArb: fc.Arbitrary<Workload> = fc
      .array(
        fc.array(fc.record({ at: fc.nat(50), work: fc.integer({ min: 1, max: 9 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        {
          minLength: 1,
          maxLength: 5,
        },
      )
      .map((es) => ({
        entities: es.map((jobs, i) => ({ id: i, params: { name: `e${i}`, warp: i }, jobs })),
      }));
    fc.assert(
      fc.property(workloadArb, (w) => {
        const a = must(simulate(w, must(createBvt({ ctxAllow: 2 })))).trace;
        const b = must(simulate(w, must(createRoundRobin({ slice: 2 })))).trace;
        const file = traceEventFile([a, b], 1000);
        expect(validateTraceEventJson(JSON.stringify(file))).toEqual([]);
        // One CPU per process: complete events of a process never overlap.
        for (const pid of [1, 2]) {
          const xs = file.traceEvents
            .filter((e) => e.ph === 'X' && e.pid === pid)
            .sort((p, q) => p.ts - q.ts);
          for (let k = 1; k < xs.length; k++)
            expect(xs[k]!.ts).toBeGreaterThanOrEqual(xs[k - 1]!.ts + xs[k - 1]!.dur!);
        }
      }),
      { numRuns: 50, seed: 3 },
    );
  });
});

describe('statistics and CSV', () => {
  it('reports shares, dispatches and wake-to-run latency from the schedule', () => {
    const trace = seedTrace();
    const st = statistics(trace);
    const p1 = st.entities.find((e) => e.id === 1)!;
    expect(p1.cpu).toBe(6);
    expect(p1.share).toBeCloseTo(6 / 26, 12);
    expect(p1.latency.samples).toEqual([0, 4]); // woken at 0 and run at 0; woken at 6, run at 10
    expect(st.busy).toBe(26);
    expect(st.makespan).toBe(26);
    expect(st.switches).toBe(trace.segments.length - 1);
  });

  it('writes one CSV row per segment and per job', () => {
    const trace = seedTrace();
    const seg = segmentsToCsv(trace).trim().split('\n');
    expect(seg[0]).toBe('policy,entity,name,start,end,duration,end_reason,warped');
    expect(seg.length).toBe(trace.segments.length + 1);
    expect(seg).toContain('bvt,1,P1,10,11,1,block,true');
    const jobs = jobsToCsv(trace).trim().split('\n');
    expect(jobs).toContain('1,P1,1,interruption,6,1,10,11,4');
  });
});

describe('SVG Gantt chart', () => {
  it('draws a row per entity, a bar per segment, the interruption and its service, axis and legend', () => {
    const trace = seedTrace();
    const svg = renderGantt(trace, { title: 'BVT <warp 7>', unit: 'units' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('BVT &lt;warp 7&gt;'); // escaped
    for (const name of ['P1', 'P2', 'P3']) expect(svg).toContain(`>${name}</text>`);
    expect(
      svg.match(/<rect [^>]*fill="#[0-9a-f]{6}" stroke="#222" stroke-width="0.5"><title>/g)?.length,
    ).toBe(trace.segments.length);
    expect(svg).toContain('<title>arrival at 6: interruption</title>');
    expect(svg).toContain('<title>service begins at 10: interruption</title>');
    expect(svg).toContain('time (units)');
    expect(svg).toContain('running warped (BVT)');
    // Every opened element is closed.
    const opened = (svg.match(/<(?!\/)[a-zA-Z]+[^>]*[^/]>/g) ?? []).length;
    const closed = (svg.match(/<\/[a-zA-Z]+>/g) ?? []).length;
    expect(opened).toBe(closed);
  });
});
