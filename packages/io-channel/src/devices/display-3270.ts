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
 * presses an AID key, which raises attention.
 */
import type { CommandRequest, CommandResponse } from '../device';
import { fromEbcdic, toEbcdic } from '../ebcdic';
import { CE_DE, DS_ATTENTION, DS_UNIT_CHECK } from '../status';
import { UnitRecordDevice } from './unit-record';

/** Every 3270 display's default screen size (GA23-0059 "Screen Sizes"). */
const DEFAULT_ROWS = 24;
const DEFAULT_COLS = 80;

/** Attribute-byte bits: protected (0x20), numeric (0x10), modified-data tag (0x01). */
const ATTR_PROTECTED = 0x20;
const ATTR_MDT = 0x01;

/**
 * Sense byte 0 bit 7, operation check: the control unit could not carry out
 * the data stream (an invalid buffer address, an order without its
 * parameters) (GA23-0059, local 3274 sense bits).
 */
export const SENSE0_OPERATION_CHECK = 0x01;

/** Orders of a write's data stream (GA23-0059 chapter 4). */
const ORDER_PT = 0x05;
const ORDER_GE = 0x08;
const ORDER_SBA = 0x11;
const ORDER_EUA = 0x12;
const ORDER_IC = 0x13;
const ORDER_SF = 0x1d;
const ORDER_SA = 0x28;
const ORDER_SFE = 0x29;
const ORDER_MF = 0x2c;
const ORDER_RA = 0x3c;
/** The type of the SFE/MF pair that carries the 3270 field attribute. */
const EXT_FIELD_ATTRIBUTE = 0xc0;
/** The field attribute of an SFE without an X'C0' pair: unprotected, alphanumeric, normal (code-table X'40'). */
const ATTR_DEFAULT = 0x40;

/** AID values (what the operator pressed). */
export const AID = { NONE: 0x60, ENTER: 0x7d, CLEAR: 0x6d, PA1: 0x6c, PA2: 0x6e, PF1: 0xf1, PF2: 0xf2, PF3: 0xf3 } as const;

/** PA3's AID: with CLEAR, PA1 and PA2 a short read (the AID alone). */
const AID_PA3 = 0x6b;

/** The 3270 buffer-address code for 6-bit values (the "12-bit" address encoding). */
const ADDR_CODE = [
  0x40, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0x5a, 0x5b,
  0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
  0xf8, 0xf9, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
];

/** A 3278/3279 display model: 2 (24 × 80), 3 (32 × 80), 4 (43 × 80) or 5 (27 × 132) as its alternate size. */
export type Display3270Model = 2 | 3 | 4 | 5;

/** The alternate screen size (rows, columns) of a display model (GA23-0059 "Screen Sizes"). */
export function display3270AlternateSize(model: Display3270Model): { readonly rows: number; readonly cols: number } {
  switch (model) {
    case 3:
      return { rows: 32, cols: 80 };
    case 4:
      return { rows: 43, cols: 80 };
    case 5:
      return { rows: 27, cols: 132 };
    default:
      return { rows: 24, cols: 80 };
  }
}

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

/** A 3270 display at the data-stream level: the buffer, the cursor, the operator's keys. */
export class Display3270 extends UnitRecordDevice {
  readonly deviceType = 0x3270;
  readonly deviceModel: number;
  readonly controlUnitType = 0x3274;
  readonly controlUnitModel = 0x1d;
  /** The display model (2-5). */
  readonly model: Display3270Model;
  /** Alternate screen size, selected by Erase/Write Alternate. */
  readonly alternateRows: number;
  readonly alternateCols: number;
  /** Current screen size: 24 × 80 after Erase/Write, the alternate size after Erase/Write Alternate. */
  rows = DEFAULT_ROWS;
  cols = DEFAULT_COLS;
  /**
   * Character buffer (EBCDIC), large enough for either size; positions
   * holding a field attribute are marked in `isAttribute`. Only the first
   * `rows × cols` positions are the screen.
   */
  readonly buffer: Uint8Array;
  readonly isAttribute: Uint8Array;
  /** 1 where the character came through Graphic Escape (GE X'08', the alternate character set). */
  readonly graphicEscape: Uint8Array;
  cursor = 0;
  aid: number = AID.NONE;
  keyboardLocked = true;
  private attention: ((status: number) => void) | null = null;
  private readonly onOutbound: ((command: number, data: Uint8Array) => void) | undefined;

  constructor(options: Display3270Options = {}) {
    super();
    this.onOutbound = options.onOutbound;
    const model = options.model ?? 2;
    this.model = model;
    this.deviceModel = model;
    const alt = display3270AlternateSize(model);
    this.alternateRows = alt.rows;
    this.alternateCols = alt.cols;
    const max = Math.max(alt.rows * alt.cols, DEFAULT_ROWS * DEFAULT_COLS);
    this.buffer = new Uint8Array(max);
    this.isAttribute = new Uint8Array(max);
    this.graphicEscape = new Uint8Array(max);
  }

  /** Buffer positions of the current screen size. */
  get size(): number {
    return this.rows * this.cols;
  }

  /**
   * An inbound data stream from a terminal (what a TN3270 client sends when
   * the operator presses an AID key): AID, cursor address, then for each
   * modified field SBA + address + the field's characters, nulls suppressed
   * (or, for an unformatted screen, the whole buffer's characters without
   * SBA). Each field sent replaces the field's contents and gets its
   * modified-data tag; attention is raised.
   */
  inbound(stream: Uint8Array): void {
    if (stream.length === 0) return;
    this.aid = stream[0]!;
    // CLEAR erases the buffer and selects the default size before its short read goes out.
    if (this.aid === AID.CLEAR) this.erase(false);
    const n = this.size;
    if (stream.length >= 3) {
      const c = decodeAddress(stream[1]!, stream[2]!);
      if (c < n) this.cursor = c;
    }
    let a = -1;
    if (stream.length >= 3 && stream[3] !== ORDER_SBA && this.fieldAttribute(0) === -1) {
      // Unformatted: the characters arrive in buffer order with the nulls left out,
      // so they replace the buffer from position 0 and Read Modified returns them unchanged.
      this.buffer.fill(0, 0, n);
      this.graphicEscape.fill(0, 0, n);
      a = 0;
    }
    for (let i = 3; i < stream.length; i++) {
      const b = stream[i]!;
      if (b === ORDER_SBA && i + 2 < stream.length) {
        const t = decodeAddress(stream[i + 1]!, stream[i + 2]!);
        i += 2;
        if (t >= n) {
          a = -1;
          continue;
        }
        a = t;
        // The SBA names the field's first character position, so its attribute governs the position before
        // (an empty field's SBA names the next attribute, which is not the field's own).
        const fa = this.fieldAttribute((t - 1 + n) % n);
        if (fa !== -1) {
          this.buffer[fa] = this.buffer[fa]! | ATTR_MDT;
          for (let p = a; this.isAttribute[p] === 0; p = (p + 1) % n) {
            this.buffer[p] = 0;
            this.graphicEscape[p] = 0;
          }
        }
        continue;
      }
      let ge = 0;
      let c = b;
      if (b === ORDER_GE && i + 1 < stream.length) {
        ge = 1;
        c = stream[++i]!;
      }
      if (a < 0 || this.isAttribute[a] !== 0) continue;
      this.buffer[a] = c;
      this.graphicEscape[a] = ge;
      a = (a + 1) % n;
    }
    this.keyboardLocked = true;
    this.attention?.(DS_ATTENTION);
  }

  /** Connect the channel subsystem's attention signal (done by `ChannelSubsystem.attach`). */
  setAttentionSink(sink: (status: number) => void): void {
    this.attention = sink;
  }

  protected override saveState(): Record<string, unknown> {
    return {
      buffer: Buffer.from(this.buffer).toString('base64'),
      attributes: Buffer.from(this.isAttribute).toString('base64'),
      graphicEscape: Buffer.from(this.graphicEscape).toString('base64'),
      rows: this.rows,
      cols: this.cols,
      cursor: this.cursor,
      aid: this.aid,
      locked: this.keyboardLocked,
    };
  }

  protected override loadState(o: Record<string, unknown>): void {
    const max = this.buffer.length;
    this.buffer.fill(0);
    this.isAttribute.fill(0);
    this.graphicEscape.fill(0);
    this.buffer.set(Buffer.from(String(o.buffer ?? ''), 'base64').subarray(0, max));
    this.isAttribute.set(Buffer.from(String(o.attributes ?? ''), 'base64').subarray(0, max));
    this.graphicEscape.set(Buffer.from(String(o.graphicEscape ?? ''), 'base64').subarray(0, max));
    // Snapshots from before the alternate size existed are 24 × 80.
    const alternate = Number(o.rows) === this.alternateRows && Number(o.cols) === this.alternateCols;
    this.rows = alternate ? this.alternateRows : DEFAULT_ROWS;
    this.cols = alternate ? this.alternateCols : DEFAULT_COLS;
    this.cursor = (Number(o.cursor) | 0) % this.size;
    this.aid = Number(o.aid) | 0;
    this.keyboardLocked = o.locked === true;
  }

  override immediate(command: number): boolean {
    return command === 0x03 || command === 0x0b || command === 0x0f;
  }

  /** The screen as `rows` host text lines of `cols` characters (attribute positions and nulls show as blanks). */
  screen(): string[] {
    const lines: string[] = [];
    const cols = this.cols;
    for (let r = 0; r < this.rows; r++) {
      const row = this.buffer.slice(r * cols, (r + 1) * cols);
      for (let c = 0; c < cols; c++) if (this.isAttribute[r * cols + c] !== 0 || row[c] === 0) row[c] = 0x40;
      lines.push(fromEbcdic(row));
    }
    return lines;
  }

  /**
   * Operator types `text` at the cursor (into an unprotected field) and
   * presses `aid`; attention follows. CLEAR erases the screen to the default
   * size, as the key does on a 3270.
   */
  key(text: string, aid: number = AID.ENTER): void {
    const bytes = toEbcdic(text);
    const n = this.size;
    let a = this.cursor;
    for (const b of bytes) {
      const fa = this.fieldAttribute(a);
      if (this.isAttribute[a] !== 0 || (fa !== -1 && (this.buffer[fa]! & ATTR_PROTECTED) !== 0)) break;
      this.buffer[a] = b;
      this.graphicEscape[a] = 0;
      if (fa !== -1) this.buffer[fa] = this.buffer[fa]! | ATTR_MDT;
      a = (a + 1) % n;
    }
    this.cursor = a;
    this.aid = aid;
    if (aid === AID.CLEAR) this.erase(false);
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
        if (req.command === 0x05) this.erase(false);
        else if (req.command === 0x0d) this.erase(true);
        const end = this.write(data);
        if (end < 0) {
          this.onOutbound?.(req.command, data);
          return { status: CE_DE, accepted: data.length, serviceUs: data.length / 1.0 };
        }
        this.onOutbound?.(req.command, data.subarray(0, end));
        this.senseByte = SENSE0_OPERATION_CHECK;
        return { status: CE_DE | DS_UNIT_CHECK, accepted: data.length, serviceUs: data.length / 1.0 };
      }
      case 0x02: {
        const out = this.readBuffer();
        return { status: CE_DE, input: out, serviceUs: out.length };
      }
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

  /** Clear the buffer to nulls and select the default or the alternate screen size. */
  private erase(alternate: boolean): void {
    this.buffer.fill(0);
    this.isAttribute.fill(0);
    this.graphicEscape.fill(0);
    this.rows = alternate ? this.alternateRows : DEFAULT_ROWS;
    this.cols = alternate ? this.alternateCols : DEFAULT_COLS;
    this.cursor = 0;
  }

  /**
   * Erase All Unprotected (GA23-0059): nulls in every unprotected character
   * position, the unprotected fields' modified-data tags reset, the cursor
   * to the first character position of the first unprotected field (0 when
   * there is none); an unformatted screen is erased whole. The keyboard is
   * restored.
   */
  private eraseUnprotected(): void {
    const n = this.size;
    const last = this.fieldAttribute(n - 1);
    if (last === -1) {
      this.buffer.fill(0, 0, n);
      this.graphicEscape.fill(0, 0, n);
      this.cursor = 0;
    } else {
      let cursor = -1;
      let prot = (this.buffer[last]! & ATTR_PROTECTED) !== 0;
      for (let a = 0; a < n; a++) {
        if (this.isAttribute[a] !== 0) {
          prot = (this.buffer[a]! & ATTR_PROTECTED) !== 0;
          if (!prot) {
            this.buffer[a] = this.buffer[a]! & ~ATTR_MDT;
            const next = (a + 1) % n;
            if (cursor === -1 && this.isAttribute[next] === 0) cursor = next;
          }
        } else if (!prot) {
          this.buffer[a] = 0;
          this.graphicEscape[a] = 0;
        }
      }
      this.cursor = cursor === -1 ? 0 : cursor;
    }
    this.keyboardLocked = false;
    this.aid = AID.NONE;
  }

  /** Address of the attribute of the field holding `a`, or -1 for an unformatted screen. */
  private fieldAttribute(a: number): number {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      const p = (a - i + n) % n;
      if (this.isAttribute[p] !== 0) return p;
    }
    return -1;
  }

  private encodeAddress(a: number): [number, number] {
    return [ADDR_CODE[(a >>> 6) & 0x3f]!, ADDR_CODE[a & 0x3f]!];
  }

  private setChar(a: number, c: number, ge: number): void {
    this.buffer[a] = c;
    this.isAttribute[a] = 0;
    this.graphicEscape[a] = ge;
  }

  private startField(a: number, attribute: number): void {
    this.buffer[a] = attribute;
    this.isAttribute[a] = 1;
    this.graphicEscape[a] = 0;
  }

  /**
   * Carry out a write's data stream (WCC, then orders and characters).
   * Returns -1 when all of it was done, else the offset of the order in
   * error (an address beyond the buffer, or parameters cut off by the end of
   * the data): everything before that offset stays applied, as on a 3274.
   */
  private write(data: Uint8Array): number {
    if (data.length === 0) return -1;
    const n = this.size;
    const wcc = data[0]!;
    // WCC bit 7 resets the modified-data tags before the orders, so an SF in the same write may set one again.
    if ((wcc & 0x01) !== 0) for (let p = 0; p < n; p++) if (this.isAttribute[p] !== 0) this.buffer[p] = this.buffer[p]! & ~ATTR_MDT;
    const len = data.length;
    let a = this.cursor;
    let i = 1;
    let error = -1;
    // PT nulls the rest of a field only when it follows data, not a command or an order;
    // a nulling PT that ran to the end of the buffer lets the next PT null as well.
    let dataBefore = false;
    let ptWrapped = false;
    while (i < len) {
      const b = data[i]!;
      const afterData = dataBefore;
      const afterWrap = ptWrapped;
      dataBefore = false;
      ptWrapped = false;
      if (b === ORDER_SBA) {
        if (i + 2 >= len) {
          error = i;
          break;
        }
        const t = decodeAddress(data[i + 1]!, data[i + 2]!);
        if (t >= n) {
          error = i;
          break;
        }
        a = t;
        i += 3;
      } else if (b === ORDER_SF) {
        if (i + 1 >= len) {
          error = i;
          break;
        }
        this.startField(a, data[i + 1]!);
        a = (a + 1) % n;
        i += 2;
      } else if (b === ORDER_SFE || b === ORDER_MF) {
        // A count, then that many type/value pairs; only the X'C0' pair (the field attribute) is kept.
        if (i + 1 >= len) {
          error = i;
          break;
        }
        const pairs = data[i + 1]!;
        if (i + 1 + 2 * pairs >= len) {
          error = i;
          break;
        }
        let attribute = b === ORDER_SFE ? ATTR_DEFAULT : this.buffer[a]!;
        for (let k = 0; k < pairs; k++) if (data[i + 2 + 2 * k] === EXT_FIELD_ATTRIBUTE) attribute = data[i + 3 + 2 * k]!;
        if (b === ORDER_SFE) {
          this.startField(a, attribute);
          a = (a + 1) % n;
        } else if (this.isAttribute[a] !== 0) {
          // MF changes only an attribute position, then steps past it.
          this.buffer[a] = attribute;
          a = (a + 1) % n;
        }
        i += 2 + 2 * pairs;
      } else if (b === ORDER_SA) {
        // A character attribute (colour, highlighting) for what follows: this model keeps none.
        if (i + 2 >= len) {
          error = i;
          break;
        }
        i += 3;
      } else if (b === ORDER_GE) {
        if (i + 1 >= len) {
          error = i;
          break;
        }
        this.setChar(a, data[i + 1]!, 1);
        a = (a + 1) % n;
        i += 2;
        dataBefore = true;
      } else if (b === ORDER_IC) {
        this.cursor = a;
        i += 1;
      } else if (b === ORDER_PT) {
        if (this.isAttribute[a] !== 0 && (this.buffer[a]! & ATTR_PROTECTED) === 0) {
          // At an unprotected field's attribute: its first character position is the next one.
          a = (a + 1) % n;
        } else {
          // The tab stops at the end of the buffer (address 0) rather than wrapping to an earlier field.
          let target = this.nextUnprotected(a);
          if (target < a) target = 0;
          if (afterData || afterWrap) {
            while (a !== target && this.isAttribute[a] === 0) {
              this.setChar(a, 0, 0);
              a = (a + 1) % n;
            }
            ptWrapped = target === 0;
          }
          a = target;
        }
        i += 1;
      } else if (b === ORDER_RA) {
        if (i + 3 >= len) {
          error = i;
          break;
        }
        const stop = decodeAddress(data[i + 1]!, data[i + 2]!);
        let ch = data[i + 3]!;
        let ge = 0;
        let step = 4;
        if (ch === ORDER_GE) {
          if (i + 4 >= len) {
            error = i;
            break;
          }
          ch = data[i + 4]!;
          ge = 1;
          step = 5;
        }
        if (stop >= n) {
          error = i;
          break;
        }
        do {
          this.setChar(a, ch, ge);
          a = (a + 1) % n;
        } while (a !== stop);
        i += step;
      } else if (b === ORDER_EUA) {
        if (i + 2 >= len) {
          error = i;
          break;
        }
        const stop = decodeAddress(data[i + 1]!, data[i + 2]!);
        if (stop >= n) {
          error = i;
          break;
        }
        // Track the governing attribute while walking rather than searching back from every position.
        const fa = this.fieldAttribute(a);
        let prot = fa !== -1 && (this.buffer[fa]! & ATTR_PROTECTED) !== 0;
        do {
          if (this.isAttribute[a] !== 0) prot = (this.buffer[a]! & ATTR_PROTECTED) !== 0;
          else if (!prot) this.setChar(a, 0, 0);
          a = (a + 1) % n;
        } while (a !== stop);
        i += 3;
      } else {
        this.setChar(a, b, 0);
        a = (a + 1) % n;
        i += 1;
        // A null is data; the format controls (X'0C' FF, X'15' NL, ...) act like orders.
        dataBefore = b === 0 || b >= 0x40;
      }
    }
    // WCC bit 6 restores the keyboard (after the orders, whether or not they all succeeded).
    if ((wcc & 0x02) !== 0) {
      this.keyboardLocked = false;
      this.aid = AID.NONE;
    }
    return error;
  }

  /**
   * The first character position of the next unprotected field after
   * `from`, the search wrapping round the buffer; 0 when there is none.
   */
  private nextUnprotected(from: number): number {
    const n = this.size;
    let next = from;
    do {
      const p = next;
      next = (next + 1) % n;
      if (this.isAttribute[p] !== 0 && (this.buffer[p]! & ATTR_PROTECTED) === 0 && this.isAttribute[next] === 0) return next;
    } while (next !== from);
    return 0;
  }

  private pushChar(out: number[], a: number): void {
    const c = this.buffer[a]!;
    if (c === 0) return;
    if (this.graphicEscape[a] !== 0) out.push(ORDER_GE);
    out.push(c);
  }

  private readBuffer(): Uint8Array {
    const n = this.size;
    const out: number[] = [this.aid, ...this.encodeAddress(this.cursor)];
    for (let a = 0; a < n; a++) {
      // The attribute goes out as its code-table byte, whatever high bits the program's SF carried.
      if (this.isAttribute[a] !== 0) out.push(ORDER_SF, ADDR_CODE[this.buffer[a]! & 0x3f]!);
      else {
        if (this.graphicEscape[a] !== 0) out.push(ORDER_GE);
        out.push(this.buffer[a]!);
      }
    }
    return Uint8Array.from(out);
  }

  /**
   * Read Modified (GA23-0059 "Read Modified Operation"): the AID alone for
   * CLEAR and the PA keys; otherwise the AID, the cursor address and, on a
   * formatted screen, SBA + the non-null characters of each field whose
   * modified-data tag is on; on an unformatted screen, every non-null
   * character of the buffer.
   */
  private readModified(): Uint8Array {
    const aid = this.aid;
    if (aid === AID.CLEAR || aid === AID.PA1 || aid === AID.PA2 || aid === AID_PA3) return Uint8Array.of(aid);
    const n = this.size;
    const out: number[] = [aid, ...this.encodeAddress(this.cursor)];
    const first = this.fieldAttribute(n - 1);
    if (first === -1) {
      for (let a = 0; a < n; a++) this.pushChar(out, a);
      return Uint8Array.from(out);
    }
    // Walk the fields in buffer order starting after the last attribute, so each field is read once.
    for (let k = 1; k <= n; k++) {
      const a = (first + k) % n;
      if (this.isAttribute[a] === 0 || (this.buffer[a]! & ATTR_MDT) === 0) continue;
      const start = (a + 1) % n;
      out.push(ORDER_SBA, ...this.encodeAddress(start));
      for (let p = start; this.isAttribute[p] === 0; p = (p + 1) % n) this.pushChar(out, p);
    }
    return Uint8Array.from(out);
  }
}

/** Decode two buffer-address bytes: 14-bit binary when the first byte's top two bits are 00, else the 12-bit code pair. */
function decodeAddress(b1: number, b2: number): number {
  return (b1 & 0xc0) === 0 ? ((b1 & 0x3f) << 8) | b2 : ((b1 & 0x3f) << 6) | (b2 & 0x3f);
}
