/**
 * A line-mode console on a 3270, laid out as VM/370's CP lays out a display
 * terminal: an output area on all rows but the last two, an input area on the
 * last two rows, and a screen status area at the bottom right that says what
 * the system is doing (CP READ, VM READ, RUNNING, MORE..., HOLDING, NOT
 * ACCEPTED). Output fills the area line by line; when it is full and more is
 * waiting the status turns to MORE... and the area is cleared after a delay
 * (CP's TERMINAL MORE, 50 seconds by default) or at once on CLEAR or PA2;
 * ENTER with nothing typed holds the screen (HOLDING) until CLEAR or PA2.
 * The terminal locks its keyboard when the operator presses an AID key; the
 * console's answer restores it, except when typed-ahead lines are already
 * queued to the limit, where it stays locked until the application reads.
 *
 * Before LOGON the console can show z/VM's logo screen instead
 * (`showLogonForm`): the logo, `USERID   ===>` and `PASSWORD ===>` input
 * fields — the password field *nondisplay* (field attribute display bits
 * 11, GA23-0059 "Field Attribute"), so the terminal never shows what is
 * typed there — and a `COMMAND  ===>` field for LOGON, DIAL or LOGOFF. For a
 * password CP asks for on its own line, `setInputHidden(true)` makes the
 * line-mode input area nondisplay the same way.
 */
import { Aid, eraseWrite3270 as eraseWrite, type OutboundBuilder3270 as OutboundBuilder, write3270 as write } from '@strachey/io-channel';
import type { TerminalPort } from './local-terminal';
import { hostTimers, type TerminalTimers } from './timers';
import type { Tn3270Input } from './tn3270-server';

/** What the application is doing, shown in the status area when no MORE.../HOLDING overrides it. */
export type ConsoleState = 'CP READ' | 'VM READ' | 'RUNNING';

/** What the operator filled in on the logo screen (`showLogonForm`), trailing blanks removed. */
export interface LogonEntry {
  readonly userid: string;
  readonly password: string;
  readonly command: string;
}

/** What the status area shows. */
export type ConsoleStatus = ConsoleState | 'MORE...' | 'HOLDING' | 'NOT ACCEPTED';

/** Options of a line console. */
export interface LineConsoleOptions {
  /** System name shown after the status (up to 8 characters), as VM shows its system identifier. */
  readonly systemName?: string;
  /** Where the MORE... delay runs: host time or a simulated clock. */
  readonly timers?: TerminalTimers;
  /** Seconds MORE... waits before clearing the output area (CP's default is 50). */
  readonly moreSeconds?: number;
  /** Lines the operator may type ahead while the application is RUNNING (default 8). */
  readonly typeahead?: number;
  /** Echo each entered line into the output area, as CP does (default true). */
  readonly echoInput?: boolean;
  /** Initial state (default RUNNING). */
  readonly state?: ConsoleState;
  /**
   * Paint the line-mode screen at once (default true). False when the
   * caller's first screen is the logo (`showLogonForm`): a client that waits
   * for an input field (s3270's `Wait(InputField)`) must not find an interim
   * screen and type into it before the logo replaces it.
   */
  readonly paint?: boolean;
}

const STATUS_WIDTH = 19;

/** A VM-style line-mode console driving one 3270 (a TN3270 session or a LocalTerminal). */
export class LineConsole {
  private readonly rows: number;
  private readonly cols: number;
  private readonly outputRows: number;
  private readonly inputAttr: number;
  private readonly statusAttr: number;
  private readonly systemName: string;
  private readonly timers: TerminalTimers;
  private readonly moreMs: number;
  private readonly typeaheadLimit: number;
  private readonly echoInput: boolean;
  private displayed: string[] = [];
  private readonly pending: string[] = [];
  private readonly typedAhead: string[] = [];
  private appState: ConsoleState;
  private paging: 'none' | 'more' | 'holding' = 'none';
  private cancelMore: (() => void) | null = null;
  private notAccepted = false;
  private readonly lineHandlers: ((line: string) => void)[] = [];
  private readonly keyHandlers: ((aid: string) => void)[] = [];
  private readonly logonHandlers: ((entry: LogonEntry) => void)[] = [];
  /** The logo screen's field positions while it is shown (buffer addresses of the attribute bytes), else null. */
  private form: { readonly userid: number; readonly password: number; readonly command: number } | null = null;
  private inputHidden = false;
  private shownStatus = '';
  // While the application handles an entered line, its output joins the answer to that ENTER, so the
  // terminal gets one record and its keyboard unlocks with everything already on the screen.
  private batch: OutboundBuilder | null = null;
  /** The logo screen was painted while an answer was being built: the answer is dropped (the Erase/Write replaced it). */
  private batchSuperseded = false;

  constructor(
    private readonly terminal: TerminalPort,
    options: LineConsoleOptions = {},
  ) {
    this.rows = terminal.rows;
    this.cols = terminal.cols;
    this.outputRows = this.rows - 2;
    this.inputAttr = this.outputRows * this.cols;
    this.statusAttr = this.rows * this.cols - 21;
    this.systemName = (options.systemName ?? 'STRACHEY').slice(0, 8);
    this.timers = options.timers ?? hostTimers;
    this.moreMs = (options.moreSeconds ?? 50) * 1000;
    this.typeaheadLimit = options.typeahead ?? 8;
    this.echoInput = options.echoInput ?? true;
    this.appState = options.state ?? 'RUNNING';
    terminal.onInput((input) => this.input(input));
    terminal.onClose(() => this.stopMore());
    if (options.paint ?? true) this.repaint();
  }

  /** What the status area shows now. */
  get status(): ConsoleStatus {
    if (this.notAccepted) return 'NOT ACCEPTED';
    if (this.paging === 'more') return 'MORE...';
    if (this.paging === 'holding') return 'HOLDING';
    return this.appState;
  }

  /** The application's state. */
  get state(): ConsoleState {
    return this.appState;
  }

  /** Lines of output not yet on the screen (waiting behind MORE...). */
  get waitingLines(): number {
    return this.pending.length;
  }

  /** Write text to the output area (newlines split lines; long lines wrap at the screen width). */
  print(text: string): void {
    for (const line of text.split('\n')) {
      if (line.length === 0) this.pending.push('');
      for (let i = 0; i < line.length; i += this.cols) this.pending.push(line.slice(i, i + this.cols));
    }
    this.flush(null);
  }

  /**
   * Say what the application does: CP READ or VM READ post a read (the next
   * entered line, or one typed ahead, goes to `onLine` and the state becomes
   * RUNNING), RUNNING withdraws it.
   */
  setState(state: ConsoleState): void {
    this.appState = state;
    if (state !== 'RUNNING' && this.typedAhead.length > 0) {
      const line = this.typedAhead.shift()!;
      this.notAccepted = false;
      this.appState = 'RUNNING';
      this.flush(null, true);
      for (const h of this.lineHandlers) h(line);
      return;
    }
    this.flush(null, true);
  }

  /** Called with each line the operator enters while a read is posted. */
  onLine(handler: (line: string) => void): void {
    this.lineHandlers.push(handler);
  }

  /** Called with what the operator entered on the logo screen (ENTER); the console is back in line mode by then. */
  onLogon(handler: (entry: LogonEntry) => void): void {
    this.logonHandlers.push(handler);
  }

  /** Whether the logo screen (`showLogonForm`) is displayed. */
  get showingLogonForm(): boolean {
    return this.form !== null;
  }

  /**
   * z/VM's logo screen: `lines` (the logo) at the top, an optional message
   * under it, then `USERID   ===>` (8 positions), `PASSWORD ===>`
   * (nondisplay) and `COMMAND  ===>`, the status area on the last row, the
   * cursor in USERID. Output printed meanwhile waits for line mode. The next
   * ENTER leaves the form and goes to `onLogon`; CLEAR shows it afresh.
   * `state`, when given, is the application's state from now on and is on
   * the logo's status area in the same Erase/Write (no second record that
   * could cancel what the operator is typing); lines typed ahead in line mode
   * are dropped, as the logo starts a new conversation.
   */
  showLogonForm(lines: readonly string[], message: readonly string[] = [], state?: ConsoleState): void {
    this.stopMore();
    if (state !== undefined) {
      this.appState = state;
      this.typedAhead.length = 0;
      this.notAccepted = false;
    }
    this.paging = 'none';
    this.displayed = [];
    this.pending.length = 0;
    const top = Math.max(0, this.rows - 6);
    const at = (r: number, c: number) => r * this.cols + c;
    this.form = { userid: at(top, 15), password: at(top + 1, 15), command: at(top + 3, 15) };
    this.formLines = [...lines, ...(message.length > 0 ? ['', ...message] : [])].slice(0, top).map((l) => l.slice(0, this.cols));
    if (this.batch !== null) this.batchSuperseded = true;
    this.repaint();
  }

  private formLines: string[] = [];

  /** Make the input area nondisplay (a password is being typed) or normal again. */
  setInputHidden(hidden: boolean): void {
    if (this.inputHidden === hidden) return;
    this.inputHidden = hidden;
    if (this.form !== null || this.terminal.closed) return;
    const b = this.batch ?? write({ restore: this.keyboardOpen(), rows: this.rows, cols: this.cols });
    b.sba(this.inputAttr).sf({ nondisplay: hidden }).sba(this.inputAttr + 1).eua(this.statusAttr).sba(this.inputAttr + 1).ic();
    if (b !== this.batch) this.send(b);
  }

  /** Called for the keys the console does not consume itself (PA1, PA3, PF1-24). */
  onKey(handler: (aid: string) => void): void {
    this.keyHandlers.push(handler);
  }

  private stopMore(): void {
    this.cancelMore?.();
    this.cancelMore = null;
  }

  private statusText(): string {
    return `${this.status.padEnd(10)}${this.systemName}`.slice(0, STATUS_WIDTH).padEnd(STATUS_WIDTH);
  }

  /** A full screen: Erase/Write (Alternate) with the three areas, the output so far and the cursor in the input area. */
  private repaint(): void {
    const b = eraseWrite({ restore: this.keyboardOpen(), resetMdt: true, alternate: this.terminal.alternate, rows: this.rows, cols: this.cols });
    b.sba(this.rows * this.cols - 1).sf({ protected: true });
    const form = this.form;
    if (form !== null) {
      this.formLines.forEach((line, r) => {
        if (line.length > 0) b.at(r, 0).text(line);
      });
      const label = (attr: number, text: string) => b.sba(attr - 15).sf({ protected: true }).text(text);
      label(form.userid, 'USERID   ===> ').sf({}).sba(form.userid + 9).sf({ protected: true });
      label(form.password, 'PASSWORD ===> ').sf({ nondisplay: true }).sba(form.password + 9).sf({ protected: true });
      label(form.command, 'COMMAND  ===> ').sf({});
      b.sba(this.statusAttr - 1).sf({ protected: true });
      b.sba(this.statusAttr).sf({ protected: true, intensified: true }).text(this.statusText());
      b.sba(form.userid + 1).ic();
      this.shownStatus = this.status;
      this.send(b);
      return;
    }
    this.displayed.forEach((line, r) => {
      if (line.length > 0) b.at(r, 0).text(line);
    });
    b.sba(this.inputAttr).sf({ nondisplay: this.inputHidden });
    b.sba(this.statusAttr).sf({ protected: true, intensified: true }).text(this.statusText());
    b.sba(this.inputAttr + 1).ic();
    this.shownStatus = this.status;
    this.send(b);
  }

  private keyboardOpen(): boolean {
    return this.typedAhead.length < this.typeaheadLimit;
  }

  /**
   * Put waiting lines on the screen and update the status. `builder` is a
   * write already started (the answer to an input); `force` sends even when
   * nothing changed, to restore the keyboard.
   */
  private flush(builder: OutboundBuilder | null, force = false): void {
    if (this.terminal.closed) return;
    let b = builder ?? this.batch;
    const start = () => {
      if (b === null) b = write({ restore: this.keyboardOpen(), rows: this.rows, cols: this.cols });
      return b;
    };
    if (this.paging === 'none' && this.form === null) {
      while (this.pending.length > 0 && this.displayed.length < this.outputRows) {
        const line = this.pending.shift()!;
        const r = this.displayed.length;
        this.displayed.push(line);
        if (line.length > 0) start().at(r, 0).text(line);
      }
      if (this.pending.length > 0) {
        this.paging = 'more';
        this.cancelMore = this.timers.setTimer(this.moreMs, () => {
          this.cancelMore = null;
          this.nextPage();
        });
      }
    }
    if (this.status !== this.shownStatus || force) {
      start().sba(this.statusAttr + 1).text(this.statusText());
      this.shownStatus = this.status;
    }
    if (b !== null && b !== this.batch) this.send(b);
  }

  /** Clear the output area and show the next page of waiting output. */
  private nextPage(): void {
    this.stopMore();
    this.paging = 'none';
    this.displayed = [];
    const b = this.batch ?? write({ restore: this.keyboardOpen(), rows: this.rows, cols: this.cols });
    b.sba(0).ra(this.inputAttr, 0x00);
    this.flush(b);
  }

  private send(b: OutboundBuilder): void {
    // Output to a terminal that has gone (disconnect, LOGOFF) is dropped, as CP drops output to a dropped line.
    if (this.terminal.closed) return;
    const result = this.terminal.write(b.build());
    // The console builds only well-formed records; a failure here is a bug worth seeing.
    if (!result.ok) throw new Error(`line console built a bad 3270 record: ${result.error.message}`);
  }

  private input(input: Tn3270Input): void {
    if (input.kind !== 'aid') return;
    const aid = input.aid;
    const form = this.form;
    if (form !== null) {
      if (aid !== Aid.ENTER) {
        // CLEAR (the terminal erased itself) and every other key: the logo screen again.
        if (aid === Aid.CLEAR) this.repaint();
        else this.flush(null, true);
        return;
      }
      const field = (attr: number) => (input.fields.find((f) => f.address === attr + 1)?.text ?? '').replace(/\s+$/, '').trim();
      const entry: LogonEntry = { userid: field(form.userid), password: field(form.password), command: field(form.command) };
      this.form = null;
      this.appState = 'RUNNING';
      this.repaint();
      for (const h of this.logonHandlers) h(entry);
      return;
    }
    if (aid === Aid.CLEAR) {
      // The terminal erased itself; CLEAR also releases MORE.../HOLDING.
      this.stopMore();
      this.paging = 'none';
      this.displayed = [];
      this.flush(null);
      this.repaint();
      return;
    }
    if (aid === Aid.PA2) {
      if (this.paging !== 'none') this.nextPage();
      else this.flush(null, true);
      return;
    }
    if (aid !== Aid.ENTER) {
      this.flush(null, true);
      for (const h of this.keyHandlers) h(input.aidName);
      return;
    }
    const field = input.fields.find((f) => f.address === this.inputAttr + 1);
    const line = field === undefined ? '' : field.text.replace(/\s+$/, '');
    // The answer erases the input area, puts the cursor back and (normally) restores the keyboard.
    const answer = (): OutboundBuilder =>
      write({ restore: this.keyboardOpen(), resetMdt: true, rows: this.rows, cols: this.cols })
        .sba(this.inputAttr + 1)
        .eua(this.statusAttr)
        .sba(this.inputAttr + 1)
        .ic();
    if (line.length === 0 && this.paging === 'more') {
      this.stopMore();
      this.paging = 'holding';
      this.flush(answer());
      return;
    }
    if (line.length === 0 && this.appState === 'RUNNING') {
      this.flush(answer(), true);
      return;
    }
    if (this.echoInput && line.length > 0) {
      for (let i = 0; i < line.length; i += this.cols) this.pending.push(line.slice(i, i + this.cols));
    }
    if (this.appState === 'RUNNING') {
      if (this.typedAhead.length >= this.typeaheadLimit) {
        this.notAccepted = true;
      } else {
        this.typedAhead.push(line);
      }
      this.flush(answer(), true);
      return;
    }
    this.appState = 'RUNNING';
    const b = answer();
    this.batch = b;
    try {
      this.flush(null, true);
      for (const h of this.lineHandlers) h(line);
    } finally {
      this.batch = null;
      if (!this.batchSuperseded) this.send(b);
      this.batchSuperseded = false;
    }
  }
}
