/**
 * Collector accounting for build-cost benchmarks: how much garbage-collector
 * work a piece of host code causes (scavenges of the young generation,
 * mark-compacts of the old), and how many bytes stay live once the heap has
 * settled. Host figures only; never used by a simulation or a unit test.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Collections seen while `GcCounter` watched, by kind, with their pause time. */
export interface GcCounts {
  minor: number;
  major: number;
  minorMs: number;
  majorMs: number;
}

/** Counts V8's collections through `perf_hooks` 'gc' entries between `start` and `stop`. */
export interface GcCounter {
  /** Observe from now on (after a short settle, so earlier collections are not counted). */
  start(): Promise<void>;
  /** Stop observing (after a short delay, so the last collections' entries arrive) and return the counts. */
  stop(): Promise<GcCounts>;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A new counter; `start` it, run the work, `stop` it. */
export function gcCounter(): GcCounter {
  const counts: GcCounts = { minor: 0, major: 0, minorMs: 0, majorMs: 0 };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e.detail as { kind?: number } | undefined)?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        counts.minor++;
        counts.minorMs += e.duration;
      } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        counts.major++;
        counts.majorMs += e.duration;
      }
    }
  });
  return {
    async start() {
      obs.observe({ entryTypes: ['gc'] });
      await pause(10);
      counts.minor = counts.major = counts.minorMs = counts.majorMs = 0;
    },
    async stop() {
      await pause(50);
      obs.disconnect();
      return { ...counts };
    },
  };
}

let forceGc: (() => void) | undefined;

/** JS heap plus array buffers after a full collection (V8's `gc`, enabled on first use). */
export function settledHeapBytes(): number {
  if (forceGc === undefined) {
    setFlagsFromString('--expose-gc');
    forceGc = runInNewContext('gc') as () => void;
  }
  forceGc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A fixed amount of short-lived allocation, as a guest run's host side makes: it drives scavenges. */
function shortLivedAllocation(rounds: number): number {
  let keep = 0;
  for (let i = 0; i < rounds; i++) {
    const a = new Array<number>(16).fill(i);
    keep = (keep + a.length + (a[i & 15] ?? 0)) | 0;
  }
  return keep;
}

/** What `buildChurn` measured: collections by kind, with the rounds and the wall time they took. */
export interface BuildChurnCounts extends GcCounts {
  rounds: number;
  wallMs: number;
}

/**
 * Collector work over `rounds` of: build one object, keep the last `alive`, then 64 times write into
 * it (`write(object, i)`: young values into its tables, as a guest's stores or I/O do) between
 * bursts of short-lived allocation. What a table that is large for the collector to scan costs.
 */
export async function buildChurn<T>(options: {
  readonly rounds: number;
  readonly alive: number;
  readonly build: () => T;
  readonly write: (object: T, i: number) => void;
}): Promise<BuildChurnCounts> {
  const kept: T[] = [];
  const counter = gcCounter();
  await counter.start();
  let sink = 0;
  const t0 = performance.now();
  for (let r = 0; r < options.rounds; r++) {
    const o = options.build();
    kept.push(o);
    if (kept.length > options.alive) kept.shift();
    for (let i = 0; i < 64; i++) {
      options.write(o, i);
      sink += shortLivedAllocation(3_000);
    }
  }
  const wallMs = performance.now() - t0;
  const counts = await counter.stop();
  if (sink === 0.5) console.log(sink);
  return { rounds: options.rounds, ...counts, wallMs };
}
