/**
 * The port through which the ESA/390 CPU uses dynamic address translation.
 * isa-core defines it (it is the consumer); @strachey/mmu implements it
 * (`createEsa390Dat`). A CPU without a DAT port runs programs with DAT off
 * only: setting the PSW T bit then check-stops the CPU with a clear reason.
 */
import type { Translator, TranslationStatus } from '../framework/translator';

/** What the DAT walker reads of the CPU that owns it. */
export interface Esa390DatContext {
  /** The CPU's control registers: CR0 (translation format), CR1 primary STD, CR7 secondary STD, CR13 home STD. */
  readonly cr: Int32Array;
  /** PSW bits 16-17, address-space control: 0 primary, 1 access-register, 2 secondary, 3 home. */
  addressSpaceControl(): number;
  /** Prefixing: the absolute address of real address `real` for this CPU (table origins are real addresses). */
  realToAbsolute(real: number): number;
}

/**
 * ESA/390 DAT as the CPU needs it. `translate()` maps a virtual (logical)
 * address to a *real* address (prefixing is the CPU's job), or faults with the
 * architected code (0x10 segment translation, 0x11 page translation, 0x12
 * translation specification, 0x05 addressing, 0x04 protection) and the
 * translation-exception identification for X'90'.
 */
export interface Esa390Dat extends Translator {
  /**
   * LOAD REAL ADDRESS without the TLB. Returns the condition code (0 translated,
   * 1 segment-table entry invalid, 2 page-table entry invalid, 3 table length
   * exceeded) and writes the value for R1 into `result[0]` (the real address for
   * cc 0, the entry address otherwise), or returns a negative
   * program-interruption code (-0x12, -0x05) after filling `status`.
   */
  loadRealAddress(address: number, result: Int32Array, status: TranslationStatus): number;
  /**
   * INVALIDATE PAGE TABLE ENTRY, TLB part: the CPU has set the PTE's invalid
   * bit in storage; drop every cached translation that used the page-table
   * entry at `pageTableOrigin` + 4 × `pageIndex`.
   */
  invalidatePage(pageTableOrigin: number, pageIndex: number): void;
}
