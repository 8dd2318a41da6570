/**
 * An internal LAN in the spirit of HiperSockets (IQD channel paths): logical
 * partitions exchange frames memory to memory, with no wire (PR/SM seeds:
 * up to 16 internal LANs, "at memory speed, without OSI layers 2-4").
 *
 * This is a message-passing model over ordinary CCWs, not real QDIO (no
 * SIGA, no storage-block queues): each port is a device on some image's
 * subchannel. WRITE X'01' sends one frame — a 2-byte destination port
 * number (X'FFFF' for every other port) followed by the payload; READ X'02'
 * takes the oldest frame — the 2-byte source port, then the payload — or
 * ends with unit exception when none is queued. A frame's arrival raises
 * attention on the receiving port's subchannels (lost, as with any
 * attention, when the subchannel is busy or already status pending: read
 * until unit exception). NOP, SENSE and SENSE ID (CU 1731-05, device
 * 1732-05, the OSA/IQD identifiers) as usual.
 *
 * Timing: 0.2 µs per frame plus 2 bytes per nanosecond (2 GB/s) — model
 * choices standing for "memory speed", not published figures.
 */
import type { CommandRequest, CommandResponse } from '../device';
import { CE_DE, DS_ATTENTION, DS_UNIT_EXCEPTION } from '../status';
import { base64ToBytes, bytesToBase64 } from './snapshot-bytes';
import { UnitRecordDevice } from './unit-record';

/** Options of an internal LAN. */
export interface InternalLanOptions {
  /** Frames a port may hold before further frames to it are dropped (unit exception to the sender). Default 64. */
  readonly queueLimit?: number;
  readonly bytesPerUs?: number;
}

/** An internal LAN: create ports, attach each to a channel subsystem image. */
export class InternalLan {
  readonly name: string;
  readonly ports: LanPort[] = [];
  readonly queueLimit: number;
  readonly bytesPerUs: number;
  /** Frames delivered and dropped (a full queue). */
  readonly counters = { delivered: 0, dropped: 0 };

  constructor(name: string, options: InternalLanOptions = {}) {
    this.name = name;
    this.queueLimit = options.queueLimit ?? 64;
    this.bytesPerUs = options.bytesPerUs ?? 2000;
  }

  /** A new port (numbered from 0 in creation order). */
  port(): LanPort {
    const p = new LanPort(this, this.ports.length);
    this.ports.push(p);
    return p;
  }

  /** @internal deliver a frame from `from` to `to`; false when the queue was full. */
  deliver(from: number, to: LanPort, payload: Uint8Array): boolean {
    if (to.queue.length >= this.queueLimit) {
      this.counters.dropped++;
      return false;
    }
    const frame = new Uint8Array(2 + payload.length);
    frame[0] = from >>> 8;
    frame[1] = from;
    frame.set(payload, 2);
    to.queue.push(frame);
    this.counters.delivered++;
    to.signal();
    return true;
  }
}

/** One port of an internal LAN: a device a guest drives with WRITE and READ. */
export class LanPort extends UnitRecordDevice {
  readonly deviceType = 0x1732;
  readonly deviceModel = 0x05;
  readonly controlUnitType = 0x1731;
  readonly controlUnitModel = 0x05;
  readonly lan: InternalLan;
  readonly portNumber: number;
  /** Frames waiting to be read (source port + payload). */
  readonly queue: Uint8Array[] = [];
  private attention: ((status: number) => void) | null = null;

  constructor(lan: InternalLan, portNumber: number) {
    super();
    this.lan = lan;
    this.portNumber = portNumber;
  }

  setAttentionSink(sink: (status: number) => void): void {
    this.attention = sink;
  }

  protected override saveState(): Record<string, unknown> {
    return { queue: this.queue.map(bytesToBase64) };
  }

  protected override loadState(o: Record<string, unknown>): void {
    this.queue.length = 0;
    for (const f of (o.queue as string[] | undefined) ?? []) this.queue.push(base64ToBytes(f));
  }

  /** @internal a frame arrived. */
  signal(): void {
    this.attention?.(DS_ATTENTION);
  }

  execute(req: CommandRequest): CommandResponse {
    const c = this.common(req.command);
    if (c !== null) return c;
    const perFrame = 0.2;
    switch (req.command) {
      case 0x01: {
        const d = req.data ?? new Uint8Array(0);
        if (d.length < 2) return this.commandReject();
        const to = (d[0]! << 8) | d[1]!;
        const payload = d.slice(2);
        const us = perFrame + d.length / this.lan.bytesPerUs;
        if (to === 0xffff) {
          let full = false;
          for (const p of this.lan.ports) if (p !== this && !this.lan.deliver(this.portNumber, p, payload)) full = true;
          return { status: full ? CE_DE | DS_UNIT_EXCEPTION : CE_DE, accepted: d.length, serviceUs: us };
        }
        const target = this.lan.ports[to];
        if (target === undefined || target === this) return { ...this.commandReject(), accepted: d.length };
        const ok = this.lan.deliver(this.portNumber, target, payload);
        return { status: ok ? CE_DE : CE_DE | DS_UNIT_EXCEPTION, accepted: d.length, serviceUs: us };
      }
      case 0x02: {
        const frame = this.queue.shift();
        if (frame === undefined) return { status: CE_DE | DS_UNIT_EXCEPTION, input: new Uint8Array(0), serviceUs: perFrame };
        return { status: CE_DE, input: frame, serviceUs: perFrame + frame.length / this.lan.bytesPerUs };
      }
      default:
        return this.commandReject();
    }
  }
}
