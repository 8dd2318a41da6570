/**
 * ESA/390 dynamic address translation, 31-bit addresses, 1 MB segments of
 * 256 4 KB pages (Principles of Operation SA22-7201, chapter 3 "Dynamic
 * Address Translation"; table layouts as in mainframe-facts §2.4-2.5).
 */
import { Access, type Esa390DatContext, type TranslationStatus } from '@strachey/isa-core';
import type { WalkFormat } from './walk-format';

/** CR0 bits 8-12 that select the ESA/390 translation format (`10110`). */
export const CR0_TRANSLATION_FORMAT_MASK = 0x00f80000;
/** The only valid value of CR0 bits 8-12: 4 KB pages, 1 MB segments. */
export const CR0_TRANSLATION_FORMAT_ESA390 = 0x00b00000;

/** Segment-table designation (STD): segment-table origin, bits 1-19. */
export const STD_STO = 0x7ffff000;
/** STD bit 23: private space (its translations may not use common segments). */
export const STD_PRIVATE = 0x00000100;
/** STD bits 25-31: segment-table length in units of 16 entries, minus one. */
export const STD_STL = 0x0000007f;

/** Segment-table entry: page-table origin, bits 1-25 (64-byte aligned). */
export const STE_PTO = 0x7fffffc0;
/** STE bit 26: segment invalid. */
export const STE_INVALID = 0x00000020;
/** STE bit 27: common segment. */
export const STE_COMMON = 0x00000010;
/** STE bits 28-31: page-table length in units of 16 entries, minus one. */
export const STE_PTL = 0x0000000f;
/** STE bit 0 must be zero. */
export const STE_RESERVED = 0x80000000 | 0;

/** Page-table entry: page-frame real address, bits 1-19. */
export const PTE_PFRA = 0x7ffff000;
/** PTE bit 21: page invalid. */
export const PTE_INVALID = 0x00000400;
/** PTE bit 22: page protection (stores take a protection exception). */
export const PTE_PROTECTED = 0x00000200;
/** PTE bits 0, 20 and 23 must be zero (translation-specification exception otherwise). */
export const PTE_RESERVED = 0x80000900 | 0;

/** Program-interruption codes of DAT (POP "Program-Interruption Conditions"). Protection: a store to a page-protected page. */
export const PGM_PROTECTION = 0x04;
/** Addressing exception: a table entry (or the operand) outside installed storage. */
export const PGM_ADDRESSING = 0x05;
/** Segment-translation exception: STE invalid or segment index beyond the STL. */
export const PGM_SEGMENT_TRANSLATION = 0x10;
/** Page-translation exception: PTE invalid or page index beyond the PTL. */
export const PGM_PAGE_TRANSLATION = 0x11;
/** Translation-specification exception: bad CR0 format, reserved bits, common segment in a private space. */
export const PGM_TRANSLATION_SPECIFICATION = 0x12;

/** Address-space control values (PSW bits 16-17). Primary-space mode: CR1. */
export const ASC_PRIMARY = 0;
/** Access-register mode (translated here with the primary STD, as ALET 0 would). */
export const ASC_ACCESS_REGISTER = 1;
/** Secondary-space mode: CR7. */
export const ASC_SECONDARY = 2;
/** Home-space mode: CR13. */
export const ASC_HOME = 3;

/** TEA bit 0: the translation used the secondary STD (as Hercules 3.13 stores it). */
export const TEA_SECONDARY = 0x80000000 | 0;
/** TEA bit 29: the exception is a DAT (page) protection exception. */
export const TEA_PROTECTION = 0x00000004;

/** Options of the ESA/390 format. */
export interface Esa390FormatOptions {
  /**
   * Recognize a translation-specification exception for a valid STE with bit
   * 0 one. The STE layout says the bit must be zero, but Hercules 3.13 does
   * not check it (it translates through such an entry); true by default.
   */
  readonly checkSteReservedBit?: boolean;
}

/**
 * The translation-exception identification the CPU stores at real X'90' for
 * a segment- or page-translation or DAT-protection exception, as Hercules
 * 3.13 stores it: bits 1-19 of the virtual address (its page address), bit 0
 * one when the secondary STD was used, bit 29 one for protection, bits 30-31
 * the address-space control (0 primary, 1 AR, 2 secondary, 3 home).
 */
export function esa390Tea(address: number, asc: number, protection: boolean): number {
  return (
    (address & 0x7ffff000) | (asc === ASC_SECONDARY ? TEA_SECONDARY : 0) | (protection ? TEA_PROTECTION : 0) | (asc & 3)
  );
}

/** The STD the PSW's address-space control selects (AR mode: the primary STD, as for ALET 0). */
export function selectStd(cr: Int32Array, asc: number): number {
  return (asc === ASC_SECONDARY ? cr[7]! : asc === ASC_HOME ? cr[13]! : cr[1]!) | 0;
}

/** The ESA/390 two-level DAT format over one CPU context. */
export class Esa390Format implements WalkFormat {
  readonly name = 'esa390';
  readonly levels = 2;
  readonly pageShift = 12;
  readonly entryBytes = 4;
  readonly context: Esa390DatContext;
  private readonly steReserved: number;
  /** The STD of the walk in progress: the private-space bit matters at level 1. */
  private std = 0;

  constructor(context: Esa390DatContext, options: Esa390FormatOptions = {}) {
    this.context = context;
    this.steReserved = options.checkSteReservedBit === false ? 0 : STE_RESERVED;
  }

  root(_address: number, _access: Access, status: TranslationStatus): number {
    const cr = this.context.cr;
    if ((cr[0]! & CR0_TRANSLATION_FORMAT_MASK) !== CR0_TRANSLATION_FORMAT_ESA390) {
      status.code = PGM_TRANSLATION_SPECIFICATION;
      status.exceptionId = 0;
      status.hostFault = false;
      return -1;
    }
    // Bit 0 (space-switch event) has no part in translation; dropping it keeps designations non-negative.
    const std = selectStd(cr, this.context.addressSpaceControl()) & 0x7fffffff;
    this.std = std;
    return std;
  }

  levelShift(level: number): number {
    return level === 0 ? 20 : 12;
  }

  space(): number {
    return selectStd(this.context.cr, this.context.addressSpaceControl()) & 0x7fffffff;
  }

  entryAddress(level: number, designation: number, address: number): number {
    return level === 0
      ? (designation & STD_STO) + ((address >>> 18) & 0x1ffc)
      : (designation & STE_PTO) + ((address >>> 10) & 0x3fc);
  }

  withinLength(level: number, designation: number, address: number): boolean {
    // STL counts units of 16 STEs (bits 1-7 of the address), PTL units of 16 PTEs (bits 12-15).
    return level === 0 ? ((address >>> 24) & 0x7f) <= (designation & STD_STL) : ((address >>> 16) & 0xf) <= (designation & STE_PTL);
  }

  lengthFault(level: number, address: number, _access: Access, status: TranslationStatus): void {
    status.code = level === 0 ? PGM_SEGMENT_TRANSLATION : PGM_PAGE_TRANSLATION;
    status.exceptionId = esa390Tea(address, this.context.addressSpaceControl(), false);
    status.hostFault = false;
  }

  decode(level: number, entry: number, address: number, access: Access, status: TranslationStatus): number {
    if (level === 0) {
      if ((entry & STE_INVALID) !== 0) {
        status.code = PGM_SEGMENT_TRANSLATION;
        status.exceptionId = esa390Tea(address, this.context.addressSpaceControl(), false);
        status.hostFault = false;
        return -1;
      }
      if ((entry & this.steReserved) !== 0 || ((entry & STE_COMMON) !== 0 && (this.std & STD_PRIVATE) !== 0)) {
        return this.specification(status);
      }
      return entry & 0x7fffffff;
    }
    if ((entry & PTE_INVALID) !== 0) {
      status.code = PGM_PAGE_TRANSLATION;
      status.exceptionId = esa390Tea(address, this.context.addressSpaceControl(), false);
      status.hostFault = false;
      return -1;
    }
    if ((entry & PTE_RESERVED) !== 0) return this.specification(status);
    if (access === Access.Write && (entry & PTE_PROTECTED) !== 0) {
      this.protectionFault(address, status);
      return -1;
    }
    return entry & PTE_PFRA;
  }

  protectedEntry(entry: number): boolean {
    return (entry & PTE_PROTECTED) !== 0;
  }

  protectionFault(address: number, status: TranslationStatus): void {
    status.code = PGM_PROTECTION;
    status.exceptionId = esa390Tea(address, this.context.addressSpaceControl(), true);
    status.hostFault = false;
  }

  absolute(real: number): number {
    return this.context.realToAbsolute(real);
  }

  private specification(status: TranslationStatus): number {
    // No TEA is stored for a translation-specification exception (Hercules 3.13 leaves X'90' unchanged).
    status.code = PGM_TRANSLATION_SPECIFICATION;
    status.exceptionId = 0;
    status.hostFault = false;
    return -1;
  }
}

/** Encode a segment-table designation: STO (4 KB aligned real address) and STL (0-127). */
export function encodeStd(segmentTableOrigin: number, segmentTableLength: number, privateSpace = false): number {
  return ((segmentTableOrigin & STD_STO) | (privateSpace ? STD_PRIVATE : 0) | (segmentTableLength & STD_STL)) | 0;
}

/** Encode a segment-table entry: PTO (64-byte aligned real address), PTL (0-15), invalid and common bits. */
export function encodeSte(pageTableOrigin: number, pageTableLength: number, flags: { invalid?: boolean; common?: boolean } = {}): number {
  return (
    ((pageTableOrigin & STE_PTO) | (flags.invalid ? STE_INVALID : 0) | (flags.common ? STE_COMMON : 0) | (pageTableLength & STE_PTL)) | 0
  );
}

/** Encode a page-table entry: page-frame real address, invalid and protection bits. */
export function encodePte(frame: number, flags: { invalid?: boolean; protected?: boolean } = {}): number {
  return ((frame & PTE_PFRA) | (flags.invalid ? PTE_INVALID : 0) | (flags.protected ? PTE_PROTECTED : 0)) | 0;
}
