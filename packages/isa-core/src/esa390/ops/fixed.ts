/**
 * Out-of-line fixed-point helpers: 32×32→64 multiply, 64÷32 divide, the
 * arithmetic shifts with overflow detection, 64-bit register-pair shifts and
 * BRANCH AND SET MODE (POP SA22-7201 chapter 7). All int32 arithmetic on
 * register pairs; no BigInt.
 */
import type { Esa390Cpu } from '../cpu';
import { PGM } from './constants';

/** High word of the signed 64-bit product of two int32 values. */
export function mulHigh(a: number, b: number): number {
  const au = a >>> 0;
  const bu = b >>> 0;
  const a0 = au & 0xffff;
  const a1 = au >>> 16;
  const b0 = bu & 0xffff;
  const b1 = bu >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const hiU = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 65536);
  return (hiU - (a < 0 ? bu : 0) - (b < 0 ? au : 0)) | 0;
}

/** MULTIPLY (M, MR): R1+1 × operand → R1 ‖ R1+1 (R1 even, checked by the caller). */
export function multiply(g: Int32Array, r1: number, v: number): void {
  const a = g[r1 + 1]!;
  g[r1] = mulHigh(a, v);
  g[r1 + 1] = Math.imul(a, v);
}

/**
 * DIVIDE (D, DR): the 64-bit dividend R1 ‖ R1+1 by a 32-bit divisor;
 * remainder → R1 (sign of the dividend), quotient → R1+1. A zero divisor or a
 * quotient outside 32 bits is a fixed-point-divide exception with the
 * registers unchanged.
 */
export function divide(cpu: Esa390Cpu, r1: number, divisor: number): void {
  const g = cpu.gpr;
  if (divisor === 0) cpu.programCheck(PGM.FIXED_POINT_DIVIDE);
  const hi = g[r1]!;
  const lo = g[r1 + 1]!;
  const neg = hi < 0;
  let mh = hi >>> 0;
  let ml = lo >>> 0;
  if (neg) {
    ml = (~ml + 1) >>> 0;
    mh = (~mh + (ml === 0 ? 1 : 0)) >>> 0;
  }
  const dneg = divisor < 0;
  const dm = dneg ? -divisor : divisor;
  if (mh >= dm) cpu.programCheck(PGM.FIXED_POINT_DIVIDE);
  // Long division in 16-bit steps; every intermediate stays below 2^48, exact in a double.
  let rem = mh;
  let cur = rem * 65536 + (ml >>> 16);
  const qh = Math.floor(cur / dm);
  rem = cur - qh * dm;
  cur = rem * 65536 + (ml & 0xffff);
  const ql = Math.floor(cur / dm);
  rem = cur - ql * dm;
  const q = qh * 65536 + ql;
  const qneg = neg !== dneg;
  if (q > (qneg ? 0x80000000 : 0x7fffffff)) cpu.programCheck(PGM.FIXED_POINT_DIVIDE);
  g[r1] = neg ? -rem | 0 : rem | 0;
  g[r1 + 1] = qneg ? -q | 0 : q | 0;
}

/**
 * SHIFT LEFT SINGLE (SLA): the 31 numeric bits shift left, the sign stays;
 * overflow when a bit unlike the sign leaves bit position 1.
 */
export function shiftLeftSingle(cpu: Esa390Cpu, r1: number, n: number): void {
  const g = cpu.gpr;
  const v = g[r1]!;
  const sign = v < 0 ? 1 : 0;
  let num = v & 0x7fffffff;
  let ovf = false;
  for (let i = 0; i < n; i++) {
    if (((num >>> 30) & 1) !== sign) ovf = true;
    num = (num << 1) & 0x7fffffff;
  }
  const r = (sign << 31) | num;
  g[r1] = r;
  if (ovf) {
    cpu.cc = 3;
    if ((cpu.progmask & 8) !== 0) cpu.programCheck(PGM.FIXED_POINT_OVERFLOW);
  } else cpu.cc = r === 0 ? 0 : r < 0 ? 1 : 2;
}

/** SRDL, SLDL, SRDA, SLDA on the even-odd pair R1 ‖ R1+1 (R1 even, checked by the caller). */
export function shiftDouble(cpu: Esa390Cpu, op: number, r1: number, n: number): void {
  const g = cpu.gpr;
  let hi = g[r1]!;
  let lo = g[r1 + 1]!;
  switch (op) {
    case 0x8c: // SRDL
      if (n >= 32) {
        lo = n === 32 ? hi : hi >>> (n - 32);
        hi = 0;
      } else if (n > 0) {
        lo = (lo >>> n) | (hi << (32 - n));
        hi = hi >>> n;
      }
      break;
    case 0x8d: // SLDL
      if (n >= 32) {
        hi = n === 32 ? lo : lo << (n - 32);
        lo = 0;
      } else if (n > 0) {
        hi = (hi << n) | (lo >>> (32 - n));
        lo = lo << n;
      }
      break;
    case 0x8e: // SRDA
      if (n >= 32) {
        lo = hi >> Math.min(n - 32, 31);
        hi = hi >> 31;
      } else if (n > 0) {
        lo = (lo >>> n) | (hi << (32 - n));
        hi = hi >> n;
      }
      break;
    default: {
      // SLDA: 63 numeric bits shift left, the sign stays.
      const sign = hi < 0 ? 1 : 0;
      let h = hi & 0x7fffffff;
      let l = lo;
      let ovf = false;
      for (let i = 0; i < n; i++) {
        if (((h >>> 30) & 1) !== sign) ovf = true;
        h = ((h << 1) | (l >>> 31)) & 0x7fffffff;
        l = l << 1;
      }
      g[r1] = (sign << 31) | h;
      g[r1 + 1] = l | 0;
      if (ovf) {
        cpu.cc = 3;
        if ((cpu.progmask & 8) !== 0) cpu.programCheck(PGM.FIXED_POINT_OVERFLOW);
      } else cpu.cc = sign !== 0 ? 1 : h === 0 && l === 0 ? 0 : 2;
      return;
    }
  }
  g[r1] = hi | 0;
  g[r1 + 1] = lo | 0;
  if (op === 0x8e) cpu.cc = hi === 0 && lo === 0 ? 0 : hi < 0 ? 1 : 2;
}

/**
 * BRANCH AND SET MODE (BSM) and BRANCH AND SAVE AND SET MODE (BASSM): bit 0
 * of R2 selects the new addressing mode and the rest is the branch address;
 * BSM saves the old mode in bit 0 of R1, BASSM the full link address.
 * R2 = 0 means no branch and no mode change.
 */
export function branchAndSetMode(
  cpu: Esa390Cpu,
  g: Int32Array,
  bassm: boolean,
  r1: number,
  r2: number,
  next: number,
): void {
  const v2 = g[r2]!;
  const was31 = cpu.amask === 0x7fffffff;
  if (bassm) g[r1] = was31 ? (next | 0x80000000) | 0 : next;
  else if (r1 !== 0) g[r1] = (g[r1]! & 0x7fffffff) | (was31 ? 0x80000000 : 0);
  if (r2 === 0) {
    cpu.ia = next;
    return;
  }
  const to31 = v2 < 0;
  cpu.amode31 = to31;
  cpu.ia = v2 & (to31 ? 0x7fffffff : 0x00ffffff);
}
