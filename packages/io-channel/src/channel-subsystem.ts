/**
 * The ESA/390 channel subsystem (POP SA22-7201 chapters 13-17): subchannels,
 * channel paths, control units and devices; the I/O instructions that
 * isa-core delegates through `IoHandler`; channel programs interpreted CCW by
 * CCW on the machine's one simulated clock; I/O interruptions pending per
 * interruption subclass. Several images (logical partitions) can share it
 * (MIF), each with its own subchannel images and its own `IoHandler` view.
 *
 * Nothing a guest can put in an ORB, a SCHIB or a channel program makes this
 * code throw: bad input is a program-interruption code returned to the CPU
 * (operand or specification exception) or architected status in the SCSW
 * (program check, protection check, incorrect length, ...).
 */
import {
  type Clock,
  type IoHandler,
  type IoInstruction,
  type IoInterruption,
  type IoOperandAccess,
  type IoResult,
  PGM,
  type StoragePort,
} from '@strachey/isa-core';
import { type Esw, IRB_SIZE, ORB_SIZE, type Orb, type Pmcw, SCHIB_SIZE, type Scsw, decodeOrb, decodePmcw, emptyScsw, encodeIrb, encodeSchib, orbReservedBitsSet, pmcwReservedBitsSet } from './blocks';
import { ChannelInterpreter } from './channel-program';
import type { Device } from './device';
import {
  AC_CLEAR_PENDING,
  AC_DEVICE_ACTIVE,
  AC_HALT_PENDING,
  AC_RESUME_PENDING,
  AC_START_PENDING,
  AC_SUBCHANNEL_ACTIVE,
  AC_SUSPENDED,
  CE_DE,
  DS_ATTENTION,
  DS_STATUS_MODIFIER,
  FC_CLEAR,
  FC_HALT,
  FC_START,
  SC_ALERT,
  SC_INTERMEDIATE,
  SC_PENDING,
  SC_PRIMARY,
  SC_SECONDARY,
  SCSW0_S,
  SCSW1_A,
  SCSW1_E,
  SCSW1_F,
  SCSW1_I,
  SCSW1_P,
  SCSW1_U,
  SCSW1_Z,
  SS_PCI,
  SS_PROGRAM_CHECK,
} from './status';
import { type DeviceSlot, type InFlight, Subchannel } from './subchannel';


/** How waiting start functions are served when paths or devices are busy. */
export type QueuingPolicy = 'fifo' | 'priority';

/** How a channel subsystem is built: its storage, its clock, its images and queuing, its latencies. */
export interface ChannelSubsystemOptions {
  /**
   * Main storage (absolute addresses) the channel programs of every image
   * use. May be left out and given later with `connect()`, for machines that
   * create their own storage (isa-core's `createEsa390Machine`), or per image
   * for logical partitions, each of which addresses its own zone.
   */
  readonly storage?: StoragePort;
  /** The machine's simulated clock; device completions are events on it. */
  readonly clock: Clock;
  /** Number of images (logical partitions) sharing the subsystem through MIF. Default 1. */
  readonly images?: number;
  /** FIFO (default) or Channel Subsystem Priority Queuing by subchannel priority. */
  readonly queuing?: QueuingPolicy;
  /**
   * Microseconds from SSCH until the channel subsystem selects a path and
   * starts the device (SAP work plus selection). A model choice, not a
   * published figure: 2 µs.
   */
  readonly startLatencyUs?: number;
  /** Microseconds for a halt or clear function to reach the device and complete. Model choice: 2 µs. */
  readonly haltLatencyUs?: number;
  /**
   * Channel time per command on top of the device's service time (CCW fetch
   * and the interlocked handshake). Model choice: 0.5 µs. It also guarantees
   * that a looping channel program (NOP, TIC back) advances simulated time,
   * so a host running the clock to a deadline always gets there.
   */
  readonly commandOverheadUs?: number;
}

/** A channel path (CHPID) and the images allowed to use it: one image normally, several under MIF. */
export interface ChannelPath {
  readonly chpid: number;
  readonly images: Set<number>;
  /** Subchannel whose channel program holds the path, or null. */
  busyWith: Subchannel | null;
  /** Channel programs started on the path (a counter for reports). */
  starts: number;
  /** Start requests and reconnections that found the path busy and had to wait (contention). */
  contentions: number;
}

/** A control unit: the paths its devices are reached through. */
export interface ControlUnit {
  readonly id: number;
  readonly chpids: readonly number[];
}

/** Where to attach a device. */
export interface AttachOptions {
  /** Control unit the device hangs on (its paths are the CU's). */
  readonly controlUnit?: number;
  /** Explicit channel paths; default: the CU's, else CHPID = device number >> 8 as Hercules does. */
  readonly chpids?: readonly number[];
  /** Images that see the device; default all. */
  readonly images?: readonly number[];
}

/** Result of an IPL through the channel subsystem (POP 17-"Initial Program Loading"). */
export type IplResult =
  | { readonly ok: true; readonly subchannel: number; readonly psw: Uint8Array }
  | { readonly ok: false; readonly reason: string; readonly deviceStatus: number; readonly subchannelStatus: number };

/** Counters for reports and benchmarks. */
export interface ChannelCounters {
  starts: number;
  completions: number;
  ccws: number;
  bytes: number;
  interruptions: number;
}

/**
 * The channel subsystem. `image(n)` gives image n's `IoHandler`; the
 * subsystem itself acts as image 0's handler, so a one-image machine can pass
 * it directly as its `io`.
 */
export class ChannelSubsystem implements IoHandler {
  /** Storage per image: a logical partition's channel programs address its own zone. */
  private readonly imageStorage: (StoragePort | null)[];
  readonly clock: Clock;
  readonly imageCount: number;
  queuing: QueuingPolicy;
  readonly counters: ChannelCounters = { starts: 0, completions: 0, ccws: 0, bytes: 0, interruptions: 0 };
  /** Set by SET ADDRESS LIMIT: the address the PMCW limit mode compares against. */
  addressLimit = 0;
  private readonly startLatencyUs: number;
  private readonly haltLatencyUs: number;
  private readonly commandOverheadUs: number;
  private readonly paths = new Map<number, ChannelPath>();
  private readonly controlUnits = new Map<number, ControlUnit>();
  /**
   * Devices in attach order. A device number names one device per image: two
   * partitions may each have their own device at the same number (IOCP
   * `IODEVICE ... PARTITION=`), so the number alone does not key a device.
   */
  private readonly slots: DeviceSlot[] = [];
  private readonly subchannels: Subchannel[][];
  private readonly byDevice: Map<number, Subchannel>[];
  private readonly pending: Subchannel[][];
  private readonly listeners: ((() => void) | null)[];
  private readonly views: ImageView[];
  private readonly waiting: Subchannel[] = [];
  /** Programs whose device finished a disconnected phase and waits for a free path to reconnect. */
  private readonly reconnects: Subchannel[] = [];
  private seq = 0;
  private dispatchScheduled = false;
  /** The subsystem's events waiting on the clock, in no particular order (see `timer`). */
  private readonly events: PendingEvent[] = [];
  /** Fired or cancelled event records, reused: an event costs no allocation of the subsystem's own. */
  private readonly freeEvents: PendingEvent[] = [];
  private readonly interpreter: ChannelInterpreter;
  // Operand buffers reused by the instructions (a TSCH polling loop runs them by the million).
  private readonly orbBuffer = new Uint8Array(ORB_SIZE);
  private readonly irbBuffer = new Uint8Array(IRB_SIZE);
  private readonly schibBuffer = new Uint8Array(SCHIB_SIZE);
  private readonly pmcwBuffer = new Uint8Array(28);
  private readonly tpiBuffer = new Uint8Array(8);
  private readonly esw: Esw = { lpum: 0, erw0: 0, senseCount: 0 };
  private readonly imageStarts: number[];

  constructor(options: ChannelSubsystemOptions) {
    this.clock = options.clock;
    this.imageCount = options.images ?? 1;
    if (!Number.isInteger(this.imageCount) || this.imageCount < 1 || this.imageCount > 256) throw new RangeError(`images must be 1-256, got ${this.imageCount}`);
    this.queuing = options.queuing ?? 'fifo';
    this.interpreter = new ChannelInterpreter(this);
    this.startLatencyUs = options.startLatencyUs ?? 2;
    this.haltLatencyUs = options.haltLatencyUs ?? 2;
    this.commandOverheadUs = options.commandOverheadUs !== undefined && options.commandOverheadUs > 0 ? options.commandOverheadUs : 0.5;
    this.imageStorage = new Array<StoragePort | null>(this.imageCount).fill(options.storage ?? null);
    this.imageStarts = new Array<number>(this.imageCount).fill(0);
    this.subchannels = [];
    this.byDevice = [];
    this.pending = [];
    this.listeners = [];
    this.views = [];
    for (let i = 0; i < this.imageCount; i++) {
      this.subchannels.push([]);
      this.byDevice.push(new Map());
      this.pending.push([]);
      this.listeners.push(null);
      this.views.push(new ImageView(this, i));
    }
  }

  /** The main storage image 0's channel programs address. */
  get storage(): StoragePort {
    return this.storageFor(0);
  }

  /** The storage image `image`'s channel programs address. */
  storageFor(image: number): StoragePort {
    const s = this.imageStorage[image];
    if (s === null || s === undefined) throw new Error(`ChannelSubsystem: no storage connected for image ${image} (pass \`storage\` or call connect())`);
    return s;
  }

  /** @internal the interpreter's view: the storage of the subchannel's image. */
  storageOf(sch: Subchannel): StoragePort {
    return this.storageFor(sch.image);
  }

  /**
   * Connect main storage: for every image, or for one (a logical
   * partition's zone, so its channel programs cannot reach another's
   * storage). A machine that creates its storage after the subsystem
   * connects it here.
   */
  connect(storage: StoragePort, image?: number): void {
    if (image === undefined) {
      for (let i = 0; i < this.imageCount; i++) this.imageStorage[i] = storage;
      return;
    }
    this.checkImage(image);
    this.imageStorage[image] = storage;
  }

  /**
   * Give image `image` (a logical partition under MIF) its own main storage:
   * that image's channel programs fetch CCWs and transfer data only there,
   * checked against that storage's keys. The same as `connect(storage, image)`.
   */
  connectImage(image: number, storage: StoragePort): void {
    this.connect(storage, image);
  }

  // ---------------------------------------------------------------- topology

  /** Define a channel path. `images` default to all (a path shared through MIF). */
  defineChannelPath(chpid: number, images?: readonly number[]): ChannelPath {
    if (!Number.isInteger(chpid) || chpid < 0 || chpid > 0xff) throw new RangeError(`CHPID must be 00-FF, got ${chpid}`);
    const existing = this.paths.get(chpid);
    if (existing !== undefined) return existing;
    const set = new Set<number>(images ?? Array.from({ length: this.imageCount }, (_, i) => i));
    for (const i of set) this.checkImage(i);
    const path: ChannelPath = { chpid, images: set, busyWith: null, starts: 0, contentions: 0 };
    this.paths.set(chpid, path);
    return path;
  }

  /** Define a control unit reached through `chpids` (defined on first use). */
  defineControlUnit(id: number, chpids: readonly number[]): ControlUnit {
    if (chpids.length < 1 || chpids.length > 8) throw new RangeError('a control unit needs 1-8 channel paths');
    for (const c of chpids) this.defineChannelPath(c);
    const cu: ControlUnit = { id, chpids: [...chpids] };
    this.controlUnits.set(id, cu);
    return cu;
  }

  /**
   * Attach a device at `deviceNumber`. Each image that sees it gets a
   * subchannel, numbered from 0 in attach order (Hercules numbers subchannels
   * in configuration order). Returns the subchannel number per image.
   */
  attach(deviceNumber: number, device: Device, options: AttachOptions = {}): Map<number, number> {
    if (!Number.isInteger(deviceNumber) || deviceNumber < 0 || deviceNumber > 0xffff) throw new RangeError(`device number must be 0000-FFFF, got ${deviceNumber}`);
    const images = options.images ?? Array.from({ length: this.imageCount }, (_, i) => i);
    for (const image of images) {
      this.checkImage(image);
      if (this.byDevice[image]!.has(deviceNumber)) throw new RangeError(`device ${hex4(deviceNumber)} is already attached${this.imageCount > 1 ? ` for image ${image}` : ''}`);
    }
    let chpids: number[];
    if (options.chpids !== undefined) chpids = [...options.chpids];
    else if (options.controlUnit !== undefined) {
      const cu = this.controlUnits.get(options.controlUnit);
      if (cu === undefined) throw new RangeError(`control unit ${options.controlUnit} is not defined`);
      chpids = [...cu.chpids];
    } else chpids = [deviceNumber >>> 8];
    if (chpids.length < 1 || chpids.length > 8) throw new RangeError('a device needs 1-8 channel paths');
    for (const c of chpids) this.defineChannelPath(c);
    const slot: DeviceSlot = { deviceNumber, device, chpids, busyWith: null };
    this.slots.push(slot);
    device.setAttentionSink?.((status) => this.alert(deviceNumber, status, slot));
    const result = new Map<number, number>();
    const pim = (0xff00 >>> chpids.length) & 0xff;
    for (const image of images) {
      this.checkImage(image);
      const list = this.subchannels[image]!;
      const sch = new Subchannel(image, list.length, slot, pim, this.availableMask(slot, image));
      list.push(sch);
      this.byDevice[image]!.set(deviceNumber, sch);
      result.set(image, sch.number);
    }
    return result;
  }

  /**
   * Put `device` in place of the device image `image` reaches at
   * `deviceNumber` (its subchannel keeps its number). Only for a device no
   * other image reaches, and not while a function (start, halt, clear) is
   * in progress at its subchannel: a logical
   * partition that is activated again gets fresh per-partition device
   * models (its console, its LAN connection) on the same subchannels.
   * Returns false when that is not possible.
   */
  replaceDevice(deviceNumber: number, image: number, device: Device): boolean {
    this.checkImage(image);
    const sch = this.byDevice[image]!.get(deviceNumber);
    if (sch === undefined || !this.reachedOnlyBy(sch.slot, image) || sch.slot.busyWith !== null) return false;
    // A start, halt or clear function still in progress belongs to the old device.
    if ((sch.scsw.flag2 & (FC_START | FC_HALT | FC_CLEAR)) !== 0) return false;
    const slot = sch.slot;
    slot.device = device;
    device.setAttentionSink?.((status) => this.alert(deviceNumber, status, slot));
    return true;
  }

  /** SSCH instructions image `image` has issued successfully (starts per logical partition, for reports). */
  startsFor(image: number): number {
    this.checkImage(image);
    return this.imageStarts[image]!;
  }

  /** The `IoHandler` of image `n` (a logical partition's view of the subsystem). */
  image(n: number): IoHandler {
    this.checkImage(n);
    return this.views[n]!;
  }

  /** Image `image`'s subchannel for a device number, or undefined. */
  subchannelForDevice(deviceNumber: number, image = 0): Subchannel | undefined {
    return this.byDevice[image]?.get(deviceNumber);
  }

  /** Image `image`'s subchannel by number, or undefined. */
  subchannel(number: number, image = 0): Subchannel | undefined {
    return this.subchannels[image]?.[number];
  }

  channelPath(chpid: number): ChannelPath | undefined {
    return this.paths.get(chpid);
  }

  /**
   * Dynamic Channel Path Management hook: move `chpid` from image `from` to
   * image `to`. Subchannels of `from` lose the path from their PAM, those of
   * `to` gain it; a program running on the path finishes first.
   */
  moveChannelPath(chpid: number, from: number, to: number): void {
    const path = this.paths.get(chpid);
    if (path === undefined) throw new RangeError(`CHPID ${hex2(chpid)} is not defined`);
    this.checkImage(from);
    this.checkImage(to);
    path.images.delete(from);
    path.images.add(to);
    this.refreshAvailability();
  }

  /** Share `chpid` with one more image (MIF). */
  shareChannelPath(chpid: number, image: number): void {
    const path = this.paths.get(chpid);
    if (path === undefined) throw new RangeError(`CHPID ${hex2(chpid)} is not defined`);
    this.checkImage(image);
    path.images.add(image);
    this.refreshAvailability();
  }

  /** Set a subchannel's priority for priority queuing (what z/OS WLM feeds the CSS). */
  setPriority(image: number, subchannel: number, priority: number): void {
    const sch = this.subchannels[image]?.[subchannel];
    if (sch !== undefined) sch.priority = priority | 0;
  }

  // ------------------------------------------------------------ IoHandler (image 0)

  execute(instruction: IoInstruction, operandAddress: number, cpu: IoOperandAccess): IoResult {
    return this.executeFor(0, instruction, operandAddress, cpu);
  }

  takeInterruption(cr6: number): IoInterruption | null {
    return this.takeFor(0, cr6);
  }

  hasPending(): boolean {
    return this.pending[0]!.length > 0;
  }

  setPendingListener(listener: () => void): void {
    this.listeners[0] = listener;
  }

  /** @internal used by the image views. */
  hasPendingFor(image: number): boolean {
    return this.pending[image]!.length > 0;
  }

  /** @internal used by the image views. */
  setListenerFor(image: number, listener: () => void): void {
    this.listeners[image] = listener;
  }

  // ------------------------------------------------------------ I/O instructions

  /** Execute an I/O instruction for image `image`. */
  executeFor(image: number, instruction: IoInstruction, operandAddress: number, cpu: IoOperandAccess): IoResult {
    if (instruction === 'TPI') return this.tpi(image, operandAddress, cpu);
    if (instruction === 'SAL') {
      this.addressLimit = cpu.gpr[1]! & 0x7fffffff;
      return 0;
    }
    if (instruction === 'SCHM') return 0;
    // GR1 holds the subsystem-identification word: X'0001' in the high halfword (POP 14-"Subsystem-Identification Word").
    const ssid = cpu.gpr[1]! >>> 0;
    if (ssid >>> 16 !== 0x0001) return -PGM.OPERAND;
    const sch = this.subchannels[image]![ssid & 0xffff];
    switch (instruction) {
      case 'SSCH':
        return this.ssch(sch, operandAddress, cpu);
      case 'TSCH':
        return this.tsch(sch, operandAddress, cpu);
      case 'STSCH':
        return this.stsch(sch, operandAddress, cpu);
      case 'MSCH':
        return this.msch(sch, operandAddress, cpu);
      case 'HSCH':
        return this.hsch(sch);
      case 'CSCH':
        return this.csch(sch);
      case 'RSCH':
        return this.rsch(sch);
      case 'XSCH':
        return this.xsch(sch);
      default:
        return 3;
    }
  }

  private ssch(sch: Subchannel | undefined, address: number, cpu: IoOperandAccess): IoResult {
    if ((address & 3) !== 0) return -PGM.SPECIFICATION;
    const raw = this.orbBuffer;
    const ex = cpu.fetch(address, raw, ORB_SIZE);
    if (ex !== 0) return -ex;
    if (orbReservedBitsSet(raw)) return -PGM.OPERAND;
    if (sch === undefined || !sch.pmcw.valid || !sch.pmcw.enabled) return 3;
    const orb = decodeOrb(raw);
    if ((orb.lpm & sch.pmcw.pam & sch.pmcw.pom & sch.pmcw.pim) === 0) return 3;
    const s = sch.scsw;
    if ((s.flag3 & SC_PENDING) !== 0) return 1;
    if ((s.flag2 & (FC_START | FC_HALT | FC_CLEAR)) !== 0) return 2;
    this.counters.starts++;
    this.imageStarts[sch.image]!++;
    sch.orb = orb;
    sch.pmcw.lpm = orb.lpm;
    sch.pmcw.interruptionParameter = orb.interruptionParameter;
    sch.scsw = emptyScsw();
    sch.scsw.flag0 = (orb.key << 4) | (orb.suspendControl ? SCSW0_S : 0);
    sch.scsw.flag1 =
      (orb.format1 ? SCSW1_F : 0) |
      (orb.prefetch ? SCSW1_P : 0) |
      (orb.initialStatus ? SCSW1_I : 0) |
      (orb.addressLimitChecking ? SCSW1_A : 0) |
      (orb.suppressSuspendInterruption ? SCSW1_U : 0);
    sch.scsw.flag2 = FC_START | AC_START_PENDING;
    sch.ecw = null;
    sch.eswErw0 = 0;
    sch.eswSenseCount = 0;
    this.initProgram(sch, orb.ccwAddress, orb.format1, orb.key, false);
    this.enqueueStart(sch);
    return 0;
  }

  private initProgram(sch: Subchannel, ccwAddress: number, format1: boolean, key: number, ipl: boolean): void {
    sch.ccwAddress = ccwAddress;
    sch.format1 = format1;
    sch.key = key;
    sch.first = true;
    sch.ticNext = -1;
    sch.chained = false;
    sch.previousCommand = -1;
    sch.lastResidual = 0;
    sch.inFlight = null;
    sch.ipl = ipl;
  }

  private tsch(sch: Subchannel | undefined, address: number, cpu: IoOperandAccess): IoResult {
    if ((address & 3) !== 0) return -PGM.SPECIFICATION;
    if (sch === undefined || !sch.pmcw.valid) return 3;
    const s = sch.scsw;
    const esw = this.esw;
    esw.lpum = sch.pmcw.lpum;
    esw.erw0 = sch.eswErw0;
    esw.senseCount = sch.eswSenseCount;
    const irb = encodeIrb(s, esw, sch.ecw, this.irbBuffer);
    const ex = cpu.store(address, irb);
    if (ex !== 0) return -ex;
    if ((s.flag3 & SC_PENDING) === 0) return 1;
    this.dequeueInterruption(sch);
    this.clearStatus(sch);
    return 0;
  }

  /** What TEST SUBCHANNEL (and IPL) does to a status-pending subchannel once the status is taken. */
  private clearStatus(sch: Subchannel): void {
    const s = sch.scsw;
    const onlyIntermediate = (s.flag3 & (SC_PRIMARY | SC_SECONDARY | SC_ALERT)) === 0 && (s.flag3 & SC_INTERMEDIATE) !== 0;
    const stillWorking = (s.flag3 & (AC_SUBCHANNEL_ACTIVE | AC_DEVICE_ACTIVE | AC_SUSPENDED)) !== 0 || (s.flag2 & (AC_START_PENDING | AC_RESUME_PENDING)) !== 0;
    if (onlyIntermediate && stillWorking) {
      // Intermediate status (PCI, initial status, suspension): the start function goes on.
      s.flag3 &= ~(SC_INTERMEDIATE | SC_PENDING);
      s.flag1 &= ~SCSW1_Z;
      s.subchannelStatus &= ~SS_PCI;
      return;
    }
    s.flag2 = 0;
    s.flag3 = 0;
    s.flag1 &= ~(SCSW1_Z | SCSW1_E);
    sch.ecw = null;
    sch.eswErw0 = 0;
    sch.eswSenseCount = 0;
  }

  private stsch(sch: Subchannel | undefined, address: number, cpu: IoOperandAccess): IoResult {
    if ((address & 3) !== 0) return -PGM.SPECIFICATION;
    if (sch === undefined) return 3;
    const ex = cpu.store(address, encodeSchib(sch.pmcw, sch.scsw, this.schibBuffer));
    return ex !== 0 ? -ex : 0;
  }

  private msch(sch: Subchannel | undefined, address: number, cpu: IoOperandAccess): IoResult {
    if ((address & 3) !== 0) return -PGM.SPECIFICATION;
    const raw = this.pmcwBuffer;
    const ex = cpu.fetch(address, raw, 28);
    if (ex !== 0) return -ex;
    if (pmcwReservedBitsSet(raw)) return -PGM.OPERAND;
    if (sch === undefined || !sch.pmcw.valid) return 3;
    if ((sch.scsw.flag3 & SC_PENDING) !== 0) return 1;
    if ((sch.scsw.flag2 & (FC_START | FC_HALT | FC_CLEAR)) !== 0) return 2;
    const p = decodePmcw(raw);
    // Only the program-modifiable fields change (POP 14-"MODIFY SUBCHANNEL").
    const m = sch.pmcw;
    m.interruptionParameter = p.interruptionParameter;
    m.isc = p.isc;
    m.enabled = p.enabled;
    m.limitMode = p.limitMode;
    m.measurementMode = p.measurementMode;
    m.multipath = p.multipath;
    m.timing = p.timing;
    m.lpm = p.lpm;
    m.mbi = p.mbi;
    m.concurrentSense = p.concurrentSense;
    return 0;
  }

  private hsch(sch: Subchannel | undefined): IoResult {
    if (sch === undefined || !sch.pmcw.valid || !sch.pmcw.enabled) return 3;
    const s = sch.scsw;
    // Status pending with anything but intermediate status alone: cc 1 (POP 14-"HALT SUBCHANNEL").
    if ((s.flag3 & SC_PENDING) !== 0 && (s.flag3 & (SC_PRIMARY | SC_SECONDARY | SC_ALERT)) !== 0) return 1;
    if ((s.flag3 & SC_PENDING) !== 0 && (s.flag3 & SC_INTERMEDIATE) === 0) return 1;
    if ((s.flag2 & (FC_HALT | FC_CLEAR)) !== 0) return 2;
    s.flag2 |= FC_HALT | AC_HALT_PENDING;
    this.timer('halt', sch, this.haltLatencyUs);
    return 0;
  }

  private completeHalt(sch: Subchannel): void {
    const s = sch.scsw;
    if ((s.flag2 & AC_HALT_PENDING) === 0) return;
    s.flag2 &= ~AC_HALT_PENDING;
    const running = sch.inFlight !== null || (s.flag3 & (AC_SUBCHANNEL_ACTIVE | AC_DEVICE_ACTIVE | AC_SUSPENDED)) !== 0;
    const startPending = (s.flag2 & (AC_START_PENDING | AC_RESUME_PENDING)) !== 0;
    this.abandonProgram(sch);
    s.flag2 &= ~(AC_START_PENDING | AC_RESUME_PENDING);
    if (running) {
      // The device was working: it presents channel end and device end as it stops.
      s.flag3 = (s.flag3 & SC_INTERMEDIATE) | SC_PRIMARY | SC_SECONDARY | SC_PENDING;
      s.deviceStatus = CE_DE;
    } else {
      s.flag3 = (s.flag3 & SC_INTERMEDIATE) | SC_PENDING;
      if (!startPending) s.deviceStatus = 0;
    }
    this.queueInterruption(sch);
    this.scheduleDispatch(0);
  }

  private csch(sch: Subchannel | undefined): IoResult {
    if (sch === undefined || !sch.pmcw.valid || !sch.pmcw.enabled) return 3;
    this.dequeueInterruption(sch);
    this.abandonProgram(sch);
    const s = sch.scsw;
    s.flag2 = FC_CLEAR | AC_CLEAR_PENDING;
    s.flag3 = 0;
    // Clear-function path management (POP 15-"Clear Function").
    sch.pmcw.pom = 0xff;
    sch.pmcw.lpum = 0;
    sch.pmcw.pnom = 0;
    this.timer('clear', sch, this.haltLatencyUs);
    return 0;
  }

  /** The clear function reaches the device and completes: status pending alone with the clear function. */
  private completeClear(sch: Subchannel): void {
    if ((sch.scsw.flag2 & AC_CLEAR_PENDING) === 0) return;
    // The clear signal reaches the device unless another image's program is using it (MIF).
    if (sch.slot.busyWith === null) sch.slot.device.reset();
    sch.scsw = emptyScsw();
    sch.scsw.flag2 = FC_CLEAR;
    sch.scsw.flag3 = SC_PENDING;
    sch.ecw = null;
    this.queueInterruption(sch);
  }

  private rsch(sch: Subchannel | undefined): IoResult {
    if (sch === undefined || !sch.pmcw.valid || !sch.pmcw.enabled) return 3;
    const s = sch.scsw;
    if ((s.flag3 & SC_PENDING) !== 0) return 1;
    if ((s.flag2 & (FC_START | FC_HALT | FC_CLEAR)) !== FC_START || (s.flag2 & AC_RESUME_PENDING) !== 0 || (s.flag0 & SCSW0_S) === 0) return 2;
    s.flag2 |= AC_RESUME_PENDING;
    if ((s.flag3 & AC_SUSPENDED) !== 0) this.enqueueStart(sch);
    return 0;
  }

  private xsch(sch: Subchannel | undefined): IoResult {
    if (sch === undefined || !sch.pmcw.valid || !sch.pmcw.enabled) return 3;
    const s = sch.scsw;
    if ((s.flag3 & SC_PENDING) !== 0) return 1;
    const startPending = (s.flag2 & AC_START_PENDING) !== 0 && (s.flag3 & (AC_SUBCHANNEL_ACTIVE | AC_DEVICE_ACTIVE)) === 0;
    const suspended = (s.flag3 & AC_SUSPENDED) !== 0 && (s.flag2 & AC_RESUME_PENDING) === 0;
    if ((s.flag2 & FC_START) === 0 || (s.flag2 & (FC_HALT | FC_CLEAR)) !== 0 || !(startPending || suspended)) return 2;
    this.abandonProgram(sch);
    s.flag2 = 0;
    s.flag3 = 0;
    return 0;
  }

  private tpi(image: number, address: number, cpu: IoOperandAccess): IoResult {
    if ((address & 3) !== 0) return -PGM.SPECIFICATION;
    // IoOperandAccess carries no control registers; a CPU that adds `cr6` gets TPI masked by it.
    const cr6 = (cpu as IoOperandAccess & { readonly cr6?: number }).cr6 ?? 0xff000000;
    const list = this.pending[image]!;
    const sch = this.pickInterruption(list, cr6);
    if (sch === undefined) return 0;
    const code = this.tpiBuffer;
    const ssid = 0x00010000 | sch.number;
    put32(code, 0, ssid);
    put32(code, 4, sch.pmcw.interruptionParameter);
    // Operand address zero: the code goes to real locations 184-191 (X'B8'), as an interruption stores it.
    const ex = cpu.store(address === 0 ? 0xb8 : address, code);
    if (ex !== 0) return -ex;
    this.dequeueInterruption(sch);
    return 1;
  }

  // ------------------------------------------------------------ interruptions

  /** @internal */
  takeFor(image: number, cr6: number): IoInterruption | null {
    const list = this.pending[image]!;
    const sch = this.pickInterruption(list, cr6);
    if (sch === undefined) return null;
    this.dequeueInterruption(sch);
    this.counters.interruptions++;
    return { subsystemId: 0x00010000 | sch.number, parameter: sch.pmcw.interruptionParameter, isc: sch.pmcw.isc };
  }

  /** Lowest ISC enabled in CR6 first (subclass 0 has the highest priority), FIFO within a subclass. */
  private pickInterruption(list: Subchannel[], cr6: number): Subchannel | undefined {
    let best: Subchannel | undefined;
    for (const sch of list) {
      if (((cr6 >>> (31 - sch.pmcw.isc)) & 1) === 0) continue;
      if (best === undefined || sch.pmcw.isc < best.pmcw.isc || (sch.pmcw.isc === best.pmcw.isc && sch.interruptionSeq < best.interruptionSeq)) best = sch;
    }
    return best;
  }

  private queueInterruption(sch: Subchannel): void {
    if (sch.interruptionQueued) return;
    sch.interruptionQueued = true;
    sch.interruptionSeq = this.seq++;
    this.pending[sch.image]!.push(sch);
    const l = this.listeners[sch.image];
    if (l !== null && l !== undefined) l();
  }

  private dequeueInterruption(sch: Subchannel): void {
    if (!sch.interruptionQueued) return;
    sch.interruptionQueued = false;
    const list = this.pending[sch.image]!;
    const i = list.indexOf(sch);
    if (i >= 0) list.splice(i, 1);
  }

  // ------------------------------------------------------------ start queuing and paths

  private enqueueStart(sch: Subchannel): void {
    sch.queuedAt = this.seq++;
    sch.contended = false;
    this.waiting.push(sch);
    this.scheduleDispatch(this.startLatencyUs);
  }

  private scheduleDispatch(us: number): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    this.timer('dispatch', null, us);
  }

  /** Give waiting start functions a free path and their free device, in queuing order. */
  private dispatch(): void {
    if (this.waiting.length === 0) return;
    const order = [...this.waiting];
    if (this.queuing === 'priority') order.sort((a, b) => b.priority - a.priority || a.queuedAt - b.queuedAt);
    else order.sort((a, b) => a.queuedAt - b.queuedAt);
    for (const sch of order) {
      if (sch.slot.busyWith !== null && sch.slot.busyWith !== sch) continue;
      const path = this.freePath(sch);
      if (path === undefined) continue;
      this.waiting.splice(this.waiting.indexOf(sch), 1);
      sch.queuedAt = -1;
      this.begin(sch, path);
    }
    // Contention: count each start once, the first time it finds its paths busy.
    for (const sch of this.waiting) {
      if (sch.contended) continue;
      for (const c of sch.slot.chpids) {
        const p = this.paths.get(c);
        if (p !== undefined && p.busyWith !== null) {
          p.contentions++;
          sch.contended = true;
        }
      }
    }
  }

  private freePath(sch: Subchannel): ChannelPath | undefined {
    const usable = sch.pmcw.lpm & sch.pmcw.pam & sch.pmcw.pom & sch.pmcw.pim;
    for (let i = 0; i < sch.slot.chpids.length; i++) {
      if ((usable & (0x80 >>> i)) === 0) continue;
      const p = this.paths.get(sch.slot.chpids[i]!);
      if (p !== undefined && p.busyWith === null && p.images.has(sch.image)) return p;
    }
    return undefined;
  }

  private begin(sch: Subchannel, path: ChannelPath): void {
    const s = sch.scsw;
    if ((s.flag2 & FC_START) === 0) return;
    this.takePath(sch, path);
    path.starts++;
    sch.slot.busyWith = sch;
    const resuming = (s.flag2 & AC_RESUME_PENDING) !== 0 && (s.flag3 & AC_SUSPENDED) !== 0;
    s.flag2 &= ~(AC_START_PENDING | AC_RESUME_PENDING);
    s.flag3 = (s.flag3 & ~AC_SUSPENDED) | AC_SUBCHANNEL_ACTIVE | AC_DEVICE_ACTIVE;
    if (!resuming) sch.slot.device.startProgram();
    if (!resuming && (s.flag1 & SCSW1_I) !== 0) {
      // Initial-status interruption: intermediate status with the zero-condition-code flag.
      s.ccwAddress = sch.ccwAddress;
      s.flag1 |= SCSW1_Z;
      s.flag3 |= SC_INTERMEDIATE | SC_PENDING;
      this.queueInterruption(sch);
    }
    this.run(sch);
  }

  private release(sch: Subchannel): void {
    if (sch.slot.busyWith === sch) sch.slot.busyWith = null;
    this.releasePath(sch);
    if (this.waiting.length > 0) this.scheduleDispatch(0);
  }

  /** Stop whatever the subchannel's program was doing, silently (halt, clear, cancel). */
  private abandonProgram(sch: Subchannel): void {
    if (sch.eventId >= 0) {
      this.clock.cancel(sch.eventId);
      const e = this.events.findIndex((x) => x.id === sch.eventId);
      if (e >= 0) this.releaseEvent(this.events[e]!);
      sch.eventId = -1;
    }
    sch.inFlight = null;
    const w = this.waiting.indexOf(sch);
    if (w >= 0) this.waiting.splice(w, 1);
    const rc = this.reconnects.indexOf(sch);
    if (rc >= 0) this.reconnects.splice(rc, 1);
    sch.queuedAt = -1;
    this.release(sch);
  }

  /**
   * Schedule one of the subsystem's own events on the clock, `us`
   * microseconds from now. Events are recorded by kind (not as closures) so
   * a snapshot can carry them and a restore can schedule them again.
   */
  private timer(kind: EventKind, sch: Subchannel | null, us: number, arg = 0): number {
    return this.timerAt(kind, sch, this.clock.now() + us * this.clock.cyclesPerMicrosecond, arg);
  }

  /**
   * Every command of a channel program is one event, so this runs some
   * 5,000 times per million guest instructions of an I/O-bound guest. It
   * used to allocate a closure, a record and a Map entry per event; now a
   * record (with its clock action, made once) comes from a free list and
   * goes back when it fires or is cancelled. Times and order on the clock
   * are unchanged: the same `schedule(at, ...)` calls in the same order.
   */
  private timerAt(kind: EventKind, sch: Subchannel | null, at: number, arg: number): number {
    const e = this.freeEvents.pop() ?? this.newEvent();
    e.at = Math.max(at, this.clock.now());
    e.kind = kind;
    e.sch = sch;
    e.arg = arg;
    e.index = this.events.length;
    this.events.push(e);
    e.id = this.clock.schedule(at, e.action);
    return e.id;
  }

  private newEvent(): PendingEvent {
    const e: PendingEvent = { at: 0, kind: 'dispatch', sch: null, arg: 0, id: -1, index: -1, action: () => this.fireEvent(e) };
    return e;
  }

  /** Take a record off the waiting list (swap with the last: order there does not matter) and free it. */
  private releaseEvent(e: PendingEvent): void {
    const last = this.events.pop()!;
    if (last !== e) {
      this.events[e.index] = last;
      last.index = e.index;
    }
    e.index = -1;
    e.sch = null;
    this.freeEvents.push(e);
  }

  private fireEvent(e: PendingEvent): void {
    // A record's action runs only while the record waits: a cancelled clock event never fires.
    if (e.index < 0) return;
    const kind = e.kind;
    const sch = e.sch;
    const arg = e.arg;
    this.releaseEvent(e);
    this.fire(kind, sch, arg);
  }

  private fire(kind: EventKind, sch: Subchannel | null, arg: number): void {
    switch (kind) {
      case 'dispatch':
        this.dispatchScheduled = false;
        this.dispatch();
        return;
      case 'halt':
        if (sch !== null) this.completeHalt(sch);
        return;
      case 'clear':
        if (sch !== null) this.completeClear(sch);
        return;
      case 'reconnect':
        // A program halted or cleared while disconnected has nothing to reconnect for.
        if (sch === null || sch.inFlight === null) return;
        sch.eventId = -1;
        this.reconnect(sch, arg);
        return;
      case 'complete':
        if (sch === null) return;
        sch.eventId = -1;
        this.complete(sch);
        if (sch.inFlight === null && (sch.scsw.flag3 & (AC_SUBCHANNEL_ACTIVE | AC_DEVICE_ACTIVE)) !== 0 && (sch.scsw.flag2 & FC_START) !== 0) this.run(sch);
        return;
    }
  }


  // ------------------------------------------------------------ channel programs

  /** Run the channel program from `sch.ccwAddress` until a command is in flight or the program ends. */
  private run(sch: Subchannel): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = this.stepCommand(sch);
      if (next === 'wait' || next === 'done') return;
      // 'again': a zero-time command (e.g. after TIC) — continue inline.
    }
    this.finish(sch, 0, SS_PROGRAM_CHECK, sch.lastResidual, sch.ccwAddress);
  }

  /** One step of the channel program: a TIC ('again'), the end or a suspension ('done'), or a command in flight ('wait'). */
  private stepCommand(sch: Subchannel): 'wait' | 'done' | 'again' {
    const step = this.interpreter.step(sch, this.clock.now() / this.clock.cyclesPerMicrosecond);
    switch (step.kind) {
      case 'again':
        return 'again';
      case 'end':
        this.finish(sch, step.unit, step.chan, step.residual, step.ccwAddress);
        return 'done';
      case 'suspend':
        this.suspend(sch, step.ccwAddress, step.count);
        return 'done';
    }
    if (sch.ipl) {
      // IPL runs without the clock: complete at once.
      this.complete(sch);
      return sch.inFlight === null && (sch.scsw.flag3 & SC_PENDING) === 0 ? 'again' : 'done';
    }
    const us = step.serviceUs + this.commandOverheadUs;
    const disconnected = step.disconnectUs;
    if (disconnected > 0) {
      // The device works on its own (seek, rotation): the path is free until it reconnects.
      this.releasePath(sch);
      sch.eventId = this.timer('reconnect', sch, disconnected, us - disconnected);
    } else {
      this.scheduleCompletion(sch, us);
    }
    return 'wait';
  }

  /** The command in flight is done: end the program or let it chain. */
  private complete(sch: Subchannel): void {
    const c = this.interpreter.complete(sch);
    if (c.kind === 'end') this.finish(sch, c.unit, c.chan, c.residual, c.ccwAddress);
  }

  private scheduleCompletion(sch: Subchannel, us: number): void {
    sch.eventId = this.timer('complete', sch, us);
  }


  /** Reconnect after a disconnected phase: take a free path (or wait for one), then finish the command's connected part. */
  private reconnect(sch: Subchannel, connectedUs: number): void {
    const path = this.freePath(sch);
    if (path === undefined) {
      sch.reconnectUs = connectedUs;
      this.reconnects.push(sch);
      for (const c of sch.slot.chpids) {
        const p = this.paths.get(c);
        if (p !== undefined && p.busyWith !== null) p.contentions++;
      }
      return;
    }
    this.takePath(sch, path);
    this.scheduleCompletion(sch, connectedUs);
  }

  private takePath(sch: Subchannel, path: ChannelPath): void {
    path.busyWith = sch;
    sch.pathChpid = path.chpid;
    sch.pmcw.lpum = (0x80 >>> sch.slot.chpids.indexOf(path.chpid)) & 0xff;
  }

  /** Free the subchannel's path; a waiting reconnection gets it first, then waiting starts. */
  private releasePath(sch: Subchannel): void {
    if (sch.pathChpid < 0) return;
    const p = this.paths.get(sch.pathChpid);
    sch.pathChpid = -1;
    if (p === undefined || p.busyWith !== sch) return;
    p.busyWith = null;
    for (let i = 0; i < this.reconnects.length; i++) {
      const w = this.reconnects[i]!;
      const path = this.freePath(w);
      if (path === undefined) continue;
      this.reconnects.splice(i, 1);
      this.takePath(w, path);
      this.scheduleCompletion(w, w.reconnectUs);
      break;
    }
    if (this.waiting.length > 0) this.scheduleDispatch(0);
  }

  /** @internal A CCW with the PCI flag became current: intermediate status, an interruption unless one is already pending. */
  pci(sch: Subchannel, ccwAddress: number): void {
    const s = sch.scsw;
    s.subchannelStatus |= SS_PCI;
    s.ccwAddress = ccwAddress;
    if ((s.flag3 & SC_PENDING) === 0) {
      s.flag3 |= SC_INTERMEDIATE | SC_PENDING;
      this.queueInterruption(sch);
    }
  }

  private suspend(sch: Subchannel, ccwAddress: number, count: number): void {
    const s = sch.scsw;
    sch.ccwAddress = ccwAddress;
    sch.first = false;
    this.release(sch);
    s.flag3 = (s.flag3 & ~(AC_SUBCHANNEL_ACTIVE | AC_DEVICE_ACTIVE)) | AC_SUSPENDED;
    s.ccwAddress = (ccwAddress + 8) >>> 0;
    s.deviceStatus = 0;
    s.subchannelStatus &= SS_PCI;
    s.count = count;
    if ((s.flag1 & SCSW1_U) === 0) {
      s.flag3 |= SC_INTERMEDIATE | SC_PENDING;
      this.queueInterruption(sch);
    }
  }

  /** End the start function: primary and secondary status pending (alert if unusual). */
  private finish(sch: Subchannel, unit: number, chan: number, residual: number, ccwAddress: number): void {
    const s = sch.scsw;
    sch.inFlight = null;
    this.release(sch);
    this.counters.completions++;
    s.flag2 &= ~(AC_START_PENDING | AC_RESUME_PENDING);
    // A PCI intermediate status not yet taken by TSCH stays indicated alongside the primary status.
    const intermediate = (s.flag3 & (SC_INTERMEDIATE | SC_PENDING)) === (SC_INTERMEDIATE | SC_PENDING) ? SC_INTERMEDIATE : 0;
    let sc = intermediate | SC_PRIMARY | SC_SECONDARY | SC_PENDING;
    if (chan !== 0 || unit !== CE_DE) sc |= SC_ALERT;
    s.flag3 = sc;
    s.ccwAddress = ccwAddress >>> 0;
    s.deviceStatus = unit;
    s.subchannelStatus = chan | (s.subchannelStatus & SS_PCI);
    s.count = residual & 0xffff;
    if (sch.ipl) return;
    this.queueInterruption(sch);
  }

  /**
   * Unsolicited device status (attention, a 3270 ENTER, a reader becoming
   * ready): every image whose subchannel for the device is enabled, idle and
   * not status pending gets alert status pending with that device status.
   * Returns how many images were told.
   */
  attention(deviceNumber: number, status: number = DS_ATTENTION): number {
    return this.alert(deviceNumber, status, null);
  }

  /** Alert status for the images that reach `slot` (every device at the number when null). */
  private alert(deviceNumber: number, status: number, slot: DeviceSlot | null): number {
    let told = 0;
    for (let image = 0; image < this.imageCount; image++) {
      const sch = this.byDevice[image]!.get(deviceNumber);
      if (sch === undefined || (slot !== null && sch.slot !== slot) || !sch.pmcw.valid || !sch.pmcw.enabled) continue;
      const s = sch.scsw;
      if ((s.flag3 & SC_PENDING) !== 0 || (s.flag2 & (FC_START | FC_HALT | FC_CLEAR)) !== 0) continue;
      sch.scsw = emptyScsw();
      sch.scsw.flag3 = SC_ALERT | SC_PENDING;
      sch.scsw.deviceStatus = status & 0xff;
      this.queueInterruption(sch);
      told++;
    }
    return told;
  }

  /**
   * I/O-system reset (POP 17-"Resets"; part of system reset and of IPL):
   * every channel program is abandoned, every pending interruption
   * forgotten, every device reset, and every subchannel returns to its
   * initial state — valid, not enabled, ISC 0, parameter 0, LPM = PIM, an
   * idle SCSW.
   *
   * With `image`, the reset of one logical partition (its system reset or
   * IPL, POP 17 and the PR/SM note that a partition's reset reaches only its
   * own subchannel images): only that image's subchannels are reset, its
   * programs abandoned and its interruptions forgotten; a device is reset
   * only when no other image reaches it, so another partition's program on a
   * shared device goes on undisturbed.
   */
  ioSystemReset(image?: number): void {
    if (image !== undefined) this.checkImage(image);
    for (let i = 0; i < this.imageCount; i++) {
      if (image !== undefined && i !== image) continue;
      for (const sch of this.subchannels[i]!) {
        this.abandonProgram(sch);
        this.dequeueInterruption(sch);
        sch.scsw = emptyScsw();
        sch.orb = null;
        sch.ecw = null;
        sch.eswErw0 = 0;
        sch.eswSenseCount = 0;
        const m = sch.pmcw;
        m.interruptionParameter = 0;
        m.isc = 0;
        m.enabled = false;
        m.limitMode = 0;
        m.measurementMode = 0;
        m.multipath = false;
        m.timing = false;
        m.lpm = m.pim;
        m.lpum = 0;
        m.pnom = 0;
        m.pom = 0xff;
        m.mbi = 0;
        m.concurrentSense = false;
      }
    }
    if (image !== undefined) {
      for (const slot of this.slots) {
        if (!this.reachedOnlyBy(slot, image)) continue;
        if (slot.busyWith === null || slot.busyWith.image === image) slot.busyWith = null;
        slot.device.reset();
      }
      if (this.waiting.length > 0) this.scheduleDispatch(0);
      return;
    }
    for (const slot of this.slots) {
      slot.busyWith = null;
      slot.device.reset();
    }
    for (const p of this.paths.values()) p.busyWith = null;
    this.waiting.length = 0;
    this.reconnects.length = 0;
    this.addressLimit = 0;
  }

  private reachedOnlyBy(slot: DeviceSlot, image: number): boolean {
    for (let i = 0; i < this.imageCount; i++) if (i !== image && this.byDevice[i]!.get(slot.deviceNumber)?.slot === slot) return false;
    return true;
  }

  // ------------------------------------------------------------ snapshot and restore

  /**
   * The subsystem's whole state as a plain, JSON-safe, versioned value:
   * every subchannel (PMCW, SCSW, ORB, channel-program position, a command in
   * flight with its data), the queues, the path and device holders, the
   * events waiting on the clock (as kinds and times) and each device's own
   * state (`Device.snapshot`). Storage and DASD volumes are not in it (the
   * machine snapshot has storage; volumes live in their image files), nor is
   * the topology, which `restore` expects to find built the same way.
   */
  snapshot(): ChannelSubsystemSnapshot {
    const ref = (sch: Subchannel | null): [number, number] | null => (sch === null ? null : [sch.image, sch.number]);
    const b64 = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('base64'));
    return {
      kind: 'io-channel',
      version: CSS_SNAPSHOT_VERSION,
      now: this.clock.now(),
      seq: this.seq,
      addressLimit: this.addressLimit,
      queuing: this.queuing,
      counters: { ...this.counters },
      imageStarts: [...this.imageStarts],
      dispatchScheduled: this.dispatchScheduled,
      paths: [...this.paths.values()].map((p) => ({ chpid: p.chpid, images: [...p.images].sort((a, b) => a - b), busyWith: ref(p.busyWith), starts: p.starts, contentions: p.contentions })),
      devices: this.slots.map((d) => ({ deviceNumber: d.deviceNumber, busyWith: ref(d.busyWith), state: d.device.snapshot?.() ?? null })),
      subchannels: this.subchannels.map((list) =>
        list.map((sch) => ({
          pmcw: { ...sch.pmcw, chpids: [...sch.pmcw.chpids] },
          scsw: { ...sch.scsw },
          orb: sch.orb === null ? null : { ...sch.orb },
          priority: sch.priority,
          ccwAddress: sch.ccwAddress,
          format1: sch.format1,
          key: sch.key,
          first: sch.first,
          ticNext: sch.ticNext,
          chained: sch.chained,
          previousCommand: sch.previousCommand,
          lastResidual: sch.lastResidual,
          inFlight:
            sch.inFlight === null
              ? null
              : { ...sch.inFlight, segments: sch.inFlight.segments.map((g) => ({ ...g })), data: b64(sch.inFlight.data) },
          queuedAt: sch.queuedAt,
          pathChpid: sch.pathChpid,
          reconnectUs: sch.reconnectUs,
          contended: sch.contended,
          interruptionQueued: sch.interruptionQueued,
          interruptionSeq: sch.interruptionSeq,
          ecw: b64(sch.ecw),
          eswErw0: sch.eswErw0,
          eswSenseCount: sch.eswSenseCount,
        })),
      ),
      waiting: this.waiting.map((sch) => [sch.image, sch.number]),
      reconnects: this.reconnects.map((sch) => [sch.image, sch.number]),
      pending: this.pending.map((list) => list.map((sch) => sch.number)),
      events: [...this.events]
        .sort((a, b) => a.at - b.at || a.id - b.id)
        .map((e) => ({ at: e.at, kind: e.kind, sch: ref(e.sch), arg: e.arg, holder: e.sch !== null && e.sch.eventId === e.id })),
    };
  }

  /**
   * Take back a snapshot into a subsystem built with the same images,
   * channel paths and devices attached in the same order, on a clock at
   * the snapshot's time (or earlier; it is advanced). Returns an error
   * message when the topology does not match, else null.
   */
  restore(snap: ChannelSubsystemSnapshot): string | null {
    if (snap.kind !== 'io-channel' || snap.version !== CSS_SNAPSHOT_VERSION) return `not an io-channel snapshot of version ${CSS_SNAPSHOT_VERSION}`;
    if (snap.subchannels.length !== this.imageCount) return `snapshot has ${snap.subchannels.length} images, this subsystem ${this.imageCount}`;
    for (let i = 0; i < this.imageCount; i++) if (snap.subchannels[i]!.length !== this.subchannels[i]!.length) return `image ${i}: snapshot has ${snap.subchannels[i]!.length} subchannels, this subsystem ${this.subchannels[i]!.length}`;
    if (snap.devices.length !== this.slots.length) return `snapshot has ${snap.devices.length} devices, this subsystem ${this.slots.length}`;
    for (let i = 0; i < snap.devices.length; i++) if (this.slots[i]!.deviceNumber !== snap.devices[i]!.deviceNumber) return `device ${hex4(snap.devices[i]!.deviceNumber)} is not attached here`;
    if (this.clock.now() > snap.now) return 'the clock is already past the snapshot time';
    const sch = (r: readonly [number, number] | null): Subchannel | null => (r === null ? null : (this.subchannels[r[0]]?.[r[1]] ?? null));
    const bytes = (b: string | null): Uint8Array | null => (b === null ? null : Uint8Array.from(Buffer.from(b, 'base64')));
    while (this.events.length > 0) {
      const e = this.events[this.events.length - 1]!;
      this.clock.cancel(e.id);
      this.releaseEvent(e);
    }
    (this.clock as Clock & { advanceTo?: (t: number) => void }).advanceTo?.(snap.now);
    this.seq = snap.seq;
    this.addressLimit = snap.addressLimit;
    this.queuing = snap.queuing;
    Object.assign(this.counters, snap.counters);
    for (let i = 0; i < this.imageCount; i++) this.imageStarts[i] = snap.imageStarts?.[i] ?? 0;
    this.dispatchScheduled = snap.dispatchScheduled;
    snap.subchannels.forEach((list, image) => {
      list.forEach((x, n) => {
        const t = this.subchannels[image]![n]!;
        Object.assign(t.pmcw, { ...x.pmcw, chpids: [...x.pmcw.chpids] });
        t.scsw = { ...x.scsw };
        t.orb = x.orb === null ? null : { ...x.orb };
        t.priority = x.priority;
        t.ccwAddress = x.ccwAddress;
        t.format1 = x.format1;
        t.key = x.key;
        t.first = x.first;
        t.ticNext = x.ticNext;
        t.chained = x.chained;
        t.previousCommand = x.previousCommand;
        t.lastResidual = x.lastResidual;
        t.inFlight = x.inFlight === null ? null : { ...x.inFlight, segments: x.inFlight.segments.map((g) => ({ ...g })), data: bytes(x.inFlight.data) };
        t.eventId = -1;
        t.queuedAt = x.queuedAt;
        t.pathChpid = x.pathChpid;
        t.reconnectUs = x.reconnectUs;
        t.contended = x.contended;
        t.interruptionQueued = x.interruptionQueued;
        t.interruptionSeq = x.interruptionSeq;
        t.ecw = bytes(x.ecw);
        t.eswErw0 = x.eswErw0;
        t.eswSenseCount = x.eswSenseCount;
        t.ipl = false;
      });
    });
    for (const p of snap.paths) {
      const path = this.defineChannelPath(p.chpid);
      path.images.clear();
      for (const i of p.images) path.images.add(i);
      path.busyWith = sch(p.busyWith);
      path.starts = p.starts;
      path.contentions = p.contentions;
    }
    for (let i = 0; i < snap.devices.length; i++) {
      const d = snap.devices[i]!;
      const slot = this.slots[i]!;
      slot.busyWith = sch(d.busyWith);
      if (d.state !== null) slot.device.restore?.(d.state);
    }
    this.refreshAvailability();
    this.waiting.length = 0;
    for (const r of snap.waiting) this.waiting.push(sch(r)!);
    this.reconnects.length = 0;
    for (const r of snap.reconnects) this.reconnects.push(sch(r)!);
    snap.pending.forEach((list, image) => {
      const target = this.pending[image]!;
      target.length = 0;
      for (const n of list) target.push(this.subchannels[image]![n]!);
    });
    for (const e of snap.events) {
      const owner = sch(e.sch);
      const id = this.timerAt(e.kind, owner, e.at, e.arg);
      if (e.holder && owner !== null) owner.eventId = id;
    }
    return null;
  }

  // ------------------------------------------------------------ IPL

  /**
   * Initial program loading from `deviceNumber` (POP 17-"Initial Program
   * Loading"): the channel subsystem reads 24 bytes into absolute location 0
   * with an implicit format-0 READ (X'02', command chaining and SLI), then
   * continues the channel program with the format-0 CCW at location 8, key 0,
   * all without a clock (IPL happens before the CPUs run). On success the
   * subsystem-identification word is stored at X'B8', zero at X'BC', and the
   * caller (the CPU) loads the PSW from absolute 0; `psw` holds those 8 bytes.
   */
  ipl(deviceNumber: number, image = 0): IplResult {
    const sch = this.byDevice[image]?.get(deviceNumber);
    if (sch === undefined) return { ok: false, reason: `no device ${hex4(deviceNumber)}`, deviceStatus: 0, subchannelStatus: 0 };
    this.dequeueInterruption(sch);
    this.abandonProgram(sch);
    sch.orb = null;
    sch.scsw = emptyScsw();
    sch.scsw.flag2 = FC_START;
    sch.slot.device.startProgram();
    this.initProgram(sch, 0, false, 0, true);
    sch.scsw.flag3 = AC_SUBCHANNEL_ACTIVE | AC_DEVICE_ACTIVE;
    for (let guard = 0; guard < 100_000; guard++) {
      const r = this.stepCommand(sch);
      if (r === 'done' || (sch.scsw.flag3 & SC_PENDING) !== 0) break;
    }
    sch.ipl = false;
    const s = sch.scsw;
    const ok = (s.flag3 & SC_PENDING) !== 0 && s.subchannelStatus === 0 && (s.deviceStatus & ~DS_STATUS_MODIFIER) === CE_DE;
    const devStatus = s.deviceStatus;
    const schStatus = s.subchannelStatus;
    if ((s.flag3 & SC_PENDING) === 0) {
      this.abandonProgram(sch);
      sch.scsw = emptyScsw();
      return { ok: false, reason: 'channel program did not end', deviceStatus: devStatus, subchannelStatus: schStatus };
    }
    sch.scsw = emptyScsw();
    if (!ok) return { ok: false, reason: 'IPL channel program ended with unusual status', deviceStatus: devStatus, subchannelStatus: schStatus };
    const code = new Uint8Array(8);
    put32(code, 0, 0x00010000 | sch.number);
    const storage = this.storageFor(image);
    storage.writeFrom(0xb8 as never, code);
    const psw = new Uint8Array(8);
    storage.readInto(0 as never, psw, 0, 8);
    return { ok: true, subchannel: sch.number, psw };
  }

  // ------------------------------------------------------------ helpers

  private checkImage(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n >= this.imageCount) throw new RangeError(`image must be 0-${this.imageCount - 1}, got ${n}`);
  }

  private availableMask(slot: DeviceSlot, image: number): number {
    let pam = 0;
    slot.chpids.forEach((c, i) => {
      if (this.paths.get(c)?.images.has(image) === true) pam |= 0x80 >>> i;
    });
    return pam;
  }

  private refreshAvailability(): void {
    for (let image = 0; image < this.imageCount; image++) {
      for (const sch of this.subchannels[image]!) sch.pmcw.pam = this.availableMask(sch.slot, image);
    }
  }
}


/** Version of `ChannelSubsystemSnapshot` this code writes and reads. */
export const CSS_SNAPSHOT_VERSION = 1;

/** Kinds of events the subsystem schedules on the clock. */
export type ChannelEventKind = 'dispatch' | 'halt' | 'clear' | 'complete' | 'reconnect';
type EventKind = ChannelEventKind;

/** A subchannel in a snapshot (see `ChannelSubsystem.snapshot`). */
export interface SubchannelSnapshot {
  readonly pmcw: Pmcw;
  readonly scsw: Scsw;
  readonly orb: Orb | null;
  readonly priority: number;
  readonly ccwAddress: number;
  readonly format1: boolean;
  readonly key: number;
  readonly first: boolean;
  readonly ticNext: number;
  readonly chained: boolean;
  readonly previousCommand: number;
  readonly lastResidual: number;
  readonly inFlight: (Omit<InFlight, 'data'> & { readonly data: string | null }) | null;
  readonly queuedAt: number;
  readonly pathChpid: number;
  readonly reconnectUs: number;
  readonly contended: boolean;
  readonly interruptionQueued: boolean;
  readonly interruptionSeq: number;
  readonly ecw: string | null;
  readonly eswErw0: number;
  readonly eswSenseCount: number;
}

/** A channel subsystem's state: plain, JSON-safe, versioned (see `ChannelSubsystem.snapshot`). */
export interface ChannelSubsystemSnapshot {
  readonly kind: 'io-channel';
  readonly version: number;
  /** Clock time (cycles) when it was taken. */
  readonly now: number;
  readonly seq: number;
  readonly addressLimit: number;
  readonly queuing: QueuingPolicy;
  readonly counters: ChannelCounters;
  /** SSCHs per image (absent in snapshots of older builds). */
  readonly imageStarts?: readonly number[];
  readonly dispatchScheduled: boolean;
  readonly paths: readonly { chpid: number; images: number[]; busyWith: [number, number] | null; starts: number; contentions: number }[];
  readonly devices: readonly { deviceNumber: number; busyWith: [number, number] | null; state: unknown }[];
  readonly subchannels: readonly (readonly SubchannelSnapshot[])[];
  readonly waiting: readonly [number, number][];
  readonly reconnects: readonly [number, number][];
  readonly pending: readonly (readonly number[])[];
  readonly events: readonly { at: number; kind: ChannelEventKind; sch: [number, number] | null; arg: number; holder: boolean }[];
}

/** One of the subsystem's events on the clock: a reused record (see `timerAt`). */
interface PendingEvent {
  at: number;
  kind: EventKind;
  sch: Subchannel | null;
  arg: number;
  /** The clock's id for it (ties at the same time fire in id order). */
  id: number;
  /** Position in the waiting list, -1 while free. */
  index: number;
  /** What the clock calls: made once per record. */
  readonly action: () => void;
}

/** One image's `IoHandler` view of a shared channel subsystem. */
class ImageView implements IoHandler {
  constructor(
    private readonly css: ChannelSubsystem,
    private readonly imageNumber: number,
  ) {}
  execute(instruction: IoInstruction, operandAddress: number, cpu: IoOperandAccess): IoResult {
    return this.css.executeFor(this.imageNumber, instruction, operandAddress, cpu);
  }
  takeInterruption(cr6: number): IoInterruption | null {
    return this.css.takeFor(this.imageNumber, cr6);
  }
  hasPending(): boolean {
    return this.css.hasPendingFor(this.imageNumber);
  }
  setPendingListener(listener: () => void): void {
    this.css.setListenerFor(this.imageNumber, listener);
  }
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
