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
  | 'vm-entry';

export interface CostModel {
  readonly name: string;
  /** Clock frequency in MHz: cycles per microsecond of simulated time. */
  readonly mhz: number;
  readonly events: Readonly<Record<CostEvent, CostFigure>>;
}

export function eventCycles(model: CostModel, event: CostEvent): number {
  return model.events[event].cycles;
}
