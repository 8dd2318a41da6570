/**
 * The hook for the interpretive-execution facility (START INTERPRETIVE
 * EXECUTION, B214; Osisek, Jackson, Gum, IBM Systems Journal 30(1), 1991):
 * SIE runs a guest described by a state description until an interception.
 * A bare machine has no such facility — SIE is an operation exception —
 * unless the machine's `sie` option installs one: isa-core's own
 * `InterpretiveExecution` (esa390/sie/), or another implementation of this
 * interface.
 */
import type { Exit } from '../../framework/exit';
import type { Esa390Cpu } from '../cpu';

/** An implementation of SIE for the CPUs of a machine. */
export interface SieFacility {
  /**
   * Execute SIE on `cpu` with the state description at real address
   * `stateDescription` (the second-operand address). `cpu.ia` already points
   * past the instruction. Return null when the host continues (the guest
   * state is stored back and the interception code is in the state
   * description), or an Exit when the host's own host must see the event.
   * Program exceptions of the SIE instruction itself go through
   * `cpu.programCheck`.
   */
  start(cpu: Esa390Cpu, stateDescription: number): Exit | null;
}
