/**
 * Host speed of the dispatch path: decisions per second with 10, 1,000 and
 * 100,000 entities. Each decision is a pick, an account of the slice run and,
 * every eighth decision, a block of the runner and a wake of the entity that
 * has slept longest — so the heaps see inserts and removals, SVT is computed
 * on wake, and a warped minority keeps the E order different from the A
 * order. Selection is O(log n), so the rate should fall only slowly with n.
 *
 * Run: pnpm bench (tsx --conditions=@strachey/source bench/run.ts)
 */
import { fileURLToPath } from 'node:url';
import { type BenchFigure, formatRate, measure, writeResults } from '@strachey/bench';
import { createBvt, createCredit, createRoundRobin, type Result, type Scheduler } from '../src/index';

function must<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** A population of n entities (1/8 of them asleep) and a work function doing `batch` decisions. */
function workload(make: () => Scheduler, n: number, batch: number): () => number {
  const s = make();
  for (let i = 0; i < n; i++) {
    const warped = i % 10 === 0;
    must(s.add(i, warped ? { weight: 1 + (i % 7), warp: 3, warpLimit: 2 } : { weight: 1 + (i % 7) }, 0));
  }
  const asleep = new Int32Array(Math.max(1, n >> 3));
  let head = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (count < asleep.length && i % 8 === 7) asleep[count++] = i;
    else must(s.wake(i, 0));
  }
  let t = 0;
  let k = 0;
  return () => {
    for (let b = 0; b < batch; b++) {
      const d = s.pick(t);
      if (d.id === null) throw new Error('idle');
      const ran = Math.min(d.slice, 1);
      t += ran;
      s.account(d.id, ran, t);
      if ((++k & 7) === 0 && count > 0) {
        s.block(d.id, t);
        const woken = asleep[head]!;
        asleep[head] = d.id;
        head = (head + 1) % count;
        s.wake(woken, t);
      }
    }
    return batch;
  };
}

const policies: [string, () => Scheduler][] = [
  ['bvt', () => must(createBvt({ ctxAllow: 0.5 }))],
  ['round-robin', () => must(createRoundRobin({ slice: 1 }))],
  ['credit', () => must(createCredit({ slice: 1, period: 30 }))],
];

/**
 * Decisions per second of CPU time consumed by this process: on a shared
 * machine the wall-clock figure also measures the neighbours' load.
 */
function perCpuSecond(work: () => number, seconds: number): number {
  const c0 = process.cpuUsage();
  let units = 0;
  let used = 0;
  do {
    units += work();
    const c = process.cpuUsage(c0);
    used = (c.user + c.system) / 1e6;
  } while (used < seconds);
  return units / used;
}

const figures: BenchFigure[] = [];
for (const [name, make] of policies) {
  for (const n of [10, 1_000, 100_000]) {
    // Credit hands out credit to every active entity once per period: O(n)
    // per 30 decisions, as in Xen; measured for comparison, not tuned.
    const work = workload(make, n, 10_000);
    const f = measure(`${name} decisions, ${n} entities`, work, {
      unit: 'decisions',
      warmupSeconds: 0.5,
      samples: 5,
      sampleSeconds: 0.5,
    });
    const cpu = perCpuSecond(work, 1);
    figures.push({ ...f, extra: { policy: name, entities: n, perCpuSecond: cpu } });
    console.log(
      `${f.name.padEnd(40)} ${formatRate(f).padStart(18)}  ${formatRate({ perSecond: cpu, unit: 'decisions' }).padStart(18)} per CPU second`,
    );
  }
}
const dir = fileURLToPath(new URL('..', import.meta.url));
console.log(`wrote ${writeResults(dir, 'decisions', figures)}`);
