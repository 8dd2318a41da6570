/**
 * `strachey cp --directory FILE --volumes DIR [--tn3270 PORT] [--model N] [--json]`
 * starts CP from a USER DIRECT file and a folder of 3390 volume images
 * (io-channel's formats; each volume is known by the serial in its VOL1
 * label) and lets users log on: with `--tn3270 PORT` as 3270 terminals over
 * TN3270 on 127.0.0.1 (each connection gets the logo and its own session, on
 * a VM-style line console with CP READ / VM READ / RUNNING / MORE... /
 * HOLDING in the status area; PA1 is the attention key); without it as one
 * line-mode terminal on stdin/stdout (EOF ends it). CP runs on its simulated
 * clock; a directory or volume problem is a user error at file:line:column.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import {
  type ControlProgram,
  type CpTerminalSession,
  CpTerminalSystem,
  type CpVolume,
  createCp,
  type DirectoryError,
  type ExecutionStyle,
  saveCmsSystem,
  type TerminalReadState,
} from '@strachey/hypervisor-cp';
import { loadVolume } from '@strachey/io-channel';
import type { Command } from 'commander';
import { type Diagnostic, UserError } from '../diagnostics';
import { registerCpSample } from './cp-sample';
import { clockTimers, LineConsole, startTn3270Server, type TerminalModel, type TerminalPort, type Tn3270Server } from '../terminal/index';

/** Options of `strachey cp`. */
export interface CpCommandOptions {
  readonly directory: string;
  readonly volumes: string;
  /** TCP port for TN3270 terminals (0 picks a free one); absent: a line-mode console on stdin/stdout. */
  readonly tn3270?: string;
  /** 3270 model the screens are laid out for (2-5); default: each client's own alternate size. */
  readonly model?: string;
  /** Events as JSON lines (ready, output, state, end) instead of plain text. */
  readonly json?: boolean;
  /** Execution style for users whose directory entry has no OPTION SIE / OPTION TRAPEMULATE. */
  readonly style?: string;
}

/** Simulated milliseconds CP runs per step of the host loop. */
const SLICE_MS = 10;

function directoryDiagnostic(e: DirectoryError): Diagnostic {
  const detail = e.expected !== undefined && e.found !== undefined ? ` (expected ${e.expected}, found ${e.found})` : '';
  const related = e.related ? ` (see ${e.related.file}:${e.related.line}:${e.related.column})` : '';
  return { code: e.code, message: `${e.message}${detail}${related}`, file: e.file, line: e.line, column: e.column };
}

/** Every volume image in `dir` (dot files and README/text files are skipped), keyed by its VOL1 serial. */
export function loadVolumes(dir: string): CpVolume[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    throw new UserError({ code: 'VOLUMES_NOT_READABLE', file: dir, message: `cannot read the volume folder: ${(error as Error).message}` });
  }
  const volumes: CpVolume[] = [];
  const seen = new Map<string, string>();
  const problems: Diagnostic[] = [];
  for (const name of names) {
    if (name.startsWith('.') || /\.(md|txt)$/i.test(name) || /^README/i.test(name)) continue;
    const file = join(dir, name);
    if (!statSync(file).isFile()) continue;
    const r = loadVolume(file);
    if (!r.ok) {
      problems.push({ code: r.error.code, file, message: r.error.message });
      continue;
    }
    const volser = r.volume.volser();
    if (volser === null) {
      problems.push({ code: 'NO_VOLUME_LABEL', file, message: 'the volume has no VOL1 label (format it with strachey dasd init)' });
      continue;
    }
    const first = seen.get(volser);
    if (first !== undefined) {
      problems.push({ code: 'DUPLICATE_VOLSER', file, message: `volume serial ${volser} is also on ${first}` });
      continue;
    }
    seen.set(volser, file);
    volumes.push({ volser, volume: r.volume });
  }
  if (problems.length > 0) throw new UserError(problems);
  return volumes;
}

/** Build CP and its terminal side from the files. Throws UserError for bad input. */
export function startCp(options: Pick<CpCommandOptions, 'directory' | 'volumes' | 'style'>): { cp: ControlProgram; terminals: CpTerminalSystem; volumes: readonly CpVolume[] } {
  let text: string;
  try {
    text = readFileSync(options.directory, 'utf8');
  } catch (error) {
    throw new UserError({ code: 'FILE_NOT_READABLE', file: options.directory, message: `cannot read the directory: ${(error as Error).message}` });
  }
  const style = parseStyle(options.style);
  const volumes = loadVolumes(options.volumes);
  const r = createCp({ directory: text, directoryFile: options.directory, volumes, ...(style === undefined ? {} : { style }) });
  if (!r.ok) throw new UserError(r.errors.map(directoryDiagnostic));
  // CMS as the named saved system CMS, as VM/370 installations saved it: IPL CMS maps its shared
  // nucleus instead of reading a 190 disk. Without the shipped cms.asm, IPL CMS falls back to 190.
  saveCmsSystem(r.cp.savedSystems);
  return { cp: r.cp, terminals: new CpTerminalSystem(r.cp), volumes };
}

function parseStyle(text: string | undefined): ExecutionStyle | undefined {
  if (text === undefined) return undefined;
  const t = text.toLowerCase();
  if (t === 'sie' || t === 'trap-and-emulate') return t;
  throw new UserError({ code: 'BAD_STYLE', message: `--style: expected sie or trap-and-emulate, found '${text}'` });
}

function parseModel(text: string | undefined): TerminalModel | undefined {
  if (text === undefined) return undefined;
  if (!/^[2-5]$/.test(text)) throw new UserError({ code: 'BAD_MODEL', message: `--model: expected 2, 3, 4 or 5, found '${text}'` });
  return Number(text) as TerminalModel;
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UserError({ code: 'BAD_PORT', message: `--tn3270: expected a TCP port 0-65535, found '${text}'` });
  return Number(text);
}

/**
 * Put a CP terminal session on a 3270 line console: the logo screen with
 * USERID / PASSWORD (nondisplay) / COMMAND fields until LOGON, then CP's
 * output is printed, its read state drives the status area, entered lines
 * go to the session (a password CP asks for is typed into a nondisplay input
 * area), PA1 is the attention key. A refused LOGON, LOGOFF or DISCONNECT
 * shows the logo again with CP's answer under it (a new session after
 * LOGOFF/DISCONNECT); a closed connection is a hang-up.
 */
export function attachConsole(terminals: CpTerminalSystem, port: TerminalPort, consoleOptions: { readonly systemName?: string } = {}): { current(): CpTerminalSession; console: LineConsole } {
  // The console echoes entered lines itself unless told not to; CP echoes here instead so a password never reaches the screen.
  // No line-mode screen first: the first record a client gets is the logo, already saying CP READ.
  const console = new LineConsole(port, { systemName: consoleOptions.systemName ?? terminals.systemName, timers: clockTimers(terminals.cp.clock), state: 'CP READ', echoInput: false, paint: false });
  let session: CpTerminalSession = terminals.connect();
  // CP's answer to the last entry: shown on the logo screen when the entry ends at the logo again (a refused LOGON, LOGOFF).
  let answer: string[] = [];
  const logo = (): void => {
    console.setInputHidden(false);
    // CP waits for a LOGON while the logo is up: CP READ, in the logo's own Erase/Write.
    console.showLogonForm(session.logo(), answer, 'CP READ');
  };
  const begin = (s: CpTerminalSession): void => {
    session = s;
    s.onOutput((l) => {
      answer.push(l);
      if (answer.length > 8) answer.shift();
      console.print(l);
    });
    s.onState((st) => console.setState(st));
    s.onEnd(() => {
      if (!port.closed) begin(terminals.connect());
    });
    // z/VM's logo screen with USERID and a nondisplay PASSWORD field, CP waiting for the LOGON.
    logo();
  };
  /** One entry to CP; back to the logo when the terminal is still not logged on (and no password is asked for). */
  const enter = (line: string): void => {
    const echo = echoed(line, session);
    answer = [];
    if (echo !== null) console.print(echo);
    const s = session;
    s.enter(line);
    if (s !== session) return; // the session ended and `begin` painted the logo
    console.setInputHidden(s.passwordExpected);
    if (s.userid === null && !s.passwordExpected) logo();
  };
  console.onLogon((e) => {
    if (e.userid.length > 0) enter(`LOGON ${e.userid}${e.password.length > 0 ? ` ${e.password}` : ''}`);
    else if (e.command.length > 0) enter(e.command);
    else logo();
  });
  console.onLine(enter);
  console.onKey((aid) => {
    if (aid === 'PA1') session.attention();
  });
  port.onClose(() => session.hangup());
  begin(session);
  return { current: () => session, console };
}

/** What the output area shows for an entered line: nothing for a password, LOGON without its password. */
export function echoed(line: string, session: CpTerminalSession): string | null {
  if (line.length === 0 || session.passwordExpected) return null;
  if (session.userid === null) {
    const m = /^\s*(L|LO|LOG|LOGO|LOGON|LOGIN)\s+(\S+)\s+\S+/i.exec(line);
    if (m !== null) return `${m[1]} ${m[2]}`;
  }
  return line;
}

/** Run CP in the background on the host: SLICE_MS of simulated time every SLICE_MS of host time. */
function backgroundRunner(terminals: CpTerminalSystem): () => void {
  const cycles = SLICE_MS * 1000 * terminals.cp.clock.cyclesPerMicrosecond;
  const t = setInterval(() => terminals.run(cycles), SLICE_MS);
  return () => clearInterval(t);
}

/** Serve TN3270 terminals until the process is stopped. */
export async function serveTn3270(terminals: CpTerminalSystem, port: number, model: TerminalModel | undefined, log: (line: string) => void): Promise<{ server: Tn3270Server; stop: () => Promise<void> }> {
  const server = await startTn3270Server({
    port,
    ...(model === undefined ? {} : { model }),
    log,
    onSession(session) {
      attachConsole(terminals, session);
    },
  });
  const stopRunner = backgroundRunner(terminals);
  return {
    server,
    stop: async () => {
      stopRunner();
      await server.close();
    },
  };
}

/**
 * The line-mode console: lines from `input` are entered one at a time, each
 * when CP or the guest has posted a read (or after a simulated second of
 * RUNNING, as type-ahead), so a piped script gives the same transcript on
 * every run. EOF (after the last line is handled) hangs up.
 */
export async function lineMode(
  terminals: CpTerminalSystem,
  input: AsyncIterable<string>,
  write: (event: { kind: 'output'; line: string } | { kind: 'state'; state: TerminalReadState } | { kind: 'end'; reason: string }) => void,
  /** Told whether what the user types next may be shown (false while CP waits for a password). */
  echo: (visible: boolean) => void = () => {},
): Promise<void> {
  const cycles = SLICE_MS * 1000 * terminals.cp.clock.cyclesPerMicrosecond;
  let session = terminals.connect();
  /** Input has ended: the hang-up ends the last session, and no new one (with its logo) follows. */
  let hungUp = false;
  const begin = (s: CpTerminalSession): void => {
    session = s;
    s.onOutput((line) => write({ kind: 'output', line }));
    s.onState((state) => write({ kind: 'state', state }));
    s.onEnd((reason) => {
      write({ kind: 'end', reason });
      if (!hungUp) begin(terminals.connect());
    });
    s.greet();
  };
  begin(session);
  /** Let the machine run until the terminal waits for input (bounded: a spinning guest gets type-ahead). */
  const settle = (): void => {
    for (let i = 0; i < 1000 / SLICE_MS && session.state === 'RUNNING'; i++) terminals.run(cycles);
  };
  for await (const line of input) {
    settle();
    session.enter(line);
    echo(!session.passwordExpected);
  }
  settle();
  hungUp = true;
  session.hangup();
}

/** Register `strachey cp`. */
export function registerCp(program: Command): void {
  const cp = program
    .command('cp')
    .description('start CP from a USER DIRECT file and 3390 volume images; log on at TN3270 terminals (--tn3270 PORT) or at a line-mode console on stdin/stdout')
    // Required, but checked in the action: commander checks a parent's required options before it
    // dispatches to a subcommand, and `strachey cp sample DIR` takes neither.
    .option('--directory <file>', 'the user directory (USER DIRECT); required')
    .option('--volumes <dir>', 'folder of 3390 volume images (strachey or Hercules CKD format), known by their VOL1 serials; required')
    .option('--tn3270 <port>', 'serve TN3270 terminals on 127.0.0.1:PORT (0 picks a free port)')
    .option('--model <n>', '3270 model the screens are laid out for (2-5; default: each client\'s own size)')
    .option('--json', 'print events (ready, output lines, states, session ends) as JSON lines')
    .option('--style <style>', "execution style of virtual machines whose directory entry names none: 'trap-and-emulate' (default) or 'sie'")
    .addHelpText('after', '\nNo system yet? `strachey cp sample DIR` writes one (USER.DIRECT and volumes/ with CMS installed).')
    .action(async (o: Partial<CpCommandOptions>, command: Command) => {
      for (const name of ['directory', 'volumes'] as const) {
        if (o[name] === undefined) {
          command.error(`error: required option '--${name} <${name === 'directory' ? 'file' : 'dir'}>' not specified`, { exitCode: 2, code: 'commander.missingMandatoryOptionValue' });
        }
      }
      const model = parseModel(o.model);
      const port = o.tn3270 === undefined ? null : parsePort(o.tn3270);
      const { cp, terminals, volumes } = startCp(o as CpCommandOptions);
      const ready = { event: 'ready', system: terminals.systemName, users: cp.directory.users.size, volumes: volumes.map((v) => v.volser) };
      const emit = (obj: Record<string, unknown>, text: string): void => {
        process.stdout.write(o.json ? `${JSON.stringify(obj)}\n` : `${text}\n`);
      };
      if (port !== null) {
        const { server, stop } = await serveTn3270(terminals, port, model, (line) => process.stderr.write(`${line}\n`));
        emit({ ...ready, tn3270: { host: server.host, port: server.port } }, `strachey cp: ${ready.users} users, volumes ${ready.volumes.join(' ')}; TN3270 on ${server.host}:${server.port} (connect: c3270 ${server.host}:${server.port}; Ctrl-C stops CP)`);
        await new Promise<void>((resolve) => {
          const end = (): void => {
            void stop().then(resolve);
          };
          process.once('SIGINT', end);
          process.once('SIGTERM', end);
        });
        return;
      }
      if (o.json) emit(ready, '');
      // On a terminal readline echoes what is typed through `output`: it is muted while CP waits for a
      // password, so the password never appears (a pipe echoes nothing anyway).
      const tty = process.stdin.isTTY === true;
      let visible = true;
      const output = new Writable({
        write(chunk: Buffer | string, _encoding, done) {
          if (visible) process.stdout.write(chunk);
          done();
        },
      });
      const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: tty, ...(tty ? { output } : {}) });
      await lineMode(
        terminals,
        rl,
        (e) => {
          if (e.kind === 'output') emit({ event: 'output', line: e.line }, e.line);
          else if (o.json) emit(e.kind === 'state' ? { event: 'state', state: e.state } : { event: 'end', reason: e.reason }, '');
        },
        (v) => {
          visible = v;
        },
      );
    });
  registerCpSample(cp);
}
