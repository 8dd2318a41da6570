/**
 * Properties of whole simulations over random workloads (entities that
 * block and wake), for every policy: the trace is a valid one-CPU schedule,
 * every job is served completely, the work-conserving policies never idle
 * while work is waiting, the same inputs give the same trace, and switching
 * the policy at run time loses no entity and no work.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createBvt,
  createCredit,
  createRoundRobin,
  type Scheduler,
  type ScheduleTrace,
  simulate,
  type Workload,
} from '../src/index';
import { must } from './helpers';

const jobArb = fc.record({ at: fc.integer({ min: 0, max: 120 }), work: fc.integer({ min: 1, max: 25 }) });

const paramsArb = fc.oneof(
  fc.record({ weight: fc.integer({ min: 1, max: 4 }) }),
  fc.record({
    weight: fc.integer({ min: 1, max: 4 }),
    warp: fc.integer({ min: 1, max: 15 }),
    warpLimit: fc.integer({ min: 1, max: 10 }),
    unwarpRequirement: fc.integer({ min: 0, max: 20 }),
  }),
);

const workloadArb: fc.Arbitrary<Workload> = fc
  .array(fc.record({ params: paramsArb, jobs: fc.array(jobArb, { minLength: 1, maxLength: 5 }) }), {
    minLength: 1,
    maxLength: 6,
  })
  .map((es) => ({ entities: es.map((e, i) => ({ id: i + 1, params: e.params, jobs: e.jobs })) }));

type Factory = { name: string; make: () => Scheduler };

const factoryArb: fc.Arbitrary<Factory> = fc.oneof(
  fc
    .record({
      c: fc.integer({ min: 1, max: 10 }),
      mode: fc.constantFrom('paper', 'allowance', 'xen' as const),
    })
    .map(({ c, mode }) => ({
      name: `bvt C=${c} ${mode}`,
      make: () => must(createBvt({ ctxAllow: c, wakePreemption: mode })),
    })),
  fc.integer({ min: 1, max: 10 }).map((slice) => ({
    name: `rr ${slice}`,
    make: () => must(createRoundRobin({ slice })),
  })),
  fc.record({ slice: fc.integer({ min: 1, max: 30 }), boost: fc.boolean() }).map(({ slice, boost }) => ({
    name: `credit ${slice}${boost ? ' boost' : ''}`,
    make: () => must(createCredit({ slice, period: slice, boost })),
  })),
);

/** Completion time of all work under any work-conserving single-CPU schedule. */
function conservingMakespan(w: Workload): number {
  const jobs = w.entities.flatMap((e) => e.jobs).sort((a, b) => a.at - b.at);
  let t = 0;
  for (const j of jobs) t = Math.max(t, j.at) + j.work;
  return t;
}

function checkSchedule(w: Workload, trace: ScheduleTrace): void {
  let prevEnd = 0;
  for (const s of trace.segments) {
    expect(s.end).toBeGreaterThan(s.start);
    expect(s.start).toBeGreaterThanOrEqual(prevEnd - 1e-9); // one CPU: no overlap
    prevEnd = s.end;
  }
  for (const e of w.entities) {
    const cpu = trace.segments.filter((s) => s.id === e.id).reduce((a, s) => a + s.end - s.start, 0);
    const work = e.jobs.reduce((a, j) => a + j.work, 0);
    expect(cpu).toBeCloseTo(work, 6);
  }
  for (const j of trace.jobs) {
    expect(Number.isFinite(j.finish)).toBe(true);
    expect(j.start).toBeGreaterThanOrEqual(j.arrival);
    expect(j.finish).toBeGreaterThanOrEqual(j.start + j.work - 1e-6);
  }
}

describe('simulations over random workloads (fast-check)', () => {
  it('produce valid schedules that serve all work, without idling while work waits', () => {
    fc.assert(
      fc.property(workloadArb, factoryArb, (w, f) => {
        const { trace } = must(simulate(w, f.make(), { label: f.name }));
        checkSchedule(w, trace);
        // All three are work conserving here (no caps): the last job ends
        // exactly when a single server that never idles would finish.
        expect(Math.max(...trace.jobs.map((j) => j.finish))).toBeCloseTo(conservingMakespan(w), 6);
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('are deterministic: the same inputs give the identical trace', () => {
    fc.assert(
      fc.property(workloadArb, factoryArb, (w, f) => {
        const a = must(simulate(w, f.make())).trace;
        const b = must(simulate(w, f.make())).trace;
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
      { numRuns: 80, seed: 7 },
    );
  });

  it('keep every entity and all work across run-time policy switches', () => {
    fc.assert(
      fc.property(
        workloadArb,
        factoryArb,
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 150 }), to: factoryArb }), {
          minLength: 1,
          maxLength: 3,
        }),
        (w, first, switches) => {
          const r = must(
            simulate(w, first.make(), { switches: switches.map((s) => ({ at: s.at, to: s.to.make })) }),
          );
          const ids = r.scheduler.entities().map((e) => e.id);
          expect(ids).toEqual(w.entities.map((e) => e.id));
          checkSchedule(w, r.trace);
          expect(r.trace.instants.filter((m) => m.kind === 'policy-switch').length).toBe(switches.length);
          expect(Math.max(...r.trace.jobs.map((j) => j.finish))).toBeCloseTo(conservingMakespan(w), 6);
        },
      ),
      { numRuns: 100, seed: 2006 },
    );
  });
});

describe('policy switch', () => {
  it('moves runnable and blocked entities with their parameters, mid-run', () => {
    const bvt = must(createBvt({ ctxAllow: 2 }));
    const w: Workload = {
      entities: [
        { id: 1, params: { name: 'busy', weight: 3 }, jobs: [{ at: 0, work: 40 }] },
        { id: 2, params: { name: 'sleeper', warp: 4, warpLimit: 2 }, jobs: [{ at: 50, work: 1 }] },
      ],
    };
    const r = must(
      simulate(w, bvt, { switches: [{ at: 10, to: () => must(createRoundRobin({ slice: 5 })) }] }),
    );
    expect(r.scheduler.policy).toBe('round-robin');
    expect(r.scheduler.entities().map((e) => [e.id, e.params])).toEqual([
      [1, { name: 'busy', weight: 3 }],
      [2, { name: 'sleeper', warp: 4, warpLimit: 2 }],
    ]);
    const policies = r.trace.segments.map((s) => s.policy);
    expect(policies[0]).toBe('bvt');
    expect(policies.at(-1)).toBe('round-robin');
    expect(r.trace.segments[0]).toMatchObject({ id: 1, start: 0, end: 10, endReason: 'policy-switch' });
  });
});
