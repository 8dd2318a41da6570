/**
 * Code points of the IBM 3270 data stream (3270 Information Display System
 * Data Stream Programmer's Reference, GA23-0059): commands, the write control
 * character, orders, field attributes, attention identifiers, the 6-bit code
 * table used for buffer addresses and attribute bytes, and the display
 * models' screen sizes.
 */

/**
 * 3270 commands, the first byte of an outbound record. Each command has two
 * codes: the channel (CCW) code a locally attached 3274 accepts and the SNA /
 * remote code TN3270 hosts send; a terminal accepts both (GA23-0059 ch. 3).
 */
export const Command3270 = {
  WRITE: 0x01,
  ERASE_WRITE: 0x05,
  ERASE_WRITE_ALTERNATE: 0x0d,
  READ_BUFFER: 0x02,
  READ_MODIFIED: 0x06,
  READ_MODIFIED_ALL: 0x0e,
  ERASE_ALL_UNPROTECTED: 0x0f,
  WRITE_STRUCTURED_FIELD: 0x11,
  SNA_WRITE: 0xf1,
  SNA_ERASE_WRITE: 0xf5,
  SNA_ERASE_WRITE_ALTERNATE: 0x7e,
  SNA_READ_BUFFER: 0xf2,
  SNA_READ_MODIFIED: 0xf6,
  SNA_READ_MODIFIED_ALL: 0x6e,
  SNA_ERASE_ALL_UNPROTECTED: 0x6f,
  SNA_WRITE_STRUCTURED_FIELD: 0xf3,
} as const;

/** What a 3270 command does, independent of which of its two codes was used. */
export type Command3270Kind =
  | 'write'
  | 'erase-write'
  | 'erase-write-alternate'
  | 'read-buffer'
  | 'read-modified'
  | 'read-modified-all'
  | 'erase-all-unprotected'
  | 'write-structured-field';

/** Classify a 3270 command byte (channel or SNA code), or null for a code no 3270 accepts. */
export function command3270Kind(code: number): Command3270Kind | null {
  switch (code) {
    case 0x01:
    case 0xf1:
      return 'write';
    case 0x05:
    case 0xf5:
      return 'erase-write';
    case 0x0d:
    case 0x7e:
      return 'erase-write-alternate';
    case 0x02:
    case 0xf2:
      return 'read-buffer';
    case 0x06:
    case 0xf6:
      return 'read-modified';
    case 0x0e:
    case 0x6e:
      return 'read-modified-all';
    case 0x0f:
    case 0x6f:
      return 'erase-all-unprotected';
    case 0x11:
    case 0xf3:
      return 'write-structured-field';
    default:
      return null;
  }
}

/**
 * The SNA / remote code of a channel command code (a CP that drives a virtual
 * 3270 with CCWs forwards X'05' as X'F5' on a TN3270 connection, as Hercules
 * does); SNA codes and unknown codes pass through.
 */
export function toSnaCommand(code: number): number {
  switch (code) {
    case 0x01:
      return 0xf1;
    case 0x05:
      return 0xf5;
    case 0x0d:
      return 0x7e;
    case 0x02:
      return 0xf2;
    case 0x06:
      return 0xf6;
    case 0x0e:
      return 0x6e;
    case 0x0f:
      return 0x6f;
    case 0x11:
      return 0xf3;
    default:
      return code;
  }
}

/**
 * Write control character (WCC) bits, the byte after a write command. Bits are
 * numbered 0 (high) to 7 (low) in GA23-0059: bit 1 reset, bit 4 start printer,
 * bit 5 sound alarm, bit 6 keyboard restore, bit 7 reset modified data tags.
 * Bits 0-1 are set by the code table so the byte is a printable EBCDIC code.
 */
export const Wcc = {
  RESET: 0x40,
  START_PRINTER: 0x08,
  SOUND_ALARM: 0x04,
  KEYBOARD_RESTORE: 0x02,
  RESET_MDT: 0x01,
} as const;

/** Orders that may appear among the data of a 3270 write (GA23-0059 ch. 4). */
export const Order3270 = {
  /** Program Tab: to the first position of the next unprotected field. */
  PT: 0x05,
  /** Graphic Escape: the next byte is from the alternate (APL) character set. */
  GE: 0x08,
  /** Set Buffer Address: two address bytes follow. */
  SBA: 0x11,
  /** Erase Unprotected to Address: two address bytes follow. */
  EUA: 0x12,
  /** Insert Cursor: the cursor goes to the current buffer address. */
  IC: 0x13,
  /** Start Field: one field attribute byte follows. */
  SF: 0x1d,
  /** Set Attribute: one type/value pair for the characters that follow. */
  SA: 0x28,
  /** Start Field Extended: a count and that many type/value pairs follow. */
  SFE: 0x29,
  /** Modify Field: a count and type/value pairs changing the attribute at the buffer address. */
  MF: 0x2c,
  /** Repeat to Address: two address bytes and the character to repeat follow. */
  RA: 0x3c,
} as const;

/**
 * Format control codes a 3270 write stores in the buffer as characters (null,
 * FF, CR, NL, EM, DUP, FM, SUB, EO). Any other code below X'40' that is not
 * an order is invalid in a write.
 */
export const FORMAT_CONTROLS_3270: ReadonlySet<number> = new Set([
  0x00, 0x0c, 0x0d, 0x15, 0x19, 0x1c, 0x1e, 0x3f, 0xff,
]);

/**
 * Field attribute bits (the byte after SF, or the X'C0' pair of SFE):
 * bit 2 protected, bit 3 numeric (protected + numeric = autoskip), bits 4-5
 * display (00 normal, 01 normal detectable, 10 intensified detectable, 11
 * nondisplay), bit 7 modified data tag (MDT).
 */
export const FieldAttr = {
  PROTECTED: 0x20,
  NUMERIC: 0x10,
  DISPLAY_MASK: 0x0c,
  INTENSIFIED: 0x08,
  NONDISPLAY: 0x0c,
  DETECTABLE: 0x04,
  MDT: 0x01,
} as const;

/** Extended attribute types of the SFE, MF and SA type/value pairs (GA23-0059 ch. 4). */
export const ExtAttr = {
  ALL: 0x00,
  FIELD: 0xc0,
  HIGHLIGHTING: 0x41,
  FOREGROUND: 0x42,
  CHARSET: 0x43,
  BACKGROUND: 0x45,
  TRANSPARENCY: 0x46,
  VALIDATION: 0xc1,
  OUTLINING: 0xc2,
} as const;

/**
 * Attention identifiers (AIDs): the first byte of an inbound record says
 * which key the operator pressed. CLEAR and the PA keys cause a short read
 * (the AID alone).
 */
export const Aid = {
  NONE: 0x60,
  ENTER: 0x7d,
  CLEAR: 0x6d,
  PA1: 0x6c,
  PA2: 0x6e,
  PA3: 0x6b,
  SYSREQ: 0xf0,
  SELECTOR_PEN: 0x7e,
  STRUCTURED_FIELD: 0x88,
} as const;

const PF_AIDS = [
  0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0x7a, 0x7b, 0x7c, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6,
  0xc7, 0xc8, 0xc9, 0x4a, 0x4b, 0x4c,
] as const;

/** The AID of program function key PFn (1 to 24). */
export function pfAid(n: number): number {
  const aid = PF_AIDS[n - 1];
  if (aid === undefined) throw new RangeError(`PF${n}: a 3270 has PF1 to PF24`);
  return aid;
}

/** A readable name for an AID byte (ENTER, CLEAR, PA1, PF12, …, or X'hh'). */
export function aidName(aid: number): string {
  for (const [name, code] of Object.entries(Aid)) if (code === aid) return name;
  const pf = PF_AIDS.indexOf(aid as (typeof PF_AIDS)[number]);
  if (pf >= 0) return `PF${pf + 1}`;
  return `X'${aid.toString(16).toUpperCase().padStart(2, '0')}'`;
}

/** Whether an AID causes a short read (the AID byte only): CLEAR, PA1, PA2, PA3. */
export function isShortReadAid(aid: number): boolean {
  return aid === Aid.CLEAR || aid === Aid.PA1 || aid === Aid.PA2 || aid === Aid.PA3;
}

/**
 * The 3270 code table: 6-bit values as printable EBCDIC codes, used for the
 * two bytes of a 12-bit buffer address, for the WCC and for attribute bytes
 * (GA23-0059 "Buffer Addressing").
 */
export const CODE_TABLE_3270: Uint8Array = Uint8Array.from([
  0x40, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0xd1,
  0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0xe2, 0xe3,
  0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5,
  0xf6, 0xf7, 0xf8, 0xf9, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
]);

/** A 6-bit value (WCC, attribute) as its 3270 code-table byte. */
export function codeTable3270(sixBits: number): number {
  return CODE_TABLE_3270[sixBits & 0x3f]!;
}

/**
 * Which buffer-address form to use: 12-bit (two code-table bytes, up to 4096
 * positions, every 3278 model) or 14-bit (binary with the top two bits 00,
 * up to 16384 positions).
 */
export type BufferAddressMode = 12 | 14;

/** Encode a 3270 buffer address as its two bytes. */
export function encodeBufferAddress(address: number, mode: BufferAddressMode = 12): [number, number] {
  if (mode === 14) return [(address >>> 8) & 0x3f, address & 0xff];
  return [CODE_TABLE_3270[(address >>> 6) & 0x3f]!, CODE_TABLE_3270[address & 0x3f]!];
}

/**
 * Decode two 3270 buffer-address bytes: the 14-bit form when the first
 * byte's top two bits are 00, the 12-bit code-table form otherwise
 * (GA23-0059 "Buffer Addressing").
 */
export function decodeBufferAddress(b1: number, b2: number): number {
  return (b1 & 0xc0) === 0 ? ((b1 & 0x3f) << 8) | (b2 & 0xff) : ((b1 & 0x3f) << 6) | (b2 & 0x3f);
}

/** The buffer-address form a 3270 uses for a buffer of `size` positions. */
export function bufferAddressModeFor(size: number): BufferAddressMode {
  return size > 0x1000 ? 14 : 12;
}

/** A 3278/3279 display model: 2 (24 × 80), 3 (32 × 80), 4 (43 × 80) or 5 (27 × 132) as its alternate size. */
export type Display3270Model = 2 | 3 | 4 | 5;

/** The alternate screen size (rows, columns) of a display model (GA23-0059 "Screen Sizes"). */
export function display3270AlternateSize(model: Display3270Model): {
  readonly rows: number;
  readonly cols: number;
} {
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

/** Every 3270 display's default screen rows (Erase/Write and CLEAR select the default size). */
export const DISPLAY3270_DEFAULT_ROWS = 24;
/** Every 3270 display's default screen width. */
export const DISPLAY3270_DEFAULT_COLS = 80;
