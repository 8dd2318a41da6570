import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { machine, ORIGIN, RI, RR, RX, type TestMachine } from './cpu-helpers';

/**
 * Compiled blocks are shared between storages that hold the same
 * instruction bytes at the same address (ops/compile.ts): the second machine
 * reuses the first one's generated function, and a machine whose bytes
 * differ — by one byte of an immediate, or in its addressing mode — gets code
 * of its own. Each machine's results are those of its own program run by the
 * interpreter.
 */

/** loop: AHI 3,imm ; AR 4,3 ; BCT 2,loop — then END, at ORIGIN. */
function program(imm: number): number[][] {
  return [RI(0xa7a, 3, imm), RR(0x1a, 4, 3), RX(0x46, 2, ORIGIN, 0, 0)];
}

function run(imm: number, compile: boolean, amode31 = true): TestMachine {
  const m = machine();
  m.cpu.blockCompilation = compile;
  m.load(program(imm), { amode31 });
  m.cpu.gpr[2] = 100;
  m.run(100_000);
  return m;
}

describe('compiled blocks shared across storages', () => {
  it('reuse a block for the same bytes at the same address, and never for different bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -0x8000, max: 0x7fff }), { minLength: 2, maxLength: 6 }),
        fc.boolean(),
        (imms, amode31) => {
          for (const imm of [...imms, ...imms]) {
            const compiled = run(imm, true, amode31);
            const interpreted = run(imm, false, amode31);
            expect([...compiled.cpu.gpr]).toEqual([...interpreted.cpu.gpr]);
            expect(compiled.cpu.cycles).toBe(interpreted.cpu.cycles);
            expect(compiled.cpu.codeCache?.compiled).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('counts a reused block: the second machine with the same program compiles nothing new', () => {
    const imm = 0x1234;
    run(imm, true);
    const second = run(imm, true);
    const cache = second.cpu.codeCache!;
    expect(cache.compiled).toBeGreaterThan(0);
    expect(cache.reused).toBe(cache.compiled);
    // One byte different: its own block, and its own result.
    const other = run(imm + 1, true);
    const expected = run(imm + 1, false);
    expect([...other.cpu.gpr]).toEqual([...expected.cpu.gpr]);
  });
});
