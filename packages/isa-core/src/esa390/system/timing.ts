/**
 * The timing facilities of ESA/390 (POP SA22-7201, "Timing"): the TOD clock
 * shared by the CPUs of a configuration, and each CPU's clock comparator and
 * CPU timer. All three run on simulated time: a CPU's local time is its cycle
 * count plus the skew the machine applies while it waits or is stopped, and
 * one microsecond is `cyclesPerMicrosecond` cycles (the model's MHz).
 *
 * The clock-comparator and CPU-timer conditions are *states*, not events:
 * the interruption stays pending while TOD > comparator or while the timer is
 * negative, until the program changes the comparator or the timer. The CPU
 * evaluates them only when its cycle count reaches `cpu.timerDeadline`, the
 * earliest local time at which one of them can become true.
 */
import type { Esa390Cpu } from '../cpu';
import { refreshPending } from './interrupts';
import { type Esa390CpuSystem, PENDING, systemOf } from './state';
import { unsignedWordsToMicros } from './tod';

/** Local time of the CPU in cycles. */
export function localTime(cpu: Esa390Cpu, sys: Esa390CpuSystem): number {
  return cpu.cycles + sys.skew;
}

/** Current TOD clock value in microseconds, as this CPU sees it. */
export function todMicros(cpu: Esa390Cpu, sys: Esa390CpuSystem = systemOf(cpu)): number {
  const c = sys.configuration;
  return c.todOffset + localTime(cpu, sys) / c.cyclesPerMicrosecond;
}

/** Current CPU-timer value in microseconds (negative once expired). */
export function cpuTimerMicros(cpu: Esa390Cpu, sys: Esa390CpuSystem = systemOf(cpu)): number {
  return sys.timerValue - (localTime(cpu, sys) - sys.timerSetAt) / sys.configuration.cyclesPerMicrosecond;
}

/** Set the CPU timer (SPT, resets, restore). */
export function setCpuTimer(cpu: Esa390Cpu, sys: Esa390CpuSystem, micros: number): void {
  sys.timerValue = micros;
  sys.timerSetAt = localTime(cpu, sys);
}

/**
 * Re-evaluate the clock-comparator and CPU-timer conditions at the CPU's
 * current local time, set or clear their raw pending bits, and compute the
 * next deadline. Returns true when a raw bit changed.
 */
export function updateTimers(cpu: Esa390Cpu, sys: Esa390CpuSystem = systemOf(cpu)): boolean {
  const c = sys.configuration;
  const mhz = c.cyclesPerMicrosecond;
  const now = localTime(cpu, sys);
  const before = sys.raw;
  let deadline = Number.POSITIVE_INFINITY;

  // TOD > CKC  <=>  now > (ckc - todOffset) * mhz
  const ckcAt = (sys.ckc - c.todOffset) * mhz;
  if (now > ckcAt) sys.raw |= PENDING.CLOCK_COMPARATOR;
  else {
    sys.raw &= ~PENDING.CLOCK_COMPARATOR;
    deadline = Math.floor(ckcAt) + 1;
  }

  // timer < 0  <=>  now > timerSetAt + timerValue * mhz
  const timerAt = sys.timerSetAt + sys.timerValue * mhz;
  if (now > timerAt) sys.raw |= PENDING.CPU_TIMER;
  else {
    sys.raw &= ~PENDING.CPU_TIMER;
    const t = Math.floor(timerAt) + 1;
    if (t < deadline) deadline = t;
  }

  cpu.timerDeadline = Math.min(deadline, sys.eventAt) - sys.skew;
  return sys.raw !== before;
}

/** Set the TOD clock of the whole configuration (SCK); the caller re-evaluates the CPUs' comparators. */
export function setTod(cpu: Esa390Cpu, sys: Esa390CpuSystem, micros: number): void {
  const c = sys.configuration;
  c.todOffset = micros - localTime(cpu, sys) / c.cyclesPerMicrosecond;
  c.lastTod = Number.NEGATIVE_INFINITY;
}

/**
 * The value STORE CLOCK stores: the TOD clock, but never less than or equal
 * to the last value stored in the configuration (one TOD unit, 1/4096 us,
 * more, or the next representable value once the clock is too large for
 * that unit to show in a double).
 */
export function storeClockMicros(cpu: Esa390Cpu, sys: Esa390CpuSystem = systemOf(cpu)): number {
  const c = sys.configuration;
  let v = todMicros(cpu, sys);
  if (v <= c.lastTod) {
    v = c.lastTod + 1 / 4096;
    if (v <= c.lastTod) v = c.lastTod + Math.abs(c.lastTod) * Number.EPSILON;
  }
  c.lastTod = v;
  return v;
}

/** The local time (in cycles) at which the CPU's next timing condition can arise, for the machine's idle loop. */
export function nextTimerEvent(cpu: Esa390Cpu, sys: Esa390CpuSystem = systemOf(cpu)): number {
  return cpu.timerDeadline + sys.skew;
}

/**
 * Note the machine clock's next event as this CPU's `eventAt`, so its
 * quantum ends there (the machine does this before each quantum; an I/O
 * instruction that schedules a device event does it again).
 */
export function watchClock(cpu: Esa390Cpu, sys: Esa390CpuSystem = systemOf(cpu)): void {
  const clock = sys.configuration.clock;
  const at = clock === null ? Number.POSITIVE_INFINITY : clock.nextEventTime();
  if (at !== sys.eventAt) {
    sys.eventAt = at;
    updateTimers(cpu, sys);
  }
}

/**
 * Bring a CPU's local time up to machine time `t` (cycles) after it waited,
 * was stopped or was not dispatched: its TOD clock then reads the machine's.
 * The CPU timer runs on in the operating state (waits included) and stands
 * still while the CPU is stopped (POP "CPU Timer"). Hosts that schedule CPUs
 * themselves (LPAR, VM dispatchers) call this before running a CPU.
 */
export function syncLocalTime(cpu: Esa390Cpu, t: number, sys: Esa390CpuSystem = systemOf(cpu)): void {
  const behind = t - (cpu.cycles + sys.skew);
  if (behind > 0) {
    sys.skew += behind;
    if (cpu.state !== 'operating') sys.timerSetAt += behind;
    updateTimers(cpu, sys);
  }
}

/** The timing state a host saves and loads for a CPU (a virtual CPU's, a snapshot's). */
export interface Esa390Timers {
  /** CPU timer in microseconds (negative once expired), as STPT would store it now. */
  readonly cpuTimer: number;
  /** Clock comparator as the two words SCKC loads and STCKC stores (bit 51 is the microsecond). */
  readonly clockComparator: readonly [high: number, low: number];
}

/** Read a CPU's CPU timer and clock comparator (POP "CPU Timer", "Clock Comparator"). */
export function getTimers(cpu: Esa390Cpu, sys: Esa390CpuSystem = systemOf(cpu)): Esa390Timers {
  return { cpuTimer: cpuTimerMicros(cpu, sys), clockComparator: [sys.ckcWords[0]!, sys.ckcWords[1]!] };
}

/**
 * Load a CPU's CPU timer and/or clock comparator from the host, as SPT and
 * SCKC would, and re-evaluate both conditions: an expired timer or a passed
 * comparator becomes pending (and deliverable once enabled) at the next
 * instruction boundary.
 */
export function setTimers(cpu: Esa390Cpu, timers: Partial<Esa390Timers>, sys: Esa390CpuSystem = systemOf(cpu)): void {
  if (timers.cpuTimer !== undefined) setCpuTimer(cpu, sys, timers.cpuTimer);
  const ckc = timers.clockComparator;
  if (ckc !== undefined) {
    sys.ckcWords[0] = ckc[0];
    sys.ckcWords[1] = ckc[1];
    sys.ckc = unsignedWordsToMicros(ckc[0], ckc[1]);
  }
  updateTimers(cpu, sys);
  refreshPending(cpu, sys);
}
