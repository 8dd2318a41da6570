/**
 * Which terminal a user is on is CP's to know, not the command's path: QUERY
 * NAMES (z/VM's `USERID   - L0001` for a connected user, `- DSC` for a
 * disconnected one), MSG to a disconnected user (HCPMSG057I) and QUERY
 * TIME's CONNECT= answer the same whether the command is typed at CP READ,
 * passed with `#CP` at the terminal, sent by CMS (implied CP with a response
 * buffer, or CMS's CP command) through DIAGNOSE X'08', or issued with
 * DIAGNOSE X'08' by a guest that has no terminal at all.
 */
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import {
  type ControlProgram,
  type CpTerminalSession,
  CpTerminalSystem,
  type ExecutionStyle,
  formatCmsDisk,
  installCms,
} from '../src/index';
import { cpFrom, loadGuest } from './rig';

const READY = /^Ready(\(\d+\))?; T=/;

/** ALICE IPLs CMS from MAINT's 190; BOB and CAROL have no IPL statement. */
function system(style?: ExecutionStyle): { cp: ControlProgram; terminals: CpTerminalSystem } {
  const volume = new CkdVolume(geometry3390(40));
  if (!installCms(volume, { start: 10, cylinders: 1 }).ok) throw new Error('installCms');
  const f = formatCmsDisk(volume, { start: 20, cylinders: 2 }, { label: 'ALI191', files: [] });
  if (!f.ok) throw new Error(f.error.message);
  const directory = `USER MAINT MAINTPW 1M 1M G
 MDISK 190 3390 10 1 VMRES1 RR
USER ALICE ALICEPW 1M 1M G
 IPL 190
 CONSOLE 009 3215
 LINK MAINT 190 190 RR
 MDISK 191 3390 20 2 VMRES1 MR
USER BOB BOBPW 1M 1M G
 CONSOLE 009 3215
USER CAROL CAROLPW 1M 1M G
 CONSOLE 009 3215
`;
  const cp = cpFrom(directory, [{ volser: 'VMRES1', volume }], style === undefined ? {} : { style });
  return { cp, terminals: new CpTerminalSystem(cp) };
}

/**
 * A terminal and what it printed. `type` enters a line and runs CP until CMS is
 * back at Ready (or the terminal is at CP READ); `say` enters a line CP answers
 * at once (`#CP`, a RECONNECT), with no simulated time passing.
 */
function terminal(t: CpTerminalSystem): {
  s: CpTerminalSession;
  out: string[];
  type: (line: string) => string[];
  say: (line: string) => string[];
} {
  const s = t.connect();
  const out: string[] = [];
  s.onOutput((l) => out.push(l));
  s.greet();
  const type = (line: string): string[] => {
    const from = out.length;
    s.enter(line);
    for (let i = 0; i < 40 && s.state !== 'CP READ'; i++) {
      t.run(20_000_000);
      if (s.state === 'VM READ' && out.slice(from).some((l) => READY.test(l))) break;
    }
    return out.slice(from);
  };
  const say = (line: string): string[] => {
    const from = out.length;
    s.enter(line);
    return out.slice(from);
  };
  return { s, out, type, say };
}

/** A guest that issues `command` by DIAGNOSE X'08' (no response buffer: CP writes to its console), then loads a disabled wait. */
const diagnose08 = (command: string): string => `
T        START X'1000'
         BALR  12,0
         USING *,12
         LA    2,CMD
         LA    3,L'CMD
         DIAG  2,3,X'008'
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'80000000'
CMD      DC    C'${command}'
         END   T`;

/** ALICE in CMS at L0001, BOB at CP READ at L0002, CAROL logged on at L0003 and disconnected. */
function threeUsers(style?: ExecutionStyle) {
  const { cp, terminals } = system(style);
  const alice = terminal(terminals);
  const bob = terminal(terminals);
  const carol = terminal(terminals);
  alice.type('LOGON ALICE ALICEPW');
  expect(alice.out.some((l) => READY.test(l))).toBe(true);
  expect(alice.s.state).toBe('VM READ');
  bob.type('LOGON BOB BOBPW');
  carol.type('LOGON CAROL CAROLPW');
  expect(carol.type('DISCONNECT')[0]).toMatch(/^DISCONNECT AT /);
  expect(cp.users()).toEqual(['ALICE', 'BOB', 'CAROL']);
  return { cp, terminals, alice, bob, carol };
}

describe('QUERY NAMES, MSG and CONNECT= answer the same on every path to CP', () => {
  it('Q NAMES at CP READ, #CP at the terminal, implied CP and CP at CMS, and the API give the same lines', () => {
    const { cp, alice, bob } = threeUsers();
    const expected = [`ALICE    - ${alice.s.terminalId} , BOB      - ${bob.s.terminalId} , CAROL    - DSC`];
    expect([alice.s.terminalId, bob.s.terminalId]).toEqual(['L0001', 'L0002']);
    // At CP READ (the terminal has always given the terminal ids here).
    expect(bob.type('Q NAMES')).toEqual(expected);
    // #CP typed while CMS has the console: the terminal passes it to CP and CMS keeps the console.
    expect(alice.say('#CP Q NAMES')).toEqual(expected);
    expect(alice.s.state).toBe('VM READ');
    // At CMS's Ready: QUERY other than DISK goes to CP by implied CP (DIAGNOSE X'08' with a response buffer).
    expect(alice.type('Q NAMES')).toEqual([...expected, expect.stringMatching(/^Ready; T=/)]);
    // CMS's CP command (DIAGNOSE X'08' without a buffer: CP writes to the console).
    expect(alice.type('CP QUERY NAMES')).toEqual([...expected, expect.stringMatching(/^Ready; T=/)]);
    // CP's API answers for the same terminals.
    expect(cp.command('CAROL', 'QUERY NAMES').lines).toEqual(expected);
  });

  it('MSG to the disconnected user is refused the same from CP READ and from CMS; to a connected one it arrives', () => {
    const { alice, bob } = threeUsers();
    const refused = 'HCPMSG057I CAROL not receiving; disconnected';
    expect(bob.type('MSG CAROL HI')).toEqual([refused]);
    expect(alice.type('MSG CAROL HI')).toEqual([refused, expect.stringMatching(/^Ready\(00057\); T=/)]);
    expect(alice.type('MSG BOB HELLO')).toEqual([expect.stringMatching(/^Ready; T=/)]);
    expect(bob.out.at(-1)).toBe('MSG FROM ALICE: HELLO');
  });

  it("CONNECT= counts from the terminal's RECONNECT whether QUERY TIME comes by #CP or from CMS", () => {
    const { cp, terminals, alice } = threeUsers();
    alice.say('#CP DISCONNECT');
    // An hour passes with CMS waiting for a line and nobody at its terminal.
    terminals.run(3600 * 1e6 * cp.clock.cyclesPerMicrosecond);
    const again = terminal(terminals);
    // CMS's IPL and the earlier commands took a second or so of the simulated clock; LOGON was at 00:00:00.
    expect(again.say('LOGON ALICE ALICEPW')[0]).toMatch(/^RECONNECTED AT 01:00:0\d UTC MONDAY 01\/01\/00$/);
    const connect = (lines: string[]) => lines.find((l) => l.startsWith('CONNECT='))?.split(' VIRTCPU=')[0];
    expect(connect(again.say('#CP Q TIME'))).toBe('CONNECT= 00:00:00');
    expect(connect(again.type('Q TIME'))).toBe('CONNECT= 00:00:00');
    expect(connect(again.type('CP Q TIME'))).toBe('CONNECT= 00:00:00');
    expect(cp.command('ALICE', 'Q N').lines).toEqual([
      `ALICE    - ${again.s.terminalId} , BOB      - L0002 , CAROL    - DSC`,
    ]);
  });

  for (const style of ['trap-and-emulate', 'sie'] as const) {
    it(`DIAGNOSE X'08' from a disconnected guest sees the others' terminals (${style})`, () => {
      const { cp, terminals, alice, bob } = threeUsers(style);
      const carol = cp.vm('CAROL')!;
      loadGuest(carol, diagnose08('QUERY NAMES'));
      terminals.run(5_000_000);
      expect(carol.counters.emulated['DIAG 008']).toBe(1);
      expect(carol.runState()).toBe('disabled-wait');
      expect(carol.consoleLines.at(-1)).toBe(
        `ALICE    - ${alice.s.terminalId} , BOB      - ${bob.s.terminalId} , CAROL    - DSC`,
      );
    });
  }
});
