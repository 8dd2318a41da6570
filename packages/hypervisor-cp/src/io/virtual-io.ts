/**
 * A virtual machine's channel subsystem as CP simulates it: one virtual
 * subchannel per virtual device (at LOGON in directory order, subchannel 0
 * the first device statement), with the guest's PMCW settings, SCSW and
 * pending interruptions, and the I/O instructions (SSCH, TSCH, STSCH, MSCH,
 * HSCH, CSCH, RSCH, TPI) emulated against them after the
 * privileged-operation interception.
 *
 * Devices come and go while the user is logged on (LINK, DEFINE, DETACH),
 * as in VM/370 and z/VM: a new device takes the lowest free subchannel
 * number, a detached one leaves its number free. A subchannel number with
 * no device is *not operational* (POP 14-"Subchannel Number", condition
 * code 3 for every I/O instruction), as on a machine with no device there.
 *
 * Two kinds of device, as in VM/370:
 * - CP-simulated: the virtual console (3215) and the spool devices (2540
 *   reader and punch, 1403 printer) — CP interprets the guest's CCWs itself.
 *   Writes and spool I/O complete at once; a console READ with no input line
 *   stays active (the 3215 waits for the operator) until a line is queued,
 *   and a line typed while no READ is active raises unsolicited attention.
 * - Real: minidisks — CP translates the channel program (channel-program.ts)
 *   into one of its work areas and starts it on the real 3390 through CP's
 *   own channel subsystem; the real completion becomes the virtual
 *   subchannel's status and interruption.
 */
import {
  AC_DEVICE_ACTIVE,
  AC_HALT_PENDING,
  AC_RESUME_PENDING,
  AC_START_PENDING,
  AC_SUBCHANNEL_ACTIVE,
  AC_SUSPENDED,
  CCW_CC,
  CCW_CD,
  CCW_IDA,
  CCW_SLI,
  DS_ATTENTION,
  DS_CHANNEL_END,
  DS_DEVICE_END,
  DS_UNIT_CHECK,
  DS_UNIT_EXCEPTION,
  FC_CLEAR,
  FC_HALT,
  FC_START,
  SC_ALERT,
  SC_INTERMEDIATE,
  SC_PENDING,
  SC_PRIMARY,
  SC_SECONDARY,
  SS_CHANNEL_CONTROL_CHECK,
  SS_INCORRECT_LENGTH,
  SS_PROGRAM_CHECK,
  SS_PROTECTION_CHECK,
  type Scsw,
  decodeOrb,
  decodePmcw,
  emptyScsw,
  encodeIrb,
  encodeSchib,
  fromEbcdic,
  orbReservedBitsSet,
  pmcwReservedBitsSet,
  toEbcdic,
} from '@strachey/io-channel';
import { PGM } from '@strachey/isa-core';
import type { SpoolFile, SpoolSystem, SpoolTarget } from '../spool';
import type { GuestStorage } from '../vm/guest-storage';
import {
  ChannelProgramTranslator,
  completeBounces,
  type TranslatedProgram,
  translateChannelProgram,
} from './channel-program';

/** A virtual device of a logged-on virtual machine. */
export type VirtualDevice =
  | { readonly kind: 'console'; readonly vdev: number; readonly devtype: 0x3215 }
  | {
      readonly kind: 'reader';
      readonly vdev: number;
      readonly devtype: 0x2540;
      spoolClass: string;
      file: SpoolFile | null;
      position: number;
    }
  | {
      readonly kind: 'punch' | 'printer';
      readonly vdev: number;
      readonly devtype: 0x2540 | 0x1403;
      target: SpoolTarget;
      records: Uint8Array[];
    }
  | {
      readonly kind: 'minidisk';
      readonly vdev: number;
      readonly devtype: 0x3390;
      /** Device number of the real volume on CP's channel subsystem. */
      readonly realDevice: number;
      readonly volser: string;
      readonly startCylinder: number;
      readonly cylinders: number;
      readonly readOnly: boolean;
      /** The user whose MDISK statement defines it (differs from the VM's user for links). */
      readonly owner: string;
      readonly ownerVdev: number;
    };

/** Storage operand access for I/O instructions: 0 or a negated program-interruption code. */
export interface OperandAccess {
  fetch(address: number, out: Uint8Array): number;
  store(address: number, data: Uint8Array): number;
}

/**
 * Receives a real program's SCSW at completion, with the `token` its start
 * was given (a virtual subchannel passes its program's generation, so one
 * callback per subchannel serves every start and a late completion of an
 * abandoned program is recognised).
 */
export type RealCompletion = (scsw: Scsw, token: number) => void;

/** What a virtual channel subsystem needs from CP. */
export interface RealIoPort {
  /**
   * Start a translated channel program on a real device (queued if the real
   * subchannel is busy); `done` receives the real SCSW at completion.
   */
  start(realDevice: number, key: number, hostCcw: number, done: RealCompletion, token: number): void;
  /**
   * Clear a started program (guest CSCH, DETACH, I/O-system reset): the
   * real program is stopped at once and no completion is reported for it.
   */
  clear(realDevice: number, hostCcw: number): void;
  /**
   * Halt a started program (guest HSCH). True when the real program was
   * running: its halted status comes to `done` as its completion. False
   * when it had not started yet (it is forgotten; no completion comes).
   */
  halt(realDevice: number, hostCcw: number): boolean;
  readonly spool: SpoolSystem;
  /** A line the guest wrote to its virtual console. */
  consoleLine(line: string): void;
  /** Take the next input line queued for the virtual console (READ), if any. */
  consoleInput(): string | undefined;
  /** Count an I/O event for the VM's counters. */
  count(
    what: 'ssch' | 'ccw-translated' | 'idaw' | 'real-start' | 'simulated-ccw' | 'attention',
    n?: number,
  ): void;
}

/** How a start function on a CP-simulated device was issued (from the ORB). */
interface SimulatedStart {
  readonly format1: boolean;
  readonly key: number;
  readonly ilSuppress: boolean;
}

/** A piece of guest absolute storage a CCW's data goes to or comes from. */
interface Segment {
  readonly address: number;
  readonly length: number;
}

/**
 * A console READ the 3215 has accepted and is waiting to satisfy: the CCW
 * (and its data-chained successors) are already fetched, as a real channel
 * has them, so the guest changing its CCWs meanwhile changes nothing.
 */
interface PendingRead {
  readonly start: SimulatedStart;
  readonly cmd: number;
  /** Flags of the first and of the last CCW of the data chain. */
  readonly flags: number;
  readonly lastFlags: number;
  readonly count: number;
  readonly segments: readonly Segment[];
  readonly total: number;
  /** Guest address of the last CCW of the data chain. */
  readonly chainEnd: number;
}

/** One virtual subchannel. */
export class VirtualSubchannel {
  readonly number: number;
  readonly device: VirtualDevice;
  interruptionParameter = 0;
  isc = 0;
  enabled = false;
  lpm = 0x80;
  scsw: Scsw = emptyScsw();
  /** A start function is in progress (a real program, one waiting for a CP work area, or a console READ waiting for input). */
  busy = false;
  /** Its interruption is queued (not yet taken by an interruption or TPI). */
  queued = false;
  /** The translated program in flight (minidisks). */
  program: TranslatedProgram | null = null;
  /** Host address of the real channel program in flight for it (minidisks), or -1. */
  realStart = -1;
  /** Sense bytes CP holds for a simulated device after a unit check. */
  readonly sense = new Uint8Array(32);
  /** Generation of the program in flight, so a late completion after CSCH or DETACH is ignored. */
  generation = 0;
  /** The console READ waiting for a line. */
  pendingRead: PendingRead | null = null;
  /** Index of the CP work area the program in flight uses, or -1. */
  area = -1;
  /** A start waiting for a free CP work area. */
  waiting: (() => void) | null = null;
  /** Told when CP abandons a synchronous request (DIAGNOSE X'18', IPL) so its waiter is not left blocked. */
  abandoned: ((scsw: Scsw) => void) | null = null;
  /**
   * The minidisk start in progress, kept here rather than in closures per
   * SSCH: its generation, CCW address, format, key, and for DIAGNOSE X'18'
   * the waiter (null for a guest SSCH).
   */
  startGeneration = 0;
  startCcw = 0;
  startFormat1 = false;
  startKey = 0;
  startSync: ((scsw: Scsw) => void) | null = null;
  /** Made once per subchannel: begin its start once it holds a work area; its real program's completion. */
  beginStart: (() => void) | null = null;
  realDone: RealCompletion | null = null;

  constructor(number: number, device: VirtualDevice) {
    this.number = number;
    this.device = device;
  }

  get statusPending(): boolean {
    return (this.scsw.flag3 & SC_PENDING) !== 0;
  }
}

const SUBSYSTEM_ID_HIGH = 0x0001;
/** Subchannel numbers are the low halfword of the subsystem-identification word. */
const MAX_SUBCHANNELS = 0x10000;
/**
 * CP's work areas for translated channel programs: programs running at the
 * same time on one VM's minidisks, at most (a further start waits for an
 * area, start pending, as CP waits for free storage).
 */
const WORK_AREAS = 4;

/** The status a request abandoned by CP reports to a synchronous waiter: channel control check, as a device that went away. */
function abandonedStatus(ccw: number): Scsw {
  return {
    flag0: 0,
    flag1: 0,
    flag2: FC_START,
    flag3: SC_ALERT | SC_PRIMARY | SC_SECONDARY | SC_PENDING,
    ccwAddress: ccw >>> 0,
    deviceStatus: 0,
    subchannelStatus: SS_CHANNEL_CONTROL_CHECK,
    count: 0,
  };
}

/** The virtual channel subsystem of one VM. */
export class VirtualIo {
  /** The subchannels that have a device, in subchannel-number order (numbers may have gaps after DETACH). */
  readonly subchannels: VirtualSubchannel[] = [];
  /** Subchannels with a queued interruption, oldest first. */
  private readonly queue: VirtualSubchannel[] = [];
  private readonly guest: GuestStorage;
  private readonly port: RealIoPort;
  /** Bytes of one CP work area. */
  private readonly areaBytes: number;
  private readonly areaInUse: boolean[] = [];
  /** One channel-program translator per work area (a work area holds one program at a time). */
  private readonly translators: ChannelProgramTranslator[] = [];
  /** Subchannels whose start waits for a work area, oldest first. */
  private readonly areaQueue: VirtualSubchannel[] = [];
  private readonly ccwBuffer = new Uint8Array(8);
  /** Called when an interruption becomes pending (wake the VM). */
  onPending: () => void = () => {};

  constructor(guest: GuestStorage, port: RealIoPort, devices: readonly VirtualDevice[], cpAreaBytes: number) {
    this.guest = guest;
    this.port = port;
    for (let i = 0; i < devices.length; i++) this.subchannels.push(new VirtualSubchannel(i, devices[i]!));
    this.areaBytes = Math.floor(cpAreaBytes / WORK_AREAS / 8) * 8;
    for (let i = 0; i < WORK_AREAS; i++) {
      this.areaInUse.push(false);
      this.translators.push(new ChannelProgramTranslator());
    }
  }

  /** The subchannel of a virtual device number. */
  byDevice(vdev: number): VirtualSubchannel | undefined {
    return this.subchannels.find((s) => s.device.vdev === vdev);
  }

  /** The subchannel with number `n`, or undefined when no device is there. */
  subchannel(n: number): VirtualSubchannel | undefined {
    const list = this.subchannels;
    const direct = list[n];
    if (direct !== undefined && direct.number === n) return direct;
    for (let i = 0; i < list.length; i++) if (list[i]!.number === n) return list[i];
    return undefined;
  }

  /**
   * Add a device (LINK, DEFINE, ATTACH) in the lowest free subchannel
   * number, initialised as after an I/O-system reset (not enabled, ISC 0).
   * Returns null when its device number is already in use or every
   * subchannel number is taken.
   */
  attach(device: VirtualDevice): VirtualSubchannel | null {
    if (this.byDevice(device.vdev) !== undefined) return null;
    const used = new Set(this.subchannels.map((s) => s.number));
    let n = 0;
    while (used.has(n)) n++;
    if (n >= MAX_SUBCHANNELS) return null;
    const s = new VirtualSubchannel(n, device);
    let at = 0;
    while (at < this.subchannels.length && this.subchannels[at]!.number < n) at++;
    this.subchannels.splice(at, 0, s);
    return s;
  }

  /**
   * Give the devices the subchannel numbers they had in another incarnation
   * of the virtual machine (DEFINE STORAGE builds a new one). Only for a
   * channel subsystem with no I/O started yet; devices not named keep
   * theirs unless a named one takes it, then they move to a free number.
   */
  renumber(numbering: readonly { vdev: number; number: number }[]): void {
    const wanted = new Map(numbering.map((n) => [n.vdev, n.number]));
    const taken = new Set<number>();
    const out: VirtualSubchannel[] = [];
    const rest: VirtualDevice[] = [];
    for (const s of this.subchannels) {
      const n = wanted.get(s.device.vdev);
      if (n !== undefined && n >= 0 && n < MAX_SUBCHANNELS && !taken.has(n)) {
        taken.add(n);
        out.push(new VirtualSubchannel(n, s.device));
      } else rest.push(s.device);
    }
    this.subchannels.length = 0;
    this.queue.length = 0;
    this.subchannels.push(...out.sort((a, b) => a.number - b.number));
    for (const d of rest) this.attach(d);
  }

  /**
   * Remove the device `vdev` (DETACH): its I/O is cleared (a real program
   * is stopped, a console READ dropped), its pending interruption
   * forgotten, and its subchannel number is free again. Returns the
   * subchannel it had, or undefined when there is no such device.
   */
  detach(vdev: number): VirtualSubchannel | undefined {
    const s = this.byDevice(vdev);
    if (s === undefined) return undefined;
    this.abandon(s);
    const i = this.subchannels.indexOf(s);
    if (i >= 0) this.subchannels.splice(i, 1);
    return s;
  }

  /**
   * I/O-system reset of the virtual machine (POP 17-"Resets", part of
   * SYSTEM RESET and of IPL): every start function is abandoned, every
   * pending interruption forgotten, every subchannel back to its initial
   * state (not enabled, ISC 0, parameter 0). With `notify` false a
   * synchronous waiter (DIAGNOSE X'18', an IPL) is not told: the caller
   * resets the virtual CPUs that wait.
   */
  reset(notify = true): void {
    for (const s of this.subchannels) {
      this.abandon(s, notify);
      s.scsw = emptyScsw();
      s.enabled = false;
      s.isc = 0;
      s.interruptionParameter = 0;
      s.lpm = 0x80;
      s.sense.fill(0);
    }
    this.queue.length = 0;
  }

  /** Is an interruption queued whose subclass `cr6` enables? */
  hasInterruption(cr6: number): boolean {
    for (const s of this.queue) if ((cr6 & (0x80000000 >>> s.isc)) !== 0) return true;
    return false;
  }

  /** Dequeue the first interruption `cr6` enables: [subsystem id, parameter], or null. */
  takeInterruption(cr6: number): [number, number] | null {
    for (let i = 0; i < this.queue.length; i++) {
      const s = this.queue[i]!;
      if ((cr6 & (0x80000000 >>> s.isc)) === 0) continue;
      this.queue.splice(i, 1);
      s.queued = false;
      return [((SUBSYSTEM_ID_HIGH << 16) | s.number) >>> 0, s.interruptionParameter];
    }
    return null;
  }

  /**
   * A line was queued for the virtual console: a console READ waiting for
   * input completes with it; with no READ active, the console presents
   * unsolicited attention (unit status X'80', alert status) if its
   * subchannel is enabled, idle and not status pending — how CP tells a
   * guest waiting in an enabled wait that the user typed something. The
   * line stays queued for the guest's next READ.
   */
  consoleInputArrived(): void {
    for (const s of this.subchannels) {
      if (s.device.kind !== 'console') continue;
      const read = s.pendingRead;
      if (read !== null) {
        s.pendingRead = null;
        this.simulate(s, read.start, read.chainEnd, read);
        continue;
      }
      if (!s.enabled || s.busy || s.statusPending || (s.scsw.flag2 & (FC_START | FC_HALT | FC_CLEAR)) !== 0)
        continue;
      s.scsw = emptyScsw();
      s.scsw.flag3 = SC_ALERT | SC_PENDING;
      s.scsw.deviceStatus = DS_ATTENTION;
      this.port.count('attention');
      this.makePending(s);
    }
  }

  private makePending(s: VirtualSubchannel): void {
    s.scsw.flag3 |= SC_PENDING;
    if (!s.queued) {
      s.queued = true;
      this.queue.push(s);
    }
    this.onPending();
  }

  private dequeue(s: VirtualSubchannel): void {
    if (!s.queued) return;
    s.queued = false;
    const i = this.queue.indexOf(s);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /**
   * End whatever start function `s` has in progress without a status for
   * the guest: the real program is cleared, a waiting start or console
   * READ forgotten, a synchronous waiter told.
   */
  private abandon(s: VirtualSubchannel, notify = true): void {
    if (s.waiting !== null) {
      s.waiting = null;
      const i = this.areaQueue.indexOf(s);
      if (i >= 0) this.areaQueue.splice(i, 1);
    }
    const d = s.device;
    if (s.realStart >= 0 && d.kind === 'minidisk') this.port.clear(d.realDevice, s.realStart);
    const told = notify ? s.abandoned : null;
    s.abandoned = null;
    s.pendingRead = null;
    s.busy = false;
    s.program = null;
    s.realStart = -1;
    s.generation++;
    this.dequeue(s);
    this.releaseArea(s);
    told?.(abandonedStatus(0));
  }

  // ------------------------------------------------------------ CP work areas

  private areaAddress(i: number): number {
    return this.guest.cpArea + i * this.areaBytes;
  }

  /** Run `begin` once `s` holds a CP work area (at once, or when one is released). */
  private withArea(s: VirtualSubchannel, begin: () => void): void {
    const i = this.areaInUse.indexOf(false);
    if (i >= 0) {
      this.areaInUse[i] = true;
      s.area = i;
      begin();
      return;
    }
    s.waiting = begin;
    this.areaQueue.push(s);
  }

  private releaseArea(s: VirtualSubchannel): void {
    if (s.area < 0) return;
    const i = s.area;
    s.area = -1;
    const next = this.areaQueue.shift();
    if (next === undefined) {
      this.areaInUse[i] = false;
      return;
    }
    const begin = next.waiting;
    next.waiting = null;
    next.area = i;
    begin?.();
  }

  // ------------------------------------------------------------ I/O instructions

  /** The subchannel GR1 names, or a negated program code (operand exception for a bad subsystem id). */
  private subchannelOf(gr1: number): VirtualSubchannel | null | number {
    if (gr1 >>> 16 !== SUBSYSTEM_ID_HIGH) return -PGM.OPERAND;
    return this.subchannel(gr1 & 0xffff) ?? null;
  }

  /**
   * Execute an I/O instruction for the guest. Returns the condition code, or
   * a negated program-interruption code.
   */
  execute(op: number, gr1: number, operand: number, access: OperandAccess): number {
    if (op === 0xb236) return this.tpi(operand, access);
    const s = this.subchannelOf(gr1);
    if (typeof s === 'number') return s;
    if (op === 0xb233 || op === 0xb235 || op === 0xb234 || op === 0xb232) {
      if ((operand & 3) !== 0) return -PGM.SPECIFICATION;
    }
    switch (op) {
      case 0xb234: {
        // STSCH
        if (s === null) return 3;
        const schib = encodeSchib(this.pmcwOf(s), s.scsw);
        const r = access.store(operand, schib);
        return Math.min(r, 0);
      }
      case 0xb232: {
        // MSCH
        const b = new Uint8Array(28);
        const r = access.fetch(operand, b);
        if (r < 0) return r;
        if (pmcwReservedBitsSet(b)) return -PGM.OPERAND;
        if (s === null) return 3;
        if (s.statusPending) return 1;
        if (s.busy || (s.scsw.flag2 & (FC_START | FC_HALT | FC_CLEAR)) !== 0) return 2;
        const p = decodePmcw(b);
        s.interruptionParameter = p.interruptionParameter >>> 0;
        s.isc = p.isc & 7;
        s.enabled = p.enabled;
        s.lpm = p.lpm;
        return 0;
      }
      case 0xb233: {
        // SSCH
        const b = new Uint8Array(12);
        const r = access.fetch(operand, b);
        if (r < 0) return r;
        if (orbReservedBitsSet(b)) return -PGM.OPERAND;
        if (s === null || !s.enabled || (s.lpm & 0x80) === 0) return 3;
        if (s.statusPending) return 1;
        if (s.busy || (s.scsw.flag2 & (FC_START | FC_HALT | FC_CLEAR)) !== 0) return 2;
        const orb = decodeOrb(b);
        s.interruptionParameter = orb.interruptionParameter >>> 0;
        this.port.count('ssch');
        this.start(s, orb.format1, orb.key, orb.ccwAddress & 0x7fffffff, orb.incorrectLengthSuppression);
        return 0;
      }
      case 0xb235: {
        // TSCH
        if (s === null) return 3;
        const pending = s.statusPending;
        const irb = encodeIrb(s.scsw, { lpum: 0x80, erw0: 0, senseCount: 0 }, null);
        const r = access.store(operand, irb);
        if (r < 0) return r;
        if (!pending) return 1;
        this.dequeue(s);
        clearStatus(s.scsw);
        return 0;
      }
      case 0xb231:
        return this.hsch(s);
      case 0xb230: {
        // CSCH
        if (s === null || !s.enabled) return 3;
        this.abandon(s);
        s.scsw = emptyScsw();
        s.scsw.flag2 = FC_CLEAR;
        this.makePending(s);
        return 0;
      }
      case 0xb238:
        // RSCH. No suspended programs: suspension is not offered (CCW S flags are dropped).
        if (s === null || !s.enabled) return 3;
        if (s.statusPending) return 1;
        return 2;
      default:
        return -PGM.OPERATION;
    }
  }

  /** HALT SUBCHANNEL (POP 14-"HALT SUBCHANNEL"), the same rules io-channel's real subchannels follow. */
  private hsch(s: VirtualSubchannel | null): number {
    if (s === null || !s.enabled) return 3;
    const f3 = s.scsw.flag3;
    if (
      (f3 & SC_PENDING) !== 0 &&
      ((f3 & (SC_PRIMARY | SC_SECONDARY | SC_ALERT)) !== 0 || (f3 & SC_INTERMEDIATE) === 0)
    )
      return 1;
    if ((s.scsw.flag2 & (FC_HALT | FC_CLEAR)) !== 0) return 2;
    const read = s.pendingRead;
    if (read !== null) {
      // The 3215 was waiting for the operator: it stops, presenting channel end and device end; nothing was read.
      s.pendingRead = null;
      s.busy = false;
      s.generation++;
      const scsw = s.scsw;
      scsw.flag2 = FC_START | FC_HALT;
      scsw.flag3 = SC_PRIMARY | SC_SECONDARY;
      scsw.ccwAddress = (read.chainEnd + 8) >>> 0;
      scsw.deviceStatus = DS_CHANNEL_END | DS_DEVICE_END;
      scsw.subchannelStatus = 0;
      scsw.count = read.total & 0xffff;
      this.makePending(s);
      return 0;
    }
    // CP's own request on the device (DIAGNOSE X'18' of another virtual CPU, the IPL) is no start function of the guest's to halt.
    if (s.busy && s.abandoned !== null) return 2;
    if (s.busy) {
      const d = s.device;
      if (s.realStart >= 0 && d.kind === 'minidisk' && this.port.halt(d.realDevice, s.realStart)) {
        // The real program stops; its halted status arrives as its completion.
        s.scsw.flag2 |= FC_HALT | AC_HALT_PENDING;
        return 0;
      }
      // Halted before it started: status pending alone, the start function ended without a device status.
      this.abandon(s);
      s.scsw.flag2 = FC_START | FC_HALT;
      s.scsw.flag3 = 0;
      s.scsw.deviceStatus = 0;
      this.makePending(s);
      return 0;
    }
    s.scsw = emptyScsw();
    s.scsw.flag2 = FC_HALT;
    this.makePending(s);
    return 0;
  }

  private tpi(operand: number, access: OperandAccess): number {
    this.lastTpi = null;
    if ((operand & 3) !== 0) return -PGM.SPECIFICATION;
    const cr6 = this.tpiCr6;
    const s = this.queue.find((q) => (cr6 & (0x80000000 >>> q.isc)) !== 0);
    if (s === undefined) return 0;
    const sid = ((SUBSYSTEM_ID_HIGH << 16) | s.number) >>> 0;
    if (operand === 0) {
      // The interruption code goes to the prefix area (X'B8', X'BC'); the caller stores it.
      this.lastTpi = [sid, s.interruptionParameter];
    } else {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setUint32(0, sid);
      new DataView(b.buffer).setUint32(4, s.interruptionParameter >>> 0);
      const r = access.store(operand, b);
      // An access exception suppresses TPI: the interruption stays queued.
      if (r < 0) return r;
    }
    this.dequeue(s);
    return 1;
  }
  /** The virtual CR6 for TPI (set by the caller before execute). */
  tpiCr6 = 0;
  /** When TPI's operand is 0 the interruption code goes to the prefix area: the caller reads it here. */
  lastTpi: [number, number] | null = null;

  private pmcwOf(s: VirtualSubchannel) {
    return {
      interruptionParameter: s.interruptionParameter,
      isc: s.isc,
      enabled: s.enabled,
      limitMode: 0,
      measurementMode: 0,
      multipath: false,
      timing: false,
      valid: true,
      deviceNumber: s.device.vdev,
      lpm: s.lpm,
      pnom: 0,
      lpum: 0x80,
      pim: 0x80,
      mbi: 0,
      pom: 0xff,
      pam: 0x80,
      chpids: [0, 0, 0, 0, 0, 0, 0, 0],
      concurrentSense: false,
    };
  }

  // ------------------------------------------------------------ start functions

  /** Start the guest's program on subchannel `s` (after SSCH cc 0). */
  private start(s: VirtualSubchannel, format1: boolean, key: number, ccw: number, ilSuppress: boolean): void {
    s.scsw = emptyScsw();
    s.scsw.flag0 = (key & 0xf) << 4;
    s.scsw.flag2 = FC_START;
    const d = s.device;
    if (d.kind !== 'minidisk') {
      this.simulate(s, { format1, key, ilSuppress }, ccw, null);
      return;
    }
    s.busy = true;
    s.scsw.flag2 = FC_START | AC_START_PENDING;
    s.startGeneration = ++s.generation;
    s.startCcw = ccw;
    s.startFormat1 = format1;
    s.startKey = key;
    s.startSync = null;
    this.withArea(s, this.beginner(s));
  }

  /** The subchannel's begin-start callback, made on its first minidisk start. */
  private beginner(s: VirtualSubchannel): () => void {
    if (s.beginStart === null) s.beginStart = () => this.beginStart(s);
    return s.beginStart;
  }

  /** `s` holds a work area: translate its program there and start it on the real device. */
  private beginStart(s: VirtualSubchannel): void {
    const d = s.device;
    if (d.kind !== 'minidisk') return;
    if (s.startSync === null) s.scsw.flag2 &= ~AC_START_PENDING;
    const program = this.translators[s.area]!.translate(
      this.guest,
      s.startCcw,
      s.startFormat1,
      d,
      this.areaAddress(s.area),
      this.areaBytes,
    );
    this.port.count('ccw-translated', program.ccws);
    if (program.idaws > 0) this.port.count('idaw', program.idaws);
    s.program = program;
    this.port.count('real-start');
    s.realStart = program.hostStart;
    if (s.realDone === null) s.realDone = (real, generation) => this.realDone(s, real, generation);
    this.port.start(d.realDevice, s.startKey, program.hostStart, s.realDone, s.startGeneration);
  }

  /** The real program of `s`'s start (generation `generation`) ended with `real`. */
  private realDone(s: VirtualSubchannel, real: Scsw, generation: number): void {
    const d = s.device;
    const program = s.program;
    if (s.generation !== generation || program === null || d.kind !== 'minidisk') return;
    s.busy = false;
    s.program = null;
    s.realStart = -1;
    const last = (real.ccwAddress - 8) >>> 0;
    const sync = s.startSync;
    s.startSync = null;
    if (sync !== null) {
      s.abandoned = null;
      completeBounces(this.guest, program, d.startCylinder, last, real.count);
    } else if ((real.flag3 & SC_PRIMARY) !== 0) {
      // A program halted before the device started it transferred nothing.
      completeBounces(this.guest, program, d.startCylinder, last, real.count);
    }
    // Read before the area is released: a start waiting for it translates into the same translator.
    const guestCcw = program.hostToGuest.get(last);
    this.releaseArea(s);
    const ccwAddress = guestCcw === undefined ? s.startCcw : (guestCcw + 8) >>> 0;
    if (sync !== null) {
      sync({ ...real, ccwAddress });
      return;
    }
    s.scsw = { ...real, ccwAddress };
    s.scsw.flag0 = (s.scsw.flag0 & 0x0f) | ((s.startKey & 0xf) << 4);
    s.scsw.flag2 &= ~AC_HALT_PENDING;
    this.makePending(s);
  }

  /**
   * DIAGNOSE X'18' standard DASD I/O: run a format-0 channel program on a
   * minidisk synchronously (the virtual CPU waits in CP); no interruption is
   * made pending. `done` gets the real SCSW, with the guest CCW address (a
   * channel control check if CP abandons the request: DETACH, reset).
   */
  startSynchronous(s: VirtualSubchannel, ccw: number, done: (scsw: Scsw) => void): boolean {
    const d = s.device;
    if (d.kind !== 'minidisk' || s.busy) return false;
    s.busy = true;
    s.startGeneration = ++s.generation;
    s.abandoned = done;
    s.startCcw = ccw;
    s.startFormat1 = false;
    s.startKey = 0;
    s.startSync = done;
    this.withArea(s, this.beginner(s));
    return true;
  }

  /**
   * IPL from a minidisk (POP "Initial Program Loading", CKD devices): an
   * I/O-system reset of the virtual machine first (load-normal), then the
   * IPL record (cylinder 0, head 0, record 1 of the minidisk, 24 bytes: PSW
   * and two format-0 CCWs) goes to guest absolute 0 and the chain continues
   * with the CCW at guest X'08'. CP does it in two real channel programs: the
   * first reads the record so CP can see the guest's CCWs; the second
   * repositions on record 1, reads it again (into CP's area) and
   * command-chains into the guest's CCWs, translated as usual — so the
   * device is oriented after record 1 when the guest's chain starts, as in a
   * real IPL. `done` gets the final SCSW.
   */
  ipl(s: VirtualSubchannel, done: (scsw: Scsw) => void): boolean {
    const d = s.device;
    if (d.kind !== 'minidisk') return false;
    // The IPL's CPU reset is the virtual machine's; waiters of abandoned requests are reset with their CPUs.
    this.reset(false);
    const host = this.guest.host;
    const size = this.areaBytes - 128;
    const cc = d.startCylinder;
    /** Host CCWs at `at`: SET FILE MASK (read-only links), SEEK, SEARCH ID EQUAL record 1, TIC back, READ DATA 24 bytes into `target`. */
    const bootstrap = (at: number, target: number, chainTo: number): void => {
      const arg = at + 56;
      const list: [number, number, number, number][] = [];
      if (d.readOnly) list.push([0x1f, CCW_CC, 1, arg + 14]);
      const seek = at + 8 * list.length;
      list.push(
        [0x07, CCW_CC, 6, arg],
        [0x31, CCW_CC, 5, arg + 8],
        [0x08, 0, 0, seek + 8],
        [0x06, CCW_SLI | (chainTo >= 0 ? CCW_CC : 0), 24, target],
      );
      if (chainTo >= 0) list.push([0x08, 0, 0, chainTo]);
      list.forEach(([cmd, flags, count, addr], i) => {
        host.write32((at + 8 * i) as never, ((cmd << 24) | (flags << 16) | count) >>> 0);
        host.write32((at + 8 * i + 4) as never, addr >>> 0);
      });
      host.writeFrom(
        arg as never,
        Uint8Array.from([0, 0, cc >>> 8, cc & 0xff, 0, 0, 0, 0, cc >>> 8, cc & 0xff, 0, 0, 1, 0, 0x40]),
      );
    };
    s.busy = true;
    s.abandoned = done;
    const generation = ++s.generation;
    this.withArea(s, () => {
      const area = this.areaAddress(s.area);
      const prefix = area + size;
      bootstrap(prefix, this.guest.origin, -1);
      this.port.count('real-start');
      s.realStart = prefix;
      this.port.start(
        d.realDevice,
        0,
        prefix,
        (first) => {
          if (s.generation !== generation) return;
          s.realStart = -1;
          if (
            (first.deviceStatus & ~(DS_CHANNEL_END | DS_DEVICE_END)) !== 0 ||
            first.subchannelStatus !== 0
          ) {
            s.busy = false;
            s.abandoned = null;
            this.releaseArea(s);
            done(first);
            return;
          }
          // The guest's chain, translated; the read-only file mask is already in the bootstrap.
          const program = translateChannelProgram(
            this.guest,
            8,
            false,
            { ...d, readOnly: false },
            area,
            size,
          );
          this.port.count('ccw-translated', program.ccws);
          bootstrap(prefix, prefix + 96, program.hostStart);
          s.program = program;
          this.port.count('real-start');
          s.realStart = prefix;
          this.port.start(
            d.realDevice,
            0,
            prefix,
            (real) => {
              if (s.generation !== generation) return;
              s.busy = false;
              s.program = null;
              s.realStart = -1;
              s.abandoned = null;
              const last = (real.ccwAddress - 8) >>> 0;
              completeBounces(this.guest, program, d.startCylinder, last, real.count);
              this.releaseArea(s);
              const guestCcw = program.hostToGuest.get(last);
              done({ ...real, ccwAddress: guestCcw === undefined ? real.ccwAddress : (guestCcw + 8) >>> 0 });
            },
            generation,
          );
        },
        generation,
      );
    });
    return true;
  }

  /**
   * Interpret a guest channel program for a CP-simulated device, from the
   * CCW at `start` — or, with `resume`, finishing a console READ that was
   * waiting for input and going on with the chain after it.
   */
  private simulate(
    s: VirtualSubchannel,
    how: SimulatedStart,
    start: number,
    resume: PendingRead | null,
  ): void {
    const g = this.guest;
    const { format1, key, ilSuppress } = how;
    let address = start;
    let ds = 0;
    let ss = 0;
    let residual = 0;
    let lastCcw = start;
    let ticPrev = false;
    const buf = this.ccwBuffer;
    let previous = resume === null ? -1 : 1;
    let resumed = resume;
    for (let guard = 0; guard < 4096; guard++) {
      let cmd: number;
      let flags: number;
      let f: number;
      let count: number;
      let chainEnd: number;
      let total: number;
      let segs: readonly Segment[];
      if (resumed !== null) {
        ({ cmd, flags, lastFlags: f, count, chainEnd, total, segments: segs } = resumed);
        resumed = null;
      } else {
        if ((address & 7) !== 0 || !g.inside(address, 8)) {
          ss = SS_PROGRAM_CHECK;
          lastCcw = address;
          break;
        }
        g.readBytes(address, buf);
        lastCcw = address;
        cmd = buf[0]!;
        let data: number;
        if (format1) {
          flags = buf[1]!;
          count = (buf[2]! << 8) | buf[3]!;
          data = ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) & 0x7fffffff;
        } else {
          data = (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!;
          flags = buf[4]!;
          count = (buf[6]! << 8) | buf[7]!;
        }
        const isTic = format1 ? cmd === 0x08 : (cmd & 0x0f) === 0x08;
        if (isTic) {
          if (ticPrev || previous < 0 || (format1 && (flags !== 0 || count !== 0))) {
            ss = SS_PROGRAM_CHECK;
            break;
          }
          ticPrev = true;
          address = data;
          continue;
        }
        ticPrev = false;
        if (format1 && count === 0 && (flags & CCW_CD) !== 0) {
          ss = SS_PROGRAM_CHECK;
          break;
        }
        this.port.count('simulated-ccw');
        // Data chaining: gather the whole chain's areas for output, scatter input across them.
        const areas: { address: number; count: number; ida: boolean }[] = [
          { address: data, count, ida: (flags & CCW_IDA) !== 0 },
        ];
        f = flags;
        chainEnd = address;
        while ((f & CCW_CD) !== 0 && areas.length < 64) {
          chainEnd += 8;
          if (!g.inside(chainEnd, 8)) {
            ss = SS_PROGRAM_CHECK;
            break;
          }
          g.readBytes(chainEnd, buf);
          const c2 = format1 ? (buf[2]! << 8) | buf[3]! : (buf[6]! << 8) | buf[7]!;
          const d2 = format1
            ? ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) & 0x7fffffff
            : (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!;
          f = format1 ? buf[1]! : buf[4]!;
          areas.push({ address: d2, count: c2, ida: (f & CCW_IDA) !== 0 });
        }
        if (ss !== 0) break;
        lastCcw = chainEnd;
        total = areas.reduce((t, a) => t + a.count, 0);
        const found = this.segments(areas, key, (cmd & 3) === 2 || (cmd & 0xf) === 4);
        if (typeof found === 'number') {
          ss = found;
          break;
        }
        segs = found;
      }
      const kind = cmd & 3;
      let out: Uint8Array | null = null;
      if (kind === 1 || (kind === 3 && total > 0)) {
        out = new Uint8Array(total);
        let o = 0;
        for (const sg of segs) {
          const part = new Uint8Array(sg.length);
          g.readBytes(sg.address, part);
          out.set(part, o);
          o += sg.length;
        }
      }
      const r = this.deviceCommand(s, cmd, out, total);
      if (r.wait === true) {
        // The 3215 waits for the operator: the subchannel and the device stay active, no status yet.
        s.pendingRead = { start: how, cmd, flags, lastFlags: f, count, segments: segs, total, chainEnd };
        s.busy = true;
        s.scsw.ccwAddress = (chainEnd + 8) >>> 0;
        s.scsw.flag2 = FC_START;
        s.scsw.flag3 = AC_SUBCHANNEL_ACTIVE | AC_DEVICE_ACTIVE;
        return;
      }
      ds = r.status;
      if (r.input !== undefined) {
        let o = 0;
        for (const sg of segs) {
          if (o >= r.input.length) break;
          const n = Math.min(sg.length, r.input.length - o);
          g.writeBytes(sg.address, r.input.subarray(o, o + n));
          o += n;
        }
        const transferred = Math.min(total, r.input.length);
        residual = total - transferred;
        if (r.input.length !== total && (flags & CCW_SLI) === 0 && (f & CCW_SLI) === 0)
          ss |= SS_INCORRECT_LENGTH;
      } else if (r.accepted !== undefined) {
        residual = Math.max(0, total - r.accepted);
        if (
          r.accepted !== total &&
          (f & CCW_SLI) === 0 &&
          !(format1 && count === 0) &&
          !(r.immediate === true && (!format1 || ilSuppress))
        ) {
          ss |= SS_INCORRECT_LENGTH;
        }
      } else residual = 0;
      if ((ds & ~(DS_CHANNEL_END | DS_DEVICE_END)) !== 0 || ss !== 0) break;
      if ((f & CCW_CC) === 0) break;
      previous = 1;
      address = chainEnd + 8;
      residual = 0;
    }
    s.busy = false;
    const scsw = s.scsw;
    scsw.flag2 &= ~(AC_START_PENDING | AC_RESUME_PENDING);
    scsw.ccwAddress = (lastCcw + 8) >>> 0;
    scsw.deviceStatus = ss === SS_PROGRAM_CHECK || ss === SS_PROTECTION_CHECK ? 0 : ds;
    scsw.subchannelStatus = ss;
    scsw.count = residual & 0xffff;
    scsw.flag3 =
      SC_PRIMARY |
      SC_SECONDARY |
      ((scsw.deviceStatus & ~(DS_CHANNEL_END | DS_DEVICE_END)) !== 0 || ss !== 0 ? SC_ALERT : 0);
    this.makePending(s);
  }

  /** Guest data areas → segments of guest absolute storage, with the ORB key's protection; a subchannel status on failure. */
  private segments(
    areas: readonly { address: number; count: number; ida: boolean }[],
    key: number,
    input: boolean,
  ): Segment[] | number {
    const g = this.guest;
    const segs: Segment[] = [];
    for (const a of areas) {
      if (a.count === 0) continue;
      if (!a.ida) {
        if (!g.inside(a.address, a.count)) return SS_PROGRAM_CHECK;
        segs.push({ address: a.address, length: a.count });
      } else {
        let left = a.count;
        let idaw = a.address;
        let first = true;
        while (left > 0) {
          if ((idaw & 3) !== 0 || !g.inside(idaw, 4)) return SS_PROGRAM_CHECK;
          const b = g.read32(idaw) >>> 0;
          if ((b & 0x80000000) !== 0 || (!first && (b & 0x7ff) !== 0)) return SS_PROGRAM_CHECK;
          const n = Math.min(left, 0x800 - (b & 0x7ff));
          if (!g.inside(b, n)) return SS_PROGRAM_CHECK;
          segs.push({ address: b, length: n });
          left -= n;
          idaw += 4;
          first = false;
        }
      }
    }
    if (key !== 0) {
      for (const sg of segs) {
        for (let p = sg.address & ~0xfff; p < sg.address + sg.length; p += 0x1000) {
          const k = g.getKey(p);
          if (input ? k >>> 4 !== key : (k & 0x08) !== 0 && k >>> 4 !== key) return SS_PROTECTION_CHECK;
        }
      }
    }
    return segs;
  }

  /** One command to a CP-simulated device; `wait` when a console READ has no line to read yet. */
  private deviceCommand(
    s: VirtualSubchannel,
    cmd: number,
    out: Uint8Array | null,
    count: number,
  ): { status: number; input?: Uint8Array; accepted?: number; immediate?: boolean; wait?: boolean } {
    const CE_DE = DS_CHANNEL_END | DS_DEVICE_END;
    const d = s.device;
    if (cmd === 0x04) {
      const sense = s.sense.slice(0, Math.max(1, Math.min(count, 24)));
      s.sense.fill(0);
      return { status: CE_DE, input: sense };
    }
    if (cmd === 0xe4) {
      const id = new Uint8Array(7);
      id[0] = 0xff;
      id[1] = d.devtype >>> 8;
      id[2] = d.devtype & 0xff;
      id[4] = d.devtype >>> 8;
      id[5] = d.devtype & 0xff;
      return { status: CE_DE, input: id };
    }
    if (cmd === 0x03) return { status: CE_DE, accepted: 0, immediate: true };
    const reject = (): { status: number } => {
      s.sense.fill(0);
      s.sense[0] = 0x80;
      return { status: CE_DE | DS_UNIT_CHECK };
    };
    switch (d.kind) {
      case 'console':
        if ((cmd & 3) === 1) {
          const text = fromEbcdic(out ?? new Uint8Array(0));
          this.port.consoleLine(text);
          return { status: CE_DE, accepted: count };
        }
        if (cmd === 0x0b) return { status: CE_DE, accepted: 0, immediate: true };
        if (cmd === 0x0a) {
          const line = this.port.consoleInput();
          if (line === undefined) return { status: 0, wait: true };
          return { status: CE_DE, input: toEbcdic(line) };
        }
        return reject();
      case 'printer':
      case 'punch':
        if ((cmd & 3) === 1) {
          const rec = (out ?? new Uint8Array(0)).slice();
          d.records.push(rec);
          return { status: CE_DE, accepted: count };
        }
        if ((cmd & 3) === 3 && d.kind === 'printer') return { status: CE_DE, accepted: 0, immediate: true };
        return reject();
      case 'reader': {
        if ((cmd & 3) !== 2) return reject();
        if (d.file === null) {
          const next = this.port.spool
            .reader(this.owner)
            .find((f) => d.spoolClass === '*' || f.spoolClass === d.spoolClass);
          if (next === undefined) {
            // No file: the reader is "not ready" — intervention required.
            s.sense.fill(0);
            s.sense[0] = 0x40;
            return { status: CE_DE | DS_UNIT_CHECK };
          }
          d.file = next;
          d.position = 0;
        }
        const card = d.file.records[d.position];
        if (card === undefined) {
          // End of the deck: unit exception; the file is consumed (VM/370 purges it unless HOLD/KEEP).
          this.port.spool.purge(this.owner, d.file.id);
          d.file = null;
          return { status: CE_DE | DS_UNIT_EXCEPTION };
        }
        d.position++;
        const image = new Uint8Array(80).fill(0x40);
        image.set(card.subarray(0, 80));
        return { status: CE_DE, input: image };
      }
      default:
        return reject();
    }
  }

  /** The userid whose reader queue the virtual reader reads (set by CP at LOGON). */
  owner = '';
}

/**
 * What TEST SUBCHANNEL does to a status-pending subchannel once the status
 * is stored (POP 14-"TEST SUBCHANNEL"): intermediate status alone while the
 * program goes on clears just that; anything else ends the function.
 */
function clearStatus(s: Scsw): void {
  const onlyIntermediate =
    (s.flag3 & (SC_PRIMARY | SC_SECONDARY | SC_ALERT)) === 0 && (s.flag3 & SC_INTERMEDIATE) !== 0;
  const stillWorking =
    (s.flag3 & (AC_SUBCHANNEL_ACTIVE | AC_DEVICE_ACTIVE | AC_SUSPENDED)) !== 0 ||
    (s.flag2 & (AC_START_PENDING | AC_RESUME_PENDING)) !== 0;
  if (onlyIntermediate && stillWorking) {
    s.flag3 &= ~(SC_INTERMEDIATE | SC_PENDING);
    return;
  }
  s.flag2 = 0;
  s.flag3 = 0;
}
