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
import type { CommandResult } from '../commands';
import type { ControlProgram } from '../cp';
import { queryNss } from '../saved-systems';
import type { VirtualMachine } from '../vm/virtual-machine';
import { cpCpuTime, cpDuration, cpTimestamp, simulatedSeconds } from './clock-text';
import { detachCommand, linkCommand, rememberLogonDevices } from './link';

/** What the terminal's status area says CP is doing (VM/370's screen status). */
export type TerminalReadState = 'CP READ' | 'VM READ' | 'RUNNING';

/** Options of the terminal side of CP. */
export interface CpTerminalOptions {
  /** System identifier on the logo and in the status area (up to 8 characters). */
  readonly systemName?: string;
  /** The log message (LOGMSG) shown after LOGON; none gives "There is no logmsg data". */
  readonly logmsg?: readonly string[];
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
 * terminal goes away and are reconnected by the next LOGON.
 */
export class CpTerminalSystem {
  readonly systemName: string;
  readonly logmsg: readonly string[];
  private readonly connected = new Map<string, Connection>();
  private readonly sessions = new Set<CpTerminalSession>();
  private nextLine = 1;

  constructor(
    readonly cp: ControlProgram,
    options: CpTerminalOptions = {},
  ) {
    this.systemName = (options.systemName ?? 'STRACHEY').toUpperCase().slice(0, 8);
    this.logmsg = options.logmsg ?? [];
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
  private logonSeconds = 0;
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

  /** The logo screen: what a terminal shows when it connects, before LOGON. */
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

  /** Print the logo (the terminal just connected) and post CP's read. */
  greet(): void {
    for (const l of this.logo()) this.out(l);
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
    if (this.ended || this.user === null || !this.guestHasConsole) return;
    const vm = this.vm();
    if (vm === undefined) return;
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
    const [cmd, ...args] = text.trim().split(/\s+/).filter((w) => w.length > 0);
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
      this.print(dial(this.system.cp, args));
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
    if (user.password === 'NOLOG' || (user.password !== 'NOPASS' && password.toUpperCase() !== user.password)) {
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
      this.logonSeconds = simulatedSeconds(cp);
      this.system.attach(userid, this);
      existing.onConsole = (l) => this.out(l);
      this.out(`RECONNECTED AT ${cpTimestamp(simulatedSeconds(cp))}`);
      const run = existing.runState(0);
      this.guestHasConsole = run === 'running' || run === 'waiting' || run === 'blocked';
      if (this.guestHasConsole) this.follow(true);
      else this.setState('CP READ');
      return;
    }
    const r = cp.logon(userid, password);
    if (!r.ok) {
      this.out(`${r.error.code} ${r.error.message}`);
      this.setState('CP READ');
      return;
    }
    this.user = userid;
    this.logonSeconds = simulatedSeconds(cp);
    this.system.attach(userid, this);
    rememberLogonDevices(r.vm);
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
      this.ipl([ipl]);
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

  /** A CP command; `fromCpRead` says whether the terminal was in CP READ (then it returns there). */
  private command(text: string, fromCpRead: boolean): void {
    const userid = this.user!;
    const cp = this.system.cp;
    const words = text.trim().split(/\s+/).filter((w) => w.length > 0);
    const [cmd, ...args] = words;
    const back = (): void => {
      if (fromCpRead || !this.guestHasConsole) this.setState('CP READ');
      else this.follow(true);
    };
    if (cmd === undefined) {
      back();
      return;
    }
    const c = cmd.toUpperCase();
    const vm = this.vm()!;
    if (abbrev(c, 'LOGOFF', 4) || abbrev(c, 'LOGOUT', 4)) {
      this.logoff();
      return;
    }
    if (abbrev(c, 'DISCONNECT', 4)) {
      this.disconnect(true);
      return;
    }
    if (abbrev(c, 'IPL', 1)) {
      this.ipl(args);
      return;
    }
    if (abbrev(c, 'BEGIN', 1)) {
      const run = vm.runState(0);
      if (run === 'stopped' && vm.cpus[0]!.getPsw()[1] === 0 && vm.counters.instructions === 0) {
        this.out('HCPCFB010E No IPL has been done');
        back();
        return;
      }
      cp.begin(userid);
      this.guestHasConsole = true;
      this.follow(true);
      return;
    }
    if (abbrev(c, 'SYSTEM', 3)) {
      const what = args[0]?.toUpperCase();
      if (what !== undefined && (abbrev(what, 'RESET', 1) || abbrev(what, 'CLEAR', 5))) {
        for (const v of vm.cpus) {
          v.reset(true);
          v.state = 'stopped';
        }
        this.guestHasConsole = false;
        if (abbrev(what, 'CLEAR', 5)) {
          // A saved system's shared pages are unmapped, not zeroed (that would make private copies of them).
          cp.savedSystems.release(vm);
          const zero = new Uint8Array(4096);
          for (let a = 0; a < vm.storageSize; a += 4096) vm.storage.writeBytes(a, zero.subarray(0, Math.min(4096, vm.storageSize - a)));
          this.out('Storage cleared - system reset.');
        } else this.out('System reset.');
      } else this.out(`HCPCSY026E Operand missing or invalid${what === undefined ? '' : `: ${what}`}`);
      this.setState('CP READ');
      return;
    }
    if (abbrev(c, 'DEFINE', 3)) {
      const what = args[0]?.toUpperCase();
      if (what !== undefined && abbrev(what, 'STORAGE', 4) && args.length === 2) {
        const bytes = storageOperand(args[1]!);
        if (bytes === null) this.out(`HCPDST026E Operand missing or invalid: ${args[1]!.toUpperCase()}`);
        else {
          const r = cp.defineStorage(userid, bytes);
          if (!r.ok) this.out(`${r.error.code} ${r.error.message}`);
          else {
            const lines = r.vm.consoleLines;
            // DEFINE STORAGE built a new VM whose last two console lines are its answer.
            for (const l of lines.slice(-2)) this.out(l);
            r.vm.onConsole = (l) => this.out(l);
            rememberLogonDevices(r.vm);
            this.guestHasConsole = false;
          }
        }
      } else this.out(`HCPCDF026E Operand missing or invalid${what === undefined ? '' : `: ${what}`}`);
      this.setState('CP READ');
      return;
    }
    if (abbrev(c, 'LINK', 4)) {
      this.print(linkCommand(cp, vm, args));
      back();
      return;
    }
    if (abbrev(c, 'DETACH', 3)) {
      this.print(detachCommand(vm, args));
      back();
      return;
    }
    if (abbrev(c, 'DIAL', 1)) {
      this.out('HCPDIA009E DIAL is valid only before LOGON');
      back();
      return;
    }
    if (abbrev(c, 'QUERY', 1)) {
      const what = args[0]?.toUpperCase();
      if (what !== undefined && abbrev(what, 'NSS', 3)) {
        // The named saved systems, their pages and how many users map them (src/saved-systems.ts).
        this.print({ rc: 0, lines: queryNss(cp.savedSystems) });
        back();
        return;
      }
      if (what !== undefined && abbrev(what, 'NAMES', 1)) {
        this.print(this.queryNames());
        back();
        return;
      }
      // Class G QUERY STORAGE and QUERY DASD answer about the user's own virtual machine.
      if (what !== undefined && abbrev(what, 'STORAGE', 4)) {
        this.print(cp.command(userid, 'QUERY VIRTUAL STORAGE'));
        back();
        return;
      }
      if (what !== undefined && abbrev(what, 'DASD', 4)) {
        this.print(cp.command(userid, 'QUERY VIRTUAL DASD'));
        back();
        return;
      }
      if (what !== undefined && abbrev(what, 'TIME', 1)) {
        const now = simulatedSeconds(cp);
        const virt = vm.counters.guestCycles / cp.clock.cyclesPerMicrosecond / 1e6;
        const tot = (vm.counters.guestCycles + vm.counters.cpCycles) / cp.clock.cyclesPerMicrosecond / 1e6;
        this.out(`TIME IS ${cpTimestamp(now)}`);
        this.out(`CONNECT= ${cpDuration(now - this.logonSeconds)} VIRTCPU= ${cpCpuTime(virt)} TOTCPU= ${cpCpuTime(tot)}`);
        back();
        return;
      }
    }
    this.print(cp.command(userid, text));
    back();
  }

  /** QUERY NAMES: every logged-on user with its terminal, or DSC when disconnected, four to a line. */
  private queryNames(): CommandResult {
    const entries = this.system.cp.users().map((u) => `${u.padEnd(8)} - ${this.system.sessionOf(u)?.terminalId ?? 'DSC'}`);
    const lines: string[] = [];
    for (let i = 0; i < entries.length; i += 4) lines.push(entries.slice(i, i + 4).join(' , '));
    return { rc: 0, lines };
  }

  private ipl(args: readonly string[]): void {
    const cp = this.system.cp;
    const userid = this.user!;
    const target = args[0]?.toUpperCase();
    let vdev: number | undefined;
    if (target !== undefined) {
      if (/^[0-9A-F]{1,4}$/.test(target)) vdev = Number.parseInt(target, 16);
      else if (cp.savedSystems.get(target) !== undefined) {
        // A named saved system: its shared pages are mapped, no disk is read (src/saved-systems.ts).
        const r = cp.iplSystem(userid, target);
        if (!r.ok) {
          this.out(`${r.error.code} ${r.error.message}`);
          this.setState('CP READ');
          return;
        }
        this.guestHasConsole = true;
        this.setState('RUNNING');
        return;
      } else if (target === 'CMS' && cp.vm(userid)?.io.byDevice(0x190) !== undefined) {
        // CMS not saved on this system: IPL it from its system disk, the user's 190 (cms/README.md).
        vdev = 0x190;
      } else {
        this.out(`HCPNSS440E Saved system ${target} was not found`);
        this.setState('CP READ');
        return;
      }
    }
    const r = cp.ipl(userid, vdev);
    if (!r.ok) {
      this.out(`${r.error.code} ${r.error.message}`);
      this.setState('CP READ');
      return;
    }
    this.guestHasConsole = true;
    this.setState('RUNNING');
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

  private logoff(): void {
    const userid = this.user!;
    const cp = this.system.cp;
    const vm = this.vm();
    const now = simulatedSeconds(cp);
    if (vm !== undefined) {
      vm.onConsole = null;
      const virt = vm.counters.guestCycles / cp.clock.cyclesPerMicrosecond / 1e6;
      const tot = (vm.counters.guestCycles + vm.counters.cpCycles) / cp.clock.cyclesPerMicrosecond / 1e6;
      this.out(`CONNECT= ${cpDuration(now - this.logonSeconds)} VIRTCPU= ${cpCpuTime(virt)} TOTCPU= ${cpCpuTime(tot)}`);
    }
    this.out(`LOGOFF AT ${cpTimestamp(now)}`);
    cp.logoff(userid);
    this.system.detach(userid);
    this.user = null;
    this.guestHasConsole = false;
    this.finish('LOGOFF');
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

/** `nnnK`, `nnM`, `nG` (CP's storage operand) to bytes, or null. */
function storageOperand(word: string): number | null {
  const m = /^(\d+)([KMG])$/i.exec(word);
  if (m === null) return null;
  const unit = m[2]!.toUpperCase() === 'K' ? 1024 : m[2]!.toUpperCase() === 'M' ? 1024 * 1024 : 1024 * 1024 * 1024;
  return Number(m[1]) * unit;
}

/**
 * DIAL userid: connect this terminal to a logged-on virtual machine as one
 * of its dialable lines. The directory has no dialable line devices (3270
 * or 2702 lines), so a logged-on user has none to offer.
 */
function dial(cp: ControlProgram, args: readonly string[]): CommandResult {
  const userid = args[0]?.toUpperCase();
  if (userid === undefined) return { rc: 20, lines: ['HCPDIA020E Userid missing or invalid'] };
  if (!cp.directory.users.has(userid)) return { rc: 53, lines: [`HCPDIA053E ${userid} not in CP directory`] };
  if (cp.vm(userid) === undefined) return { rc: 45, lines: [`HCPDIA045E ${userid} not logged on`] };
  return { rc: 93, lines: [`HCPDIA093E ${userid} has no dialable lines available`] };
}
