/**
 * One subchannel: the channel subsystem's record of one device as one image
 * (logical partition) sees it (POP SA22-7201 15-"Subchannel"). It holds the
 * PMCW the program sets with MSCH, the SCSW the program reads with STSCH and
 * TSCH, and the state of the channel program in progress.
 */
import { emptyScsw, type Orb, type Pmcw, type Scsw } from './blocks';
import type { Device } from './device';

/** A device as the channel subsystem attaches it: one device, several subchannel images (MIF). */
export interface DeviceSlot {
  readonly deviceNumber: number;
  /** The device model; `ChannelSubsystem.replaceDevice` swaps it (a partition reactivated with a fresh console). */
  device: Device;
  /** Channel paths to the device (through its control unit), in PIM bit order. */
  readonly chpids: number[];
  /** The subchannel whose channel program currently holds the device, or null. */
  busyWith: Subchannel | null;
}

/** One data area of a command: a CCW, or a data-chained continuation of it. */
export interface Segment {
  /** Data address (or IDAW-list address when `flags` has IDA). */
  address: number;
  count: number;
  flags: number;
  /** Address of the CCW + 8 (what the SCSW reports when this CCW was the last one used). */
  next: number;
}

/** A command handed to a device, waiting for its completion event. */
export interface InFlight {
  command: number;
  input: boolean;
  immediate: boolean;
  segments: Segment[];
  /** Output: data the device wanted; input: data the device sent. */
  status: number;
  data: Uint8Array | null;
  accepted: number;
  total: number;
}

/** A subchannel: PMCW, SCSW and channel-program state of one device in one image. */
export class Subchannel {
  readonly image: number;
  /** Subchannel number, assigned from 0 in configuration order per image (as Hercules does). */
  readonly number: number;
  readonly slot: DeviceSlot;
  readonly pmcw: Pmcw;
  scsw: Scsw = emptyScsw();
  orb: Orb | null = null;
  /** Channel-path priority for priority queuing (higher first); fed by a workload manager. */
  priority = 0;

  // Channel-program state.
  ccwAddress = 0;
  format1 = false;
  key = 0;
  first = true;
  /** Address after the TIC just executed, or -1: TIC-to-TIC detection and the reported address on a bad TIC target. */
  ticNext = -1;
  chained = false;
  previousCommand = -1;
  lastResidual = 0;
  inFlight: InFlight | null = null;
  eventId = -1;
  /** Sequence number of the start request while it waits for a path and the device (FIFO order). */
  queuedAt = -1;
  /** The channel path the running program holds (-1 while disconnected or idle). */
  pathChpid = -1;
  /** Connected time left for the command once the device reconnects. */
  reconnectUs = 0;
  /** Has this start already been counted as path contention? */
  contended = false;
  /** IPL mode: the first CCW is the implicit READ of 24 bytes into location 0. */
  ipl = false;
  /** Is an I/O interruption queued for this subchannel? */
  interruptionQueued = false;
  /** Order in which the interruption became pending (FIFO within an ISC). */
  interruptionSeq = 0;
  /** Sense bytes saved for the IRB's ECW under concurrent sense. */
  ecw: Uint8Array | null = null;
  eswErw0 = 0;
  eswSenseCount = 0;

  constructor(image: number, number: number, slot: DeviceSlot, pim: number, pam: number) {
    this.image = image;
    this.number = number;
    this.slot = slot;
    const chpids = new Array<number>(8).fill(0);
    slot.chpids.forEach((c, i) => {
      if (i < 8) chpids[i] = c;
    });
    this.pmcw = {
      interruptionParameter: 0,
      isc: 0,
      // Valid but not enabled: the program must MSCH the enable bit on before SSCH (Hercules config.c).
      enabled: false,
      limitMode: 0,
      measurementMode: 0,
      multipath: false,
      timing: false,
      valid: true,
      deviceNumber: slot.deviceNumber,
      lpm: pim,
      pnom: 0,
      lpum: 0,
      pim,
      mbi: 0,
      pom: 0xff,
      pam,
      chpids,
      concurrentSense: false,
    };
  }
}
