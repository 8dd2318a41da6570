/**
 * createEsa390Dat: the ESA/390 DAT port isa-core's CPU consumes. translate()
 * maps a logical address to a real address through the TLB and, on a miss,
 * the segment and page tables; loadRealAddress() is LOAD REAL ADDRESS (no
 * TLB); invalidatePage() is the TLB half of INVALIDATE PAGE TABLE ENTRY;
 * flush() is PURGE TLB.
 */
import {
  type AbsoluteAddress,
  Access,
  type CostModel,
  type Esa390Dat,
  type Esa390DatContext,
  type StoragePort,
  type TranslationStatus,
} from '@strachey/isa-core';
import {
  Esa390Format,
  type Esa390FormatOptions,
  PTE_INVALID,
  STE_INVALID,
  STE_PTO,
} from './formats/esa390';
import { TableWalker, addressingFault } from './table-walker';
import type { TlbOptions } from './tlb';

/** Options of `createEsa390Dat`. */
export interface Esa390DatOptions extends Esa390FormatOptions {
  /** Absolute main storage of the CPU (tables are read here after prefixing). */
  readonly storage: StoragePort;
  readonly context: Esa390DatContext;
  /** TLB geometry and space policy; default 256 entries, 4-way, tagged by STD; false for none (every translation walks). */
  readonly tlb?: TlbOptions | false;
  readonly costModel?: CostModel;
}

/** The ESA/390 DAT walker with its TLB, implementing isa-core's `Esa390Dat` port; see `createEsa390Dat`. */
export class Esa390DatTranslator extends TableWalker implements Esa390Dat {
  override readonly format: Esa390Format;

  constructor(options: Esa390DatOptions) {
    const format = new Esa390Format(options.context, options);
    super({
      format,
      storage: options.storage,
      tlb: options.tlb ?? {},
      ...(options.costModel ? { costModel: options.costModel } : {}),
      name: 'esa390-dat',
    });
    this.format = format;
  }

  override translate(address: number, access: Access, status: TranslationStatus): number {
    // Logical addresses are 31 bits; the CPU has already applied 24-bit truncation.
    return super.translate(address & 0x7fffffff, access, status);
  }

  loadRealAddress(address: number, result: Int32Array, status: TranslationStatus): number {
    const format = this.format;
    const storage = this.storage;
    const a = address & 0x7fffffff;
    let d = format.root(a, Access.Read, status);
    if (d < 0) return -status.code;
    for (let level = 0; level < 2; level++) {
      const ea = format.entryAddress(level, d, a);
      if (!format.withinLength(level, d, a)) {
        result[0] = ea;
        return 3;
      }
      const abs = format.absolute(ea);
      if (abs + 4 > storage.size) {
        addressingFault(status);
        return -status.code;
      }
      const entry = storage.read32(abs as AbsoluteAddress);
      status.references++;
      status.cycles += this.costs.walkReference;
      if ((entry & (level === 0 ? STE_INVALID : PTE_INVALID)) !== 0) {
        result[0] = ea;
        return level + 1;
      }
      d = format.decode(level, entry, a, Access.Read, status);
      if (d < 0) return -status.code;
    }
    result[0] = d + (a & 0xfff);
    return 0;
  }

  invalidatePage(pageTableOrigin: number, pageIndex: number): void {
    this.tlb?.invalidateEntry((pageTableOrigin & STE_PTO) + (pageIndex & 0xff) * 4);
  }
}

/**
 * The ESA/390 DAT port for one CPU: `createEsa390Dat({ storage, context })`.
 * Fault order follows the POP and Hercules 3.13: CR0 translation format
 * (0x12, before any table fetch), segment-table length (0x10), STE fetch
 * (0x05 outside storage), STE invalid (0x10), STE reserved bit or common
 * segment in a private space (0x12), page-table length (0x11), PTE fetch
 * (0x05), PTE invalid (0x11), PTE reserved bits 0/20/23 (0x12), page
 * protection on store (0x04).
 */
export function createEsa390Dat(options: Esa390DatOptions): Esa390DatTranslator {
  return new Esa390DatTranslator(options);
}
