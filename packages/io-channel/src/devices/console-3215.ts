/**
 * IBM 3215 console printer-keyboard (line mode). Commands: WRITE X'01'
 * (no carrier return), WRITE WITH AUTOMATIC CARRIER RETURN X'09', READ
 * INQUIRY X'0A', AUDIBLE ALARM X'0B', NOP X'03', SENSE X'04', SENSE ID X'E4'.
 * The console translates EBCDIC (code page 037) to host text and hands each
 * finished line to a callback; operator input is queued by the host.
 *
 * Printing speed: 85 characters per second, the 3215's rated speed (IBM
 * System/370 console documentation, as commonly quoted; not re-checked here).
 * A READ with no queued input answers intervention required (unit check),
 * rather than waiting for an operator, so runs stay deterministic.
 */
import type { CommandRequest, CommandResponse } from '../device';
import { fromEbcdic, toEbcdic } from '../ebcdic';
import { CE_DE } from '../status';
import { base64ToBytes, bytesToBase64 } from './snapshot-bytes';
import { UnitRecordDevice } from './unit-record';

/** Options of a 3215 console: the host-side line callback and the printing speed. */
export interface Console3215Options {
  /** Called with each line the guest writes (host text, no newline). */
  readonly onLine?: (line: string) => void;
  readonly charactersPerSecond?: number;
}

/** A 3215 console printer-keyboard: guest lines go to `lines` and `onLine`, operator input comes from `type()`. */
export class Console3215 extends UnitRecordDevice {
  readonly deviceType = 0x3215;
  readonly deviceModel = 0x00;
  readonly controlUnitType = 0x3215;
  readonly controlUnitModel = 0x00;
  /** Every line written so far (host text). */
  readonly lines: string[] = [];
  private partial = '';
  private readonly input: Uint8Array[] = [];
  private readonly onLine: ((line: string) => void) | undefined;
  private readonly usPerChar: number;

  constructor(options: Console3215Options = {}) {
    super();
    this.onLine = options.onLine;
    this.usPerChar = 1e6 / (options.charactersPerSecond ?? 85);
  }

  /** Queue a line the operator types (host text, translated to EBCDIC). */
  type(line: string): void {
    this.input.push(toEbcdic(line));
  }

  /** Text written without a carrier return yet. */
  get pendingText(): string {
    return this.partial;
  }

  override immediate(command: number): boolean {
    return command === 0x03 || command === 0x0b;
  }

  protected override saveState(): Record<string, unknown> {
    return { lines: [...this.lines], partial: this.partial, input: this.input.map(bytesToBase64) };
  }

  protected override loadState(o: Record<string, unknown>): void {
    this.lines.length = 0;
    this.lines.push(...((o.lines as string[] | undefined) ?? []));
    this.partial = String(o.partial ?? '');
    this.input.length = 0;
    for (const x of (o.input as string[] | undefined) ?? []) this.input.push(base64ToBytes(x));
  }

  execute(req: CommandRequest): CommandResponse {
    const c = this.common(req.command);
    if (c !== null) return c;
    switch (req.command) {
      case 0x01:
      case 0x09: {
        const data = req.data ?? new Uint8Array(0);
        this.partial += fromEbcdic(data).replace(/\n/g, ' ');
        if (req.command === 0x09) {
          const line = this.partial;
          this.partial = '';
          this.lines.push(line);
          this.onLine?.(line);
        }
        return { status: CE_DE, accepted: data.length, serviceUs: data.length * this.usPerChar };
      }
      case 0x0a: {
        const line = this.input.shift();
        if (line === undefined) return this.interventionRequired();
        return { status: CE_DE, input: line, serviceUs: line.length * this.usPerChar };
      }
      case 0x0b:
        return { status: CE_DE, immediate: true, serviceUs: 0 };
      default:
        return this.commandReject();
    }
  }
}
