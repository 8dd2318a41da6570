/**
 * A generic radix page-table format with a configurable number of levels,
 * for walk-cost experiments: the x86-64 shape (four levels of 9 index bits
 * over a 12-bit page offset, 8-byte entries) and the IA-32 shape (two levels
 * of 10 bits, 4-byte entries). Entries are read big-endian from storage like
 * everything else in Strachey; only their shape follows the x86 tables:
 * bit 0 present, bit 1 writable, bits 12 and up the next table or frame.
 */
import { Access, type TranslationStatus } from '@strachey/isa-core';
import type { WalkFormat } from './walk-format';

/** Entry bit 0: present (an entry without it is a not-present fault). */
export const RADIX_PRESENT = 0x1;
/** Entry bit 1: writable (a store through an entry without it faults). */
export const RADIX_WRITABLE = 0x2;
/** Entry bits 12-31: the next table's or the frame's address. */
export const RADIX_FRAME = 0xfffff000 | 0;
/** Fault code of radix walks: the x86 page-fault vector (#PF, 14); `exceptionId` is the faulting address, as CR2 holds it. */
export const RADIX_PAGE_FAULT = 0x0e;

/** Shape of a radix format and where its root comes from. */
export interface RadixFormatOptions {
  /** Index bits per level, top level first: [9, 9, 9, 9] for x86-64, [10, 10] for IA-32. */
  readonly levelBits: readonly number[];
  /** Bytes per entry: 8 (x86-64; the high word is read and ignored) or 4 (IA-32). */
  readonly entryBytes: 4 | 8;
  /** Page-offset bits (12 for 4 KB pages). */
  readonly pageShift?: number;
  /** The root table's address, like CR3; read at the start of every walk. */
  readonly root: () => number;
  /** Address-space identity for TLB tags (defaults to the root). */
  readonly space?: () => number;
}

/** A radix table format; construct with `radixFormat()`. */
export class RadixFormat implements WalkFormat {
  readonly name: string;
  readonly levels: number;
  readonly pageShift: number;
  readonly entryBytes: number;
  private readonly shifts: Int32Array;
  private readonly masks: Int32Array;
  private readonly rootFn: () => number;
  private readonly spaceFn: () => number;

  constructor(options: RadixFormatOptions) {
    this.levels = options.levelBits.length;
    this.pageShift = options.pageShift ?? 12;
    this.entryBytes = options.entryBytes;
    this.shifts = new Int32Array(this.levels);
    this.masks = new Int32Array(this.levels);
    let shift = this.pageShift;
    for (let l = this.levels - 1; l >= 0; l--) {
      this.shifts[l] = shift;
      this.masks[l] = (1 << options.levelBits[l]!) - 1;
      shift += options.levelBits[l]!;
    }
    this.name = `radix-${options.levelBits.join('.')}`;
    this.rootFn = options.root;
    this.spaceFn = options.space ?? options.root;
  }

  /** The table index `address` selects at `level` (works for addresses above 2^32, up to 2^53). */
  index(level: number, address: number): number {
    const s = this.shifts[level]!;
    const m = this.masks[level]!;
    return s < 32 && address <= 0xffffffff ? (address >>> s) & m : Math.floor(address / 2 ** s) & m;
  }

  root(_address: number, _access: Access, _status: TranslationStatus): number {
    return this.rootFn() & RADIX_FRAME & 0x7fffffff;
  }

  levelShift(level: number): number {
    return this.shifts[level]!;
  }

  space(): number {
    return this.spaceFn();
  }

  entryAddress(level: number, designation: number, address: number): number {
    return designation + this.index(level, address) * this.entryBytes;
  }

  withinLength(): boolean {
    return true;
  }

  lengthFault(_level: number, address: number, _access: Access, status: TranslationStatus): void {
    this.fault(address, status);
  }

  decode(_level: number, entry: number, address: number, access: Access, status: TranslationStatus): number {
    if ((entry & RADIX_PRESENT) === 0 || (access === Access.Write && (entry & RADIX_WRITABLE) === 0)) {
      this.fault(address, status);
      return -1;
    }
    return (entry & RADIX_FRAME) >>> 0;
  }

  protectedEntry(entry: number): boolean {
    return (entry & RADIX_WRITABLE) === 0;
  }

  protectionFault(address: number, status: TranslationStatus): void {
    this.fault(address, status);
  }

  absolute(real: number): number {
    return real;
  }

  private fault(address: number, status: TranslationStatus): void {
    status.code = RADIX_PAGE_FAULT;
    status.exceptionId = address;
    status.hostFault = false;
  }
}

/** A radix format; e.g. `radixFormat({ levelBits: [9, 9, 9, 9], entryBytes: 8, root: () => cr3 })`. */
export function radixFormat(options: RadixFormatOptions): RadixFormat {
  return new RadixFormat(options);
}

/** The x86-64 4-level shape: 9-9-9-9 index bits over 4 KB pages, 8-byte entries. */
export function x86_64Format(root: () => number): RadixFormat {
  return new RadixFormat({ levelBits: [9, 9, 9, 9], entryBytes: 8, root });
}

/** The IA-32 2-level shape: 10-10 index bits over 4 KB pages, 4-byte entries. */
export function ia32Format(root: () => number): RadixFormat {
  return new RadixFormat({ levelBits: [10, 10], entryBytes: 4, root });
}

/** Encode a radix entry: next table or frame address, present and writable bits. */
export function encodeRadixEntry(frame: number, flags: { present?: boolean; writable?: boolean } = {}): number {
  return ((frame & RADIX_FRAME) | ((flags.present ?? true) ? RADIX_PRESENT : 0) | ((flags.writable ?? true) ? RADIX_WRITABLE : 0)) | 0;
}
