/**
 * Helpers for tests that run ESA/390 programs: assemble source into a
 * machine's storage, start a CPU at an address, run to the wait state that
 * ends a bare-metal program, and read the program-interruption information
 * the architecture stores in the prefix area. They throw on what is a bug
 * in the test (bad assembler source, a program that never stops), never on
 * guest behaviour a test may want to look at.
 */
import { absoluteAddress } from '../framework/addresses';
import type { Exit } from '../framework/exit';
import type { StoragePort } from '../framework/storage';
import { assemble } from '../esa390/asm/assembler';
import { formatAsmError } from '../esa390/asm/listing';
import type { AssemblyResult } from '../esa390/asm/types';
import type { Esa390Cpu } from '../esa390/cpu';
import { type Esa390Machine, type Esa390MachineOptions, createEsa390Machine } from '../esa390/machine';
import { formatPsw } from '../esa390/psw';
import { LOWCORE } from '../esa390/system/interrupts';

/** A program assembled into storage. */
export interface LoadedProgram {
  /** Entry point: the END operand, or the lowest assembled address when END names none. */
  readonly entry: number;
  /** Lowest assembled address. */
  readonly origin: number;
  /** The whole assembly (listing statements, chunks, symbols). */
  readonly assembly: AssemblyResult;
  /** Value of a symbol (an address for labels); throws when the program does not define it. */
  symbol(name: string): number;
}

/**
 * Assemble `source` (HLASM-flavoured, see the assembler's README) and store
 * its object code at the absolute addresses it was assembled for, in
 * `target` (a machine, or any StoragePort). Throws an Error listing every
 * assembly error as `file:line:column: error CODE: message`, or a RangeError
 * when the object code does not fit in storage.
 */
export function assembleAndLoad(target: { readonly storage: StoragePort } | StoragePort, source: string, file = '<source>'): LoadedProgram {
  const storage = 'storage' in target ? target.storage : target;
  const assembly = assemble(source);
  if (!assembly.ok) throw new Error(assembly.errors.map((e) => formatAsmError(e, file)).join('\n'));
  for (const c of assembly.chunks) {
    if (c.address + c.bytes.length > storage.size) {
      throw new RangeError(`${file}: object code at X'${c.address.toString(16).toUpperCase()}' (${c.bytes.length} bytes) does not fit in ${storage.size} bytes of storage`);
    }
    storage.writeFrom(absoluteAddress(c.address), c.bytes);
  }
  const symbols = new Map(assembly.symbols.map((s) => [s.name, s.value]));
  return {
    entry: assembly.entry ?? assembly.origin,
    origin: assembly.origin,
    assembly,
    symbol(name) {
      const v = symbols.get(name.toUpperCase());
      if (v === undefined) throw new Error(`${file}: no symbol ${name}`);
      return v;
    },
  };
}

/** A fresh machine with a program assembled into it (see `bootProgram`). */
export interface BootedProgram extends LoadedProgram {
  readonly machine: Esa390Machine;
  /** CPU 0. */
  readonly cpu: Esa390Cpu;
  /** The unsigned fullword at absolute `address`. */
  word(address: number): number;
  /** The halfword at absolute `address`. */
  half(address: number): number;
}

/**
 * A new machine (1 MB of main storage unless `options` say otherwise) with
 * `source` assembled into it by `assembleAndLoad`, and readers for the
 * results a test program leaves in storage. Nothing runs yet: start it the
 * way the program expects (`machine.restart()` for a restart new PSW at real
 * 0, or `startCpu`).
 */
export function bootProgram(source: string, options: Partial<Esa390MachineOptions> = {}, file = '<source>'): BootedProgram {
  const machine = createEsa390Machine({ mainsize: 1 << 20, ...options });
  const program = assembleAndLoad(machine, source, file);
  const storage = machine.storage;
  return {
    entry: program.entry,
    origin: program.origin,
    assembly: program.assembly,
    symbol: program.symbol,
    machine,
    cpu: machine.cpus[0]!,
    word: (address) => storage.read32(absoluteAddress(address)) >>> 0,
    half: (address) => storage.read16(absoluteAddress(address)),
  };
}

/** Options of `startCpu`. */
export interface StartOptions {
  /** CPU address. Default 0. */
  readonly cpu?: number;
  /** Problem state (PSW bit 15). Default false: supervisor state. */
  readonly problemState?: boolean;
  /** PSW key 0-15. Default 0. */
  readonly key?: number;
  /** 31-bit addressing (PSW bit 32). Default true. */
  readonly amode31?: boolean;
}

/**
 * Make a CPU operating with an ESA/390 PSW at `address`: DAT off, I/O and
 * external interruptions disabled, condition code 0, the given state, key and
 * addressing mode (POP "Program-Status Word"). The alternative is the way a
 * real machine starts: a restart new PSW at real 0 and `machine.restart()`.
 */
export function startCpu(machine: Esa390Machine, address: number, options: StartOptions = {}): Esa390Cpu {
  const cpu = machine.cpus[options.cpu ?? 0];
  if (cpu === undefined) throw new RangeError(`no CPU ${options.cpu} in a ${machine.cpus.length}-CPU machine`);
  const high = 0x00080000 | (((options.key ?? 0) & 0xf) << 20) | (options.problemState ? 0x00010000 : 0);
  const low = options.amode31 === false ? address & 0x00ffffff : (0x80000000 | address) >>> 0;
  cpu.setPsw(high >>> 0, low >>> 0);
  cpu.state = 'operating';
  return cpu;
}

/** How `runToWait` found the machine. */
export interface WaitState {
  /** The last exit of each CPU (each a wait, or stopped for CPUs never started). */
  readonly exits: readonly Exit[];
  /** CPU 0's PSW, its two words. */
  readonly psw: readonly [high: number, low: number];
  /** Instructions the CPUs executed in this call. */
  readonly instructions: number;
}

/**
 * Run the machine until no CPU can continue and at least one is in a wait
 * state, as a bare-metal test program ends (typically LPSW of a disabled
 * wait PSW). Throws, with every CPU's PSW, when the budget runs out first, a
 * CPU exits to the host (interception, breakpoint) or check-stops.
 */
export function runToWait(machine: Esa390Machine, budget = 10_000_000): WaitState {
  const before = machine.cpus.reduce((n, c) => n + c.instructions, 0);
  const x = machine.run(budget);
  const psws = machine.cpus.map((c, i) => `CPU${i} ${formatPsw(...c.getPsw())}`).join('; ');
  if (x.reason !== 'halted') throw new Error(`runToWait: the machine did not reach a wait state: ${JSON.stringify(x)}; ${psws}`);
  if (x.exits.some((e) => e.reason === 'check-stop') || !x.exits.some((e) => e.reason === 'wait')) {
    throw new Error(`runToWait: no CPU in a wait state: ${JSON.stringify(x.exits)}; ${psws}`);
  }
  const psw = machine.cpus[0]!.getPsw();
  return { exits: x.exits, psw: [psw[0], psw[1]], instructions: machine.cpus.reduce((n, c) => n + c.instructions, 0) - before };
}

/** The last program interruption of a CPU, as stored in its prefix area (POP "Program Interruption"). */
export interface ProgramInterruptionInfo {
  /** Program-interruption code, real X'8E'. */
  readonly code: number;
  /** Instruction-length code 0-3 (instruction length / 2), from real X'8D'. */
  readonly ilc: number;
  /** Program old PSW, real X'28'. */
  readonly oldPsw: readonly [high: number, low: number];
}

/** Read the program-interruption code, ILC and program old PSW from `cpu`'s prefix area. */
export function programInterruption(cpu: Esa390Cpu): ProgramInterruptionInfo {
  const id = cpu.readReal32(LOWCORE.PROGRAM_INTERRUPTION);
  return {
    code: id & 0xffff,
    ilc: (id >>> 17) & 3,
    oldPsw: [cpu.readReal32(LOWCORE.PROGRAM_OLD_PSW) >>> 0, cpu.readReal32(LOWCORE.PROGRAM_OLD_PSW + 4) >>> 0],
  };
}
