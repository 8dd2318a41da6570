/**
 * The two-dimensional walk of nested paging (IEF on S/370; AMD RVI/NPT 2007,
 * Intel EPT 2008): the guest's tables hold guest-absolute (guest-physical)
 * addresses, so every guest table entry the walker fetches, and finally the
 * guest frame itself, is first translated by the host's tables. With n guest
 * levels and m host levels a cold walk makes (n+1)(m+1) - 1 references: 24
 * for 4 + 4 (Bhargava et al., ASPLOS 2008).
 *
 * Three caches cut that down, each switchable for experiments:
 * - the nested TLB: guest virtual page -> host frame (the whole 2D result);
 * - page-walk caches (guest level): for each level below the top, the
 *   designation reached by the upper levels, keyed by the address bits they
 *   index (like Intel's paging-structure caches and AMD's PWC);
 * - the host-level nested TLB ("NTLB"): guest-absolute page -> host frame,
 *   consulted before every host walk.
 *
 * A fault in the host dimension is a nested fault (EPT violation / NPF):
 * hostFault = true, exceptionId = the guest-absolute address the host could
 * not map, code = the host format's code, 'nested-fault' charged.
 */
import {
  type AbsoluteAddress,
  Access,
  type CostModel,
  type StoragePort,
  type Translator,
  type TranslationStatus,
} from '@strachey/isa-core';
import { type ResolvedCosts, resolveCosts } from './costs';
import { WALK_FAULT, type WalkFormat } from './formats/walk-format';
import { addressingFault, pageOf } from './table-walker';
import { Tlb, TLB_MISS, type TlbOptions } from './tlb';

/** Configuration of a NestedWalker: the guest format, the host layer and which caches exist. */
export interface NestedWalkerOptions {
  /** The guest's table format; its `absolute()` maps guest real to guest absolute. */
  readonly guestFormat: WalkFormat;
  /** Guest absolute -> host absolute (typically a TableWalker over the host tables, `tlb: false`, so its references count). */
  readonly host: Translator;
  /** Host storage, where both dimensions' tables are read. */
  readonly hostStorage: StoragePort;
  /** Nested TLB (guest virtual -> host); default 256 entries 4-way; false for none. */
  readonly tlb?: TlbOptions | false;
  /** Guest-level page-walk caches, one per level below the top; default 32 entries 4-way each; false for none. */
  readonly pageWalkCache?: TlbOptions | false;
  /** Host-level nested TLB (guest absolute page -> host frame); default 64 entries 4-way; false for none. */
  readonly hostTlb?: TlbOptions | false;
  readonly costModel?: CostModel;
}

/** Counters of a NestedWalker. */
export interface NestedCounters {
  /** Two-dimensional walks started (nested TLB misses). */
  walks: number;
  /** Table references made by those walks (both dimensions). */
  walkReferences: number;
  /** Host walks (host-level nested TLB misses). */
  hostWalks: number;
  nestedFaults: number;
  guestFaults: number;
  pageWalkCacheHits: number;
  hostTlbHits: number;
}

/** Guest virtual -> host by the two-dimensional walk; see the file comment. */
export class NestedWalker implements Translator {
  readonly name = 'nested';
  readonly guestFormat: WalkFormat;
  readonly host: Translator;
  readonly hostStorage: StoragePort;
  readonly tlb: Tlb | null;
  readonly hostTlb: Tlb | null;
  /** pageWalkCache[level] caches designations of `level` (index 0 unused: the top comes from the root). */
  readonly pageWalkCache: (Tlb | null)[];
  readonly counters: NestedCounters = {
    walks: 0,
    walkReferences: 0,
    hostWalks: 0,
    nestedFaults: 0,
    guestFaults: 0,
    pageWalkCacheHits: 0,
    hostTlbHits: 0,
  };
  private readonly costs: ResolvedCosts;
  private readonly offsetMask: number;
  private readonly prefixShift: Float64Array;

  constructor(options: NestedWalkerOptions) {
    this.guestFormat = options.guestFormat;
    this.host = options.host;
    this.hostStorage = options.hostStorage;
    this.tlb = options.tlb === false ? null : new Tlb(options.tlb ?? {});
    this.hostTlb = options.hostTlb === false ? null : new Tlb(options.hostTlb ?? { entries: 64, ways: 4 });
    const levels = this.guestFormat.levels;
    this.pageWalkCache = [null];
    this.prefixShift = new Float64Array(levels);
    for (let l = 1; l < levels; l++) {
      this.pageWalkCache.push(options.pageWalkCache === false ? null : new Tlb(options.pageWalkCache ?? { entries: 32, ways: 4 }));
      // The designation of level l is fixed by the address bits the levels above index.
      this.prefixShift[l] = this.guestFormat.levelShift(l - 1);
    }
    this.costs = resolveCosts(options.costModel);
    this.offsetMask = (1 << this.guestFormat.pageShift) - 1;
  }

  translate(address: number, access: Access, status: TranslationStatus): number {
    const format = this.guestFormat;
    const root = format.root(address, access, status);
    if (root < 0) {
      this.counters.guestFaults++;
      return WALK_FAULT;
    }
    const page = pageOf(address, format.pageShift);
    const tlb = this.tlb;
    if (tlb !== null) {
      const f = tlb.lookup(page, root);
      if (f !== TLB_MISS) {
        if (access === Access.Write && tlb.lastProtected) {
          format.protectionFault(address, status);
          this.counters.guestFaults++;
          return WALK_FAULT;
        }
        return f + (address & this.offsetMask);
      }
      status.cycles += this.costs.tlbMiss;
    }
    return this.walk2d(root, page, address, access, status);
  }

  private walk2d(root: number, page: number, address: number, access: Access, status: TranslationStatus): number {
    const format = this.guestFormat;
    const storage = this.hostStorage;
    const eb = format.entryBytes;
    const last = format.levels - 1;
    const refsBefore = status.references;
    this.counters.walks++;
    // Start as deep as the page-walk caches allow.
    let level = 0;
    let d = root;
    for (let l = last; l >= 1; l--) {
      const pwc = this.pageWalkCache[l];
      if (pwc === null || pwc === undefined) continue;
      const hit = pwc.lookup(pageOf(address, this.prefixShift[l]!), root);
      if (hit !== TLB_MISS) {
        level = l;
        d = hit;
        this.counters.pageWalkCacheHits++;
        break;
      }
    }
    let lastEntry = 0;
    let lastSource = 0;
    for (; level <= last; level++) {
      if (!format.withinLength(level, d, address)) {
        format.lengthFault(level, address, access, status);
        return this.guestFault(status, refsBefore);
      }
      const ga = format.absolute(format.entryAddress(level, d, address));
      const ha = this.hostTranslate(ga, Access.Read, status);
      if (ha < 0) return this.nestedFault(ga, status, refsBefore);
      if (ha + eb > storage.size) {
        addressingFault(status);
        return this.guestFault(status, refsBefore);
      }
      const entry = storage.read32((ha + eb - 4) as AbsoluteAddress);
      status.references++;
      status.cycles += this.costs.walkReference;
      d = format.decode(level, entry, address, access, status);
      if (d < 0) return this.guestFault(status, refsBefore);
      if (level < last) {
        this.pageWalkCache[level + 1]?.insert(pageOf(address, this.prefixShift[level + 1]!), root, d, ga, false);
      }
      lastEntry = entry;
      lastSource = ga;
    }
    const offset = address & this.offsetMask;
    const guestAbs = format.absolute(d);
    const hostAddress = this.hostTranslate(guestAbs + offset, access, status);
    this.counters.walkReferences += status.references - refsBefore;
    if (hostAddress < 0) return this.nestedFault(guestAbs + offset, status, status.references);
    this.tlb?.insert(page, root, hostAddress - offset, lastSource, format.protectedEntry(lastEntry));
    return hostAddress;
  }

  /** Guest absolute -> host through the host-level nested TLB, then the host tables. */
  private hostTranslate(guestAbs: number, access: Access, status: TranslationStatus): number {
    const ntlb = this.hostTlb;
    const page = Math.floor(guestAbs / 4096);
    const offset = guestAbs % 4096;
    if (ntlb !== null) {
      const f = ntlb.lookup(page, 0);
      if (f !== TLB_MISS && !(access === Access.Write && ntlb.lastProtected)) {
        this.counters.hostTlbHits++;
        return f + offset;
      }
    }
    this.counters.hostWalks++;
    const r = this.host.translate(guestAbs, access, status);
    // Host translations are cached without store rights so host write protection (dirty logging) still traps.
    if (r >= 0 && ntlb !== null) ntlb.insert(page, 0, r - offset, page, access !== Access.Write);
    return r;
  }

  private guestFault(status: TranslationStatus, refsBefore: number): number {
    this.counters.walkReferences += status.references - refsBefore;
    this.counters.guestFaults++;
    status.hostFault = false;
    return WALK_FAULT;
  }

  private nestedFault(guestAbs: number, status: TranslationStatus, refsBefore: number): number {
    this.counters.walkReferences += status.references - refsBefore;
    this.counters.nestedFaults++;
    status.hostFault = true;
    status.exceptionId = guestAbs;
    status.cycles += this.costs.nestedFault;
    return WALK_FAULT;
  }

  /**
   * The guest invalidated the table entry at guest absolute `entryAddress`
   * (IPTE, INVLPG): drop nested-TLB entries built from it. Page-walk caches
   * are flushed too, as the guest may have changed an upper-level entry.
   */
  invalidateGuestEntry(entryAddress: number): void {
    this.tlb?.invalidateEntry(entryAddress);
    for (const pwc of this.pageWalkCache) pwc?.flush();
  }

  /** Guest PTLB / CR3 reload: drop the nested TLB and the page-walk caches. */
  flush(): void {
    this.tlb?.flush();
    for (const pwc of this.pageWalkCache) pwc?.flush();
  }

  /** The host changed its tables (INVEPT / host IPTE): drop everything holding host frames. */
  flushHost(): void {
    this.tlb?.flush();
    this.hostTlb?.flush();
    this.host.flush();
  }

  /** Drop every cache (cold-walk experiments). */
  flushAll(): void {
    this.flush();
    this.flushHost();
  }
}

/** A nested (two-dimensional) walker; see `NestedWalkerOptions`. */
export function createNestedWalker(options: NestedWalkerOptions): NestedWalker {
  return new NestedWalker(options);
}
