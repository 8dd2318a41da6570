/**
 * Runs a parsed console script on an ESA/390 machine and prints what the
 * Hercules 3.13 console prints for the same commands, in the same layouts.
 *
 * The one deliberate difference is time: Hercules' CPUs run in their own
 * threads while the script continues, so `pause N` lets them run for N
 * wall-clock seconds. Here the CPUs advance only inside `pause`, which runs
 * the machine until every CPU has stopped (stopped, check-stopped, or in a
 * wait that nothing can end) or the instruction budget is used up. A script
 * that pauses long enough on Hercules for its program to end therefore gives
 * the same displays on both.
 */
import { FRAME_SIZE } from '../../framework/storage';
import type { AbsoluteAddress } from '../../framework/addresses';
import type { Esa390Cpu } from '../cpu';
import type { Esa390Machine, Esa390MachineExit } from '../machine';
import { PSW_EXT, PSW_IO, PSW_WAIT } from '../psw';
import { cpuLinePrefix, formatPswCommand, formatRegisters, formatStorageLine } from './format';
import type { ConsoleCommand, ConsoleDiagnostic, ConsoleScript } from './parse';

/** Why the addressed CPU is where it is at the end of a script. */
export type ConsoleStop =
  /** Wait state with I/O and external interruptions disabled: the program's architected end. */
  | 'disabled-wait'
  /** Wait state that an I/O or external interruption could end, with none pending or scheduled. */
  | 'enabled-wait'
  /** The CPU is in the stopped state (never started, or `stop`). */
  | 'stopped'
  | 'check-stop'
  /** The instruction budget ended the last `pause` with the CPU still running. */
  | 'budget'
  /** A CPU exited to the host (an interception or a breakpoint). */
  | 'interception'
  /** The CPU is operating and not waiting (no `pause` since it was started). */
  | 'running';

/**
 * The architected state at the end of a script, as hex strings: `psw` is the
 * 16 hex digits of the ESA/390 PSW, `gpr`/`cr` 16 × 8 hex digits of the
 * addressed CPU; `instructions` counts all CPUs, `cycles` is simulated time.
 */
export interface ConsoleFinalState {
  readonly stop: ConsoleStop;
  readonly psw: string;
  readonly gpr: readonly string[];
  readonly cr: readonly string[];
  readonly instructions: number;
  readonly cycles: number;
}

/** Loads a file named by `loadcore`; returns its bytes or a message saying why not. */
export type ConsoleFileLoader = (file: string) => Uint8Array | { readonly error: string };

/** Performs `ipl DEVNUM` (needs a channel subsystem with an IPL-capable device); returns an error message or null. */
export type ConsoleIplHandler = (machine: Esa390Machine, device: number, cpu: number) => string | null;

/** Options of `executeConsoleScript`. */
export interface ConsoleRunOptions {
  /** Instructions all `pause` commands together may execute (all CPUs). Default 100 million. */
  readonly budget?: number;
  /**
   * Print each command before its output, and `pause`'s HHCPN011I/HHCPN012I
   * messages, as Hercules' log does. Default false.
   */
  readonly echo?: boolean;
  /** Receives each output line as it is produced (they are also returned). */
  readonly write?: (line: string) => void;
  /** Needed for `loadcore`; without it `loadcore` is an error. */
  readonly loadFile?: ConsoleFileLoader;
  /** Needed for `ipl`; without it `ipl` is an error. */
  readonly ipl?: ConsoleIplHandler;
  /** Called during long pauses, about every `progressEvery` instructions, with instructions executed so far. */
  readonly onProgress?: (instructions: number) => void;
  /** Instructions between progress calls (the machine runs in slices of this size). Default 5 million. */
  readonly progressEvery?: number;
}

/** Result of running a script: printed lines, final state, and the first runtime error (execution stops there). */
export interface ConsoleRunResult {
  readonly output: readonly string[];
  readonly state: ConsoleFinalState;
  readonly error: ConsoleDiagnostic | null;
  /** The script ended with `quit`/`exit`. */
  readonly quit: boolean;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

function isDisabledWait(cpu: Esa390Cpu): boolean {
  const [high] = cpu.getPsw();
  return cpu.state === 'operating' && ((high >>> 16) & PSW_WAIT) !== 0 && ((high >>> 24) & (PSW_IO | PSW_EXT)) === 0;
}

function stopOf(cpu: Esa390Cpu, lastPause: Esa390MachineExit | null): ConsoleStop {
  if (cpu.state === 'check-stop') return 'check-stop';
  if (cpu.state === 'stopped') return 'stopped';
  const [high] = cpu.getPsw();
  if (((high >>> 16) & PSW_WAIT) !== 0) return ((high >>> 24) & (PSW_IO | PSW_EXT)) === 0 ? 'disabled-wait' : 'enabled-wait';
  if (lastPause?.reason === 'budget') return 'budget';
  if (lastPause?.reason === 'cpu') return 'interception';
  return 'running';
}

/** The final state of CPU `cpuAddress` of `machine` (see `ConsoleFinalState`). */
export function consoleFinalState(
  machine: Esa390Machine,
  cpuAddress = 0,
  lastPause: Esa390MachineExit | null = null,
): ConsoleFinalState {
  const cpu = machine.cpus[cpuAddress];
  if (cpu === undefined) throw new RangeError(`no CPU ${cpuAddress}`);
  const [high, low] = cpu.getPsw();
  let instructions = 0;
  for (const c of machine.cpus) instructions += c.instructions;
  return {
    stop: stopOf(cpu, lastPause),
    psw: hex8(high) + hex8(low),
    gpr: Array.from(cpu.gpr, hex8),
    cr: Array.from(cpu.cr, hex8),
    instructions,
    cycles: machine.now(),
  };
}

/**
 * Run `script` on `machine`. Output lines are returned (and passed to
 * `options.write`). Commands that cannot be carried out here (`ipl` without
 * an IPL handler, a `loadcore` file that cannot be read, a `cpu` that does
 * not exist) end the run with a located error value; guest behaviour never
 * does.
 */
export function executeConsoleScript(
  script: ConsoleScript,
  machine: Esa390Machine,
  options: ConsoleRunOptions = {},
): ConsoleRunResult {
  const output: string[] = [];
  const print = (line: string): void => {
    output.push(line);
    options.write?.(line);
  };
  let budgetLeft = options.budget ?? 100_000_000;
  const slice = Math.max(1, options.progressEvery ?? 5_000_000);
  let target = 0;
  let lastPause: Esa390MachineExit | null = null;
  const storage = machine.storage;
  const cpuCount = machine.cpus.length;
  const currentCpu = (): Esa390Cpu => machine.cpus[target]!;
  // Hercules announces a disabled wait once, when the CPU enters it.
  const announced = machine.cpus.map(isDisabledWait);
  const fail = (cmd: ConsoleCommand, code: string, message: string): ConsoleRunResult => ({
    output,
    state: consoleFinalState(machine, target, lastPause),
    error: { code, message, file: script.file, line: cmd.at.line, column: cmd.at.column },
    quit: false,
  });

  const display = (from: number, to: number): void => {
    const cpu = currentCpu();
    // Hercules steps 16 bytes per line from the start address (at most 999 lines).
    for (let i = 0, real = from; i < 999 && real <= to; i++, real += 16) {
      print(formatStorageLine(storage, real >>> 0, cpu.realToAbsolute(real >>> 0)));
    }
  };

  for (const cmd of script.commands) {
    // Hercules' script processor handles pause itself and does not echo it.
    if (options.echo && cmd.kind !== 'pause') print(cmd.text);
    switch (cmd.kind) {
      case 'comment':
        break;
      case 'alter': {
        const cpu = currentCpu();
        for (let i = 0; i < cmd.bytes.length; i++) {
          const abs = cpu.realToAbsolute((cmd.address + i) >>> 0);
          // Hercules alters up to the end of main storage and drops the rest.
          if (abs >= storage.size) break;
          storage.write8(abs as AbsoluteAddress, cmd.bytes[i]!);
        }
        display(cmd.address, cmd.address + cmd.bytes.length - 1);
        break;
      }
      case 'display':
        display(cmd.address, cmd.end);
        break;
      case 'gpr':
      case 'cr': {
        const regs = cmd.kind === 'gpr' ? currentCpu().gpr : currentCpu().cr;
        if (cmd.alter) regs[cmd.alter.register] = cmd.alter.value | 0;
        for (const l of formatRegisters(cmd.kind === 'gpr' ? 'GR' : 'CR', Array.from(regs, (v) => v >>> 0), cpuLinePrefix(target, cpuCount))) {
          print(l);
        }
        break;
      }
      case 'psw': {
        const [high, low] = currentCpu().getPsw();
        for (const l of formatPswCommand(high, low)) print(l);
        break;
      }
      case 'pr':
        print(`Prefix=${hex8(currentCpu().prefix)}`);
        break;
      case 'restart':
        print('HHCPN038I Restart key depressed');
        machine.restart(target);
        announced[target] = false;
        break;
      case 'stop':
        if (currentCpu().state === 'operating') currentCpu().state = 'stopped';
        break;
      case 'start':
        if (currentCpu().state === 'stopped') currentCpu().state = 'operating';
        announced[target] = false;
        break;
      case 'sysclear':
        machine.reset('clear');
        announced.fill(false);
        lastPause = null;
        break;
      case 'sysreset':
        machine.reset('cpu');
        announced.fill(false);
        lastPause = null;
        break;
      case 'archmode':
        if (cmd.mode === null) print('HHCPN126I Architecture mode = ESA/390');
        break;
      case 'cpu':
        if (cmd.cpu >= cpuCount) return fail(cmd, 'CONSOLE_NO_CPU', `CPU ${cmd.cpu.toString(16).toUpperCase()} does not exist (the machine has ${cpuCount})`);
        target = cmd.cpu;
        break;
      case 'loadcore': {
        if (!options.loadFile) return fail(cmd, 'CONSOLE_NO_FILES', 'loadcore needs a file loader (none configured)');
        const data = options.loadFile(cmd.file);
        if (!(data instanceof Uint8Array)) return fail(cmd, 'CONSOLE_LOADCORE', `cannot load ${cmd.file}: ${data.error}`);
        print(`HHCPN112I Loading ${cmd.file} to location ${cmd.address.toString(16)} `);
        const room = Math.max(0, storage.size - cmd.address);
        const part = data.subarray(0, Math.min(data.length, room));
        for (let off = 0; off < part.length; off += FRAME_SIZE) {
          storage.writeFrom((cmd.address + off) as AbsoluteAddress, part.subarray(off, Math.min(part.length, off + FRAME_SIZE)));
        }
        print(`HHCPN113I ${part.length} bytes read from ${cmd.file}`);
        break;
      }
      case 'ipl': {
        if (!options.ipl) {
          return fail(
            cmd,
            'CONSOLE_NO_IPL_DEVICE',
            `cannot IPL from device ${cmd.device.toString(16).toUpperCase().padStart(4, '0')}: no channel subsystem with IPL support is configured`,
          );
        }
        const err = options.ipl(machine, cmd.device, target);
        if (err !== null) return fail(cmd, 'CONSOLE_IPL', err);
        break;
      }
      case 'pause': {
        if (options.echo) print(`HHCPN011I Pausing SCRIPT file processing for ${Math.trunc(cmd.seconds)} seconds...`);
        lastPause = null;
        for (;;) {
          if (budgetLeft <= 0) {
            lastPause = { reason: 'budget' };
            break;
          }
          const before = machine.cpus.reduce((n, c) => n + c.instructions, 0);
          const exit = machine.run(Math.min(slice, budgetLeft));
          const ran = machine.cpus.reduce((n, c) => n + c.instructions, 0) - before;
          budgetLeft -= ran;
          lastPause = exit;
          if (exit.reason !== 'budget') break;
          options.onProgress?.(before + ran);
        }
        machine.cpus.forEach((cpu, i) => {
          if (isDisabledWait(cpu) && !announced[i]) {
            announced[i] = true;
            const [high, low] = cpu.getPsw();
            print(`HHCCP011I ${cpuLinePrefix(i, 2).trimEnd()} Disabled wait state`);
            print(`          PSW=${hex8(high)} ${hex8(low)}`);
          }
        });
        if (options.echo) print('HHCPN012I Resuming SCRIPT file processing...');
        break;
      }
      case 'quit':
        return { output, state: consoleFinalState(machine, target, lastPause), error: null, quit: true };
    }
  }
  return { output, state: consoleFinalState(machine, target, lastPause), error: null, quit: false };
}
