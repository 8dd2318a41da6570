/**
 * An ESA/390 machine: main storage, one or more CPUs sharing it, one TOD
 * clock, an optional channel subsystem, and a deterministic scheduler that
 * interleaves the CPUs (POP SA22-7201 chapter 4, "Control": a configuration of
 * CPUs with shared main storage; prefixing gives each its own low core).
 *
 * Interleaving: fixed-quantum round-robin in CPU-address order. Each
 * operating CPU runs `quantum` instructions, or until it waits, stops, exits,
 * or its local time reaches the clock's next event; the round then ends, the
 * machine clock advances to the latest local time any CPU reached, and clock
 * events due by then (device completions) fire. The same program, storage and options therefore give
 * the same result on every run. When no CPU can execute (all stopped or
 * waiting), simulated time jumps to the next event — a device event on the
 * clock or a CPU's clock-comparator/CPU-timer deadline — instead of spinning.
 */
import { SimClock } from '../framework/clock';
import type { CostModel } from '../framework/cost-model';
import type { Exit, InterceptionPolicy } from '../framework/exit';
import type { IoHandler } from '../framework/io';
import { SparseStorage } from '../framework/storage';
import { ESA390_REFERENCE_MACHINE } from './cost';
import { Esa390Cpu } from './cpu';
import type { Esa390Dat, Esa390DatContext } from './dat';
import { raisePending, refreshPending, restartCpu } from './system/interrupts';
import { clearCpuReset, cpuReset, initialCpuReset } from './system/reset';
import type { SieFacility } from './system/sie';
import {
  attachSystem,
  DEFAULT_CPU_ID,
  type Esa390Configuration,
  type Esa390CpuId,
  type Esa390CpuSystem,
  type Esa390InterruptionCounts,
  PENDING,
  systemOf,
} from './system/state';
import { syncLocalTime, watchClock } from './system/timing';

/** Options of `createEsa390Machine`. */
export interface Esa390MachineOptions {
  /**
   * Main-storage size in bytes, a multiple of 4096 (Hercules' MAINSIZE 16 is
   * 16 × 2^20). Required unless `storage` is given; if both are, they must agree.
   */
  readonly mainsize?: number;
  /** Main storage to use instead of a new one (e.g. one a channel subsystem was built against). */
  readonly storage?: SparseStorage;
  /** Number of CPUs; CPU addresses are 0 … cpus-1. Default 1. */
  readonly cpus?: number;
  /**
   * Channel subsystem (@strachey/io-channel); without one the machine has no
   * devices. A function is called once with the machine's storage, so the
   * channel subsystem can be built against it.
   */
  readonly io?: IoHandler | ((storage: SparseStorage) => IoHandler);
  /** Cost model of the machine; its MHz relates cycles to TOD-clock microseconds. Default ESA390_REFERENCE_MACHINE. */
  readonly costModel?: CostModel;
  /** Simulated clock shared with devices; default a new SimClock at the cost model's MHz. */
  readonly clock?: SimClock;
  /** STIDP identification; default version X'FD', serial 000611, model 3090 (the Hercules oracle configuration). */
  readonly cpuId?: Partial<Esa390CpuId>;
  /** DAT port factory (@strachey/mmu `createEsa390Dat`), called once per CPU with that CPU's context. */
  readonly dat?: (context: Esa390DatContext, storage: SparseStorage) => Esa390Dat;
  /** Interception policy of every CPU; default none (bare machine). */
  readonly policy?: InterceptionPolicy;
  /** Instructions per CPU per round of the round-robin. Default 1000. */
  readonly quantum?: number;
  /** TOD clock value in microseconds at simulated time 0. Default 0. */
  readonly todStart?: number;
  /** The interpretive-execution facility (SIE); without one SIE is an operation exception. */
  readonly sie?: SieFacility;
}

/** Which reset `Esa390Machine.reset` performs (POP "Resets"). */
export type Esa390ResetKind = 'cpu' | 'initial' | 'clear';

/** Why `Esa390Machine.run` returned. */
export type Esa390MachineExit =
  /** The instruction budget is used up. */
  | { readonly reason: 'budget' }
  /**
   * No CPU can continue: each is stopped, check-stopped, or in a wait that no
   * pending or scheduled event can end. `exits[i]` is CPU i's last exit.
   */
  | { readonly reason: 'halted'; readonly exits: readonly Exit[] }
  /** A CPU stopped for the host: an interception or a breakpoint. Fix up and call run() again. */
  | { readonly reason: 'cpu'; readonly cpu: number; readonly exit: Exit };

/** What a machine has done so far: time, and per CPU its instructions, cycles and interruptions. */
export interface Esa390MachineCounters {
  /** Machine time in cycles. */
  readonly time: number;
  readonly cpus: readonly {
    readonly instructions: number;
    readonly cycles: number;
    readonly interruptions: Readonly<Esa390InterruptionCounts>;
  }[];
}

/** A configured ESA/390 machine; see `createEsa390Machine`. */
export interface Esa390Machine {
  readonly storage: SparseStorage;
  readonly clock: SimClock;
  /** The CPUs, indexed by CPU address. */
  readonly cpus: readonly Esa390Cpu[];
  readonly io: IoHandler | null;
  readonly costModel: CostModel;
  readonly quantum: number;
  /**
   * Run the CPUs until `budgetInstructions` instructions and interruptions
   * (all CPUs together) have been executed or taken, or an exit. A jump of simulated time while every CPU waits
   * counts as one instruction of the budget.
   */
  run(budgetInstructions: number): Esa390MachineExit;
  /** The restart function on one CPU (Hercules console `restart`): starts it and takes a restart interruption. */
  restart(cpu?: number): void;
  /**
   * 'cpu': CPU reset of every CPU; 'initial': initial CPU reset and the I/O
   * handler's `reset()` if it has one; 'clear': the same, registers and storage cleared.
   */
  reset(kind: Esa390ResetKind): void;
  /** Simulated time in cycles. */
  now(): number;
  /** Counters: time, instructions, cycles and interruptions by class per CPU. */
  counters(): Esa390MachineCounters;
}

const HALT_EXIT_STOPPED: Exit = Object.freeze({ reason: 'stopped' });

class Machine implements Esa390Machine {
  readonly storage: SparseStorage;
  readonly clock: SimClock;
  readonly cpus: Esa390Cpu[] = [];
  readonly io: IoHandler | null;
  readonly costModel: CostModel;
  readonly quantum: number;
  private readonly lastExit: Exit[] = [];
  /** System state of each CPU, by index (looked up once instead of per round). */
  private readonly systems: Esa390CpuSystem[] = [];

  constructor(options: Esa390MachineOptions) {
    const count = options.cpus ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 64) throw new RangeError(`cpus must be 1-64, got ${count}`);
    const quantum = options.quantum ?? 1000;
    if (!Number.isInteger(quantum) || quantum < 1) throw new RangeError(`quantum must be a positive integer, got ${quantum}`);
    this.quantum = quantum;
    const given = options.storage;
    if (given === undefined && options.mainsize === undefined) throw new RangeError('createEsa390Machine needs mainsize or storage');
    if (given !== undefined && options.mainsize !== undefined && given.size !== options.mainsize) {
      throw new RangeError(`mainsize ${options.mainsize} differs from the given storage's size ${given.size}`);
    }
    this.storage = given ?? new SparseStorage(options.mainsize ?? 0);
    this.costModel = options.costModel ?? ESA390_REFERENCE_MACHINE;
    this.clock = options.clock ?? new SimClock(this.costModel.mhz);
    const io = options.io;
    this.io = io === undefined ? null : typeof io === 'function' ? io(this.storage) : io;
    const configuration: Esa390Configuration = {
      cpus: this.cpus,
      io: this.io,
      sie: options.sie ?? null,
      clock: this.clock,
      todOffset: options.todStart ?? 0,
      lastTod: Number.NEGATIVE_INFINITY,
      cyclesPerMicrosecond: this.clock.cyclesPerMicrosecond,
      cpuId: { ...DEFAULT_CPU_ID, ...options.cpuId },
    };
    for (let i = 0; i < count; i++) {
      const cpu = new Esa390Cpu({
        id: i,
        storage: this.storage,
        costModel: this.costModel,
        ...(options.policy ? { policy: options.policy } : {}),
      });
      this.cpus.push(cpu);
      this.lastExit.push(HALT_EXIT_STOPPED);
    }
    for (const cpu of this.cpus) {
      this.systems.push(attachSystem(cpu, configuration));
      if (options.dat) {
        const context: Esa390DatContext = {
          cr: cpu.cr,
          addressSpaceControl: () => cpu.asc,
          realToAbsolute: (real) => cpu.realToAbsolute(real),
        };
        cpu.dat = options.dat(context, this.storage);
      }
      // The local time of every CPU starts at the machine's time.
      systemOf(cpu).skew = this.clock.now();
      clearCpuReset(cpu);
    }
    this.io?.setPendingListener(() => {
      for (const cpu of this.cpus) raisePending(cpu, PENDING.IO);
    });
  }

  now(): number {
    return this.clock.now();
  }

  counters(): Esa390MachineCounters {
    return {
      time: this.clock.now(),
      cpus: this.cpus.map((cpu, i) => ({
        instructions: cpu.instructions,
        cycles: cpu.cycles,
        interruptions: { ...this.systems[i]!.interruptions },
      })),
    };
  }

  restart(cpu = 0): void {
    const c = this.cpus[cpu];
    if (c === undefined) throw new RangeError(`no CPU ${cpu} in a ${this.cpus.length}-CPU machine`);
    this.sync(c, this.systems[cpu]!, this.clock.now());
    restartCpu(c);
  }

  reset(kind: Esa390ResetKind): void {
    if (kind === 'clear') this.storage.clear();
    // Initial and clear resets include the I/O-system reset (POP "Resets"); a CPU reset does not.
    if (kind !== 'cpu') this.io?.reset?.();
    for (const cpu of this.cpus) {
      if (kind === 'cpu') cpuReset(cpu);
      else if (kind === 'initial') initialCpuReset(cpu);
      else clearCpuReset(cpu);
    }
  }

  /**
   * Bring a CPU's local time up to machine time `t`. A stopped CPU's CPU
   * timer does not run (POP: it is decremented only in the operating state),
   * so its reference point moves along; a waiting CPU's timer does run.
   */
  private sync(cpu: Esa390Cpu, sys: Esa390CpuSystem, t: number): void {
    syncLocalTime(cpu, t, sys);
    // Also the safety net for PSW changes made outside the system side
    // (the program new PSW the core loads may enable a pending class).
    refreshPending(cpu, sys);
  }

  run(budgetInstructions: number): Esa390MachineExit {
    let left = Math.floor(budgetInstructions);
    const cpus = this.cpus;
    const clock = this.clock;
    for (;;) {
      if (left <= 0) return { reason: 'budget' };
      const start = clock.now();
      let end = start;
      let executed = 0;
      for (let i = 0; i < cpus.length; i++) {
        const cpu = cpus[i]!;
        const sys = this.systems[i]!;
        this.sync(cpu, sys, start);
        if (cpu.state !== 'operating') {
          this.lastExit[i] = cpu.state === 'stopped' ? HALT_EXIT_STOPPED : { reason: 'check-stop', why: cpu.checkStopReason };
          continue;
        }
        // Stop this quantum at the next device event, so it fires on time.
        watchClock(cpu, sys);
        // Interruptions count with instructions (as in Esa390Cpu.run), so a
        // program-interruption loop that completes no instruction still uses up the budget.
        const before = cpu.instructions + cpu.interruptionCount;
        const exit = cpu.run(Math.min(this.quantum, left));
        const n = cpu.instructions + cpu.interruptionCount - before;
        executed += n;
        left -= n;
        this.lastExit[i] = exit;
        const local = cpu.cycles + sys.skew;
        if (local > end) end = local;
        if (exit.reason === 'interception' || exit.reason === 'breakpoint') {
          clock.advanceTo(Math.ceil(end));
          return { reason: 'cpu', cpu: i, exit };
        }
        if (left <= 0) break;
      }
      if (executed > 0) {
        clock.advanceTo(Math.ceil(end));
        continue;
      }
      // Nothing ran: every CPU is stopped or waiting. Jump to the next event that can wake one.
      let wake = clock.nextEventTime();
      for (let i = 0; i < cpus.length; i++) {
        const cpu = cpus[i]!;
        const exit = this.lastExit[i]!;
        if (cpu.state !== 'operating' || exit.reason !== 'wait' || !exit.enabled) continue;
        const deadline = cpu.timerDeadline + this.systems[i]!.skew;
        if (deadline < wake) wake = deadline;
      }
      if (wake === Number.POSITIVE_INFINITY) return { reason: 'halted', exits: this.lastExit.slice() };
      // Time moves forward by at least one cycle, so a deadline never repeats;
      // each jump counts against the budget, so run() returns even when a
      // periodic device event keeps waking CPUs that stay masked.
      clock.advanceTo(Math.max(Math.ceil(wake), start + 1));
      left--;
    }
  }
}

/**
 * Build an ESA/390 machine: `mainsize` bytes of storage, `cpus` CPUs (all
 * stopped after a clear reset, as a machine is at power-on), an optional
 * channel subsystem whose pending interruptions every CPU sees, and one TOD
 * clock. Load a program into storage and call `restart()` (restart new PSW at
 * real 0) or set a CPU's PSW and state, then `run()`.
 */
export function createEsa390Machine(options: Esa390MachineOptions): Esa390Machine {
  return new Machine(options);
}
