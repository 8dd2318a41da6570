/**
 * CPU resets and the store-status operation (POP SA22-7201 chapter 12,
 * "Operator Facilities", and chapter 4, "Resets" / "Store Status").
 *
 * - CPU reset: pending interruptions are cleared and the CPU is stopped;
 *   registers, PSW, prefix and timers keep their contents.
 * - Initial CPU reset: CPU reset, then PSW, prefix, CPU timer and clock
 *   comparator are set to zero and the control registers to their initial
 *   values (CR0 = X'000000E0', CR14 = X'C2000000', all others zero — the
 *   values Hercules 3.13 displays after a reset; the POP lists CR15 = 512 for
 *   the linkage stack, Hercules leaves it zero).
 * - Clear reset: initial CPU reset and the general registers set to zero
 *   (the machine clears storage and keys).
 */
import type { AbsoluteAddress } from '../../framework/addresses';
import { Access } from '../../framework/translator';
import type { Esa390Cpu } from '../cpu';
import { refreshPending } from './interrupts';
import { PENDING, systemOf } from './state';
import { cpuTimerMicros, setCpuTimer, updateTimers } from './timing';
import { microsToWords } from './tod';

/** CR0 after initial CPU reset: X'000000E0' (interval-timer, interrupt-key and external-signal masks on). */
export const INITIAL_CR0 = 0x000000e0;
/** CR14 after initial CPU reset: X'C2000000' (check-stop, synchronous machine-check and external-damage masks). */
export const INITIAL_CR14 = 0xc2000000 | 0;

/** Offsets of the store-status save areas from the base absolute address (POP "Store Status"). */
export const STORE_STATUS = {
  CPU_TIMER: 0xd8,
  CLOCK_COMPARATOR: 0xe0,
  PSW: 0x100,
  PREFIX: 0x108,
  ACCESS_REGISTERS: 0x120,
  FLOATING_POINT_REGISTERS: 0x160,
  GENERAL_REGISTERS: 0x180,
  CONTROL_REGISTERS: 0x1c0,
} as const;

/** CPU reset: clear pending interruptions and SIGP signals, enter the stopped state. */
export function cpuReset(cpu: Esa390Cpu): void {
  const sys = systemOf(cpu);
  sys.raw &= PENDING.CLOCK_COMPARATOR | PENDING.CPU_TIMER;
  sys.externalCallFrom = -1;
  sys.emergencyFrom.fill(0);
  sys.emergencyCount = 0;
  cpu.state = 'stopped';
  cpu.invalidPsw = false;
  cpu.flushTlb();
  updateTimers(cpu, sys);
  refreshPending(cpu, sys);
}

/** Initial CPU reset: CPU reset plus zero PSW, prefix, CPU timer, clock comparator; initial control registers. */
export function initialCpuReset(cpu: Esa390Cpu): void {
  const sys = systemOf(cpu);
  cpu.sysmask = 0;
  cpu.key = 0;
  cpu.flags = 0;
  cpu.asc = 0;
  cpu.cc = 0;
  cpu.progmask = 0;
  cpu.amode31 = false;
  cpu.ia = 0;
  cpu.prefix = 0;
  cpu.cr.fill(0);
  cpu.cr[0] = INITIAL_CR0;
  cpu.cr[14] = INITIAL_CR14;
  sys.ckc = 0;
  sys.ckcWords.fill(0);
  setCpuTimer(cpu, sys, 0);
  cpuReset(cpu);
}

/** Clear reset of one CPU: initial CPU reset and zero general registers. */
export function clearCpuReset(cpu: Esa390Cpu): void {
  cpu.gpr.fill(0);
  initialCpuReset(cpu);
}

const words = new Uint32Array(2);

/**
 * Store status of `cpu` at absolute address `base` (0 for stop-and-store-
 * status, the SIGP parameter for store-status-at-address): CPU timer, clock
 * comparator, PSW, prefix, access and floating-point registers (zero: not
 * modelled), general and control registers. Returns false if the area is
 * not in storage.
 */
export function storeStatus(cpu: Esa390Cpu, base: number): boolean {
  if (base < 0 || (base & 0x1ff) !== 0) return false;
  // The area is 512 bytes on a 512-byte boundary, so it lies in one 4 KB
  // frame and one translation through the host layer covers it.
  let origin: number;
  try {
    origin = cpu.absoluteToStorage(base, Access.Write);
  } catch (e) {
    if (isInstructionAbort(e)) return false;
    throw e;
  }
  const storage = cpu.storage;
  const put = (offset: number, value: number): void => storage.write32((origin + offset) as AbsoluteAddress, value);
  const sys = systemOf(cpu);
  microsToWords(cpuTimerMicros(cpu, sys), words);
  put(STORE_STATUS.CPU_TIMER, words[0]!);
  put(STORE_STATUS.CPU_TIMER + 4, words[1]!);
  put(STORE_STATUS.CLOCK_COMPARATOR, sys.ckcWords[0]!);
  put(STORE_STATUS.CLOCK_COMPARATOR + 4, sys.ckcWords[1]!);
  const [hi, lo] = cpu.getPsw();
  put(STORE_STATUS.PSW, hi);
  put(STORE_STATUS.PSW + 4, lo);
  put(STORE_STATUS.PREFIX, cpu.prefix);
  for (let i = 0; i < 16; i++) put(STORE_STATUS.ACCESS_REGISTERS + 4 * i, 0);
  for (let i = 0; i < 8; i++) put(STORE_STATUS.FLOATING_POINT_REGISTERS + 4 * i, 0);
  for (let i = 0; i < 16; i++) put(STORE_STATUS.GENERAL_REGISTERS + 4 * i, cpu.gpr[i]!);
  for (let i = 0; i < 16; i++) put(STORE_STATUS.CONTROL_REGISTERS + 4 * i, cpu.cr[i]!);
  return true;
}

/**
 * Is `e` the core's instruction-abort sentinel (thrown by programCheck)?
 * System code that accesses storage on behalf of another CPU or of a
 * handler catches it to turn the exception into a status or a code.
 */
export function isInstructionAbort(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { what?: unknown }).what === 'esa390-instruction-abort';
}
