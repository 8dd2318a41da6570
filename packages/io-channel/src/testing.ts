/**
 * @strachey/io-channel/testing — the contract every `Device` must keep, as a
 * check other packages run on their own devices (prsm's HiperSockets
 * ports, CP's virtual devices) the way rust-vmm crates share contract
 * tests. It returns the violations found (an empty list when the device is
 * fine), so it works with any test runner:
 *
 *   expect(checkDeviceContract(() => new MyDevice())).toEqual([]);
 */
import { type CommandRequest, type CommandResponse, type Device, commandKind } from './device';
import { DS_CHANNEL_END, DS_DEVICE_END, DS_UNIT_CHECK } from './status';

/** Options of the contract check. */
export interface DeviceContractOptions {
  /** Random requests to try (command codes, counts, data). Default 2000. */
  readonly requests?: number;
  /** Seed of the request generator. */
  readonly seed?: number;
  /** Commands the device answers with data or status of its own that the generic rules below must not judge (e.g. a reader at end of file). */
  readonly skipCommands?: readonly number[];
}

/** xorshift32: reproducible requests without Math.random. */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/**
 * Check a device against the contract of `Device`:
 * 1. `execute` never throws, whatever the command, count, data or chaining;
 * 2. every answer ends the command: channel end and device end are both on;
 * 3. `serviceUs` is finite and not negative; `disconnectUs`, when given, lies within it;
 * 4. input commands (read, sense) answer with `input` unless they end in unit check;
 * 5. SENSE (X'04') returns at least one byte; SENSE ID (X'E4') starts with X'FF' and names the device type;
 * 6. an immediate command (`immediate(cmd)`) transfers no data;
 * 7. a command code the device does not know (X'F1', X'F2', X'F3' are tried unless skipped) is a command reject: unit check, sense byte 0 X'80';
 * 8. `reset()` and `startProgram()` never throw.
 */
export function checkDeviceContract(make: () => Device, options: DeviceContractOptions = {}): string[] {
  // One report per rule (the first offending command), so a broken device gives a readable list.
  const violations: string[] = [];
  const seenRules = new Set<string>();
  const add = (v: string, rule: string = v): void => {
    if (seenRules.has(rule)) return;
    seenRules.add(rule);
    violations.push(v);
  };
  const next = generator(options.seed ?? 0x10c4a);
  const skip = new Set(options.skipCommands ?? []);
  const device = make();
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
  const run = (req: CommandRequest): CommandResponse | null => {
    try {
      return device.execute(req);
    } catch (e) {
      add(`command X'${hex(req.command)}' threw: ${(e as Error).message}`, 'throws');
      return null;
    }
  };
  try {
    device.startProgram();
    device.reset();
  } catch (e) {
    add(`startProgram/reset threw: ${(e as Error).message}`);
  }

  const requests = options.requests ?? 2000;
  let previous = -1;
  for (let i = 0; i < requests; i++) {
    const command = next() & 0xff;
    if (commandKind(command) === 'tic' || commandKind(command) === 'invalid') continue;
    const count = i % 5 === 0 ? next() & 0xffff : next() % 300;
    const kind = commandKind(command);
    const output = kind === 'write' || kind === 'control';
    const data = output ? Uint8Array.from({ length: count }, () => next() & 0xff) : null;
    if (i % 97 === 0) device.startProgram();
    const resp = run({ command, count, data, chained: previous >= 0 && i % 3 !== 0, previousCommand: previous, nowUs: i * 10 });
    previous = command;
    if (resp === null) continue;
    if ((resp.status & (DS_CHANNEL_END | DS_DEVICE_END)) !== (DS_CHANNEL_END | DS_DEVICE_END)) add(`command X'${hex(command)}' did not end with channel end + device end (status X'${hex(resp.status)}')`, 'ce-de');
    if (!(resp.serviceUs >= 0) || !Number.isFinite(resp.serviceUs)) add(`command X'${hex(command)}' has service time ${resp.serviceUs}`, 'service');
    if (resp.disconnectUs !== undefined && !(resp.disconnectUs >= 0 && resp.disconnectUs <= resp.serviceUs)) add(`command X'${hex(command)}' disconnects ${resp.disconnectUs} µs of ${resp.serviceUs}`, 'disconnect');
    if (skip.has(command)) continue;
    const immediate = output && device.immediate(command);
    if ((kind === 'read' || kind === 'sense') && (resp.status & DS_UNIT_CHECK) === 0 && resp.input === undefined) add(`input command X'${hex(command)}' answered without input`, 'input');
    if (immediate && resp.input !== undefined && resp.input.length > 0) add(`immediate command X'${hex(command)}' sent data`, 'immediate');
  }

  const sense = run({ command: 0x04, count: 32, data: null, chained: false, previousCommand: -1, nowUs: 0 });
  if (sense !== null && (sense.input === undefined || sense.input.length < 1)) add('SENSE returned no bytes');
  const senseId = run({ command: 0xe4, count: 32, data: null, chained: false, previousCommand: -1, nowUs: 0 });
  if (senseId !== null) {
    const b = senseId.input;
    if (b === undefined || b.length < 7 || b[0] !== 0xff) add('SENSE ID does not start with X\'FF\' and 6 identification bytes');
    else if (((b[4]! << 8) | b[5]!) !== device.deviceType) add(`SENSE ID names device type ${((b[4]! << 8) | b[5]!).toString(16)}, the device says ${device.deviceType.toString(16)}`);
  }
  for (const command of [0xf1, 0xf2, 0xf3]) {
    if (skip.has(command)) continue;
    const r = run({ command, count: 1, data: command === 0xf1 || command === 0xf3 ? new Uint8Array(1) : null, chained: false, previousCommand: -1, nowUs: 0 });
    if (r === null) continue;
    if ((r.status & DS_UNIT_CHECK) === 0) add(`unknown command X'${hex(command)}' was not rejected with unit check`);
    else {
      const s = run({ command: 0x04, count: 32, data: null, chained: false, previousCommand: -1, nowUs: 0 });
      if (s?.input === undefined || (s.input[0]! & 0x80) === 0) add(`unknown command X'${hex(command)}': sense byte 0 lacks command reject`);
    }
  }
  return violations;
}
