/**
 * HiperSockets (internal queued direct I/O, IQDIO): an internal LAN on an
 * IQD channel path. LPARs exchange frames through a queue that PR/SM keeps in
 * the HSA, at memory speed, with no wire and no OSI layers 2-4 (seed §12.4.6-7;
 * "up to 16 internal LANs"). The real interface is QDIO queues driven by
 * SIGA; here the guest side is a plain channel program on an IQD device
 * (kept small on purpose, see "Guest interface" below), so any ESA/390 guest
 * with SSCH/TSCH can use it.
 *
 * The LAN's queue lives in physical HSA storage: each frame is copied from
 * the sender's channel program into a ring slot in the HSA and from there
 * into the receiver's storage when it reads — two memory copies, as in the
 * real machine, never a path from one LPAR's storage into another's.
 *
 * Guest interface (one IQD device = one connection to the LAN):
 * - WRITE X'01': the data is `[destination MIF image ID (1 byte)] [payload]`.
 *   The frame is queued for the destination partition's lowest-numbered
 *   device on this LAN. Channel end + device end; unit exception when the
 *   destination has no device on the LAN or its queue is full (frame dropped).
 * - READ X'02': the oldest frame queued for this device, as
 *   `[source MIF image ID (1 byte)] [payload]`; incorrect length rules of the
 *   channel apply (use SLI). Unit exception with no data when nothing is queued.
 * - NOP X'03', SENSE X'04' (one byte), SENSE ID X'E4'.
 * Frames are limited by the CHPID's OS= frame size (00/40/80/C0 = 16/24/40/64 KB).
 *
 * Cost: a frame costs the channel subsystem's start cost ('io-start' of the
 * cost model) plus a memory copy at 4 bytes per cycle (assumption: one
 * fullword per cycle, MVCL-like, on the reference machine), for each of the
 * two copies.
 */
import type { AbsoluteAddress, CostModel, SparseStorage } from '@strachey/isa-core';
import {
  type CommandRequest,
  type CommandResponse,
  DS_CHANNEL_END,
  DS_DEVICE_END,
  DS_UNIT_CHECK,
  DS_UNIT_EXCEPTION,
  type Device,
  senseIdBytes,
} from '@strachey/io-channel';

/** Frame sizes by the CHPID's OS= operand (z/OS CS: OS=00/40/80/C0 → 16/24/40/64 KB). */
export function iqdFrameSize(os: string | undefined): number {
  switch ((os ?? '00').toUpperCase()) {
    case '40':
      return 24 << 10;
    case '80':
      return 40 << 10;
    case 'C0':
      return 64 << 10;
    default:
      return 16 << 10;
  }
}

/** Bytes per cycle of the memory copy HiperSockets does (assumption, see file comment). */
export const HIPERSOCKETS_COPY_BYTES_PER_CYCLE = 4;

/** Counters of one internal LAN. */
export interface LanCounters {
  frames: number;
  bytes: number;
  dropped: number;
}

interface Endpoint {
  readonly mifId: number;
  readonly partition: string;
  readonly deviceNumber: number;
  /** Ring slots queued for this endpoint, oldest first. */
  readonly queue: number[];
}

/** One HiperSockets internal LAN (one IQD CHPID) with its frame queue in the HSA. */
export class HiperSocketsLan {
  readonly chpid: number;
  readonly frameSize: number;
  readonly slots: number;
  readonly counters: LanCounters = { frames: 0, bytes: 0, dropped: 0 };
  private readonly slotBytes: number;
  private readonly free: number[] = [];
  private readonly endpoints: Endpoint[] = [];

  /** `hsaBase` is the physical address of this LAN's area in the HSA; `hsaBytes` its size. */
  constructor(
    chpid: number,
    frameSize: number,
    private readonly storage: SparseStorage,
    private readonly hsaBase: number,
    hsaBytes: number,
    private readonly costModel: CostModel,
  ) {
    this.chpid = chpid;
    this.frameSize = frameSize;
    this.slotBytes = frameSize + 8;
    this.slots = Math.max(1, Math.floor(hsaBytes / this.slotBytes));
    for (let i = this.slots - 1; i >= 0; i--) this.free.push(i);
  }

  /** Bytes of HSA a LAN with `slots` slots of `frameSize` needs. */
  static hsaBytes(frameSize: number, slots: number): number {
    return (frameSize + 8) * slots;
  }

  /** Connect a partition's IQD device; returns the device model for its channel subsystem. */
  connect(partition: string, mifId: number, deviceNumber: number): IqdDevice {
    const ep: Endpoint = { mifId, partition, deviceNumber, queue: [] };
    this.endpoints.push(ep);
    this.endpoints.sort((a, b) => a.mifId - b.mifId || a.deviceNumber - b.deviceNumber);
    return new IqdDevice(this, ep);
  }

  /** Drop a partition's endpoints (deactivation); its queued frames are freed. */
  disconnect(partition: string): void {
    for (let i = this.endpoints.length - 1; i >= 0; i--) {
      const ep = this.endpoints[i]!;
      if (ep.partition !== partition) continue;
      for (const s of ep.queue) this.free.push(s);
      this.endpoints.splice(i, 1);
    }
  }

  /** Frames waiting for a partition's endpoints. */
  queued(partition: string): number {
    let n = 0;
    for (const ep of this.endpoints) if (ep.partition === partition) n += ep.queue.length;
    return n;
  }

  /** Simulated microseconds one copy of `bytes` costs. */
  copyUs(bytes: number): number {
    return (this.costModel.events['io-start'].cycles + bytes / HIPERSOCKETS_COPY_BYTES_PER_CYCLE) / this.costModel.mhz;
  }

  /** @internal queue a frame from `from`; false when undeliverable. */
  send(from: Endpoint, data: Uint8Array): boolean {
    const dest = data[0];
    const payload = data.subarray(1);
    const to = this.endpoints.find((e) => e.mifId === dest);
    const slot = this.free.pop();
    if (to === undefined || slot === undefined || payload.length > this.frameSize) {
      if (slot !== undefined) this.free.push(slot);
      this.counters.dropped++;
      return false;
    }
    const base = this.hsaBase + slot * this.slotBytes;
    this.storage.write32(base as AbsoluteAddress, payload.length);
    this.storage.write8((base + 4) as AbsoluteAddress, from.mifId);
    this.storage.writeFrom((base + 8) as AbsoluteAddress, payload);
    to.queue.push(slot);
    this.counters.frames++;
    this.counters.bytes += payload.length;
    return true;
  }

  /** @internal take the oldest frame for `ep` as [source MIF id, payload…], or null. */
  receive(ep: Endpoint): Uint8Array | null {
    const slot = ep.queue.shift();
    if (slot === undefined) return null;
    const base = this.hsaBase + slot * this.slotBytes;
    const len = this.storage.read32(base as AbsoluteAddress) >>> 0;
    const out = new Uint8Array(len + 1);
    out[0] = this.storage.read8((base + 4) as AbsoluteAddress);
    this.storage.readInto((base + 8) as AbsoluteAddress, out, 1, len);
    this.free.push(slot);
    return out;
  }
}

const CE_DE = DS_CHANNEL_END | DS_DEVICE_END;
const SENSE_COMMAND_REJECT = 0x80;

/** The IQD device a partition's channel programs drive (see the guest interface above). */
export class IqdDevice implements Device {
  readonly deviceType = 0x1732;
  readonly deviceModel = 0x05;
  readonly controlUnitType = 0x1731;
  readonly controlUnitModel = 0x05;
  private sense = 0;

  constructor(
    readonly lan: HiperSocketsLan,
    private readonly endpoint: Endpoint,
  ) {}

  immediate(command: number): boolean {
    return command === 0x03;
  }

  startProgram(): void {}

  reset(): void {
    this.sense = 0;
  }

  execute(request: CommandRequest): CommandResponse {
    switch (request.command) {
      case 0x01: {
        const data = request.data ?? new Uint8Array(0);
        if (data.length < 1) {
          this.sense = SENSE_COMMAND_REJECT;
          return { status: CE_DE | DS_UNIT_CHECK, serviceUs: 1 };
        }
        const sent = this.lan.send(this.endpoint, data);
        return { status: sent ? CE_DE : CE_DE | DS_UNIT_EXCEPTION, serviceUs: this.lan.copyUs(data.length) };
      }
      case 0x02: {
        const frame = this.lan.receive(this.endpoint);
        if (frame === null) return { status: CE_DE | DS_UNIT_EXCEPTION, input: new Uint8Array(0), serviceUs: this.lan.copyUs(0) };
        return { status: CE_DE, input: frame, serviceUs: this.lan.copyUs(frame.length) };
      }
      case 0x03:
        return { status: CE_DE, immediate: true, serviceUs: 1 };
      case 0x04: {
        const s = Uint8Array.of(this.sense);
        this.sense = 0;
        return { status: CE_DE, input: s, serviceUs: 1 };
      }
      case 0xe4:
        return { status: CE_DE, input: senseIdBytes(this), serviceUs: 1 };
      default:
        this.sense = SENSE_COMMAND_REJECT;
        return { status: CE_DE | DS_UNIT_CHECK, serviceUs: 1 };
    }
  }

  takeSense(): Uint8Array {
    const s = Uint8Array.of(this.sense);
    this.sense = 0;
    return s;
  }
}

/**
 * An OSA (OSD) port as a sink: frames written go "to the wire" and are
 * counted; reads find nothing. It exists so decks with OSD CHPIDs activate
 * and the seed's "six Ethernet adapters as 4 + 0 + 2" can be assigned.
 */
export class OsaPort implements Device {
  readonly deviceType = 0x1732;
  readonly deviceModel = 0x01;
  readonly controlUnitType = 0x1731;
  readonly controlUnitModel = 0x01;
  frames = 0;
  bytes = 0;
  immediate(command: number): boolean {
    return command === 0x03;
  }
  startProgram(): void {}
  reset(): void {}
  execute(request: CommandRequest): CommandResponse {
    if (request.command === 0x01) {
      this.frames++;
      this.bytes += request.data?.length ?? 0;
      return { status: CE_DE, serviceUs: 1 + (request.data?.length ?? 0) / 125 };
    }
    if (request.command === 0x02) return { status: CE_DE | DS_UNIT_EXCEPTION, input: new Uint8Array(0), serviceUs: 1 };
    if (request.command === 0x03) return { status: CE_DE, immediate: true, serviceUs: 1 };
    if (request.command === 0xe4) return { status: CE_DE, input: senseIdBytes(this), serviceUs: 1 };
    if (request.command === 0x04) return { status: CE_DE, input: Uint8Array.of(0), serviceUs: 1 };
    return { status: CE_DE | DS_UNIT_CHECK, serviceUs: 1 };
  }
}
