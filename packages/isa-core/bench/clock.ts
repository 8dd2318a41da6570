/**
 * SimClock benchmark: events scheduled and fired per second, and what a fixed
 * number of events costs the garbage collector, on a pattern shaped like an
 * I/O-bound guest's (a few device events pending at a time, each firing
 * scheduling the next; now and then a timeout scheduled and cancelled before
 * it is due, as a halted channel program's completion is).
 *
 * The actions are made once, before timing, so what allocates is the clock
 * itself. Run alone with `npx tsx --conditions=@strachey/source bench/clock.ts`
 * or as part of `pnpm bench`.
 */
import { dirname } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchFigure, formatRate, measure, writeResults } from '@strachey/bench';
import { SimClock } from '@strachey/isa-core';

const here = dirname(fileURLToPath(import.meta.url));

/** Streams of events pending at once: an I/O-mix guest has a handful of device events in flight. */
const STREAMS = 8;

/** A deterministic workload on one clock; `run(n)` fires n events and returns n. */
function workload(): { readonly clock: SimClock; run(events: number): number } {
  const clock = new SimClock(1000);
  let lcg = 12345;
  let fired = 0;
  const timeouts = new Array<number>(STREAMS).fill(-1);
  const actions: (() => void)[] = [];
  for (let s = 0; s < STREAMS; s++) {
    actions.push(() => {
      fired++;
      lcg = (Math.imul(lcg, 1103515245) + 12345) | 0;
      // Every fourth firing arms a timeout far ahead; the next firing of the stream cancels it.
      const t = timeouts[s]!;
      if (t >= 0) {
        clock.cancel(t);
        timeouts[s] = -1;
      } else if ((lcg & 0x300) === 0) timeouts[s] = clock.schedule(clock.now() + 1_000_000, noop);
      clock.schedule(clock.now() + 1 + ((lcg >>> 16) & 63), actions[s]!);
    });
  }
  for (let s = 0; s < STREAMS; s++) clock.schedule(s, actions[s]!);
  return {
    clock,
    run(events: number): number {
      const end = fired + events;
      // As a machine's run loop does: advance to the next event, one at a time.
      while (fired < end) clock.advanceTo(clock.nextEventTime());
      return events;
    },
  };
}

function noop(): void {}

/** Garbage collections (by kind) and heap growth over a fixed number of events, on a warmed-up clock. */
async function gcCost(
  events: number,
): Promise<{ events: number; minor: number; major: number; heapGrowthBytes: number }> {
  const w = workload();
  w.run(200_000); // tier up and reach the steady state before counting
  let minor = 0;
  let major = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e.detail as { kind?: number } | undefined)?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 10));
  minor = 0;
  major = 0;
  const before = process.memoryUsage().heapUsed;
  w.run(events);
  const heapGrowthBytes = process.memoryUsage().heapUsed - before;
  // GC entries are delivered asynchronously: let them arrive.
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return { events, minor, major, heapGrowthBytes };
}

/** One row of results. */
export interface ClockBenchResult {
  readonly throughput: BenchFigure;
  readonly gc: Awaited<ReturnType<typeof gcCost>>;
}

/** Run the clock benchmark, print it, and write bench-results/clock.json. */
export async function runClockBench(): Promise<ClockBenchResult> {
  const w = workload();
  const throughput = measure('SimClock schedule+fire (8 streams, cancels)', () => w.run(100_000), {
    warmupSeconds: 1,
    samples: 5,
    sampleSeconds: 1,
    unit: 'events',
  });
  const gc = await gcCost(5_000_000);
  console.log(
    `SimClock          ${formatRate(throughput)}  ${gc.events} events: ${gc.minor} scavenges, ${gc.major} mark-compacts, heap +${(gc.heapGrowthBytes / 1024).toFixed(0)} KiB`,
  );
  const result = { throughput, gc };
  console.log(`results: ${writeResults(here, 'clock', result)}`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await runClockBench();
