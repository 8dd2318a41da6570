/**
 * The channel-program interpreter (POP SA22-7201 chapter 15, "Channel
 * Programs"): CCW fetch and decode (format 0 and 1), TIC, chaining, the
 * suspend flag, PCI, data transfer with the ORB key through direct
 * addresses or format-1 IDAWs, incorrect length, residual counts and the
 * program and protection checks — everything architected about a channel
 * program that does not depend on time. The channel subsystem drives it
 * command by command on the clock.
 */
import type { StoragePort } from '@strachey/isa-core';
import { type AddressLimit, checkChannelAccess } from './channel-storage';
import { type CommandRequest, commandKind } from './device';
import {
  AC_RESUME_PENDING,
  CCW_CC,
  CCW_CD,
  CCW_IDA,
  CCW_PCI,
  CCW_RESERVED,
  CCW_SKIP,
  CCW_SLI,
  CCW_SUSPEND,
  CE_DE,
  DS_STATUS_MODIFIER,
  DS_UNIT_CHECK,
  SCSW1_E,
  SS_INCORRECT_LENGTH,
  SS_PROGRAM_CHECK,
} from './status';
import type { InFlight, Segment, Subchannel } from './subchannel';

/** What the interpreter needs from the channel subsystem. */
export interface ChannelProgramHost {
  /** The storage a subchannel's channel programs address (its image's: an LPAR's zone). */
  storageOf(sch: Subchannel): StoragePort;
  readonly counters: { ccws: number; bytes: number };
  /** SET ADDRESS LIMIT's value, for the PMCW limit mode. */
  readonly addressLimit: number;
  /** A CCW with the PCI flag became current: present intermediate status. */
  pci(sch: Subchannel, ccwAddress: number): void;
}

/** The end of a channel program: the status the SCSW gets. */
export interface ProgramEnd {
  readonly kind: 'end';
  readonly unit: number;
  readonly chan: number;
  readonly residual: number;
  readonly ccwAddress: number;
}

/** What one step produced. */
export type Step =
  /** A TIC was followed: fetch again at once. */
  | { readonly kind: 'again' }
  | ProgramEnd
  /** The CCW at `ccwAddress` has the suspend flag: suspend before it. */
  | { readonly kind: 'suspend'; readonly ccwAddress: number; readonly count: number }
  /** The device took a command (`sch.inFlight`); it needs this long, the first part disconnected. */
  | { readonly kind: 'command'; readonly serviceUs: number; readonly disconnectUs: number };

/** What completing a command produced: chain to the next CCW, or end. */
export type Completion = { readonly kind: 'chain' } | ProgramEnd;

const CHAIN: Completion = { kind: 'chain' };
const AGAIN: Step = { kind: 'again' };

/** The end of the program at `ccwAddress` with channel status `chan`, reporting the subchannel's last residual count. */
function programEnd(sch: Subchannel, chan: number, ccwAddress: number): ProgramEnd {
  return { kind: 'end', unit: 0, chan, residual: sch.lastResidual, ccwAddress };
}
const NO_LIMIT: AddressLimit = { mode: 0, limit: 0 };
/** What an input command with no `input` from its device transfers. Never written: no data means nothing to store. */
const NO_INPUT = new Uint8Array(0);

/** A command request the interpreter fills in place for each command (see `ChannelInterpreter.requests`). */
type ScratchRequest = { -readonly [K in keyof CommandRequest]: CommandRequest[K] };

/** The 'command' step, filled in place: its reader (the channel subsystem) takes the two times out at once. */
interface CommandStep {
  readonly kind: 'command';
  serviceUs: number;
  disconnectUs: number;
}

interface DecodedCcw {
  command: number;
  flags: number;
  count: number;
  address: number;
}

/** Interprets the channel programs of one channel subsystem. */
export class ChannelInterpreter {
  private readonly scratch8 = new Uint8Array(8);
  private readonly ccw: DecodedCcw = { command: 0, flags: 0, count: 0, address: 0 };
  /**
   * Command requests by nesting depth: a device's execute may start another
   * program (a HiperSockets send waking a receiver), whose step must not
   * overwrite the request the first device is still reading. No device
   * keeps its request after execute returns.
   */
  private readonly requests: ScratchRequest[] = [];
  private depth = 0;
  private readonly commandStep: CommandStep = { kind: 'command', serviceUs: 0, disconnectUs: 0 };
  /**
   * Records of completed commands (with their segment arrays and first
   * segment), reused by the next command: one per command would be an
   * object, an array and a segment per CCW of every channel program.
   */
  private readonly spareInFlight: InFlight[] = [];
  private readonly limitScratch: AddressLimit = { mode: 0, limit: 0 };

  constructor(private readonly host: ChannelProgramHost) {}

  /**
   * Take the next CCW at `sch.ccwAddress`: check it, follow a TIC, gather
   * output data, hand the command to the device at time `nowUs`.
   */
  step(sch: Subchannel, nowUs: number): Step {
    // The CCW is decoded into a reused scratch object and copied out at once (a device or a
    // PCI listener may start another program): a step runs per CCW, and an object per CCW, or
    // a closure, which tsx's keepNames also wraps in a defineProperty call, cost an I/O-bound
    // partition a tenth of its host time.
    const ccw = this.ccw;
    const here = sch.ccwAddress;
    const next = (here + 8) >>> 0;
    if (sch.ipl && sch.first) {
      // IPL: the implicit first CCW reads 24 bytes into location 0, command chaining to the CCW at 8.
      ccw.command = 0x02;
      ccw.flags = CCW_CC | CCW_SLI;
      ccw.count = 24;
      ccw.address = 0;
    } else {
      const st = this.fetchCcw(sch, here, this.scratch8);
      if (st !== 0) return programEnd(sch, st, sch.ticNext >= 0 ? sch.ticNext : next);
      if (!this.decodeCcw(sch.format1, this.scratch8, ccw)) return programEnd(sch, SS_PROGRAM_CHECK, next);
    }
    const { command, flags, count, address } = ccw;
    this.host.counters.ccws++;
    sch.scsw.ccwAddress = next;
    const kind = commandKind(command);
    if (kind === 'tic') {
      // TIC rules: not to another TIC, and "the first CCW designated by the CAW may not specify transfer in
      // channel" (S/370 POP GA22-7000-4, "Transfer in Channel"; the ORB takes the CAW's place in ESA/390);
      // a format-1 TIC has zero flags and count.
      const bad = sch.ticNext >= 0 || sch.first || (sch.format1 && (command !== 0x08 || flags !== 0 || count !== 0));
      if (bad) return programEnd(sch, SS_PROGRAM_CHECK, next);
      sch.ticNext = next;
      sch.ccwAddress = address;
      return AGAIN;
    }
    sch.ticNext = -1;
    sch.first = false;
    if ((flags & CCW_RESERVED) !== 0) return programEnd(sch, SS_PROGRAM_CHECK, next);
    if ((flags & CCW_SUSPEND) !== 0) {
      if (sch.orb === null || !sch.orb.suspendControl) return programEnd(sch, SS_PROGRAM_CHECK, next);
      // A resume that arrived while the program was still running lets the flagged CCW go on.
      if ((sch.scsw.flag2 & AC_RESUME_PENDING) !== 0) sch.scsw.flag2 &= ~AC_RESUME_PENDING;
      else return { kind: 'suspend', ccwAddress: here, count };
    }
    if ((flags & CCW_PCI) !== 0) this.host.pci(sch, next);
    if (count === 0 && (!sch.format1 || (flags & CCW_CD) !== 0)) return programEnd(sch, SS_PROGRAM_CHECK, next);
    if (kind === 'invalid') return programEnd(sch, SS_PROGRAM_CHECK, next);
    const device = sch.slot.device;
    const immediate = kind === 'control' && device.immediate(command);
    const input = kind === 'read' || kind === 'sense' || kind === 'read-backward';
    const f = this.takeInFlight(address, count, flags, next);
    const segments = f.segments;
    let data: Uint8Array | null = null;
    let total = count;
    if (!input && !immediate) {
      // Output: the channel fetches the data of the whole data chain before the device takes it.
      const chainStatus = this.collectDataChain(sch, segments);
      total = 0;
      for (let i = 0; i < segments.length; i++) total += segments[i]!.count;
      // The device may keep the data it is given (a printer's line, a LAN frame): a new buffer per command.
      data = new Uint8Array(total);
      let off = 0;
      for (let i = 0; i < segments.length; i++) {
        const seg = segments[i]!;
        const st = this.transfer(sch, seg, data, off, seg.count, false);
        if (st !== 0) return this.abandon(f, programEnd(sch, st, seg.next));
        off += seg.count;
      }
      if (chainStatus !== 0) return this.abandon(f, programEnd(sch, chainStatus, segments[segments.length - 1]!.next));
    }
    const depth = this.depth++;
    const req = this.requests[depth] ?? this.newRequest();
    req.command = command;
    req.count = count;
    req.data = data;
    req.chained = sch.chained;
    req.previousCommand = sch.previousCommand;
    req.nowUs = nowUs;
    let resp: ReturnType<typeof device.execute>;
    try {
      resp = device.execute(req);
    } finally {
      this.depth = depth;
      req.data = null; // hold no guest data between commands
    }
    f.command = command;
    f.input = input;
    f.immediate = immediate || resp.immediate === true;
    f.status = resp.status;
    f.data = input ? (resp.input ?? NO_INPUT) : null;
    f.accepted = input ? 0 : (resp.accepted ?? total);
    f.total = total;
    sch.inFlight = f;
    const serviceUs = resp.serviceUs > 0 && Number.isFinite(resp.serviceUs) ? resp.serviceUs : 0;
    const out = this.commandStep;
    out.serviceUs = serviceUs;
    out.disconnectUs = resp.disconnectUs !== undefined && resp.disconnectUs > 0 && Number.isFinite(resp.disconnectUs) ? Math.min(resp.disconnectUs, serviceUs) : 0;
    return out;
  }

  private newRequest(): ScratchRequest {
    const req: ScratchRequest = { command: 0, count: 0, data: null, chained: false, previousCommand: -1, nowUs: 0 };
    this.requests.push(req);
    return req;
  }

  /** An in-flight record whose only segment is the CCW's: from the spares, or new. */
  private takeInFlight(address: number, count: number, flags: number, next: number): InFlight {
    const f = this.spareInFlight.pop();
    if (f === undefined) return { command: 0, input: false, immediate: false, segments: [{ address, count, flags, next }], status: 0, data: null, accepted: 0, total: 0 };
    const seg = f.segments[0]!;
    f.segments.length = 1;
    seg.address = address;
    seg.count = count;
    seg.flags = flags;
    seg.next = next;
    return f;
  }

  /** Give back a record no subchannel refers to any more. */
  private spare(f: InFlight): void {
    f.data = null;
    if (this.spareInFlight.length < 64) this.spareInFlight.push(f);
  }

  /** The command never reached the device: its record goes back, and the program ends. */
  private abandon(f: InFlight, end: ProgramEnd): ProgramEnd {
    this.spare(f);
    return end;
  }

  /** Fetch one CCW at `address`; returns the channel status of the fetch (0 when fine). */
  private fetchCcw(sch: Subchannel, address: number, out: Uint8Array): number {
    if ((address & 7) !== 0) return SS_PROGRAM_CHECK;
    if (!sch.format1 && address > 0xffffff) return SS_PROGRAM_CHECK;
    const st = checkChannelAccess(this.host.storageOf(sch), address, 8, sch.key, false, this.limitFor(sch));
    if (st !== 0) return st;
    this.host.storageOf(sch).readInto(address as never, out, 0, 8);
    return 0;
  }

  private limitFor(sch: Subchannel): AddressLimit {
    if (sch.orb === null || !sch.orb.addressLimitChecking || sch.pmcw.limitMode === 0) return NO_LIMIT;
    // Read at once by checkChannelAccess; a transfer never nests in another.
    const l = this.limitScratch as { mode: number; limit: number };
    l.mode = sch.pmcw.limitMode;
    l.limit = this.host.addressLimit;
    return l;
  }

  /** Decode the 8 CCW bytes into command, flags, count, address (format 0 or 1). Returns false when a format-1 address has bit 0 on. */
  private decodeCcw(format1: boolean, b: Uint8Array, ccw: DecodedCcw): boolean {
    ccw.command = b[0]!;
    if (format1) {
      ccw.flags = b[1]!;
      ccw.count = (b[2]! << 8) | b[3]!;
      ccw.address = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
      if ((ccw.address & 0x80000000) !== 0) return false;
    } else {
      ccw.address = (b[1]! << 16) | (b[2]! << 8) | b[3]!;
      ccw.flags = b[4]!;
      ccw.count = (b[6]! << 8) | b[7]!;
    }
    return true;
  }

  /** Fetch the data-chained continuations of `segments[0]` (output commands). Returns channel status or 0. */
  private collectDataChain(sch: Subchannel, segments: Segment[]): number {
    let seg = segments[segments.length - 1]!;
    while ((seg.flags & CCW_CD) !== 0) {
      const r = this.fetchChained(sch, seg.next);
      if (typeof r === 'number') return r;
      segments.push(r);
      seg = r;
      if (segments.length > 4096) return SS_PROGRAM_CHECK;
    }
    return 0;
  }

  /** Fetch the next data-chained CCW at `address` (following one TIC). */
  private fetchChained(sch: Subchannel, address: number): Segment | number {
    const ccw: DecodedCcw = { command: 0, flags: 0, count: 0, address: 0 };
    let at = address;
    let tic = false;
    for (;;) {
      const st = this.fetchCcw(sch, at, this.scratch8);
      if (st !== 0) return st;
      if (!this.decodeCcw(sch.format1, this.scratch8, ccw)) return SS_PROGRAM_CHECK;
      this.host.counters.ccws++;
      sch.scsw.ccwAddress = (at + 8) >>> 0;
      if (commandKind(ccw.command) === 'tic') {
        if (tic || (sch.format1 && (ccw.command !== 0x08 || ccw.flags !== 0 || ccw.count !== 0))) return SS_PROGRAM_CHECK;
        tic = true;
        at = ccw.address;
        continue;
      }
      break;
    }
    if ((ccw.flags & (CCW_RESERVED | CCW_SUSPEND)) !== 0) return SS_PROGRAM_CHECK;
    if (ccw.count === 0) return SS_PROGRAM_CHECK;
    if ((ccw.flags & CCW_PCI) !== 0) this.host.pci(sch, (at + 8) >>> 0);
    return { address: ccw.address, count: ccw.count, flags: ccw.flags, next: (at + 8) >>> 0 };
  }

  /**
   * Move `length` bytes between storage and `buf[offset..]` for one segment,
   * through IDAWs when the segment's IDA flag is on (format-1 IDAWs: 31-bit
   * addresses; after the first, each must start on a 2K boundary and covers
   * up to 2K). Returns 0 or channel status; bytes before a failing piece are
   * transferred, as the channel would have moved them.
   */
  private transfer(sch: Subchannel, seg: Segment, buf: Uint8Array, offset: number, length: number, toStorage: boolean): number {
    if (length <= 0) return 0;
    const limit = this.limitFor(sch);
    const key = sch.key;
    if ((seg.flags & CCW_IDA) === 0) {
      const st = checkChannelAccess(this.host.storageOf(sch), seg.address, length, key, toStorage, limit);
      if (st !== 0) return st;
      this.move(sch, seg.address, buf, offset, length, toStorage);
      return 0;
    }
    let idawAddress = seg.address;
    if ((idawAddress & 3) !== 0) return SS_PROGRAM_CHECK;
    let done = 0;
    let firstIdaw = true;
    while (done < length) {
      const st = checkChannelAccess(this.host.storageOf(sch), idawAddress, 4, key, false, limit);
      if (st !== 0) return st;
      const idaw = this.host.storageOf(sch).read32(idawAddress as never) >>> 0;
      if ((idaw & 0x80000000) !== 0) return SS_PROGRAM_CHECK;
      if (!firstIdaw && (idaw & 0x7ff) !== 0) return SS_PROGRAM_CHECK;
      const piece = Math.min(length - done, 0x800 - (idaw & 0x7ff));
      const st2 = checkChannelAccess(this.host.storageOf(sch), idaw, piece, key, toStorage, limit);
      if (st2 !== 0) return st2;
      this.move(sch, idaw, buf, offset + done, piece, toStorage);
      done += piece;
      idawAddress += 4;
      firstIdaw = false;
    }
    return 0;
  }

  private move(sch: Subchannel, address: number, buf: Uint8Array, offset: number, length: number, toStorage: boolean): void {
    this.host.counters.bytes += length;
    const storage = this.host.storageOf(sch);
    if (toStorage) storage.writeFrom(address as never, buf.subarray(offset, offset + length));
    else storage.readInto(address as never, buf, offset, length);
  }

  /**
   * The device has finished the command in flight: store input, work out
   * counts and status; then either chain (the subchannel's CCW address is
   * the next CCW) or end with the status for the SCSW.
   */
  complete(sch: Subchannel): Completion {
    const f = sch.inFlight;
    if (f === null) return CHAIN;
    sch.inFlight = null;
    const unit = f.status;
    let chan = 0;
    let residual = 0;
    let more = false;
    let last = f.segments[0]!;
    if (f.immediate) {
      residual = last.count;
    } else if (f.input) {
      const data = f.data!;
      let sent = 0;
      let seg = last;
      for (;;) {
        const take = Math.min(data.length - sent, seg.count);
        if ((seg.flags & CCW_SKIP) === 0) {
          const st = this.transfer(sch, seg, data, sent, take, true);
          if (st !== 0) {
            chan |= st;
            residual = seg.count - take;
            last = seg;
            break;
          }
        }
        sent += take;
        residual = seg.count - take;
        last = seg;
        if (sent < data.length && (seg.flags & CCW_CD) !== 0) {
          const r = this.fetchChained(sch, seg.next);
          if (typeof r === 'number') {
            chan |= r;
            break;
          }
          seg = r;
          continue;
        }
        more = sent < data.length;
        break;
      }
    } else {
      // Output: find the CCW in which the device stopped taking data.
      let wanted = Math.min(f.accepted, f.total);
      for (const seg of f.segments) {
        last = seg;
        const take = Math.min(wanted, seg.count);
        wanted -= take;
        residual = seg.count - take;
        if (residual > 0 || wanted === 0) break;
      }
      more = f.accepted > f.total;
    }
    if (chan === 0 && (residual !== 0 || more)) {
      if (f.immediate) {
        // Immediate commands: format-0 never indicates incorrect length; format-1 does for a nonzero count unless SLI or the ORB L bit (POP 15-"Incorrect Length").
        if (sch.format1 && last.count !== 0 && (last.flags & CCW_SLI) === 0 && !(sch.orb?.incorrectLengthSuppression ?? false)) chan |= SS_INCORRECT_LENGTH;
      } else if ((last.flags & CCW_CD) !== 0 || (last.flags & CCW_SLI) === 0) {
        chan |= SS_INCORRECT_LENGTH;
      }
    }
    sch.lastResidual = residual;
    let nextAddress = last.next;
    if ((unit & DS_STATUS_MODIFIER) !== 0) nextAddress = (nextAddress + 8) >>> 0;
    sch.scsw.ccwAddress = nextAddress;
    sch.previousCommand = f.command;
    // Nothing refers to the record now (the subchannel's inFlight was cleared above); `last` may be its segment, so copy out first.
    const lastFlags = last.flags;
    this.spare(f);
    if ((unit & DS_UNIT_CHECK) !== 0 && sch.pmcw.concurrentSense) {
      const sense = sch.slot.device.takeSense?.();
      if (sense !== undefined) {
        sch.ecw = sense.slice(0, 32);
        sch.eswErw0 = 0x01;
        sch.eswSenseCount = Math.min(32, sense.length);
        sch.scsw.flag1 |= SCSW1_E;
      }
    }
    if (chan !== 0 || (unit & ~DS_STATUS_MODIFIER) !== CE_DE || (lastFlags & CCW_CC) === 0) return { kind: 'end', unit, chan, residual, ccwAddress: nextAddress };
    sch.chained = true;
    sch.ccwAddress = nextAddress;
    return CHAIN;
  }
}
