/**
 * CMS at a CP terminal: LOGON, IPL 190, CMS commands typed at the terminal,
 * VM READ while CMS waits for a line, LOGOFF — the terminal side of CP
 * (`CpTerminalSystem`) driving the CMS guest.
 */
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import { CpTerminalSystem, createCp, formatCmsDisk, installCms } from '../src/index';

function terminal() {
  const volume = new CkdVolume(geometry3390(120));
  const installed = installCms(volume, { start: 1, cylinders: 1 });
  if (!installed.ok) throw new Error(installed.error);
  const f = formatCmsDisk(volume, { start: 50, cylinders: 3 }, { label: 'BOB191', files: [{ fn: 'NOTES', ft: 'TEXT', recfm: 'V', lrecl: 80, records: ['Remember the milk', 'and the eggs'] }] });
  if (!f.ok) throw new Error(f.error.message);
  const r = createCp({ directory: 'USER BOB PW 8M 8M G\n CONSOLE 009 3215\n MDISK 190 3390 1 1 VMRES1 RR\n MDISK 191 3390 50 3 VMRES1 MR\n', volumes: [{ volser: 'VMRES1', volume }] });
  if (!r.ok) throw new Error('directory');
  const system = new CpTerminalSystem(r.cp);
  const session = system.connect();
  const lines: string[] = [];
  session.onOutput((l) => lines.push(l));
  session.greet();
  const type = (text: string): string[] => {
    const from = lines.length;
    session.enter(text);
    for (let i = 0; i < 20; i++) {
      system.run(20_000_000);
      if (session.state !== 'RUNNING' && lines.slice(from).some((l) => l.startsWith('Ready'))) break;
    }
    return lines.slice(from);
  };
  return { system, session, lines, type, volume };
}

describe('CMS at a CP terminal', () => {
  it('LOGON, IPL 190, LISTFILE, TYPE, LOGOFF', () => {
    const t = terminal();
    t.type('LOGON BOB');
    t.type('PW');
    const ipl = t.type('IPL 190');
    expect(ipl).toContain('CMS VERSION 1.0 STRACHEY');
    expect(ipl.some((l) => /^Ready; T=/.test(l))).toBe(true);
    expect(t.session.state).toBe('VM READ');
    const listed = t.type('listfile');
    expect(listed[0]).toBe('NOTES    TEXT     A1');
    const typed = t.type('type notes text');
    expect(typed.slice(0, 2)).toEqual(['Remember the milk', 'and the eggs']);
    const missing = t.type('type nothing here');
    expect(missing[0]).toBe('DMSTYP002E File NOTHING HERE A not found');
    const off = t.type('#CP LOGOFF');
    expect(off.some((l) => l.startsWith('LOGOFF AT'))).toBe(true);
  });
});
