/**
 * The hot interpreter loop and the dispatcher of the ESA/390 general
 * instructions (POP SA22-7201 chapter 7, "General Instructions"). One switch
 * on the first opcode byte; frequent instructions are written inline, bulky
 * or rare ones (SS, long moves, decimal conversion, 64-bit arithmetic) call
 * out-of-line helpers, so this function stays small enough for V8 to optimise.
 * Opcodes the instruction table marks privileged, plus SVC and STCK, go to
 * the system side after the privileged-operation check.
 */
import type { Exit } from '../../framework/exit';
import type { Esa390Cpu, Esa390TraceHook } from '../cpu';
import { EXIT_BUDGET, EXIT_REBUDGET, ILEN, PGM } from './constants';
import { ESA390_INSTRUCTIONS } from '../table';
import { executeSystem } from '../system/execute';
import { branchAndSetMode, divide, multiply, shiftDouble, shiftLeftSingle } from './fixed';
import { type BlockHelpers, type CompileTables, compileBlock, HOT, ownFunction, sourceUnchanged } from './compile';
import { compareLogicalLong, moveLong } from './long';
import { ss } from './ss';
import { compareAndSwap, compareDoubleAndSwap, convertToBinary, convertToDecimal } from './misc';

/** Base cycles by first opcode byte (8-bit opcodes), from the instruction table. */
const CYC = new Uint8Array(256).fill(1);
/** Base cycles of the A7x RI group by its 4-bit extension. */
const CYC_A7 = new Uint8Array(16).fill(1);
/** Base cycles of the B2xx group. */
const CYC_B2 = new Uint8Array(256).fill(1);
/**
 * System opcodes: 1 = handed to the system side unprivileged (SVC, STCK, SAC),
 * 2 = privileged (privileged-operation check here, then the system side).
 */
const SYS8 = new Uint8Array(256);
const SYS_B2 = new Uint8Array(256);
for (const row of ESA390_INSTRUCTIONS) {
  const op = row.opcode;
  const sys = row.privileged ? 2 : row.mnemonic === 'SVC' || row.mnemonic === 'STCK' || row.mnemonic === 'SAC' ? 1 : 0;
  if (op <= 0xff) {
    CYC[op] = row.cycles;
    SYS8[op] = sys;
  } else if (op >= 0xa70 && op <= 0xa7f) {
    CYC_A7[op & 0xf] = row.cycles;
  } else if (op >> 8 === 0xb2) {
    CYC_B2[op & 0xff] = row.cycles;
    SYS_B2[op & 0xff] = sys;
  }
}
// SSK and ISK are S/370 instructions: Hercules 3.13 in ESA/390 mode raises
// the operation exception for X'08' and X'09' even in supervisor state.
SYS8[0x08] = 0;
SYS8[0x09] = 0;

/** General instructions a compiled block may contain (everything but system instructions, B2xx and invalid opcodes). */
const GENERAL = new Uint8Array(256);
const GENERAL_A7 = new Uint8Array(16);
for (const row of ESA390_INSTRUCTIONS) {
  const op = row.opcode;
  if (op <= 0xff && SYS8[op] === 0 && op !== 0x08 && op !== 0x09) GENERAL[op] = 1;
  else if (op >= 0xa70 && op <= 0xa7f) {
    GENERAL[0xa7] = 1;
    GENERAL_A7[op & 0xf] = 1;
  }
}
const TABLES: CompileTables = { general: GENERAL, generalA7: GENERAL_A7, cyc: CYC, cycA7: CYC_A7 };

/** ILC by first opcode byte. */
const ILC = new Uint8Array(256);
for (let i = 0; i < 256; i++) ILC[i] = ILEN[i >>> 6]! >>> 1;

/**
 * Run instructions until `cpu.instructions` reaches `end` or an exit. The
 * caller (Esa390Cpu.run) catches the program-check sentinel around this.
 */
export function interpret(cpu: Esa390Cpu, end: number, trace: Esa390TraceHook | null = null): Exit {
  const g = cpu.gpr;
  const blocks = trace === null && cpu.blockCompilation;
  // Hits are counted only at block leaders: the target of a taken branch, the
  // instruction after a block or after a system instruction. Not where run()
  // starts, which with time slices is anywhere in a loop: counting there would
  // grow a block at every instruction of it.
  let leader = false;
  for (;;) {
    if (cpu.instructions >= end) return EXIT_BUDGET;
    if (cpu.pending !== 0 || cpu.cycles >= cpu.timerDeadline) {
      const taken = cpu.interruptionCount;
      const x = cpu.boundary();
      if (x !== null) return x;
      // Interruptions count against run()'s budget: let it recompute the end.
      if (cpu.interruptionCount !== taken) return EXIT_REBUDGET;
      leader = true; // an interruption may have loaded a new PSW
    }
    const ia = cpu.ia;
    let f = cpu.ipFrame;
    let o = ia & 0xfff;
    let cached = true;
    // The slow fetch also handles odd addresses (specification) and instructions crossing a page.
    if (ia >>> 12 !== cpu.ipPage || o > 0xffa || (ia & 1) !== 0) {
      f = cpu.fetchInstruction(ia);
      o = cpu.fetchOffset;
      cached = ia >>> 12 === cpu.ipPage && f !== cpu.ibuf;
    }
    if (cached && blocks && cpu.codePage !== null) {
      const pg = cpu.codePage;
      const slot = o >>> 1;
      let blk = pg.blocks[slot];
      if (blk !== undefined && blk.checked !== pg.gen) {
        // The page was stored into since the block was last checked: is its code still the same?
        if (sourceUnchanged(pg.bytes, blk.source)) blk.checked = pg.gen;
        else {
          pg.blocks[slot] = undefined;
          pg.hits[slot] = 0;
          cpu.codeCache!.invalidations++;
          blk = undefined;
        }
      }
      if (blk !== undefined) {
        // Enter only if the whole pass stays within the budget and before the timer deadline
        // (the interpreter checks the deadline before every instruction).
        if (
          blk.ia === ia &&
          blk.amask === cpu.amask &&
          cpu.instructions + blk.n <= end &&
          cpu.cycles + blk.cycPrefix[blk.n - 1]! < cpu.timerDeadline
        ) {
          const before = cpu.instructions;
          cpu.activeBlock = blk;
          const x = blk.run(cpu, g, end);
          cpu.activeBlock = null;
          blk.untilOwn -= cpu.instructions - before;
          if (blk.untilOwn <= 0) ownFunction(blk, cpu.codeCache!);
          if (x !== null) return x;
          leader = true;
          continue;
        }
      } else if (leader) {
        const hits = pg.hits[slot]! + 1;
        pg.hits[slot] = hits;
        if (hits === HOT) {
          const nb = compileBlock(cpu, cpu.codeCache!, pg, o, ia, HELPERS, TABLES);
          if (nb !== null) {
            pg.blocks[slot] = nb;
            continue;
          }
        }
      }
    }
    const b0 = f[o]!;
    cpu.instAddress = ia;
    cpu.ilc = ILC[b0]!;
    cpu.instructions++;
    cpu.cycles += CYC[b0]!;
    if (trace !== null) trace(cpu, ia, ILEN[b0 >>> 6]!);
    const x = execute(cpu, g, f, o, b0, ia);
    if (x !== null) return x;
    leader = GENERAL[b0] === 0 || cpu.ia !== ((ia + ILEN[b0 >>> 6]!) & cpu.amask);
  }
}

/** Base + displacement of the operand address in bytes `hi`, `lo` (B D D D), not yet wrapped. */
function bd(g: Int32Array, hi: number, lo: number): number {
  const b = hi >>> 4;
  const d = ((hi & 15) << 8) | lo;
  return b === 0 ? d : (g[b]! + d) | 0;
}

/** Condition code of a signed result: 0 zero, 1 negative, 2 positive. */
function ccOf(r: number): number {
  return r === 0 ? 0 : r < 0 ? 1 : 2;
}

/** Fixed-point overflow: cc 3 and, if the program mask allows, a program interruption after completion. */
export function overflow(cpu: Esa390Cpu): void {
  cpu.cc = 3;
  if ((cpu.progmask & 8) !== 0) cpu.programCheck(PGM.FIXED_POINT_OVERFLOW);
}

/** ADD into R1: the result is stored before an overflow interruption (the instruction completes). */
function add(cpu: Esa390Cpu, g: Int32Array, r1: number, b: number): void {
  const a = g[r1]!;
  const r = (a + b) | 0;
  g[r1] = r;
  if (((a ^ r) & (b ^ r)) < 0) overflow(cpu);
  else cpu.cc = r === 0 ? 0 : r < 0 ? 1 : 2;
}

/** SUBTRACT from R1, stored before an overflow interruption. */
function sub(cpu: Esa390Cpu, g: Int32Array, r1: number, b: number): void {
  const a = g[r1]!;
  const r = (a - b) | 0;
  g[r1] = r;
  if (((a ^ b) & (a ^ r)) < 0) overflow(cpu);
  else cpu.cc = r === 0 ? 0 : r < 0 ? 1 : 2;
}

/** ADD LOGICAL: cc bit 2 = carry, bit 1 = nonzero result. */
function addLogical(cpu: Esa390Cpu, a: number, b: number): number {
  const s = (a >>> 0) + (b >>> 0);
  const r = s | 0;
  cpu.cc = (r !== 0 ? 1 : 0) | (s > 0xffffffff ? 2 : 0);
  return r;
}

/** SUBTRACT LOGICAL: cc bit 2 = carry (no borrow), bit 1 = nonzero result. */
function subLogical(cpu: Esa390Cpu, a: number, b: number): number {
  const r = (a - b) | 0;
  cpu.cc = (r !== 0 ? 1 : 0) | (a >>> 0 >= b >>> 0 ? 2 : 0);
  return r;
}

function cmp(a: number, b: number): number {
  return a === b ? 0 : a < b ? 1 : 2;
}

function cmpLogical(a: number, b: number): number {
  const x = a >>> 0;
  const y = b >>> 0;
  return x === y ? 0 : x < y ? 1 : 2;
}

/** Link information of BAL/BALR (POP "BRANCH AND LINK"): in 24-bit mode ILC, CC and program mask go left of the address. */
function linkBal(cpu: Esa390Cpu, next: number): number {
  if (cpu.amask === 0x7fffffff) return (next | 0x80000000) | 0;
  return ((cpu.ilc << 30) | (cpu.cc << 28) | (cpu.progmask << 24) | next) | 0;
}

/** Link information of BAS/BASR/BRAS: the address with the addressing-mode bit in 31-bit mode. */
function linkBas(cpu: Esa390Cpu, next: number): number {
  return cpu.amask === 0x7fffffff ? (next | 0x80000000) | 0 : next;
}

/** TEST UNDER MASK HIGH/LOW condition code (POP "TEST UNDER MASK"): 1 and 2 tell which way the leftmost selected bit points. */
function ccTestMask(value: number, mask: number): number {
  const sel = value & mask;
  if (sel === 0) return 0;
  if (sel === mask) return 3;
  const top = 1 << (31 - Math.clz32(mask));
  return (sel & top) !== 0 ? 2 : 1;
}

function specificationIfOdd(cpu: Esa390Cpu, r: number): void {
  if ((r & 1) !== 0) cpu.programCheck(PGM.SPECIFICATION);
}

/**
 * Execute one instruction whose bytes are at `f[o...]`. `ia` is its address
 * (for the target of EXECUTE: EXECUTE's next address minus the target's
 * length, so that `ia + length` is where execution continues).
 */
export function execute(cpu: Esa390Cpu, g: Int32Array, f: Uint8Array, o: number, b0: number, ia: number): Exit | null {
  const amask = cpu.amask;
  const b1 = f[o + 1]!;
  const r1 = b1 >>> 4;
  const r2 = b1 & 15;
  switch (b0) {
    // ------------------------------------------------------------- RR
    case 0x18: // LR
      g[r1] = g[r2]!;
      cpu.ia = (ia + 2) & amask;
      return null;
    case 0x12: {
      // LTR
      const v = g[r2]!;
      g[r1] = v;
      cpu.cc = ccOf(v);
      cpu.ia = (ia + 2) & amask;
      return null;
    }
    case 0x13: {
      // LCR
      const v = g[r2]!;
      const r = -v | 0;
      g[r1] = r;
      cpu.ia = (ia + 2) & amask;
      if (v === -0x80000000) overflow(cpu);
      else cpu.cc = ccOf(r);
      return null;
    }
    case 0x10: {
      // LPR
      const v = g[r2]!;
      const r = v < 0 ? -v | 0 : v;
      g[r1] = r;
      cpu.ia = (ia + 2) & amask;
      if (v === -0x80000000) overflow(cpu);
      else cpu.cc = r === 0 ? 0 : 2;
      return null;
    }
    case 0x11: {
      // LNR
      const v = g[r2]!;
      const r = v > 0 ? -v | 0 : v;
      g[r1] = r;
      cpu.cc = r === 0 ? 0 : 1;
      cpu.ia = (ia + 2) & amask;
      return null;
    }
    case 0x1a: // AR
      cpu.ia = (ia + 2) & amask;
      add(cpu, g, r1, g[r2]!);
      return null;
    case 0x1b: // SR
      cpu.ia = (ia + 2) & amask;
      sub(cpu, g, r1, g[r2]!);
      return null;
    case 0x1e: // ALR
      g[r1] = addLogical(cpu, g[r1]!, g[r2]!);
      cpu.ia = (ia + 2) & amask;
      return null;
    case 0x1f: // SLR
      g[r1] = subLogical(cpu, g[r1]!, g[r2]!);
      cpu.ia = (ia + 2) & amask;
      return null;
    case 0x14: {
      // NR
      const r = g[r1]! & g[r2]!;
      g[r1] = r;
      cpu.cc = r === 0 ? 0 : 1;
      cpu.ia = (ia + 2) & amask;
      return null;
    }
    case 0x16: {
      // OR
      const r = g[r1]! | g[r2]!;
      g[r1] = r;
      cpu.cc = r === 0 ? 0 : 1;
      cpu.ia = (ia + 2) & amask;
      return null;
    }
    case 0x17: {
      // XR
      const r = g[r1]! ^ g[r2]!;
      g[r1] = r;
      cpu.cc = r === 0 ? 0 : 1;
      cpu.ia = (ia + 2) & amask;
      return null;
    }
    case 0x19: // CR
      cpu.cc = cmp(g[r1]!, g[r2]!);
      cpu.ia = (ia + 2) & amask;
      return null;
    case 0x15: // CLR
      cpu.cc = cmpLogical(g[r1]!, g[r2]!);
      cpu.ia = (ia + 2) & amask;
      return null;
    case 0x1c: // MR
      specificationIfOdd(cpu, r1);
      multiply(g, r1, g[r2]!);
      cpu.ia = (ia + 2) & amask;
      return null;
    case 0x1d: // DR
      specificationIfOdd(cpu, r1);
      divide(cpu, r1, g[r2]!);
      cpu.ia = (ia + 2) & amask;
      return null;
    case 0x07: {
      // BCR
      const next = (ia + 2) & amask;
      if (((r1 << cpu.cc) & 8) !== 0 && r2 !== 0) cpu.ia = g[r2]! & amask;
      else cpu.ia = next;
      return null;
    }
    case 0x06: {
      // BCTR
      const target = g[r2]! & amask;
      const v = (g[r1]! - 1) | 0;
      g[r1] = v;
      cpu.ia = v !== 0 && r2 !== 0 ? target : (ia + 2) & amask;
      return null;
    }
    case 0x05: {
      // BALR
      const next = (ia + 2) & amask;
      const target = g[r2]! & amask;
      g[r1] = linkBal(cpu, next);
      cpu.ia = r2 !== 0 ? target : next;
      return null;
    }
    case 0x0d: {
      // BASR
      const next = (ia + 2) & amask;
      const target = g[r2]! & amask;
      g[r1] = linkBas(cpu, next);
      cpu.ia = r2 !== 0 ? target : next;
      return null;
    }
    case 0x0b: // BSM
    case 0x0c: // BASSM
      branchAndSetMode(cpu, g, b0 === 0x0c, r1, r2, (ia + 2) & amask);
      return null;
    case 0x04: {
      // SPM
      const v = g[r1]!;
      cpu.cc = (v >>> 28) & 3;
      cpu.progmask = (v >>> 24) & 15;
      cpu.ia = (ia + 2) & amask;
      return null;
    }
    case 0x0e: // MVCL
      specificationIfOdd(cpu, r1 | r2);
      moveLong(cpu, r1, r2);
      cpu.ia = (ia + 2) & amask;
      return null;
    case 0x0f: // CLCL
      specificationIfOdd(cpu, r1 | r2);
      compareLogicalLong(cpu, r1, r2);
      cpu.ia = (ia + 2) & amask;
      return null;

    // ------------------------------------------------------------- RX
    case 0x58: {
      // L
      const x = r2 === 0 ? 0 : g[r2]!;
      g[r1] = cpu.read32((bd(g, f[o + 2]!, f[o + 3]!) + x) & amask);
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x50: {
      // ST
      const x = r2 === 0 ? 0 : g[r2]!;
      cpu.write32((bd(g, f[o + 2]!, f[o + 3]!) + x) & amask, g[r1]!);
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x41: {
      // LA
      const x = r2 === 0 ? 0 : g[r2]!;
      g[r1] = (bd(g, f[o + 2]!, f[o + 3]!) + x) & amask;
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x48: {
      // LH
      const x = r2 === 0 ? 0 : g[r2]!;
      g[r1] = (cpu.read16((bd(g, f[o + 2]!, f[o + 3]!) + x) & amask) << 16) >> 16;
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x40: {
      // STH
      const x = r2 === 0 ? 0 : g[r2]!;
      cpu.write16((bd(g, f[o + 2]!, f[o + 3]!) + x) & amask, g[r1]! & 0xffff);
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x43: {
      // IC
      const x = r2 === 0 ? 0 : g[r2]!;
      const v = cpu.read8((bd(g, f[o + 2]!, f[o + 3]!) + x) & amask);
      g[r1] = (g[r1]! & ~0xff) | v;
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x42: {
      // STC
      const x = r2 === 0 ? 0 : g[r2]!;
      cpu.write8((bd(g, f[o + 2]!, f[o + 3]!) + x) & amask, g[r1]! & 0xff);
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x5a: // A
    case 0x5b: // S
    case 0x5e: // AL
    case 0x5f: // SL
    case 0x54: // N
    case 0x56: // O
    case 0x57: // X
    case 0x59: // C
    case 0x55: {
      // CL
      const x = r2 === 0 ? 0 : g[r2]!;
      const v = cpu.read32((bd(g, f[o + 2]!, f[o + 3]!) + x) & amask);
      cpu.ia = (ia + 4) & amask;
      rxArith(cpu, g, b0, r1, v);
      return null;
    }
    case 0x4a: // AH
    case 0x4b: // SH
    case 0x49: {
      // CH
      const x = r2 === 0 ? 0 : g[r2]!;
      const v = (cpu.read16((bd(g, f[o + 2]!, f[o + 3]!) + x) & amask) << 16) >> 16;
      cpu.ia = (ia + 4) & amask;
      if (b0 === 0x4a) add(cpu, g, r1, v);
      else if (b0 === 0x4b) sub(cpu, g, r1, v);
      else cpu.cc = cmp(g[r1]!, v);
      return null;
    }
    case 0x4c: {
      // MH
      const x = r2 === 0 ? 0 : g[r2]!;
      const v = (cpu.read16((bd(g, f[o + 2]!, f[o + 3]!) + x) & amask) << 16) >> 16;
      g[r1] = Math.imul(g[r1]!, v);
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x5c: // M
    case 0x5d: {
      // D
      specificationIfOdd(cpu, r1);
      const x = r2 === 0 ? 0 : g[r2]!;
      const v = cpu.read32((bd(g, f[o + 2]!, f[o + 3]!) + x) & amask);
      if (b0 === 0x5c) multiply(g, r1, v);
      else divide(cpu, r1, v);
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x47: {
      // BC
      if (((r1 << cpu.cc) & 8) !== 0) {
        const x = r2 === 0 ? 0 : g[r2]!;
        cpu.ia = (bd(g, f[o + 2]!, f[o + 3]!) + x) & amask;
      } else cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x46: {
      // BCT
      const x = r2 === 0 ? 0 : g[r2]!;
      const target = (bd(g, f[o + 2]!, f[o + 3]!) + x) & amask;
      const v = (g[r1]! - 1) | 0;
      g[r1] = v;
      cpu.ia = v !== 0 ? target : (ia + 4) & amask;
      return null;
    }
    case 0x45: // BAL
    case 0x4d: {
      // BAS
      const x = r2 === 0 ? 0 : g[r2]!;
      const target = (bd(g, f[o + 2]!, f[o + 3]!) + x) & amask;
      const next = (ia + 4) & amask;
      g[r1] = b0 === 0x45 ? linkBal(cpu, next) : linkBas(cpu, next);
      cpu.ia = target;
      return null;
    }
    case 0x44: {
      // EX
      const x = r2 === 0 ? 0 : g[r2]!;
      return executeExecute(cpu, g, r1, (bd(g, f[o + 2]!, f[o + 3]!) + x) & amask, (ia + 4) & amask);
    }
    case 0x4e: // CVD
    case 0x4f: {
      // CVB
      const x = r2 === 0 ? 0 : g[r2]!;
      const ea = (bd(g, f[o + 2]!, f[o + 3]!) + x) & amask;
      if (b0 === 0x4e) convertToDecimal(cpu, g[r1]!, ea);
      else convertToBinary(cpu, r1, ea);
      cpu.ia = (ia + 4) & amask;
      return null;
    }

    // ------------------------------------------------------------- RS / RSI
    case 0x88: // SRL
    case 0x89: // SLL
    case 0x8a: {
      // SRA
      const n = bd(g, f[o + 2]!, f[o + 3]!) & 63;
      const v = g[r1]!;
      let r: number;
      if (b0 === 0x88) r = n > 31 ? 0 : (v >>> n) | 0;
      else if (b0 === 0x89) r = n > 31 ? 0 : v << n;
      else {
        r = v >> Math.min(n, 31);
        cpu.cc = ccOf(r);
      }
      g[r1] = r;
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x8b: // SLA
      cpu.ia = (ia + 4) & amask;
      shiftLeftSingle(cpu, r1, bd(g, f[o + 2]!, f[o + 3]!) & 63);
      return null;
    case 0x8c: // SRDL
    case 0x8d: // SLDL
    case 0x8e: // SRDA
    case 0x8f: // SLDA
      specificationIfOdd(cpu, r1);
      cpu.ia = (ia + 4) & amask;
      shiftDouble(cpu, b0, r1, bd(g, f[o + 2]!, f[o + 3]!) & 63);
      return null;
    case 0x86: // BXH
    case 0x87: {
      // BXLE
      const target = bd(g, f[o + 2]!, f[o + 3]!) & amask;
      const comparand = g[r2 | 1]!;
      const sum = (g[r1]! + g[r2]!) | 0;
      g[r1] = sum;
      const taken = b0 === 0x86 ? sum > comparand : sum <= comparand;
      cpu.ia = taken ? target : (ia + 4) & amask;
      return null;
    }
    case 0x84: // BRXH
    case 0x85: {
      // BRXLE
      const i2 = (((f[o + 2]! << 8) | f[o + 3]!) << 16) >> 16;
      const base = cpu.execFlag ? cpu.exTarget : ia;
      const comparand = g[r2 | 1]!;
      const sum = (g[r1]! + g[r2]!) | 0;
      g[r1] = sum;
      const taken = b0 === 0x84 ? sum > comparand : sum <= comparand;
      cpu.ia = taken ? (base + 2 * i2) & amask : (ia + 4) & amask;
      return null;
    }
    case 0x90: // STM
    case 0x98: {
      // LM
      const ea = bd(g, f[o + 2]!, f[o + 3]!) & amask;
      const count = ((r2 - r1) & 15) + 1;
      if (b0 === 0x90) {
        cpu.checkRange(ea, count * 4, 2);
        for (let i = 0; i < count; i++) cpu.write32(ea + 4 * i, g[(r1 + i) & 15]!);
      } else {
        cpu.checkRange(ea, count * 4, 1);
        for (let i = 0; i < count; i++) g[(r1 + i) & 15] = cpu.read32(ea + 4 * i);
      }
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0xba: // CS
      compareAndSwap(cpu, r1, r2, bd(g, f[o + 2]!, f[o + 3]!) & amask);
      cpu.ia = (ia + 4) & amask;
      return null;
    case 0xbb: // CDS
      specificationIfOdd(cpu, r1 | r2);
      compareDoubleAndSwap(cpu, r1, r2, bd(g, f[o + 2]!, f[o + 3]!) & amask);
      cpu.ia = (ia + 4) & amask;
      return null;
    case 0xbf: // ICM
    case 0xbe: // STCM
    case 0xbd: // CLM
      characterUnderMask(cpu, g, b0, r1, r2, bd(g, f[o + 2]!, f[o + 3]!) & amask);
      cpu.ia = (ia + 4) & amask;
      return null;

    // ------------------------------------------------------------- SI / S
    case 0x92: // MVI
      cpu.write8(bd(g, f[o + 2]!, f[o + 3]!) & amask, b1);
      cpu.ia = (ia + 4) & amask;
      return null;
    case 0x95: {
      // CLI
      const v = cpu.read8(bd(g, f[o + 2]!, f[o + 3]!) & amask);
      cpu.cc = v === b1 ? 0 : v < b1 ? 1 : 2;
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x91: {
      // TM
      const sel = cpu.read8(bd(g, f[o + 2]!, f[o + 3]!) & amask) & b1;
      cpu.cc = sel === 0 ? 0 : sel === b1 ? 3 : 1;
      cpu.ia = (ia + 4) & amask;
      return null;
    }
    case 0x94: // NI
    case 0x96: // OI
    case 0x97: // XI
    case 0x93: {
      // TS
      const ea = bd(g, f[o + 2]!, f[o + 3]!) & amask;
      const frame = cpu.storage.frameForWrite(cpu.frameW(ea));
      const off = ea & 0xfff;
      const v = frame[off]!;
      let r: number;
      if (b0 === 0x93) {
        r = 0xff;
        cpu.cc = v >>> 7;
      } else {
        r = b0 === 0x94 ? v & b1 : b0 === 0x96 ? v | b1 : v ^ b1;
        cpu.cc = r === 0 ? 0 : 1;
      }
      frame[off] = r;
      cpu.ia = (ia + 4) & amask;
      return null;
    }

    // ------------------------------------------------------------- RI (A7x)
    case 0xa7: {
      const i2 = (((f[o + 2]! << 8) | f[o + 3]!) << 16) >> 16;
      cpu.cycles += CYC_A7[r2]! - 1;
      switch (r2) {
        case 0x4: // BRC
          if (((r1 << cpu.cc) & 8) !== 0) cpu.ia = ((cpu.execFlag ? cpu.exTarget : ia) + 2 * i2) & amask;
          else cpu.ia = (ia + 4) & amask;
          return null;
        case 0x6: {
          // BRCT
          const v = (g[r1]! - 1) | 0;
          g[r1] = v;
          cpu.ia = v !== 0 ? ((cpu.execFlag ? cpu.exTarget : ia) + 2 * i2) & amask : (ia + 4) & amask;
          return null;
        }
        case 0x5: // BRAS
          g[r1] = linkBas(cpu, (ia + 4) & amask);
          cpu.ia = ((cpu.execFlag ? cpu.exTarget : ia) + 2 * i2) & amask;
          return null;
        case 0x8: // LHI
          g[r1] = i2;
          break;
        case 0xa: // AHI
          cpu.ia = (ia + 4) & amask;
          add(cpu, g, r1, i2);
          return null;
        case 0xc: // MHI
          g[r1] = Math.imul(g[r1]!, i2);
          break;
        case 0xe: // CHI
          cpu.cc = cmp(g[r1]!, i2);
          break;
        case 0x0: // TMLH (TMH)
          cpu.cc = ccTestMask(g[r1]! >>> 16, i2 & 0xffff);
          break;
        case 0x1: // TMLL (TML)
          cpu.cc = ccTestMask(g[r1]! & 0xffff, i2 & 0xffff);
          break;
        default:
          return cpu.programCheck(PGM.OPERATION);
      }
      cpu.ia = (ia + 4) & amask;
      return null;
    }

    // ------------------------------------------------------------- SS
    case 0xd2: // MVC
    case 0xd1: // MVN
    case 0xd3: // MVZ
    case 0xd4: // NC
    case 0xd5: // CLC
    case 0xd6: // OC
    case 0xd7: // XC
    case 0xdc: // TR
    case 0xdd: // TRT
    case 0xf2: // PACK
    case 0xf3: // UNPK
      ss(cpu, b0, b1, bd(g, f[o + 2]!, f[o + 3]!) & amask, bd(g, f[o + 4]!, f[o + 5]!) & amask);
      cpu.ia = (ia + 6) & amask;
      return null;

    // ------------------------------------------------------------- B2xx
    case 0xb2: {
      cpu.cycles += CYC_B2[b1]! - 1;
      if (b1 === 0x22) {
        // IPM
        const r = f[o + 3]! >>> 4;
        g[r] = (g[r]! & 0x00ffffff) | (cpu.cc << 28) | (cpu.progmask << 24);
        cpu.ia = (ia + 4) & amask;
        return null;
      }
      const sys = SYS_B2[b1]!;
      if (sys === 0) return cpu.programCheck(PGM.OPERATION);
      return toSystem(cpu, f, o, sys, 0xb200 | b1, ia, 4);
    }

    default: {
      const sys = SYS8[b0]!;
      if (sys === 0) return cpu.programCheck(PGM.OPERATION);
      return toSystem(cpu, f, o, sys, b0, ia, ILEN[b0 >>> 6]!);
    }
  }
}

/** Hand a system instruction to system/execute.ts after the uniform privileged-operation check. */
function toSystem(cpu: Esa390Cpu, f: Uint8Array, o: number, sys: number, key: number, ia: number, len: number): Exit | null {
  if (sys === 2 && (cpu.flags & 1) !== 0) cpu.programCheck(PGM.PRIVILEGED_OPERATION);
  const w0 = (f[o]! << 24) | (f[o + 1]! << 16) | (f[o + 2]! << 8) | f[o + 3]!;
  const w1 = len === 6 ? (f[o + 4]! << 8) | f[o + 5]! : 0;
  cpu.ia = (ia + len) & cpu.amask;
  const x = executeSystem(cpu, key, w0, w1);
  if (x !== null) return x;
  // LPSW, SIGP and friends may have entered a wait or stopped state, or loaded a PSW that enables a pending interruption.
  return cpu.boundary();
}

/** A, S, AL, SL, N, O, X, C, CL with the fetched second operand. */
function rxArith(cpu: Esa390Cpu, g: Int32Array, b0: number, r1: number, v: number): void {
  const a = g[r1]!;
  switch (b0) {
    case 0x5a:
      add(cpu, g, r1, v);
      return;
    case 0x5b:
      sub(cpu, g, r1, v);
      return;
    case 0x5e:
      g[r1] = addLogical(cpu, a, v);
      return;
    case 0x5f:
      g[r1] = subLogical(cpu, a, v);
      return;
    case 0x54: {
      const r = a & v;
      g[r1] = r;
      cpu.cc = r === 0 ? 0 : 1;
      return;
    }
    case 0x56: {
      const r = a | v;
      g[r1] = r;
      cpu.cc = r === 0 ? 0 : 1;
      return;
    }
    case 0x57: {
      const r = a ^ v;
      g[r1] = r;
      cpu.cc = r === 0 ? 0 : 1;
      return;
    }
    case 0x59:
      cpu.cc = cmp(a, v);
      return;
    default:
      cpu.cc = cmpLogical(a, v);
  }
}

/** ICM, STCM, CLM: the bytes of R1 selected by mask M3 against successive bytes of storage. */
function characterUnderMask(cpu: Esa390Cpu, g: Int32Array, b0: number, r1: number, m3: number, ea: number): void {
  const n = ((m3 >>> 3) & 1) + ((m3 >>> 2) & 1) + ((m3 >>> 1) & 1) + (m3 & 1);
  const reg = g[r1]!;
  if (b0 === 0xbe) {
    // STCM
    cpu.checkRange(ea, n, 2);
    let a = ea;
    for (let i = 0; i < 4; i++) {
      if ((m3 & (8 >>> i)) !== 0) {
        cpu.write8(a, reg >>> (24 - 8 * i));
        a++;
      }
    }
    return;
  }
  cpu.checkRange(ea, n, 1);
  let a = ea;
  if (b0 === 0xbf) {
    // ICM
    let r = reg;
    let inserted = 0;
    let first = -1;
    for (let i = 0; i < 4; i++) {
      if ((m3 & (8 >>> i)) !== 0) {
        const v = cpu.read8(a);
        a++;
        if (first < 0) first = v;
        inserted |= v;
        const sh = 24 - 8 * i;
        r = (r & ~(0xff << sh)) | (v << sh);
      }
    }
    g[r1] = r;
    cpu.cc = inserted === 0 ? 0 : (first & 0x80) !== 0 ? 1 : 2;
    return;
  }
  // CLM
  let cc = 0;
  for (let i = 0; i < 4 && cc === 0; i++) {
    if ((m3 & (8 >>> i)) !== 0) {
      const v = cpu.read8(a);
      a++;
      const rb = (reg >>> (24 - 8 * i)) & 0xff;
      if (rb !== v) cc = rb < v ? 1 : 2;
    }
  }
  cpu.cc = cc;
}

/**
 * EXECUTE (POP "EXECUTE"): fetch the target, OR bits 24-31 of R1 into its
 * second byte (R1 ≠ 0), and execute it as if it were at EXECUTE's place;
 * the ILC stays EXECUTE's, and a target that is itself EXECUTE raises the
 * execute exception.
 */
function executeExecute(cpu: Esa390Cpu, g: Int32Array, r1: number, target: number, next: number): Exit | null {
  if (cpu.execFlag) cpu.programCheck(PGM.EXECUTE);
  cpu.fetchExecuteTarget(target);
  const buf = cpu.exbuf;
  const tb0 = buf[0]!;
  if (tb0 === 0x44) cpu.programCheck(PGM.EXECUTE);
  if (r1 !== 0) buf[1] = buf[1]! | (g[r1]! & 0xff);
  const tlen = ILEN[tb0 >>> 6]!;
  cpu.cycles += CYC[tb0]!;
  cpu.execFlag = true;
  cpu.exTarget = target;
  const x = execute(cpu, g, buf, 0, tb0, (next - tlen) & cpu.amask);
  cpu.execFlag = false;
  return x;
}

const HELPERS: BlockHelpers = { execute, overflow, ss, same: sourceUnchanged };
