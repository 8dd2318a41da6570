/**
 * SIGNAL PROCESSOR between the CPUs of one machine, and prefixing: each CPU
 * has its own low core (POP SA22-7201 chapter 3 "Prefixing", chapter 4
 * "Signal-Processor Orders"). Condition codes and status bits for sense,
 * external call, emergency signal, unassigned orders and a CPU that does not
 * exist were checked on Hercules 3.13 with NUMCPU 2.
 */
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress as abs,
  type Esa390Machine,
  INITIAL_CR0,
  SIGP_STATUS,
} from '@strachey/isa-core';
import { bootProgram } from '@strachey/isa-core/testing';

/** CPU 1's prefix area in these tests. */
const PFX1 = 0x4000;

/**
 * A two-CPU machine running `src` on CPU 0. Page 0 is copied to CPU 1's
 * prefix area, so both see the same program at the same real addresses with
 * separate low cores; CPU 1's restart new PSW points at CPU1 if defined.
 */
function twoCpus(src: string) {
  const { machine: m, assembly, symbol: sym, word, half } = bootProgram(src, { cpus: 2, quantum: 50 });
  const page = new Uint8Array(4096);
  m.storage.readInto(abs(0), page);
  m.storage.writeFrom(abs(PFX1), page);
  if (assembly.symbols.some((s) => s.name === 'CPU1')) m.storage.write32(abs(PFX1 + 4), sym('CPU1'));
  return { m, c0: m.cpus[0]!, c1: m.cpus[1]!, sym, word, half };
}

const HEAD = `
T        START 0
         DC    X'00080000',A(BEGIN)
         ORG   T+X'58'
         DC    X'000A0000',A(X'E58')   external new PSW
         DC    X'000A0000',A(X'E60')   SVC new PSW
         DC    X'000A0000',A(X'E68')   program new PSW
         USING T,0
         ORG   T+X'200'
`;

/** Condition code from an IPM result. */
const ccOf = (v: number): number => (v >>> 28) & 3;

function runToEnd(m: Esa390Machine, budget = 10_000): void {
  const x = m.run(budget);
  if (x.reason === 'cpu') throw new Error(`unexpected exit ${JSON.stringify(x)}`);
}

describe('SIGP orders and status (Hercules 3.13)', () => {
  it('sense, external call twice, sense again, an unassigned order, a CPU that does not exist', () => {
    const { m, c0 } = twoCpus(`${HEAD}
BEGIN    LA    5,1
         SIGP  4,5,1                   sense CPU 1 (stopped)
         IPM   6
         SIGP  8,5,2                   external call
         IPM   9
         SIGP  10,5,2                  again: still pending
         IPM   11
         SIGP  12,5,1                  sense: stopped + call pending
         IPM   13
         SIGP  14,5,X'7F'              unassigned order
         IPM   15
         LA    5,5
         LA    2,X'123'
         SIGP  2,5,1                   no CPU 5
         IPM   3
         LA    5,0
         SIGP  0,5,1                   sense self (operating)
         IPM   1
         LPSW  DONE
         DS    0D
DONE     DC    X'000A0000',A(X'D0E')
         END`);
    m.restart();
    runToEnd(m);
    const g = (r: number) => c0.gpr[r]! >>> 0;
    expect([ccOf(g(6)), g(4)]).toEqual([1, SIGP_STATUS.STOPPED]);
    expect(ccOf(g(9))).toBe(0);
    expect([ccOf(g(11)), g(10)]).toEqual([1, SIGP_STATUS.EXTERNAL_CALL_PENDING]);
    expect([ccOf(g(13)), g(12)]).toEqual([1, 0xc0]);
    expect([ccOf(g(15)), g(14)]).toEqual([1, SIGP_STATUS.INVALID_ORDER]);
    expect([ccOf(g(3)), g(2)]).toEqual([3, 0x123]);
    expect(ccOf(g(1))).toBe(0);
  });

  it('an emergency signal a CPU sends itself arrives as X1201 with its CPU address at X84 (CPU 1: 0001, as Hercules)', () => {
    const { m, c1, half } = twoCpus(`${HEAD}
BEGIN    LPSW  DONE
CPU1     LCTL  0,0,CR0V
         LA    5,1
         SIGP  4,5,3
         SSM   EXTON
         LPSW  DONE
CR0V     DC    X'000040E0'
EXTON    DC    X'01'
         DS    0D
DONE     DC    X'000A0000',A(X'D0E')
         END`);
    m.cpus[1]!.prefix = PFX1;
    m.restart(1);
    runToEnd(m);
    expect(half(PFX1 + 0x86)).toBe(0x1201);
    expect(half(PFX1 + 0x84)).toBe(1);
    expect(half(0x86)).toBe(0);
    expect(c1.getPsw()).toEqual([0x000a0000, 0xe58]);
  });
});

describe('SIGP orders that start, stop, reset and relocate another CPU (POP)', () => {
  it('set prefix, restart: CPU 1 runs from its own prefix area and its interruptions use its own low core', () => {
    const { m, c0, c1, word, sym } = twoCpus(`${HEAD}
BEGIN    LA    5,1
         L     7,NEWPFX
         SIGP  6,5,X'0D'               set prefix of CPU 1
         IPM   8
         SIGP  6,5,6                   restart CPU 1
         IPM   9
         LPSW  DONE
CPU1     STAP  WHO
         SVC   42
NEWPFX   DC    A(X'4000')
WHO      DC    H'-1'
         DS    0D
DONE     DC    X'000A0000',A(X'D0E')
         END`);
    m.restart();
    runToEnd(m);
    expect(ccOf(c0.gpr[8]!)).toBe(0);
    expect(ccOf(c0.gpr[9]!)).toBe(0);
    expect(c1.prefix).toBe(PFX1);
    // CPU 1's stores to real page 0 land in its prefix area; CPU 0's copy is untouched.
    expect(word(PFX1 + sym('WHO')) >>> 16).toBe(1);
    expect(word(sym('WHO')) >>> 16).toBe(0xffff);
    expect(word(PFX1 + 0x88)).toBe(0x0002002a);
    expect(word(PFX1 + 0x24)).toBe(sym('CPU1') + 6);
    expect(word(0x88)).toBe(0);
    expect(c1.getPsw()).toEqual([0x000a0000, 0xe60]);
  });

  it('set prefix and store status require the target to be stopped (incorrect state X200, as Hercules for SIGP to itself)', () => {
    const { m, c0 } = twoCpus(`${HEAD}
BEGIN    LA    5,0
         L     11,NEWPFX
         SIGP  10,5,X'0D'
         IPM   2
         SIGP  10,5,X'0E'
         IPM   3
         LA    5,1
         L     9,FAR
         SIGP  9,5,X'0D'               prefix not installed
         IPM   4
         LPSW  DONE
NEWPFX   DC    A(X'4000')
FAR      DC    A(X'00200000')
         DS    0D
DONE     DC    X'000A0000',A(X'D0E')
         END`);
    m.restart();
    runToEnd(m);
    expect([ccOf(c0.gpr[2]!), c0.gpr[10]]).toEqual([1, SIGP_STATUS.INCORRECT_STATE]);
    expect(ccOf(c0.gpr[3]!)).toBe(1);
    expect([ccOf(c0.gpr[4]!), c0.gpr[9]]).toEqual([1, SIGP_STATUS.INVALID_PARAMETER]);
    expect(c0.prefix).toBe(0);
    expect(m.cpus[1]!.prefix).toBe(0);
  });

  it('stop, sense, stop and store status, store status at address, initial CPU reset', () => {
    const { m, c0, c1, word, sym } = twoCpus(`${HEAD}
BEGIN    LA    5,1
         SIGP  6,5,6                   restart CPU 1: it spins
         LA    3,200
WAIT1    BCT   3,WAIT1
         SIGP  6,5,5                   stop
         IPM   7
         SIGP  8,5,1                   sense
         IPM   9
         SIGP  6,5,9                   stop and store status
         L     11,AREA
         SIGP  10,5,X'0E'              store status at X'8000'
         IPM   12
         SIGP  6,5,X'0B'               initial CPU reset
         IPM   13
         LPSW  DONE
CPU1     LA    14,X'777'
SPIN     J     SPIN
AREA     DC    A(X'8000')
         DS    0D
DONE     DC    X'000A0000',A(X'D0E')
         END`);
    c1.prefix = PFX1;
    m.restart();
    runToEnd(m);
    expect(ccOf(c0.gpr[7]!)).toBe(0);
    expect([ccOf(c0.gpr[9]!), c0.gpr[8]]).toEqual([1, SIGP_STATUS.STOPPED]);
    // Stop and store status: absolute 0 area (POP: absolute locations 216-511).
    expect(word(0x100)).toBe(0x00080000);
    expect(word(0x104)).toBe(sym('SPIN'));
    expect(word(0x108)).toBe(PFX1);
    expect(word(0x180 + 4 * 14)).toBe(0x777);
    expect(word(0x1c0)).toBe(INITIAL_CR0);
    // Store status at address X'8000'.
    expect(ccOf(c0.gpr[12]!)).toBe(0);
    expect(word(0x8104)).toBe(sym('SPIN'));
    expect(word(0x8180 + 4 * 14)).toBe(0x777);
    // Initial CPU reset: PSW zero, control registers initial, still stopped; GPRs kept.
    expect(ccOf(c0.gpr[13]!)).toBe(0);
    expect(c1.getPsw()).toEqual([0, 0]);
    expect(c1.state).toBe('stopped');
    expect(c1.cr[14]! >>> 0).toBe(0xc2000000);
    expect(c1.gpr[14]).toBe(0x777);
  });

  it('an external call wakes a CPU in an enabled wait: X1202 with the sender address in its own X84', () => {
    const { m, c1, half } = twoCpus(`${HEAD}
BEGIN    LA    5,1
         SIGP  6,5,6                   restart CPU 1: it waits enabled
         LA    3,300
WAIT1    BCT   3,WAIT1
         SIGP  6,5,2                   external call
         LPSW  DONE
CPU1     LCTL  0,0,CR0V
         LPSW  EWAIT
CR0V     DC    X'000020E0'
         DS    0D
EWAIT    DC    X'010A0000',A(0)
DONE     DC    X'000A0000',A(X'D0E')
         END`);
    m.cpus[1]!.prefix = PFX1;
    m.restart();
    runToEnd(m);
    expect(half(PFX1 + 0x86)).toBe(0x1202);
    expect(half(PFX1 + 0x84)).toBe(0);
    expect(c1.getPsw()).toEqual([0x000a0000, 0xe58]);
  });
});

describe('prefixing', () => {
  it('swaps real page 0 and the prefix area, leaving other addresses alone', () => {
    const { m, c1, word } = twoCpus(`${HEAD}
BEGIN    LPSW  DONE
CPU1     L     1,PATTERN
         ST    1,X'10'                 real X'10'   -> absolute X'4010'
         L     2,ADDR1
         ST    1,0(,2)                 real X'4020' -> absolute X'20'
         L     2,ADDR2
         ST    1,0(,2)                 real X'5030' -> absolute X'5030'
         LPSW  DONE
PATTERN  DC    X'C0FFEE00'
ADDR1    DC    A(X'4020')
ADDR2    DC    A(X'5030')
         DS    0D
DONE     DC    X'000A0000',A(X'D0E')
         END`);
    c1.prefix = PFX1;
    m.restart(1);
    runToEnd(m);
    expect(word(PFX1 + 0x10)).toBe(0xc0ffee00);
    expect(word(0x10)).toBe(0);
    expect(word(0x20)).toBe(0xc0ffee00);
    expect(word(PFX1 + 0x20)).toBe(0);
    expect(word(0x5030)).toBe(0xc0ffee00);
  });
});
