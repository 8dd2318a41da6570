/**
 * Workloads for comparing shadow paging with nested paging, the comparison
 * VMware made in software (Adams & Agesen, "A comparison of software and
 * hardware techniques for x86 virtualization", ASPLOS 2006) and with
 * hardware nested paging (Bhargava et al., "Accelerating two-dimensional
 * page walks for virtualized systems", ASPLOS 2008).
 *
 * A guest kernel written in TypeScript keeps x86-64-shaped 4-level radix
 * page tables (`x86_64Format`) in guest-physical storage; a host maps
 * guest-physical storage with its own 4-level tables. The same sequence of
 * guest table stores, INVLPGs, CR3 loads and memory accesses is replayed
 * against a `ShadowPager` (tracing on, as VMware does) or a `NestedWalker`
 * (page-walk caches and a host TLB), and the figure is the translation
 * cycles the layer charges through a cost model. Instruction costs are not
 * part of it: it is the translation overhead alone.
 */
import {
  Access,
  type CostModel,
  createTranslationStatus,
  SparseStorage,
  type StoragePort,
  type TranslationStatus,
} from '@strachey/isa-core';
import { mmuReferenceCosts } from './costs';
import { encodeRadixEntry, RADIX_FRAME, type RadixFormat, x86_64Format } from './formats/radix';
import { NestedWalker } from './nested-walker';
import { relocatedStorage } from './relocated-storage';
import { ShadowPager } from './shadow-pager';
import { TableWalker } from './table-walker';

const MB = 1024 * 1024;
/** Guest-physical storage of a `PagingGuest`: 256 MB. */
export const PAGING_GUEST_SIZE = 256 * MB;
const HOST_SIZE = 512 * MB;
/** The host maps guest-physical 0..256 MB to host 64..320 MB; its own tables start at 384 MB. */
const HOST_OFFSET = 64 * MB;
const HOST_TABLES = 384 * MB;
/** Guest-physical frames for tables and data come from here up (wrapping: old processes' frames are reused). */
const GUEST_FRAMES = 64 * MB;
/** Both schemes' TLBs: 512 entries, 4-way. */
const TLB = { entries: 512, ways: 4 } as const;

/** Which memory-management scheme a guest runs under. */
export type PagingScheme = 'shadow' | 'nested';

/** A seeded source of integers in [0, n), so a workload replays exactly. */
export interface WorkloadRandom {
  below(n: number): number;
}

/** The generator workloads use when given none: xorshift32 (Marsaglia, 2003). */
export function xorshiftRandom(seed: number): WorkloadRandom {
  let s = seed >>> 0 || 0x9e3779b9;
  return {
    below(n: number): number {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      return s % n;
    },
  };
}

/** A host with its own 4-level tables mapping the guest's storage. */
class PagingHost {
  readonly storage = new SparseStorage(HOST_SIZE);
  readonly root: number;
  readonly walker: TableWalker;
  private nextTable = HOST_TABLES;

  constructor(costModel: CostModel) {
    this.root = this.allocate();
    const format = x86_64Format(() => this.root);
    for (let g = 0; g < PAGING_GUEST_SIZE; g += 4096) this.map(format, g, g + HOST_OFFSET);
    this.walker = new TableWalker({ format, storage: this.storage, tlb: false, costModel });
  }

  private allocate(): number {
    const a = this.nextTable;
    this.nextTable += 4096;
    return a;
  }

  private map(format: RadixFormat, va: number, frame: number): void {
    let table = this.root;
    for (let level = 0; level < 3; level++) {
      const ea = table + format.index(level, va) * 8 + 4;
      const e = this.storage.read32(ea as never);
      if ((e & 1) === 0) {
        const t = this.allocate();
        this.storage.write32(ea as never, encodeRadixEntry(t));
        table = t;
      } else table = (e & RADIX_FRAME) >>> 0;
    }
    this.storage.write32((table + format.index(3, va) * 8 + 4) as never, encodeRadixEntry(frame));
  }
}

/**
 * The guest kernel of the workloads: its page tables in guest-physical
 * storage, its CR3, and the translator of one scheme below it. Its methods
 * are the architected events a workload is made of.
 */
export class PagingGuest {
  /** Host storage and the host's own table walker. */
  readonly host: { readonly storage: StoragePort; readonly walker: TableWalker };
  /** Guest-physical storage, as the guest kernel stores into it. */
  readonly memory: StoragePort;
  readonly translator: ShadowPager | NestedWalker;
  /** Cycles and references the translator charged for the guest's accesses. */
  readonly status: TranslationStatus = createTranslationStatus();
  /** The guest's CR3: root table of the running process. */
  cr3 = 0;
  /** Guest page-table entries stored so far. */
  tableStores = 0;
  private nextFrame = GUEST_FRAMES;

  constructor(
    readonly scheme: PagingScheme,
    readonly costModel: CostModel = mmuReferenceCosts,
  ) {
    this.host = new PagingHost(costModel);
    this.memory = relocatedStorage(this.host.storage, this.host.walker, PAGING_GUEST_SIZE);
    const format = x86_64Format(() => this.cr3);
    this.translator =
      scheme === 'shadow'
        ? new ShadowPager({
            format,
            hostStorage: this.host.storage,
            pmap: this.host.walker,
            guestSize: PAGING_GUEST_SIZE,
            tracing: true,
            tlb: TLB,
            maxSpaces: 8,
            costModel,
          })
        : new NestedWalker({
            guestFormat: format,
            host: this.host.walker,
            hostStorage: this.host.storage,
            tlb: TLB,
            costModel,
          });
  }

  /** A fresh guest-physical frame; a table frame is cleared first. */
  frame(table = false): number {
    const f = this.nextFrame;
    this.nextFrame += 4096;
    if (this.nextFrame >= PAGING_GUEST_SIZE) this.nextFrame = GUEST_FRAMES;
    if (table) for (let o = 0; o < 4096; o += 4) this.memory.write32((f + o) as never, 0);
    return f;
  }

  /** A guest store into its page tables: plain under nested paging, a store to a traced frame under shadow paging. */
  store(entry: number, value: number): void {
    this.memory.write32((entry + 4) as never, value);
    this.tableStores++;
    if (this.translator instanceof ShadowPager) this.translator.noteGuestStore(entry + 4, 4);
  }

  /** Map `va` to `frame` under `root`, building intermediate tables; returns the PTE's address. */
  map(root: number, va: number, frame: number): number {
    const f = x86_64Format(() => root);
    let table = root;
    for (let level = 0; level < 3; level++) {
      const ea = table + f.index(level, va) * 8;
      const e = this.memory.read32((ea + 4) as never);
      if ((e & 1) === 0) {
        const t = this.frame(true);
        this.store(ea, encodeRadixEntry(t));
        table = t;
      } else table = (e & RADIX_FRAME) >>> 0;
    }
    const pte = table + f.index(3, va) * 8;
    this.store(pte, encodeRadixEntry(frame));
    return pte;
  }

  /** Point the PTE at `pte` to a new frame and INVLPG it. */
  remap(pte: number): void {
    this.store(pte, encodeRadixEntry(this.frame()));
    this.translator.invalidateGuestEntry(pte);
  }

  /** Clear a PTE and INVLPG it. */
  unmap(pte: number): void {
    this.store(pte, 0);
    this.translator.invalidateGuestEntry(pte);
  }

  /** Load CR3: the (untagged) TLB is flushed. */
  switchTo(root: number): void {
    this.cr3 = root;
    this.translator.flush();
  }

  /** One guest memory access; a fault is a bug of the workload (every page it touches is mapped). */
  access(va: number, write: boolean): void {
    if (this.translator.translate(va, write ? Access.Write : Access.Read, this.status) < 0) {
      throw new Error(
        `paging workload: ${this.scheme} fault at ${va.toString(16)} (code ${this.status.code})`,
      );
    }
  }
}

/** What a workload cost under one scheme, from the point its measurement began. */
export interface PagingWorkloadResult {
  readonly scheme: PagingScheme;
  readonly accesses: number;
  /** Translation cycles the layer charged. */
  readonly cycles: number;
  readonly cyclesPerAccess: number;
  /** Table references made (guest and host dimension). */
  readonly references: number;
  /** Guest page-table entries stored. */
  readonly tableStores: number;
  /** The translator's counters, with its TLB's hits and misses (and, for shadow paging, the shadow leaves built). */
  readonly counters: Readonly<Record<string, number>>;
}

function measured(
  g: PagingGuest,
  accesses: number,
  from: { cycles: number; references: number; tableStores: number },
): PagingWorkloadResult {
  const t = g.translator;
  const cycles = g.status.cycles - from.cycles;
  return {
    scheme: g.scheme,
    accesses,
    cycles,
    cyclesPerAccess: cycles / accesses,
    references: g.status.references - from.references,
    tableStores: g.tableStores - from.tableStores,
    counters: {
      ...t.counters,
      ...(t.tlb ? { tlbHits: t.tlb.counters.hits, tlbMisses: t.tlb.counters.misses } : {}),
      ...(t instanceof ShadowPager ? { shadowLeaves: t.shadowLeaves } : {}),
    },
  };
}

const mark = (g: PagingGuest) => ({
  cycles: g.status.cycles,
  references: g.status.references,
  tableStores: g.tableStores,
});

/** Options of {@link processCreationWorkload}. */
export interface ProcessCreationOptions {
  /** Processes created in turn (default 200). */
  readonly rounds?: number;
  /** Pages each maps (default 64). */
  readonly pages?: number;
  /** Passes over its pages (default 4; every other pass stores). */
  readonly touches?: number;
  /** Default `mmuReferenceCosts`. */
  readonly costModel?: CostModel;
}

/**
 * Process creation (fork/exec), the page-table-update-heavy case: `rounds`
 * short-lived processes each build a fresh address space of `pages` pages,
 * touch every page `touches` times and tear it down (PTE clears with
 * INVLPG). Measured from the start, table building included.
 */
export function processCreationWorkload(
  scheme: PagingScheme,
  options: ProcessCreationOptions = {},
): PagingWorkloadResult {
  const g = new PagingGuest(scheme, options.costModel);
  const rounds = options.rounds ?? 200;
  const pages = options.pages ?? 64;
  const touches = options.touches ?? 4;
  const from = mark(g);
  let accesses = 0;
  const base = 0x400000;
  for (let r = 0; r < rounds; r++) {
    const root = g.frame(true);
    const ptes: number[] = [];
    for (let p = 0; p < pages; p++) ptes.push(g.map(root, base + p * 4096, g.frame()));
    g.switchTo(root);
    for (let t = 0; t < touches; t++) {
      for (let p = 0; p < pages; p++) {
        g.access(base + p * 4096 + t * 8, (t & 1) === 1);
        accesses++;
      }
    }
    for (const pte of ptes) g.unmap(pte);
  }
  return measured(g, accesses, from);
}

/** Options of {@link workingSetWorkload}. */
export interface WorkingSetOptions {
  /** Pages mapped (default 16384: 32 times what the 512-entry TLB holds). */
  readonly pages?: number;
  /** Accesses measured (default 100,000; a quarter of them stores). */
  readonly accesses?: number;
  /** PTE remaps (store + INVLPG) per 1000 accesses (default 0). */
  readonly remapsPerThousand?: number;
  /** Where the random pages come from (default `xorshiftRandom(seed)`). */
  readonly random?: WorkloadRandom;
  /** Seed of the default generator (default 1234). */
  readonly seed?: number;
  /** Default `mmuReferenceCosts`. */
  readonly costModel?: CostModel;
}

/**
 * A large working set, the TLB-miss-heavy case: one process maps `pages`
 * pages and makes `accesses` random accesses, with `remapsPerThousand` PTE
 * remaps mixed in per 1000 accesses. Every page is touched once before
 * measuring, so shadows and caches are warm and the figure is the steady
 * state.
 */
export function workingSetWorkload(
  scheme: PagingScheme,
  options: WorkingSetOptions = {},
): PagingWorkloadResult {
  const g = new PagingGuest(scheme, options.costModel);
  const pages = options.pages ?? 16384;
  const accesses = options.accesses ?? 100_000;
  const remaps = options.remapsPerThousand ?? 0;
  const random = options.random ?? xorshiftRandom(options.seed ?? 1234);
  const root = g.frame(true);
  const base = 0x7f0000000000;
  const ptes: number[] = [];
  for (let p = 0; p < pages; p++) ptes.push(g.map(root, base + p * 4096, g.frame()));
  g.switchTo(root);
  for (let p = 0; p < pages; p++) g.access(base + p * 4096, false);
  const from = mark(g);
  let debt = 0;
  for (let i = 0; i < accesses; i++) {
    debt += remaps;
    while (debt >= 1000) {
      debt -= 1000;
      g.remap(ptes[random.below(pages)]!);
    }
    g.access(base + random.below(pages) * 4096, (i & 3) === 0);
  }
  return measured(g, accesses, from);
}

/**
 * References of one cold two-dimensional walk, 4-level guest over 4-level
 * host tables, with every TLB and page-walk cache off: (n+1)(m+1) − 1 = 24
 * (Bhargava et al. 2008).
 */
export function coldNestedWalkReferences(costModel: CostModel = mmuReferenceCosts): number {
  const g = new PagingGuest('nested', costModel);
  const root = g.frame(true);
  g.map(root, 0x7f0000000000, g.frame());
  g.switchTo(root);
  const cold = new NestedWalker({
    guestFormat: x86_64Format(() => root),
    host: g.host.walker,
    hostStorage: g.host.storage,
    tlb: false,
    pageWalkCache: false,
    hostTlb: false,
    costModel,
  });
  const st = createTranslationStatus();
  cold.translate(0x7f0000000000, Access.Read, st);
  return st.references;
}
