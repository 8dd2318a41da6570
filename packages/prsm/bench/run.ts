/**
 * PR/SM benchmarks, simulated and host speed side by side:
 *
 * - simulated overhead of PR/SM for a CPU-bound guest: PR/SM's cycles
 *   (firmware dispatch path + cache reloads) over all cycles, for one
 *   partition alone on a shared CP and for two partitions taking turns on
 *   one CP, at slices of 12.5 and 25 ms (the seed: "little more than 1 %");
 * - host speed of a guest in an LPAR (zone relocation as the CPU's host
 *   layer, the dispatcher around it) against the same guest on a bare
 *   isa-core machine (target: within 5 %);
 * - dispatcher decisions per host second with 60 partitions on 8 shared CPs,
 *   each guest setting its clock comparator 10 µs ahead and loading an
 *   enabled wait PSW, so nearly every decision follows a wait release
 *   (a handful of guest instructions between decisions).
 *
 * Run: pnpm bench (tsx --conditions=@strachey/source bench/run.ts)
 */
import { fileURLToPath } from 'node:url';
import { type BenchFigure, formatRate, measure, writeResults } from '@strachey/bench';
import { type AbsoluteAddress, assemble, createEsa390Machine } from '@strachey/isa-core';
import { createPrsm, type Prsm, type PrsmResult, parseIocp, parseProfiles } from '../src/index';

function must<T>(r: PrsmResult<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** CPU-bound guest: a loop of ordinary instructions (loads, adds, stores, a branch). */
const GUEST = `
LOOP     START X'2000'
         BALR  12,0
         USING *,12
AGAIN    LA    1,1(1)
         L     2,WORD
         AR    2,1
         ST    2,WORD
         BCT   3,AGAIN
         B     AGAIN
WORD     DC    F'0'
         END   LOOP
`;

/** A guest that wakes every 10 µs: SCKC 10 µs ahead, enabled wait, external interruption, again. */
const TICK = `
TICK     START X'2000'
         BALR  12,0
         USING *,12
         MVC   X'58'(8),EXTNEW
         LCTL  0,0,CR0
NEXT     STCK  NOW
         LM    4,5,NOW
         AL    5,STEP
         BC    12,NOCARRY
         LA    4,1(4)
NOCARRY  STM   4,5,CKC
         SCKC  CKC
         LPSW  WAITPSW
EXTINT   B     NEXT
         DS    0D
EXTNEW   DC    X'00080000',A(X'80000000'+EXTINT)
WAITPSW  DC    X'010A0000',X'80000000'
NOW      DS    D
CKC      DS    D
STEP     DC    F'40960'
CR0      DC    X'00000800'
         END   TICK
`;

function machine(partitions: number, cps: number, slice: string, storage = '64M', guest = GUEST, cpcStorage = '4G'): Prsm {
  const names = Array.from({ length: partitions }, (_, i) => `LP${i + 1}`);
  const groups: string[] = [];
  for (let i = 0; i < names.length; i += 15) {
    groups.push(`(CSS(${i / 15}),${names.slice(i, i + 15).map((n, k) => `(${n},${(k + 1).toString(16).toUpperCase()})`).join(',')})`);
  }
  const iocp = must(parseIocp(` RESOURCE PARTITION=(${groups.join(',')})\n`, 'bench.iocp'));
  let profiles = `[CPC]\nstorage = ${cpcStorage}\ncps = ${cps}\nslice = ${slice}\n`;
  for (const n of names) profiles += `[${n}]\nstorage = ${storage}\ncps = 1\nweight = 10\n`;
  const p = must(createPrsm({ iocp, profiles: must(parseProfiles(profiles, 'bench.profiles')) }));
  for (const n of names) {
    must(p.activate(n));
    must(p.ipl(n, { source: guest }));
  }
  return p;
}

const results: Record<string, unknown> = {};

// ---- simulated overhead
const overhead: Record<string, number> = {};
for (const [label, partitions, slice] of [
  ['alone, 12.5 ms slice', 1, '12.5ms'],
  ['two sharing one CP, 12.5 ms slice', 2, '12.5ms'],
  ['two sharing one CP, 25 ms slice', 2, '25ms'],
] as const) {
  const p = machine(partitions, 1, slice);
  p.run({ ms: 500 });
  const c = p.counters();
  overhead[label] = c.overheadCycles / (c.overheadCycles + c.busyCycles);
  console.log(`PR/SM overhead, CPU-bound guest, ${label}: ${(overhead[label]! * 100).toFixed(3)} % (${c.dispatches} dispatches in 500 ms)`);
}
results.simulatedOverhead = overhead;

// ---- host speed: guest in an LPAR vs bare
const program = assemble(GUEST);
const bare = createEsa390Machine({ mainsize: 1 << 27 });
for (const c of program.chunks) bare.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
bare.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0, 8, 0, 0, 0x80, 0, 0x20, 0]));
bare.restart(0);
const bareFigure = measure('guest instructions, bare isa-core machine', () => {
  const before = bare.cpus[0]!.instructions;
  bare.run(2_000_000);
  return bare.cpus[0]!.instructions - before;
}, { unit: 'instructions' });
// The same physical storage size as the bare machine's, so only PR/SM's own work differs (a large
// SparseStorage is slower by itself: see the README).
const lpar = machine(1, 1, '12.5ms', '64M', GUEST, '128M');
const lparFigure = measure('guest instructions, in an LPAR (zone relocation + dispatcher), 128 MB machine', () => {
  const before = lpar.counters().partitions.LP1!.instructions;
  lpar.run({ ms: 2 });
  return lpar.counters().partitions.LP1!.instructions - before;
}, { unit: 'instructions' });
const lpar4g = machine(1, 1, '12.5ms');
const lpar4gFigure = measure('guest instructions, in an LPAR, 4 GB machine', () => {
  const before = lpar4g.counters().partitions.LP1!.instructions;
  lpar4g.run({ ms: 2 });
  return lpar4g.counters().partitions.LP1!.instructions - before;
}, { unit: 'instructions' });
const figures: BenchFigure[] = [bareFigure, lparFigure, lpar4gFigure];
console.log(`${bareFigure.name}: ${formatRate(bareFigure)}`);
console.log(`${lparFigure.name}: ${formatRate(lparFigure)} (${((lparFigure.perSecond / bareFigure.perSecond - 1) * 100).toFixed(1)} % vs bare)`);
console.log(`${lpar4gFigure.name}: ${formatRate(lpar4gFigure)} (${((lpar4gFigure.perSecond / bareFigure.perSecond - 1) * 100).toFixed(1)} % vs bare)`);

// ---- dispatcher decisions with 60 partitions
const sixty = machine(60, 8, '12.5ms', '32M', TICK);
const decisions = measure('dispatcher decisions, 60 LPARs on 8 shared CPs, guests waking every 10 µs', () => {
  const before = sixty.counters().decisions;
  sixty.run({ ms: 1 });
  return sixty.counters().decisions - before;
}, { unit: 'decisions' });
figures.push(decisions);
console.log(`${decisions.name}: ${formatRate(decisions)}`);

results.host = figures;
results.lparVsBare = lparFigure.perSecond / bareFigure.perSecond;
const dir = fileURLToPath(new URL('..', import.meta.url));
console.log(`wrote ${writeResults(dir, 'prsm', results)}`);
