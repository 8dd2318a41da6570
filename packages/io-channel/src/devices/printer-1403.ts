/**
 * IBM 1403 line printer, 132 print positions. Commands (IBM 1403 / 2821
 * component description, as Hercules `printer.c` emulates them): WRITE
 * without spacing X'01'; WRITE then space 1/2/3 lines X'09'/X'11'/X'19';
 * WRITE then skip to channel n X'89'+8·(n-1); immediate space 1/2/3 lines
 * X'0B'/X'13'/X'1B'; immediate skip to channel n X'8B'+8·(n-1); UCS gate
 * load X'EB' and load UCS buffer X'FB' (accepted, no effect); NOP, SENSE,
 * SENSE ID. Output is host text: one string per printed line, a form feed
 * "\f" for a skip to channel 1 (top of form).
 *
 * Speed: 1100 lines per minute, the 1403 model N1's rating (IBM 1403 Printer
 * component description), so each printed or spaced line takes 54.5 ms.
 */
import type { CommandRequest, CommandResponse } from '../device';
import { fromEbcdic } from '../ebcdic';
import { CE_DE } from '../status';
import { UnitRecordDevice } from './unit-record';

/** Printing speed; the default is the 1403 N1's 1100 lines per minute. */
export interface Printer1403Options {
  readonly linesPerMinute?: number;
}

/** A 1403 printer on a 2821: prints 132-column lines into `output` (see the module comment). */
export class Printer1403 extends UnitRecordDevice {
  readonly deviceType = 0x1403;
  readonly deviceModel = 0x00;
  readonly controlUnitType = 0x2821;
  readonly controlUnitModel = 0x00;
  /** The printed page as host text lines; "\f" entries mark skips to channel 1. */
  readonly output: string[] = [];
  private overprint: string | null = null;
  private readonly usPerLine: number;

  constructor(options: Printer1403Options = {}) {
    super();
    this.usPerLine = 60e6 / (options.linesPerMinute ?? 1100);
  }

  /** Everything printed, as one host text. */
  text(): string {
    return this.output.map((l) => (l === '\f' ? '\f' : `${l}\n`)).join('');
  }

  protected override saveState(): Record<string, unknown> {
    return { output: [...this.output], overprint: this.overprint };
  }

  protected override loadState(o: Record<string, unknown>): void {
    this.output.length = 0;
    this.output.push(...((o.output as string[] | undefined) ?? []));
    this.overprint = o.overprint === null || o.overprint === undefined ? null : String(o.overprint);
  }

  override immediate(command: number): boolean {
    return command === 0x03 || command === 0xeb || (command & 0x07) === 0x03;
  }

  execute(req: CommandRequest): CommandResponse {
    const cmd = req.command;
    const c = this.common(cmd);
    if (c !== null) return c;
    if (cmd === 0xeb) return { status: CE_DE, immediate: true, serviceUs: 0 };
    if (cmd === 0xfb) return { status: CE_DE, accepted: req.data?.length ?? 0, serviceUs: 0 };
    if ((cmd & 0x07) === 0x01) {
      const data = req.data ?? new Uint8Array(0);
      const n = Math.min(132, data.length);
      const line = fromEbcdic(data.subarray(0, n)).trimEnd();
      const after = this.carriage(cmd);
      if (after === null) return this.commandReject();
      this.print(line, after);
      return { status: CE_DE, accepted: n, serviceUs: this.usPerLine * Math.max(1, after.lines) };
    }
    if ((cmd & 0x07) === 0x03) {
      const move = this.carriage(cmd);
      if (move === null) return this.commandReject();
      this.print(null, move);
      return { status: CE_DE, immediate: true, serviceUs: this.usPerLine * Math.max(1, move.lines) };
    }
    return this.commandReject();
  }

  /** Decode the carriage part of a command: spacing (bits 3-4) or skip to channel (bits 0-3). */
  private carriage(cmd: number): { lines: number; channel: number } | null {
    if ((cmd & 0x80) !== 0) {
      const ch = (cmd >>> 3) & 0x0f;
      if (ch < 1 || ch > 12) return null;
      return { lines: 0, channel: ch };
    }
    if ((cmd & 0x60) !== 0) return null;
    return { lines: (cmd >>> 3) & 0x03, channel: 0 };
  }

  private print(line: string | null, move: { lines: number; channel: number }): void {
    if (line !== null) this.overprint = this.overprint === null ? line : merge(this.overprint, line);
    if (move.channel === 0 && move.lines === 0) return;
    const text = this.overprint ?? '';
    this.overprint = null;
    if (move.channel === 1) {
      if (line !== null || text !== '') this.output.push(text);
      this.output.push('\f');
      return;
    }
    // Without a forms-control buffer, a skip to channels 2-12 ends the line like a single space.
    this.output.push(text);
    for (let i = 1; i < move.lines; i++) this.output.push('');
  }
}

/** Overprinting: a later line's non-blank characters replace the earlier ones. */
function merge(a: string, b: string): string {
  const n = Math.max(a.length, b.length);
  let s = '';
  for (let i = 0; i < n; i++) {
    const cb = b[i] ?? ' ';
    s += cb !== ' ' ? cb : (a[i] ?? ' ');
  }
  return s;
}
