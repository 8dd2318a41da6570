import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { machine, ORIGIN, RI, RR, RX, SI, type TestMachine } from './cpu-helpers';
import { DATA, instruction } from './cpu-random';

/**
 * Compiled basic blocks must be indistinguishable from the interpreter:
 * random loop bodies run 40 times (well past the compile threshold) on two
 * machines, one with block compilation off, and every architected result —
 * registers, condition code, storage, program-interruption code, ILC and old
 * PSW — plus the instruction and cycle counts must agree.
 */

function runProgram(
  body: number[][],
  regs: number[],
  data: Uint8Array,
  compile: boolean,
  amode31: boolean,
  key: number,
): TestMachine {
  const m = machine();
  m.cpu.blockCompilation = compile;
  m.poke(DATA, data);
  // With a non-zero PSW key the storage keys match it, so accesses go through the protection checks but succeed.
  for (let frame = 0; frame < 4; frame++) m.storage.setKey((frame << 12) as never, key << 4);
  // loop: <body> ; BCT 2,loop — then END
  const code = [...body, RX(0x46, 2, ORIGIN, 0, 0)];
  m.load(code, { psw: [(0x00080000 | (key << 20)) >>> 0, ((amode31 ? 0x80000000 : 0) | ORIGIN) >>> 0] });
  m.cpu.gpr.set(regs);
  m.cpu.gpr[2] = 40;
  m.cpu.gpr[10] = DATA;
  m.run(200_000);
  return m;
}

describe('compiled blocks agree with the interpreter', () => {
  it('on random loop bodies (registers, cc, storage, interruptions, counts)', () => {
    fc.assert(
      fc.property(
        fc.array(instruction, { minLength: 1, maxLength: 16 }),
        fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 0x200, maxLength: 0x200 }),
        fc.boolean(),
        fc.constantFrom(0, 0, 3),
        (parts, regs, data, amode31, key) => {
          const body = parts.flat();
          const a = runProgram(body, regs, data, false, amode31, key);
          const b = runProgram(body, regs, data, true, amode31, key);
          expect([...b.cpu.gpr]).toEqual([...a.cpu.gpr]);
          expect(b.lastProgramInterruption()).toEqual(a.lastProgramInterruption());
          expect(b.peek(DATA, 0x200)).toEqual(a.peek(DATA, 0x200));
          expect(b.cpu.instructions).toBe(a.cpu.instructions);
          expect(b.cpu.cycles).toBe(a.cpu.cycles);
          // Reference and change bits too: compiled code sets them as the accessors do.
          expect([...b.storage.keys.subarray(0, 8)]).toEqual([...a.storage.keys.subarray(0, 8)]);
          // A loop that made 20 passes went past the compile threshold: the comparison covered compiled code.
          if (a.cpu.instructions >= 20 * (parts.length + 1) + 40) expect(b.cpu.codeCache?.compiled).toBeGreaterThan(0);
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

  it('stores into data next to the code of a block do not invalidate it', () => {
    const m = machine();
    // loop: L 3,counter ; AHI 3,1 ; ST 3,counter ; BCT 2,loop ; END ; counter (same page as the code)
    const counter = ORIGIN + 0x40;
    m.load([RX(0x58, 3, counter), RI(0xa7a, 3, 1), RX(0x50, 3, counter), RX(0x46, 2, ORIGIN)]);
    m.cpu.gpr[2] = 1000;
    m.run(100_000);
    expect(m.lastProgramInterruption().code).toBe(1);
    expect(m.peek32(counter)).toBe(1000);
    expect(m.cpu.codeCache?.compiled).toBeLessThanOrEqual(2);
    expect(m.cpu.codeCache?.invalidations).toBe(0);
  });

  it('reach a timer deadline at the same instruction boundary as the interpreter', () => {
    fc.assert(
      fc.property(
        fc.array(instruction, { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { minLength: 16, maxLength: 16 }),
        fc.integer({ min: 1, max: 4000 }),
        (parts, regs, deadline) => {
          const stopAt = (compile: boolean) => {
            const m = machine();
            m.cpu.blockCompilation = compile;
            m.load([...parts.flat(), RX(0x46, 2, ORIGIN, 0, 0)]);
            m.cpu.gpr.set(regs);
            m.cpu.gpr[2] = 200;
            m.cpu.gpr[10] = DATA;
            m.cpu.timerDeadline = deadline;
            // Stand-in for the timer: the first boundary at or past the deadline stops the CPU there.
            const boundary = m.cpu.boundary.bind(m.cpu);
            m.cpu.boundary = () => (m.cpu.cycles >= m.cpu.timerDeadline ? { reason: 'stopped' } : boundary());
            const exit = m.run(100_000);
            return { exit: exit.reason, instructions: m.cpu.instructions, cycles: m.cpu.cycles, ia: m.cpu.ia, g: [...m.cpu.gpr] };
          };
          expect(stopAt(true)).toEqual(stopAt(false));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('subroutine calls by BAL/BALR/BAS/BASR and returns by BR agree with the interpreter in both addressing modes', () => {
    for (const amode31 of [false, true]) {
      for (const call of [0x45, 0x4d, 0x05, 0x0d]) {
        const run = (compile: boolean) => {
          const m = machine();
          m.cpu.blockCompilation = compile;
          // loop: call sub ; BCT 2,loop ; END ; sub: AHI 3,1 ; SPM 3 ; BR 14
          const sub = ORIGIN + 10;
          const first = call === 0x45 || call === 0x4d ? RX(call, 14, sub) : RR(call, 14, 15);
          const pad = first.length === 2 ? [RR(0x18, 0, 0)] : [];
          m.load([first, ...pad, RX(0x46, 2, ORIGIN), [0, 0], RI(0xa7a, 3, 1), RR(0x04, 3, 0), RR(0x07, 15, 14)], {
            amode31,
          });
          m.cpu.gpr[2] = 40;
          m.cpu.gpr[15] = sub;
          m.cpu.gpr[3] = 0x1b000000;
          m.run(10_000);
          return { g: [...m.cpu.gpr], pi: m.lastProgramInterruption(), n: m.cpu.instructions };
        };
        expect(run(true)).toEqual(run(false));
      }
    }
  });
});
