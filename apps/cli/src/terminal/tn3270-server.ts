/**
 * A TN3270 server (RFC 1576): telnet with TERMINAL-TYPE, END-OF-RECORD and
 * BINARY negotiated, then 3270 data-stream records each ended by IAC EOR.
 * Each accepted connection becomes a session an application drives with
 * `write` and `onInput`; the session keeps a Screen3270 mirror of what the
 * client shows. Listens on loopback unless told otherwise.
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  aidName,
  decodeBufferAddress as decodeAddress,
  type InboundRecord,
  display3270AlternateSize as modelSize,
  Screen3270,
  type Display3270Model as TerminalModel,
  type DataStreamResult as WriteResult,
} from '@strachey/io-channel';
import { frameRecord, Telnet, TelnetParser, type TelnetVerb } from './telnet';

/** What the application gets when the operator presses an AID key (or a read command is answered). */
export interface Tn3270Input extends InboundRecord {
  /** 'aid' for an operator's key; 'read-buffer' / 'read-modified' for the reply to a host read command. */
  readonly kind: 'aid' | 'read-buffer' | 'read-modified';
  /** ENTER, CLEAR, PA1, PF3, … */
  readonly aidName: string;
  /** The record as received (IAC undoubled, without IAC EOR). */
  readonly raw: Uint8Array;
}

/** One connected 3270 terminal. */
export interface Tn3270Session {
  readonly id: number;
  /** The client's terminal type as it sent it, e.g. IBM-3278-2-E. */
  readonly terminalType: string;
  /** The client's display model (its alternate screen size). */
  readonly model: TerminalModel;
  /** Whether the client announced the extended data stream (-E: SFE, SA, MF, colours). */
  readonly extended: boolean;
  /** Screen rows the application should use. */
  readonly rows: number;
  /** Screen columns the application should use. */
  readonly cols: number;
  /** Whether rows×cols is the alternate size (use Erase/Write Alternate) or the default 24×80 (Erase/Write). */
  readonly alternate: boolean;
  /** What the client shows, kept by applying every outbound record and the operator's input. */
  readonly screen: Screen3270;
  readonly remoteAddress: string;
  readonly closed: boolean;
  /**
   * Send one outbound record (command byte first). It is checked against the
   * mirror first: a malformed record is not sent and its located error is
   * returned.
   */
  write(record: Uint8Array): WriteResult;
  /** Called for every inbound record. */
  onInput(handler: (input: Tn3270Input) => void): void;
  /** Called once when the connection ends, with why. */
  onClose(handler: (reason: string) => void): void;
  close(reason?: string): void;
}

/** Options of `startTn3270Server`. */
export interface Tn3270ServerOptions {
  /** TCP port; 0 picks a free one (see `server.port`). */
  readonly port: number;
  /** Address to listen on; loopback unless a caller decides otherwise. */
  readonly host?: string;
  /**
   * The screen model applications are written for. A client whose alternate
   * size is at least as large in both directions gets that size; other
   * clients get the default 24×80 screen. Without it, sessions use the
   * client's own alternate size.
   */
  readonly model?: TerminalModel;
  /** Called when a connection has finished negotiation and is a 3270 session. */
  readonly onSession: (session: Tn3270Session) => void;
  /** Where connection events and rejections are reported (default: standard error). */
  readonly log?: (line: string) => void;
  /** Host milliseconds a client gets to finish negotiation (default 10 s). */
  readonly negotiationTimeoutMs?: number;
  /** Largest inbound record accepted (default 64 KiB). */
  readonly maxRecordBytes?: number;
  /** Output queued to a client that does not read before it is dropped (default 1 MiB). */
  readonly maxPendingOutputBytes?: number;
  /** Most simultaneous connections (default 10,000). */
  readonly maxConnections?: number;
}

/** A running TN3270 server. */
export interface Tn3270Server {
  readonly host: string;
  readonly port: number;
  /** Sessions currently connected. */
  sessions(): readonly Tn3270Session[];
  /** Stop listening and end every connection. */
  close(): Promise<void>;
}

const TERMINAL_TYPE = /^IBM-327([89])-([2-5])(-E)?$/;

/** Parse a TN3270 terminal type (RFC 1576 / 1647 names): IBM-3278-2 … IBM-3279-5-E; null if not one. */
export function parseTerminalType(name: string): { model: TerminalModel; color: boolean; extended: boolean } | null {
  const m = TERMINAL_TYPE.exec(name.toUpperCase());
  if (m === null) return null;
  return { model: Number(m[2]) as TerminalModel, color: m[1] === '9', extended: m[3] !== undefined };
}

type Phase = 'terminal-type' | 'options' | 'session' | 'closed';

let nextSessionId = 1;

class Connection implements Tn3270Session {
  readonly id = nextSessionId++;
  terminalType = '';
  model: TerminalModel = 2;
  extended = false;
  rows = 24;
  cols = 80;
  alternate = false;
  screen: Screen3270 = new Screen3270(2);
  readonly remoteAddress: string;
  private phase: Phase = 'terminal-type';
  private readonly parser: TelnetParser;
  private readonly inputHandlers: ((input: Tn3270Input) => void)[] = [];
  private readonly closeHandlers: ((reason: string) => void)[] = [];
  private readonly timer: NodeJS.Timeout;
  private sentTerminalTypeSend = false;
  private negotiations = 0;
  private pendingRead: 'read-buffer' | 'read-modified' | null = null;
  // Options agreed: the client WILL send binary/EOR, and DO accept ours.
  private clientWill = { binary: false, eor: false };
  private clientDo = { binary: false, eor: false };

  constructor(
    private readonly socket: Socket,
    private readonly options: Tn3270ServerOptions,
    private readonly log: (line: string) => void,
    private readonly onEstablished: (c: Connection) => void,
    private readonly onGone: (c: Connection) => void,
  ) {
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.parser = new TelnetParser(
      {
        record: (bytes) => this.record(bytes),
        negotiation: (verb, option) => this.negotiation(verb, option),
        subnegotiation: (option, data) => this.subnegotiation(option, data),
        overflow: (what) => this.reject(`sent ${what}`),
      },
      options.maxRecordBytes ?? 65536,
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.parser.feed(chunk));
    socket.on('error', (err) => this.end(`connection error: ${err.message}`));
    socket.on('close', () => this.end(this.parser.pendingBytes > 0 ? 'client disconnected in the middle of a record' : 'client disconnected'));
    this.timer = setTimeout(() => {
      if (this.phase !== 'session') this.reject(`did not finish TN3270 negotiation in ${this.options.negotiationTimeoutMs ?? 10_000} ms`);
    }, options.negotiationTimeoutMs ?? 10_000);
    this.timer.unref();
    this.send(Uint8Array.of(Telnet.IAC, Telnet.DO, Telnet.OPT_TERMINAL_TYPE));
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  write(record: Uint8Array): WriteResult {
    if (this.phase !== 'session') {
      const message = 'the session is closed';
      return { ok: false, error: { code: 'SESSION_CLOSED', offset: 0, expected: 'an open session', found: 'a closed connection', message } };
    }
    const checked = this.screen.check(record);
    if (!checked.ok) return checked;
    const result = this.screen.apply(record);
    if (!result.ok) return result;
    if (result.command === 'read-buffer' || result.command === 'read-modified' || result.command === 'read-modified-all') {
      this.pendingRead = result.command === 'read-buffer' ? 'read-buffer' : 'read-modified';
    }
    this.send(frameRecord(record));
    return result;
  }

  onInput(handler: (input: Tn3270Input) => void): void {
    this.inputHandlers.push(handler);
  }

  onClose(handler: (reason: string) => void): void {
    if (this.phase === 'closed') handler('already closed');
    else this.closeHandlers.push(handler);
  }

  close(reason = 'closed by the application'): void {
    this.end(reason);
  }

  private send(bytes: Uint8Array): void {
    if (this.phase === 'closed') return;
    this.socket.write(bytes);
    const limit = this.options.maxPendingOutputBytes ?? 1 << 20;
    if (this.socket.writableLength > limit) this.reject(`is not reading: more than ${limit} bytes of output queued`);
  }

  private reject(why: string): void {
    if (this.phase === 'closed') return;
    this.log(`tn3270: ${this.remoteAddress} rejected: client ${why}`);
    this.end(`rejected: client ${why}`);
  }

  private end(reason: string): void {
    if (this.phase === 'closed') return;
    const wasSession = this.phase === 'session';
    this.phase = 'closed';
    clearTimeout(this.timer);
    this.socket.destroy();
    if (wasSession) this.log(`tn3270: session ${this.id} (${this.remoteAddress}) ended: ${reason}`);
    this.onGone(this);
    for (const h of this.closeHandlers.splice(0)) h(reason);
  }

  private negotiation(verb: TelnetVerb, option: number): void {
    if (this.phase === 'closed') return;
    if (this.phase !== 'session' && ++this.negotiations > 64) {
      this.reject('kept negotiating (more than 64 option commands)');
      return;
    }
    const T = Telnet;
    if (option === T.OPT_TERMINAL_TYPE && (verb === 'WILL' || verb === 'WONT')) {
      if (verb === 'WONT') this.reject('refused TERMINAL-TYPE (RFC 1091); a TN3270 client must send its terminal type');
      else if (!this.sentTerminalTypeSend) {
        this.sentTerminalTypeSend = true;
        this.send(Uint8Array.of(T.IAC, T.SB, T.OPT_TERMINAL_TYPE, T.TTYPE_SEND, T.IAC, T.SE));
      }
      return;
    }
    if (option === T.OPT_BINARY || option === T.OPT_EOR) {
      const key = option === T.OPT_BINARY ? 'binary' : 'eor';
      const name = option === T.OPT_BINARY ? 'BINARY' : 'END-OF-RECORD';
      if (verb === 'WONT' || verb === 'DONT') {
        this.reject(`refused ${name} (${verb}); 3270 records need BINARY and END-OF-RECORD in both directions`);
        return;
      }
      if (this.phase === 'terminal-type') {
        // Asked before we knew the terminal: agree now, we will ask for the same anyway.
        this.send(Uint8Array.of(T.IAC, verb === 'WILL' ? T.DO : T.WILL, option));
      }
      if (verb === 'WILL') this.clientWill[key] = true;
      else this.clientDo[key] = true;
      this.checkEstablished();
      return;
    }
    // Everything else (TN3270E, ECHO, NAWS, …) is refused; TN3270E clients fall back to TN3270.
    if (verb === 'WILL') this.send(Uint8Array.of(T.IAC, T.DONT, option));
    else if (verb === 'DO') this.send(Uint8Array.of(T.IAC, T.WONT, option));
  }

  private subnegotiation(option: number, data: Uint8Array): void {
    if (this.phase !== 'terminal-type' || option !== Telnet.OPT_TERMINAL_TYPE) return;
    if (data[0] !== Telnet.TTYPE_IS) {
      this.reject('sent a TERMINAL-TYPE subnegotiation that is not IS');
      return;
    }
    const name = String.fromCharCode(...data.subarray(1));
    const parsed = parseTerminalType(name);
    if (parsed === null) {
      this.reject(`terminal type "${name}" is not a 3270 display (expected IBM-3278-n or IBM-3279-n, n = 2..5, optionally -E)`);
      return;
    }
    this.terminalType = name;
    this.model = parsed.model;
    this.extended = parsed.extended;
    this.screen = new Screen3270(parsed.model);
    const client = modelSize(parsed.model);
    const wanted = this.options.model === undefined ? client : modelSize(this.options.model);
    this.alternate = wanted.rows <= client.rows && wanted.cols <= client.cols && (wanted.rows !== 24 || wanted.cols !== 80);
    this.rows = this.alternate ? wanted.rows : 24;
    this.cols = this.alternate ? wanted.cols : 80;
    this.phase = 'options';
    const T = Telnet;
    this.send(
      Uint8Array.of(
        T.IAC, T.DO, T.OPT_EOR, T.IAC, T.WILL, T.OPT_EOR,
        T.IAC, T.DO, T.OPT_BINARY, T.IAC, T.WILL, T.OPT_BINARY,
      ),
    );
    this.checkEstablished();
  }

  private checkEstablished(): void {
    if (this.phase !== 'options') return;
    if (!(this.clientWill.binary && this.clientWill.eor && this.clientDo.binary && this.clientDo.eor)) return;
    this.phase = 'session';
    clearTimeout(this.timer);
    this.log(`tn3270: session ${this.id} from ${this.remoteAddress}: ${this.terminalType}, ${this.rows}x${this.cols}`);
    this.onEstablished(this);
  }

  private record(bytes: Uint8Array): void {
    if (this.phase !== 'session' || bytes.length === 0) return;
    const kind = this.pendingRead ?? 'aid';
    this.pendingRead = null;
    let parsed: InboundRecord;
    if (kind === 'read-buffer') {
      // The reply is the whole buffer; the mirror already holds it.
      const cursor = bytes.length >= 3 ? decodeAddress(bytes[1]!, bytes[2]!) : null;
      parsed = { aid: bytes[0]!, cursor, fields: [] };
    } else {
      const result = this.screen.applyInbound(bytes);
      if (!result.ok) {
        this.log(`tn3270: session ${this.id}: malformed inbound record ignored: ${result.error.message}`);
        return;
      }
      parsed = result.record;
    }
    const input: Tn3270Input = { ...parsed, kind, aidName: aidName(parsed.aid), raw: bytes };
    for (const h of this.inputHandlers) h(input);
  }
}

/** Start a TN3270 server; resolves once it listens. */
export function startTn3270Server(options: Tn3270ServerOptions): Promise<Tn3270Server> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const live = new Set<Connection>();
  const sessions = new Set<Connection>();
  const server: Server = createServer((socket) => {
    if (live.size >= (options.maxConnections ?? 10_000)) {
      log(`tn3270: ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'} rejected: too many connections`);
      socket.destroy();
      return;
    }
    const c = new Connection(
      socket,
      options,
      log,
      (established) => {
        sessions.add(established);
        options.onSession(established);
      },
      (gone) => {
        live.delete(gone);
        sessions.delete(gone);
      },
    );
    if (!c.closed) live.add(c);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      resolve({
        host,
        port,
        sessions: () => [...sessions],
        close: () =>
          new Promise<void>((done) => {
            for (const c of [...live]) c.close('server shut down');
            server.close(() => done());
          }),
      });
    });
  });
}
