/**
 * A translation-lookaside buffer model: set-associative, LRU within a set,
 * entries tagged with the address space they belong to (the STD on ESA/390,
 * an ASID elsewhere) or, by policy, flushed whenever the address space
 * changes (the classic untagged x86 TLB flushed by a CR3 load).
 *
 * Each entry remembers the address of the last-level table entry it was
 * built from, so INVALIDATE PAGE TABLE ENTRY removes exactly the
 * translations that used that page-table entry (POP "INVALIDATE PAGE TABLE
 * ENTRY": entries formed from the PTE are cleared in all TLBs).
 *
 * Storage is typed arrays indexed by slot; a lookup is a short loop over one
 * set with no allocation.
 */

/** How the TLB treats an address-space switch. */
export type TlbSpacePolicy = 'tagged' | 'flush-on-switch';

/** TLB geometry and address-space policy. */
export interface TlbOptions {
  /** Number of entries (rounded to a multiple of `ways`; sets must be a power of two). Default 256. */
  readonly entries?: number;
  /** Associativity: entries per set. Default 4. `ways === entries` is fully associative. */
  readonly ways?: number;
  /** Default 'tagged'. */
  readonly policy?: TlbSpacePolicy;
}

/** Counters a TLB keeps; reset with `resetCounters()`. */
export interface TlbCounters {
  hits: number;
  misses: number;
  /** Valid entries replaced to make room. */
  evictions: number;
  /** Entries removed by invalidatePage/invalidateEntry. */
  invalidations: number;
  /** Whole-TLB flushes (PTLB, CR reload, switch under flush-on-switch). */
  flushes: number;
}

/** Returned by `lookup` on a miss. */
export const TLB_MISS = -1;

/** The TLB model; see the file comment. */
export class Tlb {
  readonly entries: number;
  readonly ways: number;
  readonly sets: number;
  readonly policy: TlbSpacePolicy;
  readonly counters: TlbCounters = { hits: 0, misses: 0, evictions: 0, invalidations: 0, flushes: 0 };
  /** Page number (address / 4096, may exceed 2^32 for 48-bit formats, so a Float64Array). */
  private readonly page: Float64Array;
  private readonly tag: Int32Array;
  private readonly frame: Float64Array;
  /** Address of the last-level table entry the translation came from (for IPTE). */
  private readonly source: Float64Array;
  /** Bit 0 valid, bit 1 store-protected. */
  private readonly flags: Uint8Array;
  private readonly stamp: Float64Array;
  private clock = 0;
  private currentSpace = 0;
  private hasSpace = false;
  private readonly setMask: number;
  /** Set by `lookup` on a hit: whether the entry forbids stores. */
  lastProtected = false;

  constructor(options: TlbOptions = {}) {
    const ways = Math.max(1, options.ways ?? 4);
    const requested = Math.max(ways, options.entries ?? 256);
    let sets = 1;
    while (sets * 2 * ways <= requested) sets *= 2;
    this.ways = ways;
    this.sets = sets;
    this.entries = sets * ways;
    this.setMask = sets - 1;
    this.policy = options.policy ?? 'tagged';
    this.page = new Float64Array(this.entries);
    this.tag = new Int32Array(this.entries);
    this.frame = new Float64Array(this.entries);
    this.source = new Float64Array(this.entries);
    this.flags = new Uint8Array(this.entries);
    this.stamp = new Float64Array(this.entries);
  }

  /**
   * Note the address space about to be used. Under 'flush-on-switch' a
   * different space than the previous one flushes the whole TLB.
   */
  switchTo(space: number): void {
    if (this.hasSpace && space === this.currentSpace) return;
    if (this.policy === 'flush-on-switch' && this.hasSpace) this.flush();
    this.currentSpace = space;
    this.hasSpace = true;
  }

  /** The frame address for `page` in `space`, or TLB_MISS. Sets `lastProtected` on a hit. */
  lookup(page: number, space: number): number {
    if (this.policy === 'flush-on-switch') this.switchTo(space);
    const base = (page & this.setMask) * this.ways;
    const end = base + this.ways;
    for (let i = base; i < end; i++) {
      if (this.flags[i] !== 0 && this.page[i] === page && this.tag[i] === space) {
        this.stamp[i] = ++this.clock;
        this.counters.hits++;
        this.lastProtected = (this.flags[i]! & 2) !== 0;
        return this.frame[i]!;
      }
    }
    this.counters.misses++;
    return TLB_MISS;
  }

  /** Look up without touching counters or LRU state (for tests and reports). */
  peek(page: number, space: number): number {
    const base = (page & this.setMask) * this.ways;
    for (let i = base; i < base + this.ways; i++) {
      if (this.flags[i] !== 0 && this.page[i] === page && this.tag[i] === space) return this.frame[i]!;
    }
    return TLB_MISS;
  }

  /** Enter a translation, replacing the least recently used entry of the set. */
  insert(page: number, space: number, frame: number, sourceEntry: number, protectedPage: boolean): void {
    const base = (page & this.setMask) * this.ways;
    let victim = base;
    let oldest = Number.POSITIVE_INFINITY;
    for (let i = base; i < base + this.ways; i++) {
      if (this.flags[i] === 0) {
        victim = i;
        oldest = -1;
        break;
      }
      if (this.page[i] === page && this.tag[i] === space) {
        victim = i;
        oldest = -1;
        break;
      }
      if (this.stamp[i]! < oldest) {
        oldest = this.stamp[i]!;
        victim = i;
      }
    }
    if (oldest !== -1) this.counters.evictions++;
    this.page[victim] = page;
    this.tag[victim] = space;
    this.frame[victim] = frame;
    this.source[victim] = sourceEntry;
    this.flags[victim] = protectedPage ? 3 : 1;
    this.stamp[victim] = ++this.clock;
  }

  /** Remove every entry built from the last-level table entry at `entryAddress` (IPTE). Returns how many. */
  invalidateEntry(entryAddress: number): number {
    let n = 0;
    for (let i = 0; i < this.entries; i++) {
      if (this.flags[i] !== 0 && this.source[i] === entryAddress) {
        this.flags[i] = 0;
        n++;
      }
    }
    this.counters.invalidations += n;
    return n;
  }

  /** Remove the entry for one page of one space (INVLPG-style). Returns how many. */
  invalidatePage(page: number, space: number): number {
    const base = (page & this.setMask) * this.ways;
    let n = 0;
    for (let i = base; i < base + this.ways; i++) {
      if (this.flags[i] !== 0 && this.page[i] === page && this.tag[i] === space) {
        this.flags[i] = 0;
        n++;
      }
    }
    this.counters.invalidations += n;
    return n;
  }

  /** Remove every entry whose frame is `frame` (a host took the frame away). Returns how many. */
  invalidateFrame(frame: number): number {
    let n = 0;
    for (let i = 0; i < this.entries; i++) {
      if (this.flags[i] !== 0 && this.frame[i] === frame) {
        this.flags[i] = 0;
        n++;
      }
    }
    this.counters.invalidations += n;
    return n;
  }

  /** Remove every entry of one address space. */
  flushSpace(space: number): void {
    for (let i = 0; i < this.entries; i++) if (this.tag[i] === space) this.flags[i] = 0;
    this.counters.flushes++;
  }

  /** Remove every entry (PURGE TLB). */
  flush(): void {
    this.flags.fill(0);
    this.counters.flushes++;
  }

  /** Number of valid entries. */
  get occupancy(): number {
    let n = 0;
    for (let i = 0; i < this.entries; i++) if (this.flags[i] !== 0) n++;
    return n;
  }

  resetCounters(): void {
    this.counters.hits = 0;
    this.counters.misses = 0;
    this.counters.evictions = 0;
    this.counters.invalidations = 0;
    this.counters.flushes = 0;
  }
}
