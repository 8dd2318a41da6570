/**
 * CP's style 2: virtual machines run by isa-core's interpretive-execution
 * facility (SIE). The facility itself — state description, interception
 * codes, validity, two-level DAT — is tested in isa-core; here: the format-1
 * description CP keeps for each virtual CPU (origin and extent of the VM's
 * window, CPU address, no interception controls), what reaches CP (only
 * DIAGNOSE, I/O and waits, not the guest's own LPSW/LCTL/SPT/SVC/program
 * interruptions), reflection of an intercepted program interruption, and a
 * new VM in a window a logged-off one used.
 */
import {
  type AbsoluteAddress,
  decodeStateDescription,
  InterpretiveExecution,
  SIE_ICPT,
  SIE_M,
  SIE_SD_SIZE,
} from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { type ControlProgram, createCp, type VirtualMachine } from '../src/index';
import { assembleGuest } from './helpers';
import { diagnoseUnderExecute } from './rig';

function cp(): ControlProgram {
  const r = createCp({
    directory: 'USER ONE X 1M 4M G\n CONSOLE 009 3215\nUSER TWO X 1M 4M G\n CONSOLE 009 3215\n',
    volumes: [],
  });
  if (!r.ok) throw new Error('directory');
  return r.cp;
}

function boot(c: ControlProgram, user: string, source: string): VirtualMachine {
  const l = c.logon(user, undefined, { style: 'sie' });
  if (!l.ok) throw new Error(l.error.message);
  const g = assembleGuest(source);
  for (const ch of g.chunks) l.vm.load(ch.address, ch.bytes);
  l.vm.start(0x00080000, (0x80000000 | g.entry) >>> 0);
  return l.vm;
}

function stateDescription(vm: VirtualMachine) {
  const b = new Uint8Array(SIE_SD_SIZE);
  vm.storage.host.readInto(vm.stateDescriptionAddress(0) as AbsoluteAddress, b);
  return decodeStateDescription(b);
}

/**
 * A guest at X'1000' (base GR12) that first points its program new PSW at
 * PGMH, which `body` defines. After `body`, doubleword aligned: `data`, then
 * PGMNEW and WAIT (the disabled wait the guest ends in), then the literal pool.
 */
function withProgramHandler(body: string, data?: string): string {
  return `
G        START X'1000'
         BALR  12,0
         USING *,12
         MVC   X'68'(8),PGMNEW${body}
         DS    0D${data === undefined ? '' : `\n${data}`}
PGMNEW   DC    X'00080000',A(X'80000000'+PGMH)
WAIT     DC    X'000A0000',X'00000000'
         LTORG
         END   G`;
}

/** A guest supervisor that runs its own SVC, program and CPU-timer interruptions, then asks CP for the time and waits. */
const SUPERVISOR = `
G        START X'1000'
         BALR  12,0
         USING *,12
         MVC   X'58'(8),EXTNEW
         MVC   X'60'(8),SVCNEW
         MVC   X'68'(8),PGMNEW
         SVC   5
         DC    H'0'
         LCTL  0,0,CR0
         SPT   TIMER
         STOSM MASK,X'01'
LOOP     AHI   6,1
         J     LOOP
SVCH     LA    3,1(3)
         LPSW  X'20'
PGMH     LA    4,1(4)
         LPSW  X'28'
EXTH     LA    5,1(5)
         LA    2,CMD
         LA    7,10
         DIAG  2,7,X'008'
         LPSW  WAIT
         DS    0D
EXTNEW   DC    X'00080000',A(X'80000000'+EXTH)
SVCNEW   DC    X'00080000',A(X'80000000'+SVCH)
PGMNEW   DC    X'00080000',A(X'80000000'+PGMH)
WAIT     DC    X'000A0000',X'00000000'
TIMER    DC    X'00000000',X'00100000'
CR0      DC    X'000004E0'
CMD      DC    C'QUERY TIME'
MASK     DS    X
         END   G`;

describe('CP under SIE', () => {
  it("uses isa-core's facility with one format-1 description per virtual CPU: the VM's window as MSO/MSE, its CPU address, no interception controls", () => {
    const c = cp();
    expect(c.sie.facility).toBeInstanceOf(InterpretiveExecution);
    const vm = boot(c, 'ONE', SUPERVISOR);
    c.run(50_000_000);
    const sd = stateDescription(vm);
    expect(sd.mode).toBe(SIE_M.XA);
    expect(sd.mso * 0x10000).toBe(vm.storage.origin);
    expect((sd.mse + 1) * 0x10000).toBe(vm.storage.size);
    expect(sd.cpuAddress).toBe(0);
    expect([sd.ic, sd.svcControls, sd.lctlMask]).toEqual([0, 0, 0]);
    // The description sits in CP's work area, outside the guest's storage.
    expect(vm.stateDescriptionAddress(0)).toBeGreaterThanOrEqual(vm.storage.origin + vm.storage.size);
    expect(sd.interceptionCode).toBe(SIE_ICPT.WAIT);
  });

  it('the guest takes its own SVC, program and timer interruptions and runs LCTL/SPT/STOSM/LPSW itself: CP sees only the DIAGNOSE and the wait', () => {
    const c = cp();
    const vm = boot(c, 'ONE', SUPERVISOR);
    c.run(50_000_000);
    const g = vm.cpus[0]!.cpu.gpr;
    expect([g[3], g[4], g[5]]).toEqual([1, 1, 1]);
    expect(g[6]).toBeGreaterThan(0);
    // QUERY TIME answers two lines.
    expect(vm.consoleLines.length).toBe(2);
    expect(vm.consoleLines[0]).toMatch(/^TIME IS /);
    expect(vm.counters.emulated).toEqual({ DIAG: 1, 'DIAG 008': 1 });
    expect(vm.counters.svcReflected).toBe(0);
    expect(vm.counters.reflectedProgram).toEqual({});
    expect(vm.counters.externalDelivered).toBe(0);
    expect(vm.runState()).toBe('disabled-wait');
    expect(vm.cpus[0]!.getPsw()).toEqual([0x000a0000, 0]);
  });

  it('a program exception CP finds while emulating an intercepted instruction is reflected to the guest as the hardware would take it', () => {
    // DIAGNOSE X'008' with a command address outside the guest's storage: CP's emulation finds the addressing
    // exception and reflects it to the guest's program new PSW with the DIAGNOSE's ILC.
    const c = cp();
    const vm = boot(
      c,
      'ONE',
      withProgramHandler(`
         L     2,=A(X'7FFFF000')
         LA    7,10
         DIAG  2,7,X'008'
         LPSW  WAIT
PGMH     MVC   X'400'(8),X'88'
         LPSW  WAIT`),
    );
    c.run(10_000_000);
    expect(vm.storage.read32(0x404) >>> 0).toBe(0x00040005);
    expect(vm.counters.reflectedProgram['0005']).toBe(1);
  });

  it('an intercepted instruction comes back with the PSW past it: CP emulates from IPA/IPB, also an EXECUTE target, and does not advance the PSW again', () => {
    // DIAGNOSE X'008' directly and as the target of EX: each is answered once, the guest continues right after the
    // DIAGNOSE / the EX (GR8, GR9 count the instructions there), and with a command address outside storage the
    // addressing exception's old PSW is past the EX with ILC 2 (the EXECUTE's), as the hardware would take it.
    const c = cp();
    const vm = boot(
      c,
      'ONE',
      `
G        START X'1000'
         BALR  12,0
         USING *,12
${diagnoseUnderExecute('LPSW  WAIT')}
WAIT     DC    X'000A0000',X'00000000'
CMD      DC    C'QUERY TIME'
         LTORG
         END   G`,
    );
    const g = vm.cpus[0]!.cpu.gpr;
    g[8] = 0;
    g[9] = 0;
    c.run(10_000_000);
    expect(vm.consoleLines.length).toBe(4);
    expect([g[8], g[9]]).toEqual([1, 1]);
    expect(vm.counters.emulated['DIAG 008']).toBe(3);
    expect(vm.storage.read32(0x404) >>> 0).toBe(0x00040005);
    const after = vm.storage.read32(0x40c) & 0x7fffffff;
    // AFTER is the instruction after the second EX: the old PSW points there, not at or past the DIAGNOSE target.
    const ex = vm.storage.read32(after - 4) >>> 0;
    expect(ex >>> 24).toBe(0x44);
    expect(vm.runState()).toBe('disabled-wait');
  });

  it('a protection exception CP finds in an intercepted instruction’s operand is reflected with the TEA of the page', () => {
    // The command buffer at X'3000' gets storage key 3 with fetch protection; the DIAGNOSE runs under PSW key 5.
    const c = cp();
    const vm = boot(
      c,
      'ONE',
      withProgramHandler(
        `
         L     2,=A(X'3000')
         LA    4,X'38'
         SSKE  4,2
         LPSW  KEY5
NEXT     LA    7,10
         DIAG  2,7,X'008'
         LPSW  WAIT
PGMH     MVC   X'400'(8),X'88'
         MVC   X'408'(4),X'90'
         LPSW  WAIT`,
        `KEY5     DC    X'00580000',A(X'80000000'+NEXT)`,
      ),
    );
    c.run(10_000_000);
    expect(vm.storage.read32(0x404) >>> 0).toBe(0x00040004);
    expect(vm.storage.read32(0x408) >>> 0).toBe(0x00003000);
    expect(vm.consoleLines).toEqual([]);
  });

  it("MSE is the guest's own extent: a VM above the first stores its last word at its origin + X'FFFFC', and one byte past its 1 MB is an addressing exception SIE intercepts and CP reflects", () => {
    const c = cp();
    boot(c, 'ONE', SUPERVISOR);
    const vm = boot(
      c,
      'TWO',
      withProgramHandler(`
         L     2,=F'305419896'
         L     3,=A(X'FFFFC')
         ST    2,0(3)
         L     4,=A(X'100000')
         L     5,0(4)
         LA    9,1
PGMH     LPSW  WAIT`),
    );
    c.run(50_000_000);
    // The second window starts above the first: an extent counted from host 0 would reach past this guest.
    expect(vm.storage.origin).toBeGreaterThan(0);
    const sd = stateDescription(vm);
    expect((sd.mse + 1) * 0x10000).toBe(vm.storage.size);
    expect(vm.storage.host.read32((vm.storage.origin + 0xffffc) as AbsoluteAddress) >>> 0).toBe(0x12345678);
    // Guest X'100000' is past its 1 MB: not CP's storage but an addressing exception (ILC 4, code 5). SIE intercepts
    // it (code X'08', mandatory) and CP reflects it: the guest's handler sees it as it would bare.
    expect(vm.storage.read32(0x8c) >>> 0).toBe(0x00040005);
    expect(vm.counters.reflectedProgram['0005']).toBe(1);
    expect(vm.cpus[0]!.cpu.gpr[9]).toBe(0);
  });

  it('a new virtual machine where a logged-off one ran starts from its own state, not the old guest CPU', () => {
    const c = cp();
    const first = boot(c, 'ONE', SUPERVISOR);
    c.run(50_000_000);
    const where = first.stateDescriptionAddress(0);
    const old = c.sie.facility.guestCpu(where);
    expect(old).toBeDefined();
    expect(c.logoff('ONE')).toBe(true);
    const second = boot(c, 'ONE', SUPERVISOR);
    expect(second.stateDescriptionAddress(0)).toBe(where);
    c.run(50_000_000);
    const g = second.cpus[0]!.cpu.gpr;
    expect([g[3], g[4], g[5]]).toEqual([1, 1, 1]);
    expect(second.consoleLines.length).toBe(2);
    // The facility built a fresh guest CPU (its translations and timers) for the new guest.
    expect(c.sie.facility.guestCpu(where)).not.toBe(old);
  });
});
