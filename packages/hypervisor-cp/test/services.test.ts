/**
 * CP's services to guests: DIAGNOSE (CP command with response buffer,
 * synchronous DASD I/O, bad parameters as program interruptions), minidisk
 * bounds and read-only links as the real device reports them, spooling
 * between users, SIGP between virtual CPUs, LOGOFF, snapshot/restore.
 */
import { type CkdVolume, fromEbcdic, toEbcdic } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import type { ControlProgram, VirtualMachine } from '../src/index';
import { assembleGuest } from './helpers';
import {
  CYLINDER1_RECORD1,
  cpFrom,
  DIAG18_READ_CCWS,
  ENABLE_SUBCHANNEL,
  kernelMinidisks,
  logonUser,
  readRecordCcws,
  word,
} from './rig';

const DIRECTORY = `
USER ALICE ALICE 1M 4M G
 MACHINE ESA 2
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
 MDISK 191 3390 300 5 VMRES1 MR
USER BOB BOB 1M 4M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 LINK ALICE 191 291 RR
 MDISK 191 3390 400 5 VMRES1 W
`;

function system(): { cp: ControlProgram; real: CkdVolume } {
  const real = kernelMinidisks(1113, [300, 400]);
  return { cp: cpFrom(DIRECTORY, [{ volser: 'VMRES1', volume: real }]), real };
}

/** LOGON `user`, load `source` and start it as an IPL would: through a PSW at X'0' (the restart key). */
function boot(
  cp: ControlProgram,
  user: string,
  source: string,
  style: 'trap-and-emulate' | 'sie' = 'trap-and-emulate',
): VirtualMachine {
  const vm = logonUser(cp, user, style);
  const g = assembleGuest(source);
  for (const c of g.chunks) vm.load(c.address, c.bytes);
  vm.load(0, Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, g.entry >>> 8, g.entry & 0xff]));
  vm.restart();
  return vm;
}

const HEAD = `
T        START X'1000'
         BALR  12,0
         USING *,12
         MVC   X'68'(8),PGMNEW
`;
const TAIL = `
DONE     LPSW  WAITPSW
PGMINT   MVC   X'400'(8),X'88'
         LPSW  WAITPSW
         DS    0D
WAITPSW  DC    X'000A0000',X'00000000'
PGMNEW   DC    X'00080000',A(X'80000000'+PGMINT)
`;

/** ALICE on a new system, running `body` between HEAD and TAIL in `style`. */
function aliceIn(
  style: 'trap-and-emulate' | 'sie',
  body: string,
): { cp: ControlProgram; vm: VirtualMachine } {
  const { cp } = system();
  return { cp, vm: boot(cp, 'ALICE', `${HEAD}${body}\n${TAIL}\n         END   T`, style) };
}

describe('DIAGNOSE X08: a CP command from the guest', () => {
  it('returns the response in the buffer, Ry = return code, R(y+1) = length, cc 0', () => {
    const { cp } = system();
    const vm = boot(
      cp,
      'ALICE',
      `${HEAD}
         LA    2,CMD
         LA    3,BUF
         L     4,=X'40000012'
         LA    5,200
         DIAG  2,4,X'008'
         IPM   6
         STM   4,6,X'500'
         LA    2,CMD2
         LA    4,9
         DIAG  2,4,X'008'
         ST    4,X'510'
         B     DONE
CMD      DC    C'QUERY VIRTUAL STOR'
CMD2     DC    C'FROB ZORK'
BUF      DS    CL200
${TAIL}
         END   T`,
    );
    cp.run(10_000_000);
    expect(word(vm, 0x500)).toBe(0);
    const len = word(vm, 0x504);
    // BUF follows CMD2 in the program: find it by the response text instead of by offset.
    const all = new Uint8Array(0x200);
    vm.storage.readBytes(0x1000, all);
    const s = fromEbcdic(all);
    expect(s).toContain('STORAGE = 1M');
    expect(len).toBe('STORAGE = 1M'.length);
    expect(word(vm, 0x508) >>> 28).toBe(0);
    // An unknown command: return code 1 in Ry, and CP's message on the console.
    expect(word(vm, 0x510)).toBe(1);
    expect(vm.consoleLines).toContain('HCPCMD001E Unknown CP command: FROB');
    expect(vm.counters.emulated['DIAG 008']).toBe(2);
  });

  it('bad parameters are the guest’s program interruptions: odd register pairs → specification, buffer outside storage → addressing', () => {
    const { cp } = system();
    const vm = boot(
      cp,
      'ALICE',
      `${HEAD}
         LA    2,CMD
         L     3,=X'7FFFF000'
         L     4,=X'40000005'
         LA    5,100
         DIAG  2,4,X'008'
         B     DONE
CMD      DC    C'Q TIME'
${TAIL}
         END   T`,
    );
    cp.run(10_000_000);
    // Program interruption code X'0005' addressing, ILC 2.
    expect(word(vm, 0x8c)).toBe(0x00040005);
    const vm2 = boot(
      cp,
      'BOB',
      `${HEAD}
         LA    2,CMD
         L     3,=X'40000005'
         DIAG  2,3,X'008'
         B     DONE
CMD      DC    C'Q TIME'
${TAIL}
         END   T`,
    );
    cp.run(10_000_000);
    expect(word(vm2, 0x8c)).toBe(0x00040006);
    expect(vm2.counters.reflectedProgram['0006']).toBe(1);
  });

  it('an unknown DIAGNOSE code is a specification exception; DIAGNOSE in problem state a privileged-operation exception', () => {
    const { cp } = system();
    const vm = boot(
      cp,
      'ALICE',
      `${HEAD}
         DIAG  0,0,X'FFF'
         B     DONE
${TAIL}
         END   T`,
    );
    cp.run(1_000_000);
    expect(word(vm, 0x8c)).toBe(0x00040006);
    const vm2 = boot(
      cp,
      'BOB',
      `${HEAD}
         LPSW  PROB
USER     DIAG  0,0,X'008'
         B     DONE
         DS    0D
PROB     DC    X'00090000',A(X'80000000'+USER)
${TAIL}
         END   T`,
    );
    cp.run(1_000_000);
    expect(word(vm2, 0x8c)).toBe(0x00040002);
  });
});

describe('minidisk I/O', () => {
  it.each(['trap-and-emulate', 'sie'] as const)(
    '%s: DIAGNOSE X18 reads a record of the minidisk synchronously (relocated to the real cylinder)',
    (style) => {
      const { cp, vm } = aliceIn(
        style,
        `
         LA    2,X'191'
         LA    3,CCWS
         DIAG  2,3,X'018'
         IPM   4
         STM   4,4,X'500'
         ST    15,X'504'
         B     DONE
         DS    0D
${DIAG18_READ_CCWS}`,
      );
      cp.run(200_000_000);
      expect(word(vm, 0x500) >>> 28).toBe(0);
      expect(word(vm, 0x504)).toBe(0);
      const rec = new Uint8Array(25);
      vm.storage.readBytes(0x600, rec);
      expect(fromEbcdic(rec)).toBe('MINIKERN BOOTED FROM DISK');
    },
  );

  it('a seek beyond the minidisk is rejected by the device (unit check, command reject); a write through an RR link is file protected', () => {
    const { cp, real } = system();
    const before = real.track(305, 0).length;
    const program = (disk: string, cyl: string, write: boolean) => `${HEAD}
         L     1,=X'00010000'
FIND     STSCH SCHIB
         CLC   SCHIB+6(2),=X'${disk}'
         BE    FOUND
         LA    1,1(1)
         B     FIND
FOUND    OI    SCHIB+5,X'80'
         MSCH  SCHIB
         SSCH  ORB
POLL     TSCH  IRB
         BNZ   POLL
         MVC   X'500'(12),IRB
         LA    0,1
         SSCH  ORBS
POLL2    TSCH  IRB
         BNZ   POLL2
         MVC   X'510'(4),SENSE
         B     DONE
         DS    0D
ORB      DC    F'1',X'00808000',A(CCW)
ORBS     DC    F'2',X'00808000',A(CCWS)
${readRecordCcws('CCW', "X'600'", '20', write ? '05' : '06')}
CCWS     DC    X'04',X'20',AL2(4),A(SENSE)
SEEK     DC    X'0000${cyl}0000'
ID       DC    X'${cyl}000001'
SENSE    DC    F'0'
SCHIB    DS    XL52
IRB      DS    XL64
${TAIL}
         END   T`;
    const alice = boot(cp, 'ALICE', program('0191', '0005', false));
    cp.run(200_000_000);
    // SCSW: device status CE+DE+UC (X'0E'); sense byte 0 = command reject (X'80').
    expect(alice.storage.read8(0x508)).toBe(0x0e);
    expect(alice.storage.read8(0x510)).toBe(0x80);
    const bob = boot(cp, 'BOB', program('0291', '0001', true));
    cp.run(200_000_000);
    expect(bob.storage.read8(0x508)).toBe(0x0e);
    // Sense byte 1 X'04': file protected.
    expect(bob.storage.read8(0x511)).toBe(0x04);
    expect(real.track(305, 0).length).toBe(before);
    const q = cp.vm('BOB')!;
    expect(q.io.byDevice(0x291)!.device).toMatchObject({
      kind: 'minidisk',
      readOnly: true,
      startCylinder: 300,
      owner: 'ALICE',
    });
  });
});

describe('spooling between users', () => {
  it('ALICE punches two cards to BOB; BOB reads them from his reader, then end of file (unit exception)', () => {
    const { cp } = system();
    const punch = `${HEAD}
         L     1,=X'00010002'
${ENABLE_SUBCHANNEL}
         SSCH  ORB
P1       TSCH  IRB
         BNZ   P1
         LA    2,CMD
         LA    3,L'CMD
         DIAG  2,3,X'008'
         LA    2,CMD2
         LA    3,9
         DIAG  2,3,X'008'
         B     DONE
         DS    0D
ORB      DC    F'1',X'00808000',A(CCW)
         DS    0D
CCW      DC    X'01',X'40',AL2(80),A(CARD1)
         DC    X'01',X'00',AL2(80),A(CARD2)
CMD      DC    C'SPOOL PUNCH TO BOB'
CMD2     DC    C'CLOSE 00D'
CARD1    DC    CL80'HELLO BOB'
CARD2    DC    CL80'SECOND CARD'
         DS    0F
SCHIB    DS    XL52
IRB      DS    XL64
${TAIL}
         END   T`;
    const alice = boot(cp, 'ALICE', punch.replace("LA    3,L'CMD", 'LA    3,18'));
    cp.run(10_000_000);
    expect(alice.consoleLines).toContain('PUN FILE 0001 SENT TO BOB CLASS A RECS 0002');
    expect(cp.spool.reader('BOB').map((f) => f.records.length)).toEqual([2]);
    const bob = boot(
      cp,
      'BOB',
      `${HEAD}
         L     1,=X'00010001'
${ENABLE_SUBCHANNEL}
         LA    4,X'600'
         LA    5,X'508'
READ     ST    4,CCW+4
         SSCH  ORB
R1       TSCH  IRB
         BNZ   R1
         MVC   0(1,5),IRB+8
         LA    5,1(5)
         TM    IRB+8,X'01'
         BO    DONE
         LA    4,80(4)
         B     READ
         DS    0D
ORB      DC    F'1',X'00808000',A(CCW)
         DS    0D
CCW      DC    X'02',X'00',AL2(80),A(0)
SCHIB    DS    XL52
IRB      DS    XL64
${TAIL}
         END   T`,
    );
    cp.run(10_000_000);
    const cards = new Uint8Array(160);
    bob.storage.readBytes(0x600, cards);
    expect(fromEbcdic(cards.subarray(0, 80)).trimEnd()).toBe('HELLO BOB');
    expect(fromEbcdic(cards.subarray(80)).trimEnd()).toBe('SECOND CARD');
    // Device status per read: CE+DE, CE+DE, then CE+DE+UE at end of file.
    expect([bob.storage.read8(0x508), bob.storage.read8(0x509), bob.storage.read8(0x50a)]).toEqual([
      0x0c, 0x0c, 0x0d,
    ]);
    expect(cp.spool.reader('BOB')).toEqual([]);
  });

  it('CP commands from the terminal side: QUERY NAMES, QUERY VIRTUAL DASD, MSG', () => {
    const { cp } = system();
    cp.logon('ALICE');
    cp.logon('BOB');
    expect(cp.command('ALICE', 'Q NAMES').lines).toEqual(['ALICE    - DSC , BOB      - DSC']);
    expect(cp.command('BOB', 'QUERY VIRTUAL DASD').lines).toEqual([
      'DASD 0291 3390 VMRES1 R/O      5 CYL ON DASD 0100 SUBCHANNEL = 0003',
      'DASD 0191 3390 VMRES1 R/W      5 CYL ON DASD 0100 SUBCHANNEL = 0004',
    ]);
    expect(cp.command('ALICE', 'MSG BOB HELLO THERE').rc).toBe(0);
    expect(cp.vm('BOB')!.consoleLines.at(-1)).toBe('MSG FROM ALICE: HELLO THERE');
    expect(cp.command('CAROL', 'Q NAMES')).toEqual({ rc: 45, lines: ['HCPCMD045E CAROL not logged on'] });
  });

  it('TRANSFER and PURGE move and delete reader files; QUERY READER lists them', async () => {
    const { cp } = system();
    const { executeCommand } = await import('../src/index');
    const a = cp.logon('ALICE');
    const b = cp.logon('BOB');
    if (!a.ok || !b.ok) throw new Error('logon');
    const f = cp.spool.create('ALICE', 'punch', 'A', [toEbcdic('X')], 'ALICE');
    expect(executeCommand(cp, a.vm, 'Q RDR').lines[1]).toMatch(/^ALICE +0001 A PUN 00000001 001 NONE$/);
    expect(executeCommand(cp, a.vm, `TRANSFER RDR ${f.id} TO BOB`).rc).toBe(0);
    expect(cp.spool.reader('BOB').map((x) => x.id)).toEqual([f.id]);
    expect(b.vm.consoleLines.at(-1)).toBe('RDR FILE 0001 TRANSFERRED FROM ALICE');
    expect(executeCommand(cp, a.vm, `PURGE RDR ${f.id}`).rc).toBe(42);
    expect(executeCommand(cp, b.vm, 'PURGE RDR ALL').lines).toEqual(['0001 FILE PURGED']);
    expect(executeCommand(cp, b.vm, 'QUERY READER').lines).toEqual(['NO RDR FILES']);
  });
});

describe('virtual CPUs, LOGOFF, snapshot', () => {
  it.each(['trap-and-emulate', 'sie'] as const)(
    '%s: SIGP — CPU 0 sets CPU 1’s prefix, restarts it; CPU 1 signals back with an emergency signal',
    (style) => {
      const { cp, vm } = aliceIn(
        style,
        `
         MVC   X'58'(8),EXTNEW
         L     2,=A(X'10000')
         MVC   0(8,2),RESTART
         MVC   X'608'(8,2),WAITPSW
         LR    3,2
         LA    4,1
         SIGP  2,4,X'0D'
         SIGP  0,4,X'06'
         LCTL  0,0,=X'00004000'
         LPSW  WAITEXT
EXTINT   MVC   X'500'(4),X'84'
         B     DONE
CPU1     STAP  X'600'
         LA    3,0
         SIGP  0,3,X'03'
         LPSW  X'608'
         DS    0D
RESTART  DC    X'00080000',A(X'80000000'+CPU1)
EXTNEW   DC    X'00080000',A(X'80000000'+EXTINT)
WAITEXT  DC    X'010A0000',X'00000000'`,
      );
      cp.run(10_000_000);
      // Emergency signal X'1201' from CPU address 1; CPU 1 stored its address in its own prefix area.
      expect(word(vm, 0x500)).toBe(0x00011201);
      expect(vm.storage.read16(0x10600)).toBe(1);
      expect(vm.cpus[1]!.prefix).toBe(0x10000);
      expect(vm.counters.emulated.SIGP).toBe(3);
      if (style === 'sie') expect(vm.counters.emulated.LPSW).toBeUndefined();
    },
  );

  it('LOGOFF scrubs the storage; the next user of the same real frames reads zeros', () => {
    const { cp } = system();
    const a = cp.logon('ALICE');
    if (!a.ok) throw new Error('logon');
    a.vm.load(0x5000, Uint8Array.from([1, 2, 3, 4]));
    const origin = a.vm.storage.origin;
    cp.logoff('ALICE');
    const b = cp.logon('BOB');
    if (!b.ok) throw new Error('logon');
    expect(b.vm.storage.origin).toBe(origin);
    expect(b.vm.storage.read32(0x5000)).toBe(0);
  });

  it('snapshot and restore: running on after a restore repeats the same console output and end state', () => {
    const { cp } = system();
    const vm = boot(
      cp,
      'ALICE',
      `${HEAD}
         LA    2,CMD
         LA    3,6
         LA    5,3
LOOP     DIAG  2,3,X'008'
         BCT   5,LOOP
         B     DONE
CMD      DC    C'Q TIME'
${TAIL}
         END   T`,
    );
    const snap = cp.snapshot();
    if (!snap.ok) throw new Error(snap.error.message);
    cp.run(10_000_000);
    const first = vm.consoleLines.length;
    const psw = vm.cpus[0]!.getPsw();
    expect(first).toBeGreaterThan(0);
    expect(cp.restore(snap.snapshot).ok).toBe(true);
    expect(vm.consoleLines.length).toBe(0);
    cp.run(10_000_000);
    expect(vm.consoleLines.length).toBe(first);
    expect(vm.cpus[0]!.getPsw()).toEqual(psw);
  });
});

describe('DEFINE STORAGE', () => {
  it('gives a new size up to the directory maximum with a system reset; devices and spool state stay', () => {
    const { cp } = system();
    const a = cp.logon('ALICE');
    if (!a.ok) throw new Error('logon');
    a.vm.load(0x5000, Uint8Array.from([9, 9, 9, 9]));
    const punch = a.vm.io.byDevice(0x00d)!.device as { records: Uint8Array[] };
    punch.records.push(new Uint8Array(80));
    expect(cp.defineStorage('ALICE', 8 * 1024 * 1024)).toMatchObject({
      ok: false,
      error: { code: 'HCPDST094E' },
    });
    const r = cp.defineStorage('ALICE', 2 * 1024 * 1024);
    if (!r.ok) throw new Error(r.error.message);
    const vm = r.vm;
    expect(cp.vm('ALICE')).toBe(vm);
    expect(vm.storageSize).toBe(2 * 1024 * 1024);
    expect(vm.storage.read32(0x5000)).toBe(0);
    expect(vm.consoleLines.slice(-2)).toEqual(['STORAGE = 2M', 'Storage cleared - system reset.']);
    expect((vm.io.byDevice(0x00d)!.device as { records: Uint8Array[] }).records).toHaveLength(1);
    expect(vm.runState()).toBe('stopped');
    // The new machine runs: QUERY VIRTUAL STORAGE from the guest sees 2M.
    const g = assembleGuest(`${HEAD}
         LA    2,CMD
         LA    3,BUF
         L     4,=X'40000012'
         LA    5,80
         DIAG  2,4,X'008'
         MVC   X'500'(12),BUF
         B     DONE
CMD      DC    C'QUERY VIRTUAL STOR'
BUF      DS    CL80
${TAIL}
         END   T`);
    for (const c of g.chunks) vm.load(c.address, c.bytes);
    vm.load(0, Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, g.entry >>> 8, g.entry & 0xff]));
    vm.restart();
    cp.run(10_000_000);
    const text = new Uint8Array(12);
    vm.storage.readBytes(0x500, text);
    expect(fromEbcdic(text)).toBe('STORAGE = 2M');
    expect(cp.counters().users.ALICE).toBe(vm.counters);
  });
});

describe('channel-program translation details', () => {
  it('a data area crossing a page is described to the real channel with IDAWs; a guest IDAW list is translated too', () => {
    const { cp } = system();
    const vm = boot(
      cp,
      'ALICE',
      `${HEAD}
         L     1,=X'00010004'
${ENABLE_SUBCHANNEL}
         SSCH  ORB
P1       TSCH  IRB
         BNZ   P1
         MVC   X'500'(12),IRB
         SSCH  ORB2
P2       TSCH  IRB
         BNZ   P2
         MVC   X'510'(12),IRB
         B     DONE
         DS    0D
ORB      DC    F'1',X'00808000',A(CCW)
ORB2     DC    F'2',X'00808000',A(CCW2)
         DS    0D
${readRecordCcws('CCW', "X'4FD8'")}
${readRecordCcws('CCW2', 'IDAWS', '24')}
IDAWS    DC    A(X'67F0'),A(X'9000')
${CYLINDER1_RECORD1}
         DS    0F
SCHIB    DS    XL52
IRB      DS    XL64
${TAIL}
         END   T`,
    );
    cp.run(200_000_000);
    // Both completed with CE+DE and no subchannel status.
    expect([vm.storage.read8(0x508), vm.storage.read8(0x509)]).toEqual([0x0c, 0]);
    expect([vm.storage.read8(0x518), vm.storage.read8(0x519)]).toEqual([0x0c, 0]);
    const text = (a: number, n: number) => {
      const b = new Uint8Array(n);
      vm.storage.readBytes(a, b);
      return fromEbcdic(b);
    };
    // 40 bytes before X'5000', 40 after: one record across the page boundary.
    expect(text(0x4fd8, 25)).toBe('MINIKERN BOOTED FROM DISK');
    // Guest IDAWs: the first 16 bytes at X'67F0' (to the 2K boundary), the rest at X'9000'.
    expect(text(0x67f0, 16) + text(0x9000, 9)).toBe('MINIKERN BOOTED FROM DISK');
    expect(vm.storage.read8(0x6800)).toBe(0);
    expect(vm.counters.io.idaw).toBeGreaterThanOrEqual(2);
  });
});
