/**
 * Building outbound 3270 records (GA23-0059): a command, its write control
 * character, then orders and text, with buffer addresses in the form the
 * screen size needs. What a host application (CP's console, a TN3270 echo
 * service, a test) writes to a terminal.
 */
import { toEbcdic } from '../../ebcdic';
import {
  type BufferAddressMode,
  bufferAddressModeFor,
  Command3270,
  codeTable3270,
  encodeBufferAddress,
  ExtAttr,
  Order3270,
  Wcc,
} from './codes';

/** What a write control character (WCC) asks for (GA23-0059 "Write Control Character"). */
export interface WccOptions {
  /** Unlock the keyboard and reset the AID. */
  readonly restore?: boolean;
  /** Reset every modified data tag before the orders are applied. */
  readonly resetMdt?: boolean;
  /** Sound the audible alarm. */
  readonly alarm?: boolean;
}

/** The WCC byte (through the code table, so it is a printable EBCDIC code). */
export function wcc(options: WccOptions = {}): number {
  let bits = 0;
  if (options.restore === true) bits |= Wcc.KEYBOARD_RESTORE;
  if (options.resetMdt === true) bits |= Wcc.RESET_MDT;
  if (options.alarm === true) bits |= Wcc.SOUND_ALARM;
  return codeTable3270(bits);
}

/** A field attribute for SF/SFE: protected, numeric, intensified or nondisplay, MDT preset. */
export interface FieldOptions {
  readonly protected?: boolean;
  readonly numeric?: boolean;
  readonly intensified?: boolean;
  readonly nondisplay?: boolean;
  readonly modified?: boolean;
}

/** The field attribute byte (code-table encoded) for `options` (see FieldAttr). */
export function fieldAttribute(options: FieldOptions = {}): number {
  let bits = 0;
  if (options.protected === true) bits |= 0x20;
  if (options.numeric === true) bits |= 0x10;
  if (options.nondisplay === true) bits |= 0x0c;
  else if (options.intensified === true) bits |= 0x08;
  if (options.modified === true) bits |= 0x01;
  return codeTable3270(bits);
}

/**
 * An outbound 3270 record under construction. Positions are buffer
 * addresses of a screen `cols` wide; `at(row, col)` computes them.
 */
export class OutboundBuilder3270 {
  private readonly bytes: number[] = [];
  private readonly mode: BufferAddressMode;

  /**
   * @param command a command code (SNA codes, e.g. Command3270.SNA_ERASE_WRITE, are what TN3270 hosts send)
   * @param wccByte the WCC, or null for a command without one
   * @param cols screen width, for `at`
   * @param size screen size in positions, to choose 12- or 14-bit addresses
   */
  constructor(
    command: number,
    wccByte: number | null,
    private readonly cols = 80,
    size = 1920,
  ) {
    this.mode = bufferAddressModeFor(size);
    this.bytes.push(command);
    if (wccByte !== null) this.bytes.push(wccByte);
  }

  /** The buffer address of a row and column (from 0). */
  address(row: number, col: number): number {
    return row * this.cols + col;
  }

  /** SBA to a buffer address. */
  sba(address: number): this {
    this.bytes.push(Order3270.SBA, ...encodeBufferAddress(address, this.mode));
    return this;
  }

  /** SBA to a row and column. */
  at(row: number, col: number): this {
    return this.sba(this.address(row, col));
  }

  /** SF with an attribute. */
  sf(options: FieldOptions = {}): this {
    this.bytes.push(Order3270.SF, fieldAttribute(options));
    return this;
  }

  /** SFE with a field attribute and optional foreground colour / highlighting. */
  sfe(options: FieldOptions & { readonly foreground?: number; readonly highlighting?: number } = {}): this {
    const pairs: number[] = [ExtAttr.FIELD, fieldAttribute(options)];
    if (options.foreground !== undefined) pairs.push(ExtAttr.FOREGROUND, options.foreground);
    if (options.highlighting !== undefined) pairs.push(ExtAttr.HIGHLIGHTING, options.highlighting);
    this.bytes.push(Order3270.SFE, pairs.length / 2, ...pairs);
    return this;
  }

  /** Host text as EBCDIC characters (code page 037). */
  text(text: string): this {
    for (const b of toEbcdic(text)) this.bytes.push(b);
    return this;
  }

  /** IC: the cursor goes to the current buffer address. */
  ic(): this {
    this.bytes.push(Order3270.IC);
    return this;
  }

  /** PT: to the next unprotected field. */
  pt(): this {
    this.bytes.push(Order3270.PT);
    return this;
  }

  /** RA: repeat an EBCDIC character up to (not including) `stop`. */
  ra(stop: number, ebcdicChar: number): this {
    this.bytes.push(Order3270.RA, ...encodeBufferAddress(stop, this.mode), ebcdicChar);
    return this;
  }

  /** EUA: null the unprotected positions up to (not including) `stop`. */
  eua(stop: number): this {
    this.bytes.push(Order3270.EUA, ...encodeBufferAddress(stop, this.mode));
    return this;
  }

  /** Raw bytes (orders or characters) as given. */
  raw(bytes: Iterable<number>): this {
    for (const b of bytes) this.bytes.push(b & 0xff);
    return this;
  }

  /** The record's bytes. */
  build(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Start an Erase/Write (default 24×80) or, when `alternate`, Erase/Write Alternate record (SNA codes). */
export function eraseWrite3270(
  options: WccOptions & { readonly alternate?: boolean; readonly rows?: number; readonly cols?: number } = {},
): OutboundBuilder3270 {
  const cols = options.cols ?? 80;
  const rows = options.rows ?? 24;
  return new OutboundBuilder3270(
    options.alternate === true ? Command3270.SNA_ERASE_WRITE_ALTERNATE : Command3270.SNA_ERASE_WRITE,
    wcc(options),
    cols,
    rows * cols,
  );
}

/** Start a Write record (SNA code) for a screen of `rows`×`cols`. */
export function write3270(
  options: WccOptions & { readonly rows?: number; readonly cols?: number } = {},
): OutboundBuilder3270 {
  const cols = options.cols ?? 80;
  const rows = options.rows ?? 24;
  return new OutboundBuilder3270(Command3270.SNA_WRITE, wcc(options), cols, rows * cols);
}
