/**
 * The telnet layer TN3270 runs on (RFC 854 commands, RFC 855 option
 * negotiation, RFC 885 END-OF-RECORD, RFC 1091 TERMINAL-TYPE, RFC 856
 * BINARY; RFC 1576 for how a 3270 session uses them): a byte-at-a-time
 * parser that splits a connection's input into 3270 records and negotiation
 * commands, with bounded buffers so a hostile peer cannot make it allocate
 * without limit.
 */

/** Telnet command and option codes. */
export const Telnet = {
  IAC: 255,
  DONT: 254,
  DO: 253,
  WONT: 252,
  WILL: 251,
  SB: 250,
  SE: 240,
  EOR: 239,
  NOP: 241,
  OPT_BINARY: 0,
  OPT_TERMINAL_TYPE: 24,
  OPT_EOR: 25,
  OPT_TN3270E: 40,
  TTYPE_IS: 0,
  TTYPE_SEND: 1,
} as const;

/** A negotiation verb: WILL, WONT, DO or DONT. */
export type TelnetVerb = 'WILL' | 'WONT' | 'DO' | 'DONT';

/** What the parser found in the input. */
export interface TelnetSink {
  /** A complete record (the bytes between two IAC EOR, IAC IAC undoubled). */
  record(bytes: Uint8Array): void;
  /** IAC WILL/WONT/DO/DONT option. */
  negotiation(verb: TelnetVerb, option: number): void;
  /** IAC SB option … IAC SE. */
  subnegotiation(option: number, data: Uint8Array): void;
  /** The peer exceeded a bound (record or subnegotiation too long); the connection should end. */
  overflow(what: string): void;
}

const enum State {
  Data = 0,
  Iac = 1,
  Verb = 2,
  Sb = 3,
  SbData = 4,
  SbIac = 5,
}

/** Incremental telnet parser: feed it chunks as they arrive; state carries across chunk boundaries. */
export class TelnetParser {
  private state = State.Data;
  private verb: TelnetVerb = 'WILL';
  private sbOption = 0;
  // Grows by doubling up to maxRecordBytes, so an idle session costs a few KiB, not the bound.
  private record = new Uint8Array(4096);
  private recordLength = 0;
  private readonly sb: Uint8Array;
  private sbLength = 0;
  private failed = false;

  constructor(
    private readonly sink: TelnetSink,
    readonly maxRecordBytes = 65536,
    readonly maxSubnegotiationBytes = 256,
  ) {
    this.sb = new Uint8Array(maxSubnegotiationBytes);
  }

  /** Bytes of the record received so far (an unfinished record when the peer disconnects). */
  get pendingBytes(): number {
    return this.recordLength;
  }

  feed(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length && !this.failed; i++) this.byte(chunk[i]!);
  }

  private byte(b: number): void {
    switch (this.state) {
      case State.Data:
        if (b === Telnet.IAC) this.state = State.Iac;
        else this.push(b);
        return;
      case State.Iac:
        this.state = State.Data;
        if (b === Telnet.IAC) this.push(b);
        else if (b === Telnet.EOR) {
          const rec = this.record.slice(0, this.recordLength);
          this.recordLength = 0;
          this.sink.record(rec);
        } else if (b === Telnet.WILL || b === Telnet.WONT || b === Telnet.DO || b === Telnet.DONT) {
          this.verb = b === Telnet.WILL ? 'WILL' : b === Telnet.WONT ? 'WONT' : b === Telnet.DO ? 'DO' : 'DONT';
          this.state = State.Verb;
        } else if (b === Telnet.SB) {
          this.state = State.Sb;
        }
        // Other commands (NOP, AYT, GA, a stray SE …) carry nothing for a 3270 session.
        return;
      case State.Verb:
        this.state = State.Data;
        this.sink.negotiation(this.verb, b);
        return;
      case State.Sb:
        this.sbOption = b;
        this.sbLength = 0;
        this.state = State.SbData;
        return;
      case State.SbData:
        if (b === Telnet.IAC) this.state = State.SbIac;
        else this.pushSb(b);
        return;
      case State.SbIac:
        if (b === Telnet.SE) {
          this.state = State.Data;
          this.sink.subnegotiation(this.sbOption, this.sb.slice(0, this.sbLength));
        } else {
          // IAC IAC inside SB is a data byte; anything else is a protocol error we tolerate as data.
          this.state = State.SbData;
          this.pushSb(b);
        }
        return;
    }
  }

  private push(b: number): void {
    if (this.recordLength >= this.maxRecordBytes) {
      this.failed = true;
      this.sink.overflow(`a record longer than ${this.maxRecordBytes} bytes`);
      return;
    }
    if (this.recordLength >= this.record.length) {
      const bigger = new Uint8Array(Math.min(this.record.length * 2, this.maxRecordBytes));
      bigger.set(this.record);
      this.record = bigger;
    }
    this.record[this.recordLength++] = b;
  }

  private pushSb(b: number): void {
    if (this.sbLength >= this.sb.length) {
      this.failed = true;
      this.sink.overflow(`a subnegotiation longer than ${this.sb.length} bytes`);
      return;
    }
    this.sb[this.sbLength++] = b;
  }
}

/** A record for the wire: IAC bytes doubled, IAC EOR appended. */
export function frameRecord(record: Uint8Array): Uint8Array {
  let iacs = 0;
  for (let i = 0; i < record.length; i++) if (record[i] === Telnet.IAC) iacs++;
  const out = new Uint8Array(record.length + iacs + 2);
  let o = 0;
  for (let i = 0; i < record.length; i++) {
    const b = record[i]!;
    out[o++] = b;
    if (b === Telnet.IAC) out[o++] = Telnet.IAC;
  }
  out[o++] = Telnet.IAC;
  out[o] = Telnet.EOR;
  return out;
}
