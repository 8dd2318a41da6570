/**
 * The system-side state of an ESA/390 CPU that the core CPU object does not
 * hold: timing facilities (clock comparator, CPU timer), the raw pending
 * interruption conditions, SIGP signals, and the link to the configuration
 * (the CPUs of one machine, the TOD clock they share, the channel
 * subsystem). It hangs off the CPU through a WeakMap, so the core object stays
 * small and monomorphic; it is looked up only on rare paths (system
 * instructions, interruption delivery, machine scheduling).
 */
import type { SimClock } from '../../framework/clock';
import type { IoHandler } from '../../framework/io';
import type { Esa390Cpu } from '../cpu';
import type { SieFacility } from './sie';

/** Pending-interruption bits as kept in `cpu.pending` and `Esa390CpuSystem.raw`. */
export const PENDING = {
  /** Restart (operator `restart` key, SIGP restart): not maskable. */
  RESTART: 0x01,
  /** SIGP external call (CR0 bit 18, X'2000'); interruption code X'1202'. */
  EXTERNAL_CALL: 0x04,
  /** SIGP emergency signal (CR0 bit 17, X'4000'); interruption code X'1201'. */
  EMERGENCY_SIGNAL: 0x08,
  /** Clock comparator: TOD clock > comparator (CR0 bit 20, X'0800'); code X'1004'. */
  CLOCK_COMPARATOR: 0x10,
  /** CPU timer negative (CR0 bit 21, X'0400'); code X'1005'. */
  CPU_TIMER: 0x20,
  /** An I/O interruption may be pending in the channel subsystem (CR6 subclass masks). */
  IO: 0x40,
} as const;

/** CR0 bit 17, emergency-signal subclass mask (POP "Control Registers"). */
export const CR0_EMERGENCY_SIGNAL = 0x4000;
/** CR0 bit 18, external-call subclass mask. */
export const CR0_EXTERNAL_CALL = 0x2000;
/** CR0 bit 20, clock-comparator subclass mask. */
export const CR0_CLOCK_COMPARATOR = 0x0800;
/** CR0 bit 21, CPU-timer subclass mask. */
export const CR0_CPU_TIMER = 0x0400;
/** CR0 bit 1: SSM suppression (SET SYSTEM MASK raises the special-operation exception). */
export const CR0_SSM_SUPPRESSION = 0x40000000;

/**
 * The CPU identification STIDP stores (POP "STORE CPU ID"): version code,
 * six-digit serial number and four-digit model number, each given as the hex
 * digits the instruction stores (serial 000611 is 0x000611).
 */
export interface Esa390CpuId {
  readonly version: number;
  readonly serial: number;
  readonly model: number;
}

/** Hercules 3.13's defaults for the oracle configuration (CPUSERIAL 000611, CPUMODEL 3090, version X'FD'). */
export const DEFAULT_CPU_ID: Esa390CpuId = Object.freeze({ version: 0xfd, serial: 0x000611, model: 0x3090 });

/**
 * What the CPUs of one machine share: the CPU list (index = CPU address, as
 * SIGP names them), the TOD clock, the channel subsystem and the CPU ID.
 */
export interface Esa390Configuration {
  readonly cpus: readonly Esa390Cpu[];
  /** Channel-subsystem instruction handler; null: a machine with no devices. */
  io: IoHandler | null;
  /** The interpretive-execution facility; null: SIE is not installed (operation exception). */
  sie: SieFacility | null;
  /** The machine clock devices schedule their events on; null outside a machine. */
  readonly clock: SimClock | null;
  /**
   * TOD clock value in microseconds at local time 0: the TOD clock reads
   * `todOffset + localTime / cyclesPerMicrosecond` (SET CLOCK moves the offset).
   */
  todOffset: number;
  /**
   * The last value STORE CLOCK stored in this configuration (microseconds):
   * the CPUs' local times differ within a scheduling round, and STCK values
   * must still increase across the configuration in the order the
   * instructions ran (POP: the values stored are unique and increasing).
   */
  lastTod: number;
  /** Simulated cycles per microsecond (the machine model's MHz). */
  readonly cyclesPerMicrosecond: number;
  readonly cpuId: Esa390CpuId;
}

/** Interruptions a CPU has taken, by class (program interruptions are the core's and not counted here). */
export interface Esa390InterruptionCounts {
  external: number;
  io: number;
  svc: number;
  restart: number;
}

/**
 * Per-CPU system state. Times are in cycles of the CPU's *local time*
 * `cpu.cycles + skew`; the machine moves `skew` so that local time follows
 * the machine's clock while the CPU waits or is stopped.
 */
export class Esa390CpuSystem {
  /** Raw pending conditions (PENDING bits), before PSW and control-register masks. */
  raw = 0;
  /** Local time = cpu.cycles + skew. */
  skew = 0;
  /** Clock comparator, microseconds (TOD units), and its exact two words. */
  ckc = 0;
  readonly ckcWords = new Uint32Array(2);
  /** CPU timer value in microseconds at local time `timerSetAt`. */
  timerValue = 0;
  timerSetAt = 0;
  /** CPU address of the sender of the pending external call, or -1. */
  externalCallFrom = -1;
  /** CPU addresses with a pending emergency signal for this CPU. */
  readonly emergencyFrom: Uint8Array;
  emergencyCount = 0;
  /**
   * The channel subsystem had nothing for the subclasses CR6 enabled when it
   * was last asked (`ioBlockedCr6`); it is not asked again until CR6 changes
   * or a new interruption is reported.
   */
  ioBlocked = false;
  ioBlockedCr6 = 0;
  /**
   * Local time of the machine clock's next event (a device completing): the
   * CPU ends its quantum there, so the event fires on time instead of at the
   * end of the round. Infinity outside a machine.
   */
  eventAt = Number.POSITIVE_INFINITY;
  /** Interruptions taken, by class. */
  readonly interruptions: Esa390InterruptionCounts = { external: 0, io: 0, svc: 0, restart: 0 };
  readonly configuration: Esa390Configuration;

  constructor(configuration: Esa390Configuration, cpuCount: number) {
    this.configuration = configuration;
    this.emergencyFrom = new Uint8Array(Math.max(1, cpuCount));
  }
}

const SYSTEMS = new WeakMap<Esa390Cpu, Esa390CpuSystem>();

/**
 * Attach a CPU to a configuration (the machine does this for each CPU it
 * builds). Replaces any previous attachment.
 */
export function attachSystem(cpu: Esa390Cpu, configuration: Esa390Configuration): Esa390CpuSystem {
  const sys = new Esa390CpuSystem(configuration, configuration.cpus.length);
  SYSTEMS.set(cpu, sys);
  return sys;
}

/**
 * The system state of a CPU. A CPU built outside a machine gets a
 * configuration of its own (one CPU, no devices, TOD clock starting at 0)
 * on first use.
 */
export function systemOf(cpu: Esa390Cpu): Esa390CpuSystem {
  let sys = SYSTEMS.get(cpu);
  if (sys === undefined) {
    sys = attachSystem(cpu, {
      cpus: [cpu],
      io: null,
      sie: null,
      clock: null,
      todOffset: 0,
      lastTod: Number.NEGATIVE_INFINITY,
      cyclesPerMicrosecond: cpu.costModel.mhz,
      cpuId: DEFAULT_CPU_ID,
    });
  }
  return sys;
}

/** The CPU in the configuration with CPU address `address`, if any. */
export function cpuAt(configuration: Esa390Configuration, address: number): Esa390Cpu | undefined {
  const cpus = configuration.cpus;
  for (let i = 0; i < cpus.length; i++) if (cpus[i]!.id === address) return cpus[i];
  return undefined;
}
