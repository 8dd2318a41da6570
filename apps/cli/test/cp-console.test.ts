/**
 * `strachey cp`'s terminal side on an in-process 3270 (LocalTerminal): the
 * logo, LOGON good and bad, CP commands, IPL with the guest's output and the
 * status area following CP (CP READ, VM READ, RUNNING, MORE...), PA1, the
 * keyboard locked by ENTER and restored by the answer, DISCONNECT and
 * RECONNECT, LOGOFF back to the logo; and bad input to the command as
 * located errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attachConsole, startCp } from '../src/commands/cp';
import { UserError } from '../src/diagnostics';
import { Aid, LocalTerminal } from '../src/terminal/index';
import { sampleDirectory, writeSampleVolumes } from './fixtures/cp/volumes';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'strachey-cp-'));
  dirs.push(d);
  return d;
}

function sample() {
  const volumes = tempDir();
  writeSampleVolumes(volumes);
  return startCp({ directory: sampleDirectory, volumes });
}

/** The status area: the last 20 positions of the screen. */
function status(t: LocalTerminal): string {
  const rows = t.text();
  return rows[rows.length - 1]!.slice(-20).trim();
}

function enter(t: LocalTerminal, line: string): void {
  expect(t.display.keyboardLocked).toBe(false);
  t.type(line);
  expect(t.press(Aid.ENTER)).toBe(true);
}

/** The logo screen: USERID, tab to the nondisplay PASSWORD field, ENTER. */
function logon(t: LocalTerminal, userid: string, password: string): void {
  expect(t.display.keyboardLocked).toBe(false);
  t.type(userid);
  t.display.tab();
  t.type(password);
  expect(t.press(Aid.ENTER)).toBe(true);
}

function screen(t: LocalTerminal): string {
  return t.text().join('\n');
}

describe('strachey cp on a 3270 (LocalTerminal)', () => {
  it('logo, bad and good LOGON, CP commands, IPL, VM READ, PA1, LOGOFF', () => {
    const { cp, terminals } = sample();
    const t = new LocalTerminal(4);
    attachConsole(terminals, t);
    expect(screen(t)).toContain('STRACHEY VM/ESA ONLINE');
    expect(screen(t)).toMatch(/ USERID {3}===> /);
    expect(screen(t)).toMatch(/ PASSWORD ===> /);
    expect(status(t)).toBe('CP READ   STRACHEY');
    // The password field is nondisplay: what is typed there is in the buffer but not on the screen.
    t.type('ALICE');
    t.display.tab();
    t.type('nope');
    const pw = t.display.fields().find((f) => f.nondisplay && !f.protected);
    expect(pw).toBeDefined();
    expect(screen(t)).not.toContain('nope');
    expect(t.press(Aid.ENTER)).toBe(true);
    // A refused LOGON: the logo again, CP's message under it.
    expect(screen(t)).toContain('HCPLGA050E LOGON unsuccessful--incorrect password');
    expect(screen(t)).toMatch(/ USERID {3}===> /);
    logon(t, 'ZED', 'x');
    expect(screen(t)).toContain('HCPLGA053E ZED not in CP directory');
    expect(status(t)).toBe('CP READ   STRACHEY');
    logon(t, 'ALICE', 'ALICEPW');
    // The password is not echoed into the output area.
    expect(screen(t)).toContain('LOGON ALICE');
    expect(screen(t)).not.toContain('ALICEPW');
    // The answer to ENTER unlocks the keyboard; ALICE's IPL 190 has started the guest.
    expect(t.display.keyboardLocked).toBe(false);
    expect(screen(t)).toContain('LOGON AT 00:00:00 UTC MONDAY 01/01/00');
    expect(status(t)).toBe('RUNNING   STRACHEY');
    terminals.run(100_000 * cp.clock.cyclesPerMicrosecond);
    expect(screen(t)).toContain('ECHOVM READY FOR INPUT');
    expect(status(t)).toBe('VM READ   STRACHEY');
    enter(t, 'three little words');
    expect(status(t)).toBe('RUNNING   STRACHEY');
    terminals.run(100_000 * cp.clock.cyclesPerMicrosecond);
    expect(screen(t)).toContain('ECHO: three little words');
    expect(t.text().filter((l) => l.trimEnd() === 'three little words')).toHaveLength(1);
    expect(status(t)).toBe('VM READ   STRACHEY');
    enter(t, '#CP QUERY VIRTUAL STORAGE');
    expect(screen(t)).toContain('STORAGE = 1M');
    expect(status(t)).toBe('VM READ   STRACHEY');
    // PA1: CP takes the terminal, the guest stops.
    expect(t.press(Aid.PA1)).toBe(true);
    expect(status(t)).toBe('CP READ   STRACHEY');
    expect(cp.vm('ALICE')!.runState(0)).toBe('stopped');
    enter(t, 'QUERY NAMES');
    expect(screen(t)).toMatch(/ALICE {4}- L\d{4}/);
    enter(t, 'LOGOFF');
    expect(screen(t)).toMatch(/LOGOFF AT 00:00:00 UTC MONDAY 01\/01\/00/);
    expect(cp.users()).toEqual([]);
  });

  it('a new connection gets the logo as its first and only screen, and LOGOFF ends on the logo', () => {
    const { terminals } = sample();
    // What a client such as s3270 sees after each record: `Wait(InputField)` returns at the first screen
    // with an input field, and a script types into it; that screen must already be the logo.
    class Recording extends LocalTerminal {
      readonly screens: string[][] = [];
      override write(record: Uint8Array) {
        const r = super.write(record);
        this.screens.push(this.text());
        return r;
      }
    }
    const t = new Recording(4);
    attachConsole(terminals, t);
    expect(t.screens).toHaveLength(1);
    const first = t.screens[0]!;
    expect(first.join('\n')).toMatch(/ USERID {3}===> /);
    expect(first[first.length - 1]!.slice(-20).trim()).toBe('CP READ   STRACHEY');
    logon(t, 'BOB', 'BOBPW');
    t.screens.length = 0;
    enter(t, 'LOGOFF');
    const last = t.screens[t.screens.length - 1]!;
    expect(last.join('\n')).toMatch(/LOGOFF AT 00:00:00 UTC MONDAY 01\/01\/00/);
    expect(last.join('\n')).toMatch(/ USERID {3}===> /);
    expect(last[last.length - 1]!.slice(-20).trim()).toBe('CP READ   STRACHEY');
    expect(t.display.keyboardLocked).toBe(false);
  });

  it('DISCONNECT keeps the guest; a LOGON at another terminal reconnects; a closed terminal disconnects', () => {
    const { cp, terminals } = sample();
    const a = new LocalTerminal(4);
    attachConsole(terminals, a);
    logon(a, 'ALICE', 'ALICEPW');
    terminals.run(100_000 * cp.clock.cyclesPerMicrosecond);
    enter(a, '#CP DISC');
    expect(screen(a)).toContain('DISCONNECT AT 00:00:00 UTC MONDAY 01/01/00');
    // The terminal shows the logo again, ready for the next LOGON.
    expect(status(a)).toMatch(/^(CP READ|MORE\.\.\.) +STRACHEY$/);
    expect(cp.users()).toEqual(['ALICE']);
    terminals.run(3_000_000 * cp.clock.cyclesPerMicrosecond);
    const b = new LocalTerminal(4);
    attachConsole(terminals, b);
    logon(b, 'ALICE', 'ALICEPW');
    expect(screen(b)).toContain('RECONNECTED AT 00:00:03 UTC MONDAY 01/01/00');
    expect(status(b)).toBe('VM READ   STRACHEY');
    b.close('gone');
    expect(cp.users()).toEqual(['ALICE']);
    expect(terminals.sessionOf('ALICE')).toBeNull();
  });

  it('on a model 2 the output area fills, MORE... holds it, CLEAR shows the next page', () => {
    const { cp, terminals } = sample();
    const t = new LocalTerminal(2);
    attachConsole(terminals, t);
    logon(t, 'BOB', 'BOBPW');
    for (let i = 0; i < 4; i++) enter(t, 'QUERY VIRTUAL');
    expect(status(t)).toBe('MORE...   STRACHEY');
    expect(t.press(Aid.CLEAR)).toBe(true);
    expect(status(t)).toBe('CP READ   STRACHEY');
    expect(screen(t)).toContain('DASD 0191 3390 CPUSR1');
    expect(cp.users()).toEqual(['BOB']);
  });

  it('LOGON userid in the COMMAND field: CP asks for the password in a nondisplay input area', () => {
    const { cp, terminals } = sample();
    const t = new LocalTerminal(2);
    attachConsole(terminals, t);
    t.display.tab();
    t.display.tab();
    t.type('LOGON BOB');
    expect(t.press(Aid.ENTER)).toBe(true);
    expect(screen(t)).toContain('ENTER PASSWORD (IT WILL NOT APPEAR WHEN TYPED):');
    const input = t.display.fields().find((f) => !f.protected);
    expect(input?.nondisplay).toBe(true);
    enter(t, 'BOBPW');
    expect(screen(t)).not.toContain('BOBPW');
    expect(cp.users()).toEqual(['BOB']);
    // Once logged on the input area shows what is typed again.
    expect(t.display.fields().find((f) => !f.protected)?.nondisplay).toBe(false);
    t.type('QUERY TIME');
    expect(screen(t)).toContain('QUERY TIME');
  });

  it.each([2, 3, 4, 5] as const)('model %s: the logo screen and line mode use the whole screen, status in the bottom right', (model) => {
    const { terminals } = sample();
    const t = new LocalTerminal(model);
    attachConsole(terminals, t);
    const rows = t.text();
    expect(rows).toHaveLength(t.rows);
    expect(rows[0]!.length).toBe(t.cols);
    expect(rows[t.rows - 1]!.slice(-20).trim()).toBe('CP READ   STRACHEY');
    expect(rows[t.rows - 6]).toMatch(/^ USERID {3}===> /);
    logon(t, 'BOB', 'BOBPW');
    expect(status(t)).toBe('CP READ   STRACHEY');
    expect(t.text()[t.rows - 1]!.slice(-20).trim()).toBe('CP READ   STRACHEY');
    // ENTER locks the keyboard until CP's answer; the answer unlocks it.
    t.type('QUERY TIME');
    t.press(Aid.ENTER);
    expect(t.display.keyboardLocked).toBe(false);
    expect(screen(t)).toContain('TIME IS');
  });

  it('a directory error is reported at file:line:column; a bad volume folder names the file', () => {
    const d = tempDir();
    writeSampleVolumes(d);
    const bad = join(tempDir(), 'bad.direct');
    writeFileSync(bad, 'USER ALICE ALICEPW 1M 4M G\n MDISK 191 3390 1 5 NOVOL MR\n');
    let error: unknown;
    try {
      startCp({ directory: bad, volumes: d });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: error UNKNOWN_VOLUME`));
    writeFileSync(join(d, 'junk.3390'), 'not a volume');
    expect(() => startCp({ directory: sampleDirectory, volumes: d })).toThrow(/junk\.3390: error /);
  });
});
