/**
 * A 3270 terminal in the same process as its application, with no network in
 * between: outbound records go straight to a Screen3270 the test or caller
 * "looks at", and the operator's keys come back through the same parsing a
 * TN3270 session uses. CP tests and benchmarks can run thousands of these.
 */
import {
  aidName,
  type DataStreamResult as WriteResult,
  display3270AlternateSize as modelSize,
  Screen3270,
  type Display3270Model as TerminalModel,
} from '@strachey/io-channel';
import type { Tn3270Input } from './tn3270-server';

/** The part of a session an application uses: what both Tn3270Session and LocalTerminal provide. */
export interface TerminalPort {
  readonly rows: number;
  readonly cols: number;
  /** Whether rows×cols needs Erase/Write Alternate. */
  readonly alternate: boolean;
  readonly closed: boolean;
  write(record: Uint8Array): WriteResult;
  onInput(handler: (input: Tn3270Input) => void): void;
  onClose(handler: (reason: string) => void): void;
  close(reason?: string): void;
}

/** An in-process 3270: `display` is what the operator sees; `type` and `press` are the keyboard. */
export class LocalTerminal implements TerminalPort {
  readonly display: Screen3270;
  /** The host's mirror, kept as a TN3270 session keeps it. */
  readonly mirror: Screen3270;
  readonly rows: number;
  readonly cols: number;
  readonly alternate: boolean;
  closed = false;
  private readonly inputHandlers: ((input: Tn3270Input) => void)[] = [];
  private readonly closeHandlers: ((reason: string) => void)[] = [];

  constructor(readonly model: TerminalModel = 2) {
    this.display = new Screen3270(model);
    this.mirror = new Screen3270(model);
    const size = modelSize(model);
    this.alternate = model !== 2;
    this.rows = size.rows;
    this.cols = size.cols;
  }

  write(record: Uint8Array): WriteResult {
    if (this.closed) {
      const message = 'the terminal is closed';
      return { ok: false, error: { code: 'SESSION_CLOSED', offset: 0, expected: 'an open terminal', found: 'a closed one', message } };
    }
    const checked = this.mirror.check(record);
    if (!checked.ok) return checked;
    const result = this.mirror.apply(record);
    if (!result.ok) return result;
    this.display.apply(record);
    return result;
  }

  onInput(handler: (input: Tn3270Input) => void): void {
    this.inputHandlers.push(handler);
  }

  onClose(handler: (reason: string) => void): void {
    this.closeHandlers.push(handler);
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.closeHandlers.splice(0)) h(reason);
  }

  /** The operator types at the cursor; false if the terminal inhibited the input. */
  type(text: string): boolean {
    return this.display.type(text);
  }

  /** The operator presses an AID key; the application sees the inbound record. Ignored while the keyboard is locked. */
  press(aid: number): boolean {
    if (this.display.keyboardLocked || this.closed) return false;
    const raw = this.display.press(aid);
    const result = this.mirror.applyInbound(raw);
    if (!result.ok) return false;
    const input: Tn3270Input = { ...result.record, kind: 'aid', aidName: aidName(aid), raw };
    for (const h of this.inputHandlers) h(input);
    return true;
  }

  /** The screen as text rows. */
  text(): string[] {
    return this.display.text();
  }
}
