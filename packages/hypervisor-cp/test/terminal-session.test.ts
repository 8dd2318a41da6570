/**
 * The terminal side of CP without a terminal: LOGON (good, bad password,
 * unknown user), the LOGON messages, CP commands and their responses, IPL
 * with the guest's console on the terminal (RUNNING, VM READ), #CP and the
 * attention key, DISCONNECT and RECONNECT, LOGOFF. The guest is ECHOVM
 * (the shipped guests/echovm.asm), IPLed from a minidisk: it echoes console lines and sleeps
 * on the clock comparator while no line is there.
 */
import { readFileSync } from 'node:fs';
import { CkdVolume, formatVolume, geometry3390 } from '@strachey/io-channel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ControlProgram,
  type CpTerminalSession,
  CpTerminalSystem,
  formatCmsDisk,
  guestSource,
  installCms,
  saveCmsSystem,
} from '../src/index';
import { cpTimestamp } from '../src/terminal/clock-text';
import { assembleGuest, placeMinidisk } from './helpers';
import { cpFrom, loadGuest, logonUser } from './rig';

// This package's own fixture: a test never reads another package's files.
const root = new URL('./fixtures/terminal/', import.meta.url);
const directory = readFileSync(new URL('USER.DIRECT', root), 'utf8');

/** A minidisk whose IPL record loads ECHOVM at X'2000' (one 2 KB record) and starts it there. */
function echoMinidisk(): CkdVolume {
  const v = new CkdVolume(geometry3390(5));
  formatVolume(v, 'ECHO01');
  const program = assembleGuest(guestSource('echovm') ?? '');
  const image = new Uint8Array(2048);
  for (const c of program.chunks) image.set(c.bytes, c.address - 0x2000);
  const ipl1 = Uint8Array.from([
    0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x20, 0x00, 0x06, 0x00, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0, 0, 0,
    0, 0, 0, 0, 0,
  ]);
  const track = v.track(0, 0).filter((r) => r.r === 0 || r.r >= 3);
  const rec = (r: number, data: Uint8Array) => ({ cc: 0, hh: 0, r, key: new Uint8Array(0), data });
  v.setTrack(0, 0, [...track.slice(0, 1), rec(1, ipl1), rec(2, image), ...track.slice(1)]);
  return v;
}

function system(): { cp: ControlProgram; terminals: CpTerminalSystem } {
  const res = new CkdVolume(geometry3390(20));
  formatVolume(res, 'CPRES1');
  placeMinidisk(res, 1, echoMinidisk());
  if (!installCms(res, { start: 10, cylinders: 1 }).ok) throw new Error('installCms');
  const usr = new CkdVolume(geometry3390(20));
  formatVolume(usr, 'CPUSR1');
  const a = formatCmsDisk(
    usr,
    { start: 11, cylinders: 5 },
    {
      label: 'CMS191',
      files: [{ fn: 'HELLO', ft: 'TEXT', recfm: 'F', lrecl: 80, records: ['Hello from the A-disk.'] }],
    },
  );
  if (!a.ok) throw new Error(a.error.message);
  const cp = cpFrom(
    directory,
    [
      { volser: 'CPRES1', volume: res },
      { volser: 'CPUSR1', volume: usr },
    ],
    { directoryFile: 'USER.DIRECT' },
  );
  return { cp, terminals: new CpTerminalSystem(cp, { logmsg: ['*** TEST SYSTEM ***'] }) };
}

/** A session and the transcript of what it printed. */
function terminal(t: CpTerminalSystem): { s: CpTerminalSession; out: string[]; states: string[] } {
  const s = t.connect();
  const out: string[] = [];
  const states: string[] = [];
  s.onOutput((l) => out.push(l));
  s.onState((st) => states.push(st));
  s.greet();
  return { s, out, states };
}

function runMs(t: CpTerminalSystem, ms: number): void {
  t.run(ms * 1000 * t.cp.clock.cyclesPerMicrosecond);
}

describe('CP terminal session', () => {
  it('shows the logo and waits in CP READ', () => {
    const { terminals } = system();
    const { s, out } = terminal(terminals);
    expect(out).toContain('STRACHEY VM/ESA ONLINE');
    expect(out).toContain('Enter LOGON userid; CP then asks for the password');
    expect(out).not.toContain('Fill in your USERID and PASSWORD and press ENTER');
    expect(s.state).toBe('CP READ');
    expect(s.userid).toBeNull();
  });

  it('refuses an unknown user and a wrong password with CP’s messages, and stays at the logo', () => {
    const { cp, terminals } = system();
    const { s, out } = terminal(terminals);
    s.enter('LOGON NOBODY X');
    expect(out.at(-1)).toBe('HCPLGA053E NOBODY not in CP directory');
    s.enter('logon bob wrong');
    expect(out.at(-1)).toBe('HCPLGA050E LOGON unsuccessful--incorrect password');
    s.enter('QUERY NAMES');
    expect(out.at(-1)).toBe('HCPCFX6768E You must first LOGON or DIAL');
    expect(s.userid).toBeNull();
    expect(cp.users()).toEqual([]);
  });

  it('logs on with the LOGON messages, answers CP commands, and logs off', () => {
    const { cp, terminals } = system();
    const { s, out } = terminal(terminals);
    out.length = 0;
    s.enter('LOGON BOB BOBPW');
    expect(out).toEqual([
      'STRACHEY VM/ESA CP, ESA/390 virtual machines',
      '*** TEST SYSTEM ***',
      'FILES:   NO RDR,   NO PRT,   NO PUN',
      `LOGON AT ${cpTimestamp(0)}`,
    ]);
    expect(out.at(-1)).toBe('LOGON AT 00:00:00 UTC MONDAY 01/01/00');
    expect(s.state).toBe('CP READ');
    out.length = 0;
    s.enter('q stor');
    expect(out).toEqual(['STORAGE = 1M']);
    out.length = 0;
    s.enter('QUERY DASD');
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^DASD 0190 3390 CPRES1 R\/O +5 CYL ON DASD 0100/);
    expect(out[1]).toMatch(/^DASD 0191 3390 CPUSR1 R\/W +5 CYL ON DASD 0101/);
    out.length = 0;
    s.enter('QUERY NAMES');
    expect(out).toEqual([`BOB      - ${s.terminalId}`]);
    out.length = 0;
    s.enter('DEFINE STORAGE 2M');
    expect(out).toEqual(['STORAGE = 2M', 'Storage cleared - system reset.']);
    out.length = 0;
    s.enter('DEFINE STORAGE 64M');
    expect(out).toEqual(['HCPDST094E Storage exceeds allowed maximum of 4096K']);
    out.length = 0;
    s.enter('FROB');
    expect(out).toEqual(['HCPCMD001E Unknown CP command: FROB']);
    out.length = 0;
    s.enter('LOGOFF SOON');
    expect(out).toEqual(['HCPLGF026E Operand missing or invalid: SOON']);
    expect(s.state).toBe('CP READ');
    out.length = 0;
    runMs(terminals, 65_000);
    s.enter('LOGOFF');
    expect(out[0]).toMatch(/^CONNECT= 00:01:05 VIRTCPU= 000:00\.00 TOTCPU= 000:00\.00$/);
    expect(out[1]).toBe('LOGOFF AT 00:01:05 UTC MONDAY 01/01/00');
    expect(s.done).toBe(true);
    expect(cp.users()).toEqual([]);
  });

  it('IPLs the guest: its console output reaches the terminal, RUNNING then VM READ, input goes to the guest', () => {
    const { terminals } = system();
    const { s, out, states } = terminal(terminals);
    s.enter('LOGON ALICE ALICEPW');
    // ALICE's directory entry says IPL 190: LOGON IPLs it.
    expect(s.state).toBe('RUNNING');
    runMs(terminals, 200);
    expect(out, out.join('\n')).toContain('ECHOVM READY FOR INPUT');
    expect(s.state).toBe('VM READ');
    s.enter('hello guest');
    runMs(terminals, 200);
    expect(out.some((l) => l.startsWith('ECHO: hello guest'))).toBe(true);
    expect(states).toContain('RUNNING');
    expect(s.state).toBe('VM READ');
    // #CP runs a CP command without taking the console from the guest.
    out.length = 0;
    s.enter('#CP QUERY VIRTUAL STORAGE');
    expect(out).toEqual(['STORAGE = 1M']);
    expect(s.state).toBe('VM READ');
    // STOP: the guest loads a disabled wait and CP takes the terminal.
    s.enter('STOP');
    runMs(terminals, 200);
    expect(out.at(-1)).toBe('HCPGIR450W CP entered; disabled wait PSW 000A0000 00000000');
    expect(s.state).toBe('CP READ');
  });

  it('attention (PA1) stops the guest in CP READ; BEGIN gives the console back', () => {
    const { cp, terminals } = system();
    const { s, out } = terminal(terminals);
    s.enter('LOGON ALICE ALICEPW');
    runMs(terminals, 100);
    s.attention();
    expect(out.at(-1)).toBe('CP');
    expect(s.state).toBe('CP READ');
    expect(cp.vm('ALICE')!.runState(0)).toBe('stopped');
    s.enter('again'); // in CP READ a line is a CP command
    expect(out.at(-1)).toBe('HCPCMD001E Unknown CP command: AGAIN');
    s.enter('BEGIN');
    runMs(terminals, 100);
    expect(s.state).toBe('VM READ');
    s.enter('after begin');
    runMs(terminals, 100);
    expect(out.some((l) => l.startsWith('ECHO: after begin'))).toBe(true);
  });

  it('DISCONNECT leaves the VM running; the next LOGON says RECONNECTED AT and gets the console back', () => {
    const { cp, terminals } = system();
    const first = terminal(terminals);
    first.s.enter('LOGON ALICE ALICEPW');
    runMs(terminals, 100);
    first.s.enter('#CP DISCONNECT');
    expect(first.out.at(-1)).toBe('DISCONNECT AT 00:00:00 UTC MONDAY 01/01/00');
    expect(first.s.done).toBe(true);
    expect(cp.users()).toEqual(['ALICE']);
    runMs(terminals, 2000);
    const other = terminal(terminals);
    other.s.enter('LOGON BOB BOBPW');
    other.s.enter('QUERY NAMES');
    expect(other.out.at(-1)).toBe(`ALICE    - DSC , BOB      - ${other.s.terminalId}`);
    const second = terminal(terminals);
    second.s.enter('LOGON ALICE ALICEPW');
    expect(second.out.at(-1)).toBe('RECONNECTED AT 00:00:02 UTC MONDAY 01/01/00');
    expect(second.s.state).toBe('VM READ');
    second.s.enter('still here');
    runMs(terminals, 100);
    expect(second.out.some((l) => l.startsWith('ECHO: still here'))).toBe(true);
    // Output produced while disconnected did not go to the old terminal.
    expect(first.out.some((l) => l.startsWith('ECHO: still here'))).toBe(false);
  });

  it('a hang-up disconnects; MSG reaches the other user’s terminal; DIAL, LINK and DETACH answer in CP’s style', () => {
    const { cp, terminals } = system();
    const a = terminal(terminals);
    const b = terminal(terminals);
    a.s.enter('LOGON MAINT MAINTPW');
    b.s.enter('LOGON BOB BOBPW');
    a.s.enter('MSG BOB hello bob');
    expect(b.out.at(-1)).toBe('MSG FROM MAINT: hello bob');
    // Any device can go; its subchannel number is free, and the next LINK takes the lowest free number
    // (not one past the last device, which would be 290's number).
    a.s.enter('DETACH 190');
    expect(a.out.at(-1)).toBe('DASD 0190 DETACHED');
    a.s.enter('LINK BOB 191 191 RR');
    a.s.enter('QUERY VIRTUAL 191');
    expect(a.out.at(-1)).toMatch(/^DASD 0191 3390 CPUSR1 R\/O .* SUBCHANNEL = 0001$/);
    a.s.enter('QUERY VIRTUAL 290');
    expect(a.out.at(-1)).toMatch(/ SUBCHANNEL = 0002$/);
    a.s.enter('DETACH 290');
    expect(a.out.at(-1)).toBe('DASD 0290 DETACHED');
    a.s.enter('LINK BOB 191 192 RR');
    a.s.enter('QUERY VIRTUAL 192');
    expect(a.out.at(-1)).toMatch(/ SUBCHANNEL = 0002$/);
    a.s.enter('DETACH 191-192');
    expect(a.out.slice(-2)).toEqual(['DASD 0191 DETACHED', 'DASD 0192 DETACHED']);
    a.s.enter('LINK BOB 191 191 W');
    expect(a.out.at(-1)).toBe('HCPLNM104E BOB 0191 not linked; R/W by BOB');
    a.s.enter('LINK BOB 191 191 MR');
    expect(a.out.at(-1)).toBe('HCPLNM101W DASD 0191 forced R/O; R/W by BOB');
    a.s.enter('QUERY DASD');
    expect(a.out.at(-1)).toMatch(/^DASD 0191 3390 CPUSR1 R\/O +5 CYL/);
    a.s.enter('LINK NOSUCH 191 192');
    expect(a.out.at(-1)).toBe('HCPLNM053E NOSUCH not in CP directory');
    a.s.enter('DETACH 555');
    expect(a.out.at(-1)).toBe('HCPDTV040E Device 0555 does not exist');
    const c = terminal(terminals);
    c.s.enter('DIAL NOBODY');
    expect(c.out.at(-1)).toBe('HCPDIA053E NOBODY not in CP directory');
    c.s.enter('DIAL ALICE');
    expect(c.out.at(-1)).toBe('HCPDIA045E ALICE not logged on');
    b.s.hangup();
    expect(cp.users().sort()).toEqual(['BOB', 'MAINT']);
    a.s.enter('Q N');
    expect(a.out.at(-1)).toBe(`MAINT    - ${a.s.terminalId} , BOB      - DSC`);
  });

  it('a password on its own line after LOGON userid', () => {
    const { terminals } = system();
    const { s, out } = terminal(terminals);
    s.enter('L BOB');
    expect(out.at(-1)).toBe('ENTER PASSWORD (IT WILL NOT APPEAR WHEN TYPED):');
    expect(s.passwordExpected).toBe(true);
    s.enter('bobpw');
    expect(s.userid).toBe('BOB');
  });

  it('property: any line before LOGON leaves nobody logged on unless it is a LOGON with the right password', () => {
    const { cp, terminals } = system();
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (line) => {
        const { s } = terminal(terminals);
        s.enter(line);
        const words = line.trim().toUpperCase().split(/\s+/);
        const good =
          words.length === 3 &&
          'LOGON'.startsWith(words[0]!) &&
          words[0]!.length > 0 &&
          cp.directory.users.get(words[1]!)?.password === words[2];
        if (!good) expect(cp.users()).toEqual([]);
        if (s.userid !== null) s.enter('LOGOFF');
        if (s.passwordExpected) s.enter('');
      }),
      { numRuns: 200 },
    );
  });

  it('IPL CMS at LOGON (the directory says IPL CMS): the CMS banner and Ready;, LISTFILE and TYPE through the terminal, #CP, LOGOFF', () => {
    const { cp, terminals } = system();
    const { s, out } = terminal(terminals);
    s.enter('LOGON CMSUSER CMSPW');
    expect(s.state).toBe('RUNNING');
    runMs(terminals, 300);
    expect(out).toContain('CMS VERSION 1.0 STRACHEY');
    expect(out.at(-1)).toMatch(/^Ready; T=/);
    expect(s.state).toBe('VM READ');
    out.length = 0;
    s.enter('LISTFILE');
    runMs(terminals, 300);
    expect(out[0]).toBe('HELLO    TEXT     A1');
    s.enter('TYPE HELLO TEXT');
    runMs(terminals, 300);
    expect(out.map((l) => l.trimEnd())).toContain('Hello from the A-disk.');
    s.enter('#CP QUERY VIRTUAL STORAGE');
    expect(out.at(-1)).toBe('STORAGE = 4M');
    s.enter('#CP IPL NOSUCH');
    expect(out.at(-1)).toBe('HCPNSS440E Saved system NOSUCH was not found');
    // #CP gives the console back to CMS; CMS's CP command logs the user off through DIAGNOSE X'08'.
    expect(s.state).toBe('VM READ');
    s.enter('CP LOGOFF');
    runMs(terminals, 300);
    expect(out.at(-2)).toMatch(/^CONNECT= 00:00:0\d VIRTCPU= 000:00\.\d\d TOTCPU= 000:00\.\d\d$/);
    expect(out.at(-1)).toMatch(/^LOGOFF AT 00:00:0\d UTC MONDAY 01\/01\/00$/);
    expect(s.done).toBe(true);
    expect(s.userid).toBeNull();
    expect(cp.users()).toEqual([]);
  });

  it("IPL CMS maps the saved system CMS (no 190 read): VM READ while CMS's console READ is outstanding, QUERY NSS counts the user", () => {
    const { cp, terminals } = system();
    expect(saveCmsSystem(cp.savedSystems).ok).toBe(true);
    const { s, out } = terminal(terminals);
    const startsBefore = cp.realIo.counters.starts;
    s.enter('LOGON CMSUSER CMSPW');
    runMs(terminals, 300);
    expect(out).toContain('CMS VERSION 1.0 STRACHEY');
    expect(out.at(-1)).toMatch(/^Ready; T=/);
    // CMS waits enabled for its READ's I/O interruption, with no timer set: VM READ, and CP has nothing to wake it for.
    expect(s.state).toBe('VM READ');
    expect(cp.vm('CMSUSER')!.nextTimer(0)).toBe(Number.POSITIVE_INFINITY);
    // Only the A-disk was read (directory and map), not the 190's nucleus: two real I/Os.
    expect(cp.realIo.counters.starts - startsBefore).toBe(2);
    expect(cp.savedSystems.counters()).toMatchObject({ ipls: 1, mappedFrames: 2, privateCopies: 0 });
    s.enter('#CP QUERY NSS');
    expect(out.slice(-2)).toEqual([
      'NAME     PAGES          SHARED         USERS',
      'CMS      002000-003FFF  002000-003FFF      1',
    ]);
    out.length = 0;
    s.enter('LISTFILE');
    expect(s.state).toBe('RUNNING');
    runMs(terminals, 300);
    expect(out[0]).toBe('HELLO    TEXT     A1');
    expect(s.state).toBe('VM READ');
  });

  it('SYSTEM RESET at the terminal is CP’s: the console READ CMS left outstanding is reset with the CPUs; IPL CMS starts afresh', () => {
    const { cp, terminals } = system();
    expect(saveCmsSystem(cp.savedSystems).ok).toBe(true);
    const { s, out } = terminal(terminals);
    s.enter('LOGON CMSUSER CMSPW');
    runMs(terminals, 300);
    expect(s.state).toBe('VM READ');
    const console = cp.vm('CMSUSER')!.io.byDevice(0x009)!;
    expect(console.busy).toBe(true);
    s.enter('#CP SYSTEM RESET');
    expect(out.at(-1)).toBe('System reset.');
    expect(s.state).toBe('CP READ');
    expect(console.busy).toBe(false);
    expect(console.enabled).toBe(false);
    s.enter('SYSTEM CLEAR');
    expect(out.at(-1)).toBe('Storage cleared - system reset.');
    // The CMS pages were unmapped, not zeroed in place: nobody got a private copy.
    expect(cp.savedSystems.counters()).toMatchObject({ mappedFrames: 0, privateCopies: 0 });
    out.length = 0;
    s.enter('IPL CMS');
    runMs(terminals, 300);
    expect(out).toContain('CMS VERSION 1.0 STRACHEY');
    expect(s.state).toBe('VM READ');
  });

  it('QUERY TIME counts CONNECT= from this terminal’s LOGON; MSG to a disconnected user says so', () => {
    const { terminals } = system();
    const a = terminal(terminals);
    const b = terminal(terminals);
    a.s.enter('LOGON MAINT MAINTPW');
    runMs(terminals, 3000);
    b.s.enter('LOGON BOB BOBPW');
    runMs(terminals, 2000);
    b.s.enter('QUERY TIME');
    expect(b.out.slice(-2)).toEqual([
      'TIME IS 00:00:05 UTC MONDAY 01/01/00',
      'CONNECT= 00:00:02 VIRTCPU= 000:00.00 TOTCPU= 000:00.00',
    ]);
    b.s.enter('DISCONNECT');
    a.s.enter('MSG BOB are you there');
    expect(a.out.at(-1)).toBe('HCPMSG057I BOB not receiving; disconnected');
  });

  it('times follow the simulated clock: cpTimestamp counts from the TOD epoch (Monday 1 January 1900)', () => {
    expect(cpTimestamp(0)).toBe('00:00:00 UTC MONDAY 01/01/00');
    expect(cpTimestamp(86_400 * 6 + 3661)).toBe('01:01:01 UTC SUNDAY 01/07/00');
    expect(cpTimestamp(86_400 * 31)).toBe('00:00:00 UTC THURSDAY 02/01/00');
  });
});

describe('the execution style at LOGON: OPTION SIE | TRAPEMULATE in the directory', () => {
  const STYLED = `USER SIEUSER X 1M 4M G
 OPTION SIE
 CONSOLE 009 3215
USER TRAPUSER X 1M 4M G
 OPTION TRAPEMULATE
 CONSOLE 009 3215
USER PLAIN X 1M 4M G
 CONSOLE 009 3215
`;
  /** LPSW to a disabled wait: an exit to CP under trap-and-emulate, the guest's own instruction under SIE. */
  const LPSW_GUEST = `
T        START X'1000'
         BALR  12,0
         USING *,12
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
         END   T`;
  const styled = (style?: 'trap-and-emulate' | 'sie') =>
    cpFrom(
      STYLED,
      [{ volser: 'VMRES1', volume: new CkdVolume(geometry3390(10)) }],
      style === undefined ? {} : { style },
    );
  /** How the user's LPSW was executed: emulated by CP, or by the guest itself. */
  const lpswBy = (cp: ControlProgram, user: string): string => {
    const vm = cp.vm(user)!;
    loadGuest(vm, LPSW_GUEST);
    cp.run(1_000_000);
    expect(vm.runState()).toBe('disabled-wait');
    return vm.counters.emulated.LPSW === 1 ? 'CP' : 'guest';
  };

  it('cp.logon: the entry’s style over CP’s default, an explicit style over the entry’s', () => {
    const cp = styled();
    for (const u of ['SIEUSER', 'TRAPUSER', 'PLAIN']) logonUser(cp, u);
    expect(['SIEUSER', 'TRAPUSER', 'PLAIN'].map((u) => [cp.vm(u)!.style, lpswBy(cp, u)])).toEqual([
      ['sie', 'guest'],
      ['trap-and-emulate', 'CP'],
      ['trap-and-emulate', 'CP'],
    ]);
    const sieByDefault = styled('sie');
    expect(logonUser(sieByDefault, 'TRAPUSER').style).toBe('trap-and-emulate');
    expect(logonUser(sieByDefault, 'PLAIN').style).toBe('sie');
    expect(logonUser(sieByDefault, 'SIEUSER', 'trap-and-emulate').style).toBe('trap-and-emulate');
  });

  it('a terminal LOGON: the entry’s style over the terminal’s (CpTerminalOptions.style), the terminal’s over CP’s', () => {
    const cp = styled();
    const t = new CpTerminalSystem(cp, { style: 'sie' });
    for (const u of ['SIEUSER', 'TRAPUSER', 'PLAIN']) {
      const { s, out } = terminal(t);
      s.enter(`LOGON ${u} X`);
      expect(out.at(-1)).toMatch(/^LOGON AT /);
    }
    expect(['SIEUSER', 'TRAPUSER', 'PLAIN'].map((u) => [cp.vm(u)!.style, lpswBy(cp, u)])).toEqual([
      ['sie', 'guest'],
      ['trap-and-emulate', 'CP'],
      ['sie', 'guest'],
    ]);
    const plain = new CpTerminalSystem(styled('sie'));
    const { s } = terminal(plain);
    s.enter('LOGON TRAPUSER X');
    expect(plain.cp.vm('TRAPUSER')!.style).toBe('trap-and-emulate');
  });
});

describe('IPL vdev STOP: DEFSYS, IPL 290 STOP and SAVESYS at the terminal', () => {
  it('the operator saves CMS from its system disk stopped before its first instruction; another user’s IPL CMS maps it', () => {
    const { cp, terminals } = system();
    const op = terminal(terminals);
    op.s.enter('LOGON MAINT MAINTPW');
    op.out.length = 0;
    op.s.enter('DEFSYS CMS 2-3 SR');
    expect(op.out).toEqual([]);
    op.s.enter('IPL 290 STOP');
    runMs(terminals, 300);
    const maint = cp.vm('MAINT')!;
    // Stopped at the IPL PSW: CMS has not run (no banner), the terminal is CP's.
    expect(maint.runState()).toBe('stopped');
    expect(maint.cpus[0]!.getPsw()).toEqual([0x00080000, 0x80002000]);
    expect(maint.counters.instructions).toBe(0);
    expect(op.out).not.toContain('CMS VERSION 1.0 STRACHEY');
    expect(op.s.state).toBe('CP READ');
    op.s.enter('SAVESYS CMS');
    expect(op.out.at(-1)).toMatch(
      /^HCPNSS440I Named Saved System \(NSS\) CMS was successfully saved in fileid \d{4}\.$/,
    );
    // BEGIN runs the IPLed system from where it stopped.
    op.s.enter('BEGIN');
    runMs(terminals, 300);
    expect(op.out).toContain('CMS VERSION 1.0 STRACHEY');
    expect(op.s.state).toBe('VM READ');
    // From CMS (DIAGNOSE X'08'): the IPL waits for the DIAGNOSE to complete, then stops the same way.
    op.s.enter('CP IPL 290 STOP');
    runMs(terminals, 300);
    expect(maint.runState()).toBe('stopped');
    expect(maint.cpus[0]!.getPsw()).toEqual([0x00080000, 0x80002000]);
    expect(op.s.state).toBe('CP READ');
    const user = terminal(terminals);
    const startsBefore = cp.realIo.counters.starts;
    user.s.enter('LOGON CMSUSER CMSPW');
    runMs(terminals, 300);
    expect(user.out).toContain('CMS VERSION 1.0 STRACHEY');
    expect(user.out.at(-1)).toMatch(/^Ready; T=/);
    // The saved system, not the disk: only the A-disk was read (directory and map).
    expect(cp.realIo.counters.starts - startsBefore).toBe(2);
    expect(cp.savedSystems.users()).toContainEqual(
      expect.objectContaining({ userid: 'CMSUSER', system: 'CMS' }),
    );
    user.out.length = 0;
    user.s.enter('LISTFILE');
    runMs(terminals, 300);
    expect(user.out[0]).toBe('HELLO    TEXT     A1');
  });
});
