/**
 * Building outbound 3270 records for applications: a command, its WCC, then
 * orders and text, with buffer addresses in the form the screen size needs.
 */
import { toEbcdic } from '@strachey/io-channel';
import { type AddressMode, addressModeFor, Command, codeTable, encodeAddress, ExtAttr, Order, Wcc } from './codes';

/** What a write control character asks for (GA23-0059 "Write Control Character"). */
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
  return codeTable(bits);
}

/** A field attribute for SF/SFE: protected, numeric, intensified or nondisplay, MDT preset. */
export interface FieldOptions {
  readonly protected?: boolean;
  readonly numeric?: boolean;
  readonly intensified?: boolean;
  readonly nondisplay?: boolean;
  readonly modified?: boolean;
}

/** The field attribute byte (code-table encoded) for `options`. */
export function fieldAttribute(options: FieldOptions = {}): number {
  let bits = 0;
  if (options.protected === true) bits |= 0x20;
  if (options.numeric === true) bits |= 0x10;
  if (options.nondisplay === true) bits |= 0x0c;
  else if (options.intensified === true) bits |= 0x08;
  if (options.modified === true) bits |= 0x01;
  return codeTable(bits);
}

/**
 * An outbound record under construction. Positions are buffer addresses of a
 * screen `cols` wide; `at(row, col)` computes them.
 */
export class OutboundBuilder {
  private readonly bytes: number[] = [];
  private readonly mode: AddressMode;

  /**
   * @param command a command code (SNA codes, e.g. Command.SNA_ERASE_WRITE, are what TN3270 hosts send)
   * @param cols screen width, for `at`
   * @param size screen size in positions, to choose 12- or 14-bit addresses
   */
  constructor(
    command: number,
    wccByte: number | null,
    private readonly cols = 80,
    size = 1920,
  ) {
    this.mode = addressModeFor(size);
    this.bytes.push(command);
    if (wccByte !== null) this.bytes.push(wccByte);
  }

  /** The buffer address of a row and column (from 0). */
  address(row: number, col: number): number {
    return row * this.cols + col;
  }

  /** SBA to a buffer address. */
  sba(address: number): this {
    this.bytes.push(Order.SBA, ...encodeAddress(address, this.mode));
    return this;
  }

  /** SBA to a row and column. */
  at(row: number, col: number): this {
    return this.sba(this.address(row, col));
  }

  /** SF with an attribute. */
  sf(options: FieldOptions = {}): this {
    this.bytes.push(Order.SF, fieldAttribute(options));
    return this;
  }

  /** SFE with a field attribute and optional foreground colour / highlighting. */
  sfe(options: FieldOptions & { readonly foreground?: number; readonly highlighting?: number } = {}): this {
    const pairs: number[] = [ExtAttr.FIELD, fieldAttribute(options)];
    if (options.foreground !== undefined) pairs.push(ExtAttr.FOREGROUND, options.foreground);
    if (options.highlighting !== undefined) pairs.push(ExtAttr.HIGHLIGHTING, options.highlighting);
    this.bytes.push(Order.SFE, pairs.length / 2, ...pairs);
    return this;
  }

  /** Host text as EBCDIC characters (code page 037). */
  text(text: string): this {
    for (const b of toEbcdic(text)) this.bytes.push(b);
    return this;
  }

  /** IC: the cursor goes to the current buffer address. */
  ic(): this {
    this.bytes.push(Order.IC);
    return this;
  }

  /** PT: to the next unprotected field. */
  pt(): this {
    this.bytes.push(Order.PT);
    return this;
  }

  /** RA: repeat an EBCDIC character up to (not including) `stop`. */
  ra(stop: number, ebcdicChar: number): this {
    this.bytes.push(Order.RA, ...encodeAddress(stop, this.mode), ebcdicChar);
    return this;
  }

  /** EUA: null the unprotected positions up to (not including) `stop`. */
  eua(stop: number): this {
    this.bytes.push(Order.EUA, ...encodeAddress(stop, this.mode));
    return this;
  }

  /** Raw bytes (orders or characters) as given. */
  raw(bytes: Iterable<number>): this {
    for (const b of bytes) this.bytes.push(b & 0xff);
    return this;
  }

  build(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Start an Erase/Write (default 24×80) or, when `alternate`, Erase/Write Alternate record. */
export function eraseWrite(options: WccOptions & { readonly alternate?: boolean; readonly rows?: number; readonly cols?: number } = {}): OutboundBuilder {
  const cols = options.cols ?? 80;
  const rows = options.rows ?? 24;
  return new OutboundBuilder(
    options.alternate === true ? Command.SNA_ERASE_WRITE_ALTERNATE : Command.SNA_ERASE_WRITE,
    wcc(options),
    cols,
    rows * cols,
  );
}

/** Start a Write record for a screen of `rows`×`cols`. */
export function write(options: WccOptions & { readonly rows?: number; readonly cols?: number } = {}): OutboundBuilder {
  const cols = options.cols ?? 80;
  const rows = options.rows ?? 24;
  return new OutboundBuilder(Command.SNA_WRITE, wcc(options), cols, rows * cols);
}
