/**
 * What building a CKD volume costs the host, by cylinder count: the time to
 * construct a `CkdVolume` and format it (one track written), the heap it
 * adds, and the collector time a fixed small workload pays while a few such
 * volumes are alive. An unwritten volume should cost what is written on it,
 * not its capacity: 5 and 3,339 cylinders should be close.
 *
 * Run: npx tsx --conditions=@strachey/source bench/build-cost.ts
 */
import { fileURLToPath } from 'node:url';
import { type BuildChurnCounts, buildChurn, settledHeapBytes, writeResults } from '@strachey/bench';
import { CkdVolume, formatVolume, geometry3390, standardR0 } from '../src/index';

const CYLINDERS: readonly [string, number][] = [
  ['5 cyl', 5],
  ['300 cyl', 300],
  ['3390-1', 1113],
  ['3390-3', 3339],
];

/** Format, and write a few tracks spread over the volume (a VTOC, a minidisk's first and last). */
function build(cylinders: number): CkdVolume {
  const v = new CkdVolume(geometry3390(cylinders));
  formatVolume(v, 'BENCH1');
  for (const cc of [0, cylinders >> 1, cylinders - 1]) v.setTrack(cc, 1, [standardR0(cc, 1)]);
  return v;
}

/** Collector work over `rounds` builds with the last `alive` kept, tracks written into each. */
function gcLoop(cylinders: number, rounds: number, alive: number): Promise<BuildChurnCounts> {
  return buildChurn({
    rounds,
    alive,
    build: () => build(cylinders),
    // Tracks written (young records into the table), as a guest's I/O does.
    write: (v, t) => {
      const cc = (t * 37) % cylinders;
      v.setTrack(cc, 2, [standardR0(cc, 2)]);
    },
  });
}

const rows: unknown[] = [];
for (const [name, cylinders] of CYLINDERS) {
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    build(cylinders);
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  const heap = settledHeapBytes;
  heap();
  const before = heap();
  const held = Array.from({ length: 16 }, () => build(cylinders));
  const bytesPerVolume = (heap() - before) / held.length;
  held.length = 0;
  settledHeapBytes();
  const loop = await gcLoop(cylinders, 40, 4);
  const buildMicros = times[times.length >> 1]!;
  rows.push({ name, cylinders, buildMicros, bytesPerVolume, gc: loop });
  console.log(
    `CkdVolume ${name.padEnd(8)} build+format ${buildMicros.toFixed(0).padStart(5)} us  +${(bytesPerVolume / 1024).toFixed(0).padStart(5)} KiB each  ` +
      `40 builds + workload: ${loop.minor} scavenges ${loop.minorMs.toFixed(1)} ms, ${loop.major} mark-compacts ${loop.majorMs.toFixed(1)} ms, wall ${loop.wallMs.toFixed(0)} ms`,
  );
}
console.log(`results: ${writeResults(fileURLToPath(new URL('.', import.meta.url)), 'build-cost', rows)}`);
