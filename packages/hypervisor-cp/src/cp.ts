/**
 * The Control Program: the host kernel that owns the real machine (storage,
 * clock, real DASD) and runs every user in a virtual machine defined by the
 * user directory. The common hypervisor shape (spec/style.md): create from a
 * config, LOGON/LOGOFF (create and destroy VMs), start/stop, run for a budget
 * of simulated time, snapshot/restore, counters.
 *
 * CP dispatches virtual CPUs on one real CPU with a pluggable scheduler
 * (@strachey/scheduler-bvt: BVT, credit or round-robin), keeping the lists
 * real CP keeps: the *dispatch list* (runnable virtual CPUs), the *eligible
 * list* (logged on, waiting for an interruption that can come — enabled wait
 * or DIAGNOSE I/O), and the *dormant list* (stopped, disabled wait, nothing to
 * do).
 */
import {
  Access,
  type CostModel,
  createTranslationStatus,
  Esa390Cpu,
  ESA390_REFERENCE_MACHINE,
  SimClock,
  SparseStorage,
  type StoragePort,
  type Translator,
  type AbsoluteAddress,
} from '@strachey/isa-core';
import type { CkdVolume } from '@strachey/io-channel';
import { createRoundRobin, type Scheduler } from '@strachey/scheduler-bvt';
import { executeCommand } from './commands';
import { parseDirectory } from './directory/parse';
import type { AccessMode, Directory, DirectoryError, DirectoryUser } from './directory/types';
import { modeWantsWrite } from './directory/types';
import { type ResolvedMinidisk, validateDirectory } from './directory/validate';
import type { RealIoPort, VirtualDevice } from './io/virtual-io';
import { type CpChannelSubsystem, RealIo } from './real-io';
import { SavedSystems } from './saved-systems';
import { SpoolSystem } from './spool';
import { CP_AREA_BYTES, SIE_UNIT } from './vm/guest-storage';
import { type ExecutionStyle, VirtualMachine, type VmCounters, type VmHost } from './vm/virtual-machine';
import { type Esa390DatContext, InterpretiveExecution } from '@strachey/isa-core';
import { createEsa390Dat } from '@strachey/mmu';

/** A real DASD volume given to CP: its volser and its CKD contents (io-channel). */
export interface CpVolume {
  readonly volser: string;
  readonly volume: CkdVolume;
  /** Real device number on CP's channel subsystem; default 0x100 + its index. */
  readonly devnum?: number;
}

/**
 * What CP gets when it runs in a logical partition (PR/SM) instead of owning
 * a machine: the partition's real storage, the machine's one clock and the
 * partition's image of the channel subsystem. CP's real storage is then the
 * partition's, contiguous from 0 (the zone or block table relocates it);
 * guest windows are carved out of it, and CP's CPUs reach it through
 * `relocation`, composed after each guest's window.
 */
export interface CpPartition {
  /** The partition's real storage as its OS addresses it (0 … size - 1). */
  readonly storage: StoragePort;
  /** The machine's physical storage, which CPUs index. */
  readonly machineStorage: SparseStorage;
  /** Partition real → machine absolute (zone origin/limit or block table). */
  readonly relocation: Translator;
  /** The machine's clock (one simulated clock for the whole machine). */
  readonly clock: SimClock;
  /** The partition's channel subsystem image: CP's real DASD are the partition's devices. */
  readonly channels: CpChannelSubsystem;
}

/** Options of `createCp`. */
export interface CpOptions {
  /** USER DIRECT source text, or a directory already parsed. */
  readonly directory: string | Directory;
  /** File name for error messages. */
  readonly directoryFile?: string;
  readonly volumes: readonly CpVolume[];
  /** CP's real storage in bytes (guest windows are carved out of it); default 1 GB. */
  readonly realStorage?: number;
  readonly costModel?: CostModel;
  /** The dispatcher's policy; default round-robin with a 50,000-cycle slice. */
  readonly scheduler?: Scheduler;
  /** Instructions per real-CPU run() slice (default 20,000). */
  readonly quantum?: number;
  /** Default execution style of virtual machines (per user: `logon(…, { style })`); default 'trap-and-emulate'. */
  readonly style?: ExecutionStyle;
  /**
   * Run CP in a logical partition (see `CpPartition`): `realStorage` is
   * ignored, volumes are found at their `devnum` on the partition's channel
   * subsystem, and `run()` returns 'wait' when nothing can run instead of
   * advancing the machine's clock (the partition's firmware gives the CPU
   * to others; `hasWork()` / `nextWake()` say when to run CP again).
   */
  readonly partition?: CpPartition;
}

/**
 * What CP asks its terminal side (src/terminal, or a host's own): which
 * terminal a logged-on user is connected on, and since when. CP's command
 * processor answers QUERY NAMES, MSG and CONNECT= from it, whether the
 * command was typed at CP READ, passed with `#CP` or issued by the guest
 * with DIAGNOSE X'08': a user's terminal belongs to the user, not to the
 * path a command came by. A terminal side registers itself with
 * `ControlProgram.connectTerminals`.
 */
export interface CpTerminalPort {
  /** CP's name for the terminal (a logical device, L0001…) `userid` is connected on, or null when disconnected. */
  terminalOf(userid: string): string | null;
  /** Simulated seconds since the TOD epoch at which `userid`'s terminal connected (LOGON or RECONNECT), or null when disconnected. */
  connectedSince(userid: string): number | null;
}

/** Why `run()` returned. */
export type CpRunResult =
  | { readonly reason: 'budget'; readonly cycles: number }
  /** Nothing can run and nothing is scheduled to wake anything. */
  | { readonly reason: 'idle'; readonly cycles: number }
  /**
   * CP in a partition: nothing can run now; CP gives its CPU back instead of
   * advancing the clock. Run it again when `hasWork()` (a real I/O
   * interruption came, a user got input) or at `wakeAt` (a virtual timer).
   */
  | { readonly reason: 'wait'; readonly cycles: number; readonly wakeAt: number };

/** Aggregated counters of CP. */
export interface CpCounters {
  readonly dispatches: number;
  readonly realIoStarts: number;
  readonly realIoCompletions: number;
  /** Per logged-on user. */
  readonly users: Readonly<Record<string, VmCounters>>;
}

/** An error value of CP operations (LOGON, LINK, …) with CP's message text. */
export interface CpError {
  readonly code: string;
  readonly message: string;
}

/** A CP snapshot: every logged-on VM's architected state and the spool (see `ControlProgram.snapshot`). */
export interface CpSnapshot {
  readonly time: number;
  readonly vms: readonly VmSnapshot[];
  readonly spool: ReturnType<SpoolSystem['snapshot']>;
}

interface VmSnapshot {
  readonly userid: string;
  readonly frames: ReadonlyMap<number, Uint8Array>;
  readonly keys: Uint8Array;
  readonly cpus: readonly {
    gpr: Int32Array;
    cr: Int32Array;
    psw: [number, number];
    prefix: number;
    ckcWords: Uint32Array;
    ckc: number;
    timerLeft: number;
    state: string;
    externalPending: number;
  }[];
  readonly console: readonly string[];
}

/** A virtual CPU as CP's dispatcher sees it: its scheduler entity's runnable flag as CP last set it, and when its timer wakes it. */
interface Entity {
  readonly vm: VirtualMachine;
  readonly cpu: number;
  runnable: boolean;
  /** Host time its clock comparator or CPU timer wakes it while it waits, or Infinity. */
  timerAt: number;
}

interface Logged {
  readonly vm: VirtualMachine;
  readonly user: DirectoryUser;
  readonly origin: number;
  readonly span: number;
  /** Minidisks this user holds with write access, keyed `OWNER vdev`. */
  readonly writeLinks: Set<string>;
}

const MB = 1024 * 1024;

/** The Control Program; see `createCp`. */
export class ControlProgram {
  readonly directory: Directory;
  readonly minidisks: ReadonlyMap<string, ResolvedMinidisk>;
  readonly clock: SimClock;
  readonly costModel: CostModel;
  /**
   * The storage CP's CPUs index: CP's own real storage, or the machine's
   * physical storage when CP runs in a partition (then `realView` is CP's
   * real storage and `realLayer` relocates it).
   */
  readonly realStorage: SparseStorage;
  /** CP's real storage as CP addresses it (0 … size - 1). */
  readonly realView: StoragePort;
  /** CP real → `realStorage`: the partition's relocation, or null when CP owns its storage. */
  readonly realLayer: Translator | null;
  /** Whether `run()` returns 'wait' when idle (CP in a partition) instead of advancing the clock. */
  readonly hosted: boolean;
  readonly realIo: RealIo;
  readonly spool = new SpoolSystem();
  /** Named saved systems (NSS): `IPL name` maps their shared pages instead of reading a disk (src/saved-systems.ts). */
  readonly savedSystems: SavedSystems;
  readonly scheduler: Scheduler;
  private readonly logged = new Map<string, Logged>();
  private readonly volumeDevnum = new Map<string, number>();
  private readonly entities = new Map<number, Entity>();
  private nextEntity = 1;
  /** Virtual CPUs whose runnable state may have changed (I/O completion, dispatch, API calls). */
  private readonly dirty = new Set<number>();
  /** Waiting virtual CPUs with a timer that will wake them (run() keeps it). */
  private readonly timed = new Set<number>();
  private dispatches = 0;
  /** Free regions of real storage (origin → bytes), first fit. */
  private readonly free: { origin: number; size: number }[];
  private readonly quantum: number;
  private readonly style: ExecutionStyle;
  /** The interpretive-execution facility and CP's host CPU that issues SIE (style 2). */
  readonly sie: { readonly facility: InterpretiveExecution; readonly hostCpu: Esa390Cpu };

  constructor(directory: Directory, minidisks: ReadonlyMap<string, ResolvedMinidisk>, options: CpOptions) {
    this.directory = directory;
    this.minidisks = minidisks;
    this.costModel = options.costModel ?? ESA390_REFERENCE_MACHINE;
    const part = options.partition;
    this.hosted = part !== undefined;
    this.clock = part?.clock ?? new SimClock(this.costModel.mhz);
    const size = part !== undefined ? part.storage.size : (options.realStorage ?? 1024 * MB);
    this.realStorage = part?.machineStorage ?? new SparseStorage(size);
    this.realView = part?.storage ?? this.realStorage;
    this.realLayer = part?.relocation ?? null;
    // Real storage below 1 MB is CP's own (its nucleus in a real system); guests live above it.
    this.free = [{ origin: MB, size: size - MB }];
    this.realIo = new RealIo(this.realView, this.clock, part?.channels);
    options.volumes.forEach((v, i) => {
      const devnum = v.devnum ?? 0x100 + i;
      this.realIo.attachVolume(devnum, v.volser.toUpperCase(), v.volume);
      this.volumeDevnum.set(v.volser.toUpperCase(), devnum);
    });
    this.quantum = options.quantum ?? 20_000;
    this.style = options.style ?? 'trap-and-emulate';
    // CP's own CPU: supervisor state, DAT off, prefix 0 — it only ever executes SIE.
    const hostCpu = new Esa390Cpu({ id: 0, storage: this.realStorage, hostLayer: this.realLayer, costModel: this.costModel });
    hostCpu.state = 'operating';
    // Guests under SIE walk their own DAT tables in their own storage (two-level translation, mmu's walker).
    const dat = (context: Esa390DatContext, storage: StoragePort) => createEsa390Dat({ storage, context, costModel: this.costModel });
    // No program-loop limit (not architecture): a guest caught in a program-interruption loop takes its own
    // interruptions, as on the hardware; each entry still ends at its budget, which counts interruptions, so CP
    // and the other users keep running, and the guest sees exactly what a limit's reflection would show it.
    this.sie = { facility: new InterpretiveExecution({ clock: this.clock, dat }), hostCpu };
    this.savedSystems = new SavedSystems(this.realStorage, (f) => this.machineFrame(f), (vm) => {
      // A VM run by SIE executes on the facility's guest CPUs: they cache frames too.
      if (vm.style !== 'sie') return;
      for (let i = 0; i < vm.cpus.length; i++) this.sie.facility.guestCpu(vm.stateDescriptionAddress(i))?.flushTlb();
    });
    if (options.scheduler) this.scheduler = options.scheduler;
    else {
      const rr = createRoundRobin({ slice: 50_000 });
      if (!rr.ok) throw new Error(rr.error.message);
      this.scheduler = rr.value;
    }
  }

  /**
   * Issue a CP command as a logged-on user would at the terminal (the same
   * commands and responses as DIAGNOSE X'008' gives the guest, terminals
   * included: `connectTerminals`).
   */
  command(userid: string, text: string): { rc: number; lines: string[] } {
    const vm = this.vm(userid);
    if (vm === undefined) return { rc: 45, lines: [`HCPCMD045E ${userid.toUpperCase()} not logged on`] };
    return executeCommand(this, vm, text);
  }

  /**
   * Register a terminal side (`CpTerminalPort`): from now on every CP
   * command, whichever way it arrives, sees which users it has connected.
   * With more than one registered, the first that has the user connected
   * answers.
   */
  connectTerminals(port: CpTerminalPort): void {
    this.terminalPorts.push(port);
  }

  private readonly terminalPorts: CpTerminalPort[] = [];

  /**
   * The terminal `userid` is connected on (L0001…), null when disconnected,
   * or undefined when no terminal side is registered (CP driven through its
   * API only, which has no terminals to ask).
   */
  terminalOf(userid: string): string | null | undefined {
    if (this.terminalPorts.length === 0) return undefined;
    for (const p of this.terminalPorts) {
      const t = p.terminalOf(userid);
      if (t !== null) return t;
    }
    return null;
  }

  /**
   * Simulated seconds since the TOD epoch from which CONNECT= counts: the
   * user's terminal connection (LOGON or RECONNECT), else the LOGON
   * (`loggedOnAt`) for a user no terminal has; undefined when not logged on.
   */
  connectedSince(userid: string): number | undefined {
    for (const p of this.terminalPorts) {
      const t = p.connectedSince(userid);
      if (t !== null) return t;
    }
    return this.loggedOnAt(userid);
  }

  /** Logged-on userids. */
  users(): string[] {
    return [...this.logged.keys()];
  }

  /** The virtual machine of a logged-on user. */
  vm(userid: string): VirtualMachine | undefined {
    return this.logged.get(userid.toUpperCase())?.vm;
  }

  /**
   * The real device number of the mounted DASD volume `volser` (the volume
   * serial a minidisk's MDISK statement names), or undefined when no such
   * volume is mounted. LINK finds the owner's minidisk through it.
   */
  volumeDevice(volser: string): number | undefined {
    return this.realIo.deviceOfVolser(volser);
  }

  /**
   * The logged-on user (other than `except`) holding minidisk `owner
   * ownerVdev` R/W, or null. An index answers it (LOGON's forced-R/O check
   * asks for every link, so scanning every user made LOGON cost grow with
   * the square of the users logged on).
   */
  minidiskWriter(owner: string, ownerVdev: number, except?: string): string | null {
    const holders = this.writers.get(`${owner} ${ownerVdev}`);
    if (holders === undefined) return null;
    for (const u of holders.keys()) if (u !== except) return u;
    return null;
  }

  /**
   * z/VM's access-mode rules for linking minidisk `owner ownerVdev` with
   * `mode`, the same for a directory LINK/MDISK at LOGON and the LINK
   * command: R/RR read-only; W/M refused while another user (`holder`, not
   * `except`) holds it R/W; WR/MR then fall back to read-only; MW links R/W
   * regardless.
   */
  linkAccess(
    owner: string,
    ownerVdev: number,
    mode: AccessMode,
    except?: string,
  ): { readonly access: 'read' | 'write' | 'refused' | 'forced-read' | 'shared-write'; readonly holder: string | null } {
    if (!modeWantsWrite(mode)) return { access: 'read', holder: null };
    const holder = this.minidiskWriter(owner, ownerVdev, except);
    if (holder === null) return { access: 'write', holder };
    if (mode === 'W' || mode === 'M') return { access: 'refused', holder };
    return { access: mode === 'MW' ? 'shared-write' : 'forced-read', holder };
  }

  /**
   * Tell CP that a device of `userid`'s virtual machine came or went after
   * LOGON (LINK, ATTACH, DETACH): a minidisk held R/W enters or leaves the
   * writers' index `minidiskWriter` reads. LOGON, DEFINE STORAGE and LOGOFF
   * keep the index themselves.
   */
  deviceChanged(userid: string, device: VirtualDevice, change: 'attached' | 'detached'): void {
    this.noteWriter(userid.toUpperCase(), device, change === 'attached' ? 1 : -1);
  }

  /** Minidisk `OWNER vdev` → the users holding it R/W → through how many of their devices. */
  private readonly writers = new Map<string, Map<string, number>>();

  private noteWriter(userid: string, d: VirtualDevice, delta: 1 | -1): void {
    if (d.kind !== 'minidisk' || d.readOnly) return;
    const key = `${d.owner} ${d.ownerVdev}`;
    let holders = this.writers.get(key);
    if (holders === undefined) {
      if (delta < 0) return;
      holders = new Map();
      this.writers.set(key, holders);
    }
    const n = (holders.get(userid) ?? 0) + delta;
    if (n > 0) holders.set(userid, n);
    else {
      holders.delete(userid);
      if (holders.size === 0) this.writers.delete(key);
    }
  }

  /**
   * LOGON: build the user's virtual machine from the directory — storage
   * window, virtual CPUs, devices in directory order, links resolved with
   * their access modes. The machine is in the stopped state until `start`
   * or an IPL. Its execution style is `options.style`, else the entry's
   * OPTION SIE | TRAPEMULATE, else CP's default.
   */
  logon(userid: string, password?: string, options: { style?: ExecutionStyle } = {}): { ok: true; vm: VirtualMachine } | { ok: false; error: CpError } {
    const id = userid.toUpperCase();
    const user = this.directory.users.get(id);
    if (user === undefined) return { ok: false, error: { code: 'HCPLGA053E', message: `${id} not in CP directory` } };
    if (this.logged.has(id)) return { ok: false, error: { code: 'HCPLGA054E', message: `Already logged on` } };
    if (password !== undefined && user.password !== 'NOPASS' && password.toUpperCase() !== user.password) {
      return { ok: false, error: { code: 'HCPLGA050E', message: 'LOGON unsuccessful--incorrect password' } };
    }
    if (user.password === 'NOLOG') return { ok: false, error: { code: 'HCPLGA050E', message: `${id} may not log on (NOLOG)` } };
    const style = options.style ?? user.executionStyle ?? this.style;
    if (style === 'sie' && user.storage % SIE_UNIT !== 0) {
      return { ok: false, error: { code: 'SIE_STORAGE', message: `SIE relocates in 64K units; ${id}'s storage is not a multiple of 64K` } };
    }
    // Windows are carved in 64 KB units (SIE's MSO/MSE granularity), so thousands of small users fit.
    const span = Math.ceil(user.storage / SIE_UNIT) * SIE_UNIT + CP_AREA_BYTES;
    const origin = this.allocate(span);
    if (origin < 0) return { ok: false, error: { code: 'HCPLGA056E', message: 'Not enough real storage for the virtual machine' } };
    const writeLinks = new Set<string>();
    const devices: VirtualDevice[] = [];
    const messages: string[] = [];
    for (const d of user.devices) {
      switch (d.kind) {
        case 'console':
          devices.push({ kind: 'console', vdev: d.vdev, devtype: 0x3215 });
          break;
        case 'spool':
          if (d.device === 'reader') devices.push({ kind: 'reader', vdev: d.vdev, devtype: 0x2540, spoolClass: d.spoolClass, file: null, position: 0 });
          else devices.push({ kind: d.device, vdev: d.vdev, devtype: d.devtype, target: { to: '*SYSTEM', spoolClass: d.spoolClass }, records: [] });
          break;
        case 'mdisk':
        case 'link': {
          const owner = d.kind === 'mdisk' ? id : d.owner;
          const ownerVdev = d.kind === 'mdisk' ? d.vdev : d.ownerVdev;
          const md = this.minidisks.get(`${owner} ${ownerVdev}`);
          if (md === undefined) break;
          const key = `${owner} ${ownerVdev}`;
          // The logged-on users' devices say who holds it R/W now (LINK and DETACH change that after their LOGON).
          const { access, holder } = this.linkAccess(owner, ownerVdev, d.mode);
          if (access === 'refused') {
            messages.push(`HCPLNM104E ${owner} ${hex(ownerVdev)} not linked; R/W by ${holder}`);
            break;
          }
          if (access === 'forced-read') messages.push(`HCPLNM101W DASD ${hex(d.vdev)} forced R/O; R/W by ${holder}`);
          const readOnly = access === 'read' || access === 'forced-read';
          if (!readOnly) writeLinks.add(key);
          devices.push({
            kind: 'minidisk',
            vdev: d.vdev,
            devtype: 0x3390,
            realDevice: this.volumeDevice(md.volser) ?? -1,
            volser: md.volser,
            startCylinder: md.startCylinder,
            cylinders: md.cylinders,
            readOnly,
            owner,
            ownerVdev,
          });
          break;
        }
        case 'dedicate':
          messages.push(`HCPATR040E Device ${hex(d.rdev)} not available for DEDICATE`);
          break;
      }
    }
    const vm = this.build(id, user, origin, span, user.storage, devices, style, writeLinks);
    this.logonTimes.set(id, Math.floor(this.clock.now() / this.clock.cyclesPerMicrosecond / 1e6));
    for (const m of messages) vm.consoleLine(m);
    return { ok: true, vm };
  }

  /** Make a virtual machine in a storage window and register its CPUs with the scheduler. */
  private build(
    id: string,
    user: DirectoryUser,
    origin: number,
    span: number,
    size: number,
    devices: readonly VirtualDevice[],
    style: ExecutionStyle,
    writeLinks: Set<string>,
  ): VirtualMachine {
    const host: VmHost = {
      clock: this.clock,
      costModel: this.costModel,
      command: (vm, text) => executeCommand(this, vm, text, { source: 'guest' }),
      poll: () => this.realIo.poll(),
    };
    const vm = new VirtualMachine({
      userid: id,
      host: this.realStorage,
      realView: this.realView,
      realLayer: this.realLayer,
      origin,
      size,
      // MACHINE ESA n: n virtual CPUs; CPU 0 starts, the others wait for SIGP.
      cpus: user.machine.maxCpus,
      devices,
      vmHost: host,
      quantum: this.quantum,
      style,
      sie: this.sie,
      ioPort: (v) => this.ioPort(v),
    });
    // An interruption made pending for the VM (I/O completion, DIAGNOSE I/O done) may make its CPUs runnable.
    vm.io.onPending = () => {
      for (const c of vm.cpus) this.dirty.add(c.entity);
    };
    this.logged.set(id, { vm, user, origin, span, writeLinks });
    for (const d of devices) this.noteWriter(id, d, 1);
    vm.cpus.forEach((c, i) => {
      const e = this.nextEntity++;
      c.entity = e;
      this.entities.set(e, { vm, cpu: i, runnable: false, timerAt: Number.POSITIVE_INFINITY });
      this.scheduler.add(e, { name: `${id}.${i}`, weight: 1 }, this.clock.now());
    });
    return vm;
  }

  /**
   * DEFINE STORAGE: give a logged-on user a new storage size (up to the
   * directory's maximum). As in z/VM this is a system reset: storage is
   * cleared, the virtual CPUs stop; devices, links and spool state stay. The
   * user gets a new `VirtualMachine` object (the old one must not be used).
   * Refused while the user's real I/O is in flight.
   */
  defineStorage(userid: string, bytes: number): { ok: true; vm: VirtualMachine } | { ok: false; error: CpError } {
    const id = userid.toUpperCase();
    const l = this.logged.get(id);
    if (l === undefined) return { ok: false, error: { code: 'HCPCMD045E', message: `${id} not logged on` } };
    if (!Number.isInteger(bytes) || bytes <= 0 || bytes % 4096 !== 0) return { ok: false, error: { code: 'HCPDST026E', message: 'Operand missing or invalid' } };
    if (bytes > l.user.maxStorage) return { ok: false, error: { code: 'HCPDST094E', message: `Storage exceeds allowed maximum of ${l.user.maxStorage / 1024}K` } };
    if (l.vm.style === 'sie' && bytes % SIE_UNIT !== 0) return { ok: false, error: { code: 'SIE_STORAGE', message: 'SIE relocates in 64K units' } };
    // Only real I/O refuses it: a console READ waiting for a line (a CMS waiting at VM READ) ends with the reset.
    if (l.vm.io.subchannels.some((s) => s.busy && s.device.kind === 'minidisk')) return { ok: false, error: { code: 'HCPDST091E', message: 'I/O is active on the virtual machine' } };
    const span = Math.ceil(bytes / SIE_UNIT) * SIE_UNIT + CP_AREA_BYTES;
    const origin = this.allocate(span);
    if (origin < 0) return { ok: false, error: { code: 'HCPLGA056E', message: 'Not enough real storage for the virtual machine' } };
    const devices = l.vm.io.subchannels.map((s) => s.device);
    const lines = [...l.vm.consoleLines];
    this.release(l);
    const vm = this.build(id, l.user, origin, span, bytes, devices, l.vm.style, l.writeLinks);
    vm.consoleLines.push(...lines);
    vm.consoleLine(`STORAGE = ${bytes % (1 << 20) === 0 ? `${bytes >>> 20}M` : `${bytes >>> 10}K`}`);
    vm.consoleLine('Storage cleared - system reset.');
    return { ok: true, vm };
  }

  /** Take a VM's CPUs off the scheduler and give its storage back, scrubbed. */
  private release(l: Logged): void {
    for (const s of l.vm.io.subchannels) this.noteWriter(l.vm.userid, s.device, -1);
    // Its real channel programs stop first (real CSCH): none may store into this storage once it is another user's.
    l.vm.io.reset(false);
    for (const c of l.vm.cpus) {
      this.scheduler.remove(c.entity, this.clock.now());
      this.entities.delete(c.entity);
    }
    // Shared saved-system frames are unmapped, never scrubbed: they are every other user's too.
    this.savedSystems.release(l.vm);
    // Scrub the frames so the next user of this storage cannot read them.
    for (let f = l.origin >>> 12; f < (l.origin + l.span) >>> 12; f++) {
      const m = this.machineFrame(f);
      if (this.realStorage.frames[m] !== undefined) this.realStorage.frames[m]!.fill(0);
      this.realStorage.keys[m] = 0;
    }
    this.free.push({ origin: l.origin, size: l.span });
  }

  /** LOGOFF: destroy the VM, release its storage and links (its spool files stay). */
  logoff(userid: string): boolean {
    const id = userid.toUpperCase();
    const l = this.logged.get(id);
    if (l === undefined) return false;
    this.release(l);
    this.logged.delete(id);
    this.logonTimes.delete(id);
    return true;
  }

  /** Simulated seconds since the TOD epoch at which a logged-on user logged on (CONNECT= of QUERY TIME and LOGOFF). */
  loggedOnAt(userid: string): number | undefined {
    return this.logonTimes.get(userid.toUpperCase());
  }

  private readonly logonTimes = new Map<string, number>();

  /**
   * LOGOFF asked for by the guest itself (CP LOGOFF through DIAGNOSE X'08',
   * as CMS issues it): the user's virtual CPUs stop now, the DIAGNOSE
   * completes, and the virtual machine is destroyed when the dispatcher has
   * its CPU back (`run` does it) — never while one of its CPUs is executing.
   */
  logoffAfterDispatch(userid: string): boolean {
    const id = userid.toUpperCase();
    return this.afterDispatch(id, () => this.logoff(id));
  }

  /**
   * Do `action` to `userid`'s virtual machine once the dispatcher has the
   * real CPU back (`run` does it between dispatches): what a guest's
   * DIAGNOSE X'08' command does to its own machine — LOGOFF, IPL, SYSTEM
   * RESET — must not happen while one of its CPUs is executing the
   * DIAGNOSE (which then stores its return code and advances the PSW).
   * The machine's virtual CPUs stop now, so none of them runs in between;
   * the action is dropped if the machine is gone (LOGOFF, DEFINE STORAGE)
   * by then.
   */
  afterDispatch(userid: string, action: () => void): boolean {
    const vm = this.vm(userid);
    if (vm === undefined) return false;
    for (const c of vm.cpus) c.state = 'stopped';
    vm.yieldRequested = true;
    this.deferred.push({ vm, action });
    return true;
  }

  /** Actions `afterDispatch` holds until the current dispatch ends. */
  private readonly deferred: { vm: VirtualMachine; action: () => void }[] = [];

  private runDeferred(): void {
    const work = this.deferred.splice(0);
    for (const d of work) if (this.vm(d.vm.userid) === d.vm) d.action();
  }

  /**
   * SET SHARE: the user's relative share of the real CPU (the scheduler's
   * weight; BVT and credit honour it, round-robin ignores it).
   */
  setShare(userid: string, share: number): boolean {
    const vm = this.vm(userid);
    if (vm === undefined || !(share > 0)) return false;
    for (const c of vm.cpus) this.scheduler.setParams(c.entity, { name: `${vm.userid}.${c.address}`, weight: share }, this.clock.now());
    return true;
  }

  /**
   * IPL a user's virtual machine from a minidisk: `vdev`, or the directory's
   * IPL statement when it names a device number. The IPL I/O completes while
   * CP runs. A directory `IPL name` that is no device number IPLs the saved
   * system of that name (`iplSystem`).
   */
  ipl(userid: string, vdev?: number): { ok: true } | { ok: false; error: CpError } {
    const l = this.logged.get(userid.toUpperCase());
    if (l === undefined) return { ok: false, error: { code: 'HCPCMD045E', message: `${userid.toUpperCase()} not logged on` } };
    let dev = vdev;
    if (dev === undefined) {
      const target = l.user.ipl?.target;
      if (target !== undefined && !/^[0-9A-F]{1,4}$/.test(target)) return this.iplSystem(userid, target);
      if (target === undefined) {
        return { ok: false, error: { code: 'HCPIPL026E', message: `no IPL device: the directory IPL statement names ${target ?? 'nothing'}` } };
      }
      dev = Number.parseInt(target, 16);
    }
    this.savedSystems.release(l.vm);
    const r = l.vm.ipl(dev);
    return r.ok ? { ok: true } : { ok: false, error: { code: r.message.slice(0, 10), message: r.message.slice(11) } };
  }

  /**
   * IPL a saved system by name (`IPL CMS`): its shared pages are mapped into
   * the user's storage, the others copied, and virtual CPU 0 starts at the
   * saved PSW; no disk is read (src/saved-systems.ts).
   */
  iplSystem(userid: string, name: string): { ok: true } | { ok: false; error: CpError } {
    const l = this.logged.get(userid.toUpperCase());
    if (l === undefined) return { ok: false, error: { code: 'HCPCMD045E', message: `${userid.toUpperCase()} not logged on` } };
    if (this.savedSystems.get(name) !== undefined) {
      // IPL is load-normal: an I/O-system reset first, so the old system's console READ or minidisk program does not outlive it.
      l.vm.io.reset(false);
      for (const c of l.vm.cpus) c.blocked = false;
    }
    const r = this.savedSystems.ipl(l.vm, name);
    if (r.ok) for (const c of l.vm.cpus) this.dirty.add(c.entity);
    return r;
  }

  /** Start (or restart) virtual CPU 0 of a user at a PSW. */
  start(userid: string, pswHigh: number, pswLow: number): boolean {
    const vm = this.vm(userid);
    if (vm === undefined) return false;
    vm.start(pswHigh, pswLow);
    return true;
  }

  /** Stop every virtual CPU of a user (CP's STOP; BEGIN restarts them). */
  stop(userid: string): boolean {
    const vm = this.vm(userid);
    if (vm === undefined) return false;
    for (const c of vm.cpus) if (c.state === 'operating') c.state = 'stopped';
    return true;
  }

  /** BEGIN: resume stopped virtual CPUs where they stopped. */
  begin(userid: string): boolean {
    const vm = this.vm(userid);
    if (vm === undefined) return false;
    for (const c of vm.cpus) if (c.state === 'stopped') c.state = 'operating';
    return true;
  }

  /**
   * Run the system for `budget` simulated cycles: dispatch runnable virtual
   * CPUs through the scheduler; when none can run, simulated time jumps to
   * the next device event or virtual timer.
   */
  run(budget: number): CpRunResult {
    const clock = this.clock;
    const start = clock.now();
    const end = start + budget;
    const s = this.scheduler;
    // Anything may have changed since the last run (VM API calls): look at every virtual CPU once,
    // then only at those that ran, got an interruption, or wait for a timer that is due.
    if (this.deferred.length > 0) this.runDeferred();
    for (const e of this.entities.keys()) this.dirty.add(e);
    const timed = this.timed;
    // The earliest timer among `timed`, kept as virtual CPUs change state rather than found by a scan of
    // every waiting CPU per dispatch; a scan happens only when it may have moved later or is due.
    let nextTimer = Number.POSITIVE_INFINITY;
    let rescan = true;
    while (clock.now() < end) {
      this.realIo.poll();
      const now = clock.now();
      if (this.dirty.size !== 0) {
        for (const e of this.dirty) {
          const t = this.entities.get(e);
          if (t === undefined) continue;
          this.sync(e, t, now);
          const at = t.vm.runState(t.cpu) === 'waiting' ? t.vm.nextTimer(t.cpu) : Number.POSITIVE_INFINITY;
          if (t.timerAt <= nextTimer && at > t.timerAt) rescan = true;
          t.timerAt = at;
          if (Number.isFinite(at)) {
            timed.add(e);
            if (at < nextTimer) nextTimer = at;
          } else timed.delete(e);
        }
        this.dirty.clear();
      }
      if (rescan || nextTimer <= now) {
        rescan = false;
        nextTimer = Number.POSITIVE_INFINITY;
        for (const e of timed) {
          const t = this.entities.get(e);
          if (t === undefined) {
            timed.delete(e);
            continue;
          }
          const at = t.vm.nextTimer(t.cpu);
          t.timerAt = at;
          if (at <= now) {
            this.sync(e, t, now);
            t.timerAt = Number.POSITIVE_INFINITY;
            timed.delete(e);
          } else if (at < nextTimer) nextTimer = at;
        }
      }
      const d = s.pick(now);
      if (d.id === null && this.hosted) return { reason: 'wait', cycles: clock.now() - start, wakeAt: nextTimer };
      if (d.id === null) {
        const next = Math.min(clock.nextEventTime(), nextTimer);
        if (!Number.isFinite(next)) return { reason: 'idle', cycles: clock.now() - start };
        clock.advanceTo(Math.min(end, Math.max(next, now + 1)));
        continue;
      }
      const target = this.entities.get(d.id);
      if (target === undefined) break;
      const slice = Math.max(1000, Math.min(d.until - now, end - now));
      this.dispatches++;
      const used = target.vm.run(target.cpu, slice);
      if (used === 0) clock.advanceTo(clock.now() + 1);
      // The scheduler is charged the time that passed (it refuses a charge beyond that, and then charged
      // nothing): CP's delivery of the VM's interruptions is counted in the VM's cycles, not on the clock.
      s.account(d.id, clock.now() - now, clock.now());
      // SIGP may have changed the VM's other CPUs.
      for (const c of target.vm.cpus) this.dirty.add(c.entity);
      // A guest's CP LOGOFF, IPL or SYSTEM RESET (DIAGNOSE X'08') happens here, with none of its CPUs on the stack.
      if (this.deferred.length > 0) this.runDeferred();
    }
    return { reason: 'budget', cycles: clock.now() - start };
  }

  /** Bring the scheduler's runnable flag of one virtual CPU up to date (CP is the only one that changes it). */
  private sync(e: number, t: Entity, now: number): void {
    const runnable = t.vm.runnable(t.cpu);
    if (runnable === t.runnable) return;
    t.runnable = runnable;
    if (runnable) this.scheduler.wake(e, now);
    else this.scheduler.block(e, now, 'voluntary');
  }

  /**
   * CP's scheduling lists (VM/370 DMKSCH): dispatch list = runnable, eligible
   * list = waiting for something that will come, dormant = nothing to do.
   */
  lists(): { dispatch: string[]; eligible: string[]; dormant: string[] } {
    const out = { dispatch: [] as string[], eligible: [] as string[], dormant: [] as string[] };
    for (const { vm, cpu } of this.entities.values()) {
      const name = `${vm.userid}.${cpu}`;
      const st = vm.runState(cpu);
      if (vm.runnable(cpu)) out.dispatch.push(name);
      else if (st === 'waiting' || st === 'blocked') out.eligible.push(name);
      else out.dormant.push(name);
    }
    return out;
  }

  /** Counters of CP and every user. */
  counters(): CpCounters {
    const users: Record<string, VmCounters> = {};
    for (const [id, l] of this.logged) users[id] = l.vm.counters;
    return { dispatches: this.dispatches, realIoStarts: this.realIo.counters.starts, realIoCompletions: this.realIo.counters.completions, users };
  }

  /**
   * Snapshot every logged-on VM: storage frames and keys, virtual CPU state
   * (CPU timer kept as time left, so it continues where it was), console
   * log, and the spool. Refused while real I/O is in flight (a real
   * channel program cannot be captured half-done).
   */
  snapshot(): { ok: true; snapshot: CpSnapshot } | { ok: false; error: CpError } {
    if (this.realIo.busy) return { ok: false, error: { code: 'IO_ACTIVE', message: 'real I/O is in progress; run until it completes' } };
    const now = this.clock.now();
    const vms: VmSnapshot[] = [];
    for (const [id, l] of this.logged) {
      const vm = l.vm;
      const frames = new Map<number, Uint8Array>();
      const first = vm.storage.origin >>> 12;
      const count = vm.storage.size >>> 12;
      const keys = new Uint8Array(count);
      for (let f = 0; f < count; f++) {
        const m = this.machineFrame(first + f);
        const fr = this.realStorage.frames[m];
        if (fr !== undefined) frames.set(f, fr.slice());
        keys[f] = this.realStorage.keys[m]!;
      }
      vms.push({
        userid: id,
        frames,
        keys,
        cpus: vm.cpus.map((c) => ({
          gpr: c.cpu.gpr.slice(),
          cr: c.cr.slice(),
          psw: c.getPsw(),
          prefix: c.prefix,
          ckcWords: c.ckcWords.slice(),
          ckc: c.ckc,
          timerLeft: c.cpuTimer(now, this.clock.cyclesPerMicrosecond),
          state: c.state,
          externalPending: c.externalPending & 0x03,
        })),
        console: [...vm.consoleLines],
      });
    }
    return { ok: true, snapshot: { time: now, vms, spool: this.spool.snapshot() } };
  }

  /** Restore a snapshot into the VMs of the same users (they must be logged on with the same storage sizes). */
  restore(snap: CpSnapshot): { ok: true } | { ok: false; error: CpError } {
    for (const s of snap.vms) {
      const vm = this.vm(s.userid);
      if (vm === undefined || vm.storage.size >>> 12 !== s.keys.length) {
        return { ok: false, error: { code: 'NOT_LOGGED_ON', message: `${s.userid} is not logged on with the snapshot's storage size` } };
      }
    }
    const now = this.clock.now();
    for (const s of snap.vms) {
      const vm = this.vm(s.userid)!;
      const first = vm.storage.origin >>> 12;
      // Shared saved-system frames are unmapped first: zeroing or writing them in place would change everybody's.
      this.savedSystems.release(vm);
      for (let f = 0; f < s.keys.length; f++) {
        const src = s.frames.get(f);
        const m = this.machineFrame(first + f);
        if (src !== undefined) this.realStorage.writeFrom((m * 4096) as AbsoluteAddress, src);
        else if (this.realStorage.frames[m] !== undefined) this.realStorage.frames[m]!.fill(0);
        this.realStorage.keys[m] = s.keys[f]!;
      }
      s.cpus.forEach((c, i) => {
        const v = vm.cpus[i]!;
        v.cpu.gpr.set(c.gpr);
        v.cr.set(c.cr);
        v.prefix = c.prefix;
        v.setPsw(c.psw[0], c.psw[1]);
        v.ckcWords.set(c.ckcWords);
        v.ckc = c.ckc;
        v.timerValue = c.timerLeft;
        v.timerSetAt = now;
        v.state = c.state as typeof v.state;
        v.externalPending = c.externalPending;
        v.cpu.flushTlb();
      });
      for (const sh of vm.shadows) sh.flushShadows();
      vm.consoleLines.length = 0;
      vm.consoleLines.push(...s.console);
    }
    this.spool.restore(snap.spool);
    return { ok: true };
  }

  /** The frame of `realStorage` that holds CP real frame `f` (through the partition's relocation when CP runs in one). */
  private machineFrame(f: number): number {
    const layer = this.realLayer;
    if (layer === null) return f;
    const a = layer.translate(f * 4096, Access.Read, this.frameStatus);
    return a < 0 ? f : Math.floor(a / 4096);
  }

  private readonly frameStatus = createTranslationStatus();

  /**
   * CP in a partition: is there something to run now — a real I/O
   * interruption to take, or a virtual CPU that is runnable (not waiting,
   * or its interruption is pending, or its timer is due)?
   */
  hasWork(): boolean {
    if (this.realIo.channels.hasPending()) return true;
    for (const { vm, cpu } of this.entities.values()) if (vm.runnable(cpu)) return true;
    return false;
  }

  /** The earliest clock time a waiting virtual CPU's timer fires (clock comparator, CPU timer), or Infinity. */
  nextWake(): number {
    let t = Number.POSITIVE_INFINITY;
    for (const { vm, cpu } of this.entities.values()) {
      if (vm.runState(cpu) !== 'waiting') continue;
      const at = vm.nextTimer(cpu);
      if (at < t) t = at;
    }
    return t;
  }

  private allocate(size: number): number {
    this.free.sort((a, b) => a.origin - b.origin);
    // Coalesce neighbours freed by LOGOFF / DEFINE STORAGE.
    for (let i = 0; i + 1 < this.free.length; ) {
      const a = this.free[i]!;
      const b = this.free[i + 1]!;
      if (a.origin + a.size === b.origin) {
        a.size += b.size;
        this.free.splice(i + 1, 1);
      } else i++;
    }
    for (let i = 0; i < this.free.length; i++) {
      const r = this.free[i]!;
      if (r.size >= size) {
        const origin = r.origin;
        r.origin += size;
        r.size -= size;
        if (r.size === 0) this.free.splice(i, 1);
        return origin;
      }
    }
    return -1;
  }

  private ioPort(vm: VirtualMachine): RealIoPort {
    return {
      start: (dev, key, ccw, done, token) => this.realIo.start(dev, key, ccw, done, token),
      clear: (dev, ccw) => this.realIo.clear(dev, ccw),
      halt: (dev, ccw) => this.realIo.halt(dev, ccw),
      spool: this.spool,
      consoleLine: (line) => vm.consoleLine(line),
      consoleInput: () => vm.consoleInput.shift(),
      count: (what, n = 1) => {
        vm.counters.io[what] = (vm.counters.io[what] ?? 0) + n;
      },
    };
  }
}

/**
 * Create CP from a directory and real volumes. The directory is parsed and
 * checked against the volumes first; every problem comes back as an error
 * value with file:line:column.
 */
export function createCp(options: CpOptions): { ok: true; cp: ControlProgram } | { ok: false; errors: readonly DirectoryError[] } {
  let directory: Directory;
  if (typeof options.directory === 'string') {
    const p = parseDirectory(options.directory, options.directoryFile ?? 'USER DIRECT');
    if (!p.ok) return { ok: false, errors: p.errors };
    directory = p.value;
  } else directory = options.directory;
  // Two real volumes with one volser or one device number would make minidisks ambiguous.
  const seenVolser = new Set<string>();
  const seenDevnum = new Set<number>();
  const volumeErrors: DirectoryError[] = [];
  options.volumes.forEach((v, i) => {
    const volser = v.volser.toUpperCase();
    const devnum = v.devnum ?? 0x100 + i;
    const at = { file: '<volumes>', line: i + 1, column: 1 };
    if (seenVolser.has(volser)) volumeErrors.push({ code: 'BAD_OPERAND', ...at, message: `volume ${volser} is given twice`, expected: 'distinct volsers', found: volser });
    if (seenDevnum.has(devnum) || devnum < 0 || devnum > 0xffff) {
      volumeErrors.push({ code: 'BAD_OPERAND', ...at, message: `real device number ${devnum.toString(16)} is used twice or out of range`, expected: 'distinct device numbers 0000-FFFF', found: devnum.toString(16) });
    }
    seenVolser.add(volser);
    seenDevnum.add(devnum);
    // In a partition the volume must be one of the partition's own 3390s (IOCP), at that device number.
    const part = options.partition;
    if (part !== undefined && part.channels.dasd(devnum)?.volume !== v.volume) {
      volumeErrors.push({ code: 'BAD_OPERAND', ...at, message: `the partition has no 3390 at ${devnum.toString(16).toUpperCase().padStart(4, '0')} holding volume ${volser}`, expected: "a device of the partition's channel subsystem", found: devnum.toString(16) });
    }
  });
  if (volumeErrors.length > 0) return { ok: false, errors: volumeErrors };
  const volumes = options.volumes.map((v) => ({ volser: v.volser.toUpperCase(), cylinders: v.volume.geometry.cylinders }));
  const v = validateDirectory(directory, volumes);
  if (!v.ok) return { ok: false, errors: v.errors };
  return { ok: true, cp: new ControlProgram(directory, v.value, options) };
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(3, '0');
}
