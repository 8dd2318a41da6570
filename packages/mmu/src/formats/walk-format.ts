/**
 * A page-table format: how one architecture's table walk turns a virtual
 * address into a frame, one level at a time. The same format object drives
 * the native walker (tables in real storage), the shadow pager's fill walk
 * (tables in guest storage, reached through the pmap) and the nested
 * walker's two-dimensional walk (every table address translated by the host
 * tables), so all three agree on the architecture by construction.
 *
 * A *designation* is what points at a table: the segment-table designation
 * (ESA/390 STD from CR1/CR7/CR13) or a CR3-like root at the top level, and
 * the previous level's entry below it (an STE designates its page table).
 * Designations are kept non-negative, so the walker can use -1 as "fault".
 */
import type { Access, TranslationStatus } from '@strachey/isa-core';

/** One architecture's table walk, level by level; see the file comment. */
export interface WalkFormat {
  /** Short name for reports ("esa390", "radix-9.9.9.9"). */
  readonly name: string;
  /** Number of table levels (ESA/390: 2, segment and page table). */
  readonly levels: number;
  /** Bytes of the page offset: the low `pageShift` bits pass through untranslated. */
  readonly pageShift: number;
  /** Bytes the walker reads per entry (4, or 8 for the 64-bit radix entries). */
  readonly entryBytes: number;
  /**
   * Start a walk: check the control state (ESA/390: the CR0 translation
   * format) and return the top designation, or -1 after filling `status`.
   */
  root(address: number, access: Access, status: TranslationStatus): number;
  /** Lowest address bit the index of `level` uses (ESA/390: 20 for the segment index, 12 for the page index). */
  levelShift(level: number): number;
  /** Identity of the address space being walked (TLB and shadow-cache tag). */
  space(): number;
  /** Address of the entry for `address` in the table `designation` points at (in the table space: real or guest real). */
  entryAddress(level: number, designation: number, address: number): number;
  /** False when `address` indexes beyond the table's length (ESA/390 STL/PTL). */
  withinLength(level: number, designation: number, address: number): boolean;
  /** Fill `status` for a table-length violation at `level`. */
  lengthFault(level: number, address: number, access: Access, status: TranslationStatus): void;
  /**
   * Decode the entry fetched at `level`: the next designation, or at the last
   * level the frame address (page aligned, in the table space). Returns -1
   * after filling `status` (invalid entry, reserved bits, protection).
   */
  decode(level: number, entry: number, address: number, access: Access, status: TranslationStatus): number;
  /** True when the last-level entry forbids stores (so caches can keep the bit). */
  protectedEntry(entry: number): boolean;
  /** Fill `status` for a store into a page a cached entry marked protected. */
  protectionFault(address: number, status: TranslationStatus): void;
  /**
   * The address at which tables and frames are read in storage: ESA/390
   * prefixing (real to absolute); identity for formats without prefixing.
   */
  absolute(real: number): number;
}

/** Returned by walk steps on a fault (a designation or address is never negative). */
export const WALK_FAULT = -1;
