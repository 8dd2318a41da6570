import fc from 'fast-check';
import type { Exit } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { machine, ORIGIN } from './cpu-helpers';

/**
 * Hostile guests: arbitrary bytes executed as a program, in supervisor and
 * problem state, with interpreted and compiled execution. Whatever the bytes
 * do, run() must return one of its exits — guest misbehaviour is an
 * architected event, never a host exception.
 */

const REASONS = new Set<Exit['reason']>(['budget', 'wait', 'stopped', 'interception', 'breakpoint', 'check-stop']);

describe('arbitrary instruction streams', () => {
  it('never make run() throw', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 512 }),
        fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { minLength: 16, maxLength: 16 }),
        fc.boolean(),
        fc.boolean(),
        (code, regs, problem, compile) => {
          const m = machine();
          m.cpu.blockCompilation = compile;
          m.poke(ORIGIN, code);
          const psw: [number, number] = [problem ? 0x00090000 : 0x00080000, (0x80000000 | ORIGIN) >>> 0];
          // Every interruption returns into the random code, so the stream keeps running.
          for (const at of [0x58, 0x60, 0x68, 0x70, 0x78]) {
            m.storage.write32(at as never, psw[0]);
            m.storage.write32((at + 4) as never, psw[1]);
          }
          m.cpu.setPsw(psw[0], psw[1]);
          m.cpu.state = 'operating';
          m.cpu.gpr.set(regs);
          let exit: Exit = { reason: 'budget' };
          for (let slice = 0; slice < 4 && exit.reason === 'budget'; slice++) exit = m.cpu.run(2_000);
          expect(REASONS.has(exit.reason)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
