/**
 * Divergences between Hercules 3.13 and isa-core that are explained: each
 * entry says which cases it covers and why the difference is not an
 * isa-core bug (a POP citation where Hercules departs from the Principles of
 * Operation, or why a result is unpredictable). Anything not matched here
 * fails the differential test.
 */
import type { CaseState, Divergence } from './compare';
import type { DifferentialCase } from './generator';

export interface ExplainedDivergence {
  readonly name: string;
  /** Why the difference is allowed, with its source. */
  readonly reason: string;
  /** Does this entry explain every divergence of the case? */
  readonly matches: (c: DifferentialCase, divergences: readonly Divergence[], hercules: CaseState, isaCore: CaseState) => boolean;
}

export const EXPLAINED: readonly ExplainedDivergence[] = [];
