/**
 * The 3270 display buffer and what a 3278/3279 does with a data stream
 * (GA23-0059): Erase/Write, Erase/Write Alternate, Write, Erase All
 * Unprotected, Read Buffer, Read Modified (All); the orders SF, SFE, SBA, IC,
 * PT, RA, EUA, GE, MF, SA; the WCC; field attributes with their modified data
 * tags; the keyboard lock; and the operator side (typing into unprotected
 * fields, pressing an AID key) and the host side (applying the operator's
 * inbound record). The one model of a 3270 screen in Strachey: io-channel's
 * channel-attached Display3270 keeps its buffer in one, a TN3270 server keeps
 * one as a mirror of what its client shows, and tests and the browser
 * console use one as the terminal.
 */
import { EBCDIC_TO_ASCII, fromEbcdic, toEbcdic } from '../../ebcdic';
import {
  Aid,
  bufferAddressModeFor,
  type Command3270Kind,
  codeTable3270,
  command3270Kind,
  DISPLAY3270_DEFAULT_COLS,
  DISPLAY3270_DEFAULT_ROWS,
  type Display3270Model,
  decodeBufferAddress,
  display3270AlternateSize,
  encodeBufferAddress,
  ExtAttr,
  FieldAttr,
  FORMAT_CONTROLS_3270,
  isShortReadAid,
  Order3270,
  Wcc,
} from './codes';

/**
 * A malformed data stream, located: the byte offset in the record, what the
 * 3270 expected there and what it found. A real terminal reports these as an
 * operation check; here they are values, never exceptions.
 */
export interface DataStreamError {
  readonly code:
    | 'DS_EMPTY'
    | 'DS_COMMAND'
    | 'DS_TRUNCATED'
    | 'DS_ADDRESS'
    | 'DS_ORDER'
    | 'DS_UNSUPPORTED'
    | 'SESSION_CLOSED';
  /** Offset of the offending byte in the record (the record's length when it ended too early). */
  readonly offset: number;
  readonly expected: string;
  readonly found: string;
  readonly message: string;
}

/**
 * The outcome of an outbound record: the command done (and a read's reply),
 * or where it went wrong. `applied` is how many bytes of the record were
 * carried out before the order in error (the prefix a terminal shown it
 * would agree with); a session that refused the record leaves it out.
 */
export type DataStreamResult =
  | { readonly ok: true; readonly command: Command3270Kind; readonly reply?: Uint8Array }
  | { readonly ok: false; readonly error: DataStreamError; readonly applied?: number };

/**
 * How a screen treats a code below X'40' that is neither an order nor a
 * format control: 'reject' (a located DS_ORDER error, what a terminal
 * emulator's parser does) or 'store' (kept as a character, as a locally
 * attached 3274 passes it to the display).
 */
export type InvalidCodes3270 = 'reject' | 'store';

/** Options of a Screen3270 beyond its model. */
export interface Screen3270Options {
  /** What a code below X'40' that is not an order or format control does; default 'reject'. */
  readonly invalidCodes?: InvalidCodes3270;
}

/** One field of a formatted screen. */
export interface ScreenField {
  /** Buffer address of the field attribute byte. */
  readonly attributeAddress: number;
  /** Address of the field's first character position. */
  readonly start: number;
  /** Character positions up to the next attribute. */
  readonly length: number;
  /** The attribute's six meaningful bits (see FieldAttr). */
  readonly attribute: number;
  readonly protected: boolean;
  readonly numeric: boolean;
  readonly modified: boolean;
  readonly nondisplay: boolean;
  readonly intensified: boolean;
}

/** One field's data in an inbound record (SBA address and the characters, nulls suppressed). */
export interface InboundField {
  /** Buffer address of the first character (the SBA's address); null for an unformatted screen's data. */
  readonly address: number | null;
  readonly data: Uint8Array;
  /** The data as host text (code page 037). */
  readonly text: string;
}

/** A parsed inbound record: the AID, the cursor address (absent in a short read) and the modified fields. */
export interface InboundRecord {
  readonly aid: number;
  readonly cursor: number | null;
  readonly fields: readonly InboundField[];
}

/** The outcome of parsing an inbound record. */
export type InboundResult =
  | { readonly ok: true; readonly record: InboundRecord }
  | { readonly ok: false; readonly error: DataStreamError };

const hex = (b: number | undefined): string =>
  b === undefined ? 'end of record' : `X'${b.toString(16).toUpperCase().padStart(2, '0')}'`;

function dsError(
  code: DataStreamError['code'],
  offset: number,
  expected: string,
  found: string,
): DataStreamError {
  return { code, offset, expected, found, message: `offset ${offset}: expected ${expected}, found ${found}` };
}

/**
 * The 3270 display buffer (GA23-0059 "Display Buffer"): one EBCDIC character
 * or field attribute per position, the fields they delimit, the cursor and
 * the keyboard lock, changed by outbound records and by the operator.
 */
export class Screen3270 {
  /** The model fixes the alternate screen size; the default size is always 24×80. */
  readonly model: Display3270Model;
  readonly alternateRows: number;
  readonly alternateCols: number;
  rows = DISPLAY3270_DEFAULT_ROWS;
  cols = DISPLAY3270_DEFAULT_COLS;
  /** EBCDIC character per buffer position (0 = null). */
  readonly chars: Uint8Array;
  /** 1 where the position holds a field attribute instead of a character. */
  readonly isAttribute: Uint8Array;
  /** The field attribute's six meaningful bits at attribute positions. */
  readonly attribute: Uint8Array;
  /** 1 where the character came through Graphic Escape (the alternate character set). */
  readonly graphicEscape: Uint8Array;
  /** Extended foreground colour (SFE/MF at attributes, SA at characters; 0 = default). */
  readonly foreground: Uint8Array;
  /** Extended highlighting (0 = default). */
  readonly highlighting: Uint8Array;
  cursor = 0;
  /** The AID of the last key pressed (X'60' after a keyboard restore). */
  aid: number = Aid.NONE;
  /** Input inhibited: set when the operator presses an AID key, cleared by a WCC keyboard restore or EAU. */
  keyboardLocked = false;
  /** How often a WCC sounded the alarm. */
  alarms = 0;
  /** Whether the last erase selected the alternate size. */
  alternate = false;
  /** Whether invalid codes below X'40' are stored as characters (see InvalidCodes3270). */
  readonly storesInvalidCodes: boolean;

  constructor(model: Display3270Model = 2, options: Screen3270Options = {}) {
    this.model = model;
    this.storesInvalidCodes = options.invalidCodes === 'store';
    const alt = display3270AlternateSize(model);
    this.alternateRows = alt.rows;
    this.alternateCols = alt.cols;
    const max = Math.max(alt.rows * alt.cols, DISPLAY3270_DEFAULT_ROWS * DISPLAY3270_DEFAULT_COLS);
    this.chars = new Uint8Array(max);
    this.isAttribute = new Uint8Array(max);
    this.attribute = new Uint8Array(max);
    this.graphicEscape = new Uint8Array(max);
    this.foreground = new Uint8Array(max);
    this.highlighting = new Uint8Array(max);
  }

  /**
   * Check an outbound record without changing this screen. Whether apply()
   * fails, and where, depends only on the bytes and the screen size, never on
   * the buffer's contents, so the check runs on a scratch screen of the same
   * model and options (one each per process, holding nothing anyone reads).
   */
  check(stream: Uint8Array): DataStreamResult {
    const key = this.model * 2 + (this.storesInvalidCodes ? 1 : 0);
    let scratch = SCRATCH.get(key);
    if (scratch === undefined) {
      scratch = new Screen3270(this.model, { invalidCodes: this.storesInvalidCodes ? 'store' : 'reject' });
      SCRATCH.set(key, scratch);
    }
    scratch.rows = this.rows;
    scratch.cols = this.cols;
    scratch.alternate = this.alternate;
    scratch.cursor = this.cursor;
    return scratch.apply(stream);
  }

  /** Make this screen a copy of `other` (same model). */
  copyFrom(other: Screen3270): void {
    if (other.model !== this.model) throw new RangeError('copyFrom: screens of different models');
    this.chars.set(other.chars);
    this.isAttribute.set(other.isAttribute);
    this.attribute.set(other.attribute);
    this.graphicEscape.set(other.graphicEscape);
    this.foreground.set(other.foreground);
    this.highlighting.set(other.highlighting);
    this.rows = other.rows;
    this.cols = other.cols;
    this.cursor = other.cursor;
    this.aid = other.aid;
    this.keyboardLocked = other.keyboardLocked;
    this.alarms = other.alarms;
    this.alternate = other.alternate;
  }

  /** Buffer positions of the current screen size. */
  get size(): number {
    return this.rows * this.cols;
  }

  /** Whether any field attribute is on the screen. */
  get formatted(): boolean {
    const n = this.size;
    for (let a = 0; a < n; a++) if (this.isAttribute[a] !== 0) return true;
    return false;
  }

  /** Clear the buffer to nulls and select the default or alternate size (Erase/Write, EWA, CLEAR). */
  erase(alternate: boolean): void {
    this.chars.fill(0);
    this.isAttribute.fill(0);
    this.attribute.fill(0);
    this.graphicEscape.fill(0);
    this.foreground.fill(0);
    this.highlighting.fill(0);
    this.rows = alternate ? this.alternateRows : DISPLAY3270_DEFAULT_ROWS;
    this.cols = alternate ? this.alternateCols : DISPLAY3270_DEFAULT_COLS;
    this.alternate = alternate;
    this.cursor = 0;
  }

  /**
   * Apply one outbound record (command byte first). Writes change the
   * buffer; reads return the terminal's reply. A malformed record stops at
   * the bad byte (what came before stays applied, as on a real 3270) and
   * returns the located error.
   */
  apply(stream: Uint8Array): DataStreamResult {
    if (stream.length === 0)
      return { ok: false, error: dsError('DS_EMPTY', 0, 'a 3270 command', 'an empty record'), applied: 0 };
    return this.execute(stream[0]!, stream, 1);
  }

  /**
   * Apply a command given apart from its data, as a channel program gives
   * it: the CCW command code (or its SNA code) and the data the CCW
   * addresses (for a write, the WCC first). Offsets in an error, and
   * `applied`, count from the data's first byte.
   */
  applyCommand(command: number, data: Uint8Array): DataStreamResult {
    return this.execute(command, data, 0);
  }

  /** Carry out `command`; a write's WCC is at `s[wccAt]`. */
  private execute(command: number, s: Uint8Array, wccAt: number): DataStreamResult {
    const kind = command3270Kind(command);
    if (kind === null)
      return { ok: false, error: dsError('DS_COMMAND', 0, 'a 3270 command', hex(command)), applied: 0 };
    switch (kind) {
      case 'erase-write':
      case 'erase-write-alternate':
        this.erase(kind === 'erase-write-alternate');
        return this.write(s, wccAt, kind);
      case 'write':
        return this.write(s, wccAt, kind);
      case 'erase-all-unprotected':
        this.eraseAllUnprotected();
        return { ok: true, command: kind };
      case 'read-buffer':
        return { ok: true, command: kind, reply: this.readBuffer() };
      case 'read-modified':
      case 'read-modified-all':
        return { ok: true, command: kind, reply: this.readModified(kind === 'read-modified-all') };
      case 'write-structured-field':
        return {
          ok: false,
          error: dsError(
            'DS_UNSUPPORTED',
            0,
            'a command other than Write Structured Field (not supported)',
            hex(command),
          ),
          applied: 0,
        };
    }
  }

  /** Address of the attribute of the field holding `a`, or -1 on an unformatted screen. */
  fieldAttributeOf(a: number): number {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      const p = (a - i + n) % n;
      if (this.isAttribute[p] !== 0) return p;
    }
    return -1;
  }

  /** Whether position `a` takes operator input: a character position in an unprotected field (or any position of an unformatted screen). */
  isInputPosition(a: number): boolean {
    if (this.isAttribute[a] !== 0) return false;
    const fa = this.fieldAttributeOf(a);
    return fa === -1 || (this.attribute[fa]! & FieldAttr.PROTECTED) === 0;
  }

  /** The fields of the screen in buffer order, starting from the first attribute. */
  fields(): ScreenField[] {
    const n = this.size;
    const out: ScreenField[] = [];
    const first = this.nextAttribute(n - 1);
    if (first === -1) return out;
    let a = first;
    do {
      const next = this.nextAttribute(a);
      const length = (next - a - 1 + n) % n;
      const attr = this.attribute[a]!;
      out.push({
        attributeAddress: a,
        start: (a + 1) % n,
        length,
        attribute: attr,
        protected: (attr & FieldAttr.PROTECTED) !== 0,
        numeric: (attr & FieldAttr.NUMERIC) !== 0,
        modified: (attr & FieldAttr.MDT) !== 0,
        nondisplay: (attr & FieldAttr.DISPLAY_MASK) === FieldAttr.NONDISPLAY,
        intensified: (attr & FieldAttr.DISPLAY_MASK) === FieldAttr.INTENSIFIED,
      });
      a = next;
    } while (a !== first);
    return out;
  }

  /** The screen as host text, one string per row, as the operator sees it (attributes, nulls and nondisplay fields blank). */
  text(): string[] {
    const lines: string[] = [];
    const n = this.size;
    const fa = this.fieldAttributeOf(n - 1);
    let hidden = fa !== -1 && (this.attribute[fa]! & FieldAttr.DISPLAY_MASK) === FieldAttr.NONDISPLAY;
    let line = '';
    for (let a = 0; a < n; a++) {
      if (this.isAttribute[a] !== 0) {
        hidden = (this.attribute[a]! & FieldAttr.DISPLAY_MASK) === FieldAttr.NONDISPLAY;
        line += ' ';
      } else {
        const c = this.chars[a]!;
        line += hidden || c === 0 ? ' ' : String.fromCharCode(EBCDIC_TO_ASCII[c]!);
      }
      if ((a + 1) % this.cols === 0) {
        lines.push(line);
        line = '';
      }
    }
    return lines;
  }

  /** Row and column (from 0) of a buffer address. */
  position(address: number): { row: number; col: number } {
    return { row: Math.floor(address / this.cols), col: address % this.cols };
  }

  /** The reply to Read Buffer: AID, cursor, every position (attributes as SF + attribute byte). */
  readBuffer(): Uint8Array {
    const n = this.size;
    const out = new Uint8Array(3 + 2 * n);
    let o = 0;
    out[o++] = this.aid;
    const mode = bufferAddressModeFor(n);
    const [c1, c2] = encodeBufferAddress(this.cursor, mode);
    out[o++] = c1;
    out[o++] = c2;
    for (let a = 0; a < n; a++) {
      if (this.isAttribute[a] !== 0) {
        out[o++] = Order3270.SF;
        out[o++] = codeTable3270(this.attribute[a]!);
      } else {
        if (this.graphicEscape[a] !== 0) out[o++] = Order3270.GE;
        out[o++] = this.chars[a]!;
      }
    }
    return out.slice(0, o);
  }

  /**
   * The reply to Read Modified (or Read Modified All): the AID alone for a
   * short-read AID (CLEAR, PA1-3) unless `all`; else AID, cursor and, for each
   * field whose MDT is set, SBA to its first character and its non-null
   * characters. An unformatted screen sends all its non-null characters.
   */
  readModified(all = false): Uint8Array {
    const aid = this.aid;
    if (!all && isShortReadAid(aid)) return Uint8Array.of(aid);
    const n = this.size;
    const mode = bufferAddressModeFor(n);
    const out: number[] = [aid, ...encodeBufferAddress(this.cursor, mode)];
    const first = this.nextAttribute(n - 1);
    if (first === -1) {
      for (let a = 0; a < n; a++) this.pushChar(out, a);
      return Uint8Array.from(out);
    }
    let a = first;
    do {
      const next = this.nextAttribute(a);
      if ((this.attribute[a]! & FieldAttr.MDT) !== 0) {
        const start = (a + 1) % n;
        out.push(Order3270.SBA, ...encodeBufferAddress(start, mode));
        for (let p = start; p !== next && this.isAttribute[p] === 0; p = (p + 1) % n) this.pushChar(out, p);
      }
      a = next;
    } while (a !== first);
    return Uint8Array.from(out);
  }

  /**
   * The operator types `text` (host characters) at the cursor. Stops and
   * returns false where a real 3270 would inhibit input: keyboard locked, a
   * protected field or attribute position, a non-digit in a numeric field.
   * Typing sets the field's MDT; at the end of a field the cursor skips to the
   * next unprotected field when the following field is autoskip.
   * `overrideLock` types even while the keyboard is locked: a channel-attached
   * display's host side standing in for the operator, who has no program
   * that restores the keyboard.
   */
  type(text: string, overrideLock = false): boolean {
    const bytes = toEbcdic(text);
    const n = this.size;
    for (const b of bytes) {
      if ((this.keyboardLocked && !overrideLock) || !this.isInputPosition(this.cursor)) return false;
      const fa = this.fieldAttributeOf(this.cursor);
      if (
        fa !== -1 &&
        (this.attribute[fa]! & FieldAttr.NUMERIC) !== 0 &&
        !((b >= 0xf0 && b <= 0xf9) || b === 0x4b || b === 0x60)
      ) {
        return false;
      }
      this.chars[this.cursor] = b;
      this.graphicEscape[this.cursor] = 0;
      if (fa !== -1) this.attribute[fa] = this.attribute[fa]! | FieldAttr.MDT;
      let next = (this.cursor + 1) % n;
      if (this.isAttribute[next] !== 0) {
        const attr = this.attribute[next]!;
        const autoskip = (attr & FieldAttr.PROTECTED) !== 0 && (attr & FieldAttr.NUMERIC) !== 0;
        next = autoskip ? this.nextUnprotected(next) : (next + 1) % n;
      }
      this.cursor = next;
    }
    return true;
  }

  /** Move the cursor (the operator's arrow keys or a click). */
  moveCursor(row: number, col: number): void {
    this.cursor = (((row * this.cols + col) % this.size) + this.size) % this.size;
  }

  /** The Tab key: the first character position of the next unprotected field. */
  tab(): void {
    this.cursor = this.nextUnprotected(this.cursor);
  }

  /**
   * The operator presses an AID key: the keyboard locks and the terminal
   * sends the Read Modified reply. CLEAR first erases the screen to the
   * default size. A real 3270 ignores AID keys while the keyboard is locked;
   * callers check `keyboardLocked` first (the CLI's LocalTerminal does).
   */
  press(aid: number): Uint8Array {
    if (aid === Aid.CLEAR) this.erase(false);
    this.aid = aid;
    this.keyboardLocked = true;
    return this.readModified(false);
  }

  /**
   * The host side of an inbound record (GA23-0059 "Read Modified
   * Operation"): parse it and apply the operator's changes to this buffer.
   * The AID locks the keyboard and CLEAR erases to the default size. Each
   * SBA names a modified field's first character position: the field's
   * attribute (the one governing the position before, so an empty field's
   * SBA, which names the next attribute, tags its own field) gets its MDT,
   * and the data replaces the field's contents, since nulls were left out in
   * transit. On an unformatted screen the characters arrive in buffer order
   * without SBA and replace the buffer from position 0, so Read Modified
   * returns them unchanged. A malformed record is an error value; the buffer
   * is left as far as it was parsed.
   */
  applyInbound(record: Uint8Array): InboundResult {
    const len = record.length;
    if (len === 0) return { ok: false, error: dsError('DS_EMPTY', 0, 'an AID byte', 'an empty record') };
    const aid = record[0]!;
    this.aid = aid;
    this.keyboardLocked = true;
    if (aid === Aid.CLEAR) this.erase(false);
    if (len === 1) return { ok: true, record: { aid, cursor: null, fields: [] } };
    if (len < 3)
      return { ok: false, error: dsError('DS_TRUNCATED', len, 'a two-byte cursor address', 'end of record') };
    const n = this.size;
    const cursor = decodeBufferAddress(record[1]!, record[2]!);
    if (cursor >= n)
      return { ok: false, error: dsError('DS_ADDRESS', 1, `a cursor address below ${n}`, String(cursor)) };
    this.cursor = cursor;
    // Where the next character goes; -1 drops characters (formatted data before any SBA, or past a field's end).
    let a = -1;
    if (record[3] !== Order3270.SBA && !this.formatted) {
      this.chars.fill(0, 0, n);
      this.graphicEscape.fill(0, 0, n);
      a = 0;
    }
    const fields: InboundField[] = [];
    let address: number | null = null;
    let data: number[] = [];
    const flush = () => {
      if (address !== null || data.length > 0) {
        const bytes = Uint8Array.from(data);
        fields.push({ address, data: bytes, text: fromEbcdic(bytes) });
      }
    };
    for (let i = 3; i < len; i++) {
      const b = record[i]!;
      if (b === Order3270.SBA) {
        if (i + 2 >= len)
          return {
            ok: false,
            error: dsError('DS_TRUNCATED', len, 'a two-byte SBA address', 'end of record'),
          };
        const target = decodeBufferAddress(record[i + 1]!, record[i + 2]!);
        if (target >= n)
          return {
            ok: false,
            error: dsError('DS_ADDRESS', i + 1, `an SBA address below ${n}`, String(target)),
          };
        flush();
        address = target;
        data = [];
        a = target;
        const fa = this.fieldAttributeOf((target - 1 + n) % n);
        if (fa !== -1) {
          this.attribute[fa] = this.attribute[fa]! | FieldAttr.MDT;
          for (let p = target; this.isAttribute[p] === 0; p = (p + 1) % n) {
            this.chars[p] = 0;
            this.graphicEscape[p] = 0;
          }
        }
        i += 2;
        continue;
      }
      let c = b;
      let ge = 0;
      if (b === Order3270.GE) {
        if (i + 1 >= len)
          return { ok: false, error: dsError('DS_TRUNCATED', len, 'a character after GE', 'end of record') };
        c = record[++i]!;
        ge = 1;
      } else if (b < 0x40 && !this.storesInvalidCodes && !FORMAT_CONTROLS_3270.has(b)) {
        return { ok: false, error: dsError('DS_ORDER', i, 'SBA, GE or a data character', hex(b)) };
      }
      data.push(c);
      if (a >= 0 && this.isAttribute[a] === 0) {
        this.chars[a] = c;
        this.graphicEscape[a] = ge;
        a = (a + 1) % n;
      }
    }
    flush();
    return { ok: true, record: { aid, cursor, fields } };
  }

  private pushChar(out: number[], a: number): void {
    const c = this.chars[a]!;
    if (c === 0) return;
    if (this.graphicEscape[a] !== 0) out.push(Order3270.GE);
    out.push(c);
  }

  /** The next attribute position after `a` (wrapping), or -1 when the screen is unformatted. */
  private nextAttribute(a: number): number {
    const n = this.size;
    for (let i = 1; i <= n; i++) {
      const p = (a + i) % n;
      if (this.isAttribute[p] !== 0) return p;
    }
    return -1;
  }

  /** First character position of the next unprotected field at or after `from`, or 0 if there is none. */
  private nextUnprotected(from: number): number {
    const n = this.size;
    let next = from;
    do {
      const p = next;
      next = (next + 1) % n;
      if (
        this.isAttribute[p] !== 0 &&
        (this.attribute[p]! & FieldAttr.PROTECTED) === 0 &&
        this.isAttribute[next] === 0
      )
        return next;
    } while (next !== from);
    return 0;
  }

  private setChar(a: number, c: number, ge: number, fg: number, hl: number): void {
    this.chars[a] = c;
    this.isAttribute[a] = 0;
    this.attribute[a] = 0;
    this.graphicEscape[a] = ge;
    this.foreground[a] = fg;
    this.highlighting[a] = hl;
  }

  private startField(a: number, attr: number, fg: number, hl: number): void {
    this.chars[a] = 0;
    this.isAttribute[a] = 1;
    this.attribute[a] = attr & 0x3f;
    this.graphicEscape[a] = 0;
    this.foreground[a] = fg;
    this.highlighting[a] = hl;
  }

  /**
   * Erase All Unprotected (GA23-0059 ch. 3): nulls in every unprotected
   * character position, the unprotected fields' MDTs reset, the cursor to the
   * first character position of the first unprotected field (0 when there is
   * none); an unformatted screen is erased whole. The keyboard is restored.
   */
  eraseAllUnprotected(): void {
    const n = this.size;
    if (!this.formatted) {
      this.erase(this.alternate);
    } else {
      let cursor = -1;
      const last = this.fieldAttributeOf(n - 1);
      let prot = (this.attribute[last]! & FieldAttr.PROTECTED) !== 0;
      for (let a = 0; a < n; a++) {
        if (this.isAttribute[a] !== 0) {
          prot = (this.attribute[a]! & FieldAttr.PROTECTED) !== 0;
          if (!prot) {
            this.attribute[a] = this.attribute[a]! & ~FieldAttr.MDT;
            const next = (a + 1) % n;
            if (cursor === -1 && this.isAttribute[next] === 0) cursor = next;
          }
        } else if (!prot) {
          this.chars[a] = 0;
          this.graphicEscape[a] = 0;
        }
      }
      this.cursor = cursor === -1 ? 0 : cursor;
    }
    this.keyboardLocked = false;
    this.aid = Aid.NONE;
  }

  /** Carry out a write's WCC (at `s[wccAt]`), orders and characters. */
  private write(s: Uint8Array, wccAt: number, command: Command3270Kind): DataStreamResult {
    if (s.length <= wccAt) {
      return {
        ok: false,
        error: dsError('DS_TRUNCATED', wccAt, 'a write control character (WCC)', 'end of record'),
        applied: wccAt,
      };
    }
    const wcc = s[wccAt]!;
    const n = this.size;
    if ((wcc & Wcc.RESET_MDT) !== 0) {
      for (let a = 0; a < n; a++)
        if (this.isAttribute[a] !== 0) this.attribute[a] = this.attribute[a]! & ~FieldAttr.MDT;
    }
    let ba = this.cursor;
    let ic = -1;
    // PT fills the rest of a field with nulls only when it follows data, not a command or order.
    let afterOrder = true;
    let nullingPtAtZero = false;
    let fg = 0;
    let hl = 0;
    let error: DataStreamError | null = null;
    const need = (i: number, count: number, what: string): boolean => {
      if (i + count < s.length) return true;
      error = dsError('DS_TRUNCATED', s.length, what, 'end of record');
      return false;
    };
    const address = (i: number, what: string): number => {
      const a = decodeBufferAddress(s[i]!, s[i + 1]!);
      if (a >= n) {
        error = dsError('DS_ADDRESS', i, `${what} below ${n} (${this.rows}×${this.cols} screen)`, String(a));
        return -1;
      }
      return a;
    };
    const storeInvalid = this.storesInvalidCodes;
    // An order in error leaves `i` at its first byte: everything before it was carried out.
    let i = wccAt + 1;
    while (i < s.length && error === null) {
      const b = s[i]!;
      switch (b) {
        case Order3270.SF: {
          if (!need(i, 1, 'a field attribute byte after SF')) break;
          this.startField(ba, s[i + 1]!, 0, 0);
          ba = (ba + 1) % n;
          i += 2;
          afterOrder = true;
          nullingPtAtZero = false;
          break;
        }
        case Order3270.SFE:
        case Order3270.MF: {
          if (!need(i, 1, `a pair count after ${b === Order3270.SFE ? 'SFE' : 'MF'}`)) break;
          const count = s[i + 1]!;
          if (!need(i + 1, count * 2, `${count} type/value pairs`)) break;
          let attr = b === Order3270.MF ? this.attribute[ba]! : 0;
          let efg = b === Order3270.MF ? this.foreground[ba]! : 0;
          let ehl = b === Order3270.MF ? this.highlighting[ba]! : 0;
          for (let k = 0; k < count; k++) {
            const type = s[i + 2 + 2 * k]!;
            const value = s[i + 3 + 2 * k]!;
            if (type === ExtAttr.FIELD) attr = value & 0x3f;
            else if (type === ExtAttr.FOREGROUND) efg = value;
            else if (type === ExtAttr.HIGHLIGHTING) ehl = value;
          }
          if (b === Order3270.SFE) {
            this.startField(ba, attr, efg, ehl);
            ba = (ba + 1) % n;
          } else if (this.isAttribute[ba] !== 0) {
            // MF changes only an attribute position, then steps past it.
            this.attribute[ba] = attr;
            this.foreground[ba] = efg;
            this.highlighting[ba] = ehl;
            ba = (ba + 1) % n;
          }
          i += 2 + 2 * count;
          afterOrder = true;
          nullingPtAtZero = false;
          break;
        }
        case Order3270.SBA: {
          if (!need(i, 2, 'a two-byte buffer address after SBA')) break;
          const a = address(i + 1, 'an SBA address');
          if (a < 0) break;
          ba = a;
          i += 3;
          afterOrder = true;
          nullingPtAtZero = false;
          break;
        }
        case Order3270.IC:
          ic = ba;
          i += 1;
          afterOrder = true;
          nullingPtAtZero = false;
          break;
        case Order3270.PT: {
          if (this.isAttribute[ba] !== 0 && (this.attribute[ba]! & FieldAttr.PROTECTED) === 0) {
            ba = (ba + 1) % n;
            nullingPtAtZero = false;
          } else {
            let target = this.nextUnprotected(ba);
            if (target < ba) target = 0;
            if (!afterOrder || nullingPtAtZero) {
              while (ba !== target && this.isAttribute[ba] === 0) {
                this.setChar(ba, 0, 0, 0, 0);
                ba = (ba + 1) % n;
              }
              nullingPtAtZero = target === 0;
            } else {
              nullingPtAtZero = false;
            }
            ba = target;
          }
          i += 1;
          afterOrder = true;
          break;
        }
        case Order3270.RA: {
          if (!need(i, 3, 'a buffer address and a character after RA')) break;
          const stop = address(i + 1, 'an RA stop address');
          if (stop < 0) break;
          let c = s[i + 3]!;
          let ge = 0;
          let len = 4;
          if (c === Order3270.GE) {
            if (!need(i, 4, 'the character after GE in RA')) break;
            c = s[i + 4]!;
            ge = 1;
            len = 5;
          } else if (c < 0x40 && !storeInvalid && !FORMAT_CONTROLS_3270.has(c)) {
            error = dsError('DS_ORDER', i + 3, 'the character RA repeats', hex(c));
            break;
          }
          do {
            this.setChar(ba, c, ge, fg, hl);
            ba = (ba + 1) % n;
          } while (ba !== stop);
          i += len;
          afterOrder = true;
          nullingPtAtZero = false;
          break;
        }
        case Order3270.EUA: {
          if (!need(i, 2, 'a two-byte buffer address after EUA')) break;
          const stop = address(i + 1, 'an EUA stop address');
          if (stop < 0) break;
          // Track the governing attribute while walking, rather than searching back from every position.
          const fa = this.fieldAttributeOf(ba);
          let prot = fa !== -1 && (this.attribute[fa]! & FieldAttr.PROTECTED) !== 0;
          do {
            if (this.isAttribute[ba] !== 0) prot = (this.attribute[ba]! & FieldAttr.PROTECTED) !== 0;
            else if (!prot) this.setChar(ba, 0, 0, 0, 0);
            ba = (ba + 1) % n;
          } while (ba !== stop);
          i += 3;
          afterOrder = true;
          nullingPtAtZero = false;
          break;
        }
        case Order3270.GE:
          if (!need(i, 1, 'a character after GE')) break;
          this.setChar(ba, s[i + 1]!, 1, fg, hl);
          ba = (ba + 1) % n;
          i += 2;
          afterOrder = false;
          nullingPtAtZero = false;
          break;
        case Order3270.SA: {
          if (!need(i, 2, 'a type/value pair after SA')) break;
          const type = s[i + 1]!;
          const value = s[i + 2]!;
          if (type === ExtAttr.ALL) {
            fg = 0;
            hl = 0;
          } else if (type === ExtAttr.FOREGROUND) fg = value;
          else if (type === ExtAttr.HIGHLIGHTING) hl = value;
          i += 3;
          afterOrder = true;
          nullingPtAtZero = false;
          break;
        }
        default:
          if (b < 0x40 && !storeInvalid && !FORMAT_CONTROLS_3270.has(b)) {
            error = dsError(
              'DS_ORDER',
              i,
              'an order (SF, SFE, SBA, IC, PT, RA, EUA, GE, MF, SA) or a data character',
              hex(b),
            );
            break;
          }
          this.setChar(ba, b, 0, fg, hl);
          ba = (ba + 1) % n;
          i += 1;
          // A null is data for PT's purposes; the format controls count as orders.
          afterOrder = b !== 0 && b < 0x40;
          nullingPtAtZero = false;
      }
    }
    if (ic >= 0) this.cursor = ic;
    if ((wcc & Wcc.KEYBOARD_RESTORE) !== 0) {
      this.keyboardLocked = false;
      this.aid = Aid.NONE;
    }
    if ((wcc & Wcc.SOUND_ALARM) !== 0) this.alarms++;
    if (error !== null) return { ok: false, error, applied: i };
    return { ok: true, command };
  }
}

const SCRATCH = new Map<number, Screen3270>();
