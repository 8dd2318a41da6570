/**
 * @strachey/hypervisor-cp benchmarks.
 * - Simulated overhead of trap-and-emulate: MINIKERN (guests/minikern.asm)
 *   bare vs in a CP virtual machine, virtualized cycles / bare cycles, with
 *   CP's cycles broken down by interception type.
 * - Host speed: guest instructions per second bare vs under CP, for
 *   MINIKERN (interception-heavy) and a CPU-bound loop (almost no traps).
 * - A longer hostile-guest campaign than the unit test's.
 * - Scale: 10,000 CMS users from the saved system CMS (bench/scale.ts).
 * Run: `pnpm bench` (tsx --conditions=@strachey/source bench/run.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchFigure, formatRate, measure, writeResults } from '@strachey/bench';
import { type AbsoluteAddress, assemble, createEsa390Machine } from '@strachey/isa-core';
import { CkdVolume, Console3215, Dasd3390, createChannelMachine, formatVolume, geometry3390, toEbcdic } from '@strachey/io-channel';
import { createEsa390Dat } from '@strachey/mmu';
import { createCp } from '../src/index';

const here = dirname(fileURLToPath(import.meta.url));
const figures: BenchFigure[] = [];
const report = (f: BenchFigure): void => {
  figures.push(f);
  console.log(`${f.name.padEnd(56)} ${formatRate(f)}`);
};

function asm(file: string) {
  const r = assemble(readFileSync(join(here, '../guests', file), 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${r.errors.map((e) => e.message).join('; ')}`);
  return { chunks: r.chunks, entry: r.entry ?? r.origin };
}
const KERNEL = asm('minikern.asm');
const TASK = asm('task.asm');
const images = () => [...KERNEL.chunks, ...[0x20000, 0x30000].flatMap((b) => TASK.chunks.map((c) => ({ address: b + c.address, bytes: c.bytes })))];

function kernelVolume(): CkdVolume {
  const v = new CkdVolume(geometry3390(5));
  formatVolume(v, 'MINI01');
  const rec = (cc: number, r: number, text: string) => ({ cc, hh: 0, r, key: new Uint8Array(0), data: toEbcdic(text.padEnd(80, ' ')) });
  v.setTrack(1, 0, [...v.track(1, 0), rec(1, 1, 'MINIKERN BOOTED FROM DISK')]);
  v.setTrack(2, 0, [...v.track(2, 0), rec(2, 1, ''), rec(2, 2, '')]);
  return v;
}
function relocated(start: number): CkdVolume {
  const real = new CkdVolume(geometry3390(1113));
  for (const t of kernelVolume().writtenTracks()) real.setTrack(t.cc + start, t.hh, t.records.map((r) => ({ ...r, cc: r.cc + start })));
  return real;
}

function bareKernel() {
  const { machine, channels } = createChannelMachine({ mainsize: 1 << 20, dat: (context, storage) => createEsa390Dat({ storage, context }) });
  channels.attach(0x0009, new Console3215());
  channels.attach(0x0191, new Dasd3390(kernelVolume()));
  for (const c of images()) machine.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
  machine.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0, 8, 0, 0, 0x80, 0, KERNEL.entry >>> 8, KERNEL.entry & 0xff]));
  machine.restart(0);
  machine.run(50_000_000);
  return machine.cpus[0]!;
}

function cpKernel(style: 'trap-and-emulate' | 'sie' = 'trap-and-emulate') {
  const r = createCp({ directory: 'USER MINI MINI 1M 16M G\n CONSOLE 009 3215\n MDISK 191 3390 300 5 VMRES1 MR\n', volumes: [{ volser: 'VMRES1', volume: relocated(300) }], realStorage: 64 << 20 });
  if (!r.ok) throw new Error('directory');
  const l = r.cp.logon('MINI', undefined, { style });
  if (!l.ok) throw new Error(l.error.message);
  for (const c of images()) l.vm.load(c.address, c.bytes);
  l.vm.start(0x00080000, (0x80000000 | KERNEL.entry) >>> 0);
  r.cp.run(2_000_000_000);
  return { cp: r.cp, vm: l.vm };
}

// --- Simulated overhead -----------------------------------------------------
const bare = bareKernel();
const overhead: Record<string, unknown> = { bareCycles: bare.cycles, bareInstructions: bare.instructions };
for (const style of ['trap-and-emulate', 'sie'] as const) {
  const { vm } = cpKernel(style);
  const c = vm.counters;
  const virtualized = c.guestCycles + c.cpCycles;
  overhead[style] = {
    guestCycles: c.guestCycles,
    cpCycles: c.cpCycles,
    ratio: virtualized / bare.cycles,
    interceptions: c.interceptions,
    cpCyclesByType: c.cpCyclesByType,
    emulated: c.emulated,
    shadowFills: vm.shadows[0]!.counters.fills,
  };
  console.log(`MINIKERN ${style}: bare ${bare.cycles} cycles; virtualized ${c.guestCycles} guest + ${c.cpCycles} CP = ${virtualized} cycles`);
  console.log(`  simulated overhead (virtualized / bare): ${(virtualized / bare.cycles).toFixed(2)}x, ${c.interceptions} interceptions`);
  const byType = Object.entries(c.cpCyclesByType).sort((a, b) => b[1] - a[1]);
  for (const [t, cyc] of byType) console.log(`    ${t.padEnd(12)} ${String(cyc).padStart(8)} cycles  ${((100 * cyc) / c.cpCycles).toFixed(1)} %`);
}

// --- Host speed -------------------------------------------------------------
const opts = { warmupSeconds: 0.5, samples: 5, sampleSeconds: 0.5, unit: 'guest instr' };
report(measure('MINIKERN bare (isa-core + io-channel)', () => bareKernel().instructions, opts));
report(measure('MINIKERN under CP (trap-and-emulate)', () => cpKernel().vm.counters.instructions, opts));
report(measure('MINIKERN under CP (SIE)', () => cpKernel('sie').vm.counters.instructions, opts));

const LOOP = `
L        START X'1000'
         BALR  12,0
         USING *,12
         L     3,=F'3000000'
LOOP     LA    4,1(4)
         AR    5,4
         BCT   3,LOOP
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
         END   L`;
const loop = assemble(LOOP);
if (!loop.ok) throw new Error('loop');
report(
  measure('CPU-bound loop bare', () => {
    const m = createEsa390Machine({ mainsize: 1 << 20 });
    for (const ch of loop.chunks) m.storage.writeFrom(ch.address as AbsoluteAddress, ch.bytes);
    m.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0, 8, 0, 0, 0x80, 0, 0x10, 0]));
    m.restart(0);
    m.run(100_000_000);
    return m.cpus[0]!.instructions;
  }, opts),
);
for (const style of ['trap-and-emulate', 'sie'] as const) {
  report(
    measure(`CPU-bound loop under CP (${style})`, () => {
      const r = createCp({ directory: 'USER L L 1M 1M G\n', volumes: [], realStorage: 16 << 20 });
      if (!r.ok) throw new Error('dir');
      const l = r.cp.logon('L', undefined, { style });
      if (!l.ok) throw new Error('logon');
      for (const ch of loop.chunks) l.vm.load(ch.address, ch.bytes);
      l.vm.start(0x00080000, 0x80001000);
      r.cp.run(10_000_000_000);
      return l.vm.counters.instructions;
    }, opts),
  );
}
const rate = (name: string): number => figures.find((f) => f.name.startsWith(name))!.perSecond;
console.log(
  `host speed under CP / bare: MINIKERN trap-and-emulate ${(rate('MINIKERN under CP (trap') / rate('MINIKERN bare')).toFixed(2)}, SIE ${(rate('MINIKERN under CP (SIE') / rate('MINIKERN bare')).toFixed(2)}; CPU-bound loop trap-and-emulate ${(rate('CPU-bound loop under CP (trap') / rate('CPU-bound loop bare')).toFixed(2)}, SIE ${(rate('CPU-bound loop under CP (sie') / rate('CPU-bound loop bare')).toFixed(2)}`,
);

const path = writeResults(join(here, '..'), 'cp', { figures, overhead });
console.log(`results: ${path}`);

// --- A longer hostile-guest campaign than the unit test's -------------------
{
  const fc = (await import('fast-check')).default;
  const { hostileProperty } = await import('../test/hostile-campaign');
  const campaign: Record<string, { runs: number; seconds: number }> = {};
  for (const [style, runs] of [
    ['trap-and-emulate', 2000],
    ['sie', 1000],
  ] as const) {
    const t0 = performance.now();
    fc.assert(hostileProperty(style), { numRuns: runs, seed: 0xbe4c4 });
    const seconds = (performance.now() - t0) / 1000;
    campaign[style] = { runs, seconds };
    console.log(`hostile campaign ${style}: ${runs} runs passed in ${seconds.toFixed(1)} s`);
  }
  writeResults(join(here, '..'), 'cp-hostile', campaign);
}

// --- Scale: 10,000 logged-on CMS users in one process (bench/scale.ts) --------
{
  const { scale } = await import('./scale');
  writeResults(join(here, '..'), 'cp-scale', scale(10_000));
}
