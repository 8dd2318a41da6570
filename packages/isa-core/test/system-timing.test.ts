/**
 * The timing facilities on simulated time (POP SA22-7201 "Timing"): value
 * conversions (bit 51 = 1 microsecond), the CPU timer running in the
 * operating state including waits and standing still while the CPU is
 * stopped, the TOD clock shared by the CPUs of a configuration.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress as abs,
  createEsa390Machine,
  type Esa390MachineOptions,
  microsToWords,
  signedWordsToMicros,
  todMicros,
  unsignedWordsToMicros,
} from '@strachey/isa-core';
import { bootProgram } from '@strachey/isa-core/testing';

function boot(src: string, options: Partial<Esa390MachineOptions> = {}) {
  const { machine: m, symbol: sym, word } = bootProgram(src, options);
  return { m, sym, word };
}

const out = new Uint32Array(2);

describe('timing-value conversions', () => {
  it('bit 51 is one microsecond', () => {
    expect(unsignedWordsToMicros(0, 0x1000)).toBe(1);
    expect(unsignedWordsToMicros(1, 0)).toBe(2 ** 20);
    microsToWords(1.5, out);
    expect(Array.from(out)).toEqual([0, 0x1800]);
  });

  it('round-trips every value exactly while it fits a double (below 2^41 us), and to the microsecond beyond', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x1ff }), fc.integer({ min: 0, max: 0xffffffff }), (hi, lo) => {
        microsToWords(unsignedWordsToMicros(hi, lo), out);
        expect(Array.from(out)).toEqual([hi, lo]);
      }),
      { seed: 51 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (hi, lo) => {
        const micros = unsignedWordsToMicros(hi, lo);
        microsToWords(micros, out);
        expect(Math.abs(unsignedWordsToMicros(out[0]!, out[1]!) - micros)).toBeLessThanOrEqual(1);
      }),
      { seed: 52 },
    );
  });

  it('reads the CPU timer as signed: all ones is minus one unit, and negative values store as two\'s complement', () => {
    expect(signedWordsToMicros(0xffffffff, 0xffffffff)).toBe(-1 / 4096);
    microsToWords(-1, out);
    expect(Array.from(out)).toEqual([0xffffffff, 0xfffff000]);
  });
});

describe('CPU timer', () => {
  it('stands still while its CPU is stopped (POP: decremented only in the operating state)', () => {
    const { m, word, sym } = boot(`
T        START 0
         DC    X'00080000',A(BEGIN)
         USING T,0
         ORG   T+X'200'
BEGIN    LA    5,1
         SIGP  6,5,6                   restart CPU 1
         LA    3,100
W1       BCT   3,W1
         SIGP  6,5,5                   stop CPU 1
         L     3,LONG
W2       BCT   3,W2                    about 40 us
         L     7,AREA
         SIGP  6,5,X'0E'               store status of CPU 1
         LPSW  DONE
CPU1     SPT   BIG
SPIN     J     SPIN
LONG     DC    F'20000'
AREA     DC    A(X'8000')
         DS    0D
BIG      DC    X'0000000100000000'
DONE     DC    X'000A0000',A(X'D0E')
         END`, { cpus: 2, quantum: 10 });
    const cpu1Pfx = 0x4000;
    const page = new Uint8Array(4096);
    m.storage.readInto(abs(0), page);
    m.storage.writeFrom(abs(cpu1Pfx), page);
    m.storage.write32(abs(cpu1Pfx + 4), sym('CPU1'));
    m.cpus[1]!.prefix = cpu1Pfx;
    m.restart(0);
    expect(m.run(100_000).reason).toBe('halted');
    expect(m.now()).toBeGreaterThan(40 * 500);
    const timer = word(0x80d8) * 2 ** 32 + word(0x80dc);
    const usedUnits = 2 ** 32 - timer;
    expect(usedUnits).toBeGreaterThan(0);
    // CPU 1 ran a few hundred cycles at most: under 2 us = 8192 units, though 40 us passed.
    expect(usedUnits).toBeLessThan(8192);
  });

  it('runs during an enabled wait, and its interruption ends the wait at the right simulated time', () => {
    const { m } = boot(`
T        START 0
         DC    X'00080000',A(BEGIN)
         ORG   T+X'58'
         DC    X'000A0000',A(X'E58')
         USING T,0
         ORG   T+X'200'
BEGIN    LCTL  0,0,CR0V
         SPT   HUNDRED
         LPSW  EWAIT
         DS    0F
CR0V     DC    X'000004E0'
         DS    0D
HUNDRED  DC    XL8'0000000000064000'   100 us
EWAIT    DC    X'010A0000',A(0)
         END`);
    m.restart();
    expect(m.run(1000).reason).toBe('halted');
    expect(m.storage.read16(abs(0x86))).toBe(0x1005);
    expect(m.now()).toBeGreaterThanOrEqual(100 * 500);
    expect(m.now()).toBeLessThan(100 * 500 + 1000);
  });
});

describe('TOD clock', () => {
  it('is one clock for the configuration: SCK on one CPU sets it for all', () => {
    const { m } = boot(`
T        START 0
         DC    X'00080000',A(BEGIN)
         USING T,0
         ORG   T+X'200'
BEGIN    SCK   VALUE
         LPSW  DONE
         DS    0D
VALUE    DC    X'0000100000000000'
DONE     DC    X'000A0000',A(X'D0E')
         END`, { cpus: 2 });
    m.restart(0);
    m.run(100);
    const set = 0x1000 * 2 ** 20;
    for (const cpu of m.cpus) {
      expect(todMicros(cpu)).toBeGreaterThanOrEqual(set - 1);
      expect(todMicros(cpu)).toBeLessThan(set + 10);
    }
  });

  it('starts at the configured value and advances with simulated time only', () => {
    const m = createEsa390Machine({ mainsize: 1 << 20, todStart: 1_000_000 });
    expect(todMicros(m.cpus[0]!)).toBe(1_000_000);
    m.clock.advanceTo(500 * 250);
    m.run(1);
    expect(todMicros(m.cpus[0]!)).toBe(1_000_250);
  });

  it('STORE CLOCK values increase across CPUs in the order the stores happened, though their local times differ', () => {
    // CPU 0 stores the clock late in its quantum, then raises a flag; CPU 1, scheduled after it in
    // the same round but starting at the round's start time, sees the flag at once and stores the clock.
    const { m, sym, word } = boot(`
T        START 0
         DC    X'00080000',A(BEGIN)
         USING T,0
         ORG   T+X'200'
BEGIN    STAP  ME
         CLC   ME,=H'0'
         BRC   7,SECOND
         LA    7,300
DELAY    BRCT  7,DELAY
         STCK  FIRST
         MVI   FLAG,1
         LPSW  DONE
SECOND   CLI   FLAG,1
         BRC   7,SECOND
         STCK  LATER
         LPSW  DONE
ME       DC    H'0'
FLAG     DC    X'00'
         DS    0D
FIRST    DC    XL8'0'
LATER    DC    XL8'0'
DONE     DC    X'000A0000',A(X'D0E')
         LTORG
         END`, { cpus: 2, quantum: 1000 });
    m.restart(0);
    m.restart(1);
    expect(m.run(100_000).reason).toBe('halted');
    const read = (a: number) => (BigInt(word(a)) << 32n) | BigInt(word(a + 4));
    const first = read(sym('FIRST'));
    const later = read(sym('LATER'));
    expect(first).toBeGreaterThan(0n);
    expect(later > first).toBe(true);
  });
});
