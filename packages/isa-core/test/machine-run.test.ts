/**
 * The ESA/390 machine: running programs to their architected end, the reset
 * values (checked against Hercules 3.13's `cr` display after start-up), the
 * instruction budget, and deterministic interleaving of several CPUs that
 * share storage.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress as abs,
  createEsa390Machine,
  type Esa390Machine,
  type Esa390MachineOptions,
  snapshotMachine,
} from '@strachey/isa-core';
import { bootProgram } from '@strachey/isa-core/testing';

/** A machine with `src` assembled into it, and the symbols. */
function loadMachine(src: string, options: Partial<Esa390MachineOptions> = {}) {
  const { machine: m, symbol: sym, word } = bootProgram(src, options);
  return { m, sym, word };
}

/** Restart every CPU of the machine. */
function restartAll(m: Esa390Machine): void {
  for (let i = 0; i < m.cpus.length; i++) m.restart(i);
}


/**
 * Every CPU adds 1 to COUNT `n` times. With `locked`, each increment is
 * done under a spin lock taken with COMPARE AND SWAP (the lock word holds the
 * owner's CPU address + 1); without it, the load/add/store of two CPUs can
 * interleave and lose updates.
 */
function counterProgram(n: number, locked: boolean): string {
  const acquire = locked
    ? `ACQ      SR    2,2
         CS    2,3,LOCK
         BRC   7,ACQ`
    : '';
  const release = locked ? '         ST    2,LOCK' : '';
  return `
T        START 0
         DC    X'00080000',A(BEGIN)
         ORG   T+X'68'
         DC    X'000A0000',A(X'E68')
         USING T,0
         ORG   T+X'200'
BEGIN    STAP  ME
         LH    3,ME
         AHI   3,1                     lock value: CPU address + 1
         LA    9,${n}
LOOP     DS    0H
${acquire}
         L     4,COUNT
         AHI   4,1
         LA    7,3
DELAY    BRCT  7,DELAY                 widen the window
         ST    4,COUNT
         SR    2,2
${release}
         BRCT  9,LOOP
         LPSW  DONE
ME       DC    H'0'
         DS    0F
COUNT    DC    F'0'
LOCK     DC    F'0'
         DS    0D
DONE     DC    X'000A0000',A(X'D0E')
         END`;
}


describe('running a program', () => {
  it('runs the hercules-oracle.md program to the same final state as Hercules 3.13', () => {
    const m = createEsa390Machine({ mainsize: 16 << 20 });
    const put = (a: number, hex: string) =>
      m.storage.writeFrom(abs(a), Uint8Array.from(hex.match(/../g)!.map((b) => Number.parseInt(b, 16))));
    put(0, '0008000000000200');
    put(0x200, '41100005412000071A1282000300');
    put(0x300, '000A000000000000');
    m.restart();
    expect(m.run(1000)).toEqual({ reason: 'halted', exits: [{ reason: 'wait', enabled: false }] });
    const cpu = m.cpus[0]!;
    expect(cpu.gpr[1]).toBe(0x0c);
    expect(cpu.gpr[2]).toBe(0x07);
    expect(cpu.getPsw()).toEqual([0x000a0000, 0]);
    expect(cpu.instructions).toBe(4);
  });

  it('stops after exactly the instruction budget and continues where it stopped', () => {
    const { m } = loadMachine(`
T        START 0
         DC    X'00080000',A(LOOP)
         USING T,0
         ORG   T+X'200'
LOOP     AHI   5,1
         J     LOOP
         END`);
    m.restart();
    expect(m.run(1001)).toEqual({ reason: 'budget' });
    expect(m.cpus[0]!.instructions).toBe(1001);
    expect(m.cpus[0]!.gpr[5]).toBe(501);
    m.run(999);
    expect(m.cpus[0]!.gpr[5]).toBe(1000);
  });

  it('stops for the host at a breakpoint and resumes from it', () => {
    const { m, sym } = loadMachine(`
T        START 0
         DC    X'00080000',A(BEGIN)
         USING T,0
         ORG   T+X'200'
BEGIN    LA    5,1
HERE     LA    6,2
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',A(X'ABC')
         END`);
    const cpu = m.cpus[0]!;
    cpu.breakpoints.add(sym('HERE'));
    m.restart();
    expect(m.run(100)).toEqual({ reason: 'cpu', cpu: 0, exit: { reason: 'breakpoint', address: sym('HERE') } });
    expect(cpu.gpr[5]).toBe(1);
    expect(cpu.gpr[6]).toBe(0);
    expect(m.run(100).reason).toBe('halted');
    expect(cpu.gpr[6]).toBe(2);
  });

  it('rejects impossible configurations', () => {
    expect(() => createEsa390Machine({ mainsize: 1000 })).toThrow(RangeError);
    expect(() => createEsa390Machine({ mainsize: 1 << 20, cpus: 0 })).toThrow(RangeError);
    expect(() => createEsa390Machine({ mainsize: 1 << 20, quantum: 0 })).toThrow(RangeError);
  });
});

describe('resets', () => {
  it('a new machine is in the state Hercules 3.13 shows at start-up: stopped, PSW 0, CR0 E0, CR14 C2000000, the rest 0', () => {
    const m = createEsa390Machine({ mainsize: 1 << 20, cpus: 2 });
    for (const cpu of m.cpus) {
      expect(cpu.state).toBe('stopped');
      expect(cpu.getPsw()).toEqual([0, 0]);
      expect(cpu.prefix).toBe(0);
      const cr = Array.from(cpu.cr, (v) => v >>> 0);
      expect(cr).toEqual([0xe0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc2000000, 0]);
    }
  });

  it("'cpu' keeps registers and PSW, 'initial' resets PSW, prefix and control registers, 'clear' also zeroes registers and storage", () => {
    const { m } = loadMachine(`
T        START 0
         DC    X'00080000',A(BEGIN)
         USING T,0
         ORG   T+X'200'
BEGIN    LA    5,X'55'
         LCTL  0,0,CR0V
         SPX   PFX
         LPSW  WAIT
CR0V     DC    X'00000AE0'
PFX      DC    A(X'8000')
         DS    0D
WAIT     DC    X'000A0000',A(X'ABC')
         END`);
    const page = new Uint8Array(4096);
    m.storage.readInto(abs(0), page);
    m.storage.writeFrom(abs(0x8000), page);
    m.restart();
    m.run(100);
    const cpu = m.cpus[0]!;
    expect(cpu.prefix).toBe(0x8000);
    m.reset('cpu');
    expect(cpu.state).toBe('stopped');
    expect(cpu.getPsw()).toEqual([0x000a0000, 0xabc]);
    expect(cpu.cr[0]).toBe(0xae0);
    expect(cpu.gpr[5]).toBe(0x55);
    m.reset('initial');
    expect(cpu.getPsw()).toEqual([0, 0]);
    expect(cpu.prefix).toBe(0);
    expect(cpu.cr[0]).toBe(0xe0);
    expect(cpu.gpr[5]).toBe(0x55);
    m.reset('clear');
    expect(cpu.gpr[5]).toBe(0);
    expect(m.storage.read32(abs(0x204))).toBe(0);
    expect(m.storage.allocatedFrames).toBe(0);
  });
});

describe('deterministic interleaving of CPUs sharing storage', () => {
  it('a compare-and-swap lock makes every increment count, whatever the quantum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 3 }), (quantum, extra) => {
        const cpus = 1 + extra;
        const { m, sym, word } = loadMachine(counterProgram(25, true), { cpus, quantum });
        restartAll(m);
        const x = m.run(1_000_000);
        expect(x.reason).toBe('halted');
        expect(word(sym('COUNT'))).toBe(25 * cpus);
        expect(word(sym('LOCK'))).toBe(0);
      }),
      { numRuns: 40, seed: 390 },
    );
  });

  it('without the lock, updates are lost for small quanta: the interleaving is real', () => {
    const { m, sym, word } = loadMachine(counterProgram(25, false), { cpus: 2, quantum: 3 });
    restartAll(m);
    m.run(1_000_000);
    expect(word(sym('COUNT'))).toBeLessThan(50);
  });

  it('the same program, options and budget give the same final state on every run', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4000 }),
        (quantum, locked, budget) => {
          const run = () => {
            const { m } = loadMachine(counterProgram(30, locked), { cpus: 3, quantum });
            restartAll(m);
            const exit = m.run(budget);
            return { exit, state: snapshotMachine(m) };
          };
          expect(run()).toEqual(run());
        },
      ),
      { numRuns: 40, seed: 1964 },
    );
  });
});
