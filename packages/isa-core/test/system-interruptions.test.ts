/**
 * Interruptions through the prefix area (POP SA22-7201 chapter 6): SVC,
 * restart, external (clock comparator, CPU timer) and I/O, their old/new PSW
 * locations, codes and ILCs, masks, priorities, and the wait state.
 * Expected values are the architected ones, checked on Hercules 3.13 where
 * noted (codes at X'84'/X'86' and X'88').
 */
import { describe, expect, it } from 'vitest';
import type { Esa390Machine, Esa390MachineOptions, IoHandler, IoInterruption, SimClock } from '@strachey/isa-core';
import { bootProgram } from '@strachey/isa-core/testing';

/** Assemble `src` into a fresh machine; returns it with symbol lookup and storage readers. */
function boot(src: string, options: Partial<Esa390MachineOptions> = {}) {
  const { machine: m, cpu, symbol: sym, word, half } = bootProgram(src, options);
  return { m, cpu, sym, word, half };
}

/** Prefix area with every new PSW a disabled wait whose address names the class. */
const LOWCORE = `
T        START 0
         DC    X'00080000',A(BEGIN)    restart new PSW
         ORG   T+X'58'
         DC    X'000A0000',A(X'E58')   external new PSW
         DC    X'000A0000',A(X'E60')   SVC new PSW
         DC    X'000A0000',A(X'E68')   program new PSW
         DC    X'000A0000',A(X'E70')   machine-check new PSW
         DC    X'000A0000',A(X'E78')   I/O new PSW
         USING T,0
         ORG   T+X'200'
`;

describe('SVC interruption', () => {
  it('stores the old PSW at X20, ILC 2 and the number at X88, loads the SVC new PSW (as Hercules 3.13)', () => {
    const { m, word } = boot(`${LOWCORE}
BEGIN    SVC   18
         END`);
    m.restart();
    const x = m.run(100);
    expect(x.reason).toBe('halted');
    expect(word(0x20)).toBe(0x00080000);
    expect(word(0x24)).toBe(0x202);
    expect(word(0x88)).toBe(0x00020012);
    expect(m.cpus[0]!.getPsw()).toEqual([0x000a0000, 0xe60]);
  });

  it('reports ILC 4 and the address after EXECUTE when SVC is the target of EX', () => {
    const { m, word } = boot(`${LOWCORE}
BEGIN    LA    1,X'34'
         EX    1,SVCI
SVCI     SVC   0
         END`);
    m.restart();
    m.run(100);
    expect(word(0x88)).toBe(0x00040034);
    expect(word(0x24)).toBe(0x208);
  });

  it('routes the SVC to the host when the policy asks, leaving the PSW at the instruction', () => {
    const { m, cpu, word } = boot(`${LOWCORE}
BEGIN    SVC   7
         END`, {
      policy: { name: 'svc-only', program: () => false, svc: (n) => n === 7, instruction: () => false },
    });
    m.restart();
    const x = m.run(100);
    expect(x).toEqual({
      reason: 'cpu',
      cpu: 0,
      exit: { reason: 'interception', kind: 'svc', code: 7, opcode: 0x0a, length: 2, completed: false },
    });
    expect(cpu.ia).toBe(0x200);
    expect(word(0x88)).toBe(0);
  });
});

describe('restart interruption', () => {
  it('stores the current PSW at X08 and loads the restart new PSW from X00', () => {
    const { m, cpu, word, sym } = boot(`${LOWCORE}
BEGIN    MVC   0(8,0),SECONDPS        next restart: SECOND
LOOP     J     LOOP
SECOND   LPSW  WAIT
         DS    0D
SECONDPS DC    X'00080000',A(SECOND)
WAIT     DC    X'000A0000',A(X'ABC')
         END`);
    m.restart();
    expect(m.run(500).reason).toBe('budget');
    expect(cpu.ia).toBe(sym('LOOP'));
    m.restart();
    const x = m.run(100);
    expect(x.reason).toBe('halted');
    expect(word(0x08)).toBe(0x00080000);
    expect(word(0x0c)).toBe(sym('LOOP'));
    expect(cpu.getPsw()).toEqual([0x000a0000, 0xabc]);
  });

  it('starts a stopped CPU', () => {
    const { m, cpu } = boot(`${LOWCORE}
BEGIN    LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',A(X'123')
         END`);
    expect(cpu.state).toBe('stopped');
    expect(m.run(10)).toEqual({ reason: 'halted', exits: [{ reason: 'stopped' }] });
    m.restart();
    expect(m.run(10).reason).toBe('halted');
    expect(cpu.state).toBe('operating');
    expect(cpu.ia).toBe(0x123);
  });
});

describe('external interruptions from the timing facilities', () => {
  const ckcProgram = (cr0: string) => `${LOWCORE}
BEGIN    LCTL  0,0,CR0V
         SCKC  ZERO                    TOD > 0 as soon as time passes
         SSM   EXTON
AFTER    LPSW  WAIT
CR0V     DC    X'${cr0}'
         DS    0D
ZERO     DC    XL8'0'
WAIT     DC    X'000A0000',A(X'DDD')
EXTON    DC    X'01'
         END`;

  it('takes the clock-comparator interruption X1004 when CR0 bit 20 and the PSW external mask allow it', () => {
    const { m, word, half, sym } = boot(ckcProgram('000008E0'));
    m.restart();
    m.run(100);
    expect(half(0x86)).toBe(0x1004);
    // Hercules 3.13 stores zero as the CPU address for timer interruptions.
    expect(half(0x84)).toBe(0);
    expect(word(0x18)).toBe(0x01080000);
    expect(word(0x1c)).toBe(sym('AFTER'));
    expect(m.cpus[0]!.getPsw()).toEqual([0x000a0000, 0xe58]);
  });

  it('keeps the condition pending but undelivered when CR0 masks the subclass', () => {
    const { m, word } = boot(ckcProgram('000000E0'));
    m.restart();
    m.run(100);
    expect(word(0x18)).toBe(0);
    expect(m.cpus[0]!.getPsw()).toEqual([0x000a0000, 0xddd]);
  });

  it('takes the CPU-timer interruption X1005 once the timer has run down, after the simulated time it was set to', () => {
    // 10 microseconds = X'A000' in timer units (bit 51 = 1 us); at 500 MHz that is 5000 cycles.
    const { m, cpu, word, half, sym } = boot(`${LOWCORE}
BEGIN    LCTL  0,0,CR0V
         SPT   TEN
         SSM   EXTON
LOOP     J     LOOP
CR0V     DC    X'000004E0'
         DS    0D
TEN      DC    XL8'000000000000A000'
EXTON    DC    X'01'
         END`);
    m.restart();
    const x = m.run(100_000);
    expect(x.reason).toBe('halted');
    expect(half(0x86)).toBe(0x1005);
    expect(word(0x1c)).toBe(sym('LOOP'));
    expect(cpu.cycles).toBeGreaterThanOrEqual(5000);
    expect(cpu.cycles).toBeLessThan(5000 + 200);
  });

  it('ends an enabled wait by advancing simulated time to the comparator, without executing instructions meanwhile', () => {
    // CKC = 1000 us; the program waits enabled, the external handler stores the clock and stops.
    const { m, cpu, word, sym } = boot(`${LOWCORE}
BEGIN    LCTL  0,0,CR0V
         SCKC  CKC
         LPSW  EWAIT
EXT      STCK  CLOCK
         LPSW  WAIT
CR0V     DC    X'000008E0'
         DS    0D
CKC      DC    XL8'00000000003E8000'   1000 us
EWAIT    DC    X'010A0000',A(0)        enabled wait, external only
WAIT     DC    X'000A0000',A(X'FFF')
CLOCK    DC    XL8'0'
         END`.replace("X'000A0000',A(X'E58')", 'X\'00080000\',A(EXT)'));
    m.restart();
    const x = m.run(1_000_000);
    expect(x.reason).toBe('halted');
    expect(cpu.instructions).toBeLessThan(10);
    expect(m.now()).toBeGreaterThanOrEqual(1000 * 500);
    const clock = word(sym('CLOCK')) * 2 ** 20 + (word(sym('CLOCK') + 4) >>> 12);
    expect(clock).toBeGreaterThanOrEqual(1000);
    expect(clock).toBeLessThan(1010);
    // The wait PSW itself is the external old PSW.
    expect(word(0x18)).toBe(0x010a0000);
  });
});

describe('wait states', () => {
  it('a disabled wait is final', () => {
    const { m } = boot(`${LOWCORE}
BEGIN    LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',A(X'999')
         END`);
    m.restart();
    expect(m.run(1000)).toEqual({ reason: 'halted', exits: [{ reason: 'wait', enabled: false }] });
  });

  it('an enabled wait that no event can end halts the machine instead of spinning', () => {
    const { m, cpu } = boot(`${LOWCORE}
BEGIN    LPSW  WAIT
         DS    0D
WAIT     DC    X'030A0000',A(X'999')   no device, timers masked
         END`);
    m.restart();
    expect(m.run(1000)).toEqual({ reason: 'halted', exits: [{ reason: 'wait', enabled: true }] });
    expect(cpu.instructions).toBe(1);
  });
});

/**
 * A channel subsystem with one subchannel (X'0001' ‖ 0000) whose every START
 * SUBCHANNEL ends `latency` cycles later with an interruption in subclass 3
 * carrying the ORB's interruption parameter. Small, but a real IoHandler:
 * the machine learns of the interruption only through the pending listener.
 */
function oneSubchannel(clock: () => SimClock, latency: number): IoHandler {
  const queue: IoInterruption[] = [];
  let listener: () => void = () => {};
  return {
    execute(instruction, operand, cpu) {
      if (instruction === 'TPI') {
        // The CPU exposes CR6 to the handler; operand 0 means real X'B8', as the interruption stores it.
        const cr6 = (cpu as typeof cpu & { readonly cr6: number }).cr6;
        const i = queue.findIndex((q) => ((cr6 >>> (31 - q.isc)) & 1) !== 0);
        if (i < 0) return 0;
        const q = queue.splice(i, 1)[0]!;
        const code = new Uint8Array(8);
        new DataView(code.buffer).setUint32(0, q.subsystemId);
        new DataView(code.buffer).setUint32(4, q.parameter);
        const fault = cpu.store(operand === 0 ? 0xb8 : operand, code);
        return fault !== 0 ? -fault : 1;
      }
      if (cpu.gpr[1] !== 0x00010000) return 3;
      if (instruction !== 'SSCH') return instruction === 'TSCH' ? 1 : 0;
      const orb = new Uint8Array(4);
      const fault = cpu.fetch(operand, orb, 4);
      if (fault !== 0) return -fault;
      const parameter = ((orb[0]! << 24) | (orb[1]! << 16) | (orb[2]! << 8) | orb[3]!) >>> 0;
      const c = clock();
      c.schedule(c.now() + latency, () => {
        queue.push({ subsystemId: 0x00010000, parameter, isc: 3 });
        listener();
      });
      return 0;
    },
    takeInterruption(cr6) {
      const i = queue.findIndex((q) => ((cr6 >>> (31 - q.isc)) & 1) !== 0);
      return i < 0 ? null : queue.splice(i, 1)[0]!;
    },
    hasPending: () => queue.length > 0,
    setPendingListener(l) {
      listener = l;
    },
  };
}

describe('I/O interruptions', () => {
  const ioProgram = (cr6: string) => `${LOWCORE}
BEGIN    LCTL  6,6,CR6V
         L     1,SSID
         SSCH  ORB
         LPSW  IOWAIT
CR6V     DC    X'${cr6}'
SSID     DC    X'00010000'
         DS    0D
ORB      DC    X'CAFEBABE',XL28'0'
IOWAIT   DC    X'020A0000',A(0)        enabled wait, I/O only
         END`;

  it('stores the subsystem-identification word at XB8 and the parameter at XBC, I/O old PSW at X38', () => {
    let m!: Esa390Machine;
    const io = oneSubchannel(() => m.clock, 20_000);
    const b = boot(ioProgram('10000000'), { io });
    m = b.m;
    m.restart();
    expect(m.run(1000).reason).toBe('halted');
    expect(b.word(0xb8)).toBe(0x00010000);
    expect(b.word(0xbc)).toBe(0xcafebabe);
    expect(b.word(0x38)).toBe(0x020a0000);
    expect(b.cpu.getPsw()).toEqual([0x000a0000, 0xe78]);
    expect(m.now()).toBeGreaterThanOrEqual(20_000);
  });

  it('TPI takes the pending interruption without an interruption: code at XB8 for a zero operand, cc 1, then cc 0', () => {
    let m!: Esa390Machine;
    const io = oneSubchannel(() => m.clock, 10);
    const b = boot(`${LOWCORE}
BEGIN    LCTL  6,6,CR6V
         L     1,SSID
         SSCH  ORB
         LA    2,500
SPIN     BRCT  2,SPIN                  the I/O ends meanwhile
         TPI   0
         IPM   3
         TPI   0
         IPM   4
         LPSW  WAIT
CR6V     DC    X'10000000'
SSID     DC    X'00010000'
         DS    0D
ORB      DC    X'0BADCAFE',XL28'0'
WAIT     DC    X'000A0000',A(X'777')
         END`, { io });
    m = b.m;
    m.restart();
    m.run(10_000);
    expect(b.cpu.gpr[3]! >>> 28).toBe(1);
    expect(b.cpu.gpr[4]! >>> 28).toBe(0);
    expect(b.word(0xb8)).toBe(0x00010000);
    expect(b.word(0xbc)).toBe(0x0badcafe);
    expect(b.word(0x38)).toBe(0);
  });

  it('TPI 0 stores at real XB8, which prefixing moves: the prefix area, not absolute XB8', () => {
    let m!: Esa390Machine;
    const io = oneSubchannel(() => m.clock, 10);
    // The program lives in page 1, so it keeps running while real page 0 is another prefix area.
    const b = boot(`${LOWCORE}
         ORG   T+X'1000'
BEGIN    BASR  12,0
         USING *,12
         LCTL  6,6,CR6V
         L     1,SSID
         SSCH  ORB
         LA    2,500
SPIN     BRCT  2,SPIN                  the I/O ends meanwhile
         SPX   NEWPFX
         TPI   0
         IPM   3
         SPX   OLDPFX
         LPSW  WAIT
         DS    0F
CR6V     DC    X'10000000'
SSID     DC    X'00010000'
NEWPFX   DC    X'00020000'
OLDPFX   DC    A(0)
         DS    0D
ORB      DC    X'0BADCAFE',XL28'0'
WAIT     DC    X'000A0000',A(X'777')
         END`, { io });
    m = b.m;
    m.restart();
    m.run(10_000);
    expect(b.cpu.getPsw()).toEqual([0x000a0000, 0x777]);
    expect(b.cpu.gpr[3]! >>> 28).toBe(1);
    expect(b.word(0x200b8)).toBe(0x00010000);
    expect(b.word(0x200bc)).toBe(0x0badcafe);
    expect(b.word(0xb8)).toBe(0);
  });

  it('leaves the interruption pending while CR6 does not enable its subclass', () => {
    let m!: Esa390Machine;
    const io = oneSubchannel(() => m.clock, 20_000);
    const b = boot(ioProgram('80000000'), { io });
    m = b.m;
    m.restart();
    expect(m.run(1000)).toEqual({ reason: 'halted', exits: [{ reason: 'wait', enabled: true }] });
    expect(b.word(0x38)).toBe(0);
    expect(io.hasPending()).toBe(true);
  });

  it('delivers the external interruption before the I/O interruption when both are pending (POP priority)', () => {
    let m!: Esa390Machine;
    const io = oneSubchannel(() => m.clock, 10);
    const b = boot(`${LOWCORE}
BEGIN    LCTL  6,6,CR6V
         LCTL  0,0,CR0V
         SCKC  ZERO
         L     1,SSID
         SSCH  ORB
         LA    2,500
SPIN     BRCT  2,SPIN                  I/O ends while disabled
         SSM   BOTH
         LPSW  WAIT
CR6V     DC    X'10000000'
CR0V     DC    X'000008E0'
SSID     DC    X'00010000'
BOTH     DC    X'03'
         DS    0D
ZERO     DC    XL8'0'
ORB      DC    XL32'0'
WAIT     DC    X'000A0000',A(X'BAD')
         END`, { io });
    m = b.m;
    m.restart();
    m.run(10_000);
    expect(b.half(0x86)).toBe(0x1004);
    expect(b.word(0x38)).toBe(0);
    expect(b.cpu.getPsw()).toEqual([0x000a0000, 0xe58]);
    expect(io.hasPending()).toBe(true);
  });
});
