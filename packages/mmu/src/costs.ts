/**
 * Cycle charging. Every layer charges its events through the isa-core
 * CostModel event names, so a machine model decides what a walk reference or
 * a shadow fill costs; layers built without a model use `mmuReferenceCosts`.
 */
import type { CostEvent, CostModel, TranslationStatus } from '@strachey/isa-core';

const figure = (cycles: number, source: string) => ({ cycles, source });

/**
 * The reference figures used when no machine model is given. They are
 * orders of magnitude for experiments, each with where it comes from; a
 * machine model (isa-core or an app) should replace them.
 */
export const mmuReferenceCosts: CostModel = {
  name: 'mmu-reference',
  mhz: 1000,
  events: {
    'program-interruption': figure(1093, 'Adams & Agesen ASPLOS 2006 Table 1, pgfault native'),
    'svc-interruption': figure(100, 'order of magnitude; not from a source'),
    'external-interruption': figure(100, 'order of magnitude; not from a source'),
    'io-interruption': figure(100, 'order of magnitude; not from a source'),
    'tlb-miss': figure(10, 'fixed walker start-up; table references are charged separately'),
    'walk-reference': figure(20, 'one table-entry fetch hitting the data cache (assumed)'),
    'host-trap': figure(1000, 'order of magnitude of a trap into a host kernel (assumed)'),
    'host-resume': figure(1000, 'order of magnitude (assumed)'),
    'sie-entry': figure(1000, 'order of magnitude (assumed)'),
    'sie-exit': figure(1000, 'order of magnitude (assumed)'),
    'shadow-fill': figure(
      3927,
      'Adams & Agesen ASPLOS 2006 Table 1: pgfault under the BT VMM (hidden fault handled by the software MMU)',
    ),
    'shadow-flush': figure(2000, 'order of magnitude of dropping one shadow address space (assumed)'),
    'tracing-fault': figure(
      391,
      'Adams & Agesen ASPLOS 2006 Table 1: ptemod under adaptive BT (12733 with a VT-x exit)',
    ),
    'nested-fault': figure(11242, 'Adams & Agesen ASPLOS 2006 Table 1: pgfault with a VT-x exit'),
    'io-start': figure(1000, 'order of magnitude (assumed)'),
    'lpar-dispatch': figure(1000, 'order of magnitude (assumed)'),
    'world-switch': figure(4000, 'order of magnitude (assumed)'),
    hypercall: figure(1000, 'order of magnitude (assumed)'),
    'vm-exit': figure(1000, 'order of magnitude (assumed)'),
    'vm-entry': figure(1000, 'order of magnitude (assumed)'),
    'interpreted-instruction': figure(
      30,
      'a few tens of host instructions per guest instruction in a decode-cached interpreter such as Bochs (Mihocka & Shwartsman 2008; range 10-50), one cycle each (assumed)',
    ),
  },
};

/** The per-event cycle figures a layer reads on its hot path, resolved once from a model. */
export interface ResolvedCosts {
  readonly tlbMiss: number;
  readonly walkReference: number;
  readonly shadowFill: number;
  readonly shadowFlush: number;
  readonly tracingFault: number;
  readonly nestedFault: number;
}

/** Resolve the figures the mmu layers charge from a cost model. */
export function resolveCosts(model: CostModel = mmuReferenceCosts): ResolvedCosts {
  const c = (e: CostEvent) => model.events[e].cycles;
  return {
    tlbMiss: c('tlb-miss'),
    walkReference: c('walk-reference'),
    shadowFill: c('shadow-fill'),
    shadowFlush: c('shadow-flush'),
    tracingFault: c('tracing-fault'),
    nestedFault: c('nested-fault'),
  };
}

/** Charge `n` table references to a status. */
export function chargeReferences(status: TranslationStatus, costs: ResolvedCosts, n: number): void {
  status.references += n;
  status.cycles += n * costs.walkReference;
}
