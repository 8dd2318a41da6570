/**
 * Shadow vs nested paging workloads in simulated cycles. A "guest kernel"
 * written in TypeScript manipulates x86-64-shaped 4-level guest page tables
 * in guest-physical storage; the same sequence of guest table updates and
 * memory accesses is replayed against a ShadowPager (tracing on, as VMware
 * does) and a NestedWalker (RVI/EPT style) over the same host tables, and
 * the cycles the layers charge are compared. Instruction base costs are not
 * part of the figure: it is the translation overhead alone.
 */
import { Access, type CostModel, SparseStorage, type StoragePort, type TranslationStatus, type Translator, createTranslationStatus } from '@strachey/isa-core';
import {
  NestedWalker,
  RADIX_FRAME,
  ShadowPager,
  TableWalker,
  encodeRadixEntry,
  mmuReferenceCosts,
  relocatedStorage,
  x86_64Format,
} from '../src/index';
import { Rng } from '../test/hercules/dat-programs';
import { RadixBuilder } from '../test/radix-builder';

const MB = 1024 * 1024;
const GUEST_SIZE = 256 * MB;

/** Which memory-management scheme a run uses. */
export type Scheme = 'shadow' | 'nested';

/** One guest under one scheme: its storage, its translator and its architected-event hooks. */
class Guest {
  readonly host = new SparseStorage(512 * MB);
  readonly hostTables: RadixBuilder;
  readonly hostWalker: TableWalker;
  readonly memory: StoragePort;
  readonly translator: ShadowPager | NestedWalker;
  /** The guest's CR3: root table of the running process. */
  cr3 = 0;
  private nextFrame = 64 * MB;
  readonly status: TranslationStatus = createTranslationStatus();

  constructor(
    readonly scheme: Scheme,
    costModel: CostModel,
  ) {
    const hostFormat = x86_64Format(() => this.hostTables.root);
    this.hostTables = new RadixBuilder(this.host, hostFormat, 384 * MB);
    // The host maps guest-physical 0..256 MB to host 0..256 MB shifted by 64 MB (its own tables, 4 levels).
    for (let g = 0; g < GUEST_SIZE; g += 4096) this.hostTables.map(g, g + 64 * MB);
    this.hostWalker = new TableWalker({ format: hostFormat, storage: this.host, tlb: false, costModel });
    this.memory = relocatedStorage(this.host, this.hostWalker, GUEST_SIZE);
    const guestFormat = x86_64Format(() => this.cr3);
    this.translator =
      scheme === 'shadow'
        ? new ShadowPager({ format: guestFormat, hostStorage: this.host, pmap: this.hostWalker, guestSize: GUEST_SIZE, tlb: { entries: 512, ways: 4 }, maxSpaces: 8, costModel })
        : new NestedWalker({ guestFormat, host: this.hostWalker, hostStorage: this.host, tlb: { entries: 512, ways: 4 }, costModel });
  }

  /** A fresh zeroed guest-physical frame. */
  allocateFrame(): number {
    const f = this.nextFrame;
    this.nextFrame += 4096;
    if (this.nextFrame >= GUEST_SIZE) this.nextFrame = 64 * MB;
    for (let o = 0; o < 4096; o += 4) this.memory.write32(f + o as never, 0);
    return f;
  }

  /** A guest store to its page tables: plain under nested paging, traced under shadow paging. */
  storeEntry(address: number, value: number): void {
    this.memory.write32((address + 4) as never, value);
    if (this.translator instanceof ShadowPager) this.translator.noteGuestStore(address + 4, 4);
  }

  /** Map `va` to `frame` in the table tree rooted at `root`, allocating tables as needed. */
  map(root: number, va: number, frame: number): number {
    const f = x86_64Format(() => root);
    let table = root;
    for (let level = 0; level < 3; level++) {
      const ea = table + f.index(level, va) * 8;
      const e = this.memory.read32((ea + 4) as never);
      if ((e & 1) === 0) {
        const t = this.allocateFrame();
        this.storeEntry(ea, encodeRadixEntry(t));
        table = t;
      } else table = (e & RADIX_FRAME) >>> 0;
    }
    const pte = table + f.index(3, va) * 8;
    this.storeEntry(pte, encodeRadixEntry(frame));
    return pte;
  }

  /** Unmap `va` (the PTE becomes not present) and INVLPG it. */
  unmap(pteAddress: number): void {
    this.storeEntry(pteAddress, 0);
    this.translator.invalidateGuestEntry(pteAddress);
  }

  /** Switch process: CR3 load, which flushes the (untagged) TLB. */
  switchTo(root: number): void {
    this.cr3 = root;
    this.translator.flush();
  }

  access(va: number, write: boolean): void {
    const r = (this.translator as Translator).translate(va, write ? Access.Write : Access.Read, this.status);
    if (r < 0) throw new Error(`workload bug: ${this.scheme} fault at ${va.toString(16)} code ${this.status.code}`);
  }
}

/** Result of one workload under one scheme. */
export interface WorkloadResult {
  readonly scheme: Scheme;
  readonly accesses: number;
  readonly tableUpdates: number;
  readonly cycles: number;
  readonly cyclesPerAccess: number;
  readonly walkReferences: number;
  readonly counters: Record<string, number>;
}

function result(g: Guest, accesses: number, updates: number, cycles0: number, refs0: number): WorkloadResult {
  const t = g.translator;
  const cycles = g.status.cycles - cycles0;
  return {
    scheme: g.scheme,
    accesses,
    tableUpdates: updates,
    cycles,
    cyclesPerAccess: cycles / accesses,
    walkReferences: g.status.references - refs0,
    counters: {
      ...t.counters,
      ...(t.tlb ? { tlbHits: t.tlb.counters.hits, tlbMisses: t.tlb.counters.misses } : {}),
      ...(t instanceof ShadowPager ? { shadowLeaves: t.shadowLeaves } : {}),
    },
  };
}

/**
 * fork/exec style: `processes` short-lived processes in turn build a fresh
 * address space of `pages` pages (page-table updates), touch each page
 * `touches` times, then tear it down (PTE clears + INVLPG).
 */
export function forkExecWorkload(scheme: Scheme, options: { rounds?: number; pages?: number; touches?: number; costModel?: CostModel } = {}): WorkloadResult {
  const g = new Guest(scheme, options.costModel ?? mmuReferenceCosts);
  const rounds = options.rounds ?? 200;
  const pages = options.pages ?? 64;
  const touches = options.touches ?? 4;
  let accesses = 0;
  let updates = 0;
  const c0 = g.status.cycles;
  const r0 = g.status.references;
  const base = 0x400000;
  for (let r = 0; r < rounds; r++) {
    const root = g.allocateFrame();
    const ptes: number[] = [];
    for (let p = 0; p < pages; p++) {
      ptes.push(g.map(root, base + p * 4096, g.allocateFrame()));
      updates++;
    }
    g.switchTo(root);
    for (let t = 0; t < touches; t++) {
      for (let p = 0; p < pages; p++) {
        g.access(base + p * 4096 + t * 8, (t & 1) === 1);
        accesses++;
      }
    }
    for (const pte of ptes) {
      g.unmap(pte);
      updates++;
    }
  }
  return result(g, accesses, updates, c0, r0);
}

/**
 * Large working set: one process maps `pages` pages (more than the TLB holds)
 * and makes `accesses` seeded-random accesses; `updatesPerThousand` PTE
 * remaps (store + INVLPG) are mixed in per 1000 accesses. Shadows are warmed
 * before measuring, so the figure is the steady state.
 */
export function workingSetWorkload(
  scheme: Scheme,
  options: { pages?: number; accesses?: number; updatesPerThousand?: number; seed?: number; costModel?: CostModel } = {},
): WorkloadResult {
  const g = new Guest(scheme, options.costModel ?? mmuReferenceCosts);
  const pages = options.pages ?? 16384;
  const n = options.accesses ?? 100_000;
  const u = options.updatesPerThousand ?? 0;
  const rng = new Rng(options.seed ?? 1234);
  const root = g.allocateFrame();
  const base = 0x7f0000000000;
  const ptes: number[] = [];
  for (let p = 0; p < pages; p++) ptes.push(g.map(root, base + p * 4096, g.allocateFrame()));
  g.switchTo(root);
  for (let p = 0; p < pages; p++) g.access(base + p * 4096, false);
  const c0 = g.status.cycles;
  const r0 = g.status.references;
  let updates = 0;
  let debt = 0;
  for (let i = 0; i < n; i++) {
    debt += u;
    while (debt >= 1000) {
      debt -= 1000;
      const p = rng.below(pages);
      g.storeEntry(ptes[p]!, encodeRadixEntry(g.allocateFrame()));
      g.translator.invalidateGuestEntry(ptes[p]!);
      updates++;
    }
    g.access(base + rng.below(pages) * 4096, (i & 3) === 0);
  }
  return result(g, n, updates, c0, r0);
}
