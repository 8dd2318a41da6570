/**
 * bvt-latency — Gerstel's figure 4 (after Duda & Cheriton, SOSP 1999): P1
 * needs 5 time units, P2 and P3 10 each, the slice is 5, and at t = 6 an
 * interruption request for P1 arrives that needs 1 unit. The seed: the fair
 * time-slice procedure serves it at t = 15, BVT with a warp of 7 at t = 10.
 *
 * Every number printed here comes out of running the schedulers of
 * @strachey/scheduler-bvt on that workload; the explanations are assembled
 * from what the schedulers did (wake outcomes, virtual times or queue order
 * at the deciding moment, who held the CPU meanwhile).
 */
import {
  type BvtScheduler,
  createBvt,
  createRoundRobin,
  type Decision,
  GERSTEL_FIGURE_4 as F,
  formatSchedError,
  gerstelFigure4Workload,
  jobsToCsv,
  type Result,
  RoundRobinScheduler,
  renderGantt,
  type Scheduler,
  type ScheduleTrace,
  type SchedError,
  segmentsToCsv,
  simulate,
  statistics,
  traceEventFile,
  type WakePreemption,
} from '@strachey/scheduler-bvt';
import { UserError } from '../diagnostics';
import { formatNumber as num, formatTable } from './table';
import type { ReproFile, ReproResult, Reproduction } from './types';

interface Case {
  readonly key: string;
  readonly label: string;
  /** How a wake is treated, in words (the rule, not its outcome). */
  readonly wakeRule: string;
  readonly warp?: number;
  make(): Result<Scheduler>;
}

const bvtCase = (
  key: string,
  label: string,
  wake: WakePreemption,
  wakeRule: string,
  warp?: number,
): Case => ({
  key,
  label,
  wakeRule,
  ...(warp === undefined ? {} : { warp }),
  make: () => createBvt({ ctxAllow: F.slice, wakePreemption: wake }),
});

const CASES: readonly Case[] = [
  {
    key: 'round-robin',
    label: `round-robin, slice ${F.slice}`,
    wakeRule: 'a waker joins the tail of the FIFO run queue; nobody is preempted',
    make: () => createRoundRobin({ slice: F.slice }),
  },
  bvtCase(
    'bvt-no-warp',
    `BVT, C = ${F.slice}, no warp`,
    'xen',
    `decisions at slice ends: the runner keeps the CPU for C = ${F.slice} after its dispatch (Xen's bvt_wake)`,
  ),
  bvtCase(
    'bvt-warp',
    `BVT, C = ${F.slice}, warp ${F.warp} (seed)`,
    'xen',
    `decisions at slice ends: the runner keeps the CPU for C = ${F.slice} after its dispatch (Xen's bvt_wake)`,
    F.warp,
  ),
  bvtCase(
    'bvt-warp-allowance',
    `BVT, warp ${F.warp}, wake preemption with C = ${F.slice}`,
    'allowance',
    `the waker preempts once E(waker) ≤ E(runner) − C/w(runner), C = ${F.slice}`,
    F.warp,
  ),
  bvtCase(
    'bvt-warp-preempt',
    `BVT, warp ${F.warp}, wake preemption (paper)`,
    'paper',
    'Duda & Cheriton: C is ignored for a thread that just became runnable; it preempts if E(waker) ≤ E(runner)',
    F.warp,
  ),
];

interface WakeSeen {
  readonly t: number;
  readonly id: number;
  readonly reschedule: number;
}
interface PickSeen {
  readonly t: number;
  readonly decision: Decision;
  /** The scheduler's state that decided it, in words. */
  readonly basis: string;
}

const name = (id: number | null): string => (id === null ? 'idle' : `P${id}`);

/** What the policy saw right before a decision: E of runnable entities (BVT) or the run queue (round-robin). */
function basisOf(s: Scheduler): string {
  if (s instanceof RoundRobinScheduler) {
    const q = s.queue().map(name);
    const cur = s.running();
    return `run queue ${q.length > 0 ? q.join(', ') : '(empty)'}${cur === null ? '' : ` (${name(cur)} goes to the tail)`}`;
  }
  if (s.policy === 'bvt') {
    const b = s as BvtScheduler;
    const parts = b
      .entities()
      .filter((e) => e.runnable)
      .map((e) => {
        const st = b.state(e.id)!;
        return st.warped
          ? `E(${name(e.id)}) = A − W = ${num(st.actual)} − ${num(st.actual - st.effective)} = ${num(st.effective)}`
          : `E(${name(e.id)}) = A = ${num(st.actual)}`;
      });
    const es = b
      .entities()
      .filter((e) => e.runnable)
      .map((e) => b.state(e.id)!.effective);
    const min = Math.min(...es);
    const tie = es.filter((e) => e === min).length > 1;
    return `${parts.join(', ')}; the smallest E runs${tie ? ' (a tie goes to the longest waiting)' : ''}`;
  }
  return '';
}

/** Wrap a scheduler to record wake outcomes and the basis of each decision (the interface composes). */
function observed(inner: Scheduler, wakes: WakeSeen[], picks: PickSeen[]): Scheduler {
  return {
    policy: inner.policy,
    add: (id, params, now) => inner.add(id, params, now),
    remove: (id, now) => inner.remove(id, now),
    setParams: (id, params, now) => inner.setParams(id, params, now),
    wake(id, now) {
      const r = inner.wake(id, now);
      if (r.ok) wakes.push({ t: now, id, reschedule: r.value.reschedule });
      return r;
    },
    block: (id, now, kind) => inner.block(id, now, kind),
    account: (id, ran, now) => inner.account(id, ran, now),
    pick(now) {
      const basis = basisOf(inner);
      const decision = inner.pick(now);
      picks.push({ t: now, decision, basis });
      return decision;
    },
    running: () => inner.running(),
    info: (id) => inner.info(id),
    entities: () => inner.entities(),
  };
}

function refuse(error: SchedError): never {
  throw new UserError({ code: `SCHED_${error.code}`, message: formatSchedError(error) });
}

interface Outcome {
  readonly c: Case;
  readonly trace: ScheduleTrace;
  readonly servedAt: number;
  readonly latency: number;
  readonly doneAt: number;
  readonly why: string[];
}

function runCase(c: Case): Outcome {
  const made = c.make();
  if (!made.ok) refuse(made.error);
  const wakes: WakeSeen[] = [];
  const picks: PickSeen[] = [];
  const workload = gerstelFigure4Workload(c.warp === undefined ? {} : { p1: { warp: c.warp } });
  const r = simulate(workload, observed(made.value, wakes, picks), { label: c.label });
  if (!r.ok) refuse(r.error);
  const trace = r.value.trace;
  const job = trace.jobs.find((j) => j.label === 'interruption')!;
  const arrival = job.arrival;
  const servedAt = job.start;
  const why: string[] = [`rule on wake: ${c.wakeRule}.`];
  const wake = wakes.find((w) => w.id === 1 && w.t === arrival);
  // Whoever held the CPU up to the arrival instant.
  const holder = trace.segments.find((s) => s.start < arrival && s.end >= arrival);
  if (wake !== undefined) {
    if (wake.reschedule <= arrival) {
      why.push(`At ${num(arrival)} P1 woke and the scheduler preempted ${name(holder?.id ?? null)} at once.`);
    } else if (Number.isFinite(wake.reschedule)) {
      why.push(
        `At ${num(arrival)} P1 woke; the scheduler asked for a new decision at ${num(wake.reschedule)} instead of at once.`,
      );
    } else {
      why.push(
        `At ${num(arrival)} P1 woke; ${name(holder?.id ?? null)} kept its decision (until ${num(holder?.end ?? arrival)}).`,
      );
    }
  }
  const meanwhile = trace.segments.filter((s) => s.end > arrival && s.start < servedAt);
  if (meanwhile.length > 0) {
    why.push(
      `Meanwhile: ${meanwhile
        .map((s) => `${name(s.id)} ran ${num(Math.max(s.start, arrival))}–${num(s.end)} (${s.endReason})`)
        .join(', ')}.`,
    );
  }
  // Every decision from the arrival up to the service, with what it was based on.
  for (const p of picks) {
    if (p.t < arrival || p.t > servedAt || p.basis === '') continue;
    if (p.t === arrival && p.decision.id !== 1) continue;
    const outcome =
      p.t === servedAt && p.decision.id === 1
        ? 'P1 serves the interruption'
        : `${name(p.decision.id)} runs${Number.isFinite(p.decision.until) ? ` (decision until ${num(p.decision.until)})` : ''}`;
    why.push(`Decision at ${num(p.t)}: ${p.basis} → ${outcome}.`);
  }
  return {
    c,
    trace,
    servedAt,
    latency: servedAt - arrival,
    doneAt: Math.max(...trace.jobs.map((j) => j.finish)),
    why,
  };
}

/** Conclusions drawn from the outcomes (each stated only if the simulation bears it out). */
function closing(outcomes: readonly Outcome[]): string[] {
  const by = (key: string): Outcome => outcomes.find((o) => o.c.key === key)!;
  const lines: string[] = [
    'The warp lowers only E, never A: P1 is still charged for every unit it runs, so it borrows against',
    'its future share rather than getting more CPU.',
  ];
  const done = new Set(outcomes.map((o) => o.doneAt));
  if (done.size === 1) {
    lines.push(
      `All policies finish the work at ${num(outcomes[0]!.doneAt)}: they reorder the CPU, none wastes it.`,
    );
  }
  const noWarp = by('bvt-no-warp');
  const rr = by('round-robin');
  if (noWarp.servedAt > rr.servedAt) {
    lines.push(
      `Without a warp BVT serves P1 even later than round-robin (${num(noWarp.servedAt)} vs ${num(rr.servedAt)}): P1's A`,
      "still holds the 5 units it ran, P3's is lower (Xen's manual: BVT penalises domains that block",
      'frequently unless they warp).',
    );
  }
  return lines;
}

function run(): ReproResult {
  const outcomes = CASES.map(runCase);
  const table = formatTable(
    ['policy', 'request at', 'served at', 'waited', 'all done at'],
    outcomes.map((o) => [o.c.label, F.interruptionAt, o.servedAt, o.latency, o.doneAt]),
  );
  const seed = outcomes.find((o) => o.c.key === 'bvt-warp')!;
  const rr = outcomes.find((o) => o.c.key === 'round-robin')!;
  const text = [
    `bvt-latency — ${TITLE}`,
    `Workload: P1 needs 5, P2 and P3 need 10 each; slice/C = ${F.slice}; an interruption for P1 arrives at ${F.interruptionAt} needing ${F.interruptionWork}.`,
    `Seed: round-robin serves it at 15, BVT with warp ${F.warp} at 10. Simulated: ${num(rr.servedAt)} and ${num(seed.servedAt)}.`,
    '',
    table,
    '',
    'Why:',
    ...outcomes.flatMap((o) => [
      `  ${o.c.label} → served at ${num(o.servedAt)}`,
      ...o.why.map((w) => `    ${w}`),
    ]),
    '',
    ...closing(outcomes),
  ].join('\n');
  const json = {
    reproduction: 'bvt-latency',
    source: SOURCE,
    requestAt: F.interruptionAt,
    policies: outcomes.map((o) => ({
      policy: o.c.key,
      label: o.c.label,
      servedAt: o.servedAt,
      latency: o.latency,
      allDoneAt: o.doneAt,
      why: o.why,
    })),
  };
  const files: ReproFile[] = [];
  for (const o of outcomes) {
    files.push(
      {
        name: `bvt-latency.${o.c.key}.json`,
        content: `${JSON.stringify({ label: o.c.label, trace: o.trace, statistics: statistics(o.trace) }, null, 2)}\n`,
      },
      { name: `bvt-latency.${o.c.key}.csv`, content: segmentsToCsv(o.trace) },
      { name: `bvt-latency.${o.c.key}.jobs.csv`, content: jobsToCsv(o.trace) },
      {
        name: `bvt-latency.${o.c.key}.svg`,
        content: renderGantt(o.trace, {
          title: `${o.c.label}: interruption at ${num(F.interruptionAt)} served at ${num(o.servedAt)}`,
          unit: 'time units',
        }),
      },
    );
  }
  files.push(
    { name: 'bvt-latency.summary.json', content: `${JSON.stringify(json, null, 2)}\n` },
    {
      name: 'bvt-latency.perfetto.json',
      content: `${JSON.stringify(traceEventFile(outcomes.map((o) => o.trace)))}\n`,
    },
  );
  return { text, json, files };
}

const TITLE = "Gerstel fig. 4: an interruption's latency under round-robin and Borrowed Virtual Time";
const SOURCE =
  'Gerstel (2005), fig. 4, after Duda & Cheriton, "Borrowed-virtual-time (BVT) scheduling", SOSP 1999';

/** The reproduction. */
export const bvtLatency: Reproduction = { name: 'bvt-latency', title: TITLE, source: SOURCE, traceFile: 'bvt-latency.perfetto.json', run };
