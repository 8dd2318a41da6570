/**
 * `strachey cp` as a process: the line-mode console on stdin/stdout (a
 * piped script gives the same transcript every time: times come from the
 * simulated clock), JSON events, and bad input as file:line:column with
 * exit code 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineMode, startCp } from '../src/commands/cp';
import { sampleDirectory, writeSampleVolumes } from './fixtures/cp/volumes';

let volumes = '';
beforeAll(() => {
  volumes = mkdtempSync(join(tmpdir(), 'strachey-cp-line-'));
  writeSampleVolumes(volumes);
});
afterAll(() => rmSync(volumes, { recursive: true, force: true }));

function strachey(args: string[], input: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@strachey/source', 'src/main.ts', ...args], {
    cwd: new URL('..', import.meta.url).pathname,
    input,
    encoding: 'utf8',
    // Generous: each run starts tsx and CP; a loaded 2-core machine can take tens of seconds.
    timeout: 50_000,
  });
}

const SCRIPT = ['LOGON ALICE ALICEPW', 'hello line mode', '#CP QUERY VIRTUAL STORAGE', '#CP LOGOFF', ''].join('\n');

describe('strachey cp, line mode', { timeout: 150_000 }, () => {
  it('logs on, IPLs the guest, talks to it, runs a CP command and logs off — the same transcript on every run', () => {
    const a = strachey(['cp', '--directory', sampleDirectory, '--volumes', volumes], SCRIPT);
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    const lines = a.stdout.split('\n');
    expect(lines).toContain('STRACHEY VM/ESA ONLINE');
    const logon = lines.indexOf('LOGON AT 00:00:00 UTC MONDAY 01/01/00');
    expect(logon).toBeGreaterThan(0);
    const after = lines.slice(logon + 1).map((l) => l.trimEnd());
    expect(after.slice(0, 4)).toEqual(['ECHOVM READY FOR INPUT', 'ECHO: hello line mode', 'STORAGE = 1M', after[3]]);
    expect(after[3]).toMatch(/^CONNECT= 00:00:00 VIRTCPU= 000:00\.\d\d TOTCPU= 000:00\.\d\d$/);
    expect(after[4]).toMatch(/^LOGOFF AT 00:00:0\d UTC MONDAY 01\/01\/00$/);
    // After LOGOFF the terminal shows the logo again.
    expect(after.slice(5)).toContain('STRACHEY VM/ESA ONLINE');
    const b = strachey(['cp', '--directory', sampleDirectory, '--volumes', volumes], SCRIPT);
    expect(b.stdout).toBe(a.stdout);
  });

  it('LOGON userid, then the password on its own line: not echoed, and the terminal is told to hide it', async () => {
    const { terminals } = startCp({ directory: sampleDirectory, volumes });
    const out: string[] = [];
    const echo: boolean[] = [];
    async function* lines() {
      yield* ['LOGON BOB', 'BOBPW', 'QUERY STORAGE', 'LOGOFF'];
    }
    await lineMode(terminals, lines(), (e) => e.kind === 'output' && out.push(e.line), (v) => echo.push(v));
    expect(out).toContain('ENTER PASSWORD (IT WILL NOT APPEAR WHEN TYPED):');
    expect(out).toContain('STORAGE = 1M');
    expect(out.join('\n')).not.toContain('BOBPW');
    expect(echo.slice(0, 2)).toEqual([false, true]);
  });

  it('end of input hangs up: the session ends (a logged-on user is disconnected) and no new logo follows', async () => {
    const { cp, terminals } = startCp({ directory: sampleDirectory, volumes });
    const events: { kind: string; line?: string; reason?: string }[] = [];
    async function* lines() {
      yield 'LOGON BOB BOBPW';
    }
    await lineMode(terminals, lines(), (e) => events.push(e));
    expect(events.at(-1)).toEqual({ kind: 'end', reason: 'DISCONNECT' });
    expect(events.filter((e) => e.line === 'STRACHEY VM/ESA ONLINE')).toHaveLength(1);
    expect(cp.users()).toEqual(['BOB']);
  });

  it('--json prints ready, output, state and end events', () => {
    const r = strachey(['cp', '--directory', sampleDirectory, '--volumes', volumes, '--json'], 'LOGON BOB BOBPW\nQUERY STORAGE\nLOGOFF\n');
    expect(r.status).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events[0]).toEqual({ event: 'ready', system: 'STRACHEY', users: 4, volumes: ['CPRES1', 'CPUSR1'] });
    expect(events).toContainEqual({ event: 'output', line: 'STORAGE = 1M' });
    expect(events).toContainEqual({ event: 'state', state: 'CP READ' });
    expect(events).toContainEqual({ event: 'end', reason: 'LOGOFF' });
  });

  it('`cp sample DIR` writes a system that runs as written: LOGON CMSUSER, IPL CMS, LISTFILE; it never overwrites without --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strachey-cp-sample-'));
    try {
      const w = strachey(['cp', 'sample', dir], '');
      expect(w.stderr).toBe('');
      expect(w.status).toBe(0);
      expect(w.stdout).toContain(`strachey cp --directory ${join(dir, 'USER.DIRECT')} --volumes ${join(dir, 'volumes')}`);
      const again = strachey(['cp', 'sample', dir], '');
      expect(again.status).toBe(1);
      expect(again.stderr).toContain(`${join(dir, 'USER.DIRECT')}: error FILE_EXISTS: file exists; use --force to overwrite it`);
      expect(strachey(['cp', 'sample', dir, '--force'], '').status).toBe(0);
      const run = strachey(
        ['cp', '--directory', join(dir, 'USER.DIRECT'), '--volumes', join(dir, 'volumes')],
        'LOGON CMSUSER CMSPW\nLISTFILE\nTYPE HELLO TEXT\n#CP LOGOFF\n',
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const out = run.stdout.split('\n');
      expect(out).toContain('CMS VERSION 1.0 STRACHEY');
      expect(out).toContain('HELLO    TEXT     A1');
      expect(out).toContain('Hello from the A-disk.');
      expect(out.some((l) => /^LOGOFF AT /.test(l))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a directory error is file:line:column with exit code 1; a missing option is a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strachey-cp-bad-'));
    try {
      const bad = join(dir, 'USER.DIRECT');
      writeFileSync(bad, 'USER ALICE ALICEPW 1M 4M G\n CONSOLE 009 3215\n FROB 1 2\n');
      const r = strachey(['cp', '--directory', bad, '--volumes', volumes], '');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:2: error UNKNOWN_STATEMENT: `, 'm'));
      const u = strachey(['cp', '--volumes', volumes], '');
      expect(u.status).toBe(2);
      expect(u.stderr).toContain("required option '--directory <file>' not specified");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
