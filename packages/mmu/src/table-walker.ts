/**
 * The one-dimensional table walker: a page-table format over one storage,
 * with an optional TLB in front. It is the "hardware" walker of a machine
 * whose tables are in its own storage (ESA/390 DAT of a CPU, an x86 page
 * walker, the host dimension of a nested walk).
 */
import {
  type AbsoluteAddress,
  Access,
  type CostModel,
  type StoragePort,
  type Translator,
  type TranslationStatus,
  createTranslationStatus,
} from '@strachey/isa-core';
import { type ResolvedCosts, resolveCosts } from './costs';
import { PGM_ADDRESSING } from './formats/esa390';
import { WALK_FAULT, type WalkFormat } from './formats/walk-format';
import { Tlb, TLB_MISS, type TlbOptions } from './tlb';

/** Configuration of a TableWalker. */
export interface TableWalkerOptions {
  readonly format: WalkFormat;
  /** Where the tables live, indexed by the format's absolute addresses. */
  readonly storage: StoragePort;
  /** A TLB in front of the walk (options or a shared instance); `false` for none. Default: a 256-entry 4-way tagged TLB. */
  readonly tlb?: TlbOptions | Tlb | false;
  readonly costModel?: CostModel;
  readonly name?: string;
}

/** Fill `status` for an addressing exception (no TEA): a table entry outside the installed storage, or an address beyond a zone or block table. */
export function addressingFault(status: TranslationStatus): number {
  status.code = PGM_ADDRESSING;
  status.exceptionId = 0;
  status.hostFault = false;
  return WALK_FAULT;
}

/** Page number of an address for a page size of 2^shift (addresses may exceed 2^32). */
export function pageOf(address: number, shift: number): number {
  return address <= 0xffffffff ? address >>> shift : Math.floor(address / 2 ** shift);
}

/** A one-dimensional walk of `format` tables in `storage`, with an optional TLB. */
export class TableWalker implements Translator {
  readonly name: string;
  readonly format: WalkFormat;
  readonly storage: StoragePort;
  readonly tlb: Tlb | null;
  protected readonly costs: ResolvedCosts;
  protected readonly offsetMask: number;
  /** Table-space address of the last-level entry of the latest successful walk (what IPTE names). */
  lastEntryAddress = 0;
  /** Whether that entry forbids stores. */
  lastProtected = false;
  /** Walks performed (TLB misses and uncached walks). */
  walks = 0;

  constructor(options: TableWalkerOptions) {
    this.format = options.format;
    this.storage = options.storage;
    this.name = options.name ?? `${options.format.name}-walker`;
    this.tlb = options.tlb === false ? null : options.tlb instanceof Tlb ? options.tlb : new Tlb(options.tlb ?? {});
    this.costs = resolveCosts(options.costModel);
    this.offsetMask = (1 << this.format.pageShift) - 1;
  }

  translate(address: number, access: Access, status: TranslationStatus): number {
    const format = this.format;
    const d = format.root(address, access, status);
    if (d < 0) return WALK_FAULT;
    const tlb = this.tlb;
    if (tlb === null) return this.walkFrom(d, address, access, status);
    const page = pageOf(address, format.pageShift);
    const frame = tlb.lookup(page, d);
    if (frame !== TLB_MISS) {
      if (access === Access.Write && tlb.lastProtected) {
        format.protectionFault(address, status);
        return WALK_FAULT;
      }
      return frame + (address & this.offsetMask);
    }
    status.cycles += this.costs.tlbMiss;
    const r = this.walkFrom(d, address, access, status);
    if (r >= 0) tlb.insert(page, d, r - (address & this.offsetMask), this.lastEntryAddress, this.lastProtected);
    return r;
  }

  /** Walk the tables without the TLB. */
  walk(address: number, access: Access, status: TranslationStatus): number {
    const d = this.format.root(address, access, status);
    return d < 0 ? WALK_FAULT : this.walkFrom(d, address, access, status);
  }

  protected walkFrom(root: number, address: number, access: Access, status: TranslationStatus): number {
    const format = this.format;
    const storage = this.storage;
    const eb = format.entryBytes;
    const last = format.levels - 1;
    const refCost = this.costs.walkReference;
    let d = root;
    this.walks++;
    for (let level = 0; level <= last; level++) {
      if (!format.withinLength(level, d, address)) {
        format.lengthFault(level, address, access, status);
        return WALK_FAULT;
      }
      const ea = format.entryAddress(level, d, address);
      const abs = format.absolute(ea);
      if (abs + eb > storage.size) return addressingFault(status);
      const entry = storage.read32((abs + eb - 4) as AbsoluteAddress);
      status.references++;
      status.cycles += refCost;
      d = format.decode(level, entry, address, access, status);
      if (d < 0) return WALK_FAULT;
      if (level === last) {
        this.lastEntryAddress = ea;
        this.lastProtected = format.protectedEntry(entry);
      }
    }
    return d + (address & this.offsetMask);
  }

  /**
   * INVLPG-style invalidation: drop the cached translation of the page
   * holding `address` in the current address space.
   */
  invalidateAddress(address: number): void {
    if (this.tlb === null) return;
    const d = this.format.root(address, 0, scratch);
    if (d >= 0) this.tlb.invalidatePage(pageOf(address, this.format.pageShift), d);
  }

  /** Drop every cached translation (PTLB, CR3 reload). */
  flush(): void {
    this.tlb?.flush();
  }
}

const scratch = createTranslationStatus();

/** A table walker; see `TableWalkerOptions`. */
export function createTableWalker(options: TableWalkerOptions): TableWalker {
  return new TableWalker(options);
}
