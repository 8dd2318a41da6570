import type { ProgramKind } from './dat-programs';

/** The scenarios the differential test runs: seeds × programs. */
export const DIFFERENTIAL_RUNS: ReadonlyArray<{ seed: number; kind: ProgramKind }> = [1, 2, 3].flatMap((seed) =>
  (['lra31', 'lra24', 'load', 'store', 'secondary-load', 'home-store'] as const).map((kind) => ({ seed: seed * 7919, kind })),
);
