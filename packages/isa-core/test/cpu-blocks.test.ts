import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { machine, ORIGIN, RI, RR, RS, RX, SI, SS, type TestMachine } from './cpu-helpers';

/**
 * Compiled basic blocks must be indistinguishable from the interpreter:
 * random loop bodies run 40 times (well past the compile threshold) on two
 * machines, one with block compilation off, and every architected result —
 * registers, condition code, storage, program-interruption code, ILC and old
 * PSW — plus the instruction and cycle counts must agree.
 */

const DATA = 0x2000;
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
  .tuple(fc.constantFrom(0x48, 0x40, 0x4a, 0x4b, 0x49, 0x4c, 0x43, 0x42, 0x41), reg, anyDisp, fc.constantFrom(0, 3, 5))
  .map(([op, a, d, x]) => [RX(op, a, d, x === 0 ? 0 : 0, 10)]);
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

const instruction = fc.oneof(
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
);

function runProgram(body: number[][], regs: number[], data: Uint8Array, compile: boolean): TestMachine {
  const m = machine();
  m.cpu.blockCompilation = compile;
  m.poke(DATA, data);
  // loop: <body> ; BCT 2,loop — then END
  const code = [...body, RX(0x46, 2, ORIGIN, 0, 0)];
  m.load(code);
  m.cpu.gpr.set(regs);
  m.cpu.gpr[2] = 40;
  m.cpu.gpr[10] = DATA;
  m.run(1_000_000);
  return m;
}

describe('compiled blocks agree with the interpreter', () => {
  it('on random loop bodies (registers, cc, storage, interruptions, counts)', () => {
    fc.assert(
      fc.property(
        fc.array(instruction, { minLength: 1, maxLength: 16 }),
        fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 0x200, maxLength: 0x200 }),
        (parts, regs, data) => {
          const body = parts.flat();
          const a = runProgram(body, regs, data, false);
          const b = runProgram(body, regs, data, true);
          expect([...b.cpu.gpr]).toEqual([...a.cpu.gpr]);
          expect(b.lastProgramInterruption()).toEqual(a.lastProgramInterruption());
          expect(b.peek(DATA, 0x200)).toEqual(a.peek(DATA, 0x200));
          expect(b.cpu.instructions).toBe(a.cpu.instructions);
          expect(b.cpu.cycles).toBe(a.cpu.cycles);
          // A loop that ran all its passes went past the compile threshold: the comparison covered compiled code.
          if (a.cpu.gpr[2] === 0) expect(b.cpu.codeCache?.compiled).toBeGreaterThan(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a store into the running block takes effect on the next pass (self-modifying code)', () => {
    for (const compile of [false, true]) {
      const m = machine();
      m.cpu.blockCompilation = compile;
      // loop: CHI 2,20 ; BRC 7,*+8 ; MVI lhi+3,100 ; lhi: LHI 5,1 ; AR 6,5 ; BCT 2,loop
      // When R2 reaches 20 the MVI rewrites the LHI's immediate from 1 to 100.
      const lhi = ORIGIN + 12;
      const code = [RI(0xa7e, 2, 20), RI(0xa74, 7, 4), SI(0x92, lhi + 3, 100), RI(0xa78, 5, 1), RR(0x1a, 6, 5), RX(0x46, 2, ORIGIN)];
      m.load(code);
      m.cpu.gpr[2] = 40;
      m.run(100_000);
      expect(m.lastProgramInterruption().code).toBe(1);
      // Passes with R2 = 40..21 add 1; the pass that patches (R2 = 20) and the 19 after it add 100.
      expect(m.cpu.gpr[6]).toBe(20 * 1 + 20 * 100);
    }
  });
});
