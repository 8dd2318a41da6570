/**
 * Gerstel's figure 4 (the seed's BVT example, after Duda & Cheriton): three
 * processes, P1 wants 5 time units, P2 and P3 10 each, the time slice is 5;
 * at t = 6 an interruption request for P1 arrives whose handling takes 1
 * unit. Only the workload is defined here; when the interruption is served
 * comes out of whichever scheduler runs it.
 */
import type { EntityParams } from './types';
import type { Workload } from './simulate';

/** The figure's constants. */
export const GERSTEL_FIGURE_4 = Object.freeze({
  /** Time slice of the fair time-slice procedure (and BVT's C). */
  slice: 5,
  /** P1's "bonus" under BVT: its warp W. */
  warp: 7,
  /** Arrival of the interruption request for P1. */
  interruptionAt: 6,
  /** Work of handling it. */
  interruptionWork: 1,
  /** Entity ids of P1, P2, P3. */
  ids: Object.freeze([1, 2, 3] as const),
});

/** Options of {@link gerstelFigure4Workload}. */
export interface Figure4Options {
  /** Extra parameters for P1 (e.g. `{ warp: 7 }` under BVT). */
  readonly p1?: Omit<EntityParams, 'name'>;
}

/** The figure's workload; P1's interruption job carries the label `interruption`. */
export function gerstelFigure4Workload(options: Figure4Options = {}): Workload {
  const f = GERSTEL_FIGURE_4;
  return {
    entities: [
      {
        id: 1,
        params: { ...options.p1, name: 'P1' },
        jobs: [
          { at: 0, work: 5 },
          { at: f.interruptionAt, work: f.interruptionWork, label: 'interruption' },
        ],
      },
      { id: 2, params: { name: 'P2' }, jobs: [{ at: 0, work: 10 }] },
      { id: 3, params: { name: 'P3' }, jobs: [{ at: 0, work: 10 }] },
    ],
  };
}
