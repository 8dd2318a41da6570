/**
 * Shadow page tables (VM/370 "shadow tables", VMware's shadow page tables
 * with the pmap): the host keeps tables that map a guest's *virtual*
 * addresses straight to host addresses, so the hardware translates once.
 *
 * - The pmap is the translator beneath: guest absolute -> host absolute
 *   (any layer: an offset, a zone, the host's own paging).
 * - Shadows are filled lazily. A reference whose shadow entry is missing is
 *   a *hidden fault* when the guest's own tables map the page (fill the
 *   shadow entry, charge 'shadow-fill') and a *true fault* when they do not
 *   (reflect the guest's exception: TRANSLATION_FAULT with the guest's code,
 *   hostFault = false). A pmap fault during the fill is the host's
 *   (hostFault = true): the host pages the frame in and retries.
 * - Tracing: every guest frame whose table entries a shadow was built from is
 *   write-protected in the shadow. A guest store through the shadow into
 *   such a frame is a *tracing fault*: the pager invalidates the shadow
 *   entries built from the stored-to entries, charges 'tracing-fault', and
 *   lets the store proceed (the emulated store). Stores that do not come
 *   through the shadow (the guest with DAT off, I/O, the hypervisor itself)
 *   are reported with `noteGuestStore()`; `tracedFrames` lets a CPU write
 *   path test a frame with one byte load.
 * - Without tracing (VM/370 CP style) the guest's own invalidations keep the
 *   shadow coherent: IPTE -> `invalidateGuestEntry()`, PTLB -> `flush()`.
 * - Shadows are cached per guest address space (keyed by the guest's table
 *   designation, e.g. its STD), least recently used evicted.
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
import { WALK_FAULT, type WalkFormat } from './formats/walk-format';
import { addressingFault, pageOf } from './table-walker';
import { Tlb, TLB_MISS, type TlbOptions } from './tlb';

/** Pages per shadow leaf table (a 1 MB ESA/390 segment of 4 KB pages). */
const LEAF_PAGES = 256;
/** The longest single store the CPU makes through one translation (MVC moves up to 256 bytes). */
const MAX_STORE = 256;

/** One shadow page table: 256 consecutive guest-virtual pages. */
class ShadowLeaf {
  /** Host frame address per page, -1 when empty. */
  readonly host = new Float64Array(LEAF_PAGES).fill(-1);
  /** Guest absolute frame number of each mapped page (tracing, pmap changes). */
  readonly guestFrame = new Float64Array(LEAF_PAGES);
  /** Guest absolute address of the last-level guest entry each page came from. */
  readonly source = new Float64Array(LEAF_PAGES).fill(-1);
  readonly protectedPage = new Uint8Array(LEAF_PAGES);
  /** Guest absolute addresses of the upper-level entries the whole leaf depends on. */
  readonly upper: Float64Array;
  dead = false;
  constructor(
    readonly space: ShadowSpace,
    readonly key: number,
    levels: number,
  ) {
    this.upper = new Float64Array(Math.max(0, levels - 1)).fill(-1);
  }
}

/** The shadow of one guest address space. */
class ShadowSpace {
  readonly leaves = new Map<number, ShadowLeaf>();
  lastUse = 0;
  constructor(
    readonly id: number,
    readonly designation: number,
  ) {}
}

/** Configuration of a ShadowPager. */
export interface ShadowPagerOptions {
  /** The guest's page-table format (e.g. `new Esa390Format(guestContext)`). */
  readonly format: WalkFormat;
  /** Host storage: where the guest's tables and pages really are. */
  readonly hostStorage: StoragePort;
  /** Guest absolute -> host absolute. */
  readonly pmap: Translator;
  /** Size of guest absolute storage in bytes (bounds the traced-frame map). */
  readonly guestSize: number;
  /** Write-protect (trace) guest table frames; default true. */
  readonly tracing?: boolean;
  /** Shadow address spaces kept (LRU); default 8. */
  readonly maxSpaces?: number;
  /** The TLB in front of the shadow tables; default 256 entries 4-way; false for none. */
  readonly tlb?: TlbOptions | false;
  readonly costModel?: CostModel;
}

/** Counters of a ShadowPager. */
export interface ShadowCounters {
  /** Shadow misses the guest's tables could satisfy (filled). */
  hiddenFaults: number;
  /** Guest exceptions reflected to the guest. */
  trueFaults: number;
  /** Guest stores into traced table frames. */
  tracingFaults: number;
  /** Shadow entries filled. */
  fills: number;
  /** Shadow address spaces dropped (LRU eviction or whole flush). */
  flushes: number;
  /** Shadow entries invalidated (tracing, IPTE, pmap changes). */
  invalidations: number;
  /** Host faults met while filling (pmap could not map a guest frame). */
  hostFaults: number;
  /** Guest table entries read by the fill walks (software references). */
  fillReferences: number;
}

/** Guest virtual -> host through shadow tables of one guest; see the file comment. */
export class ShadowPager implements Translator {
  readonly name = 'shadow';
  readonly format: WalkFormat;
  readonly hostStorage: StoragePort;
  readonly pmap: Translator;
  readonly tracing: boolean;
  readonly maxSpaces: number;
  readonly tlb: Tlb | null;
  readonly counters: ShadowCounters = {
    hiddenFaults: 0,
    trueFaults: 0,
    tracingFaults: 0,
    fills: 0,
    flushes: 0,
    invalidations: 0,
    hostFaults: 0,
    fillReferences: 0,
  };
  /**
   * One byte per guest absolute frame, non-zero while the frame holds guest
   * table entries some shadow was built from: a CPU write path tests
   * `tracedFrames[guestAbsolute >>> 12]` and calls `noteGuestStore` when set.
   */
  readonly tracedFrames: Uint8Array;
  private readonly dependents = new Map<number, Set<ShadowLeaf>>();
  /** Guest frame -> leaves mapping it as a data page (for pmap changes). */
  private readonly mappers = new Map<number, Set<ShadowLeaf>>();
  private readonly spaces = new Map<number, ShadowSpace>();
  private nextSpaceId = 1;
  private useClock = 0;
  private readonly costs: ResolvedCosts;
  private readonly offsetMask: number;
  /** Cycles of work done outside translate() (flushes), charged to the next translation. */
  private pendingCycles = 0;
  private readonly scratch = createTranslationStatus();
  private lastSpace: ShadowSpace | null = null;

  constructor(options: ShadowPagerOptions) {
    this.format = options.format;
    this.hostStorage = options.hostStorage;
    this.pmap = options.pmap;
    this.tracing = options.tracing ?? true;
    this.maxSpaces = Math.max(1, options.maxSpaces ?? 8);
    this.tlb = options.tlb === false ? null : new Tlb(options.tlb ?? {});
    this.costs = resolveCosts(options.costModel);
    this.offsetMask = (1 << this.format.pageShift) - 1;
    this.tracedFrames = new Uint8Array(Math.ceil(options.guestSize / 4096));
  }

  /** Number of shadow address spaces cached. */
  get cachedSpaces(): number {
    return this.spaces.size;
  }

  /** Shadow leaf tables held (256 entries each): the host memory shadows cost, the figure Xen's shadow_memory budgets. */
  get shadowLeaves(): number {
    let n = 0;
    for (const s of this.spaces.values()) n += s.leaves.size;
    return n;
  }

  translate(address: number, access: Access, status: TranslationStatus): number {
    const format = this.format;
    const d = format.root(address, access, status);
    if (d < 0) {
      this.counters.trueFaults++;
      return WALK_FAULT;
    }
    const space = this.spaceFor(d);
    if (this.pendingCycles !== 0) {
      // Work done outside a translation (flushes, reported stores) or by spaceFor's eviction.
      status.cycles += this.pendingCycles;
      this.pendingCycles = 0;
    }
    const page = pageOf(address, format.pageShift);
    const offset = address & this.offsetMask;
    const tlb = this.tlb;
    if (tlb !== null) {
      const f = tlb.lookup(page, space.id);
      if (f !== TLB_MISS && !(access === Access.Write && tlb.lastProtected)) return f + offset;
      if (f === TLB_MISS) status.cycles += this.costs.tlbMiss;
    }
    // The hardware walks the shadow tables, which have the guest's shape.
    status.references += format.levels;
    status.cycles += format.levels * this.costs.walkReference;
    const key = Math.floor(page / LEAF_PAGES);
    const i = page % LEAF_PAGES;
    let leaf = space.leaves.get(key);
    if (leaf === undefined || leaf.host[i]! < 0) {
      status.cycles += this.costs.shadowFill;
      if (leaf === undefined) {
        leaf = new ShadowLeaf(space, key, format.levels);
        space.leaves.set(key, leaf);
      }
      if (!this.fill(leaf, i, address, access, status)) return WALK_FAULT;
    }
    const hostFrame = leaf.host[i]!;
    const guestFrame = leaf.guestFrame[i]!;
    if (access === Access.Write) {
      if (leaf.protectedPage[i] !== 0) {
        format.protectionFault(address, status);
        this.counters.trueFaults++;
        return WALK_FAULT;
      }
      if (this.tracedFrames[guestFrame] === 1) {
        this.counters.tracingFaults++;
        status.cycles += this.costs.tracingFault;
        this.invalidateStore(guestFrame * 4096 + offset, MAX_STORE);
        // The store proceeds (emulated); the translation is not cached as writable.
        return hostFrame + offset;
      }
    }
    if (tlb !== null) {
      tlb.insert(page, space.id, hostFrame, 0, leaf.protectedPage[i] !== 0 || this.tracedFrames[guestFrame] === 1);
    }
    return hostFrame + offset;
  }

  /** Walk the guest tables for one page and fill the shadow entry; false after filling `status`. */
  private fill(leaf: ShadowLeaf, i: number, address: number, access: Access, status: TranslationStatus): boolean {
    const format = this.format;
    const host = this.hostStorage;
    const eb = format.entryBytes;
    const last = format.levels - 1;
    let d = format.root(address, access, status);
    let lastEntry = 0;
    let lastSource = 0;
    for (let level = 0; level <= last; level++) {
      if (!format.withinLength(level, d, address)) {
        format.lengthFault(level, address, access, status);
        this.counters.trueFaults++;
        return false;
      }
      const ga = format.absolute(format.entryAddress(level, d, address));
      const ha = this.pmap.translate(ga, Access.Read, status);
      if (ha < 0) return this.hostFault(ga, status);
      if (ha + eb > host.size) {
        addressingFault(status);
        this.counters.trueFaults++;
        return false;
      }
      const entry = host.read32((ha + eb - 4) as AbsoluteAddress);
      this.counters.fillReferences++;
      this.trace(ga, leaf);
      if (level < last) leaf.upper[level] = ga;
      d = format.decode(level, entry, address, access, status);
      if (d < 0) {
        this.counters.trueFaults++;
        return false;
      }
      lastEntry = entry;
      lastSource = ga;
    }
    const guestAbs = format.absolute(d);
    const hostFrame = this.pmap.translate(guestAbs, access, status);
    if (hostFrame < 0) return this.hostFault(guestAbs, status);
    const guestFrame = Math.floor(guestAbs / 4096);
    leaf.host[i] = hostFrame - (hostFrame % 4096);
    leaf.guestFrame[i] = guestFrame;
    leaf.source[i] = lastSource;
    leaf.protectedPage[i] = format.protectedEntry(lastEntry) ? 1 : 0;
    let m = this.mappers.get(guestFrame);
    if (m === undefined) {
      m = new Set();
      this.mappers.set(guestFrame, m);
    }
    m.add(leaf);
    this.counters.hiddenFaults++;
    this.counters.fills++;
    return true;
  }

  private hostFault(guestAbs: number, status: TranslationStatus): boolean {
    status.hostFault = true;
    status.exceptionId = guestAbs;
    this.counters.hostFaults++;
    return false;
  }

  /** Start tracing the frame holding guest table entry `guestAbs` on behalf of `leaf`. */
  private trace(guestAbs: number, leaf: ShadowLeaf): void {
    if (!this.tracing) return;
    const frame = Math.floor(guestAbs / 4096);
    let deps = this.dependents.get(frame);
    if (deps === undefined) {
      deps = new Set();
      this.dependents.set(frame, deps);
    }
    deps.add(leaf);
    if (this.tracedFrames[frame] === 0 && frame < this.tracedFrames.length) {
      this.tracedFrames[frame] = 1;
      // Translations cached as writable before the frame held tables must now trap.
      this.dropMappingsOf(frame, false);
    }
  }

  /**
   * Report a store of `length` bytes at guest absolute `address` that did not
   * go through this pager's translate (guest DAT-off stores, I/O, the host
   * emulating an instruction). Returns true when it hit a traced frame (a
   * tracing fault; its cost is charged to the next translation).
   */
  noteGuestStore(address: number, length = 4): boolean {
    const first = Math.floor(address / 4096);
    const lastFrame = Math.floor((address + length - 1) / 4096);
    let hit = false;
    for (let f = first; f <= lastFrame; f++) if (this.tracedFrames[f] === 1) hit = true;
    if (!hit) return false;
    this.counters.tracingFaults++;
    this.pendingCycles += this.costs.tracingFault;
    this.invalidateStore(address, length);
    return true;
  }

  /** Whether guest absolute `address` is in a traced frame. */
  isTraced(address: number): boolean {
    return this.tracedFrames[Math.floor(address / 4096)] === 1;
  }

  /**
   * The guest invalidated the table entry at guest absolute `entryAddress`
   * (IPTE, INVLPG of that entry): drop every shadow entry and TLB entry built
   * from it. Under tracing the shadow is already coherent and only the TLB
   * holds stale copies; without tracing this is where the shadow learns.
   */
  invalidateGuestEntry(entryAddress: number): void {
    this.invalidateRange(entryAddress, this.format.entryBytes);
  }

  /** A store of `length` bytes at `address` may have changed table entries: drop what depends on them. */
  private invalidateStore(address: number, length: number): void {
    this.invalidateRange(address, length);
  }

  private invalidateRange(address: number, length: number): void {
    const eb = this.format.entryBytes;
    const lo = address - eb + 1;
    const hi = address + length;
    const first = Math.floor(lo / 4096);
    const lastFrame = Math.floor((hi - 1) / 4096);
    const scan = (leaf: ShadowLeaf) => {
      if (leaf.dead) return;
      for (let u = 0; u < leaf.upper.length; u++) {
        const a = leaf.upper[u]!;
        if (a >= lo && a < hi) {
          this.dropLeaf(leaf);
          return;
        }
      }
      for (let i = 0; i < LEAF_PAGES; i++) {
        const s = leaf.source[i]!;
        if (s >= lo && s < hi && leaf.host[i]! >= 0) this.dropEntry(leaf, i);
      }
    };
    if (this.tracing) {
      for (let f = first; f <= lastFrame; f++) {
        const deps = this.dependents.get(f);
        if (deps === undefined) continue;
        for (const leaf of deps) {
          if (leaf.dead) deps.delete(leaf);
          else scan(leaf);
        }
        if (deps.size === 0) {
          this.dependents.delete(f);
          if (f < this.tracedFrames.length) this.tracedFrames[f] = 0;
        }
      }
    } else {
      for (const space of this.spaces.values()) for (const leaf of [...space.leaves.values()]) scan(leaf);
    }
  }

  private dropEntry(leaf: ShadowLeaf, i: number): void {
    leaf.host[i] = -1;
    leaf.source[i] = -1;
    this.counters.invalidations++;
    this.tlb?.invalidatePage(leaf.key * LEAF_PAGES + i, leaf.space.id);
  }

  private dropLeaf(leaf: ShadowLeaf): void {
    for (let i = 0; i < LEAF_PAGES; i++) if (leaf.host[i]! >= 0) this.dropEntry(leaf, i);
    leaf.dead = true;
    leaf.space.leaves.delete(leaf.key);
  }

  /** Drop (or, with `all`, only un-cache) translations whose data page is guest frame `frame`. */
  private dropMappingsOf(frame: number, all: boolean): void {
    const m = this.mappers.get(frame);
    if (m === undefined) return;
    for (const leaf of m) {
      if (leaf.dead) continue;
      for (let i = 0; i < LEAF_PAGES; i++) {
        if (leaf.host[i]! >= 0 && leaf.guestFrame[i] === frame) {
          if (all) this.dropEntry(leaf, i);
          else this.tlb?.invalidatePage(leaf.key * LEAF_PAGES + i, leaf.space.id);
        }
      }
    }
    if (all) this.mappers.delete(frame);
  }

  /**
   * The host changed the pmap for the guest frame holding guest absolute
   * `address` (paged it out, moved it): drop every shadow entry mapping it.
   */
  pmapChanged(address: number): void {
    this.dropMappingsOf(Math.floor(address / 4096), true);
  }

  /** The shadow space for a guest designation, created on first use, LRU-evicted beyond `maxSpaces`. */
  private spaceFor(designation: number): ShadowSpace {
    const last = this.lastSpace;
    if (last !== null && last.designation === designation) return last;
    let space = this.spaces.get(designation);
    if (space === undefined) {
      if (this.spaces.size >= this.maxSpaces) this.evictLeastRecent();
      space = new ShadowSpace(this.nextSpaceId++, designation);
      this.spaces.set(designation, space);
    }
    space.lastUse = ++this.useClock;
    this.lastSpace = space;
    return space;
  }

  private evictLeastRecent(): void {
    let victim: ShadowSpace | null = null;
    for (const s of this.spaces.values()) if (victim === null || s.lastUse < victim.lastUse) victim = s;
    if (victim !== null) this.dropSpace(victim);
  }

  private dropSpace(space: ShadowSpace): void {
    for (const leaf of space.leaves.values()) leaf.dead = true;
    space.leaves.clear();
    this.spaces.delete(space.designation);
    this.tlb?.flushSpace(space.id);
    if (this.lastSpace === space) this.lastSpace = null;
    this.counters.flushes++;
    this.pendingCycles += this.costs.shadowFlush;
  }

  /**
   * PURGE TLB / CR3 reload by the guest: flush the TLB; without tracing the
   * shadows cannot be trusted any more and are dropped too.
   */
  flush(): void {
    this.tlb?.flush();
    if (!this.tracing) this.flushShadows();
  }

  /** Drop every shadow address space (the host's big hammer). */
  flushShadows(): void {
    for (const s of [...this.spaces.values()]) this.dropSpace(s);
    this.dependents.clear();
    this.mappers.clear();
    this.tracedFrames.fill(0);
  }

  /** Store a word into guest absolute storage through the pmap and report it (a hypervisor's emulated store). */
  writeGuest32(address: number, value: number): boolean {
    const ha = this.pmap.translate(address, Access.Write, this.scratch);
    if (ha < 0) return false;
    this.hostStorage.write32(ha as AbsoluteAddress, value);
    this.noteGuestStore(address, 4);
    return true;
  }
}

/** A shadow pager for one guest; see `ShadowPagerOptions`. */
export function createShadowPager(options: ShadowPagerOptions): ShadowPager {
  return new ShadowPager(options);
}
