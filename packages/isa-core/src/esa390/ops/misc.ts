/**
 * Interlocked update (COMPARE AND SWAP, COMPARE DOUBLE AND SWAP) and decimal
 * conversion (CONVERT TO BINARY, CONVERT TO DECIMAL), POP SA22-7201
 * chapter 7. CPUs of one machine are interleaved at instruction boundaries,
 * so a CS executed as one step is atomic with respect to the others.
 */
import type { Esa390Cpu } from '../cpu';
import { PGM } from './constants';

/** CS: word operand on a word boundary; equal → store R3, cc 0; unequal → load into R1, cc 1. */
export function compareAndSwap(cpu: Esa390Cpu, r1: number, r3: number, ea: number): void {
  if ((ea & 3) !== 0) cpu.programCheck(PGM.SPECIFICATION);
  const g = cpu.gpr;
  // The operand is accessed as a store whether or not it is stored into.
  const frame = cpu.frameW(ea);
  const f = cpu.storage.frameForRead(frame);
  const o = ea & 0xfff;
  const v = (f[o]! << 24) | (f[o + 1]! << 16) | (f[o + 2]! << 8) | f[o + 3]!;
  if (v === g[r1]) {
    cpu.write32(ea, g[r3]!);
    cpu.cc = 0;
  } else {
    g[r1] = v;
    cpu.cc = 1;
  }
}

/** CDS: doubleword operand on a doubleword boundary against R1 ‖ R1+1; equal → store R3 ‖ R3+1. */
export function compareDoubleAndSwap(cpu: Esa390Cpu, r1: number, r3: number, ea: number): void {
  if ((ea & 7) !== 0) cpu.programCheck(PGM.SPECIFICATION);
  const g = cpu.gpr;
  cpu.frameW(ea);
  const hi = cpu.read32(ea);
  const lo = cpu.read32(ea + 4);
  if (hi === g[r1] && lo === g[r1 + 1]) {
    cpu.write32(ea, g[r3]!);
    cpu.write32(ea + 4, g[r3 + 1]!);
    cpu.cc = 0;
  } else {
    g[r1] = hi;
    g[r1 + 1] = lo;
    cpu.cc = 1;
  }
}

const DEC = new Uint8Array(8);

/** CVD: R1 as a 15-digit signed packed-decimal doubleword (sign C positive, D negative). */
export function convertToDecimal(cpu: Esa390Cpu, value: number, ea: number): void {
  let m = value < 0 ? -value : value;
  DEC[7] = ((m % 10) << 4) | (value < 0 ? 0xd : 0xc);
  m = Math.floor(m / 10);
  for (let i = 6; i >= 0; i--) {
    const lo = m % 10;
    m = Math.floor(m / 10);
    const hi = m % 10;
    m = Math.floor(m / 10);
    DEC[i] = (hi << 4) | lo;
  }
  cpu.writeBytes(ea, DEC);
}

/**
 * CVB: a packed-decimal doubleword to binary. Invalid digit or sign: data
 * exception. A value outside 32 bits: the low 32 bits are stored and a
 * fixed-point-divide exception is recognised (as Hercules 3.13 does).
 */
export function convertToBinary(cpu: Esa390Cpu, r1: number, ea: number): void {
  cpu.readBytes(ea, DEC, 0, 8);
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const b = DEC[i]!;
    const hi = b >>> 4;
    const lo = b & 15;
    if (hi > 9) cpu.programCheck(PGM.DATA);
    v = v * 10 + hi;
    if (i < 7) {
      if (lo > 9) cpu.programCheck(PGM.DATA);
      v = v * 10 + lo;
    } else if (lo < 10) cpu.programCheck(PGM.DATA);
  }
  const sign = DEC[7]! & 15;
  const r = sign === 0xb || sign === 0xd ? -v : v;
  cpu.gpr[r1] = r | 0;
  if (r > 0x7fffffff || r < -0x80000000) cpu.programCheck(PGM.FIXED_POINT_DIVIDE);
}
