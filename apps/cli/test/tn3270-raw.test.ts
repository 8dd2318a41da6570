import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Aid,
  Command,
  encodeAddress,
  frameRecord,
  Order,
  parseTerminalType,
  Screen3270,
  startTn3270Server,
  Telnet,
  TelnetParser,
  type Tn3270Input,
  type Tn3270Server,
  type Tn3270ServerOptions,
  type Tn3270Session,
} from '../src/terminal/index';

const T = Telnet;
const WAIT_MS = 5000;

/** A hand-written telnet client over `net`: it sends exactly the bytes a test gives it. */
class RawClient {
  private buf: number[] = [];
  private waiters: (() => void)[] = [];
  closed = false;
  readonly ended: Promise<void>;
  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf.push(...d);
      this.wake();
    });
    this.ended = new Promise((resolve) => {
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      });
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(...bytes: (number | number[] | Uint8Array)[]): void {
    this.socket.write(Uint8Array.from(bytes.flatMap((b) => (typeof b === 'number' ? [b] : Array.from(b)))));
  }

  end(): void {
    this.socket.end();
  }

  /** Wait until the received bytes contain `pattern`; consume up to and including it. */
  async expect(pattern: number[]): Promise<number[]> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const at = indexOf(this.buf, pattern);
      if (at >= 0) {
        const taken = this.buf.slice(0, at + pattern.length);
        this.buf = this.buf.slice(at + pattern.length);
        return taken;
      }
      if (this.closed) throw new Error(`connection closed before [${pattern}] arrived; had [${this.buf}]`);
      if (Date.now() > deadline) throw new Error(`[${pattern}] did not arrive; had [${this.buf}]`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** The next record (up to IAC EOR), IAC IAC undoubled. */
  async record(): Promise<{ wire: number[]; data: Uint8Array }> {
    const wire = await this.expect([T.IAC, T.EOR]);
    const data: number[] = [];
    for (let i = 0; i < wire.length - 2; i++) {
      data.push(wire[i]!);
      if (wire[i] === T.IAC) i++;
    }
    return { wire, data: Uint8Array.from(data) };
  }
}

function indexOf(hay: number[], needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** The whole client side of TN3270 negotiation for terminal type `type`. */
async function negotiate(c: RawClient, type: string): Promise<void> {
  await c.expect([T.IAC, T.DO, T.OPT_TERMINAL_TYPE]);
  c.send(T.IAC, T.WILL, T.OPT_TERMINAL_TYPE);
  await c.expect([T.IAC, T.SB, T.OPT_TERMINAL_TYPE, T.TTYPE_SEND, T.IAC, T.SE]);
  c.send(T.IAC, T.SB, T.OPT_TERMINAL_TYPE, T.TTYPE_IS, ascii(type), T.IAC, T.SE);
  await c.expect([T.IAC, T.DO, T.OPT_EOR, T.IAC, T.WILL, T.OPT_EOR, T.IAC, T.DO, T.OPT_BINARY, T.IAC, T.WILL, T.OPT_BINARY]);
  c.send(T.IAC, T.WILL, T.OPT_EOR, T.IAC, T.DO, T.OPT_EOR, T.IAC, T.WILL, T.OPT_BINARY, T.IAC, T.DO, T.OPT_BINARY);
}

let server: Tn3270Server | null = null;
const logs: string[] = [];

async function serve(onSession: (s: Tn3270Session) => void, extra: Partial<Tn3270ServerOptions> = {}): Promise<Tn3270Server> {
  logs.length = 0;
  server = await startTn3270Server({ port: 0, onSession, log: (l) => logs.push(l), ...extra });
  return server;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log: ${logs.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  await server?.close();
  server = null;
});

describe('TN3270 negotiation with a raw telnet client', () => {
  it('negotiates TERMINAL-TYPE, EOR and BINARY, then carries records with IAC doubled both ways', async () => {
    const inputs: Tn3270Input[] = [];
    let session: Tn3270Session | null = null;
    const srv = await serve((s) => {
      session = s;
      s.onInput((i) => inputs.push(i));
      // X'FF' (the EO format control) must travel as IAC IAC.
      s.write(Uint8Array.of(Command.SNA_ERASE_WRITE, 0xc3, 0xc8, 0xc9, 0xff, Order.SF, 0x40, Order.IC));
    });
    expect(srv.host).toBe('127.0.0.1');
    const c = await RawClient.open(srv.port);
    await negotiate(c, 'IBM-3278-2');
    const { wire, data } = await c.record();
    expect(wire.slice(0, 6)).toEqual([Command.SNA_ERASE_WRITE, 0xc3, 0xc8, 0xc9, 0xff, 0xff]);
    const screen = new Screen3270(2);
    expect(screen.apply(data).ok).toBe(true);
    expect(screen.text()[0]!.slice(0, 2)).toBe('HI');
    expect(session!.model).toBe(2);
    expect([session!.rows, session!.cols, session!.alternate]).toEqual([24, 80, false]);

    // ENTER with a field holding X'FF', the record split between the two IACs.
    const before = [Aid.ENTER, ...encodeAddress(5), Order.SBA, ...encodeAddress(4), 0xc1, T.IAC];
    c.send(before);
    await new Promise((r) => setTimeout(r, 20));
    c.send(T.IAC, 0xc2, T.IAC, T.EOR);
    await until(() => inputs.length === 1, 'the ENTER record');
    expect(inputs[0]!.aidName).toBe('ENTER');
    expect(inputs[0]!.cursor).toBe(5);
    expect(Array.from(inputs[0]!.fields[0]!.data)).toEqual([0xc1, 0xff, 0xc2]);
    expect(session!.screen.chars[5]).toBe(0xff);
    c.end();
    await c.ended;
  });

  it('accepts 3278/3279 models 2 to 5 with and without -E and sizes sessions from the model', async () => {
    const sessions: Tn3270Session[] = [];
    const srv = await serve((s) => sessions.push(s));
    const cases: [string, number, number, number][] = [
      ['IBM-3278-2-E', 2, 24, 80],
      ['IBM-3279-3', 3, 32, 80],
      ['IBM-3278-4', 4, 43, 80],
      ['IBM-3279-5-E', 5, 27, 132],
    ];
    for (const [type, model, rows, cols] of cases) {
      const c = await RawClient.open(srv.port);
      await negotiate(c, type);
      await until(() => sessions.length > 0 && sessions.at(-1)!.terminalType === type, type);
      const s = sessions.at(-1)!;
      expect([s.model, s.rows, s.cols, s.extended]).toEqual([model, rows, cols, type.endsWith('-E')]);
      c.end();
    }
    expect(parseTerminalType('IBM-3279-5-E')).toEqual({ model: 5, color: true, extended: true });
    expect(parseTerminalType('IBM-3278-6')).toBeNull();
    expect(parseTerminalType('IBM-DYNAMIC')).toBeNull();
  });

  it('gives a client larger than the configured model the default 24×80 screen', async () => {
    const sessions: Tn3270Session[] = [];
    const srv = await serve((s) => sessions.push(s), { model: 4 });
    const c = await RawClient.open(srv.port);
    await negotiate(c, 'IBM-3279-5-E');
    await until(() => sessions.length === 1, 'session');
    expect([sessions[0]!.rows, sessions[0]!.cols, sessions[0]!.alternate]).toEqual([24, 80, false]);
    c.end();
  });

  it('refuses TN3270E and other options and still completes plain TN3270', async () => {
    const sessions: Tn3270Session[] = [];
    const srv = await serve((s) => sessions.push(s));
    const c = await RawClient.open(srv.port);
    await c.expect([T.IAC, T.DO, T.OPT_TERMINAL_TYPE]);
    c.send(T.IAC, T.WILL, T.OPT_TN3270E, T.IAC, T.DO, 1);
    await c.expect([T.IAC, T.DONT, T.OPT_TN3270E]);
    await c.expect([T.IAC, T.WONT, 1]);
    c.send(T.IAC, T.WILL, T.OPT_TERMINAL_TYPE);
    await c.expect([T.IAC, T.SB, T.OPT_TERMINAL_TYPE, T.TTYPE_SEND, T.IAC, T.SE]);
    c.send(T.IAC, T.SB, T.OPT_TERMINAL_TYPE, T.TTYPE_IS, ascii('IBM-3278-2'), T.IAC, T.SE);
    c.send(T.IAC, T.WILL, T.OPT_EOR, T.IAC, T.DO, T.OPT_EOR, T.IAC, T.WILL, T.OPT_BINARY, T.IAC, T.DO, T.OPT_BINARY);
    await until(() => sessions.length === 1, 'session');
    c.end();
  });

  it('rejects a terminal that is not a 3270 with a clear log line', async () => {
    const sessions: Tn3270Session[] = [];
    const srv = await serve((s) => sessions.push(s));
    const c = await RawClient.open(srv.port);
    await c.expect([T.IAC, T.DO, T.OPT_TERMINAL_TYPE]);
    c.send(T.IAC, T.WILL, T.OPT_TERMINAL_TYPE);
    await c.expect([T.IAC, T.SB, T.OPT_TERMINAL_TYPE, T.TTYPE_SEND, T.IAC, T.SE]);
    c.send(T.IAC, T.SB, T.OPT_TERMINAL_TYPE, T.TTYPE_IS, ascii('VT100'), T.IAC, T.SE);
    await c.ended;
    expect(sessions).toEqual([]);
    expect(logs.some((l) => l.includes('rejected') && l.includes('terminal type "VT100" is not a 3270 display'))).toBe(true);
  });

  it('rejects clients that refuse TERMINAL-TYPE or BINARY', async () => {
    const srv = await serve(() => {});
    const c1 = await RawClient.open(srv.port);
    await c1.expect([T.IAC, T.DO, T.OPT_TERMINAL_TYPE]);
    c1.send(T.IAC, T.WONT, T.OPT_TERMINAL_TYPE);
    await c1.ended;
    expect(logs.some((l) => l.includes('refused TERMINAL-TYPE'))).toBe(true);

    const c2 = await RawClient.open(srv.port);
    await c2.expect([T.IAC, T.DO, T.OPT_TERMINAL_TYPE]);
    c2.send(T.IAC, T.WILL, T.OPT_TERMINAL_TYPE);
    await c2.expect([T.IAC, T.SB, T.OPT_TERMINAL_TYPE, T.TTYPE_SEND, T.IAC, T.SE]);
    c2.send(T.IAC, T.SB, T.OPT_TERMINAL_TYPE, T.TTYPE_IS, ascii('IBM-3278-2'), T.IAC, T.SE);
    c2.send(T.IAC, T.WONT, T.OPT_BINARY);
    await c2.ended;
    expect(logs.some((l) => l.includes('refused BINARY'))).toBe(true);
  });

  it('drops a client that does not finish negotiating in time', async () => {
    const srv = await serve(() => {}, { negotiationTimeoutMs: 100 });
    const c = await RawClient.open(srv.port);
    await c.ended;
    expect(logs.some((l) => l.includes('did not finish TN3270 negotiation'))).toBe(true);
  });
});

describe('TN3270 robustness', () => {
  it('bounds inbound records: a record beyond the limit ends the connection', async () => {
    const inputs: Tn3270Input[] = [];
    const srv = await serve((s) => s.onInput((i) => inputs.push(i)), { maxRecordBytes: 1024 });
    const c = await RawClient.open(srv.port);
    await negotiate(c, 'IBM-3278-2');
    await until(() => srv.sessions().length === 1, 'session');
    c.send(new Uint8Array(5000).fill(0x40));
    await c.ended;
    expect(inputs).toEqual([]);
    expect(logs.some((l) => l.includes('a record longer than 1024 bytes'))).toBe(true);
  });

  it('bounds subnegotiations: an endless TERMINAL-TYPE IS ends the connection', async () => {
    const srv = await serve(() => {});
    const c = await RawClient.open(srv.port);
    await c.expect([T.IAC, T.DO, T.OPT_TERMINAL_TYPE]);
    c.send(T.IAC, T.SB, T.OPT_TERMINAL_TYPE, T.TTYPE_IS, new Uint8Array(4000).fill(0x41));
    await c.ended;
    expect(logs.some((l) => l.includes('subnegotiation longer than'))).toBe(true);
  });

  it('survives a client that disconnects in the middle of a record and tells the application why', async () => {
    const reasons: string[] = [];
    const inputs: Tn3270Input[] = [];
    const srv = await serve((s) => {
      s.onInput((i) => inputs.push(i));
      s.onClose((r) => reasons.push(r));
    });
    const c = await RawClient.open(srv.port);
    await negotiate(c, 'IBM-3278-2');
    await until(() => srv.sessions().length === 1, 'session');
    c.send(Aid.ENTER, 0x40, 0x40, Order.SBA);
    await new Promise((r) => setTimeout(r, 20));
    c.end();
    await until(() => reasons.length === 1, 'close');
    expect(reasons[0]).toBe('client disconnected in the middle of a record');
    expect(inputs).toEqual([]);
    expect(srv.sessions()).toEqual([]);
  });

  it('drops a client whose queued output passes the bound (it does not read as fast as the host writes)', async () => {
    const results: boolean[] = [];
    const srv = await serve(
      (s) => {
        const screenful = Uint8Array.from([Command.SNA_ERASE_WRITE, 0xc3, ...new Uint8Array(1900).fill(0xc1)]);
        for (let i = 0; i < 20_000 && !s.closed; i++) results.push(s.write(screenful).ok);
      },
      { maxPendingOutputBytes: 64 * 1024 },
    );
    const c = await RawClient.open(srv.port);
    await negotiate(c, 'IBM-3278-2');
    await until(() => logs.some((l) => l.includes('is not reading')), 'the slow-reader rejection');
    // The application learns the session is gone: writes stop succeeding well before all 20,000 were queued.
    expect(results.length).toBeLessThan(20_000);
    expect(srv.sessions()).toEqual([]);
  });

  it('refuses connections beyond maxConnections', async () => {
    const srv = await serve(() => {}, { maxConnections: 1 });
    const c1 = await RawClient.open(srv.port);
    await c1.expect([T.IAC, T.DO, T.OPT_TERMINAL_TYPE]);
    const c2 = await RawClient.open(srv.port);
    await c2.ended;
    expect(logs.some((l) => l.includes('too many connections'))).toBe(true);
    expect(c1.closed).toBe(false);
    c1.end();
  });

  it('does not send a malformed outbound record and returns its located error', async () => {
    let result: ReturnType<Tn3270Session['write']> | null = null;
    const srv = await serve((s) => {
      result = s.write(Uint8Array.of(Command.SNA_ERASE_WRITE, 0xc3, Order.SBA, 0x7f));
      s.write(Uint8Array.of(Command.SNA_ERASE_WRITE, 0xc3, 0xc1));
    });
    const c = await RawClient.open(srv.port);
    await negotiate(c, 'IBM-3278-2');
    const { data } = await c.record();
    expect(Array.from(data)).toEqual([Command.SNA_ERASE_WRITE, 0xc3, 0xc1]);
    expect(result).toMatchObject({ ok: false, error: { code: 'DS_TRUNCATED', offset: 4 } });
    c.end();
  });
});

describe('telnet record framing', () => {
  it('any records, framed and cut into arbitrary chunks, parse back to the same records', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 16 })), (records, cuts) => {
        const wire = Uint8Array.from(records.flatMap((r) => Array.from(frameRecord(r))));
        const got: number[][] = [];
        const p = new TelnetParser({ record: (r) => got.push(Array.from(r)), negotiation: () => {}, subnegotiation: () => {}, overflow: () => {} });
        let at = 0;
        for (const n of cuts) {
          p.feed(wire.subarray(at, at + n));
          at += n;
        }
        p.feed(wire.subarray(at));
        expect(got).toEqual(records.map((r) => Array.from(r)));
      }),
    );
  });
});
