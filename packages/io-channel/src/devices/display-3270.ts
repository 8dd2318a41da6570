/**
 * IBM 3270 display station (model 2: 24 × 80 = 1920 buffer positions),
 * locally attached, at the level of its data stream (IBM 3270 Information
 * Display System Data Stream Programmer's Reference, GA23-0059). Commands:
 * WRITE X'01', ERASE/WRITE X'05', ERASE/WRITE ALTERNATE X'0D', READ BUFFER
 * X'02', READ MODIFIED X'06', ERASE ALL UNPROTECTED X'0F', SELECT X'0B',
 * NOP, SENSE, SENSE ID. Orders in a write: SF X'1D', SBA X'11', IC X'13',
 * PT X'05', RA X'3C', EUA X'12'. The host side (a TN3270 server, a test)
 * types into unprotected fields and presses an AID key, which raises
 * attention.
 */
import type { CommandRequest, CommandResponse } from '../device';
import { fromEbcdic, toEbcdic } from '../ebcdic';
import { CE_DE, DS_ATTENTION } from '../status';
import { UnitRecordDevice } from './unit-record';

const ROWS = 24;
const COLS = 80;
const SIZE = ROWS * COLS;

/** Attribute-byte bits: protected (0x20), numeric (0x10), modified-data tag (0x01). */
const ATTR_PROTECTED = 0x20;
const ATTR_MDT = 0x01;

/** AID values (what the operator pressed). */
export const AID = { NONE: 0x60, ENTER: 0x7d, CLEAR: 0x6d, PA1: 0x6c, PA2: 0x6e, PF1: 0xf1, PF2: 0xf2, PF3: 0xf3 } as const;

/** The 3270 buffer-address code for 6-bit values (the "12-bit" address encoding). */
const ADDR_CODE = [
  0x40, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0x5a, 0x5b,
  0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
  0xf8, 0xf9, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
];

/** Options of a 3270: where the outbound data stream goes (a TN3270 server forwards it to its client). */
export interface Display3270Options {
  /** Called with each write-type command (X'01', X'05', X'0D', X'0F') and its data stream as the guest sent it. */
  readonly onOutbound?: (command: number, data: Uint8Array) => void;
}

/** A 3270 model 2 display at the data-stream level: the buffer, the cursor, the operator's keys. */
export class Display3270 extends UnitRecordDevice {
  readonly deviceType = 0x3270;
  readonly deviceModel = 0x02;
  readonly controlUnitType = 0x3274;
  readonly controlUnitModel = 0x1d;
  /** Character buffer (EBCDIC); positions holding a field attribute are marked in `isAttribute`. */
  readonly buffer = new Uint8Array(SIZE);
  readonly isAttribute = new Uint8Array(SIZE);
  cursor = 0;
  aid: number = AID.NONE;
  keyboardLocked = true;
  private attention: ((status: number) => void) | null = null;
  private readonly onOutbound: ((command: number, data: Uint8Array) => void) | undefined;

  constructor(options: Display3270Options = {}) {
    super();
    this.onOutbound = options.onOutbound;
  }

  /**
   * An inbound data stream from a terminal (what a TN3270 client sends when
   * the operator presses an AID key): AID, cursor address, then for each
   * modified field SBA + address + data. The buffer takes the data, the
   * fields get their modified-data tags, and attention is raised.
   */
  inbound(stream: Uint8Array): void {
    if (stream.length === 0) return;
    this.aid = stream[0]!;
    if (stream.length >= 3) this.cursor = this.decodeAddress(stream[1]!, stream[2]!);
    let a = -1;
    for (let i = 3; i < stream.length; i++) {
      const b = stream[i]!;
      if (b === 0x11 && i + 2 < stream.length) {
        a = this.decodeAddress(stream[i + 1]!, stream[i + 2]!);
        const fa = this.fieldAttribute(a);
        if (fa !== -1) this.buffer[fa] = this.buffer[fa]! | ATTR_MDT;
        i += 2;
        continue;
      }
      if (a < 0 || this.isAttribute[a] !== 0) continue;
      this.buffer[a] = b;
      a = (a + 1) % SIZE;
    }
    this.keyboardLocked = true;
    this.attention?.(DS_ATTENTION);
  }

  /** Connect the channel subsystem's attention signal (done by `ChannelSubsystem.attach`). */
  setAttentionSink(sink: (status: number) => void): void {
    this.attention = sink;
  }

  protected override saveState(): Record<string, unknown> {
    return { buffer: Buffer.from(this.buffer).toString('base64'), attributes: Buffer.from(this.isAttribute).toString('base64'), cursor: this.cursor, aid: this.aid, locked: this.keyboardLocked };
  }

  protected override loadState(o: Record<string, unknown>): void {
    this.buffer.set(Buffer.from(String(o.buffer ?? ''), 'base64').subarray(0, SIZE));
    this.isAttribute.set(Buffer.from(String(o.attributes ?? ''), 'base64').subarray(0, SIZE));
    this.cursor = Number(o.cursor) | 0;
    this.aid = Number(o.aid) | 0;
    this.keyboardLocked = o.locked === true;
  }

  override immediate(command: number): boolean {
    return command === 0x03 || command === 0x0b || command === 0x0f;
  }

  /** The screen as 24 host text lines (attribute positions show as blanks). */
  screen(): string[] {
    const lines: string[] = [];
    for (let r = 0; r < ROWS; r++) {
      const row = this.buffer.slice(r * COLS, (r + 1) * COLS);
      for (let c = 0; c < COLS; c++) if (this.isAttribute[r * COLS + c] !== 0 || row[c] === 0) row[c] = 0x40;
      lines.push(fromEbcdic(row));
    }
    return lines;
  }

  /** Operator types `text` at the cursor (into an unprotected field) and presses `aid`; attention follows. */
  key(text: string, aid: number = AID.ENTER): void {
    const bytes = toEbcdic(text);
    let a = this.cursor;
    for (const b of bytes) {
      const fa = this.fieldAttribute(a);
      if (this.isAttribute[a] !== 0 || (fa !== -1 && (this.buffer[fa]! & ATTR_PROTECTED) !== 0)) break;
      this.buffer[a] = b;
      if (fa !== -1) this.buffer[fa] = this.buffer[fa]! | ATTR_MDT;
      a = (a + 1) % SIZE;
    }
    this.cursor = a;
    this.aid = aid;
    this.keyboardLocked = true;
    this.attention?.(DS_ATTENTION);
  }

  execute(req: CommandRequest): CommandResponse {
    const c = this.common(req.command);
    if (c !== null) return c;
    switch (req.command) {
      case 0x01:
      case 0x05:
      case 0x0d: {
        const data = req.data ?? new Uint8Array(0);
        if (req.command !== 0x01) this.erase();
        this.write(data);
        this.onOutbound?.(req.command, data);
        return { status: CE_DE, accepted: data.length, serviceUs: data.length / 1.0 };
      }
      case 0x02:
        return { status: CE_DE, input: this.readBuffer(), serviceUs: SIZE };
      case 0x06: {
        const out = this.readModified();
        return { status: CE_DE, input: out, serviceUs: out.length };
      }
      case 0x0f:
        this.eraseUnprotected();
        this.onOutbound?.(0x0f, new Uint8Array(0));
        return { status: CE_DE, immediate: true, serviceUs: 0 };
      case 0x0b:
        return { status: CE_DE, immediate: true, serviceUs: 0 };
      default:
        return this.commandReject();
    }
  }

  private erase(): void {
    this.buffer.fill(0);
    this.isAttribute.fill(0);
    this.cursor = 0;
  }

  private eraseUnprotected(): void {
    for (let a = 0; a < SIZE; a++) {
      if (this.isAttribute[a] !== 0) {
        this.buffer[a] = this.buffer[a]! & ~ATTR_MDT;
        continue;
      }
      const fa = this.fieldAttribute(a);
      if (fa === -1 || (this.buffer[fa]! & ATTR_PROTECTED) === 0) this.buffer[a] = 0;
    }
    this.keyboardLocked = false;
    this.aid = AID.NONE;
  }

  /** Address of the attribute of the field holding `a`, or -1 for an unformatted screen. */
  private fieldAttribute(a: number): number {
    for (let i = 0; i < SIZE; i++) {
      const p = (a - i + SIZE) % SIZE;
      if (this.isAttribute[p] !== 0) return p;
    }
    return -1;
  }

  private decodeAddress(b1: number, b2: number): number {
    // 14-bit binary when the top two bits of the first byte are 00, else the 6-bit code pair.
    const a = (b1 & 0xc0) === 0 ? ((b1 & 0x3f) << 8) | b2 : ((b1 & 0x3f) << 6) | (b2 & 0x3f);
    return a % SIZE;
  }

  private encodeAddress(a: number): [number, number] {
    return [ADDR_CODE[(a >>> 6) & 0x3f]!, ADDR_CODE[a & 0x3f]!];
  }

  private write(data: Uint8Array): void {
    if (data.length === 0) return;
    const wcc = data[0]!;
    let a = this.cursor;
    let i = 1;
    while (i < data.length) {
      const b = data[i]!;
      if (b === 0x11 && i + 2 < data.length) {
        a = this.decodeAddress(data[i + 1]!, data[i + 2]!);
        i += 3;
      } else if (b === 0x1d && i + 1 < data.length) {
        this.buffer[a] = data[i + 1]!;
        this.isAttribute[a] = 1;
        a = (a + 1) % SIZE;
        i += 2;
      } else if (b === 0x13) {
        this.cursor = a;
        i += 1;
      } else if (b === 0x05) {
        a = this.nextUnprotected(a);
        i += 1;
      } else if (b === 0x3c && i + 3 < data.length) {
        const stop = this.decodeAddress(data[i + 1]!, data[i + 2]!);
        const ch = data[i + 3]!;
        do {
          this.buffer[a] = ch;
          this.isAttribute[a] = 0;
          a = (a + 1) % SIZE;
        } while (a !== stop);
        i += 4;
      } else if (b === 0x12 && i + 2 < data.length) {
        const stop = this.decodeAddress(data[i + 1]!, data[i + 2]!);
        do {
          const fa = this.fieldAttribute(a);
          if (this.isAttribute[a] === 0 && (fa === -1 || (this.buffer[fa]! & ATTR_PROTECTED) === 0)) this.buffer[a] = 0;
          a = (a + 1) % SIZE;
        } while (a !== stop);
        i += 3;
      } else {
        this.buffer[a] = b;
        this.isAttribute[a] = 0;
        a = (a + 1) % SIZE;
        i += 1;
      }
    }
    // WCC bit 6 (0x02) restores the keyboard; bit 7 (0x01) resets modified-data tags.
    if ((wcc & 0x02) !== 0) {
      this.keyboardLocked = false;
      this.aid = AID.NONE;
    }
    if ((wcc & 0x01) !== 0) for (let p = 0; p < SIZE; p++) if (this.isAttribute[p] !== 0) this.buffer[p] = this.buffer[p]! & ~ATTR_MDT;
  }

  private nextUnprotected(from: number): number {
    for (let i = 1; i <= SIZE; i++) {
      const p = (from + i) % SIZE;
      if (this.isAttribute[p] !== 0 && (this.buffer[p]! & ATTR_PROTECTED) === 0) return (p + 1) % SIZE;
    }
    return 0;
  }

  private readBuffer(): Uint8Array {
    const out: number[] = [this.aid, ...this.encodeAddress(this.cursor)];
    for (let a = 0; a < SIZE; a++) {
      if (this.isAttribute[a] !== 0) out.push(0x1d, this.buffer[a]!);
      else out.push(this.buffer[a]!);
    }
    return Uint8Array.from(out);
  }

  private readModified(): Uint8Array {
    const out: number[] = [this.aid, ...this.encodeAddress(this.cursor)];
    // Short read: CLEAR and the PA keys send only the AID.
    if (this.aid === AID.CLEAR || this.aid === AID.PA1 || this.aid === AID.PA2) return Uint8Array.of(this.aid);
    for (let a = 0; a < SIZE; a++) {
      if (this.isAttribute[a] === 0 || (this.buffer[a]! & ATTR_MDT) === 0) continue;
      const start = (a + 1) % SIZE;
      out.push(0x11, ...this.encodeAddress(start));
      for (let p = start; this.isAttribute[p] === 0; p = (p + 1) % SIZE) {
        if (this.buffer[p] !== 0) out.push(this.buffer[p]!);
        if (p === a) break;
      }
    }
    return Uint8Array.from(out);
  }
}
