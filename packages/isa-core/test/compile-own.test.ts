import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { machine, ORIGIN, RI, RR, RX, type TestMachine } from './cpu-helpers';

/**
 * A block running on a generated function shared with other storages is given
 * a function of its own once it has run long (ops/compile.ts, `ownFunction`),
 * so V8 can specialise it to its own page. The switch happens in the middle
 * of a run, between passes of the block; the results stay those of the
 * interpreter, for each machine on its own storage.
 */

/** Iterations: the loop's block runs 5 × this many instructions, past the 2^24 after which it gets its own function. */
const ITERATIONS = 3_400_000;

/**
 * loop: AHI 3,imm ; AR 4,3 ; MR 6,3 (not inline: the interpreter executes it from the block's
 * frame) ; ST 4,X'800' (into the code's own page) ; BCT 2,loop — then END.
 */
function program(imm: number): number[][] {
  return [RI(0xa7a, 3, imm), RR(0x1a, 4, 3), RR(0x1c, 6, 3), RX(0x50, 4, 0x800), RX(0x46, 2, ORIGIN, 0, 0)];
}

function start(imm: number, r3: number, compile: boolean): TestMachine {
  const m = machine();
  m.cpu.blockCompilation = compile;
  m.load(program(imm));
  m.cpu.gpr[2] = ITERATIONS;
  m.cpu.gpr[3] = r3;
  m.cpu.gpr[7] = 3;
  return m;
}

/** Run the machines in turns of `slice` instructions until each has stopped. */
function interleave(ms: readonly TestMachine[], slice: number): void {
  const running = ms.map(() => true);
  while (running.some((r) => r)) {
    ms.forEach((m, i) => {
      if (running[i] && m.run(slice).reason !== 'budget') running[i] = false;
    });
  }
}

const state = (m: TestMachine) => ({
  gpr: [...m.cpu.gpr],
  word: m.peek32(0x800),
  instructions: m.cpu.instructions,
  cycles: m.cpu.cycles,
  psw: m.cpu.getPsw(),
});

describe('a long-running block of shared code gets a function of its own', () => {
  it('two storages running the same code each switch, and keep the interpreter results', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -0x8000, max: 0x7fff }).filter((i) => i !== 0x4321),
        fc.tuple(fc.integer(), fc.integer()),
        fc.integer({ min: 100_000, max: 4_000_000 }),
        (imm, [ra, rb], slice) => {
          const a = start(imm, ra, true);
          const b = start(imm, rb, true);
          interleave([a, b], slice);
          expect(b.cpu.codeCache!.reused).toBeGreaterThan(0);
          expect(a.cpu.codeCache!.owned).toBeGreaterThan(0);
          expect(b.cpu.codeCache!.owned).toBeGreaterThan(0);
          for (const [m, r3] of [
            [a, ra],
            [b, rb],
          ] as const) {
            const interpreted = start(imm, r3, false);
            interleave([interpreted], slice);
            expect(state(m)).toEqual(state(interpreted));
          }
        },
      ),
      { numRuns: 3 },
    );
  });

  it('a block whose generated function no other storage shares keeps it', () => {
    // An immediate no other test here uses: this program's code is made once, for this machine.
    const m = start(0x4321, 7, true);
    interleave([m], 1_000_000);
    const interpreted = start(0x4321, 7, false);
    interleave([interpreted], 1_000_000);
    expect(m.cpu.codeCache!.compiled).toBeGreaterThan(0);
    expect(m.cpu.codeCache!.reused).toBe(0);
    expect(m.cpu.codeCache!.owned).toBe(0);
    expect(state(m)).toEqual(state(interpreted));
  });
});
