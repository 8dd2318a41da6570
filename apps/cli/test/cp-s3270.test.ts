/**
 * End to end: Debian's s3270 against `strachey cp --tn3270 PORT` (the real
 * command in its own process): connect, see the logo, LOGON (the directory
 * says IPL CMS), LISTFILE and TYPE a file on the A-disk, a CP command
 * through #CP, PA1 to CP, LOGOFF — asserting what s3270's own screen buffer shows, status area
 * included. Skipped only when s3270 is not installed.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDirectory, writeSampleVolumes } from './fixtures/cp/volumes';

const s3270Available = spawnSync('s3270', ['-v'], { stdio: 'ignore' }).error === undefined;
if (!s3270Available) console.warn('cp-s3270.test.ts: s3270 not found on PATH (Debian package s3270) — skipping');

/** s3270 through its stdin/stdout action protocol (x3270-script(1)). */
class S3270 {
  private readonly proc: ChildProcessWithoutNullStreams;
  private pending = '';
  private readonly lines: string[] = [];
  private waiter: (() => void) | null = null;

  constructor(args: string[]) {
    this.proc = spawn('s3270', args);
    this.proc.stdout.setEncoding('latin1');
    this.proc.stdout.on('data', (chunk: string) => {
      this.pending += chunk;
      const parts = this.pending.split('\n');
      this.pending = parts.pop()!;
      this.lines.push(...parts);
      this.waiter?.();
    });
  }

  async run(action: string): Promise<{ ok: boolean; data: string[]; status: string[] }> {
    this.proc.stdin.write(`${action}\n`);
    for (;;) {
      const end = this.lines.findIndex((l) => l === 'ok' || l === 'error');
      if (end >= 0) {
        const taken = this.lines.splice(0, end + 1);
        return { ok: taken[end] === 'ok', data: taken.slice(0, end - 1).map((l) => l.replace(/^data: /, '')), status: (taken[end - 1] ?? '').split(' ') };
      }
      await new Promise<void>((r) => {
        this.waiter = r;
      });
    }
  }

  async ok(action: string): Promise<{ data: string[]; status: string[] }> {
    const r = await this.run(action);
    if (!r.ok) throw new Error(`s3270 ${action} failed: ${r.data.join(' / ')}`);
    return r;
  }

  /** Poll the screen until `done` holds (the guest runs on CP's clock in the server process). */
  async until(done: (screen: string[]) => boolean, what: string): Promise<string[]> {
    // A deadline, not a count: on a loaded 2-core CI machine one Ascii() round trip can take long.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const s = (await this.ok('Ascii()')).data.map((l) => l.trimEnd());
      if (done(s)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`s3270: timed out waiting for ${what}:\n${(await this.ok('Ascii()')).data.join('\n')}`);
  }

  async quit(): Promise<void> {
    this.proc.stdin.end('Quit()\n');
    await new Promise((r) => this.proc.once('exit', r));
  }
}

let volumes = '';
let server: ReturnType<typeof spawn> | null = null;
let port = 0;

beforeAll(async () => {
  if (!s3270Available) return;
  volumes = mkdtempSync(join(tmpdir(), 'strachey-cp-3270-'));
  writeSampleVolumes(volumes);
  const p = spawn(process.execPath, ['--import', 'tsx', '--conditions=@strachey/source', 'src/main.ts', 'cp', '--directory', sampleDirectory, '--volumes', volumes, '--tn3270', '0', '--json'], {
    cwd: new URL('..', import.meta.url).pathname,
  });
  server = p;
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    p.stdout!.setEncoding('utf8');
    p.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { tn3270: { port: number } }).tn3270.port);
    });
    p.once('exit', (code) => reject(new Error(`strachey cp exited with ${code}`)));
  });
}, 60_000);

afterAll(async () => {
  if (server !== null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (volumes) rmSync(volumes, { recursive: true, force: true });
});

const statusOf = (screen: string[]): string => screen[screen.length - 1]!.slice(-20).trim();
/**
 * CMS has answered and waits with its console READ outstanding: the server sends nothing more
 * until the next ENTER. Typing earlier races the rest of the answer — a later Write from the
 * server cancels s3270's pending String() ("Canceled"), which a loaded machine made happen.
 */
const idle = (screen: string[]): boolean => statusOf(screen) === 'VM READ   STRACHEY' && screen.some((l) => l.startsWith('Ready; T='));

describe.skipIf(!s3270Available)('strachey cp --tn3270 with s3270', () => {
  it('logo screen, bad LOGON, LOGON with IPL CMS, LISTFILE, TYPE, #CP QUERY, PA1, LOGOFF', async () => {
    const c = new S3270(['-model', '3279-4']);
    try {
      await c.ok(`Connect(127.0.0.1:${port})`);
      await c.ok('Wait(10,InputField)');
      let screen = await c.until((s) => s.includes('STRACHEY VM/ESA ONLINE'), 'the logo');
      expect(screen).toHaveLength(43);
      expect(statusOf(screen)).toBe('CP READ   STRACHEY');
      // z/VM's logo screen: USERID, then the nondisplay PASSWORD field (s3270 shows what the screen shows).
      expect(screen.some((l) => /^ USERID {3}===>/.test(l))).toBe(true);
      expect(screen.some((l) => /^ PASSWORD ===>/.test(l))).toBe(true);
      await c.ok('String("ALICE")');
      await c.ok('Tab()');
      await c.ok('String("WRONG")');
      expect((await c.ok('Ascii()')).data.join('\n')).not.toContain('WRONG');
      await c.ok('Enter()');
      await c.ok('Wait(10,Unlock)');
      screen = await c.until((s) => s.includes('HCPLGA050E LOGON unsuccessful--incorrect password') && s.some((l) => l.startsWith(' USERID   ===>')), 'the logo again with the bad-password message');
      await c.ok('String("CMSUSER")');
      await c.ok('Tab()');
      await c.ok('String("CMSPW")');
      await c.ok('Enter()');
      await c.ok('Wait(10,Unlock)');
      // The directory's IPL CMS: the saved system CMS is IPLed, its banner and Ready; follow.
      screen = await c.until((s) => s.includes('CMS VERSION 1.0 STRACHEY') && statusOf(s) === 'VM READ   STRACHEY', 'the CMS banner and VM READ');
      expect(screen.some((l) => /^LOGON AT \d\d:\d\d:\d\d UTC MONDAY 01\/01\/00$/.test(l))).toBe(true);
      expect(screen).toContain('FILES:   NO RDR,   NO PRT,   NO PUN');
      expect(screen).toContain('LOGON CMSUSER');
      expect(screen.join('\n')).not.toContain('CMSPW');
      expect(screen.some((l) => l.startsWith('Ready; T='))).toBe(true);
      await c.ok('String("LISTFILE")');
      await c.ok('Enter()');
      await c.ok('Wait(10,Unlock)');
      screen = await c.until((s) => s.includes('HELLO    TEXT     A1') && s.includes('NOTES    TEXT     A1') && idle(s), 'LISTFILE');
      await c.ok('String("TYPE HELLO TEXT")');
      await c.ok('Enter()');
      await c.ok('Wait(10,Unlock)');
      screen = await c.until((s) => s.includes('Hello from the A-disk.') && s.includes('Second line.') && idle(s), 'TYPE HELLO TEXT');
      await c.ok('String("#CP QUERY VIRTUAL STORAGE")');
      await c.ok('Enter()');
      await c.ok('Wait(10,Unlock)');
      screen = await c.until((s) => s.includes('STORAGE = 4M') && statusOf(s) === 'VM READ   STRACHEY', 'the CP response');
      await c.ok('PA(1)');
      screen = await c.until((s) => statusOf(s) === 'CP READ   STRACHEY', 'CP READ after PA1');
      expect(screen).toContain('CP');
      await c.ok('String("LOGOFF")');
      await c.ok('Enter()');
      await c.ok('Wait(10,Unlock)');
      screen = await c.until((s) => s.some((l) => /^LOGOFF AT \d\d:\d\d:\d\d UTC MONDAY 01\/01\/00$/.test(l)), 'LOGOFF AT');
      expect(screen.some((l) => /^CONNECT= \d\d:\d\d:\d\d VIRTCPU= /.test(l))).toBe(true);
      // The terminal is back at the logo with CP waiting for the next LOGON.
      screen = await c.until((s) => statusOf(s) === 'CP READ   STRACHEY', 'CP READ after LOGOFF');
      expect(screen).toContain('or enter LOGON userid password');
      expect(screen.some((l) => l.startsWith(' USERID   ===>'))).toBe(true);
      const status = (await c.ok('Ascii()')).status;
      expect(status[0]).toBe('U');
    } finally {
      await c.quit();
    }
  }, 120_000);
});
