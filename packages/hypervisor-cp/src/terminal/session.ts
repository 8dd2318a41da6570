/**
 * CP's side of a terminal, independent of how the terminal is attached (a
 * TN3270 session, a line on stdin/stdout, a test): the logo screen, LOGON
 * and its password check, the LOGON messages, CP commands and their
 * responses, IPL, routing of the console between CP and the guest (`#CP`
 * and the attention key take the terminal to CP; BEGIN gives it back),
 * DISCONNECT with the virtual machine left running, RECONNECT by logging on
 * again, and LOGOFF. What the terminal shows in its status area follows what
 * CP does: CP READ when CP waits for a command, VM READ when the guest waits,
 * RUNNING while the guest runs (VM/370 CP Command Reference, "Display
 * terminal screen status"; z/VM CP Commands and Utilities Reference, LOGON,
 * DISCONNECT, LOGOFF).
 *
 * Every time comes from CP's simulated clock, so a transcript is the same on
 * every run.
 */
import { type CommandResult, dialCommand, executeCommand } from '../commands';
import type { ControlProgram } from '../cp';
import type { ExecutionStyle, VirtualMachine } from '../vm/virtual-machine';
import { cpTimestamp, simulatedSeconds } from './clock-text';

/** What the terminal's status area says CP is doing (VM/370's screen status). */
export type TerminalReadState = 'CP READ' | 'VM READ' | 'RUNNING';

/** Options of the terminal side of CP. */
export interface CpTerminalOptions {
  /** System identifier on the logo and in the status area (up to 8 characters). */
  readonly systemName?: string;
  /** The log message (LOGMSG) shown after LOGON; none gives "There is no logmsg data". */
  readonly logmsg?: readonly string[];
  /**
   * Execution style of a terminal LOGON whose directory entry chooses none
   * (OPTION SIE | TRAPEMULATE chooses per user); none leaves it to CP's
   * default (`createCp({ style })`).
   */
  readonly style?: ExecutionStyle;
}

interface Connection {
  readonly session: CpTerminalSession;
  readonly since: number;
}

const LOGO = [
  '  SSSSS  TTTTTTT RRRRRR    AAAAA    CCCCC  HH   HH EEEEEEE YY   YY',
  ' SS        TTT   RR   RR  AA   AA  CC      HH   HH EE       YY YY',
  '  SSSSS    TTT   RRRRRR   AAAAAAA  CC      HHHHHHH EEEEE     YYY',
  '      SS   TTT   RR  RR   AA   AA  CC      HH   HH EE        YYY',
  '  SSSSS    TTT   RR   RR  AA   AA   CCCCC  HH   HH EEEEEEE   YYY',
];

/**
 * The terminal side of one CP: every connected terminal has a
 * `CpTerminalSession`; users stay logged on (disconnected) when their
 * terminal goes away and are reconnected by the next LOGON. It registers
 * with CP (`cp.connectTerminals`) when made, so every CP command — at CP
 * READ, after `#CP`, or a guest's DIAGNOSE X'08' — sees which users are
 * connected on which terminal.
 */
export class CpTerminalSystem {
  readonly systemName: string;
  readonly logmsg: readonly string[];
  /** Execution style for users the directory leaves to the terminal (CpTerminalOptions.style). */
  readonly style: ExecutionStyle | undefined;
  private readonly connected = new Map<string, Connection>();
  private readonly sessions = new Set<CpTerminalSession>();
  private nextLine = 1;

  constructor(
    readonly cp: ControlProgram,
    options: CpTerminalOptions = {},
  ) {
    this.systemName = (options.systemName ?? 'STRACHEY').toUpperCase().slice(0, 8);
    this.logmsg = options.logmsg ?? [];
    this.style = options.style;
    // CP asks for the users' terminals itself, for every command however it came (CP READ, #CP, DIAGNOSE X'08').
    cp.connectTerminals({
      terminalOf: (u) => this.sessionOf(u)?.terminalId ?? null,
      connectedSince: (u) => this.connected.get(u.toUpperCase())?.since ?? null,
    });
  }

  /** A terminal arrives: it gets the logo and a session in CP READ, not logged on. */
  connect(): CpTerminalSession {
    const s = new CpTerminalSession(this, `L${String(this.nextLine++).padStart(4, '0')}`);
    this.sessions.add(s);
    return s;
  }

  /** The session a logged-on user's terminal is, or null when the user is disconnected or not logged on. */
  sessionOf(userid: string): CpTerminalSession | null {
    return this.connected.get(userid.toUpperCase())?.session ?? null;
  }

  /**
   * Run CP for `budget` simulated cycles, then bring every terminal's
   * status up to date (a guest that stopped or waits hands the terminal
   * back).
   */
  run(budget: number): void {
    const clock = this.cp.clock;
    const end = clock.now() + budget;
    // CP's run ends 'idle' when nobody can run and no event is scheduled, which includes a real I/O
    // whose completion CP has yet to take (it polls at the start of a run): run again while that is so.
    for (let guard = 0; guard < 64 && clock.now() < end; guard++) {
      const r = this.cp.run(end - clock.now());
      if (r.reason !== 'idle') break;
      if (!this.cp.realIo.busy) {
        // Time passes on an idle system too (connect times, QUERY TIME).
        clock.advanceTo(end);
        break;
      }
    }
    this.refresh();
  }

  /** Bring every session's status area up to date with its virtual machine. */
  refresh(): void {
    for (const s of this.sessions) s.poll();
  }

  /** @internal */
  attach(userid: string, session: CpTerminalSession): void {
    this.connected.set(userid, { session, since: simulatedSeconds(this.cp) });
  }

  /** @internal */
  detach(userid: string): void {
    this.connected.delete(userid);
  }

  /** @internal */
  drop(session: CpTerminalSession): void {
    this.sessions.delete(session);
  }
}

/** One terminal's conversation with CP. */
export class CpTerminalSession {
  /** CP's name for the terminal (a logical device, L0001…), shown by QUERY NAMES. */
  readonly terminalId: string;
  private user: string | null = null;
  private readState: TerminalReadState = 'CP READ';
  /** The guest has the console (after IPL or BEGIN) rather than CP. */
  private guestHasConsole = false;
  private ended = false;
  private awaitingPassword: string | null = null;
  private readonly outputHandlers: ((line: string) => void)[] = [];
  private readonly stateHandlers: ((state: TerminalReadState) => void)[] = [];
  private readonly endHandlers: ((reason: 'LOGOFF' | 'DISCONNECT') => void)[] = [];

  /** @internal — use `CpTerminalSystem.connect`. */
  constructor(
    private readonly system: CpTerminalSystem,
    terminalId: string,
  ) {
    this.terminalId = terminalId;
  }

  /** The logged-on user, or null before LOGON. */
  get userid(): string | null {
    return this.user;
  }

  /** What the status area shows. */
  get state(): TerminalReadState {
    return this.readState;
  }

  /** Whether the next line is a password (the terminal should not display it). */
  get passwordExpected(): boolean {
    return this.awaitingPassword !== null;
  }

  /** Whether the terminal's session is over (LOGOFF or DISCONNECT): the terminal shows the logo again or hangs up. */
  get done(): boolean {
    return this.ended;
  }

  /** Each line CP or the guest writes to the terminal. */
  onOutput(handler: (line: string) => void): void {
    this.outputHandlers.push(handler);
  }

  /** Each change of the status (CP READ, VM READ, RUNNING). */
  onState(handler: (state: TerminalReadState) => void): void {
    this.stateHandlers.push(handler);
  }

  /** The end of the session: LOGOFF, or DISCONNECT (the user stays logged on). */
  onEnd(handler: (reason: 'LOGOFF' | 'DISCONNECT') => void): void {
    this.endHandlers.push(handler);
  }

  /**
   * The 3270 logo screen: what a display terminal shows when it connects,
   * before LOGON, above its USERID and PASSWORD fields (the form a 3270
   * console paints with these lines).
   */
  logo(): string[] {
    const name = this.system.systemName;
    return [
      ...LOGO,
      '',
      `${name} VM/ESA ONLINE`,
      '',
      'Fill in your USERID and PASSWORD and press ENTER',
      '(Your password will not appear when you type it)',
      'or enter LOGON userid password',
    ];
  }

  /**
   * Greet a line-mode terminal (the terminal just connected): the logo and
   * what to type, then CP's read. A line-mode console has no USERID and
   * PASSWORD fields to fill in; its user types LOGON userid and CP asks for
   * the password, as CP does at a typewriter terminal.
   */
  greet(): void {
    const name = this.system.systemName;
    const lines = [
      ...LOGO,
      '',
      `${name} VM/ESA ONLINE`,
      '',
      'Enter LOGON userid; CP then asks for the password',
      '(or enter LOGON userid password)',
    ];
    for (const l of lines) this.out(l);
    this.setState('CP READ');
  }

  /**
   * A line entered at the terminal. Before LOGON it is a LOGON (or DIAL,
   * MSG); in CP READ a CP command; in VM READ or RUNNING it goes to the
   * guest's console, except `#CP command`, which CP executes.
   */
  enter(line: string): void {
    if (this.ended) return;
    const text = line.replace(/\s+$/, '');
    if (this.awaitingPassword !== null) {
      const userid = this.awaitingPassword;
      this.awaitingPassword = null;
      this.logon(userid, text);
      return;
    }
    // The guest may have logged itself off (CP LOGOFF through DIAGNOSE X'08') since the last poll.
    this.follow(false);
    if (this.ended) return;
    if (this.user === null) {
      this.beforeLogon(text);
      return;
    }
    const cpPrefix = /^#CP(\s+|$)/i.exec(text);
    if (cpPrefix !== null) {
      const cmd = text.slice(cpPrefix[0].length);
      if (cmd.trim().length === 0) {
        this.attention();
        return;
      }
      this.command(cmd, false);
      return;
    }
    if (this.guestHasConsole && this.readState !== 'CP READ') {
      const vm = this.vm();
      // The 3215's outstanding READ completes with it (or the console presents attention).
      vm?.queueConsoleInput(text);
      // The line is the guest's now; the terminal shows RUNNING until the guest waits again.
      this.setState('RUNNING');
      return;
    }
    this.command(text, true);
  }

  /**
   * The attention key (PA1, or `#CP` alone): the guest's CPUs stop and the
   * terminal goes to CP READ; BEGIN resumes them.
   */
  attention(): void {
    if (this.ended || this.user === null) return;
    if (this.guestHasConsole) {
      this.system.cp.stop(this.user);
      this.guestHasConsole = false;
      this.out('CP');
    }
    this.setState('CP READ');
  }

  /**
   * The terminal went away (connection closed): as in CP, the user is
   * disconnected and the virtual machine keeps running.
   */
  hangup(): void {
    if (this.ended) return;
    if (this.user !== null) this.disconnect(false);
    else this.finish('DISCONNECT');
  }

  /** Look at the virtual machine and update the status area: RUNNING, VM READ (it waits), CP READ (it stopped). */
  poll(): void {
    this.follow(false);
  }

  /** `poll`, announcing the state even when unchanged when `force` (the terminal took a line and shows RUNNING). */
  private follow(force: boolean): void {
    if (this.ended || this.user === null) return;
    const vm = this.vm();
    if (vm === undefined) {
      // Logged off without this terminal (the guest's CP LOGOFF, whose lines it already showed, or the API).
      this.system.detach(this.user);
      this.user = null;
      this.guestHasConsole = false;
      this.finish('LOGOFF');
      return;
    }
    if (!this.guestHasConsole) return;
    const run = vm.runState(0);
    // Only changes are announced: CP polls every session after each run.
    if (run === 'running' || run === 'blocked') {
      if (force || this.readState !== 'RUNNING') this.setState('RUNNING');
    } else if (run === 'waiting') {
      if (force || this.readState !== 'VM READ') this.setState('VM READ');
    } else {
      // The guest stopped or loaded a disabled wait: CP takes the console, as it does with HCPGIR450W.
      this.guestHasConsole = false;
      if (run === 'disabled-wait') {
        const [hi, lo] = vm.cpus[0]!.getPsw();
        this.out(`HCPGIR450W CP entered; disabled wait PSW ${hex8(hi)} ${hex8(lo)}`);
      } else if (run === 'check-stop') {
        this.out('HCPGIR453W CP entered; program interrupt loop');
      }
      this.setState('CP READ');
    }
  }

  private out(line: string): void {
    for (const h of this.outputHandlers) h(line);
  }

  private setState(state: TerminalReadState): void {
    this.readState = state;
    for (const h of this.stateHandlers) h(state);
  }

  private vm(): VirtualMachine | undefined {
    return this.user === null ? undefined : this.system.cp.vm(this.user);
  }

  private print(result: CommandResult): void {
    for (const l of result.lines) this.out(l);
  }

  private beforeLogon(text: string): void {
    const [cmd, ...args] = text
      .trim()
      .split(/\s+/)
      .filter((w) => w.length > 0);
    if (cmd === undefined) {
      this.setState('CP READ');
      return;
    }
    const c = cmd.toUpperCase();
    if (abbrev(c, 'LOGON', 1) || abbrev(c, 'LOGIN', 5)) {
      const userid = args[0]?.toUpperCase();
      if (userid === undefined) {
        this.out('HCPLGA020E Userid missing or invalid');
        this.setState('CP READ');
        return;
      }
      if (args.length > 2) {
        this.out(`HCPLGA003E Invalid option - ${args[2]!.toUpperCase()}`);
        this.setState('CP READ');
        return;
      }
      const password = args[1];
      if (password === undefined) {
        if (!this.system.cp.directory.users.has(userid)) {
          this.out(`HCPLGA053E ${userid} not in CP directory`);
          this.setState('CP READ');
          return;
        }
        this.awaitingPassword = userid;
        this.out('ENTER PASSWORD (IT WILL NOT APPEAR WHEN TYPED):');
        this.setState('CP READ');
        return;
      }
      this.logon(userid, password);
      return;
    }
    if (abbrev(c, 'DIAL', 1)) {
      this.print(dialCommand(this.system.cp, args));
      this.setState('CP READ');
      return;
    }
    if (abbrev(c, 'LOGOFF', 4) || abbrev(c, 'LOGOUT', 4)) {
      this.finish('LOGOFF');
      return;
    }
    this.out('HCPCFX6768E You must first LOGON or DIAL');
    this.setState('CP READ');
  }

  private logon(userid: string, password: string): void {
    const cp = this.system.cp;
    const user = cp.directory.users.get(userid);
    if (user === undefined) {
      this.out(`HCPLGA053E ${userid} not in CP directory`);
      this.setState('CP READ');
      return;
    }
    if (
      user.password === 'NOLOG' ||
      (user.password !== 'NOPASS' && password.toUpperCase() !== user.password)
    ) {
      this.out('HCPLGA050E LOGON unsuccessful--incorrect password');
      this.setState('CP READ');
      return;
    }
    const existing = cp.vm(userid);
    if (existing !== undefined) {
      // A logged-on user: reconnect this terminal (taking it from another terminal if one has it).
      const other = this.system.sessionOf(userid);
      if (other !== null && other !== this) other.forcedAway(this.terminalId);
      this.user = userid;
      this.system.attach(userid, this);
      existing.onConsole = (l) => this.out(l);
      this.out(`RECONNECTED AT ${cpTimestamp(simulatedSeconds(cp))}`);
      const run = existing.runState(0);
      this.guestHasConsole = run === 'running' || run === 'waiting' || run === 'blocked';
      if (this.guestHasConsole) this.follow(true);
      else this.setState('CP READ');
      return;
    }
    // The directory's choice wins over the terminal's: cp.logon takes an explicit style over the entry's.
    const style = cp.directory.users.get(userid.toUpperCase())?.executionStyle ?? this.system.style;
    const r = cp.logon(userid, password, style === undefined ? {} : { style });
    if (!r.ok) {
      this.out(`${r.error.code} ${r.error.message}`);
      this.setState('CP READ');
      return;
    }
    this.user = userid;
    this.system.attach(userid, this);
    const earlier = [...r.vm.consoleLines];
    r.vm.onConsole = (l) => this.out(l);
    this.out(`${this.system.systemName} VM/ESA CP, ESA/390 virtual machines`);
    if (this.system.logmsg.length === 0) this.out('There is no logmsg data');
    else for (const l of this.system.logmsg) this.out(l);
    // LOGON's own warnings (links forced R/O, devices not available) come before the FILES line, as in CP.
    for (const l of earlier) this.out(l);
    const files = cp.spool.reader(userid).length;
    this.out(`FILES: ${files === 0 ? '  NO' : String(files).padStart(4, '0')} RDR,   NO PRT,   NO PUN`);
    this.out(`LOGON AT ${cpTimestamp(simulatedSeconds(cp))}`);
    const ipl = user.ipl?.target;
    if (ipl !== undefined) {
      this.command(`IPL ${ipl}`, true);
      return;
    }
    this.setState('CP READ');
  }

  /** Taken over by a LOGON at another terminal. */
  private forcedAway(by: string): void {
    // No message number: the exact z/VM wording for a takeover is not sourced here.
    this.out(`${this.user ?? ''} RECONNECTED AT TERMINAL ${by}; THIS TERMINAL IS DISCONNECTED`);
    this.user = null;
    this.guestHasConsole = false;
    this.finish('DISCONNECT');
  }

  /**
   * A CP command; `fromCpRead` says whether the terminal was in CP READ
   * (then it returns there). Every command but LOGOFF and DISCONNECT, which
   * end the terminal's session, is CP's command processor's
   * (`executeCommand`, the same one DIAGNOSE X'08' reaches); the terminal
   * only decides afterwards who has the console: the guest after a
   * successful IPL or BEGIN, CP when the command stopped the guest (SYSTEM
   * RESET, DEFINE STORAGE).
   */
  private command(text: string, fromCpRead: boolean): void {
    const cp = this.system.cp;
    const [cmd] = text
      .trim()
      .split(/\s+/)
      .filter((w) => w.length > 0);
    const back = (): void => {
      if (fromCpRead || !this.guestHasConsole) this.setState('CP READ');
      else this.follow(true);
    };
    if (cmd === undefined) {
      back();
      return;
    }
    const c = cmd.toUpperCase();
    if (abbrev(c, 'DISCONNECT', 4)) {
      this.disconnect(true);
      return;
    }
    const vm = this.vm()!;
    if (abbrev(c, 'LOGOFF', 4) || abbrev(c, 'LOGOUT', 4)) {
      if (!this.logoff(vm, text)) back();
      return;
    }
    const r = executeCommand(cp, vm, text);
    this.print(r);
    // DEFINE STORAGE made a new virtual machine: its console is this terminal now.
    const now = this.vm();
    if (now !== undefined && now !== vm) {
      vm.onConsole = null;
      now.onConsole = (l) => this.out(l);
    }
    if (r.rc === 0 && (abbrev(c, 'IPL', 1) || abbrev(c, 'BEGIN', 1))) {
      this.guestHasConsole = true;
      if (abbrev(c, 'IPL', 1)) this.setState('RUNNING');
      else this.follow(true);
      return;
    }
    // A guest that the command stopped (SYSTEM RESET, DEFINE STORAGE) no longer has the console.
    if (now !== undefined && now.runState(0) === 'stopped') this.guestHasConsole = false;
    back();
  }

  private disconnect(asked: boolean): void {
    const userid = this.user!;
    const cp = this.system.cp;
    const vm = cp.vm(userid);
    if (vm !== undefined) vm.onConsole = null;
    if (asked) this.out(`DISCONNECT AT ${cpTimestamp(simulatedSeconds(cp))}`);
    this.system.detach(userid);
    this.user = null;
    this.guestHasConsole = false;
    this.finish('DISCONNECT');
  }

  /**
   * LOGOFF at the terminal: CP's LOGOFF command prints the session's last
   * lines and destroys the VM; false when it refused (an operand it does
   * not know) and the user is still logged on.
   */
  private logoff(vm: VirtualMachine, text: string): boolean {
    const userid = this.user!;
    const cp = this.system.cp;
    const r = executeCommand(cp, vm, text);
    this.print(r);
    if (cp.vm(userid) !== undefined) return false;
    vm.onConsole = null;
    this.system.detach(userid);
    this.user = null;
    this.guestHasConsole = false;
    this.finish('LOGOFF');
    return true;
  }

  private finish(reason: 'LOGOFF' | 'DISCONNECT'): void {
    this.ended = true;
    this.system.drop(this);
    for (const h of this.endHandlers) h(reason);
  }
}

function abbrev(word: string, full: string, min: number): boolean {
  return word.length >= min && word.length <= full.length && full.startsWith(word);
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
