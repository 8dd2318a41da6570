/**
 * CP commands as `executeCommand` answers them — the same for the terminal
 * and for DIAGNOSE X'08': QUERY NAMES/USERID/TIME/STORAGE/DASD/VIRTUAL/
 * READER, DEFINE STORAGE (refused from the guest), IPL, SYSTEM RESET and
 * CLEAR, BEGIN, DIAL, MSG, SPOOL, TRANSFER, LINK access modes.
 */
import { CkdVolume, formatVolume, fromEbcdic, geometry3390, toEbcdic } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import { type ControlProgram, dialCommand, executeCommand } from '../src/index';
import { expectAnswers } from './answers';
import { cpFrom, kernelMinidisks, loadGuest, logonUser, readRecordCcws, startSubchannel } from './rig';

const DIRECTORY = `
USER ALICE ALICE 1M 4M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 MDISK 191 3390 10 5 VMRES1 MR
USER BOB BOB 1M 4M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 MDISK 191 3390 20 5 VMRES1 MR
USER CAROL CAROL 1M 4M G
 CONSOLE 009 3215
USER DAVE DAVE 1M 4M G
 CONSOLE 009 3215
USER ERIN ERIN 1M 4M G
 CONSOLE 009 3215
USER OPER OPER 1M 4M BG
 CONSOLE 009 3215
`;

function system(): ControlProgram {
  // VMRES2 holds no minidisk: the one volume a class B user can ATTACH.
  const spare = new CkdVolume(geometry3390(30));
  formatVolume(spare, 'VMRES2');
  return cpFrom(
    DIRECTORY,
    [
      { volser: 'VMRES1', volume: kernelMinidisks(100, [10]) },
      { volser: 'VMRES2', volume: spare },
    ],
    { realStorage: 64 * 1024 * 1024 },
  );
}

describe('QUERY', () => {
  it('NAMES: userid and terminal (or DSC), four to a line; USERID; STORAGE; DASD', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    for (const u of ['BOB', 'CAROL', 'DAVE', 'ERIN']) logonUser(cp, u);
    const terminals: Record<string, string> = { ALICE: 'L0001', DAVE: 'L0003' };
    cp.connectTerminals({ terminalOf: (u) => terminals[u] ?? null, connectedSince: () => null });
    const r = executeCommand(cp, alice, 'Q N');
    expect(r).toEqual({
      rc: 0,
      lines: ['ALICE    - L0001 , BOB      - DSC , CAROL    - DSC , DAVE     - L0003', 'ERIN     - DSC'],
    });
    expect(executeCommand(cp, alice, 'QUERY USERID').lines).toEqual(['ALICE AT STRACHEY']);
    expect(executeCommand(cp, alice, 'QUERY STOR').lines).toEqual(['STORAGE = 1M']);
    expect(executeCommand(cp, alice, 'QUERY DASD').lines).toEqual([
      'DASD 0191 3390 VMRES1 R/W      5 CYL ON DASD 0100 SUBCHANNEL = 0003',
    ]);
    expect(executeCommand(cp, alice, 'QUERY VIRTUAL 00C').lines).toEqual([
      'RDR  000C CL * NOCONT NOHOLD EOF SUBCHANNEL = 0001',
    ]);
    expect(executeCommand(cp, alice, 'QUERY VIRTUAL 0FF')).toEqual({
      rc: 40,
      lines: ['HCPQVD040E Device 00FF does not exist'],
    });
    expect(executeCommand(cp, alice, 'QUERY FROB')).toEqual({
      rc: 26,
      lines: ['HCPCQV026E Operand missing or invalid: FROB'],
    });
  });

  it('TIME at the terminal: the date, CONNECT= since LOGON, VIRTCPU= and TOTCPU= in mmm:ss.hh', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    // 90 simulated seconds pass.
    cp.clock.advanceTo(90 * 1e6 * cp.clock.cyclesPerMicrosecond);
    // ALICE's terminal connected 30 s after the epoch.
    cp.connectTerminals({
      terminalOf: (u) => (u === 'ALICE' ? 'L0001' : null),
      connectedSince: (u) => (u === 'ALICE' ? 30 : null),
    });
    const r = executeCommand(cp, alice, 'QUERY TIME');
    expect(r.lines).toEqual([
      'TIME IS 00:01:30 UTC MONDAY 01/01/00',
      'CONNECT= 00:01:00 VIRTCPU= 000:00.00 TOTCPU= 000:00.00',
    ]);
  });

  it('READER: one line per file, in z/VM’s columns (origin, spoolid, class and type, records, copies, hold)', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    expect(executeCommand(cp, alice, 'Q RDR').lines).toEqual(['NO RDR FILES']);
    cp.spool.create('BOB', 'punch', 'A', [toEbcdic('X'), toEbcdic('Y')], 'ALICE');
    cp.spool.create('CAROL', 'printer', 'B', [toEbcdic('Z')], 'ALICE');
    expect(executeCommand(cp, alice, 'Q RDR').lines).toEqual([
      'ORIGINID FILE CLASS RECORDS  CPY HOLD',
      'BOB      0001 A PUN 00000002 001 NONE',
      'CAROL    0002 B PRT 00000001 001 NONE',
    ]);
  });
});

describe('DEFINE, SYSTEM, BEGIN, IPL', () => {
  it('DEFINE STORAGE: up to the directory maximum, not from the guest; bad operands', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    expect(executeCommand(cp, alice, 'DEFINE STORAGE 8M').lines).toEqual([
      'HCPDST094E Storage exceeds allowed maximum of 4096K',
    ]);
    expect(executeCommand(cp, alice, 'DEFINE STORAGE 2X').lines).toEqual([
      'HCPDST026E Operand missing or invalid: 2X',
    ]);
    expect(executeCommand(cp, alice, 'DEFINE STORAGE 2M', { source: 'guest' }).rc).not.toBe(0);
    expect(cp.vm('ALICE')).toBe(alice);
    expect(executeCommand(cp, alice, 'DEF STOR 2M').lines).toEqual([
      'STORAGE = 2M',
      'Storage cleared - system reset.',
    ]);
    expect(cp.vm('ALICE')!.storageSize).toBe(2 * 1024 * 1024);
  });

  it('IPL vdev STOP takes STOP after a device only; any other operand is an invalid option', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    const answer = (rc: number, line: string) => ({ rc, lines: [line] });
    const invalid = (what: string) => answer(3, `HCPIPL003E Invalid option - ${what}`);
    expect(executeCommand(cp, alice, 'IPL CMS STOP')).toEqual(invalid('STOP'));
    expect(executeCommand(cp, alice, 'IPL 191 CLEAR')).toEqual(invalid('CLEAR'));
    expect(executeCommand(cp, alice, 'ipl 191 stop now')).toEqual(invalid('NOW'));
    expect(executeCommand(cp, alice, 'IPL 2FF STOP')).toEqual(
      answer(1, 'HCPIPL040E Device 02FF does not exist'),
    );
    expect(executeCommand(cp, alice, 'IPL 009 STOP')).toEqual(
      answer(1, 'HCPIPL003E Device 0009 is not a DASD'),
    );
    expect(alice.runState()).toBe('stopped');
  });

  it('SYSTEM RESET stops the CPUs and resets the virtual channel subsystem; CLEAR zeroes storage; BEGIN resumes; BEGIN before any IPL is refused', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    expect(executeCommand(cp, alice, 'BEGIN')).toEqual({
      rc: 10,
      lines: ['HCPCFB010E No IPL has been done'],
    });
    loadGuest(
      alice,
      `${startSubchannel('00010000')}
LOOP     B     LOOP
         DS    0D
ORB      DC    F'1',X'00808000',A(CCW)
         DS    0D
CCW      DC    X'0A',X'20',AL2(80),A(X'800')
SCHIB    DS    XL52
         END   T`,
    );
    cp.run(1_000_000);
    const console = alice.io.subchannel(0)!;
    expect(console.enabled).toBe(true);
    expect(console.busy).toBe(true);
    expect(executeCommand(cp, alice, 'SYSTEM RESET').lines).toEqual(['System reset.']);
    expect(alice.runState()).toBe('stopped');
    expect(console.enabled).toBe(false);
    expect(console.busy).toBe(false);
    expect(alice.storage.read32(0x1000)).not.toBe(0);
    expect(executeCommand(cp, alice, 'SYSTEM CLEAR').lines).toEqual(['Storage cleared - system reset.']);
    expect(alice.storage.read32(0x1000)).toBe(0);
    expect(executeCommand(cp, alice, 'SYSTEM')).toEqual({
      rc: 26,
      lines: ['HCPCSY026E Operand missing or invalid'],
    });
  });

  it('IPL: a device that is not a DASD, a device that does not exist, a saved system that does not exist', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    expect(executeCommand(cp, alice, 'IPL 009').lines).toEqual(['HCPIPL003E Device 0009 is not a DASD']);
    expect(executeCommand(cp, alice, 'IPL 0FF').lines).toEqual(['HCPIPL040E Device 00FF does not exist']);
    expect(executeCommand(cp, alice, 'IPL NOSUCH').lines).toEqual([
      'HCPNSS440E Saved system NOSUCH was not found',
    ]);
    expect(executeCommand(cp, alice, 'IPL 191 CLEAR').lines).toEqual(['HCPIPL003E Invalid option - CLEAR']);
  });
});

describe('DIAL, MSG, SPOOL, TRANSFER, LINK modes', () => {
  it('DIAL before LOGON: no such user, not logged on, no dialable lines; logged on it is refused', () => {
    const cp = system();
    expect(dialCommand(cp, ['NOBODY']).lines).toEqual(['HCPDIA053E NOBODY not in CP directory']);
    expect(dialCommand(cp, ['ALICE']).lines).toEqual(['HCPDIA045E ALICE not logged on']);
    const alice = logonUser(cp, 'ALICE');
    expect(dialCommand(cp, ['ALICE']).lines).toEqual(['HCPDIA093E ALICE has no dialable lines available']);
    expect(dialCommand(cp, []).lines).toEqual(['HCPDIA020E Userid missing or invalid']);
    expect(executeCommand(cp, alice, 'DIAL BOB').lines).toEqual([
      'HCPDIA009E DIAL is valid only before LOGON',
    ]);
  });

  it('MSG reaches a connected user; a disconnected one is not receiving; a user not logged on is an error', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    const bob = logonUser(cp, 'BOB');
    logonUser(cp, 'CAROL');
    cp.connectTerminals({ terminalOf: (u) => (u === 'CAROL' ? null : 'L0001'), connectedSince: () => null });
    expect(executeCommand(cp, alice, 'M BOB HELLO THERE')).toEqual({ rc: 0, lines: [] });
    expect(bob.consoleLines.at(-1)).toBe('MSG FROM ALICE: HELLO THERE');
    expect(executeCommand(cp, alice, 'MSG CAROL HI')).toEqual({
      rc: 57,
      lines: ['HCPMSG057I CAROL not receiving; disconnected'],
    });
    expect(executeCommand(cp, alice, 'MSG DAVE HI').lines).toEqual(['HCPMSG045E DAVE not logged on']);
  });

  it('SPOOL PUNCH TO a user, CLOSE sends the file to the reader; TRANSFER moves it on; errors', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    const bob = logonUser(cp, 'BOB');
    expect(executeCommand(cp, alice, 'SPOOL PUNCH TO BOB CLASS B').rc).toBe(0);
    (alice.io.byDevice(0x00d)!.device as { records: Uint8Array[] }).records.push(toEbcdic('CARD'));
    expect(executeCommand(cp, alice, 'CLOSE 00D').lines).toEqual([
      'PUN FILE 0001 SENT TO BOB CLASS B RECS 0001',
    ]);
    expect(bob.consoleLines.at(-1)).toBe('RDR FILE 0001 SENT FROM ALICE PUN WAS 0001 RECS 0001');
    expect(executeCommand(cp, bob, 'TRANSFER RDR 1 TO CAROL').lines).toEqual([
      'RDR FILE 0001 TRANSFERRED TO CAROL',
    ]);
    expect(cp.spool.reader('CAROL').map((f) => f.id)).toEqual([1]);
    expect(executeCommand(cp, bob, 'TRANSFER RDR 1 TO CAROL').lines).toEqual([
      'HCPCTR042E Spoolid 1 does not exist',
    ]);
    expect(executeCommand(cp, bob, 'TRANSFER 1 TO NOBODY').lines).toEqual([
      'HCPCTR053E NOBODY not in CP directory',
    ]);
    expect(executeCommand(cp, alice, 'SPOOL 009 CLASS A').lines).toEqual([
      'HCPCSP026E Device 0009 is not a spool device',
    ]);
    expect(executeCommand(cp, alice, 'SPOOL 0FF').lines).toEqual(['HCPCSP040E Device 0FF does not exist']);
  });

  it('LINK modes: W refused and WR forced R/O while another user has it R/W, MW linked R/W with a warning; DETACH gives it up', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    const bob = logonUser(cp, 'BOB');
    expect(executeCommand(cp, bob, 'LINK ALICE 191 291 W')).toEqual({
      rc: 104,
      lines: ['HCPLNM104E ALICE 0191 not linked; R/W by ALICE'],
    });
    expect(executeCommand(cp, bob, 'LINK ALICE 191 291 WR')).toEqual({
      rc: 0,
      lines: ['HCPLNM101W DASD 0291 forced R/O; R/W by ALICE'],
    });
    // The link reaches the owner's volume through CP's volser lookup.
    expect(cp.volumeDevice('VMRES1')).toBe(0x100);
    expect(cp.volumeDevice('NOSUCH')).toBeUndefined();
    expect(bob.io.byDevice(0x291)!.device).toMatchObject({
      readOnly: true,
      startCylinder: 10,
      realDevice: 0x100,
    });
    expect(executeCommand(cp, bob, 'LINK ALICE 191 292 MW')).toEqual({
      rc: 0,
      lines: ['HCPLNM102W DASD 0292 linked R/W; R/W by ALICE'],
    });
    expect(executeCommand(cp, alice, 'DETACH 191').lines).toEqual(['DASD 0191 DETACHED']);
    expect(executeCommand(cp, bob, 'DETACH 292').rc).toBe(0);
    expect(executeCommand(cp, bob, 'LINK TO ALICE 191 AS 293 W')).toEqual({ rc: 0, lines: [] });
    expect(bob.io.byDevice(0x293)!.device).toMatchObject({ readOnly: false });
    expect(executeCommand(cp, bob, 'LINK ALICE 191 294 Q').lines).toEqual([
      'HCPLNM026E Operand missing or invalid: Q',
    ]);
  });

  it('ATTACH (class B) gives a volume without minidisks whole to a user in its lowest free subchannel; one user at a time', () => {
    const cp = system();
    const alice = logonUser(cp, 'ALICE');
    const oper = logonUser(cp, 'OPER');
    logonUser(cp, 'BOB');
    expect(executeCommand(cp, alice, 'ATTACH 101 TO ALICE AS 200')).toEqual({
      rc: 1,
      lines: ['HCPCMD001E Unknown CP command: ATTACH'],
    });
    expectAnswers(cp, oper, [
      ['ATTACH 100 TO ALICE AS 200', ['HCPATR122E DASD 0100 in use by CP; it holds minidisks']],
      ['ATTACH 1FF TO ALICE AS 200', ['HCPATR040E Device 01FF does not exist']],
      ['ATTACH 101 TO DAVE AS 200', ['HCPATR045E DAVE not logged on']],
      ['ATT 101 TO ALICE AS 200', { rc: 0, lines: ['DASD 0101 ATTACHED TO ALICE 0200'] }],
    ]);
    expect(alice.io.byDevice(0x200)!.number).toBe(4);
    expect(executeCommand(cp, alice, 'QUERY VIRTUAL 200').lines).toEqual([
      'DASD 0200 ON DASD 0101 R/W VMRES2 SUBCHANNEL = 0004',
    ]);
    expect(executeCommand(cp, oper, 'ATTACH 101 TO BOB AS 200').lines).toEqual([
      'HCPATR124E DASD 0101 already attached to ALICE',
    ]);
    // The whole volume, not relocated: cylinder 0 record 3 is the volume label.
    loadGuest(
      alice,
      `${startSubchannel('00010004')}
POLL     TSCH  IRB
         BNZ   POLL
         MVC   X'500'(12),IRB
         LPSW  DONE
         DS    0D
DONE     DC    X'000A0000',X'00000000'
ORB      DC    F'1',X'00808000',A(CCW)
         DS    0D
${readRecordCcws('CCW', "X'600'")}
SEEK     DC    X'000000000000'
ID       DC    X'0000000003'
         DS    0F
SCHIB    DS    XL52
IRB      DS    XL64
         END   T`,
    );
    cp.run(500_000_000);
    expect(alice.storage.read8(0x508)).toBe(0x0c);
    const label = new Uint8Array(10);
    alice.storage.readBytes(0x600, label);
    expect(fromEbcdic(label)).toBe('VOL1VMRES2');
    expect(executeCommand(cp, alice, 'DETACH 200').lines).toEqual(['DASD 0200 DETACHED']);
    expect(executeCommand(cp, oper, 'ATTACH 101 * 300 R/O').lines).toEqual([
      'DASD 0101 ATTACHED TO OPER 0300',
    ]);
    expect(oper.io.byDevice(0x300)!.device).toMatchObject({
      readOnly: true,
      startCylinder: 0,
      cylinders: 30,
    });
  });
});
