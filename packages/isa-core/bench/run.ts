/**
 * isa-core benchmarks: guest MIPS of the ESA/390 interpreter on the BCT loop
 * of hercules-oracle.md and on an instruction mix, each side by side with
 * Debian's Hercules 3.13 running the same bytes in the same run.
 *
 * Two figures per program: `sustained` (median of 1 s samples after a warm-up,
 * the loop count kept from running out) and `to-wait` (the whole program from
 * restart to its disabled wait for a fixed iteration count, on a fresh CPU —
 * the same thing Hercules is timed on). Machines here are shared and noisy,
 * so to-wait and Hercules are each run three times, alternating, and the
 * best of each is compared (all runs are in the JSON).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchFigure, formatRate, measure, writeResults } from '@strachey/bench';
import { absoluteAddress, createEsa390Machine, Esa390Cpu, SparseStorage } from '@strachey/isa-core';
import { runBuildCostBench } from './build-cost';
import { runClockBench } from './clock';
import { herculesUnavailable, timeOnHercules } from './hercules';
import { type BenchProgram, bctLoop, instructionMix } from './programs';

const here = dirname(fileURLToPath(import.meta.url));

function boot(p: BenchProgram): Esa390Cpu {
  const storage = new SparseStorage(16 << 20);
  for (const [a, hex] of p.pokes) storage.writeFrom(absoluteAddress(a), Uint8Array.from(Buffer.from(hex, 'hex')));
  const cpu = new Esa390Cpu({ storage });
  cpu.setPsw(storage.read32(absoluteAddress(0)), storage.read32(absoluteAddress(4)));
  cpu.state = 'operating';
  return cpu;
}

function sustained(p: BenchProgram): BenchFigure {
  const cpu = boot(p);
  cpu.run(1000); // through the set-up into the loop
  const chunk = 10_000_000;
  return measure(
    `${p.name} sustained`,
    () => {
      if (cpu.gpr[p.countRegister]! < 2 * chunk) cpu.gpr[p.countRegister] = 0x7fffffff;
      const before = cpu.instructions;
      const exit = cpu.run(chunk);
      if (exit.reason !== 'budget') throw new Error(`unexpected exit ${JSON.stringify(exit)}`);
      return cpu.instructions - before;
    },
    { warmupSeconds: 2, samples: 5, sampleSeconds: 1, unit: 'instructions' },
  );
}

function toWait(p: BenchProgram): { seconds: number; instructions: number } {
  const cpu = boot(p);
  const t0 = performance.now();
  const exit = cpu.run(Number.MAX_SAFE_INTEGER);
  const seconds = (performance.now() - t0) / 1000;
  if (exit.reason !== 'wait' || exit.enabled) throw new Error(`${p.name} ended with ${JSON.stringify(exit)}`);
  return { seconds, instructions: cpu.instructions };
}

/**
 * The same program through `createEsa390Machine` (round-robin quantum of 1000
 * instructions, clock and timers live): what a configured machine gets.
 */
function throughMachine(p: BenchProgram): { seconds: number; instructions: number } {
  const machine = createEsa390Machine({ mainsize: 16 << 20 });
  for (const [a, hex] of p.pokes) machine.storage.writeFrom(absoluteAddress(a), Uint8Array.from(Buffer.from(hex, 'hex')));
  machine.restart(0);
  const t0 = performance.now();
  const exit = machine.run(Number.MAX_SAFE_INTEGER);
  const seconds = (performance.now() - t0) / 1000;
  if (exit.reason !== 'halted') throw new Error(`${p.name} on the machine ended with ${JSON.stringify(exit)}`);
  return { seconds, instructions: machine.cpus[0]!.instructions };
}

interface Row {
  program: string;
  description: string;
  sustainedMips: number;
  samplesMips: number[];
  toWait: { instructions: number; seconds: number; mips: number; runsSeconds: number[] };
  machine: { instructions: number; seconds: number; mips: number };
  hercules: { seconds: number; mips: number; runsSeconds: number[] } | { skipped: string };
  ratioToHercules: number | null;
}

const ROUNDS = 3;

async function main(): Promise<void> {
  const noHercules = herculesUnavailable();
  if (noHercules !== null) console.log(`Hercules column skipped: ${noHercules}`);
  const rows: Row[] = [];
  for (const p of [bctLoop(1 << 27), instructionMix(1 << 23)]) {
    const fig = sustained(p);
    const ours: number[] = [];
    const theirs: number[] = [];
    let instructions = 0;
    let herculesError: string | null = noHercules;
    for (let round = 0; round < ROUNDS; round++) {
      const run = toWait(p);
      instructions = run.instructions;
      ours.push(run.seconds);
      if (herculesError === null) {
        try {
          theirs.push((await timeOnHercules(p.pokes)).seconds);
        } catch (e) {
          herculesError = (e as Error).message;
        }
      }
    }
    const viaMachine = throughMachine(p);
    const best = Math.min(...ours);
    const run = { instructions, seconds: best };
    const mips = instructions / best / 1e6;
    // Hercules executes the same instruction count: set-up plus loop plus the final LPSW.
    const hercules: Row['hercules'] =
      theirs.length > 0
        ? { seconds: Math.min(...theirs), mips: instructions / Math.min(...theirs) / 1e6, runsSeconds: theirs }
        : { skipped: herculesError ?? 'no run' };
    const row: Row = {
      program: p.name,
      description: p.description,
      sustainedMips: fig.perSecond / 1e6,
      samplesMips: fig.samples.map((s) => s / 1e6),
      toWait: { instructions, seconds: best, mips, runsSeconds: ours },
      machine: { ...viaMachine, mips: viaMachine.instructions / viaMachine.seconds / 1e6 },
      hercules,
      ratioToHercules: 'mips' in hercules ? mips / hercules.mips : null,
    };
    rows.push(row);
    const h = 'mips' in hercules ? `${hercules.mips.toFixed(0)} MIPS (${hercules.seconds.toFixed(2)} s)` : `skipped (${hercules.skipped})`;
    console.log(
      `${p.name.padEnd(16)} sustained ${formatRate(fig)}  to-wait ${mips.toFixed(1)} MIPS (${run.instructions} instr in ${run.seconds.toFixed(2)} s)  machine ${row.machine.mips.toFixed(1)} MIPS  Hercules 3.13 ${h}`,
    );
  }
  const path = writeResults(here, 'esa390-cpu', rows);
  console.log(`results: ${path}`);
  await runClockBench();
  await runBuildCostBench();
}

await main();
