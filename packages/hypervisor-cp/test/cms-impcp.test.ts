/**
 * CMS's implied CP (SET IMPCP ON, the default of VM/370 and z/VM CMS): a
 * line that is neither a CMS command nor a MODULE on the A-disk goes to CP
 * through DIAGNOSE X'008' with a response buffer. CP's answer is shown and
 * its return code is CMS's (`Ready(rc)`); only a line CP does not know
 * either (CP's rc 1, HCPCMD001E) is CMS's `Unknown CP/CMS command`,
 * `Ready(-0003)`. LOGOFF typed at `Ready;` logs the user off.
 */
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import { assemble } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import {
  type CmsFile,
  type ControlProgram,
  CpTerminalSystem,
  type ExecutionStyle,
  createCp,
  formatCmsDisk,
  installCms,
} from '../src/index';
import { cpFrom, logonUser } from './rig';

const SYSRES = { start: 10, cylinders: 1 };
const READY = /^Ready; T=\d+\.\d\d\/\d+\.\d\d \d\d:\d\d:\d\d$/;

/** MSG MODULE: prints a line through CMS's TYPLIN service, returns 5 (a MODULE comes before CP). */
function msgModule(): Uint8Array {
  const r = assemble(`
MSG      START X'20000'
         USING MSG,15
         STM   14,12,SAVE
         LR    12,15
         DROP  15
         USING MSG,12
         LA    1,TEXT
         LA    0,L'TEXT
         BALR  14,2
         LM    14,12,SAVE
         LA    15,5
         BR    14
SAVE     DS    15F
TEXT     DC    C'MSG MODULE RAN'
         END   MSG`);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.image;
}

/** ALICE and BOB, each with CMS IPLed from the 190 and an A-disk; `session` types lines at ALICE's CMS. */
function system(style: ExecutionStyle = 'trap-and-emulate', files: CmsFile[] = []) {
  const volume = new CkdVolume(geometry3390(60));
  let directory = '';
  for (const [i, user] of ['ALICE', 'BOB'].entries()) {
    // Each user's own copy of the system disk: minidisks in a directory may not overlap.
    const sysres = { start: SYSRES.start + i, cylinders: 1 };
    const installed = installCms(volume, sysres);
    if (!installed.ok) throw new Error(installed.error);
    const start = 20 + 10 * i;
    const f = formatCmsDisk(volume, { start, cylinders: 2 }, { label: `${user.slice(0, 3)}191`, files });
    if (!f.ok) throw new Error(f.error.message);
    directory += `USER ${user} SECRET 1M 1M G\n IPL 190\n CONSOLE 009 3215\n MDISK 190 3390 ${sysres.start} 1 VMRES1 RR\n MDISK 191 3390 ${start} 2 VMRES1 MR\n`;
  }
  const cp = cpFrom(directory, [{ volser: 'VMRES1', volume }]);
  const alice = logonUser(cp, 'ALICE', style);
  logonUser(cp, 'BOB', style);
  for (const u of ['ALICE', 'BOB']) if (!cp.ipl(u).ok) throw new Error(`ipl ${u}`);
  const run = () => {
    for (let i = 0; i < 200; i++) if (cp.run(50_000_000).reason === 'idle' && !cp.realIo.busy) break;
  };
  run();
  const session = (line: string): string[] => {
    const before = alice.consoleLines.length;
    alice.queueConsoleInput(line);
    run();
    return alice.consoleLines.slice(before);
  };
  return { cp, alice, session };
}

function readyAt(cp: ControlProgram, user: string): string | undefined {
  return cp.vm(user)?.consoleLines.at(-1);
}

describe('CMS implied CP (IMPCP)', () => {
  for (const style of ['trap-and-emulate', 'sie'] as const) {
    it(`LOGOFF at Ready; logs the user off with CP's LOGOFF lines; the other user runs on (${style})`, () => {
      const s = system(style);
      expect(readyAt(s.cp, 'ALICE')).toMatch(READY);
      const out = s.session('logoff');
      expect(out).toHaveLength(2);
      expect(out[0]).toMatch(/^CONNECT= \d\d:\d\d:\d\d VIRTCPU= \d{3}:\d\d\.\d\d TOTCPU= \d{3}:\d\d\.\d\d$/);
      expect(out[1]).toMatch(/^LOGOFF AT \d\d:\d\d:\d\d UTC [A-Z]+DAY \d\d\/\d\d\/\d\d$/);
      expect(s.cp.vm('ALICE')).toBeUndefined();
      expect(s.cp.users()).toEqual(['BOB']);
      const bob = s.cp.vm('BOB')!;
      bob.queueConsoleInput('LISTFILE * * A');
      for (let i = 0; i < 100 && bob.consoleInput.length > 0; i++) s.cp.run(50_000_000);
      s.cp.run(50_000_000);
      expect(bob.consoleLines.slice(-2)).toEqual([
        'DMSLST002E File not found',
        expect.stringMatching(/^Ready\(00028\); T=/),
      ]);
    });
  }

  it("CP's abbreviation LOGO works the same way", () => {
    const s = system();
    const out = s.session('LOGO');
    expect(out.at(-1)).toMatch(/^LOGOFF AT /);
    expect(s.cp.vm('ALICE')).toBeUndefined();
  });

  it("Q NAMES shows CP's response, the same lines CP gives at the terminal, then Ready;", () => {
    const s = system();
    const expected = s.cp.command('ALICE', 'QUERY NAMES');
    expect(expected.rc).toBe(0);
    expect(expected.lines).toEqual(['ALICE    - DSC , BOB      - DSC']);
    const out = s.session('Q NAMES');
    expect(out).toEqual([...expected.lines, expect.stringMatching(READY)]);
  });

  it('a CP command CMS does not have (MSG) goes to CP: the message arrives, CMS says Ready;', () => {
    const s = system();
    const out = s.session('msg alice hello there');
    // CMS upper-cases the command line before CP sees it.
    expect(out).toEqual(['MSG FROM ALICE: HELLO THERE', expect.stringMatching(READY)]);
    const toBob = s.session('M BOB hi');
    expect(toBob).toEqual([expect.stringMatching(READY)]);
    expect(s.cp.vm('BOB')!.consoleLines.at(-1)).toBe('MSG FROM ALICE: HI');
  });

  it("a CP command CP refuses shows CP's message and CP's return code in Ready(rc)", () => {
    const s = system();
    const refused = s.cp.command('ALICE', 'DETACH XYZ1');
    expect(refused.rc).toBe(22);
    expect(s.session('DETACH XYZ1')).toEqual([
      ...refused.lines,
      expect.stringMatching(/^Ready\(00022\); T=/),
    ]);
    expect(s.session('MSG NOBODY hi')).toEqual([
      'HCPMSG045E NOBODY not logged on',
      expect.stringMatching(/^Ready\(00045\); T=/),
    ]);
  });

  it('a word neither CMS nor CP knows is "Unknown CP/CMS command", Ready(-0003), without CP\'s HCPCMD001E', () => {
    const s = system();
    // CP's own answer to the word is its unknown-command message, rc 1.
    expect(s.cp.command('ALICE', 'FROBNICATE NOW')).toEqual({
      rc: 1,
      lines: ['HCPCMD001E Unknown CP command: FROBNICATE'],
    });
    expect(s.session('frobnicate now')).toEqual([
      'Unknown CP/CMS command',
      expect.stringMatching(/^Ready\(-0003\); T=/),
    ]);
    // A class B command from a class G user is unknown to CP as well (z/VM answers HCPCMD001E).
    expect(s.session('ATTACH 0191 BOB')).toEqual([
      'Unknown CP/CMS command',
      expect.stringMatching(/^Ready\(-0003\); T=/),
    ]);
    expect(s.cp.vm('ALICE')).toBeDefined();
  });

  it('a MODULE on the A-disk comes before CP: MSG MODULE runs instead of CP MSG', () => {
    const s = system('trap-and-emulate', [
      { fn: 'MSG', ft: 'MODULE', recfm: 'F', lrecl: 4096, records: [msgModule()] },
    ]);
    expect(s.session('MSG BOB hi')).toEqual(['MSG MODULE RAN', expect.stringMatching(/^Ready\(00005\); T=/)]);
    expect(s.cp.vm('BOB')!.consoleLines.some((l) => l.startsWith('MSG FROM'))).toBe(false);
    // #CP still reaches CP whatever is on the A-disk.
    expect(s.session('#CP MSG BOB hi')).toEqual([expect.stringMatching(READY)]);
    expect(s.cp.vm('BOB')!.consoleLines.at(-1)).toBe('MSG FROM ALICE: HI');
  });
});

describe('CMS implied CP at a terminal', () => {
  it('LOGOFF typed at Ready; ends the terminal session as #CP LOGOFF does', () => {
    const volume = new CkdVolume(geometry3390(40));
    if (!installCms(volume, SYSRES).ok) throw new Error('installCms');
    const f = formatCmsDisk(volume, { start: 20, cylinders: 2 }, { label: 'BOB191', files: [] });
    if (!f.ok) throw new Error(f.error.message);
    const r = createCp({
      directory: `USER BOB PW 1M 1M G\n IPL 190\n CONSOLE 009 3215\n MDISK 190 3390 ${SYSRES.start} 1 VMRES1 RR\n MDISK 191 3390 20 2 VMRES1 MR\n`,
      volumes: [{ volser: 'VMRES1', volume }],
    });
    if (!r.ok) throw new Error('directory');
    const terminals = new CpTerminalSystem(r.cp);
    const session = terminals.connect();
    const lines: string[] = [];
    const ends: string[] = [];
    session.onOutput((l) => lines.push(l));
    session.onEnd((reason) => ends.push(reason));
    session.greet();
    const type = (text: string): string[] => {
      const from = lines.length;
      session.enter(text);
      for (let i = 0; i < 20 && !session.done; i++) {
        terminals.run(20_000_000);
        if (session.state === 'VM READ' && lines.slice(from).some((l) => l.startsWith('Ready'))) break;
      }
      return lines.slice(from);
    };
    type('LOGON BOB PW');
    expect(lines.some((l) => /^Ready; T=/.test(l))).toBe(true);
    expect(session.state).toBe('VM READ');
    const off = type('LOGOFF');
    expect(off.some((l) => l.startsWith('LOGOFF AT'))).toBe(true);
    expect(off).not.toContain('Unknown CP/CMS command');
    expect(session.done).toBe(true);
    expect(ends).toEqual(['LOGOFF']);
    expect(r.cp.vm('BOB')).toBeUndefined();
  });
});
