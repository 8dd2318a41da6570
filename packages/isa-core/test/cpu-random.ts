/**
 * Random general instructions for differential tests (compiled blocks vs
 * the interpreter, isa-core vs Hercules 3.13). Storage operands are in a
 * data area addressed by R10; the generators never write R2 (loop counter)
 * or R10, and pick even-odd pairs where the instruction needs them.
 */
import fc from 'fast-check';
import { RI, RR, RS, RSI, RX, SI, SS, SS2 } from './cpu-helpers';

export const DATA = 0x2000;
/** Registers the random body may write: R2 is the loop counter, R10 the data base. */
const REGS = [0, 1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15];
const reg = fc.constantFrom(...REGS);
const pair = fc.constantFrom(4, 6, 8, 12, 14);
const disp = fc.integer({ min: 0, max: 0x3f }).map((d) => d * 4);
const anyDisp = fc.integer({ min: 0, max: 0xff });
const imm = fc.integer({ min: 0, max: 0xffff });

const rr = fc
  .tuple(fc.constantFrom(0x18, 0x12, 0x13, 0x10, 0x11, 0x1a, 0x1b, 0x1e, 0x1f, 0x14, 0x16, 0x17, 0x19, 0x15), reg, reg)
  .map(([op, a, b]) => [RR(op, a, b)]);
const ri = fc
  .tuple(fc.constantFrom(0xa78, 0xa7a, 0xa7e, 0xa7c, 0xa71, 0xa70), reg, imm)
  .map(([op, a, i]) => [RI(op, a, i)]);
const rxWord = fc
  .tuple(fc.constantFrom(0x58, 0x50, 0x5a, 0x5b, 0x5e, 0x5f, 0x54, 0x56, 0x57, 0x59, 0x55), reg, disp)
  .map(([op, a, d]) => [RX(op, a, d, 0, 10)]);
const rxOther = fc
  .tuple(fc.constantFrom(0x48, 0x40, 0x4a, 0x4b, 0x49, 0x4c, 0x43, 0x42, 0x41), reg, anyDisp)
  .map(([op, a, d]) => [RX(op, a, d, 0, 10)]);
const shift = fc
  .tuple(fc.constantFrom(0x88, 0x89, 0x8a, 0x8b), reg, fc.integer({ min: 0, max: 63 }))
  .map(([op, a, n]) => [RS(op, a, 0, n)]);
const shiftDouble = fc
  .tuple(fc.constantFrom(0x8c, 0x8d, 0x8e, 0x8f), pair, fc.integer({ min: 0, max: 63 }))
  .map(([op, a, n]) => [RS(op, a, 0, n)]);
const muldiv = fc.tuple(fc.constantFrom(0x1c, 0x1d), pair, reg).map(([op, a, b]) => [RR(op, a, b)]);
const si = fc
  .tuple(fc.constantFrom(0x92, 0x95, 0x91, 0x94, 0x96, 0x97), anyDisp, fc.integer({ min: 0, max: 255 }))
  .map(([op, d, i]) => [SI(op, d, i, 10)]);
const ssOp = fc
  .tuple(fc.constantFrom(0xd2, 0xd5, 0xd4, 0xd6, 0xd7), fc.integer({ min: 0, max: 15 }), anyDisp, anyDisp)
  .map(([op, l, d1, d2]) => [SS(op, l, d1, 10, d2, 10)]);
const multiple = fc
  .tuple(fc.constantFrom(0x90, 0x98), fc.constantFrom(3, 11), disp)
  .map(([op, a, d]) => [RS(op, a, a + 1, d, 10)]);
const cvd = disp.map((d) => [RX(0x4e, 1, d, 0, 10)]);
/** BRC mask,*+8 over an LHI: a conditional forward branch inside the block. */
const skip = fc
  .tuple(fc.integer({ min: 0, max: 15 }), reg, imm)
  .map(([m, a, i]) => [RI(0xa74, m, 4), RI(0xa78, a, i)]);
const spm = reg.map((a) => [RR(0x04, a, 0)]);
/** BALR/BASR with R2 = 0: link information without a branch. */
const link = fc.tuple(fc.constantFrom(0x05, 0x0d), reg).map(([op, a]) => [RR(op, a, 0)]);
const underMask = fc
  .tuple(fc.constantFrom(0xbf, 0xbe, 0xbd), reg, fc.integer({ min: 0, max: 15 }), anyDisp)
  .map(([op, a, mask, d]) => [RS(op, a, mask, d, 10)]);
const translate = fc
  .tuple(fc.constantFrom(0xdc, 0xdd), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 0x20 }))
  .map(([op, l, d]) => [SS(op, l, 0xd0 + d, 10, 0, 10)]);
const packs = fc
  .tuple(fc.constantFrom(0xf2, 0xf3), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), anyDisp, anyDisp)
  .map(([op, l1, l2, d1, d2]) => [SS2(op, l1, l2, d1, 10, d2, 10)]);
const swap = fc
  .tuple(fc.constantFrom(0xba, 0xbb), pair, pair, fc.integer({ min: 0, max: 0x1f }))
  .map(([op, a, b, d]) => [RS(op, a, b, d * 8, 10)]);
const testAndSet = anyDisp.map((d) => [[0x93, 0x00, 0xa0 | (d >>> 8), d & 0xff]]);
/** BRXH/BRXLE over an LHI. */
const indexSkip = fc
  .tuple(fc.constantFrom(0x84, 0x85), reg, fc.constantFrom(...[0, 1, 3, 4, 5, 6, 7, 8, 9, 11]), reg, imm)
  .map(([op, a, b, c, i]) => [RSI(op, a, b, 4), RI(0xa78, c, i)]);

/** One instruction (or a BRC-over-LHI pair), as encoded byte groups. */
export const instruction = fc.oneof(
  { arbitrary: rr, weight: 6 },
  { arbitrary: ri, weight: 3 },
  { arbitrary: rxWord, weight: 4 },
  { arbitrary: rxOther, weight: 3 },
  { arbitrary: shift, weight: 2 },
  { arbitrary: shiftDouble, weight: 1 },
  { arbitrary: muldiv, weight: 1 },
  { arbitrary: si, weight: 2 },
  { arbitrary: ssOp, weight: 2 },
  { arbitrary: multiple, weight: 1 },
  { arbitrary: cvd, weight: 1 },
  { arbitrary: skip, weight: 2 },
  { arbitrary: spm, weight: 1 },
  { arbitrary: link, weight: 1 },
  { arbitrary: underMask, weight: 2 },
  { arbitrary: translate, weight: 1 },
  { arbitrary: packs, weight: 1 },
  { arbitrary: swap, weight: 1 },
  { arbitrary: testAndSet, weight: 1 },
  { arbitrary: indexSkip, weight: 1 },
);


/**
 * Instructions that mostly end in a program interruption: word and byte
 * accesses and MVC through a random base register (addressing exceptions
 * beyond storage), CVB of random data (data exception), DR by a random
 * divisor. For comparisons with Hercules, where the exception, its ILC and
 * the old PSW must agree too.
 */
export const exceptional = fc.oneof(
  fc
    .tuple(fc.constantFrom(0x58, 0x50, 0x43, 0x42, 0x48, 0x40), reg, anyDisp, fc.constantFrom(1, 3, 5, 7, 9, 11, 13, 15))
    .map(([op, a, d, b]) => [RX(op, a, d, 0, b)]),
  fc.tuple(anyDisp, fc.constantFrom(1, 3, 5, 7)).map(([d, b]) => [SS(0xd2, 7, d, b, 0, 10)]),
  fc.tuple(reg, anyDisp).map(([a, d]) => [RX(0x4f, a, d, 0, 10)]),
  fc.tuple(pair, reg).map(([a, b]) => [RR(0x1d, a, b)]),
);
