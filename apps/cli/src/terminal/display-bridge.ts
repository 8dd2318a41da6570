/**
 * Joining a guest's 3270 to a terminal: io-channel's Display3270 is the
 * device a guest's channel programs drive (CCW write commands X'01', X'05',
 * X'0D', X'0F'); a TN3270 session or LocalTerminal is the operator's screen.
 * Outbound, the channel command code becomes its SNA code (as Hercules and
 * VTAM-attached hosts send it) ahead of the WCC and orders; inbound, the
 * operator's AID record goes to the device, which raises attention.
 */
import { type DataStreamError, toSnaCommand } from '@strachey/io-channel';
import type { TerminalPort } from './local-terminal';

/** The device side: what io-channel's Display3270 offers for its host edge. */
export interface DisplayDevice {
  /** An inbound data stream from the terminal (AID, cursor, fields). */
  inbound(stream: Uint8Array): void;
}

/**
 * The `onOutbound` callback for a Display3270: each write-type command and
 * its data go to `terminal` as one record. A malformed stream is not sent;
 * `onError` hears where it was wrong (on a real 3274 the guest would see an
 * operation check).
 */
export function forwardOutbound(
  terminal: TerminalPort,
  onError: (error: DataStreamError) => void = () => {},
): (command: number, data: Uint8Array) => void {
  return (command, data) => {
    const record = new Uint8Array(data.length + 1);
    record[0] = toSnaCommand(command);
    record.set(data, 1);
    const result = terminal.write(record);
    if (!result.ok && result.error.code !== 'SESSION_CLOSED') onError(result.error);
  };
}

/** Send the operator's AID records from `terminal` to `device`. */
export function routeInbound(terminal: TerminalPort, device: DisplayDevice): void {
  terminal.onInput((input) => {
    if (input.kind === 'aid') device.inbound(input.raw);
  });
}
