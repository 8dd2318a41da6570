/**
 * What a terminal shows before LOGON: the line-mode greeting (`greet`, a
 * console on stdin/stdout) tells its user to type LOGON userid, as CP does
 * at a typewriter terminal; the 3270 logo (`logo`, painted above the USERID
 * and PASSWORD fields) asks the user to fill those fields in.
 */
import { CkdVolume, formatVolume, geometry3390 } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import { CpTerminalSystem, createCp } from '../src/index';

function terminals(): CpTerminalSystem {
  const volume = new CkdVolume(geometry3390(5));
  formatVolume(volume, 'VMRES1');
  const r = createCp({
    directory: 'USER BOB PW 1M 1M G\n CONSOLE 009 3215\n',
    volumes: [{ volser: 'VMRES1', volume }],
  });
  if (!r.ok) throw new Error('directory');
  return new CpTerminalSystem(r.cp);
}

describe('the greeting before LOGON', () => {
  it('on a line-mode console: the system name and what to type, no form to fill in, CP READ', () => {
    const t = terminals();
    const s = t.connect();
    const out: string[] = [];
    s.onOutput((l) => out.push(l));
    s.greet();
    expect(out).toContain('STRACHEY VM/ESA ONLINE');
    expect(out.slice(-2)).toEqual([
      'Enter LOGON userid; CP then asks for the password',
      '(or enter LOGON userid password)',
    ]);
    expect(out.some((l) => /fill in|USERID and PASSWORD/i.test(l))).toBe(false);
    expect(s.state).toBe('CP READ');
    // And what it says works: LOGON userid, then the password CP asks for.
    s.enter('LOGON BOB');
    expect(s.passwordExpected).toBe(true);
    s.enter('PW');
    expect(s.userid).toBe('BOB');
  });

  it('on a 3270: the logo screen keeps its USERID / PASSWORD instructions, with the same logo above', () => {
    const t = terminals();
    const s = t.connect();
    const out: string[] = [];
    s.onOutput((l) => out.push(l));
    s.greet();
    const logo = s.logo();
    expect(logo.slice(-3)).toEqual([
      'Fill in your USERID and PASSWORD and press ENTER',
      '(Your password will not appear when you type it)',
      'or enter LOGON userid password',
    ]);
    // The art and the ONLINE line are the same on both kinds of terminal.
    expect(out.slice(0, logo.length - 3)).toEqual(logo.slice(0, -3));
  });
});
