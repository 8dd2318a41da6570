/**
 * The virtual 3215 console as a real console behaves: a READ with no line
 * typed stays active (no status, the subchannel and device active) until
 * the user enters a line, then ends with channel end and device end, the
 * data and the residual count; a line typed while no READ is active is
 * unsolicited attention (unit status X'80', alert status) on an enabled
 * console subchannel; HALT and CLEAR SUBCHANNEL end a waiting READ; a
 * guest waiting for its READ in an enabled wait is on CP's eligible list
 * and costs no dispatches.
 */
import { CkdVolume, fromEbcdic, geometry3390 } from '@strachey/io-channel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ControlProgram, VirtualMachine } from '../src/index';
import { bootGuest, cpFrom, ENABLE_SUBCHANNEL, word } from './rig';

const DIRECTORY = `
USER ALICE ALICE 1M 4M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 MDISK 191 3390 10 5 VMRES1 MR
USER BOB BOB 1M 4M G
 CONSOLE 009 3215
`;

function system(): ControlProgram {
  return cpFrom(DIRECTORY, [{ volser: 'VMRES1', volume: new CkdVolume(geometry3390(100)) }], {
    realStorage: 64 * 1024 * 1024,
  });
}

/**
 * The opening of a guest at X'1000' (base GR12): its I/O new PSW to IOINT,
 * every I/O-interruption subclass enabled in CR6, and its console
 * (subchannel 0) enabled. The guest defines IOINT and SCHIB. Starts with a
 * newline, no trailing newline.
 */
const ENABLED_CONSOLE = `
T        START X'1000'
         BALR  12,0
         USING *,12
         MVC   X'78'(8),IONEW
         LCTL  6,6,=X'FF000000'
         L     1,=X'00010000'
${ENABLE_SUBCHANNEL}`;

/**
 * A guest that enables its console (subchannel 0), runs `body`, then waits
 * enabled for I/O; its I/O handler stores the interruption code at X'510',
 * the IRB at X'520' and counts interruptions at X'50C', then waits again.
 * `CCW` (format 1) and `LINE` (80 bytes) are there for `body` to use.
 */
function guest(body: string, ccws = `CCW      DC    X'0A',X'20',AL2(80),A(LINE)`): string {
  return `${ENABLED_CONSOLE}
${body}
WAIT     LPSW  WAITPSW
IOINT    MVC   X'510'(8),X'B8'
         L     1,X'B8'
         TSCH  X'520'
         L     2,X'50C'
         LA    2,1(2)
         ST    2,X'50C'
         LPSW  WAITPSW
         DS    0D
WAITPSW  DC    X'020A0000',X'80000000'
IONEW    DC    X'00080000',A(X'80000000'+IOINT)
ORB      DC    F'7',X'00808000',A(CCW)
         DS    0D
${ccws}
         DS    0F
SCHIB    DS    XL52
LINE     DC    CL80' '
         END   T`;
}

/** ALICE on a new CP with `guest(body, ccws)`, run until that guest first waits. */
function aliceWaiting(body: string, ccws?: string): { cp: ControlProgram; vm: VirtualMachine } {
  const cp = system();
  const vm = bootGuest(cp, 'ALICE', ccws === undefined ? guest(body) : guest(body, ccws));
  cp.run(100_000_000);
  return { cp, vm };
}

/** Guest body: start the READ, then `op` (HSCH, CSCH) with its condition code at X'500'. */
const startThen = (op: string): string => `         SSCH  ORB
         ${op}
         IPM   3
         ST    3,X'500'`;

const byte = (vm: VirtualMachine, a: number): number => vm.storage.read8(a);
/** The guest's LINE field, found through its READ CCW's data address. */
function guestLine(vm: VirtualMachine, ccwAddress: number): string {
  const b = new Uint8Array(80);
  vm.storage.readBytes(word(vm, ccwAddress + 4), b);
  return fromEbcdic(b);
}

/** Address of the guest's first CCW (the ORB's CCW address): ORB is assembled right before it. */
function ccwOf(vm: VirtualMachine): number {
  // The ORB is the only F'7' parameter word followed by X'00808000' in the program.
  for (let a = 0x1000; a < 0x1400; a += 4)
    if (word(vm, a) === 7 && word(vm, a + 4) === 0x00808000) return word(vm, a + 8);
  throw new Error('no ORB');
}

describe('a console READ waits for the operator', () => {
  it('stays active with no line: no interruption, TSCH cc 1 with the subchannel and device active; the VM is eligible and costs no dispatches', () => {
    const cp = system();
    const vm = bootGuest(
      cp,
      'ALICE',
      guest(`         SSCH  ORB
         IPM   3
         ST    3,X'500'
         L     1,=X'00010000'
         TSCH  X'540'
         IPM   3
         ST    3,X'504'`),
    );
    expect(cp.run(200_000_000).reason).toBe('idle');
    expect(word(vm, 0x500) >>> 28).toBe(0);
    // TSCH cc 1 (not status pending); SCSW byte 2 = start function, byte 3 = subchannel active + device active.
    expect((word(vm, 0x504) >>> 28) & 3).toBe(1);
    expect(byte(vm, 0x542)).toBe(0x40);
    expect(byte(vm, 0x543)).toBe(0xc0);
    expect(word(vm, 0x50c)).toBe(0);
    expect(vm.runState()).toBe('waiting');
    expect(cp.lists().eligible).toContain('ALICE.0');
    const dispatches = cp.counters().dispatches;
    expect(cp.run(10_000_000_000).reason).toBe('idle');
    expect(cp.counters().dispatches).toBe(dispatches);
  });

  it('completes when a line is queued: CE+DE, the data, residual count = 80 - length, the ORB parameter in the interruption code', () => {
    const { cp, vm } = aliceWaiting(`         SSCH  ORB`);
    vm.queueConsoleInput('HELLO CONSOLE');
    expect(cp.lists().dispatch).toContain('ALICE.0');
    cp.run(100_000_000);
    expect(word(vm, 0x50c)).toBe(1);
    expect(word(vm, 0x510)).toBe(0x00010000);
    expect(word(vm, 0x514)).toBe(7);
    // SCSW: status pending was primary + secondary; device status X'0C', subchannel status 0, count 67.
    expect(byte(vm, 0x528)).toBe(0x0c);
    expect(byte(vm, 0x529)).toBe(0);
    expect(vm.storage.read16(0x52a)).toBe(80 - 'HELLO CONSOLE'.length);
    expect(word(vm, 0x524)).toBe(ccwOf(vm) + 8);
    expect(guestLine(vm, ccwOf(vm)).trimEnd()).toBe('HELLO CONSOLE');
    expect(vm.consoleInput).toEqual([]);
  });

  it('a WRITE command-chained to the READ is written at once; the READ then waits and the chain ends with it', () => {
    const { cp, vm } = aliceWaiting(
      `         SSCH  ORB`,
      `CCW      DC    X'09',X'60',AL2(7),A(PROMPT)
         DC    X'0A',X'20',AL2(80),A(LINE)
PROMPT   DC    C'ENTER: '`,
    );
    expect(vm.consoleLines).toEqual(['ENTER: ']);
    expect(word(vm, 0x50c)).toBe(0);
    vm.queueConsoleInput('ANSWER');
    cp.run(100_000_000);
    expect(word(vm, 0x50c)).toBe(1);
    expect(word(vm, 0x524)).toBe(ccwOf(vm) + 16);
    expect(vm.storage.read16(0x52a)).toBe(74);
    expect(guestLine(vm, ccwOf(vm) + 8).trimEnd()).toBe('ANSWER');
  });

  it('a line longer than the READ without SLI: the READ is filled, incorrect length, residual 0', () => {
    const { cp, vm } = aliceWaiting(`         SSCH  ORB`, `CCW      DC    X'0A',X'00',AL2(4),A(LINE)`);
    vm.queueConsoleInput('TOOLONG');
    cp.run(100_000_000);
    expect(byte(vm, 0x528)).toBe(0x0c);
    expect(byte(vm, 0x529)).toBe(0x40);
    expect(vm.storage.read16(0x52a)).toBe(0);
    expect(guestLine(vm, ccwOf(vm)).slice(0, 5)).toBe('TOOL ');
  });

  it('HALT SUBCHANNEL ends a waiting READ: cc 0, halt function, CE+DE, nothing read; the next line is attention', () => {
    const { cp, vm } = aliceWaiting(startThen('HSCH'));
    expect(word(vm, 0x500) >>> 28).toBe(0);
    expect(word(vm, 0x50c)).toBe(1);
    // SCSW byte 2: start + halt function; byte 3 had primary + secondary + pending; CE+DE; count 80.
    expect(byte(vm, 0x522)).toBe(0x60);
    expect(byte(vm, 0x528)).toBe(0x0c);
    expect(vm.storage.read16(0x52a)).toBe(80);
    vm.queueConsoleInput('LATER');
    cp.run(100_000_000);
    expect(word(vm, 0x50c)).toBe(2);
    expect(byte(vm, 0x528)).toBe(0x80);
    expect(vm.consoleInput).toEqual(['LATER']);
  });

  it('CLEAR SUBCHANNEL ends a waiting READ with the clear function and no status', () => {
    const { cp, vm } = aliceWaiting(startThen('CSCH'));
    expect(word(vm, 0x500) >>> 28).toBe(0);
    expect(word(vm, 0x50c)).toBe(1);
    expect(byte(vm, 0x522)).toBe(0x10);
    expect(byte(vm, 0x528)).toBe(0);
    vm.queueConsoleInput('AFTER CLEAR');
    cp.run(100_000_000);
    expect(word(vm, 0x50c)).toBe(2);
    expect(byte(vm, 0x528)).toBe(0x80);
  });
});

describe('input with no READ active is attention', () => {
  it('an enabled console presents unit status X80 (alert status); the following READ gets the line at once', () => {
    const { cp, vm } = aliceWaiting('');
    expect(cp.lists().eligible).toContain('ALICE.0');
    vm.queueConsoleInput('TYPED AHEAD');
    cp.run(100_000_000);
    expect(word(vm, 0x50c)).toBe(1);
    expect(word(vm, 0x510)).toBe(0x00010000);
    // SCSW byte 2: no function; byte 3: alert + status pending (X'11'); device status attention.
    expect(byte(vm, 0x522)).toBe(0);
    expect(byte(vm, 0x523)).toBe(0x11);
    expect(byte(vm, 0x528)).toBe(0x80);
    expect(vm.counters.io.attention).toBe(1);
    expect(vm.consoleInput).toEqual(['TYPED AHEAD']);
  });

  it('a console the guest did not enable gets no attention; its next READ reads the line', () => {
    const cp = system();
    const source = guest('').replace("         OI    SCHIB+5,X'80'\n         MSCH  SCHIB\n", '');
    const vm = bootGuest(cp, 'BOB', source);
    cp.run(100_000_000);
    vm.queueConsoleInput('QUIET');
    cp.run(100_000_000);
    expect(word(vm, 0x50c)).toBe(0);
    expect(vm.consoleInput).toEqual(['QUIET']);
  });

  it('property: lines typed at any moments reach a READ-loop guest in order, each READ ending CE+DE with the right residual', () => {
    // The guest reads line after line into consecutive 16-byte slots, recording each residual count;
    // an attention (a line typed between two READs) is taken and the READ started again.
    const source = `${ENABLED_CONSOLE}
         L     5,=A(X'2000')
         LA    6,X'600'
NEXT     ST    5,CCW+4
         L     1,=X'00010000'
         SSCH  ORB
         BZ    WAIT
*        cc 1: an attention came in between; take it and start again.
         TSCH  IRB
         B     NEXT
WAIT     LPSW  WAITPSW
IOINT    L     1,=X'00010000'
         TSCH  IRB
         TM    IRB+8,X'0C'
         BNO   NEXT
         MVC   0(2,6),IRB+10
         LA    6,2(6)
         LA    5,16(5)
         B     NEXT
         DS    0D
WAITPSW  DC    X'020A0000',X'80000000'
IONEW    DC    X'00080000',A(X'80000000'+IOINT)
ORB      DC    F'1',X'00808000',A(CCW)
         DS    0D
CCW      DC    X'0A',X'20',AL2(16),A(0)
SCHIB    DS    XL52
IRB      DS    XL64
         END   T`;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[A-Z0-9 ]{0,16}$/), fc.integer({ min: 0, max: 3_000_000 })), {
          minLength: 1,
          maxLength: 12,
        }),
        (script) => {
          const cp = system();
          const vm = bootGuest(cp, 'ALICE', source);
          for (const [line, pause] of script) {
            cp.run(pause + 1);
            vm.queueConsoleInput(line);
          }
          cp.run(100_000_000);
          script.forEach(([line], i) => {
            const b = new Uint8Array(line.length);
            vm.storage.readBytes(0x2000 + 16 * i, b);
            expect(fromEbcdic(b)).toBe(line);
            expect(vm.storage.read16(0x600 + 2 * i)).toBe(16 - line.length);
          });
          expect(vm.consoleInput).toEqual([]);
          expect(vm.runState()).toBe('waiting');
        },
      ),
      { numRuns: 40, seed: 0x3215 },
    );
  });
});
