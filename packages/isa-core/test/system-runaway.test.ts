/**
 * A guest must never hang its host: run(budget) returns whatever the guest
 * does, because interruptions count against the budget with instructions. A
 * program new PSW that points at an address whose fetch fails is a
 * program-interruption loop that completes no instruction (POP "Program
 * Interruption"; Hercules 3.13 loops in it too), and an invalid program new
 * PSW is the loop Hercules detects and stops on ("HHCCP016I Program
 * interrupt loop", the invalid PSW left current).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absoluteAddress as abs, createEsa390Machine, Esa390Cpu, SparseStorage } from '@strachey/isa-core';

/** Machine of 64 KB: restart new PSW → X'200', where an invalid opcode X'0000' starts the program checks. */
function loopingMachine(programNewHi: number, programNewLo: number) {
  const m = createEsa390Machine({ mainsize: 1 << 16 });
  const s = m.storage;
  s.write32(abs(0x00), 0x00080000);
  s.write32(abs(0x04), 0x00000200);
  s.write32(abs(0x68), programNewHi);
  s.write32(abs(0x6c), programNewLo);
  m.restart();
  return m;
}

describe('program-interruption loops', () => {
  it('a program new PSW beyond storage: machine.run returns at the budget, the loop counted as interruptions', () => {
    const m = loopingMachine(0x00080000, 0x00100000); // X'100000' is past the 64 KB of storage
    const cpu = m.cpus[0]!;
    const x = m.run(1000);
    expect(x.reason).toBe('budget');
    // One operation exception, then addressing exceptions on every fetch of the new PSW's instruction.
    expect(cpu.instructions).toBe(1);
    expect(cpu.instructions + cpu.interruptionCount).toBeGreaterThanOrEqual(1000);
    expect(cpu.instructions + cpu.interruptionCount).toBeLessThanOrEqual(1000 + 16);
    expect(m.storage.read32(abs(0x8c))).toBe(0x00040005); // addressing, ILC 2 as Hercules 3.13 reports a fetch exception
    // run() again makes the same progress and returns again.
    expect(m.run(500).reason).toBe('budget');
  });

  it('a program new PSW at an odd address: bare Esa390Cpu.run returns too', () => {
    const storage = new SparseStorage(1 << 16);
    storage.write32(abs(0x68), 0x00080000);
    storage.write32(abs(0x6c), 0x00000301); // odd: a specification exception on every fetch
    const cpu = new Esa390Cpu({ storage });
    cpu.setPsw(0x00080000, 0x00000201);
    cpu.state = 'operating';
    const x = cpu.run(100);
    expect(x.reason).toBe('budget');
    expect(cpu.instructions).toBe(0);
    expect(cpu.interruptionCount).toBeGreaterThanOrEqual(100);
    expect(cpu.readReal32(0x8c)).toBe(0x00020006);
  });

  it('an invalid program new PSW stops the CPU with the invalid PSW current, as Hercules 3.13 does', () => {
    // Hercules 3.13: HHCCP016I Program interrupt loop: PSW=00000000 00000300; the old PSW and code are stored.
    const m = loopingMachine(0x00000000, 0x00000300); // ESA/390 bit (12) off: invalid
    const x = m.run(1000);
    expect(x.reason).toBe('halted');
    const cpu = m.cpus[0]!;
    expect(cpu.state).toBe('check-stop');
    expect(cpu.checkStopReason).toMatch(/program interruption loop/);
    expect(cpu.getPsw()).toEqual([0x00000000, 0x00000300]);
    expect(m.storage.read32(abs(0x28))).toBe(0x00080000);
    expect(m.storage.read32(abs(0x2c))).toBe(0x00000202);
    expect(m.storage.read32(abs(0x8c))).toBe(0x00020001);
  });

  it('random low core, instructions and new PSWs: run(N) returns within N plus a small constant and never throws', () => {
    const word = fc.integer({ min: 0, max: 0xffffffff });
    // New PSWs: mostly valid-looking (ESA bit on, some enabled, some DAT/wait), pointing anywhere, sometimes odd or beyond storage.
    const psw = fc.tuple(
      fc.oneof(word, fc.constantFrom(0x00080000, 0x03080000, 0x030a0000, 0x07080000, 0x00090000)),
      fc.oneof(word, fc.integer({ min: 0, max: 0x2000 }), fc.constantFrom(0x00100000, 0x80000201, 0x7ffffffe)),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 512, maxLength: 512 }),
        fc.uint8Array({ minLength: 0, maxLength: 256 }),
        fc.array(psw, { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.array(word, { minLength: 16, maxLength: 16 }),
        (lowcore, code, newPsws, budget, crs) => {
          const m = createEsa390Machine({ mainsize: 1 << 16, quantum: 97 });
          const s = m.storage;
          s.writeFrom(abs(0), lowcore);
          s.writeFrom(abs(0x200), code);
          // Restart, external, SVC, program, machine-check and I/O new PSWs.
          [0x00, 0x58, 0x60, 0x68, 0x70, 0x78].forEach((at, i) => {
            const [hi, lo] = newPsws[i]!;
            s.write32(abs(at), hi);
            s.write32(abs(at + 4), lo);
          });
          const cpu = m.cpus[0]!;
          // Random control registers enable timer and signal subclasses; DAT stays off (no DAT port attached).
          cpu.cr[0] = crs[0]! & ~0x00f00000;
          for (let i = 1; i < 16; i++) cpu.cr[i] = crs[i]!;
          m.restart();
          const before = cpu.instructions + cpu.interruptionCount;
          const x = m.run(budget);
          expect(['budget', 'halted', 'cpu']).toContain(x.reason);
          const steps = cpu.instructions + cpu.interruptionCount - before;
          expect(steps).toBeLessThanOrEqual(budget + 16);
        },
      ),
      { numRuns: 300, seed: 390 },
    );
  });
});
