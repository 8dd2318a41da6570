/**
 * The cost model: how many simulated cycles each instruction and each
 * virtualization event costs on a machine model. Every figure carries the
 * source it comes from, so a reader can check why an overhead ratio comes out
 * as it does. Instruction base costs come from the architecture's instruction
 * table; events are named here.
 */
export interface CostFigure {
  readonly cycles: number;
  /** Where the figure comes from (paper, manual, measurement) or why it was chosen. */
  readonly source: string;
}

/** Named architectural and virtualization events that cost cycles. */
export type CostEvent =
  | 'program-interruption'
  | 'svc-interruption'
  | 'external-interruption'
  | 'io-interruption'
  | 'tlb-miss'
  | 'walk-reference'
  | 'host-trap'
  | 'host-resume'
  | 'sie-entry'
  | 'sie-exit'
  | 'shadow-fill'
  | 'shadow-flush'
  | 'tracing-fault'
  | 'nested-fault'
  | 'io-start'
  | 'lpar-dispatch'
  | 'world-switch'
  | 'hypercall'
  | 'vm-exit'
  | 'vm-entry'
  /**
   * One guest instruction executed by a software interpreter (full
   * emulation: fetch, decode, dispatch and operand translation done by host
   * instructions, as Hercules and Bochs do) instead of by the CPU itself.
   * Priced as the host instructions it takes at one cycle each; a consumer
   * that charges host instructions at a workload's own cycles per
   * instruction multiplies by that.
   */
  | 'interpreted-instruction';

export interface CostModel {
  readonly name: string;
  /** Clock frequency in MHz: cycles per microsecond of simulated time. */
  readonly mhz: number;
  readonly events: Readonly<Record<CostEvent, CostFigure>>;
}

export function eventCycles(model: CostModel, event: CostEvent): number {
  return model.events[event].cycles;
}
