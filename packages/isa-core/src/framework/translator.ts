/**
 * The translator interface: one layer of the address pipeline. Every mmu
 * layer (ESA/390 DAT, shadow tables, nested walk, zone relocation, block
 * table, SIE storage origin) implements it, so layers stack in whatever order
 * a composition needs: a CMS user under CP inside an LPAR translates through
 * guest DAT, then CP's shadow (or SIE origin), then the LPAR's zone.
 *
 * translate() is on the hot path of every TLB miss, so it returns a plain
 * number and reports faults and costs through a caller-owned status object
 * instead of allocating.
 */

/** The kind of storage access, for protection and statistics. */
export const Access = { Fetch: 0, Read: 1, Write: 2 } as const;
export type Access = (typeof Access)[keyof typeof Access];

/** Returned by `translate()` when the access faults; details are in the status. */
export const TRANSLATION_FAULT = -1;

/**
 * Caller-owned scratch a translator writes into. `code` and `exceptionId` are
 * meaningful only after TRANSLATION_FAULT; `cycles` and `references`
 * accumulate across calls until the caller drains them.
 */
export interface TranslationStatus {
  /** Program-interruption code of the fault (ESA/390: 0x04 protection, 0x05 addressing, 0x10, 0x11, 0x12). */
  code: number;
  /**
   * Value the architecture stores as the translation-exception identification
   * (ESA/390: at real X'90', the failing virtual address with the space bits).
   */
  exceptionId: number;
  /** True when the fault belongs to the host (hidden fault, nested fault), not to the program being translated for. */
  hostFault: boolean;
  /** Simulated cycles charged by the translation (walk references, fills). */
  cycles: number;
  /** Storage references made by table walks. */
  references: number;
}

export function createTranslationStatus(): TranslationStatus {
  return { code: 0, exceptionId: 0, hostFault: false, cycles: 0, references: 0 };
}

/** One address-translation layer. */
export interface Translator {
  /** A short name for traces and reports ("esa390-dat", "shadow", "zone"). */
  readonly name: string;
  /**
   * Translate `address` (in this layer's input space) for an access of the
   * given kind. Returns the output address (>= 0), or TRANSLATION_FAULT after
   * filling `status`.
   */
  translate(address: number, access: Access, status: TranslationStatus): number;
  /** Drop every cached translation (PTLB, CR1 load, address-space switch). */
  flush(): void;
}
