/**
 * What building a machine's storage costs the host, by configured size:
 * the time to construct a `SparseStorage` and touch a few pages, the heap it
 * adds, and the collector time a fixed small workload pays while a few such
 * storages are alive (a bench or a hypervisor builds one machine after
 * another). Sparse storage should cost what is touched, not what is
 * configured: the figures for 1 MB and 4 GB should be close.
 *
 * Run alone with `npx tsx --conditions=@strachey/source bench/build-cost.ts`
 * or as part of `pnpm bench`.
 */
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildChurnCounts, buildChurn, settledHeapBytes, writeResults } from '@strachey/bench';
import { absoluteAddress, SparseStorage } from '@strachey/isa-core';

const here = dirname(fileURLToPath(import.meta.url));

const MB = 1 << 20;
/** Configured sizes: a test machine, hypervisor-cp's large CP, 10,000 CMS users' CP, the ESA/390 maximum. */
const SIZES: readonly [string, number][] = [
  ['1 MB', MB],
  ['64 MB', 64 * MB],
  ['2 GB', 2048 * MB],
  ['4 GB', 4096 * MB],
];

/**
 * Pages touched per build: `low` six pages in the first 64 KB (a machine that
 * uses the bottom of its storage, as CP's guests and test machines do);
 * `spread` low core, a third, the middle and the last page. The frame table
 * grows to the highest frame mapped, so `spread` pays for the whole size.
 */
type Pattern = 'low' | 'spread';
function touch(s: SparseStorage, pattern: Pattern = 'low'): number {
  let sum = 0;
  const top = s.size - 4096;
  const pages =
    pattern === 'low'
      ? [0, 0x1000, 0x2000, 0x5000, 0x9000, 0xf000].filter((a) => a < s.size)
      : [0, 0x1000, 0x2000, Math.floor(s.size / 3) & ~0xfff, Math.floor(s.size / 2) & ~0xfff, top];
  for (const a of pages) {
    s.write32(absoluteAddress(a + 16), a | 1);
    sum = (sum + s.read32(absoluteAddress(a + 16))) | 0;
    s.setKey(absoluteAddress(a), 0x10);
  }
  return sum;
}

/** Collector time, by kind, over `rounds` of (build and touch one, keep the last `alive`, store into it between bursts of allocation). */
function gcLoop(pattern: Pattern, size: number, rounds: number, alive: number): Promise<BuildChurnCounts> {
  return buildChurn({
    rounds,
    alive,
    build: () => {
      const s = new SparseStorage(size);
      touch(s, pattern);
      return s;
    },
    // The guest's host side: stores into fresh pages (young frames into the table).
    write: (s, p) => s.write32(absoluteAddress(((p * 37) % s.frameCount) * 4096), p),
  });
}

/** One row of results. */
export interface BuildCostRow {
  readonly name: string;
  readonly pattern: Pattern;
  readonly size: number;
  /** Median microseconds to construct and touch six pages. */
  readonly buildMicros: number;
  /** Heap (JS heap plus array buffers) added per storage built and touched, settled. */
  readonly bytesPerStorage: number;
  readonly gc: Awaited<ReturnType<typeof gcLoop>>;
}

/** Run the storage build-cost benchmark, print it, and write bench-results/build-cost.json. */
export async function runBuildCostBench(): Promise<BuildCostRow[]> {
  const rows: BuildCostRow[] = [];
  for (const pattern of ['low', 'spread'] as const)
    for (const [name, size] of SIZES) {
      const times: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t0 = performance.now();
        touch(new SparseStorage(size), pattern);
        times.push((performance.now() - t0) * 1000);
      }
      times.sort((a, b) => a - b);
      const held: SparseStorage[] = [];
      const heap = settledHeapBytes;
      heap();
      const before = heap();
      for (let i = 0; i < 16; i++) {
        const s = new SparseStorage(size);
        touch(s, pattern);
        held.push(s);
      }
      const bytesPerStorage = (heap() - before) / held.length;
      held.length = 0;
      settledHeapBytes();
      const loop = await gcLoop(pattern, size, 40, 4);
      const row: BuildCostRow = {
        name,
        pattern,
        size,
        buildMicros: times[times.length >> 1]!,
        bytesPerStorage,
        gc: loop,
      };
      rows.push(row);
      console.log(
        `storage ${name.padEnd(6)} ${pattern.padEnd(6)} build+touch ${row.buildMicros.toFixed(0).padStart(6)} us  +${(bytesPerStorage / 1024).toFixed(0).padStart(6)} KiB each  ` +
          `40 builds + workload: ${loop.minor} scavenges ${loop.minorMs.toFixed(1)} ms, ${loop.major} mark-compacts ${loop.majorMs.toFixed(1)} ms, wall ${loop.wallMs.toFixed(0)} ms`,
      );
    }
  console.log(`results: ${writeResults(here, 'build-cost', rows)}`);
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await runBuildCostBench();
