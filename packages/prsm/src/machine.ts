/**
 * PR/SM as firmware over one physical machine: the physical storage (with
 * the HSA at its top), the physical CPs, and the logical partitions defined
 * by an IOCP deck plus image profiles. Each activated partition gets its own
 * real storage (zone origin/limit or a 64 MB block table), its own logical
 * CPs (isa-core CPUs whose `hostLayer` is the partition's relocator) and its
 * own channel-subsystem image. The logical-CP dispatcher follows the seed's
 * five steps (§12.4.2):
 *
 * 1. when a physical CP becomes free, pick the next logical CP from the one
 *    ready queue of all partitions' shared logical CPs, by weight;
 * 2. bind it to the physical CP (charged: 'lpar-dispatch' from the cost
 *    model, plus a cache reload when the physical CP last ran another
 *    logical CP);
 * 3. run it until its time slice ends or it enters a wait state;
 * 4. at slice end its state stays in the CPU object (the "save") and control
 *    returns to the firmware;
 * 5. record why it stopped (slice end, wait, cap, stop) and queue it: ready
 *    queue at slice end, wait queue on a wait until an interruption is
 *    pending for it.
 *
 * Weight-based selection: each shared logical CP has a virtual time that
 * advances by (cycles used) / (partition weight / its number of shared
 * logical CPs); the ready logical CP with the smallest virtual time runs
 * next. Under full load every partition therefore gets weight / Σ weights of
 * the shared CPs; a logical CP waking from a wait starts no earlier than the
 * smallest virtual time of the other runnable ones (or, when none is
 * runnable, the system virtual time the last one left behind), so an idle
 * partition banks no credit and its unused share simply flows to the
 * others. Capping limits a capped partition to its share in every capping
 * window.
 */
import {
  type AbsoluteAddress,
  assemble,
  type CostModel,
  createEsa390Machine,
  ESA390_REFERENCE_MACHINE,
  type Esa390Cpu,
  type Esa390CpuSnapshot,
  type Esa390CpuSystem,
  fromBase64,
  initialCpuReset,
  type IoHandler,
  PENDING,
  raisePending,
  refreshPending,
  restartCpu,
  restoreCpu,
  SimClock,
  setTimers,
  SparseStorage,
  type StoragePort,
  snapshotCpu,
  systemOf,
  toBase64,
  type Translator,
} from '@strachey/isa-core';
import {
  CardReader2540,
  ChannelSubsystem,
  type ChannelSubsystemSnapshot,
  CkdVolume,
  Console3215,
  Dasd3390,
  formatVolume,
  geometry3390,
  Printer1403,
  type Device,
} from '@strachey/io-channel';
import { BlockTable, createEsa390Dat, relocatedStorage, ZoneRelocator } from '@strachey/mmu';
import { fail, ok, type PrsmResult } from './errors';
import type { PartitionKernel, PartitionResources } from './hosted';
import { HiperSocketsLan, iqdFrameSize, OsaPort } from './hipersockets';
import { hex2, hex4, type IocpDeck, reachOf } from './iocp';
import { BLOCK_BYTES, type ImageProfile, type ProfileSet, ZONE_INCREMENT } from './profiles';
import { ReadyQueue } from './ready-queue';
import { StorageMap } from './storage-map';
import { WakeQueue } from './wake-queue';
import { advanceVirtualTime, selectsBefore, systemVirtualTime, wakeVirtualTime } from './weight-policy';

/** PR/SM's own cost figures, on top of the isa-core cost model's 'lpar-dispatch'. */
export interface PrsmCosts {
  /** Firmware path of one dispatch (steps 1, 2, 4, 5). Default: the cost model's 'lpar-dispatch'. */
  readonly dispatchCycles: number;
  /**
   * Cache and TLB reload a logical CP pays when it is dispatched on a
   * physical CP that last ran a different logical CP. Assumption, not a
   * measurement: the G5's 256 KB L1 holds 1024 lines of 256 bytes; refilling
   * them from L2 at ~50 cycles each plus refilling the TLBs costs the order
   * of 60 000 cycles (120 µs at 500 MHz).
   */
  readonly cacheReloadCycles: number;
}

export const DEFAULT_CACHE_RELOAD_CYCLES = 60_000;

/** Options of `createPrsm`. */
export interface PrsmOptions {
  readonly iocp: IocpDeck;
  readonly profiles: ProfileSet;
  /** Machine model; its MHz turns the profile's slice into cycles. Default isa-core's ESA390_REFERENCE_MACHINE. */
  readonly costModel?: CostModel;
  readonly costs?: Partial<PrsmCosts>;
  /** Instructions a logical CP runs between dispatcher checks (interleaving granularity of physical CPs). Default 250. */
  readonly chunkInstructions?: number;
  /** Capping window in time slices. Default 4. */
  readonly capWindowSlices?: number;
  /** Cylinders of each 3390 volume the deck defines (volumes are in memory, formatted with VOLSER D<devnum>). Default 10. */
  readonly dasdCylinders?: number;
  /** Lines written to 3215 consoles, per partition. */
  readonly onConsoleLine?: (partition: string, deviceNumber: number, line: string) => void;
  /** Printing speed of the partitions' 3215 consoles in characters per second. Default the 3215's rated 85. */
  readonly consoleCharactersPerSecond?: number;
  /**
   * Wake-up preemption: a shared logical CP that becomes ready (an I/O
   * interruption or timer for a waiting one) takes a running one's
   * physical CP as soon as it selects before it by weight (the running
   * chunk ends at the earliest waiting timer and where the virtual times
   * cross), instead of waiting for its slice to end. Off by default: the seed's
   * step 3 runs a logical CP until its slice ends or it waits. An
   * assumption for interactive partitions (BVT's and CFS's wake-up
   * preemption), not a documented PR/SM rule.
   */
  readonly preemptOnWake?: boolean;
  /** Slots of each HiperSockets LAN's queue in the HSA. Default 16. */
  readonly lanSlots?: number;
  /** Record every dispatch as a segment for `dispatchTrace()` (at most this many; 0 = off, the default). */
  readonly traceSegments?: number;
}

/** One stretch of a physical CP given to a logical CP (what `dispatchTrace()` returns). */
export interface DispatchSegment {
  readonly physical: number;
  readonly partition: string;
  /** CPU address of the logical CP in its partition. */
  readonly cp: number;
  /** Simulated cycles; the dispatch cost was paid just before `start`. */
  readonly start: number;
  readonly end: number;
  /** Why it ended; 'running' when it was still running at the time of the call. */
  readonly reason: ReleaseReason | 'running';
}

/** Where a logical CP is in the dispatcher (step 5's queues). */
export type LogicalCpState = 'stopped' | 'ready' | 'running' | 'waiting';

/** Why a logical CP last gave up its physical CP. */
export type ReleaseReason = 'slice' | 'wait' | 'cap' | 'stop';

/** A logical CP: one CPU of a partition, as the dispatcher sees it. */
export interface LogicalCp {
  readonly partition: string;
  /** CPU address inside the partition. */
  readonly index: number;
  readonly cpu: Esa390Cpu;
  state: LogicalCpState;
  /** Virtual time for weight-based selection. */
  vt: number;
  /** Earliest machine time it may be dispatched (it was released at that time by another physical CP). */
  readyAt: number;
  /** Physical CP it runs on, or -1. */
  physical: number;
  /** Machine time its current slice ends. */
  sliceEnd: number;
  cycles: number;
  dispatches: number;
  lastReason: ReleaseReason | null;
}

/** A logical CP with the dispatcher's bookkeeping (fields beyond `LogicalCp` are internal). */
interface Lcp extends LogicalCp {
  readonly part: Partition;
  /** The CPU's system state (timers, pending conditions), looked up once: `systemOf` is a map lookup. */
  readonly sys: Esa390CpuSystem;
  /**
   * Position in the machine's tie-break order (partitions in RESOURCE
   * order, then CPU address): its id in the wake queue; `part.slotBase +
   * index` is its ready-queue slot when it is shared.
   */
  readonly gid: number;
  /** Queued for the next wake check. */
  check: boolean;
  /** A hosted kernel's `nextWake` as last asked. */
  kernelWake: number;
  /** The next wake check asks the kernel again (an event concerned it), instead of trusting `kernelWake`. */
  askKernel: boolean;
  /** Index in the list of ready logical CPs that last released by a wait (wake-up preemption), or -1. */
  wokenPos: number;
}

interface PhysicalCp {
  readonly id: number;
  time: number;
  lcp: Lcp | null;
  /** Logical CP this physical CP last ran (for the cache-reload charge). */
  last: Lcp | null;
  dedicatedTo: string | null;
  busy: number;
  idle: number;
  overhead: number;
  dispatches: number;
}

/** A partition's storage layout. */
export type StorageLayout =
  | { readonly mode: 'zone'; readonly origin: number; readonly size: number }
  | { readonly mode: 'blocks'; readonly blocks: readonly number[]; readonly size: number };

/** Counters of one partition. */
export interface PartitionCounters {
  /** Guest cycles executed on its logical CPs. */
  cycles: number;
  instructions: number;
  dispatches: number;
  /** Cycles PR/SM spent dispatching its logical CPs (firmware path + cache reload). */
  overheadCycles: number;
  releases: Record<ReleaseReason, number>;
  /** Slices cut short because a logical CP that woke selects before it (`preemptOnWake`); also counted in `releases.slice`. */
  preempted: number;
}

interface Partition {
  readonly index: number;
  readonly name: string;
  readonly mifId: number;
  readonly profile: ImageProfile | null;
  active: boolean;
  weight: number;
  capped: boolean;
  layout: StorageLayout | null;
  relocator: (Translator & { readonly size: number }) | null;
  /** The machine's channel subsystem the partition is an image of (its logical channel subsystem); the MIF image ID is `mifId`. */
  readonly css: ChannelSubsystem;
  lcps: Lcp[];
  /** Shared logical CPs (not dedicated): they queue for the shared physical CPs by weight. */
  readonly shared: boolean;
  /** Wake-queue id of its logical CP 0 (its others follow). */
  readonly gidBase: number;
  /** Ready-queue slot of its logical CP 0 when shared (its others follow). */
  readonly slotBase: number;
  /** Its sleeping logical CPs need a wake check: an I/O interruption for its image, a sibling ran (SIGP), an operator action. */
  dirty: boolean;
  /** A listener a hosted kernel set on its I/O image, called after PR/SM's own. */
  kernelListener: (() => void) | null;
  consoles: Map<number, Console3215>;
  counters: PartitionCounters;
  capWindow: number;
  capUsed: number;
  /** The kernel IPLed into it that is host code (CP), or null when it runs guest machine code. */
  kernel: PartitionKernel | null;
}

/** What `Prsm.partition()` reports. */
export interface PartitionReport {
  readonly name: string;
  readonly mifId: number;
  readonly active: boolean;
  readonly mode: 'zone' | 'blocks' | null;
  readonly storage: number;
  readonly layout: StorageLayout | null;
  readonly cps: number;
  readonly dedicated: boolean;
  readonly weight: number;
  readonly capped: boolean;
  readonly logicalCps: readonly { readonly index: number; readonly state: LogicalCpState; readonly cycles: number; readonly dispatches: number }[];
  readonly counters: PartitionCounters;
  /** Device numbers the partition's channel-subsystem image has, by CHPID online to it. */
  readonly chpids: readonly number[];
  /** Name of the hosted kernel IPLed into it (`iplKernel`), or null. */
  readonly kernel: string | null;
}

/** Machine-wide counters. */
export interface PrsmCounters {
  readonly time: number;
  readonly dispatches: number;
  /** Dispatcher decisions (step 1 selections, including "nothing ready"). */
  readonly decisions: number;
  readonly busyCycles: number;
  readonly idleCycles: number;
  readonly overheadCycles: number;
  readonly partitions: Readonly<Record<string, PartitionCounters>>;
  readonly lans: Readonly<Record<string, { frames: number; bytes: number; dropped: number }>>;
}

/** Result of `run()`. */
export interface PrsmRunResult {
  /** 'budget': the time budget is used up; 'idle': nothing can run any more (every logical CP stopped or in a wait nothing will end). */
  readonly reason: 'budget' | 'idle';
  readonly time: number;
}

/** A guest program to IPL: assembler source or bytes, loaded at `address`. */
export interface IplProgram {
  readonly source?: string;
  readonly bytes?: Uint8Array;
  /** Load address for `bytes` (source uses its own START). Default 0x2000. */
  readonly address?: number;
  /** Restart PSW words; default ESA/390 31-bit, disabled, key 0, at the program's entry. */
  readonly psw?: readonly [number, number];
  /** Start every logical CP at the restart PSW (an SMP guest telling CPUs apart by STAP) or only CP 0. Default 'first'. */
  readonly start?: 'first' | 'all';
}

/** A DASD volume's written tracks in a snapshot (keys and data base64). */
export interface VolumeSnapshot {
  readonly deviceNumber: number;
  readonly tracks: readonly {
    readonly cc: number;
    readonly hh: number;
    readonly records: readonly { readonly cc: number; readonly hh: number; readonly r: number; readonly key: string; readonly data: string }[];
  }[];
}

/**
 * The PR/SM snapshot format (version 2): storage, partitions and their
 * logical CPs, physical CPs, and the I/O side — every channel subsystem's
 * subchannels, channel programs in flight, pending interruptions, device
 * state and scheduled device events (io-channel's snapshot), plus the
 * contents of the 3390 volumes PR/SM keeps in memory.
 */
export interface PrsmSnapshot {
  readonly kind: 'prsm';
  readonly version: 2;
  readonly time: number;
  readonly frames: readonly { readonly frame: number; readonly key: number; readonly data: string }[];
  readonly partitions: readonly {
    readonly name: string;
    readonly weight: number;
    readonly capped: boolean;
    readonly layout: StorageLayout;
    readonly counters: PartitionCounters;
    readonly capWindow: number;
    readonly capUsed: number;
    /** The hosted kernel the partition ran (its state is not in the snapshot: restore refuses), or null. */
    readonly kernel: string | null;
    readonly lcps: readonly {
      readonly cpu: Esa390CpuSnapshot;
      readonly state: LogicalCpState;
      readonly vt: number;
      readonly cycles: number;
      readonly dispatches: number;
      readonly readyAt: number;
      readonly sliceEnd: number;
      readonly lastReason: ReleaseReason | null;
      /** The CPU's next timer deadline as the dispatcher's wake-up rule sees it (null: none); not in the CPU snapshot, which recomputes it lazily. */
      readonly timerDeadline: number | null;
      /** Local time of the clock event the CPU last bounded its quantum by (null: none); feeds the next deadline. */
      readonly eventAt: number | null;
    }[];
  }[];
  readonly physical: readonly {
    readonly time: number;
    readonly busy: number;
    readonly idle: number;
    readonly overhead: number;
    readonly dispatches: number;
    /** Logical CP bound to it (partition name, CPU address), or null. */
    readonly lcp: readonly [string, number] | null;
    readonly last: readonly [string, number] | null;
  }[];
  readonly dispatches: number;
  readonly decisions: number;
  /** The dispatcher's system virtual time (the wake-up rule's floor when nothing is runnable); absent in snapshots taken before it was kept. */
  readonly systemVt?: number;
  /** Each logical channel subsystem's state (CSS id, io-channel snapshot). */
  readonly channels: readonly { readonly css: number; readonly state: ChannelSubsystemSnapshot }[];
  readonly volumes: readonly VolumeSnapshot[];
}

const PSW_WAIT_FLAG = 0x2;
/** `setTimers` with nothing to load: it only re-evaluates the CPU's timing conditions. */
const NO_TIMER_CHANGE = Object.freeze({});

const emptyCounters = (): PartitionCounters => ({
  cycles: 0,
  instructions: 0,
  dispatches: 0,
  overheadCycles: 0,
  releases: { slice: 0, wait: 0, cap: 0, stop: 0 },
  preempted: 0,
});

/**
 * The PR/SM hypervisor of one machine. Create with `createPrsm`, then
 * `activate` partitions, `ipl` them, `run` for a budget of simulated time.
 */
export class Prsm {
  /** Physical central storage (HSA at the top). */
  readonly storage: SparseStorage;
  readonly clock: SimClock;
  readonly costModel: CostModel;
  readonly costs: PrsmCosts;
  readonly iocp: IocpDeck;
  readonly profiles: ProfileSet;
  /** Time slice in cycles. */
  readonly sliceCycles: number;
  /** Physical address where the HSA starts. */
  readonly hsaBase: number;
  readonly chunk: number;
  private readonly map: StorageMap;
  private readonly parts: Partition[] = [];
  private readonly pcps: PhysicalCp[] = [];
  private readonly lans = new Map<number, HiperSocketsLan>();
  private readonly volumes = new Map<number, CkdVolume>();
  /**
   * The channel subsystem, one per logical channel subsystem of the deck
   * (`CSS(n)`; a deck without LCSSs has just CSS 0). Every partition of the
   * CSS is one of its MIF images, numbered by the partition's MIF image ID,
   * so partitions contend for shared paths and devices and priority queuing
   * orders starts across them.
   */
  private readonly subsystems = new Map<number, ChannelSubsystem>();
  private readonly options: PrsmOptions;
  private readonly capWindowCycles: number;
  private dispatches = 0;
  private decisions = 0;
  private readonly segments: DispatchSegment[] = [];
  private readonly segmentStart = new Map<LogicalCp, number>();
  private segmentsDropped = 0;
  private paused = false;
  /** End of the current run() (bounds how far a logical CP runs between dispatcher checks). */
  private runEnd = 0;
  /** Step 1's ready queue over every shared logical CP (ready-queue.ts). */
  private readonly queue: ReadyQueue;
  /** Waiting logical CPs by the time their timers can wake them (wake-queue.ts). */
  private readonly wakes: WakeQueue;
  /** Logical CPs by wake-queue id. */
  private readonly byGid: (Lcp | null)[];
  /** Wake-queue id of the logical CP in each ready-queue slot. */
  private readonly slotGid: Int32Array;
  /** The `preemptOnWake` option. */
  private readonly preemptOnWake: boolean;
  /** Reused candidate list of `preempted`. */
  private readonly scratch: Lcp[] = [];
  /** Logical CPs the next wake check looks at (they just released, or an event concerned them). */
  private readonly checks: Lcp[] = [];
  /** Partitions whose sleeping logical CPs the next wake check looks at. */
  private readonly dirtyParts: Partition[] = [];
  /** Ready shared logical CPs that last released by a wait: the candidates of wake-up preemption. */
  private readonly woken: Lcp[] = [];
  /** Active, shared, capped partitions (null: to be listed again). */
  private cappedParts: Partition[] | null = null;
  /** Σ weights of the active shared partitions (-1: to be summed again). */
  private weightSum = -1;
  /** Physical CPs not dedicated (-1: to be counted again). */
  private sharedCount = -1;
  /**
   * System virtual time (BVT's SVT, Duda & Cheriton 1999; Linux CFS's
   * `min_vruntime`): the smallest virtual time of the runnable shared
   * logical CPs as last seen, never decreasing. It is the wake-up rule's
   * floor when no other logical CP is runnable: it then holds the virtual
   * time of the last runnable one as it left, so a logical CP that wakes
   * into an idle machine cannot keep an old, low virtual time and run ahead
   * of the next one to wake. Refreshed before a logical CP joins the
   * runnable ones (`joinVt`) and before one leaves them (`noteLeaving`).
   */
  private svt = 0;

  constructor(options: PrsmOptions) {
    this.options = options;
    this.iocp = options.iocp;
    this.profiles = options.profiles;
    const cpc = options.profiles.cpc;
    this.costModel = options.costModel ?? ESA390_REFERENCE_MACHINE;
    this.costs = {
      dispatchCycles: options.costs?.dispatchCycles ?? this.costModel.events['lpar-dispatch'].cycles,
      cacheReloadCycles: options.costs?.cacheReloadCycles ?? DEFAULT_CACHE_RELOAD_CYCLES,
    };
    this.storage = new SparseStorage(cpc.storage);
    this.clock = new SimClock(this.costModel.mhz);
    this.sliceCycles = Math.round(cpc.sliceUs * this.costModel.mhz);
    this.capWindowCycles = this.sliceCycles * (options.capWindowSlices ?? 4);
    this.chunk = options.chunkInstructions ?? 250;
    this.preemptOnWake = options.preemptOnWake === true;
    this.hsaBase = cpc.storage - cpc.hsa;
    this.map = new StorageMap(cpc.storage, cpc.hsa);
    for (let i = 0; i < cpc.cps; i++) {
      this.pcps.push({ id: i, time: 0, lcp: null, last: null, dedicatedTo: null, busy: 0, idle: 0, overhead: 0, dispatches: 0 });
    }
    let gids = 0;
    const groups: number[] = [];
    this.iocp.partitions.forEach((p, index) => {
      const profile = this.profiles.images.find((im) => im.name === p.name) ?? null;
      const cps = profile?.cps ?? 0;
      const shared = profile?.dedicated !== true;
      let slotBase = 0;
      for (const n of groups) slotBase += n;
      groups.push(shared ? cps : 0);
      this.parts.push({
        index,
        name: p.name,
        mifId: p.mifId,
        profile,
        shared,
        gidBase: gids,
        slotBase,
        dirty: false,
        kernelListener: null,
        active: false,
        weight: profile?.weight ?? 10,
        capped: profile?.capped ?? false,
        layout: null,
        relocator: null,
        css: this.channelSubsystemOf(p.css),
        lcps: [],
        consoles: new Map(),
        counters: emptyCounters(),
        capWindow: -1,
        capUsed: 0,
        kernel: null,
      });
      gids += cps;
    });
    this.queue = new ReadyQueue(groups);
    this.wakes = new WakeQueue(gids);
    this.byGid = new Array<Lcp | null>(gids).fill(null);
    this.slotGid = new Int32Array(this.queue.size);
    for (const q of this.parts) if (q.shared) for (let i = 0; i < groups[q.index]!; i++) this.slotGid[q.slotBase + i] = q.gidBase + i;
    // HiperSockets LANs: one queue area per IQD CHPID, carved from the bottom of the HSA.
    let hsaNext = this.hsaBase;
    const slots = options.lanSlots ?? 16;
    for (const ch of this.iocp.chpids) {
      if (ch.type !== 'IQD') continue;
      const frame = iqdFrameSize(ch.extra.OS);
      const bytes = HiperSocketsLan.hsaBytes(frame, slots);
      this.lans.set(ch.chpid, new HiperSocketsLan(ch.chpid, frame, this.storage, hsaNext, bytes, this.costModel));
      hsaNext += bytes;
    }
    for (const [cssId, css] of this.subsystems) this.buildIo(cssId, css);
  }

  /** The channel subsystem of logical channel subsystem `cssId`, made on first use (16 images: MIF image IDs 1-F). */
  private channelSubsystemOf(cssId: number): ChannelSubsystem {
    let css = this.subsystems.get(cssId);
    if (css === undefined) {
      css = new ChannelSubsystem({ clock: this.clock, images: 16 });
      this.subsystems.set(cssId, css);
    }
    return css;
  }

  // ------------------------------------------------------------- queries

  /** Partition names in RESOURCE order. */
  get partitionNames(): string[] {
    return this.parts.map((p) => p.name);
  }

  /** Number of physical CPs. */
  get physicalCps(): number {
    return this.pcps.length;
  }

  /** Physical CPs not dedicated to a partition. */
  get sharedPhysicalCps(): number {
    return this.pcps.filter((p) => p.dedicatedTo === null).length;
  }

  /** Free central storage (outside partitions and HSA). */
  get freeStorage(): number {
    return this.map.freeBytes;
  }

  /** Owner of a physical address: partition name, 'HSA', or null when free. */
  ownerOf(address: number): string | null {
    const o = this.map.ownerOf(address);
    return o === -1 ? null : o === -2 ? 'HSA' : (this.parts[o]?.name ?? null);
  }

  /** The HiperSockets LAN on an IQD CHPID. */
  lan(chpid: number): HiperSocketsLan | undefined {
    return this.lans.get(chpid);
  }

  /**
   * The channel subsystem an active partition is an image of (shared with
   * the other partitions of its CSS); the partition's subchannels are those
   * of image `partition(name).mifId`.
   */
  channelSubsystem(name: string): ChannelSubsystem | null {
    const p = this.find(name);
    return p?.active === true ? p.css : null;
  }

  /** A partition's logical CPs. */
  logicalCps(name: string): readonly LogicalCp[] {
    return this.find(name)?.lcps ?? [];
  }

  /** The device model a partition reaches at `deviceNumber` (to load cards, inspect a volume), or undefined. */
  device(name: string, deviceNumber: number): Device | undefined {
    const p = this.find(name);
    return p?.active === true ? p.css.subchannelForDevice(deviceNumber, p.mifId)?.slot.device : undefined;
  }

  /** The 3390 volume at a device number (the deck's IODEVICE UNIT=3390; shared by the partitions that reach it), or undefined. */
  volume(deviceNumber: number): CkdVolume | undefined {
    return this.volumes.get(deviceNumber);
  }

  /** Lines a partition's 3215 console at `deviceNumber` printed. */
  consoleLines(name: string, deviceNumber: number): readonly string[] {
    return this.find(name)?.consoles.get(deviceNumber)?.lines ?? [];
  }

  /** The storage a partition sees (its real storage from address 0), or null when inactive. */
  partitionStorage(name: string): StoragePort | null {
    const p = this.find(name);
    if (p?.relocator == null) return null;
    return relocatedStorage(this.storage, p.relocator);
  }

  /** Report on one partition. */
  partition(name: string): PartitionReport | null {
    const p = this.find(name);
    if (p === undefined) return null;
    const chpids: number[] = [];
    if (p.active) {
      const cssId = this.iocp.partitions[p.index]!.css;
      for (const ch of this.iocp.chpids) if (ch.css === cssId && p.css.channelPath(ch.chpid)?.images.has(p.mifId) === true) chpids.push(ch.chpid);
    }
    return {
      name: p.name,
      mifId: p.mifId,
      active: p.active,
      mode: p.layout?.mode ?? null,
      storage: p.layout?.size ?? 0,
      layout: p.layout,
      cps: p.profile?.cps ?? 0,
      dedicated: p.profile?.dedicated ?? false,
      weight: p.weight,
      capped: p.capped,
      logicalCps: p.lcps.map((l) => ({ index: l.index, state: l.state, cycles: l.cycles, dispatches: l.dispatches })),
      counters: structuredClone(p.counters),
      chpids,
      kernel: p.kernel?.name ?? null,
    };
  }

  /** Machine-wide counters (cumulative). */
  counters(): PrsmCounters {
    const partitions: Record<string, PartitionCounters> = {};
    for (const p of this.parts) partitions[p.name] = structuredClone(p.counters);
    const lans: Record<string, { frames: number; bytes: number; dropped: number }> = {};
    for (const [chpid, lan] of this.lans) lans[hex2(chpid)] = { ...lan.counters };
    let busy = 0;
    let idle = 0;
    let overhead = 0;
    for (const p of this.pcps) {
      busy += p.busy;
      idle += p.idle;
      overhead += p.overhead;
    }
    return { time: this.clock.now(), dispatches: this.dispatches, decisions: this.decisions, busyCycles: busy, idleCycles: idle, overheadCycles: overhead, partitions, lans };
  }

  private find(name: string): Partition | undefined {
    const n = name.toUpperCase();
    return this.parts.find((p) => p.name === n);
  }

  private need(name: string): PrsmResult<Partition> {
    const p = this.find(name);
    if (p === undefined) return fail('UNDEFINED_PARTITION', null, `no partition ${name.toUpperCase()} in the IOCP deck`, this.parts.map((x) => x.name).join(', '), name);
    return ok(p);
  }

  private needActive(name: string): PrsmResult<Partition> {
    const p = this.need(name);
    if (!p.ok) return p;
    if (!p.value.active) return fail('NOT_ACTIVE', null, `partition ${p.value.name} is not active`);
    return p;
  }

  // ---------------------------------------------------------- activation

  /**
   * Activate a partition: allocate its storage (zone: top-down first fit or
   * the profile's origin; blocks: the lowest free 64 MB blocks), build its
   * logical CPs with its relocator as host layer, its channel-subsystem
   * image with the CHPIDs, control units and devices the deck gives it, and
   * (dedicated) bind its logical CPs to physical CPs.
   */
  activate(name: string, layout?: StorageLayout): PrsmResult<PartitionReport> {
    const pr = this.need(name);
    if (!pr.ok) return pr;
    const p = pr.value;
    if (p.active) return fail('ALREADY_ACTIVE', null, `partition ${p.name} is already active`);
    const profile = p.profile;
    if (profile === null) return fail('NO_PROFILE', { file: this.profiles.file, line: 0, column: 0 }, `no image profile [${p.name}]`, `a [${p.name}] section`, 'none');

    // CPs first: nothing is allocated if they are missing.
    let dedicatedCps: PhysicalCp[] = [];
    if (profile.dedicated) {
      const free = this.pcps.filter((c) => c.dedicatedTo === null && c.lcp === null);
      const sharedLeft = this.pcps.filter((c) => c.dedicatedTo === null).length - profile.cps;
      const needShared = this.parts.some((q) => q.active && q.profile?.dedicated === false);
      if (free.length < profile.cps || (needShared && sharedLeft < 1)) {
        return fail('NO_CPS', null, `partition ${p.name} needs ${profile.cps} dedicated CPs`, `${profile.cps} free physical CPs`, String(free.length));
      }
      dedicatedCps = free.slice(free.length - profile.cps);
    } else if (this.sharedPhysicalCps < 1) {
      return fail('NO_CPS', null, `no shared physical CP left for partition ${p.name}`);
    }

    // Storage.
    let relocator: Translator & { readonly size: number };
    let lay: StorageLayout;
    const want = layout ?? null;
    if (profile.mode === 'zone') {
      const size = want?.size ?? profile.storage;
      let origin = want?.mode === 'zone' ? want.origin : (profile.origin ?? this.map.findTopDown(size));
      if (origin < 0 || !this.map.isFree(origin, size) || origin + size > this.hsaBase) {
        return fail('NO_STORAGE', null, `no free contiguous ${size >>> 20} MB for partition ${p.name}'s zone`, `${size >>> 20} MB free${profile.origin !== null ? ` at ${hex(profile.origin)}` : ''}`, `${this.map.freeBytes >>> 20} MB free in total`);
      }
      origin >>>= 0;
      this.map.claim(origin, size, p.index);
      relocator = new ZoneRelocator({ origin, limit: size });
      lay = { mode: 'zone', origin, size };
    } else {
      const blocks: number[] = [];
      const count = (want?.size ?? profile.storage) / BLOCK_BYTES;
      const given = want?.mode === 'blocks' ? want.blocks : null;
      for (let i = 0; i < count; i++) {
        const b = given?.[i] ?? this.map.findBlock();
        if (b < 0 || !this.map.isFree(b, BLOCK_BYTES)) {
          for (const x of blocks) this.map.release(x, BLOCK_BYTES);
          return fail('NO_STORAGE', null, `not enough free 64 MB blocks for partition ${p.name}`, `${count} blocks`, `${blocks.length}`);
        }
        this.map.claim(b, BLOCK_BYTES, p.index);
        blocks.push(b);
      }
      relocator = new BlockTable(this.storage.size, blocks);
      lay = { mode: 'blocks', blocks, size: count * BLOCK_BYTES };
    }
    // PR/SM clears a partition's storage before it gets it: nothing of a previous owner remains.
    this.clearLayout(lay);

    // The partition's image of the channel subsystem: its channel programs address its own storage.
    const view = relocatedStorage(this.storage, relocator);
    p.css.ioSystemReset(p.mifId);
    p.css.connectImage(p.mifId, view);
    this.connectDevices(p);

    const image = p.css.image(p.mifId);
    const machine = createEsa390Machine({ mainsize: 4096, cpus: profile.cps, io: image, costModel: this.costModel, clock: this.clock });
    // The machine made its CPUs' I/O pending on an interruption for the image; PR/SM also notes that
    // the partition's waiting logical CPs may wake (and passes it on to a hosted kernel that listens).
    const cpus = machine.cpus;
    image.setPendingListener(() => {
      for (const cpu of cpus) raisePending(cpu, PENDING.IO);
      this.markDirty(p);
      const kl = p.kernelListener;
      if (kl !== null) kl();
    });
    const lcps: Lcp[] = machine.cpus.map((cpu, index) => {
      cpu.storage = this.storage;
      cpu.hostLayer = relocator;
      // DAT tables are in the partition's own storage: the walker reads them through the partition's view.
      cpu.dat = createEsa390Dat({
        storage: view,
        context: { cr: cpu.cr, addressSpaceControl: () => cpu.asc, realToAbsolute: (real) => cpu.realToAbsolute(real) },
        costModel: this.costModel,
      });
      const l: Lcp = {
        partition: p.name,
        index,
        cpu,
        state: 'stopped',
        vt: 0,
        readyAt: 0,
        physical: -1,
        sliceEnd: 0,
        cycles: 0,
        dispatches: 0,
        lastReason: null,
        part: p,
        sys: systemOf(cpu),
        gid: p.gidBase + index,
        check: false,
        kernelWake: Number.POSITIVE_INFINITY,
        askKernel: false,
        wokenPos: -1,
      };
      this.byGid[l.gid] = l;
      return l;
    });
    p.active = true;
    p.layout = lay;
    p.relocator = relocator;
    p.lcps = lcps;
    p.capWindow = -1;
    p.capUsed = 0;
    const now = this.clock.now();
    dedicatedCps.forEach((c, i) => {
      c.dedicatedTo = p.name;
      c.time = Math.max(c.time, now);
      const l = lcps[i]!;
      c.lcp = l;
      l.physical = c.id;
      this.charge(c, p, this.costs.dispatchCycles + this.costs.cacheReloadCycles);
      p.counters.dispatches++;
      l.dispatches++;
      this.dispatches++;
    });
    this.partitionsChanged();
    this.markDirty(p);
    return ok(this.partition(p.name)!);
  }

  /**
   * The CSS topology from the deck: every CHPID of the CSS online to the
   * partitions of its access list (several: a SHARED path, MIF), every
   * control unit, and every device with a subchannel image in each
   * partition that can reach it. DASD, printers and card readers are one
   * device shared by those partitions (a program of one makes it busy for
   * the others); a 3215 console and an IQD or OSA connection are a device
   * per partition, made fresh at each activation.
   */
  private buildIo(cssId: number, css: ChannelSubsystem): void {
    const members = this.parts.filter((q) => this.iocp.partitions[q.index]!.css === cssId);
    const mifOf = (name: string): number | undefined => members.find((q) => q.name === name)?.mifId;
    const ids = (names: readonly string[]): number[] => names.map(mifOf).filter((m): m is number => m !== undefined);
    for (const ch of this.iocp.chpids) {
      if (ch.css !== cssId || ids(ch.candidate).length === 0) continue;
      css.defineChannelPath(ch.chpid, ids(ch.access));
    }
    for (const cu of this.iocp.controlUnits) {
      const mine = cu.chpids.filter((c) => css.channelPath(c) !== undefined);
      if (mine.length > 0) css.defineControlUnit(cu.number, mine);
    }
    const cyl = this.options.dasdCylinders ?? 10;
    for (const dev of this.iocp.devices) {
      const reach = ids(reachOf(dev, this.iocp.controlUnits, this.iocp.chpids));
      if (reach.length === 0) continue;
      const cuNumber = dev.controlUnits.find((n) => {
        const cu = this.iocp.controlUnits.find((c) => c.number === n);
        return cu?.chpids.some((c) => css.channelPath(c) !== undefined) === true;
      });
      if (cuNumber === undefined) continue;
      for (let k = 0; k < dev.count; k++) {
        const devnum = dev.address + k;
        switch (dev.unit) {
          case '3390': {
            let vol = this.volumes.get(devnum);
            if (vol === undefined) {
              vol = new CkdVolume(geometry3390(cyl));
              formatVolume(vol, `D${hex4(devnum)}`.slice(0, 6));
              this.volumes.set(devnum, vol);
            }
            css.attach(devnum, new Dasd3390(vol), { controlUnit: cuNumber, images: reach });
            break;
          }
          case '1403':
            css.attach(devnum, new Printer1403(), { controlUnit: cuNumber, images: reach });
            break;
          case '2540':
            // An empty hopper: load cards through `device(name, devnum)`.
            css.attach(devnum, new CardReader2540(), { controlUnit: cuNumber, images: reach });
            break;
          default:
            // Per partition: replaced by the partition's own model when it is activated.
            for (const image of reach) css.attach(devnum, new OsaPort(), { controlUnit: cuNumber, images: [image] });
        }
      }
    }
  }

  /** Fresh per-partition device models (console, LAN connection) on the partition's subchannels. */
  private connectDevices(p: Partition): void {
    for (const dev of this.iocp.devices) {
      if (dev.unit !== '3215' && dev.unit !== 'IQD') continue;
      for (let k = 0; k < dev.count; k++) {
        const devnum = dev.address + k;
        const sch = p.css.subchannelForDevice(devnum, p.mifId);
        if (sch === undefined) continue;
        let device: Device;
        if (dev.unit === '3215') {
          const onLine = this.options.onConsoleLine;
          const cps = this.options.consoleCharactersPerSecond;
          const con = new Console3215({
            ...(onLine ? { onLine: (line: string) => onLine(p.name, devnum, line) } : {}),
            ...(cps !== undefined ? { charactersPerSecond: cps } : {}),
          });
          p.consoles.set(devnum, con);
          device = con;
        } else {
          const chpid = sch.slot.chpids.find((c) => this.lans.has(c));
          const lan = chpid === undefined ? undefined : this.lans.get(chpid);
          device = lan === undefined ? new OsaPort() : lan.connect(p.name, p.mifId, devnum);
        }
        p.css.replaceDevice(devnum, p.mifId, device);
      }
    }
  }

  /** Deactivate a partition: its logical CPs stop, its storage is cleared and freed, its CPs and LAN connections released. */
  deactivate(name: string): PrsmResult<void> {
    const pr = this.needActive(name);
    if (!pr.ok) return pr;
    const p = pr.value;
    this.noteLeaving();
    for (const c of this.pcps) {
      if (c.lcp !== null && c.lcp.partition === p.name) c.lcp = null;
      if (c.last !== null && c.last.partition === p.name) c.last = null;
      if (c.dedicatedTo === p.name) c.dedicatedTo = null;
    }
    for (const l of p.lcps) {
      l.state = 'stopped';
      l.cpu.state = 'stopped';
      l.physical = -1;
      this.segmentStart.delete(l);
      this.track(l);
      this.byGid[l.gid] = null;
    }
    const lay = p.layout!;
    this.clearLayout(lay);
    if (lay.mode === 'zone') this.map.release(lay.origin, lay.size);
    else for (const b of lay.blocks) this.map.release(b, BLOCK_BYTES);
    for (const lan of this.lans.values()) lan.disconnect(p.name);
    // Its programs end, its interruptions go; shared devices go on serving the other partitions.
    p.css.ioSystemReset(p.mifId);
    p.active = false;
    p.layout = null;
    p.relocator = null;
    p.lcps = [];
    p.consoles = new Map();
    p.kernel = null;
    p.kernelListener = null;
    this.partitionsChanged();
    return ok(undefined);
  }

  /** Zero every allocated frame of a layout and reset its storage keys. */
  private clearLayout(lay: StorageLayout): void {
    const ranges: [number, number][] = lay.mode === 'zone' ? [[lay.origin, lay.size]] : lay.blocks.map((b) => [b, BLOCK_BYTES] as [number, number]);
    for (const [origin, size] of ranges) this.clearRange(origin, size);
  }

  private clearRange(origin: number, size: number): void {
    const first = origin / 4096;
    const last = (origin + size) / 4096;
    const frames = this.storage.frames;
    for (let f = first; f < last; f++) {
      const fr = frames[f];
      if (fr !== undefined) fr.fill(0);
      this.storage.keys[f] = 0;
    }
  }

  // ----------------------------------------------------------------- IPL

  /**
   * IPL a bare program into an active partition: load it into the
   * partition's real storage, store the restart PSW at real 0 and perform
   * the restart function on logical CP 0 (or on all, `start: 'all'`).
   */
  ipl(name: string, program: IplProgram): PrsmResult<{ readonly entry: number }> {
    const pr = this.needActive(name);
    if (!pr.ok) return pr;
    const p = pr.value;
    p.kernel = null;
    const view = relocatedStorage(this.storage, p.relocator!);
    let entry: number;
    if (program.source !== undefined) {
      const asm = assemble(program.source);
      if (!asm.ok) {
        const e = asm.errors[0]!;
        return fail('IPL_FAILED', { file: 'guest', line: e.line, column: e.column }, `assembly failed: ${e.message}`);
      }
      for (const c of asm.chunks) {
        if (c.address + c.bytes.length > view.size) return fail('IPL_FAILED', null, `program at ${hex(c.address)} does not fit the partition's ${view.size} bytes`);
        view.writeFrom(c.address as AbsoluteAddress, c.bytes);
      }
      entry = asm.entry ?? asm.origin;
    } else if (program.bytes !== undefined) {
      const at = program.address ?? 0x2000;
      if (at + program.bytes.length > view.size) return fail('IPL_FAILED', null, `program does not fit the partition's ${view.size} bytes`);
      view.writeFrom(at as AbsoluteAddress, program.bytes);
      entry = at;
    } else {
      return fail('IPL_FAILED', null, 'nothing to IPL', 'source or bytes', 'neither');
    }
    const psw = program.psw ?? [0x00080000, (0x80000000 | entry) >>> 0];
    view.write32(0 as AbsoluteAddress, psw[0]);
    view.write32(4 as AbsoluteAddress, psw[1]);
    const targets = program.start === 'all' ? p.lcps : p.lcps.slice(0, 1);
    for (const l of targets) this.startLcp(l, (cpu) => restartCpu(cpu));
    return ok({ entry });
  }

  /**
   * IPL from a device of the partition (`ipl DEVNUM`, POP chapter 17): a
   * system reset of the partition (initial CPU reset of its logical CPs,
   * I/O system reset of its channel-subsystem image), the IPL channel
   * program, then the PSW it read on logical CP 0.
   */
  iplDevice(name: string, deviceNumber: number): PrsmResult<{ readonly psw: readonly [number, number] }> {
    const pr = this.needActive(name);
    if (!pr.ok) return pr;
    const p = pr.value;
    this.noteLeaving();
    for (const c of this.pcps) {
      if (c.lcp !== null && c.lcp.partition === p.name && c.dedicatedTo === null) {
        this.segmentStart.delete(c.lcp);
        c.lcp.physical = -1;
        c.lcp = null;
      }
    }
    for (const l of p.lcps) {
      initialCpuReset(l.cpu);
      l.state = 'stopped';
      this.track(l);
    }
    p.css.ioSystemReset(p.mifId);
    p.kernel = null;
    p.kernelListener = null;
    this.markDirty(p);
    const r = p.css.ipl(deviceNumber, p.mifId);
    if (!r.ok) return fail('IPL_FAILED', null, `IPL from ${hex4(deviceNumber)} failed: ${r.reason}`);
    const b = r.psw;
    const hi = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    const lo = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
    const l = p.lcps[0]!;
    this.startLcp(l, (cpu) => {
      cpu.setPsw(hi, lo);
      cpu.state = 'operating';
    });
    return ok({ psw: [hi, lo] });
  }

  /**
   * IPL a hosted kernel (hosted.ts) into an active partition: a system
   * reset of the partition (its logical CPs stop, its channel-subsystem
   * image is reset), then the kernel gets the partition's storage, clock
   * and I/O and its first `kernel.logicalCps` logical CPs become ready. The
   * dispatcher gives them physical CPs by weight like any other; the
   * partition's CPU objects stay stopped (the kernel builds its own).
   */
  iplKernel(name: string, kernel: PartitionKernel): PrsmResult<void> {
    const pr = this.needActive(name);
    if (!pr.ok) return pr;
    const p = pr.value;
    if (!(kernel.logicalCps >= 1 && kernel.logicalCps <= p.lcps.length)) {
      return fail('IPL_FAILED', null, `${kernel.name} wants ${kernel.logicalCps} logical CPs, partition ${p.name} has ${p.lcps.length}`, `1-${p.lcps.length}`, String(kernel.logicalCps));
    }
    this.noteLeaving();
    for (const c of this.pcps) {
      if (c.lcp !== null && c.lcp.partition === p.name && c.dedicatedTo === null) {
        this.segmentStart.delete(c.lcp);
        c.lcp.physical = -1;
        c.lcp = null;
      }
    }
    for (const l of p.lcps) {
      initialCpuReset(l.cpu);
      l.cpu.state = 'stopped';
      l.state = 'stopped';
      this.track(l);
    }
    p.css.ioSystemReset(p.mifId);
    p.kernel = null;
    p.kernelListener = null;
    const css = p.css;
    const mif = p.mifId;
    const image = css.image(mif);
    // The kernel's view of its image: a listener it sets is called after PR/SM's (which wakes its logical CPs).
    const io: IoHandler = {
      execute: (instruction, operandAddress, cpu) => image.execute(instruction, operandAddress, cpu),
      takeInterruption: (cr6) => image.takeInterruption(cr6),
      hasPending: () => image.hasPending(),
      setPendingListener: (listener) => {
        p.kernelListener = listener;
      },
      ...(image.reset !== undefined ? { reset: () => image.reset?.() } : {}),
    };
    const resources: PartitionResources = {
      partition: p.name,
      storage: relocatedStorage(this.storage, p.relocator!),
      machineStorage: this.storage,
      relocation: p.relocator!,
      clock: this.clock,
      costModel: this.costModel,
      logicalCps: p.lcps.length,
      io,
      subchannelOf: (devnum) => css.subchannelForDevice(devnum, mif)?.number,
      device: (devnum) => css.subchannelForDevice(devnum, mif)?.slot.device,
      volume: (devnum) => (css.subchannelForDevice(devnum, mif) === undefined ? undefined : this.volumes.get(devnum)),
    };
    const refused = kernel.start(resources);
    if (refused !== null) return fail('IPL_FAILED', null, `${kernel.name} refused the IPL of ${p.name}: ${refused}`);
    p.kernel = kernel;
    const now = this.clock.now();
    for (let i = 0; i < kernel.logicalCps; i++) {
      const l = p.lcps[i]!;
      this.joinVt(l);
      l.state = 'ready';
      l.readyAt = now;
      l.kernelWake = Number.POSITIVE_INFINITY;
      this.track(l);
    }
    return ok(undefined);
  }

  private startLcp(l: Lcp, how: (cpu: Esa390Cpu) => void): void {
    const now = this.clock.now();
    this.syncTime(l, now);
    how(l.cpu);
    if (l.state === 'stopped' || l.state === 'waiting') {
      this.joinVt(l);
      l.state = 'ready';
      l.readyAt = now;
    }
    this.track(l);
    // Its siblings' state may have changed with it (an IPL writes their partition's storage).
    this.markDirty(l.part);
  }

  // -------------------------------------------------------------- storage

  /**
   * IRD dynamic storage: add one 64 MB block to a running block-mode
   * partition at the top of its real storage (the OS sees contiguous storage
   * grow); any free block of the machine will do. Limited by initial +
   * reserved storage.
   */
  addStorageBlock(name: string): PrsmResult<StorageLayout> {
    const pr = this.needActive(name);
    if (!pr.ok) return pr;
    const p = pr.value;
    const lay = p.layout!;
    if (lay.mode !== 'blocks') return fail('STORAGE_MODE', null, `partition ${p.name} uses zone relocation: it can only grow into adjacent free storage (growZone)`, 'mode = blocks', 'mode = zone');
    const max = p.profile!.storage + p.profile!.reserved;
    if (lay.size + BLOCK_BYTES > max) return fail('NO_STORAGE', null, `partition ${p.name} would exceed its initial + reserved storage`, `<= ${max >>> 20} MB`, `${(lay.size + BLOCK_BYTES) >>> 20} MB`);
    const b = this.map.findBlock();
    if (b < 0) return fail('NO_STORAGE', null, 'no free 64 MB block in the machine', 'a free block', 'none');
    this.clearRange(b, BLOCK_BYTES);
    const r = (p.relocator as BlockTable).addBlock(b);
    if (!r.ok) return fail('NO_STORAGE', null, r.message);
    this.map.claim(b, BLOCK_BYTES, p.index);
    p.layout = { mode: 'blocks', blocks: [...lay.blocks, b], size: lay.size + BLOCK_BYTES };
    this.flushPartition(p);
    return ok(p.layout);
  }

  /** IRD: remove the top 64 MB block of a running block-mode partition; the block is cleared and freed. */
  removeStorageBlock(name: string): PrsmResult<StorageLayout> {
    const pr = this.needActive(name);
    if (!pr.ok) return pr;
    const p = pr.value;
    const lay = p.layout!;
    if (lay.mode !== 'blocks') return fail('STORAGE_MODE', null, `partition ${p.name} uses zone relocation`, 'mode = blocks', 'mode = zone');
    if (lay.blocks.length <= 1) return fail('NO_STORAGE', null, `partition ${p.name} keeps at least one block`);
    const r = (p.relocator as BlockTable).removeBlock();
    if (!r.ok) return fail('NO_STORAGE', null, r.message);
    this.flushPartition(p);
    this.clearRange(r.origin, BLOCK_BYTES);
    this.map.release(r.origin, BLOCK_BYTES);
    p.layout = { mode: 'blocks', blocks: lay.blocks.slice(0, -1), size: lay.size - BLOCK_BYTES };
    return ok(p.layout);
  }

  /**
   * Zone mode: change the zone limit while the partition runs. Growing needs
   * the storage directly above the zone to be free (the origin cannot move
   * under a running OS); shrinking gives back the top.
   */
  resizeZone(name: string, newSize: number): PrsmResult<StorageLayout> {
    const pr = this.needActive(name);
    if (!pr.ok) return pr;
    const p = pr.value;
    const lay = p.layout!;
    if (lay.mode !== 'zone') return fail('STORAGE_MODE', null, `partition ${p.name} uses a block table (addStorageBlock)`, 'mode = zone', 'mode = blocks');
    if (newSize <= 0 || newSize % ZONE_INCREMENT !== 0) return fail('BAD_VALUE', null, 'zone size must be a positive multiple of 1 MB', 'a multiple of 1M', String(newSize));
    const top = lay.origin + lay.size;
    if (newSize > lay.size) {
      const extra = newSize - lay.size;
      if (!this.map.isFree(top, extra)) {
        const owner = this.ownerOf(top);
        return fail('NO_STORAGE', null, `partition ${p.name} cannot grow: the storage above its zone (${hex(top)}) belongs to ${owner ?? 'nobody'}${owner === null ? ' but is too small' : ''}; a zone grows only into adjacent free storage`, `${extra >>> 20} MB free at ${hex(top)}`, owner ?? 'too little');
      }
      this.clearRange(top, extra);
      this.map.claim(top, extra, p.index);
    } else {
      this.map.release(lay.origin + newSize, lay.size - newSize);
    }
    (p.relocator as ZoneRelocator).setZone(lay.origin, newSize);
    this.flushPartition(p);
    if (newSize < lay.size) this.clearRange(lay.origin + newSize, lay.size - newSize);
    p.layout = { mode: 'zone', origin: lay.origin, size: newSize };
    return ok(p.layout);
  }

  /** Relocation changed: every logical CP drops its cached translations (the CPU caches page → frame). */
  private flushPartition(p: Partition): void {
    for (const l of p.lcps) l.cpu.flushTlb();
  }

  // -------------------------------------------------- CPU management (IRD)

  /** Change a partition's weight while it runs (IRD LPAR CPU management, WLM-driven in z/OS). */
  setWeight(name: string, weight: number): PrsmResult<void> {
    const pr = this.need(name);
    if (!pr.ok) return pr;
    if (!Number.isInteger(weight) || weight < 1 || weight > 999) return fail('BAD_VALUE', null, 'weight must be 1-999', '1-999', String(weight));
    if (pr.value.profile?.dedicated === true) return fail('BAD_VALUE', null, `partition ${pr.value.name} has dedicated CPs; weights apply to shared ones`);
    pr.value.weight = weight;
    this.weightSum = -1;
    return ok(undefined);
  }

  /** Switch capping on or off (possible without re-IPL, as on the real machine). */
  setCapped(name: string, capped: boolean): PrsmResult<void> {
    const pr = this.need(name);
    if (!pr.ok) return pr;
    pr.value.capped = capped;
    this.cappedParts = null;
    // Uncapped, nothing holds its logical CPs back any more (capped, the next decision decides).
    if (!capped) this.queue.setBlocked(pr.value.index, false);
    return ok(undefined);
  }

  // ----------------------------------------------------------------- I/O

  /**
   * Dynamic Channel Path Management: take CHPID `chpid` offline to `from`
   * and online to `to` (which must be in the CHPID's candidate list). A
   * program running on the path finishes first (io-channel's rule).
   */
  moveChannelPath(chpid: number, from: string, to: string): PrsmResult<void> {
    const a = this.needActive(from);
    if (!a.ok) return a;
    const b = this.needActive(to);
    if (!b.ok) return b;
    const css = a.value.css;
    const path = css.channelPath(chpid);
    const cssId = this.iocp.partitions[a.value.index]!.css;
    const ch = this.iocp.chpids.find((c) => c.chpid === chpid && c.css === cssId);
    if (path === undefined || !path.images.has(a.value.mifId)) return fail('NOT_CANDIDATE', null, `CHPID ${hex2(chpid)} is not online to ${a.value.name}`);
    if (b.value.css !== css || ch === undefined || !ch.candidate.includes(b.value.name)) return fail('NOT_CANDIDATE', null, `${b.value.name} is not in CHPID ${hex2(chpid)}'s candidate list`);
    // One path of the one CSS: offline to `from`'s image, online to `to`'s (already online there: it stays, MIF).
    css.moveChannelPath(chpid, a.value.mifId, b.value.mifId);
    return ok(undefined);
  }

  /**
   * Channel Subsystem Priority Queuing: the priority of a partition's
   * subchannel. The CSS is shared, so this turns priority queuing on for
   * every partition of the CSS and orders their waiting starts against
   * each other.
   */
  setIoPriority(name: string, subchannel: number, priority: number): PrsmResult<void> {
    const pr = this.needActive(name);
    if (!pr.ok) return pr;
    pr.value.css.queuing = 'priority';
    pr.value.css.setPriority(pr.value.mifId, subchannel, priority);
    return ok(undefined);
  }

  // ---------------------------------------------------------- dispatcher

  /** Pause: `run` does nothing until `resume`. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Stop every logical CP of a partition (operator STOP); `start` makes them ready again. */
  stop(name: string): PrsmResult<void> {
    const pr = this.needActive(name);
    if (!pr.ok) return pr;
    this.noteLeaving();
    for (const l of pr.value.lcps) {
      l.cpu.state = 'stopped';
      if (l.state === 'ready' || l.state === 'waiting') l.state = 'stopped';
      this.track(l);
    }
    return ok(undefined);
  }

  start(name: string): PrsmResult<void> {
    const pr = this.needActive(name);
    if (!pr.ok) return pr;
    for (const l of pr.value.lcps) {
      // Only CPs that ran before an operator stop; the others wait for a SIGP from their OS.
      if (l.state !== 'stopped' || l.cpu.instructions === 0) continue;
      this.startLcp(l, (cpu) => {
        cpu.state = 'operating';
      });
    }
    return ok(undefined);
  }

  /**
   * Run the machine for `budget` of simulated time (`{ cycles }`, `{ us }` or
   * `{ ms }`). Physical CPs advance in time order, so the interleaving is
   * deterministic: the same configuration and programs give the same result.
   */
  run(budget: { readonly cycles?: number; readonly us?: number; readonly ms?: number }): PrsmRunResult {
    const cycles = budget.cycles ?? (budget.us !== undefined ? budget.us * this.costModel.mhz : (budget.ms ?? 0) * 1000 * this.costModel.mhz);
    const start = this.clock.now();
    const end = start + Math.max(0, Math.round(cycles));
    if (this.paused) return { reason: 'budget', time: start };
    this.runEnd = end;
    for (const c of this.pcps) if (c.time < start) {
      c.idle += start - c.time;
      c.time = start;
    }
    // Between runs the caller may have changed anything (a guest's PSW, a hosted kernel's users'
    // input): every sleeping logical CP gets one wake check, as if an event concerned it.
    for (const q of this.parts) if (q.active) this.markDirty(q);
    const pcps = this.pcps;
    for (;;) {
      let p: PhysicalCp | null = null;
      for (let i = 0; i < pcps.length; i++) {
        const c = pcps[i]!;
        if (c.time < end && (p === null || c.time < p.time)) p = c;
      }
      if (p === null) break;
      if (p.time > this.clock.now()) this.clock.advanceTo(p.time);
      // A dedicated physical CP keeps its logical CP bound even while it waits; it runs only when ready.
      if (p.lcp === null || p.lcp.state !== 'running') {
        if (!this.dispatch(p, end)) continue;
      }
      this.runChunk(p);
    }
    if (end > this.clock.now()) this.clock.advanceTo(end);
    return { reason: this.anyLive() || this.clock.pendingEvents > 0 ? 'budget' : 'idle', time: this.clock.now() };
  }

  /**
   * Whether some logical CP can still run: ready, running, or waiting with a way to wake.
   * Plain loops, not nested `some` callbacks: inlined into `run`, the callbacks' compares
   * had no type feedback and deoptimised `run` on every call from an optimised caller.
   */
  private anyLive(): boolean {
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) {
      const lcps = parts[i]!.lcps;
      for (let j = 0; j < lcps.length; j++) {
        const l = lcps[j]!;
        if (l.state === 'ready' || l.state === 'running' || (l.state === 'waiting' && this.canWake(l))) return true;
      }
    }
    return false;
  }

  /**
   * Steps 1 and 2: pick and bind a logical CP; false when the physical CP
   * idles instead. The pick is the ready queue's (ready-queue.ts): the same
   * logical CP a scan of all of them in tie-break order picks, in O(log n).
   */
  private dispatch(p: PhysicalCp, end: number): boolean {
    this.decisions++;
    const t = p.time;
    this.wakeWaiting(t);
    let best: Lcp | null = null;
    let earliestLater = Number.POSITIVE_INFINITY;
    let capBlocked = false;
    if (p.dedicatedTo !== null) {
      // A dedicated physical CP only ever runs its own logical CP, bound at activation: no dispatch cost.
      const own = p.lcp;
      if (own !== null && own.state === 'ready') {
        own.state = 'running';
        this.openSegment(own, p.time);
        return true;
      }
    } else {
      capBlocked = this.refreshCaps(t);
      const slot = this.queue.select(t);
      earliestLater = this.queue.earliestLater;
      if (slot >= 0) best = this.byGid[this.slotGid[slot]!] ?? null;
    }
    if (best === null) {
      let next = Math.min(this.clock.nextEventTime(), earliestLater, this.wakes.minKey);
      if (capBlocked) next = Math.min(next, (Math.floor(t / this.capWindowCycles) + 1) * this.capWindowCycles);
      for (const c of this.pcps) if (c !== p && c.lcp !== null && c.time > t && c.time < next) next = c.time;
      if (!(next > t)) next = t + 1;
      if (next > end) next = end;
      p.idle += next - t;
      p.time = next;
      return false;
    }
    const part = best.part;
    let cost = this.costs.dispatchCycles;
    if (p.last !== best) cost += this.costs.cacheReloadCycles;
    this.charge(p, part, cost);
    best.state = 'running';
    this.track(best);
    best.physical = p.id;
    best.dispatches++;
    best.sliceEnd = p.time + this.sliceCycles;
    this.openSegment(best, p.time);
    part.counters.dispatches++;
    p.dispatches++;
    this.dispatches++;
    p.lcp = best;
    return true;
  }

  private charge(p: PhysicalCp, part: Partition, cycles: number): void {
    p.time += cycles;
    p.overhead += cycles;
    part.counters.overheadCycles += cycles;
  }

  /** Step 3: run the bound logical CP for one chunk; steps 4 and 5 when its slice ends or it waits. */
  private runChunk(p: PhysicalCp): void {
    const l = p.lcp!;
    const part = l.part;
    if (this.preemptOnWake && p.dedicatedTo === null && this.preempted(l, part, p.time)) {
      part.counters.preempted++;
      this.release(p, l, part, 'slice');
      return;
    }
    if (part.kernel !== null) {
      this.runKernelChunk(p, l, part, part.kernel);
      return;
    }
    const cpu = l.cpu;
    // Time first, then the clock's next event; the pending conditions once, after both.
    this.syncTime(l, p.time, false);
    if (cpu.state !== 'operating') {
      refreshPending(cpu, l.sys);
      this.release(p, l, part, 'stop');
      return;
    }
    this.watchClock(l);
    const beforeC = cpu.cycles;
    const beforeI = cpu.instructions;
    const exit = cpu.run(this.budgetFor(p, l, part));
    const used = cpu.cycles - beforeC;
    p.time += used;
    p.busy += used;
    l.cycles += used;
    const counters = part.counters;
    counters.cycles += used;
    counters.instructions += cpu.instructions - beforeI;
    // A SIGP may have started, stopped or signalled a sibling: the siblings get a wake check.
    if (part.lcps.length > 1) this.markDirty(part);
    const dedicated = p.dedicatedTo !== null;
    if (!dedicated) {
      l.vt = advanceVirtualTime(l.vt, used, part.weight / Math.max(1, part.lcps.length));
      if (part.capped) {
        this.rollCapWindow(part, p.time);
        part.capUsed += used;
      }
    }
    if (exit.reason === 'wait') {
      this.release(p, l, part, 'wait');
      return;
    }
    if (exit.reason !== 'budget') {
      // Stopped, check-stopped, or an exit nobody asked for (no interception policy is set).
      if (exit.reason === 'breakpoint' || exit.reason === 'interception') cpu.state = 'stopped';
      this.release(p, l, part, 'stop');
      return;
    }
    if (!dedicated) this.releaseAtCapOrSliceEnd(p, l, part);
  }

  /**
   * Wake-up preemption: wake what can wake; did a logical CP wake from a
   * wait since `l` was dispatched, and does it select before `l`? (Only
   * wake-ups: logical CPs queued at slice end wait for the slice to end.)
   * The candidates are the ready logical CPs that last released by a wait
   * (usually none or one), looked at in tie-break order; capped partitions
   * up to the first candidate that may run roll their capping windows, as a
   * scan of every partition in RESOURCE order that stops there does.
   */
  private preempted(l: Lcp, part: Partition, t: number): boolean {
    this.wakeWaiting(t);
    const order = orderOf(l, part);
    const dispatchedAt = l.sliceEnd - this.sliceCycles;
    const cands = this.scratch;
    cands.length = 0;
    for (const x of this.woken) {
      if (x.readyAt >= dispatchedAt && x.readyAt <= t && selectsBefore(x.vt, orderOf(x, x.part), l.vt, order)) cands.push(x);
    }
    if (cands.length > 1) cands.sort(byGid);
    let ci = 0;
    const queue = this.queue;
    for (const q of this.cappedList()) {
      for (; ci < cands.length && cands[ci]!.part.index < q.index; ci++) if (!queue.isBlocked(cands[ci]!.part.index)) return true;
      this.rollCapWindow(q, t);
      queue.setBlocked(q.index, q.capUsed >= this.capAllowance(q));
    }
    for (; ci < cands.length; ci++) if (!queue.isBlocked(cands[ci]!.part.index)) return true;
    return false;
  }

  /**
   * With wake-up preemption, the machine time by which the running logical
   * CP `l`'s chunk ends so that `preempted` looks again when a wake-up can
   * matter: the earliest waiting timer (a logical CP woken by its clock
   * comparator, CPU timer or `nextWake` alone would otherwise be noticed
   * only at the next clock event or slice end), and, for each logical CP
   * that woke since `l` was dispatched but does not select before it yet
   * (the wake-up rule put it level with the runnable ones, and `l` had not
   * yet run as much as it since its last turn), the time at which `l`'s
   * virtual time passes the waker's at `l`'s share. Deterministic: it
   * depends only on virtual times, weights and timer deadlines.
   */
  private lookAgainAt(l: Lcp, part: Partition, t: number): number {
    let at = this.wakes.minKey;
    const woken = this.woken;
    if (woken.length === 0) return at;
    const dispatchedAt = l.sliceEnd - this.sliceCycles;
    const share = part.weight / Math.max(1, part.lcps.length);
    const order = orderOf(l, part);
    for (let i = 0; i < woken.length; i++) {
      const x = woken[i]!;
      if (x.readyAt < dispatchedAt || x.readyAt > t || this.queue.isBlocked(x.part.index)) continue;
      // After u more cycles l's virtual time is l.vt + u / share; x goes first once that passes x.vt (reaches it, on a tie x wins).
      const d = (x.vt - l.vt) * share;
      const u = orderOf(x, x.part) < order ? Math.ceil(d) : Math.floor(d) + 1;
      const when = t + Math.max(1, u);
      if (when < at) at = when;
    }
    return at;
  }

  /**
   * Step 3 for a hosted kernel: it runs from the machine clock for up to the
   * same target a guest would (slice end, end of the run, cap) and advances
   * the clock itself; the physical CP's time follows the clock. When two
   * physical CPs run hosted kernels, one may find the clock already ahead of
   * its own time: the gap counts as idle (it could not have done anything
   * observable in it), so a physical CP's busy + idle + overhead still
   * equals elapsed time.
   */
  private runKernelChunk(p: PhysicalCp, l: Lcp, part: Partition, kernel: PartitionKernel): void {
    const clock = this.clock;
    if (p.time > clock.now()) clock.advanceTo(p.time);
    else if (p.time < clock.now()) {
      p.idle += clock.now() - p.time;
      p.time = clock.now();
    }
    const dedicated = p.dedicatedTo !== null;
    let target = this.runEnd;
    if (!dedicated) target = Math.min(target, l.sliceEnd);
    if (part.capped) target = Math.min(target, p.time + Math.max(0, this.capAllowance(part) - part.capUsed));
    if (this.preemptOnWake && !dedicated) target = Math.min(target, this.lookAgainAt(l, part, p.time));
    const start = p.time;
    const r = kernel.run(l.index, Math.max(1, target - start));
    // A kernel that neither used time nor waits would spin the dispatcher: one cycle passes.
    if (clock.now() <= start && !r.wait && r.stopped !== true) clock.advanceTo(start + 1);
    const used = clock.now() - start;
    p.time = clock.now();
    p.busy += used;
    l.cycles += used;
    part.counters.cycles += used;
    part.counters.instructions += r.instructions ?? 0;
    // Running on one logical CP, the kernel may have made work for another.
    if (kernel.logicalCps > 1) this.markDirty(part);
    if (!dedicated) {
      l.vt = advanceVirtualTime(l.vt, used, part.weight / Math.max(1, part.lcps.length));
      if (part.capped) {
        this.rollCapWindow(part, p.time);
        part.capUsed += used;
      }
    }
    if (r.stopped === true) {
      this.release(p, l, part, 'stop');
      return;
    }
    if (r.wait) {
      this.release(p, l, part, 'wait');
      return;
    }
    if (!dedicated) this.releaseAtCapOrSliceEnd(p, l, part);
  }

  /**
   * Step 4 for a shared logical CP that is still running after a chunk:
   * back to firmware when its partition's cap is used up or its time slice
   * has ended (a dedicated logical CP is never released this way).
   */
  private releaseAtCapOrSliceEnd(p: PhysicalCp, l: Lcp, part: Partition): void {
    if (part.capped && part.capUsed >= this.capAllowance(part)) this.release(p, l, part, 'cap');
    else if (p.time >= l.sliceEnd) this.release(p, l, part, 'slice');
  }

  /**
   * Instructions to run before the dispatcher looks again. Logical CPs of the
   * same partition share storage (locks, SIGP), so while another physical CP
   * runs one of them the interleaving stays fine (`chunk`). Otherwise a
   * logical CP cannot observe the others except through clock events (I/O,
   * HiperSockets) or capping, so it may run up to its slice end, the next
   * clock event, the end of the run or its cap, estimated from its own cycles
   * per instruction so far.
   */
  private budgetFor(p: PhysicalCp, l: Lcp, part: Partition): number {
    if (part.lcps.length > 1) for (const c of this.pcps) if (c !== p && c.lcp !== null && c.lcp.part === part) return this.chunk;
    let target = Math.min(this.runEnd, this.clock.nextEventTime());
    if (p.dedicatedTo === null) {
      target = Math.min(target, l.sliceEnd);
      if (this.preemptOnWake) target = Math.min(target, this.lookAgainAt(l, part, p.time));
    }
    if (part.capped) target = Math.min(target, p.time + Math.max(0, this.capAllowance(part) - part.capUsed));
    const cpu = l.cpu;
    const cpi = cpu.instructions > 0 ? Math.max(1, cpu.cycles / cpu.instructions) : 8;
    const n = Math.floor((target - p.time) / cpi);
    return Math.min(1_000_000, Math.max(this.chunk, n));
  }

  /** Steps 4 and 5: the logical CP leaves the physical CP; record why and queue it. */
  private release(p: PhysicalCp, l: Lcp, part: Partition, reason: ReleaseReason): void {
    part.counters.releases[reason]++;
    this.closeSegment(p, l, reason);
    l.lastReason = reason;
    const dedicated = p.dedicatedTo !== null;
    // Leaving the runnable ones (still running here, so counted): the system virtual time keeps its place.
    if (!dedicated && (reason === 'wait' || reason === 'stop')) this.noteLeaving();
    if (reason === 'wait') l.state = 'waiting';
    else if (reason === 'stop') l.state = 'stopped';
    else l.state = 'ready';
    l.readyAt = p.time;
    // A stopped one gets a wake check (its CPU may still be operating), a hosted kernel's a question
    // (its ready() and nextWake()). A guest's wait needs none: its timers are in the wake queue, and
    // what else can end the wait (an I/O interruption, a SIGP) marks its partition.
    if (reason === 'stop' || (reason === 'wait' && part.kernel !== null)) this.queueCheck(l, true);
    this.track(l);
    if (dedicated) {
      // A dedicated logical CP keeps its physical CP; it is only marked as not runnable.
      return;
    }
    l.physical = -1;
    p.last = l;
    p.lcp = null;
  }

  private openSegment(l: LogicalCp, t: number): void {
    if ((this.options.traceSegments ?? 0) > 0) this.segmentStart.set(l, t);
  }

  private closeSegment(p: PhysicalCp, l: LogicalCp, reason: ReleaseReason): void {
    const start = this.segmentStart.get(l);
    if (start === undefined) return;
    this.segmentStart.delete(l);
    if (this.segments.length >= (this.options.traceSegments ?? 0)) {
      this.segmentsDropped++;
      return;
    }
    this.segments.push({ physical: p.id, partition: l.partition, cp: l.index, start, end: p.time, reason });
  }

  /**
   * The recorded dispatches (`traceSegments` option), oldest first, plus the
   * logical CPs running now as open segments; `dropped` counts segments past
   * the limit.
   */
  dispatchTrace(): { readonly segments: readonly DispatchSegment[]; readonly dropped: number } {
    const open: DispatchSegment[] = [];
    for (const [l, start] of this.segmentStart) {
      if (l.physical < 0) continue;
      const p = this.pcps[l.physical]!;
      open.push({ physical: p.id, partition: l.partition, cp: l.index, start, end: Math.max(start, p.time), reason: 'running' });
    }
    return { segments: [...this.segments, ...open], dropped: this.segmentsDropped };
  }

  /**
   * End the coming chunk at the machine clock's next event (a device's next step, a HiperSockets
   * delivery), as a bare isa-core machine ends its quantum there (its `watchClock`): the event then
   * fires at the first instruction boundary at or after its time, and the guest takes the I/O
   * interruption where it would on a bare machine. Without this a chunk ran on to at least
   * `chunkInstructions` past the event: with a device event every ~190 instructions (the host-speed
   * bench's I/O mix) the guest saw each one up to 250 instructions late and completed 2 % fewer
   * channel programs per instruction than bare, less simulated work for the same guest code.
   * Re-evaluates the CPU's pending conditions either way. An event that fell due before the chunk
   * starts (during the dispatch's firmware path, which moves the physical CP's time but not the
   * clock) cannot end it there; it fires after the chunk, as before (the chunk is then
   * `chunkInstructions` long, see `budgetFor`).
   */
  private watchClock(l: Lcp): void {
    const sys = l.sys;
    let at = this.clock.nextEventTime();
    // The CPU stops once its local time reaches eventAt: one already there would stop before its
    // first instruction, and the chunk would make no progress.
    if (at <= l.cpu.cycles + sys.skew) at = Number.POSITIVE_INFINITY;
    if (at !== sys.eventAt) {
      sys.eventAt = at;
      // Folds eventAt into the CPU's deadline: setTimers re-evaluates the timers (none changes) and
      // the pending conditions.
      setTimers(l.cpu, NO_TIMER_CHANGE, sys);
    } else refreshPending(l.cpu, sys);
  }

  /**
   * Bring a logical CP's local time up to machine time `t` (its TOD clock follows the machine's),
   * and re-evaluate its pending conditions unless the caller does (`refresh` false).
   */
  private syncTime(l: Lcp, t: number, refresh = true): void {
    const cpu = l.cpu;
    const sys = l.sys;
    const behind = t - (cpu.cycles + sys.skew);
    if (behind > 0) {
      sys.skew += behind;
      if (cpu.timerDeadline !== Number.POSITIVE_INFINITY) cpu.timerDeadline -= behind;
      if (cpu.state !== 'operating') sys.timerSetAt += behind;
    }
    if (refresh) refreshPending(cpu, sys);
  }

  private canWake(l: Lcp): boolean {
    const kernel = l.part.kernel;
    if (kernel !== null) return l.state === 'waiting' && (kernel.ready(l.index) || Number.isFinite(kernel.nextWake(l.index)));
    const cpu = l.cpu;
    if (cpu.state !== 'operating') return false;
    if ((cpu.flags & PSW_WAIT_FLAG) === 0) return true;
    return cpu.pending !== 0 || cpu.timerDeadline !== Number.POSITIVE_INFINITY;
  }

  // ------------------------------------------------- the dispatcher's queues

  /**
   * Put a logical CP where its state says: the ready queue (shared and
   * ready), the wake queue (waiting, with the time its timer can wake it),
   * the list of woken ones (ready after a wait). Called after every change
   * of a logical CP's state, virtual time or `readyAt`.
   */
  private track(l: Lcp): void {
    const part = l.part;
    const live = part.active && part.lcps[l.index] === l;
    if (part.shared) {
      const slot = part.slotBase + l.index;
      const ready = live && l.state === 'ready';
      if (ready) this.queue.setReady(slot, l.vt, l.readyAt);
      else this.queue.setNotReady(slot);
      const woken = ready && l.lastReason === 'wait';
      if (woken && l.wokenPos < 0) {
        l.wokenPos = this.woken.length;
        this.woken.push(l);
      } else if (!woken && l.wokenPos >= 0) {
        const last = this.woken.pop()!;
        if (last !== l) {
          this.woken[l.wokenPos] = last;
          last.wokenPos = l.wokenPos;
        }
        l.wokenPos = -1;
      }
    }
    this.wakes.set(l.gid, live && l.state === 'waiting' ? this.wakeTime(l) : Number.POSITIVE_INFINITY);
  }

  /** Machine time at which a waiting logical CP's timers (or its hosted kernel's nextWake) can wake it. */
  private wakeTime(l: Lcp): number {
    if (l.part.kernel !== null) return l.kernelWake;
    const cpu = l.cpu;
    if (cpu.state !== 'operating') return Number.POSITIVE_INFINITY;
    return cpu.timerDeadline + l.sys.skew;
  }

  /** An event may have made a sleeping logical CP of the partition runnable: the next wake check looks at them. */
  private markDirty(p: Partition): void {
    if (p.dirty) return;
    p.dirty = true;
    this.dirtyParts.push(p);
  }

  /** The next wake check looks at `l` (and asks its hosted kernel, `ask`). */
  private queueCheck(l: Lcp, ask: boolean): void {
    if (ask) l.askKernel = true;
    if (l.check) return;
    l.check = true;
    this.checks.push(l);
  }

  /**
   * Step 5's other half: waiting logical CPs with an interruption pending
   * (or a timer due) go to the ready queue. Only the logical CPs something
   * concerned since the last check are looked at — those whose timers are
   * due (the wake queue), those of partitions an event touched (an I/O
   * interruption for their image, a sibling that ran, an operator action,
   * a new `run`) and those that just released — in tie-break order, so the
   * outcome is a scan's: a sleeping logical CP nothing concerned has
   * nothing pending and no timer due. A hosted kernel is asked `ready()`
   * and `nextWake()` only then, never once per chunk.
   */
  private wakeWaiting(t: number): void {
    const dirty = this.dirtyParts;
    if (dirty.length > 0) {
      for (let i = 0; i < dirty.length; i++) {
        const q = dirty[i]!;
        q.dirty = false;
        for (const l of q.lcps) if (l.state === 'waiting' || l.state === 'stopped') this.queueCheck(l, true);
      }
      dirty.length = 0;
    }
    const wakes = this.wakes;
    while (wakes.minKey <= t) {
      const l = this.byGid[wakes.pop()];
      if (l != null) this.queueCheck(l, false);
    }
    const checks = this.checks;
    if (checks.length === 0) return;
    if (checks.length > 1) checks.sort(byGid);
    for (let i = 0; i < checks.length; i++) {
      const l = checks[i]!;
      l.check = false;
      const ask = l.askKernel;
      l.askKernel = false;
      const q = l.part;
      if (!q.active || q.lcps[l.index] !== l || (l.state !== 'waiting' && l.state !== 'stopped')) continue;
      const kernel = q.kernel;
      if (kernel !== null) {
        // A hosted kernel's logical CP: only a waiting one wakes, when the kernel has work or its timer is due.
        if (l.state === 'waiting') {
          let wake = l.kernelWake <= t;
          if (ask) {
            wake = kernel.ready(l.index);
            if (!wake) {
              l.kernelWake = kernel.nextWake(l.index);
              wake = l.kernelWake <= t;
            }
          }
          if (wake) this.wake(l, t);
        }
        this.track(l);
        continue;
      }
      const cpu = l.cpu;
      if (cpu.state === 'operating') {
        const due = cpu.timerDeadline + l.sys.skew <= t;
        if (l.state === 'stopped' && (cpu.flags & PSW_WAIT_FLAG) !== 0 && cpu.pending === 0 && !due) {
          // Started by SIGP into a wait PSW: it is waiting, not stopped.
          l.state = 'waiting';
        } else if ((cpu.flags & PSW_WAIT_FLAG) === 0 || cpu.pending !== 0 || due) this.wake(l, t);
      }
      this.track(l);
    }
    checks.length = 0;
  }

  /** A sleeping logical CP goes to the ready queue, banking no credit for its sleep (`joinVt`). */
  private wake(l: Lcp, t: number): void {
    this.joinVt(l);
    l.state = 'ready';
    l.readyAt = t;
    this.track(l);
  }

  /**
   * The wake-up rule, applied to a shared logical CP about to join the
   * runnable ones (it must not be among them yet: its own virtual time
   * would be the floor and nothing would be raised). Its virtual time
   * becomes at least the smallest of the *other* runnable shared logical
   * CPs — BVT's A_i = max(A_i, SVT) (Duda & Cheriton 1999), SFQ's start
   * tag, CFS's `place_entity` without its sleeper bonus — or, when none is
   * runnable, the system virtual time the last runnable one left behind
   * (`svt`). Waiting earns no credit: the partition's unused share went to
   * the others while it waited, and it does not come back as a burst.
   * Dedicated logical CPs are outside the weights and keep theirs.
   */
  private joinVt(l: Lcp): void {
    if (!l.part.shared) return;
    this.svt = systemVirtualTime(this.svt, this.minVt());
    l.vt = wakeVirtualTime(l.vt, this.svt);
  }

  /** Before logical CPs leave the runnable ones: the system virtual time takes the smallest of them. */
  private noteLeaving(): void {
    this.svt = systemVirtualTime(this.svt, this.minVt());
  }

  /** Smallest virtual time among runnable (ready or running) shared logical CPs; Infinity when none. */
  private minVt(): number {
    let m = this.queue.minReadyVt;
    for (const c of this.pcps) {
      const l = c.lcp;
      if (l !== null && l.state === 'running' && l.part.shared && l.vt < m) m = l.vt;
    }
    return m;
  }

  /** The active, shared, capped partitions in RESOURCE order. */
  private cappedList(): readonly Partition[] {
    let list = this.cappedParts;
    if (list === null) {
      list = this.parts.filter((q) => q.active && q.shared && q.capped);
      this.cappedParts = list;
    }
    return list;
  }

  /** Roll every capped partition's window to `t` and hold back those over their allowance; true when one is held. */
  private refreshCaps(t: number): boolean {
    let blocked = false;
    for (const q of this.cappedList()) {
      this.rollCapWindow(q, t);
      const over = q.capUsed >= this.capAllowance(q);
      this.queue.setBlocked(q.index, over);
      if (over) blocked = true;
    }
    return blocked;
  }

  /** Partitions were activated, deactivated or restored: the weight sum, shared CPs and capped list change. */
  private partitionsChanged(): void {
    this.weightSum = -1;
    this.sharedCount = -1;
    this.cappedParts = null;
  }

  private rollCapWindow(q: Partition, t: number): void {
    const w = Math.floor(t / this.capWindowCycles);
    if (w !== q.capWindow) {
      q.capWindow = w;
      q.capUsed = 0;
    }
  }

  /** Cycles a capped partition may use per capping window: its weight's share of the shared physical CPs. */
  private capAllowance(q: Partition): number {
    let sum = this.weightSum;
    if (sum < 0) {
      sum = 0;
      for (const x of this.parts) if (x.active && x.profile?.dedicated !== true) sum += x.weight;
      this.weightSum = sum;
    }
    let shared = this.sharedCount;
    if (shared < 0) {
      shared = this.sharedPhysicalCps;
      this.sharedCount = shared;
    }
    return sum === 0 ? 0 : (q.weight / sum) * shared * this.capWindowCycles;
  }

  // ------------------------------------------------------ snapshot/restore

  /**
   * The machine's complete simulated state, I/O included (channel programs
   * in flight, pending interruptions, device state, volume contents). A
   * hosted kernel's state is host code and not in it: `restore` refuses
   * such a snapshot.
   */
  snapshot(): PrsmSnapshot {
    const frames: { frame: number; key: number; data: string }[] = [];
    const st = this.storage;
    for (let i = 0; i < st.frameCount; i++) {
      const f = st.frames[i];
      if (f !== undefined) frames.push({ frame: i, key: st.keys[i]!, data: toBase64(f) });
    }
    const b64 = (b: Uint8Array): string => toBase64(b);
    const volumes: VolumeSnapshot[] = [...this.volumes.entries()].map(([deviceNumber, vol]) => ({
      deviceNumber,
      tracks: [...vol.writtenTracks()].map((t) => ({ cc: t.cc, hh: t.hh, records: t.records.map((r) => ({ cc: r.cc, hh: r.hh, r: r.r, key: b64(r.key), data: b64(r.data) })) })),
    }));
    return {
      kind: 'prsm',
      version: 2,
      time: this.clock.now(),
      frames,
      partitions: this.parts
        .filter((p) => p.active)
        .map((p) => ({
          name: p.name,
          weight: p.weight,
          capped: p.capped,
          layout: p.layout!,
          counters: structuredClone(p.counters),
          capWindow: p.capWindow,
          capUsed: p.capUsed,
          kernel: p.kernel?.name ?? null,
          lcps: p.lcps.map((l) => ({
            cpu: snapshotCpu(l.cpu),
            state: l.state,
            vt: l.vt,
            cycles: l.cycles,
            dispatches: l.dispatches,
            readyAt: l.readyAt,
            sliceEnd: l.sliceEnd,
            lastReason: l.lastReason,
            timerDeadline: Number.isFinite(l.cpu.timerDeadline) ? l.cpu.timerDeadline : null,
            eventAt: Number.isFinite(systemOf(l.cpu).eventAt) ? systemOf(l.cpu).eventAt : null,
          })),
        })),
      physical: this.pcps.map((c) => ({
        time: c.time,
        busy: c.busy,
        idle: c.idle,
        overhead: c.overhead,
        dispatches: c.dispatches,
        lcp: c.lcp === null ? null : ([c.lcp.partition, c.lcp.index] as const),
        last: c.last === null ? null : ([c.last.partition, c.last.index] as const),
      })),
      dispatches: this.dispatches,
      decisions: this.decisions,
      systemVt: this.svt,
      channels: [...this.subsystems.entries()].map(([css, sub]) => ({ css, state: sub.snapshot() })),
      volumes,
    };
  }

  /**
   * Restore a snapshot into a fresh machine made from the same deck and
   * profiles (nothing activated, clock at 0). Partitions are activated with
   * the snapshot's storage layout and every logical CP goes back to the
   * physical CP it was bound to, and the channel subsystems take back their
   * subchannels, programs in flight and device events, so the restored
   * machine continues exactly as the original would.
   */
  restore(s: PrsmSnapshot): PrsmResult<void> {
    if (s?.kind !== 'prsm' || s.version !== 2) return fail('SNAPSHOT', null, 'not a version-2 PR/SM snapshot');
    const hosted = s.partitions.find((p) => p.kernel !== null);
    if (hosted !== undefined) {
      return fail('SNAPSHOT', null, `partition ${hosted.name} ran a hosted kernel (${hosted.kernel}) whose state is host code, not in a PR/SM snapshot; snapshot the kernel itself (CP: ControlProgram.snapshot) or deactivate the partition first`);
    }
    if (this.parts.some((p) => p.active) || this.clock.now() !== 0) return fail('SNAPSHOT', null, 'restore needs a freshly created machine');
    if (s.physical.length !== this.pcps.length) return fail('SNAPSHOT', null, 'snapshot has a different number of physical CPs', String(this.pcps.length), String(s.physical.length));
    this.clock.advanceTo(s.time);
    for (const sp of s.partitions) {
      const a = this.activate(sp.name, sp.layout);
      if (!a.ok) return a;
      const p = this.find(sp.name)!;
      if (sp.lcps.length !== p.lcps.length) return fail('SNAPSHOT', null, `partition ${sp.name} has ${p.lcps.length} logical CPs, the snapshot ${sp.lcps.length}`);
      p.weight = sp.weight;
      p.capped = sp.capped;
      p.counters = structuredClone(sp.counters);
      p.capWindow = sp.capWindow;
      p.capUsed = sp.capUsed;
      for (let i = 0; i < sp.lcps.length; i++) {
        const ls = sp.lcps[i]!;
        const l = p.lcps[i]!;
        const r = restoreCpu(l.cpu, ls.cpu);
        if (!r.ok) return fail('SNAPSHOT', null, `logical CP ${i} of ${sp.name}: ${r.error.message}`);
        l.state = ls.state;
        l.vt = ls.vt;
        l.cycles = ls.cycles;
        l.dispatches = ls.dispatches;
        l.readyAt = ls.readyAt;
        l.sliceEnd = ls.sliceEnd;
        l.lastReason = ls.lastReason;
        l.cpu.timerDeadline = ls.timerDeadline ?? Number.POSITIVE_INFINITY;
        systemOf(l.cpu).eventAt = ls.eventAt ?? Number.POSITIVE_INFINITY;
        l.physical = -1;
      }
    }
    const lcpOf = (ref: readonly [string, number] | null): Lcp | null => (ref === null ? null : (this.find(ref[0])?.lcps[ref[1]] ?? null));
    for (const f of s.frames) {
      const data = fromBase64(f.data);
      if (data === null || data.length !== 4096) return fail('SNAPSHOT', null, `frame ${f.frame} is corrupt`);
      this.storage.writeFrom((f.frame * 4096) as AbsoluteAddress, data);
      this.storage.keys[f.frame] = f.key;
    }
    s.physical.forEach((sp, i) => {
      const c = this.pcps[i]!;
      c.time = Math.max(sp.time, s.time);
      c.busy = sp.busy;
      c.idle = sp.idle;
      c.overhead = sp.overhead;
      c.dispatches = sp.dispatches;
      c.lcp = lcpOf(sp.lcp);
      c.last = lcpOf(sp.last);
      if (c.lcp !== null) c.lcp.physical = c.id;
    });
    this.partitionsChanged();
    for (const p of this.parts) {
      for (const l of p.lcps) this.track(l);
      if (p.active) this.markDirty(p);
    }
    this.dispatches = s.dispatches;
    this.decisions = s.decisions;
    // A snapshot from before the system virtual time was kept: the smallest runnable virtual time, as a fresh machine would see it.
    const runnable = this.minVt();
    this.svt = s.systemVt ?? (runnable === Number.POSITIVE_INFINITY ? 0 : runnable);
    for (const c of s.channels) {
      const css = this.subsystems.get(c.css);
      const err = css === undefined ? `no channel subsystem ${c.css} in this deck` : css.restore(c.state);
      if (err !== null) return fail('SNAPSHOT', null, `channel subsystem ${c.css}: ${err}`);
    }
    for (const v of s.volumes) {
      const vol = this.volumes.get(v.deviceNumber);
      if (vol === undefined) return fail('SNAPSHOT', null, `no 3390 at ${hex4(v.deviceNumber)} in this deck`);
      for (const t of v.tracks) {
        const records = t.records.map((r) => ({ cc: r.cc, hh: r.hh, r: r.r, key: fromBase64(r.key), data: fromBase64(r.data) }));
        if (records.some((r) => r.key === null || r.data === null)) return fail('SNAPSHOT', null, `volume ${hex4(v.deviceNumber)} track ${t.cc}/${t.hh} is corrupt`);
        vol.setTrack(t.cc, t.hh, records as { cc: number; hh: number; r: number; key: Uint8Array; data: Uint8Array }[]);
      }
    }
    return ok(undefined);
  }
}

/** Build a PR/SM machine from a parsed deck and profiles; cross-checks that every profile names a partition of the deck. */
export function createPrsm(options: PrsmOptions): PrsmResult<Prsm> {
  for (const im of options.profiles.images) {
    if (!options.iocp.partitions.some((p) => p.name === im.name)) {
      return fail('UNDEFINED_PARTITION', im.at, `profile [${im.name}] names no partition of the IOCP deck ${options.iocp.file}`, options.iocp.partitions.map((p) => p.name).join(', '), im.name);
    }
  }
  const dedicated = options.profiles.images.filter((im) => im.dedicated).reduce((n, im) => n + im.cps, 0);
  if (dedicated > options.profiles.cpc.cps) {
    const first = options.profiles.images.find((im) => im.dedicated)!;
    return fail('NO_CPS', first.at, `profiles dedicate ${dedicated} CPs, the CPC has ${options.profiles.cpc.cps}`, `<= ${options.profiles.cpc.cps}`, String(dedicated));
  }
  return ok(new Prsm(options));
}

const hex = (n: number): string => `0x${n.toString(16).toUpperCase()}`;

/** Tie-break order of the one ready queue: partitions in RESOURCE order, then CPU address. */
const orderOf = (l: LogicalCp, p: Partition): number => p.index * 64 + l.index;

/** Sort order of logical CPs by wake-queue id (the tie-break order). */
const byGid = (a: Lcp, b: Lcp): number => a.gid - b.gid;
