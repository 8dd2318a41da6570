import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { hostTimers, LineConsole, startEchoApplication, startTn3270Server, type Tn3270Server, type Tn3270Session } from '../src/terminal/index';

/*
 * End to end with Debian's s3270 (the scripted member of the x3270 family):
 * it negotiates TN3270 with the server, renders the 3270 data stream into its
 * own screen buffer and answers AID keys with Read Modified records, so these
 * tests check our server against an independent 3270 implementation.
 */
const s3270Available = spawnSync('s3270', ['-v'], { stdio: 'ignore' }).error === undefined;
if (!s3270Available) {
  console.warn('tn3270-s3270.test.ts: s3270 not found on PATH (Debian package s3270; .ci/run installs it) — skipping the end-to-end tests');
}

interface Reply {
  readonly ok: boolean;
  readonly data: string[];
  /** s3270's status line split into its 12 fields: keyboard, formatting, protection, connection, mode, model, rows, cols, cursor row, cursor col, … */
  readonly status: string[];
}

/** s3270 driven through its stdin/stdout action protocol (x3270-script(1)). */
class S3270 {
  private readonly proc: ChildProcessWithoutNullStreams;
  private pending = '';
  private lines: string[] = [];
  private waiter: (() => void) | null = null;

  constructor(args: string[] = []) {
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

  async run(action: string): Promise<Reply> {
    this.proc.stdin.write(`${action}\n`);
    for (;;) {
      const end = this.lines.findIndex((l) => l === 'ok' || l === 'error');
      if (end >= 0) {
        const taken = this.lines.splice(0, end + 1);
        const status = taken[end - 1] ?? '';
        const data = taken.slice(0, end - 1).map((l) => l.replace(/^data: /, ''));
        return { ok: taken[end] === 'ok', data, status: status.split(' ') };
      }
      await new Promise<void>((r) => {
        this.waiter = r;
      });
    }
  }

  async ok(action: string): Promise<Reply> {
    const r = await this.run(action);
    if (!r.ok) throw new Error(`s3270 ${action} failed: ${r.data.join(' / ')}`);
    return r;
  }

  async quit(): Promise<void> {
    this.proc.stdin.end('Quit()\n');
    await new Promise((r) => this.proc.once('exit', r));
  }
}

let server: Tn3270Server | null = null;
let client: S3270 | null = null;

afterEach(async () => {
  await client?.quit();
  client = null;
  await server?.close();
  server = null;
});

async function connect(model: string | null, onSession: (s: Tn3270Session) => void): Promise<S3270> {
  server = await startTn3270Server({ port: 0, onSession, log: () => {} });
  client = new S3270(model === null ? [] : ['-model', model]);
  await client.ok(`Connect(127.0.0.1:${server.port})`);
  await client.ok('Wait(10,InputField)');
  return client;
}

const echo = (s: Tn3270Session) => {
  startEchoApplication(s, { timers: hostTimers });
};

describe.skipIf(!s3270Available)('TN3270 server with s3270', () => {
  it('shows the welcome screen in 3270 mode with the status area and an unlocked keyboard (s3270 default model)', async () => {
    const c = await connect(null, echo);
    const screen = await c.ok('Ascii()');
    const [keyboard, formatted, , connection, mode, , rows, cols, crow, ccol] = screen.status;
    expect([keyboard, formatted, connection, mode]).toEqual(['U', 'F', 'C(127.0.0.1)', 'I']);
    const r = Number(rows);
    expect(screen.data.length).toBe(r);
    expect(screen.data[0]!.trimEnd()).toBe('Strachey ONLINE');
    expect(screen.data[r - 1]!.slice(-20).trimEnd()).toBe('CP READ   STRACHEY');
    expect([Number(crow), Number(ccol)]).toEqual([r - 2, 1]);
    expect(Number(cols)).toBe(80);
    const type = await c.ok('Query(TerminalName)');
    expect(type.data[0]).toMatch(/^IBM-327[89]-[2-5]/);
  });

  it('echoes an entered line, clears the input area and unlocks the keyboard again', async () => {
    const c = await connect('3278-2', echo);
    await c.ok('String("hello, world")');
    await c.ok('Enter()');
    await c.ok('Wait(10,Unlock)');
    const screen = await c.ok('Ascii()');
    const lines = screen.data.map((l) => l.trimEnd());
    expect(lines).toContain('hello, world');
    expect(lines).toContain('ECHO: hello, world');
    expect(lines[22]!.trim()).toBe('');
    expect(lines[23]!.trim()).toBe('CP READ   STRACHEY');
    expect(screen.status[0]).toBe('U');
    expect([screen.status[6], screen.status[7]]).toEqual(['24', '80']);
  });

  it('uses the alternate size of a model 5 (27×132) through Erase/Write Alternate', async () => {
    const c = await connect('3279-5', echo);
    const screen = await c.ok('Ascii()');
    expect([screen.status[5], screen.status[6], screen.status[7]]).toEqual(['5', '27', '132']);
    expect(screen.data[26]!.slice(-20).trimEnd()).toBe('CP READ   STRACHEY');
    const type = await c.ok('Query(TerminalName)');
    expect(type.data[0]).toBe('IBM-3279-5-E');
  });

  it('shows MORE... when output overflows and the next page after PA2', async () => {
    const c = await connect('3278-2', (s) => {
      const console = new LineConsole(s, { timers: hostTimers, moreSeconds: 3600 });
      for (let i = 1; i <= 30; i++) console.print(`line ${i}`);
    });
    let screen = await c.ok('Ascii()');
    expect(screen.data[21]!.trimEnd()).toBe('line 22');
    expect(screen.data[23]!.trim()).toBe('MORE...   STRACHEY');
    await c.ok('PA(2)');
    await c.ok('Wait(10,Unlock)');
    screen = await c.ok('Ascii()');
    expect(screen.data[0]!.trimEnd()).toBe('line 23');
    expect(screen.data[7]!.trimEnd()).toBe('line 30');
    expect(screen.data[23]!.trim()).toBe('RUNNING   STRACHEY');
  });

  it('repaints after CLEAR and disconnects on LOGOFF', async () => {
    const c = await connect('3278-2', echo);
    await c.ok('Clear()');
    await c.ok('Wait(10,Unlock)');
    let screen = await c.ok('Ascii()');
    expect(screen.data[0]!.trim()).toBe('');
    expect(screen.data[23]!.trim()).toBe('CP READ   STRACHEY');
    await c.ok('String("logoff")');
    await c.ok('Enter()');
    await c.run('Wait(10,Disconnect)');
    screen = await c.run('Query(ConnectionState)');
    expect(screen.status[3]).toBe('N');
  });
});
