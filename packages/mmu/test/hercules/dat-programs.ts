/**
 * Generator of ESA/390 page tables and test programs for Hercules 3.13, and
 * the runner that executes them headless through @strachey/hercules-oracle.
 *
 * A scenario is a random segment table (at 0x10000) and page tables (from
 * 0x20000), a list of virtual addresses, and one of three programs:
 * - 'lra31' / 'lra24': LOAD REAL ADDRESS of each address in 31- or 24-bit
 *   addressing mode, storing R1, the condition code (IPM) and the program-
 *   interruption code if LRA took one;
 * - 'load' / 'store': with DAT on, L or ST through each address, storing the
 *   program-interruption code and the TEA (X'90', cleared before each probe);
 * - 'secondary-load' / 'home-store': the same in secondary-space mode (CR7) and
 *   home-space mode (CR13), with CR7 = CR13 = CR1, so only the TEA's space bits
 *   differ from the primary runs.
 *
 * Storage layout (real = absolute, prefix 0): restart PSW at 0, program new
 * PSW at X'68' -> handler at X'E00' (code and TEA into R5/R6, resume at R7),
 * code from X'200' (to X'86C' at most), address table at X'900', results at X'A00' (12 bytes per
 * probe), final disabled wait PSW at X'E20', CR0 and CR1 at X'E40'. Page 0 is mapped identically so
 * the program runs with DAT on. Data frames are drawn from 1 MB up, so
 * stores never hit the program or the tables.
 */
import { type StorageLine, runHerculesSettled, storageBytes, waitedBeforeDisplays } from '@strachey/hercules-oracle';
import { type AbsoluteAddress, SparseStorage } from '@strachey/isa-core';
import { encodePte, encodeStd, encodeSte } from '../../src/index';

export type ProgramKind = 'lra31' | 'lra24' | 'load' | 'store' | 'secondary-load' | 'home-store';

/** Whether a program runs with DAT on (loads and stores through the probes). */
export const isDatOn = (kind: ProgramKind): boolean => kind !== 'lra31' && kind !== 'lra24';
/** Whether a program stores through the probes. */
export const isStore = (kind: ProgramKind): boolean => kind === 'store' || kind === 'home-store';
/** The address-space control a program runs its probes in (PSW bits 16-17). */
export const ascOf = (kind: ProgramKind): number => (kind === 'secondary-load' ? 2 : kind === 'home-store' ? 3 : 0);

export const PROBES = 48;
const SEGMENT_TABLE = 0x10000;
const PAGE_TABLE_AREA = 0x20000;
const CODE = 0x200;
const ADDRESSES = 0x900;
const RESULTS = 0xa00;
/** Where the probe results start (12 bytes per probe). */
export const RESULTS_ADDRESS = RESULTS;
const HANDLER = 0xe00;
const WAIT_PSW = 0xe20;
const CONTROL_REGISTERS = 0xe40;

/** A small deterministic PRNG (xorshift32); simulations never use Math.random. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return this.next() % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
}

export interface Scenario {
  readonly seed: number;
  readonly cr0: number;
  readonly std: number;
  /** (address, 32-bit value) pairs of table entries. */
  readonly entries: ReadonlyArray<readonly [number, number]>;
  readonly addresses: readonly number[];
}

/** Random tables and probe addresses for one seed. */
export function generateScenario(seed: number, options: { forDatOn?: boolean } = {}): Scenario {
  const rng = new Rng(seed);
  const stl = rng.below(2); // 16 or 32 segments
  const privateSpace = rng.below(4) === 0;
  const entries: [number, number][] = [];
  const segments = (stl + 1) * 16;
  let nextTable = PAGE_TABLE_AREA;
  const frame = () => 0x100000 + rng.below(0xf00) * 0x1000;
  for (let sx = 0; sx < segments; sx++) {
    const pto = nextTable;
    nextTable += 0x400;
    const ptl = sx === 0 ? 15 : rng.pick([0, 1, 7, 15, 15, 15]);
    const kind = sx === 0 ? 'valid' : rng.pick(['valid', 'valid', 'valid', 'valid', 'invalid', 'common', 'beyond']);
    const ste =
      kind === 'invalid'
        ? encodeSte(pto, ptl, { invalid: true })
        : kind === 'common'
          ? encodeSte(pto, ptl, { common: true })
          : kind === 'beyond'
            ? encodeSte(0x7f000000, ptl) // page table outside 16 MB: addressing
            : encodeSte(pto, ptl);
    entries.push([SEGMENT_TABLE + sx * 4, ste]);
    for (let px = 0; px < (ptl + 1) * 16; px++) {
      let pte: number;
      if (sx === 0 && px === 0) pte = encodePte(0);
      else {
        const k = rng.pick(['valid', 'valid', 'valid', 'invalid', 'protected', 'bit0', 'bit20', 'bit23']);
        const f = frame();
        pte =
          k === 'invalid'
            ? encodePte(f, { invalid: true })
            : k === 'protected'
              ? encodePte(f, { protected: true })
              : k === 'bit0'
                ? encodePte(f) | 0x80000000
                : k === 'bit20'
                  ? encodePte(f) | 0x800
                  : k === 'bit23'
                    ? encodePte(f) | 0x100
                    : encodePte(f);
      }
      entries.push([pto + px * 4, pte]);
    }
  }
  const addresses: number[] = [];
  while (addresses.length < PROBES) {
    const sx = rng.below(segments + 4);
    const px = rng.below(256);
    const a = (sx * 0x100000 + px * 0x1000 + rng.below(0x1000)) >>> 0;
    const high = rng.below(8) === 0 ? rng.below(0x80) << 24 : 0;
    const address = (a | high) >>> 0;
    if (options.forDatOn && (address & 0x7ffff000) === 0) continue;
    addresses.push(address);
  }
  return { seed, cr0: 0x00b00000, std: encodeStd(SEGMENT_TABLE, stl, privateSpace), entries, addresses };
}

/** The scenario's tables in a fresh 16 MB storage, as Hercules will hold them. */
export function scenarioStorage(s: Scenario): SparseStorage {
  const storage = new SparseStorage(16 * 1024 * 1024);
  for (const [a, v] of s.entries) storage.write32(a as AbsoluteAddress, v);
  return storage;
}

const hex = (n: number, w = 8) => (n >>> 0).toString(16).toUpperCase().padStart(w, '0');

/**
 * The machine code of one probe block starting at `pc`. R7 holds the address
 * to resume at after a program interruption: translation exceptions nullify
 * (the old PSW points at the faulting instruction), so the handler puts R7
 * into the old PSW instead of returning to it.
 */
function block(kind: ProgramKind, i: number, pc: number): string {
  const addr = hex(ADDRESSES + 4 * i, 4);
  const res = RESULTS + 12 * i;
  const clear = '1B55' + '1B66'; // SR 5,5 ; SR 6,6
  if (kind === 'lra31' || kind === 'lra24') {
    // LA 7,resume ; L 3,addr ; LRA 2,0(,3) ; IPM 4 ; resume: ST 2 ; ST 4 ; ST 5
    const resume = pc + 4 + 4 + 4 + 4 + 4;
    return `${clear}4170${hex(resume, 4)}5830${addr}B1203000B2220040` + `5020${hex(res, 4)}5040${hex(res + 4, 4)}5050${hex(res + 8, 4)}`;
  }
  // XC X'90'(4),X'90' ; LA 7,resume ; L 3,addr ; L or ST 2,0(,3) ; resume: ST 5 (code) ; ST 6 (TEA) ; ST 2
  const op = isStore(kind) ? '50203000' : '58203000';
  const resume = pc + 4 + 6 + 4 + 4 + 4;
  return `${clear}D70300900090` + `4170${hex(resume, 4)}5830${addr}${op}5050${hex(res, 4)}5060${hex(res + 4, 4)}5020${hex(res + 8, 4)}`;
}

/** The Hercules console script (`r` commands, restart, displays) for a scenario and program. */
export function herculesScript(s: Scenario, kind: ProgramKind): string {
  const lines: string[] = [];
  const amode31 = kind !== 'lra24';
  lines.push(`r 0=00080000${amode31 ? '8' : '0'}0000${hex(CODE, 3)}`);
  lines.push(`r 68=00080000${hex(0x80000000 | HANDLER)}`);
  // Handler: LH 5,X'8E' ; L 6,X'90' ; O 7,amode-bit ; ST 7,X'2C' ; LPSW X'28'
  const amodeBit = HANDLER + 0x18;
  lines.push(`r ${hex(HANDLER, 3)}=4850008E586000905670${hex(amodeBit, 4)}5070002C82000028`);
  lines.push(`r ${hex(amodeBit, 3)}=${amode31 ? '80000000' : '00000000'}`);
  lines.push(`r ${hex(WAIT_PSW, 3)}=000A000000000000`);
  // CR0 (with the secondary-space control bit SAC needs), CR1; CR7 and CR13 get the same STD.
  const cr0 = ascOf(kind) === 0 ? s.cr0 : s.cr0 | 0x04000000;
  lines.push(`r ${hex(CONTROL_REGISTERS, 3)}=${hex(cr0)}${hex(s.std)}`);
  // Table entries, grouped in runs of consecutive words.
  const sorted = [...s.entries].sort((a, b) => a[0] - b[0]);
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]![0];
    let words = '';
    let n = 0;
    // Hercules 3.13's r command takes at most 32 bytes.
    while (i < sorted.length && sorted[i]![0] === start + 4 * n && n < 8) {
      words += hex(sorted[i]![1]);
      n++;
      i++;
    }
    lines.push(`r ${hex(start, 5)}=${words}`);
  }
  for (let k = 0; k < s.addresses.length; k += 8) {
    lines.push(`r ${hex(ADDRESSES + 4 * k, 3)}=${s.addresses.slice(k, k + 8).map((a) => hex(a)).join('')}`);
  }
  // LCTL 0,1,X'E40' ; STOSM for DAT-on programs ; the probe blocks ; LPSW wait
  let code = `B701${hex(CONTROL_REGISTERS, 4)}`;
  // LCTL 7,7 and LCTL 13,13 from the CR1 word
  code += `B777${hex(CONTROL_REGISTERS + 4, 4)}B7DD${hex(CONTROL_REGISTERS + 4, 4)}`;
  if (isDatOn(kind)) code += 'AD040E30'; // STOSM X'E30',X'04' (stores the old mask byte at X'E30')
  // SAC's operand is not the PSW encoding: X'000' primary, X'100' secondary, X'200' AR, X'300' home.
  if (ascOf(kind) !== 0) code += ascOf(kind) === 2 ? 'B2190100' : 'B2190300';
  for (let k = 0; k < s.addresses.length; k++) code += block(kind, k, CODE + code.length / 2);
  code += `8200${hex(WAIT_PSW, 4)}`;
  for (let k = 0; k < code.length; k += 64) lines.push(`r ${hex(CODE + k / 2, 3)}=${code.slice(k, k + 64)}`);
  lines.push('restart', 'pause 1', `r ${hex(RESULTS, 3)}.${hex(12 * s.addresses.length, 3)}`, 'psw', 'quit');
  return `${lines.join('\n')}\n`;
}

/** One probe's result as the program stored it. */
export interface ProbeResult {
  /** LRA: R1; load/store: the program-interruption code. */
  readonly word0: number;
  /** LRA: the IPM byte (cc in bits 2-3); load/store: the TEA. */
  readonly word1: number;
  /** LRA: the program-interruption code (0 when none); load/store: R2. */
  readonly word2: number;
}

/**
 * The probe results from the storage lines Hercules displayed (the `r`
 * display of the results area); null when any probe's words are missing.
 */
export function parseResults(storage: readonly StorageLine[], probes: number): ProbeResult[] | null {
  const bytes = storageBytes(storage);
  const word = (a: number): number | undefined => {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const b = bytes.get(a + k);
      if (b === undefined) return undefined;
      v = (v << 8) | b;
    }
    return v >>> 0;
  };
  const out: ProbeResult[] = [];
  for (let i = 0; i < probes; i++) {
    const a = RESULTS + 12 * i;
    const w0 = word(a);
    const w1 = word(a + 4);
    const w2 = word(a + 8);
    if (w0 === undefined || w1 === undefined || w2 === undefined) return null;
    out.push({ word0: w0, word1: w1, word2: w2 });
  }
  return out;
}

/**
 * Pauses of the settle ladder. The programs are a few hundred instructions,
 * so a fifth of a second is plenty on an idle machine; under load (CI runs
 * two test files at a time on two cores) the longer ones take over.
 */
const PAUSES: readonly number[] = [0.25, 1, 3, 8];

/**
 * Run a scenario's program on Hercules 3.13 headless, through the oracle's
 * settle ladder: a run counts only when the program's disabled wait came
 * before the results display and the whole result area was shown. Null when
 * no attempt got there (the caller asserts it is not).
 */
export async function runOnHercules(s: Scenario, kind: ProgramKind): Promise<ProbeResult[] | null> {
  const probes = s.addresses.length;
  const run = await runHerculesSettled({
    script: herculesScript(s, kind),
    pauses: PAUSES,
    isComplete: (r) => waitedBeforeDisplays(r) && parseResults(r.storage, probes) !== null,
  });
  return run.complete ? parseResults(run.storage, probes) : null;
}
