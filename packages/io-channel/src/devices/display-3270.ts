/**
 * IBM 3270 display station (3278/3279 models 2-5), locally attached, at the
 * level of its data stream (IBM 3270 Information Display System Data Stream
 * Programmer's Reference, GA23-0059). Every model has the default screen
 * size 24 × 80, which Erase/Write selects; the model fixes the alternate
 * size Erase/Write Alternate selects (model 2: 24 × 80, 3: 32 × 80,
 * 4: 43 × 80, 5: 27 × 132). Commands: WRITE X'01', ERASE/WRITE X'05',
 * ERASE/WRITE ALTERNATE X'0D', READ BUFFER X'02', READ MODIFIED X'06', ERASE
 * ALL UNPROTECTED X'0F', SELECT X'0B', NOP, SENSE, SENSE ID. Orders in a
 * write: SF X'1D', SFE X'29', MF X'2C', SA X'28', SBA X'11', IC X'13', PT
 * X'05', RA X'3C', EUA X'12', GE X'08'. A malformed write (a buffer address
 * beyond the buffer, an order cut off by the end of the data) ends with unit
 * check and sense "operation check", the data before the error applied. The
 * host side (a TN3270 server, a test) types into unprotected fields and
 * presses an AID key, which raises attention. The buffer and the data-stream
 * codec are the shared Screen3270 (./3270), the one 3270 model in Strachey.
 */
import type { CommandRequest, CommandResponse } from '../device';
import { CE_DE, DS_ATTENTION, DS_UNIT_CHECK } from '../status';
import {
  Aid,
  codeTable3270,
  DISPLAY3270_DEFAULT_COLS,
  DISPLAY3270_DEFAULT_ROWS,
  type Display3270Model,
  pfAid,
} from './3270/codes';
import { Screen3270 } from './3270/screen';
import { UnitRecordDevice } from './unit-record';

/**
 * Sense byte 0 bit 7, operation check: the control unit could not carry out
 * the data stream (an invalid buffer address, an order without its
 * parameters) (GA23-0059, local 3274 sense bits).
 */
export const SENSE0_OPERATION_CHECK = 0x01;

/**
 * AID values (what the operator pressed), the few a channel program usually
 * tests; `Aid` and `pfAid` name them all.
 */
export const AID = {
  NONE: Aid.NONE,
  ENTER: Aid.ENTER,
  CLEAR: Aid.CLEAR,
  PA1: Aid.PA1,
  PA2: Aid.PA2,
  PF1: pfAid(1),
  PF2: pfAid(2),
  PF3: pfAid(3),
} as const;

/** Options of a 3270: its model and where the outbound data stream goes (a TN3270 server forwards it to its client). */
export interface Display3270Options {
  /** Display model 2-5, which fixes the alternate screen size; default 2. SENSE ID reports it as the device model. */
  readonly model?: Display3270Model;
  /**
   * Called with each write-type command (X'01', X'05', X'0D', X'0F') and its
   * data stream as the display took it: all of it, or for a write that ended
   * in an operation check the part before the error (which is what the
   * display applied, so a terminal shown it matches the buffer).
   */
  readonly onOutbound?: (command: number, data: Uint8Array) => void;
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const fromBase64 = (value: unknown, into: Uint8Array): void => {
  into.fill(0);
  if (typeof value === 'string') into.set(Buffer.from(value, 'base64').subarray(0, into.length));
};

/** A 3270 display at the data-stream level: the buffer, the cursor, the operator's keys. */
export class Display3270 extends UnitRecordDevice {
  readonly deviceType = 0x3270;
  readonly deviceModel: number;
  readonly controlUnitType = 0x3274;
  readonly controlUnitModel = 0x1d;
  /** The display model (2-5). */
  readonly model: Display3270Model;
  /**
   * The display buffer, fields, cursor and keyboard. A locally attached
   * 3274 passes codes below X'40' that are not orders to the display as
   * characters, so this screen stores them (`invalidCodes: 'store'`).
   */
  readonly screenBuffer: Screen3270;
  private attention: ((status: number) => void) | null = null;
  private readonly onOutbound: ((command: number, data: Uint8Array) => void) | undefined;

  constructor(options: Display3270Options = {}) {
    super();
    this.onOutbound = options.onOutbound;
    const model = options.model ?? 2;
    this.model = model;
    this.deviceModel = model;
    this.screenBuffer = new Screen3270(model, { invalidCodes: 'store' });
    // Until a program's WCC restores it, the keyboard of a channel-attached display is locked.
    this.screenBuffer.keyboardLocked = true;
  }

  /** Alternate screen rows, selected by Erase/Write Alternate. */
  get alternateRows(): number {
    return this.screenBuffer.alternateRows;
  }

  /** Alternate screen columns. */
  get alternateCols(): number {
    return this.screenBuffer.alternateCols;
  }

  /** Current screen rows: 24 after Erase/Write, the alternate size after Erase/Write Alternate. */
  get rows(): number {
    return this.screenBuffer.rows;
  }

  /** Current screen columns. */
  get cols(): number {
    return this.screenBuffer.cols;
  }

  /** Buffer positions of the current screen size. */
  get size(): number {
    return this.screenBuffer.size;
  }

  /** 1 where a buffer position holds a field attribute. */
  get isAttribute(): Uint8Array {
    return this.screenBuffer.isAttribute;
  }

  /** 1 where the character came through Graphic Escape (GE X'08', the alternate character set). */
  get graphicEscape(): Uint8Array {
    return this.screenBuffer.graphicEscape;
  }

  /** The cursor's buffer address. */
  get cursor(): number {
    return this.screenBuffer.cursor;
  }

  set cursor(address: number) {
    this.screenBuffer.cursor = address;
  }

  /** The AID of the last key pressed (X'60' after a keyboard restore). */
  get aid(): number {
    return this.screenBuffer.aid;
  }

  /** Input inhibited until a WCC restores the keyboard. */
  get keyboardLocked(): boolean {
    return this.screenBuffer.keyboardLocked;
  }

  /**
   * An inbound data stream from a terminal (what a TN3270 client sends when
   * the operator presses an AID key): AID, cursor address, then for each
   * modified field SBA + address + the field's characters, nulls suppressed
   * (or, for an unformatted screen, the whole buffer's characters without
   * SBA). Each field sent replaces the field's contents and gets its
   * modified-data tag (Screen3270.applyInbound); attention is raised. A
   * malformed stream is applied as far as it is well formed.
   */
  inbound(stream: Uint8Array): void {
    if (stream.length === 0) return;
    this.screenBuffer.applyInbound(stream);
    this.attention?.(DS_ATTENTION);
  }

  /** Connect the channel subsystem's attention signal (done by `ChannelSubsystem.attach`). */
  setAttentionSink(sink: (status: number) => void): void {
    this.attention = sink;
  }

  protected override saveState(): Record<string, unknown> {
    const s = this.screenBuffer;
    // `buffer` keeps the characters with each attribute's code-table byte in its position, as snapshots always had it.
    const buffer = s.chars.slice();
    for (let a = 0; a < buffer.length; a++)
      if (s.isAttribute[a] !== 0) buffer[a] = codeTable3270(s.attribute[a]!);
    return {
      buffer: base64(buffer),
      attributes: base64(s.isAttribute),
      graphicEscape: base64(s.graphicEscape),
      foreground: base64(s.foreground),
      highlighting: base64(s.highlighting),
      rows: s.rows,
      cols: s.cols,
      cursor: s.cursor,
      aid: s.aid,
      locked: s.keyboardLocked,
    };
  }

  protected override loadState(o: Record<string, unknown>): void {
    const s = this.screenBuffer;
    fromBase64(o.buffer, s.chars);
    fromBase64(o.attributes, s.isAttribute);
    fromBase64(o.graphicEscape, s.graphicEscape);
    fromBase64(o.foreground, s.foreground);
    fromBase64(o.highlighting, s.highlighting);
    s.attribute.fill(0);
    for (let a = 0; a < s.chars.length; a++) {
      if (s.isAttribute[a] === 0) continue;
      s.attribute[a] = s.chars[a]! & 0x3f;
      s.chars[a] = 0;
    }
    // Snapshots from before the alternate size existed are 24 × 80.
    const alternate = Number(o.rows) === s.alternateRows && Number(o.cols) === s.alternateCols;
    s.rows = alternate ? s.alternateRows : DISPLAY3270_DEFAULT_ROWS;
    s.cols = alternate ? s.alternateCols : DISPLAY3270_DEFAULT_COLS;
    s.alternate = alternate;
    s.cursor = (Number(o.cursor) | 0) % s.size;
    s.aid = Number(o.aid) | 0;
    s.keyboardLocked = o.locked === true;
  }

  override immediate(command: number): boolean {
    return command === 0x03 || command === 0x0b || command === 0x0f;
  }

  /**
   * The screen as `rows` host text lines of `cols` characters, as the
   * operator sees it: attribute positions, nulls and nondisplay fields show
   * as blanks.
   */
  screen(): string[] {
    return this.screenBuffer.text();
  }

  /**
   * Operator types `text` at the cursor (into an unprotected field, stopping
   * where a 3270 would inhibit input) and presses `aid`; attention follows.
   * The host side stands in for the operator, so a locked keyboard does not
   * stop it. CLEAR erases the screen to the default size, as the key does on
   * a 3270.
   */
  key(text: string, aid: number = AID.ENTER): void {
    this.screenBuffer.type(text, true);
    this.screenBuffer.press(aid);
    this.attention?.(DS_ATTENTION);
  }

  execute(req: CommandRequest): CommandResponse {
    const c = this.common(req.command);
    if (c !== null) return c;
    const s = this.screenBuffer;
    switch (req.command) {
      case 0x01:
      case 0x05:
      case 0x0d: {
        const data = req.data ?? new Uint8Array(0);
        const serviceUs = data.length / 1.0;
        if (data.length === 0) {
          // No WCC, nothing to carry out: an erase still erases.
          if (req.command !== 0x01) s.erase(req.command === 0x0d);
          this.onOutbound?.(req.command, data);
          return { status: CE_DE, accepted: 0, serviceUs };
        }
        const result = s.applyCommand(req.command, data);
        if (result.ok) {
          this.onOutbound?.(req.command, data);
          return { status: CE_DE, accepted: data.length, serviceUs };
        }
        this.onOutbound?.(req.command, data.subarray(0, result.applied ?? 0));
        this.senseByte = SENSE0_OPERATION_CHECK;
        return { status: CE_DE | DS_UNIT_CHECK, accepted: data.length, serviceUs };
      }
      case 0x02: {
        const out = s.readBuffer();
        return { status: CE_DE, input: out, serviceUs: out.length };
      }
      case 0x06: {
        const out = s.readModified();
        return { status: CE_DE, input: out, serviceUs: out.length };
      }
      case 0x0f:
        s.eraseAllUnprotected();
        this.onOutbound?.(0x0f, new Uint8Array(0));
        return { status: CE_DE, immediate: true, serviceUs: 0 };
      case 0x0b:
        return { status: CE_DE, immediate: true, serviceUs: 0 };
      default:
        return this.commandReject();
    }
  }
}
