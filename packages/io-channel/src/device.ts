/**
 * The device interface: what a control unit and its device do with one
 * channel command. The channel subsystem owns everything architected about
 * the channel program (CCW fetch, chaining, counts, keys, IDAWs, status in
 * the SCSW); a device only interprets its command codes, moves bytes through
 * the buffers it is given, and says how long that took on its own mechanism.
 */

/** Command classes by the low bits of the command code (POP 15-"Command Code"). */
export type CommandKind = 'write' | 'read' | 'control' | 'sense' | 'tic' | 'read-backward' | 'invalid';

/** Classify a command code. Format-0 TIC is any code xxxx1000. */
export function commandKind(code: number): CommandKind {
  const low = code & 0x0f;
  if (low === 0x08) return 'tic';
  if (low === 0x0c) return 'read-backward';
  if (low === 0x04) return 'sense';
  if (low === 0) return 'invalid';
  switch (code & 0x03) {
    case 1:
      return 'write';
    case 2:
      return 'read';
    case 3:
      return 'control';
    default:
      return 'invalid';
  }
}

/**
 * What the channel hands a device for one command. The channel reuses one
 * request object per nesting level (no allocation per CCW), so a device may
 * read it only during `execute`; keep the `data` bytes, not the request.
 */
export interface CommandRequest {
  /** Command code (CCW byte 0). */
  readonly command: number;
  /** Byte count of the (first) CCW of the command. */
  readonly count: number;
  /** Output data fetched from storage for write and control commands (the whole data chain), else null. */
  readonly data: Uint8Array | null;
  /** True when this command was command-chained from the previous one in the same channel program. */
  readonly chained: boolean;
  /** Command code of the previous command in the chain, or -1 at the start of the channel program. */
  readonly previousCommand: number;
  /** Simulated time at which the command starts, in microseconds since the clock's epoch. */
  readonly nowUs: number;
}

/** What the device answers. */
export interface CommandResponse {
  /** Device status: normally channel end + device end, possibly with status modifier, unit check, unit exception. */
  readonly status: number;
  /** For input commands: the bytes the device sends (their length may differ from the count). */
  readonly input?: Uint8Array;
  /** For output commands: how many bytes the device wanted (defaults to the count offered). */
  readonly accepted?: number;
  /**
   * True for an immediate command (a control command that transfers no data,
   * e.g. NOP or a 3215 alarm): count and incorrect length follow the immediate
   * rules of POP 15-"Incorrect Length".
   */
  readonly immediate?: boolean;
  /** Time the device needed for this command, microseconds of simulated time. */
  readonly serviceUs: number;
  /**
   * The leading part of `serviceUs` the device spends disconnected from the
   * channel (a DASD seeking or waiting for its record to come round): the
   * channel path is free for other programs meanwhile, and the device must
   * reconnect over a free path for the rest. Default 0.
   */
  readonly disconnectUs?: number;
}

/**
 * A device (and its control-unit function) attached to the channel subsystem.
 * `execute` is called once per command (data-chained CCWs form one command);
 * it must never throw for anything a guest program can send: an unknown
 * command is a command reject (unit check with sense byte 0 X'80').
 */
export interface Device {
  /** Device type as SENSE ID reports it, e.g. 0x3390. */
  readonly deviceType: number;
  readonly deviceModel: number;
  /** Control-unit type and model as SENSE ID reports them, e.g. 0x3990 / 0xc2. */
  readonly controlUnitType: number;
  readonly controlUnitModel: number;
  /**
   * Is `command` an immediate command for this device (a control command that
   * transfers no data, like NOP X'03')? The channel then fetches no data and
   * checks no data address for it.
   */
  immediate(command: number): boolean;
  /** Called when a channel program starts on the device (resets per-program state such as a DASD file mask). */
  startProgram(): void;
  execute(request: CommandRequest): CommandResponse;
  /** Reset (system reset or CLEAR SUBCHANNEL reaching the device). */
  reset(): void;
  /**
   * The device's current sense bytes, for concurrent sense (PMCW S bit): when
   * a command ends in unit check, the channel subsystem copies them into the
   * IRB's ECW and the device forgets them.
   */
  takeSense?(): Uint8Array;
  /**
   * Devices that raise status on their own (a 3270 whose operator pressed
   * ENTER) receive the channel subsystem's attention signal here at attach.
   */
  setAttentionSink?(sink: (status: number) => void): void;
  /**
   * The device's own mutable state as a JSON-safe value, for channel-
   * subsystem snapshots (`ChannelSubsystem.snapshot`). Media stay with
   * their owner: a DASD's volume is not in it, a reader's remaining cards
   * and a printer's output are.
   */
  snapshot?(): unknown;
  /** Take back a state `snapshot` produced. */
  restore?(state: unknown): void;
}

/** SENSE ID data (command X'E4'): X'FF', CU type, CU model, device type, device model, reserved, then CIWs. */
export function senseIdBytes(d: Pick<Device, 'deviceType' | 'deviceModel' | 'controlUnitType' | 'controlUnitModel'>, ciws: readonly number[] = []): Uint8Array {
  // Without CIWs the answer is the classic 7 bytes; with CIWs byte 7 is reserved and each CIW follows.
  const b = new Uint8Array(ciws.length === 0 ? 7 : 8 + ciws.length * 4);
  b[0] = 0xff;
  b[1] = d.controlUnitType >>> 8;
  b[2] = d.controlUnitType;
  b[3] = d.controlUnitModel;
  b[4] = d.deviceType >>> 8;
  b[5] = d.deviceType;
  b[6] = d.deviceModel;
  ciws.forEach((c, i) => {
    b[8 + 4 * i] = c >>> 24;
    b[9 + 4 * i] = c >>> 16;
    b[10 + 4 * i] = c >>> 8;
    b[11 + 4 * i] = c;
  });
  return b;
}
