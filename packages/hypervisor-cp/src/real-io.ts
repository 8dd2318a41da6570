/**
 * CP's side of the real channel subsystem: the real 3390 volumes minidisks
 * live on, attached to an io-channel `ChannelSubsystem` over CP's real
 * storage. CP issues real SSCH/TSCH/CSCH through the subsystem's
 * `IoHandler` interface, as a host kernel's I/O supervisor does, keeps a FIFO
 * of requests per real device (several users' minidisks share a volume), and
 * hands each completion back to the virtual subchannel that asked.
 */
import type { IoHandler, IoOperandAccess, SimClock, StoragePort } from '@strachey/isa-core';
import {
  ChannelSubsystem,
  Dasd3390,
  FC_CLEAR,
  FC_HALT,
  SC_PRIMARY,
  type Scsw,
  type CkdVolume,
  decodeScsw,
  encodeOrb,
  decodePmcw,
  encodePmcw,
} from '@strachey/io-channel';

/**
 * A channel subsystem CP does not own: its logical partition's image of the
 * machine's channel subsystem (PR/SM). CP drives the real DASD the partition
 * was given through the image's I/O instructions, as an OS in an LPAR does;
 * the devices and their subchannels are the partition's (IOCP), not CP's.
 */
export interface CpChannelSubsystem {
  /** The image's I/O instructions and interruptions (its channel programs address CP's real storage). */
  readonly io: IoHandler;
  /** Subchannel number of a device number the partition reaches, or undefined. */
  subchannelOf(deviceNumber: number): number | undefined;
  /** The 3390 at a device number, or undefined when there is none. */
  dasd(deviceNumber: number): Dasd3390 | undefined;
}

interface Request {
  readonly key: number;
  readonly hostCcw: number;
  readonly done: (scsw: Scsw, token: number) => void;
  /** Passed back to `done` (the virtual subchannel's program generation). */
  readonly token: number;
  cancelled: boolean;
}

interface RealDevice {
  readonly devnum: number;
  readonly subchannel: number;
  readonly dasd: Dasd3390;
  readonly volser: string;
  active: Request | null;
  readonly queue: Request[];
}

/** The operand buffer CP's own I/O instructions use (CP is the program, key 0, real addresses). */
class CpOperand implements IoOperandAccess {
  readonly gpr = new Int32Array(16);
  readonly pswKey = 0;
  /** Every subclass (CP never issues TPI, but the operand carries the CR6 a TPI would honour). */
  readonly cr6 = 0xff000000 | 0;
  readonly buffer = new Uint8Array(64);
  fetch(_address: number, target: Uint8Array, length: number): number {
    target.set(this.buffer.subarray(0, length));
    return 0;
  }
  store(_address: number, data: Uint8Array): number {
    this.buffer.set(data.subarray(0, Math.min(64, data.length)));
    return 0;
  }
}

/** Real DASD I/O for CP; see the file comment. */
export class RealIo {
  /** The channel subsystem (image) CP issues its I/O instructions to. */
  readonly channels: IoHandler;
  /** CP's own subsystem, when it has one (standalone); null when the partition's image is used. */
  private readonly own: ChannelSubsystem | null;
  private readonly external: CpChannelSubsystem | null;
  private readonly devices = new Map<number, RealDevice>();
  private readonly bySubchannel = new Map<number, RealDevice>();
  private readonly op = new CpOperand();
  /** Real starts issued and completions received. */
  readonly counters = { starts: 0, completions: 0, queued: 0 };

  constructor(storage: StoragePort, clock: SimClock, external?: CpChannelSubsystem) {
    this.external = external ?? null;
    this.own = external === undefined ? new ChannelSubsystem({ storage, clock }) : null;
    this.channels = external?.io ?? this.own!;
  }

  /**
   * Attach a real 3390 volume at real device number `devnum`. On a
   * partition's channel subsystem the device is already there: CP only
   * enables its subchannel. Returns false when the partition has no 3390 at
   * `devnum`.
   */
  attachVolume(devnum: number, volser: string, volume: CkdVolume): boolean {
    let dasd: Dasd3390;
    let subchannel: number;
    if (this.external !== null) {
      const d = this.external.dasd(devnum);
      const n = this.external.subchannelOf(devnum);
      if (d === undefined || n === undefined) return false;
      dasd = d;
      subchannel = n;
    } else {
      dasd = new Dasd3390(volume);
      subchannel = this.own!.attach(devnum, dasd).get(0)!;
    }
    const d: RealDevice = { devnum, subchannel, dasd, volser, active: null, queue: [] };
    this.devices.set(devnum, d);
    this.bySubchannel.set(subchannel, d);
    // Enable the subchannel for I/O (MSCH with E set), interruption parameter = subchannel number.
    this.instruction('STSCH', subchannel);
    const pmcw = decodePmcw(this.op.buffer, 0);
    pmcw.enabled = true;
    pmcw.interruptionParameter = subchannel;
    pmcw.isc = 0;
    encodePmcw(pmcw, this.op.buffer, 0);
    this.instruction('MSCH', subchannel);
    return true;
  }

  /** The Dasd3390 behind a real device number. */
  device(devnum: number): Dasd3390 | undefined {
    return this.devices.get(devnum)?.dasd;
  }

  /**
   * The real device number of the mounted volume with volume serial
   * `volser` (the six-character label a minidisk's MDISK statement names),
   * or undefined when no such volume is attached. LINK and LOGON find an
   * owner's minidisk through it.
   */
  deviceOfVolser(volser: string): number | undefined {
    const v = volser.toUpperCase();
    for (const d of this.devices.values()) if (d.volser === v) return d.devnum;
    return undefined;
  }

  /** Volume serials of the attached volumes with their real device numbers, in attach order. */
  volumes(): { volser: string; devnum: number }[] {
    return [...this.devices.values()].map((d) => ({ volser: d.volser, devnum: d.devnum }));
  }

  private instruction(op: 'STSCH' | 'MSCH' | 'SSCH' | 'TSCH' | 'CSCH' | 'HSCH', subchannel: number): number {
    this.op.gpr[1] = 0x00010000 | subchannel | 0;
    return this.channels.execute(op, 0, this.op);
  }

  /** Queue a translated channel program for a real device. */
  start(
    devnum: number,
    key: number,
    hostCcw: number,
    done: (scsw: Scsw, token: number) => void,
    token = 0,
  ): void {
    const d = this.devices.get(devnum);
    if (d === undefined) {
      // No such real device: the virtual device answers "not operational" status as a channel control check.
      done(
        {
          flag0: 0,
          flag1: 0,
          flag2: 0x40,
          flag3: 0x17,
          ccwAddress: hostCcw + 8,
          deviceStatus: 0,
          subchannelStatus: 0x04,
          count: 0,
        },
        token,
      );
      return;
    }
    const r: Request = { key, hostCcw, done, token, cancelled: false };
    if (d.active === null) this.issue(d, r);
    else {
      d.queue.push(r);
      this.counters.queued++;
    }
  }

  /**
   * Forget a request (guest CSCH, DETACH, reset): a queued one leaves the
   * queue; a running one is stopped by a real CLEAR SUBCHANNEL, so its
   * channel program touches no storage from now on (CP may reuse the work
   * area at once). The device's queue goes on when the clear completes.
   */
  clear(devnum: number, hostCcw: number): void {
    const d = this.devices.get(devnum);
    if (d === undefined) return;
    const i = d.queue.findIndex((r) => r.hostCcw === hostCcw);
    if (i >= 0) d.queue.splice(i, 1);
    if (d.active !== null && d.active.hostCcw === hostCcw && !d.active.cancelled) {
      d.active.cancelled = true;
      this.instruction('CSCH', d.subchannel);
    }
  }

  /**
   * Halt a request (guest HSCH): a queued one leaves the queue (false: no
   * completion will come); a running one gets a real HALT SUBCHANNEL
   * (true: its halted status comes to its `done`).
   */
  halt(devnum: number, hostCcw: number): boolean {
    const d = this.devices.get(devnum);
    if (d === undefined) return false;
    const i = d.queue.findIndex((r) => r.hostCcw === hostCcw);
    if (i >= 0) {
      d.queue.splice(i, 1);
      return false;
    }
    if (d.active === null || d.active.hostCcw !== hostCcw || d.active.cancelled) return false;
    // cc 1: it has just ended and its status waits to be taken; that completion answers the halt.
    const cc = this.instruction('HSCH', d.subchannel);
    return cc === 0 || cc === 1;
  }

  private issue(d: RealDevice, r: Request): void {
    d.active = r;
    encodeOrb(
      { interruptionParameter: d.subchannel, key: r.key, format1: true, lpm: 0xff, ccwAddress: r.hostCcw },
      this.op.buffer,
    );
    const cc = this.instruction('SSCH', d.subchannel);
    this.counters.starts++;
    if (cc !== 0) {
      d.active = null;
      r.done(
        {
          flag0: 0,
          flag1: 0,
          flag2: 0x40,
          flag3: 0x17,
          ccwAddress: r.hostCcw + 8,
          deviceStatus: 0,
          subchannelStatus: 0x04,
          count: 0,
        },
        r.token,
      );
    }
  }

  /** Take every pending real I/O interruption and complete its request. */
  poll(): void {
    for (let guard = 0; guard < 1000 && this.channels.hasPending(); guard++) {
      const t = this.channels.takeInterruption(0xff000000);
      if (t === null) break;
      const d = this.bySubchannel.get(t.subsystemId & 0xffff);
      if (d === undefined) continue;
      this.instruction('TSCH', d.subchannel);
      const scsw = decodeScsw(this.op.buffer, 0);
      // Primary status ends the start function, and so does a completed halt or clear
      // (a program halted before it started has no primary status); intermediate status (PCI) is not reflected.
      if ((scsw.flag3 & SC_PRIMARY) === 0 && (scsw.flag2 & (FC_HALT | FC_CLEAR)) === 0) continue;
      this.counters.completions++;
      const r = d.active;
      d.active = null;
      if (r !== null && !r.cancelled) r.done(scsw, r.token);
      // The completion may already have started the device's next program (an IPL chains its
      // second read this way); the queue waits for that one to end.
      if (d.active !== null) continue;
      const next = d.queue.shift();
      if (next !== undefined) this.issue(d, next);
    }
  }

  /** Is any real I/O in flight or queued? */
  get busy(): boolean {
    for (const d of this.devices.values()) if (d.active !== null || d.queue.length > 0) return true;
    return false;
  }
}
