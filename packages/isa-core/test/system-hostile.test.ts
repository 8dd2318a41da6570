/**
 * Hostile guests: random streams of system instructions with random operands
 * and registers, in supervisor state, on a two-CPU machine whose new PSWs
 * point back into the stream. Whatever they do — SIGP resets, prefix
 * changes, store status into low core, timer storms, invalid PSWs — the
 * machine must never throw a host exception, must stay inside its storage,
 * and must return from run() with one of its exits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress as abs,
  createEsa390Machine,
  ESA390_INSTRUCTIONS,
  interceptInstructions,
  NO_INTERCEPTION,
} from '@strachey/isa-core';

const SYSTEM_ROWS = ESA390_INSTRUCTIONS.filter(
  (r) => r.privileged || r.mnemonic === 'SVC' || r.mnemonic === 'STCK' || r.mnemonic === 'LA' || r.mnemonic === 'BCR',
);

/** An instruction of `row` with operand bytes from `noise`. */
function instruction(rowIndex: number, noise: readonly number[]): number[] {
  const row = SYSTEM_ROWS[rowIndex % SYSTEM_ROWS.length]!;
  const bytes = noise.slice(0, row.length).map((b) => b & 0xff);
  while (bytes.length < row.length) bytes.push(0);
  if (row.opcodeBits === 16) {
    bytes[0] = row.opcode >>> 8;
    bytes[1] = row.opcode & 0xff;
  } else if (row.opcodeBits === 12) {
    bytes[0] = row.opcode >>> 4;
    bytes[1] = (bytes[1]! & 0xf0) | (row.opcode & 0xf);
  } else bytes[0] = row.opcode;
  return bytes;
}

const program = fc.array(fc.tuple(fc.nat(), fc.array(fc.nat({ max: 255 }), { minLength: 6, maxLength: 6 })), {
  minLength: 1,
  maxLength: 40,
});

describe('random system-instruction streams', () => {
  it('never throw, stay in storage, and always return an exit', () => {
    fc.assert(
      fc.property(
        program,
        fc.array(fc.integer(), { minLength: 16, maxLength: 16 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        (stream, regs, intercept, quantum) => {
          const m = createEsa390Machine({
            mainsize: 1 << 16,
            cpus: 2,
            quantum,
            policy: intercept ? interceptInstructions('io-sigp', ['SSCH', 'SIGP', 'DIAG']) : NO_INTERCEPTION,
          });
          const code = stream.flatMap(([row, noise]) => instruction(row, noise));
          const s = m.storage;
          s.writeFrom(abs(0x800), Uint8Array.from(code));
          // Every new PSW, and the restart PSW, re-enters the stream enabled for everything.
          for (const at of [0x00, 0x58, 0x60, 0x68, 0x70, 0x78]) {
            s.write32(abs(at), 0x03080000);
            s.write32(abs(at + 4), 0x800);
          }
          for (const cpu of m.cpus) {
            cpu.gpr.set(regs.map((r) => r & 0xffff));
            m.restart(cpu.id);
          }
          let exits = 0;
          for (let round = 0; round < 10; round++) {
            const x = m.run(400);
            expect(['budget', 'halted', 'cpu']).toContain(x.reason);
            exits++;
            if (x.reason === 'halted') break;
            if (x.reason === 'cpu') {
              // The host skips the intercepted instruction.
              const cpu = m.cpus[x.cpu]!;
              if (x.exit.reason === 'interception') cpu.ia = (cpu.ia + x.exit.length) & 0x7fffffff;
            }
          }
          expect(exits).toBeGreaterThan(0);
          expect(s.allocatedFrames).toBeLessThanOrEqual(s.frameCount);
          for (const cpu of m.cpus) {
            expect(cpu.prefix).toBeLessThan(1 << 16);
            expect(['operating', 'stopped', 'check-stop']).toContain(cpu.state);
          }
        },
      ),
      { numRuns: 40, seed: 1972 },
    );
  });
});
