/**
 * Test helpers for the ESA/390 CPU tests: a tiny instruction encoder (one
 * function per format, fields as the POP names them) and a machine with a
 * program loaded at X'1000'. A program ends by running into a X'0000'
 * halfword: the operation exception loads the program new PSW, a disabled
 * wait, and run() returns. The helpers then read the program-interruption
 * code, ILC and old PSW from the prefix area, where the architecture puts them.
 */
import { type Exit, Esa390Cpu, SparseStorage, absoluteAddress } from '@strachey/isa-core';

/** A displacement must fit 12 bits; a larger one would silently spill into the base field. */
const d12 = (d: number): number => {
  if (d < 0 || d > 0xfff) throw new RangeError(`displacement ${d.toString(16)} does not fit 12 bits`);
  return d;
};

export const RR = (op: number, r1: number, r2: number): number[] => [op, (r1 << 4) | r2];
export const RRE = (op: number, r1: number, r2: number): number[] => [op >>> 8, op & 0xff, 0, (r1 << 4) | r2];
export const RX = (op: number, r1: number, d2: number, x2 = 0, b2 = 0): number[] => [
  op + 0 * d12(d2),
  (r1 << 4) | x2,
  (b2 << 4) | (d2 >>> 8),
  d2 & 0xff,
];
export const RS = (op: number, r1: number, r3: number, d2: number, b2 = 0): number[] => [
  op + 0 * d12(d2),
  (r1 << 4) | r3,
  (b2 << 4) | (d2 >>> 8),
  d2 & 0xff,
];
export const SI = (op: number, d1: number, i2: number, b1 = 0): number[] => [op + 0 * d12(d1), i2, (b1 << 4) | (d1 >>> 8), d1 & 0xff];
export const S = (op: number, d2: number, b2 = 0): number[] => [op >>> 8, op & 0xff, (b2 << 4) | (d2 >>> 8), d2 & 0xff];
/** RI format (A7x): `op` is the 12-bit key, e.g. 0xa7a for AHI. */
export const RI = (op: number, r1: number, i2: number): number[] => [0xa7, (r1 << 4) | (op & 0xf), (i2 >>> 8) & 0xff, i2 & 0xff];
export const RSI = (op: number, r1: number, r3: number, i2: number): number[] => [op, (r1 << 4) | r3, (i2 >>> 8) & 0xff, i2 & 0xff];
/** SS with one length (L = length - 1 as encoded). */
export const SS = (op: number, l: number, d1: number, b1: number, d2: number, b2: number): number[] => [
  op + 0 * d12(d1) + 0 * d12(d2),
  l,
  (b1 << 4) | (d1 >>> 8),
  d1 & 0xff,
  (b2 << 4) | (d2 >>> 8),
  d2 & 0xff,
];
/** SS with two lengths (PACK, UNPK): encoded L1-1, L2-1. */
export const SS2 = (op: number, l1: number, l2: number, d1: number, b1: number, d2: number, b2: number): number[] =>
  SS(op, (l1 << 4) | l2, d1, b1, d2, b2);
/** The halfword that ends a test program (operation exception). */
export const END = [0x00, 0x00];

/** Where test programs are loaded: low enough that a displacement alone can address any of it. */
export const ORIGIN = 0x400;
/** The program new PSW: disabled wait (ESA/390 format), instruction address X'0EEE'. */
export const PGM_NEW_WAIT: readonly [number, number] = [0x000a0000, 0x00000eee];

export interface TestMachine {
  readonly storage: SparseStorage;
  readonly cpu: Esa390Cpu;
  /** Store bytes at an absolute address. */
  poke(address: number, bytes: readonly number[] | Uint8Array): void;
  peek(address: number, length: number): number[];
  peek32(address: number): number;
  /** Load a program at ORIGIN and make the PSW point at it. */
  load(code: readonly (readonly number[])[], options?: { amode31?: boolean; psw?: readonly [number, number] }): void;
  /** Run until an exit (at most `budget` instructions). */
  run(budget?: number): Exit;
  /** The last program interruption: code, ILC (0-3) and the old PSW, read from the prefix area. */
  lastProgramInterruption(): { code: number; ilc: number; oldPswHigh: number; oldIa: number; cc: number };
  /** Condition code of the program when it ended (from the program old PSW). */
  cc(): number;
}

export function machine(size = 1 << 20): TestMachine {
  const storage = new SparseStorage(size);
  const cpu = new Esa390Cpu({ storage });
  const poke = (address: number, bytes: readonly number[] | Uint8Array): void => {
    storage.writeFrom(absoluteAddress(address), Uint8Array.from(bytes));
  };
  const peek = (address: number, length: number): number[] => {
    const out = new Uint8Array(length);
    storage.readInto(absoluteAddress(address), out);
    return [...out];
  };
  const peek32 = (address: number): number => storage.read32(absoluteAddress(address)) >>> 0;
  const m: TestMachine = {
    storage,
    cpu,
    poke,
    peek,
    peek32,
    load(code, options = {}) {
      const bytes = code.flat();
      poke(ORIGIN, [...bytes, ...END]);
      storage.write32(absoluteAddress(0x68), PGM_NEW_WAIT[0]);
      storage.write32(absoluteAddress(0x6c), PGM_NEW_WAIT[1]);
      const [hi, lo] = options.psw ?? [0x00080000, (options.amode31 === false ? 0 : 0x80000000) | ORIGIN];
      cpu.setPsw(hi, lo);
      cpu.state = 'operating';
    },
    run(budget = 100_000) {
      return cpu.run(budget);
    },
    lastProgramInterruption() {
      const id = peek32(0x8c);
      return {
        code: id & 0xffff,
        ilc: (id >>> 17) & 3,
        oldPswHigh: peek32(0x28),
        oldIa: peek32(0x2c) & 0x7fffffff,
        cc: (peek32(0x28) >>> 12) & 3,
      };
    },
    cc() {
      return (peek32(0x28) >>> 12) & 3;
    },
  };
  return m;
}

/** Run a program to its END and return the machine; fails the test if it ended any other way. */
export function runToEnd(m: TestMachine, budget = 100_000): TestMachine {
  const exit = m.run(budget);
  const pi = m.lastProgramInterruption();
  if (exit.reason !== 'wait' || pi.code !== 1) {
    throw new Error(`program did not reach END: exit ${JSON.stringify(exit)}, last program interruption ${JSON.stringify(pi)}`);
  }
  return m;
}

/** Length in bytes of a program built from the encoders (for addresses of the END etc.). */
export const lengthOf = (code: readonly (readonly number[])[]): number => code.reduce((n, i) => n + i.length, 0);

/**
 * Execute the given instructions once from a fresh PSW (registers preset,
 * program mask `progmask`), to END or to the first program interruption.
 */
export function exec(
  m: TestMachine,
  code: readonly (readonly number[])[],
  regs: Readonly<Record<number, number>> = {},
  options: { progmask?: number; amode31?: boolean; cc?: number } = {},
): { code: number; ilc: number; cc: number; oldIa: number; g: Int32Array } {
  m.cpu.gpr.fill(0);
  for (const [r, v] of Object.entries(regs)) m.cpu.gpr[Number(r)] = v;
  m.load(code, {
    psw: [
      (0x00080000 | ((options.cc ?? 0) << 12) | ((options.progmask ?? 0) << 8)) >>> 0,
      ((options.amode31 === false ? 0 : 0x80000000) | ORIGIN) >>> 0,
    ],
  });
  const exit = m.run(10_000);
  if (exit.reason !== 'wait') throw new Error(`unexpected exit ${JSON.stringify(exit)}`);
  const pi = m.lastProgramInterruption();
  return { code: pi.code, ilc: pi.ilc, cc: pi.cc, oldIa: pi.oldIa, g: m.cpu.gpr };
}
