/**
 * A reproduction regenerates a figure or claim of the seed documents (or the
 * papers they cite) by simulation. Each one lives in its own file under
 * repro/ and is listed once in repro/registry.ts.
 */

/** A file a reproduction writes with `--out DIR`. */
export interface ReproFile {
  /** File name inside DIR (no directories). */
  readonly name: string;
  readonly content: string;
}

/** What running a reproduction produced. */
export interface ReproResult {
  /** Human-readable report: a table and the reasons behind it. */
  readonly text: string;
  /** Machine-readable summary printed by `--json`. */
  readonly json: unknown;
  /** Data and charts written by `--out DIR`. */
  readonly files: readonly ReproFile[];
}

/** One reproduction. */
export interface Reproduction {
  /** The name on the command line (`strachey repro NAME`). */
  readonly name: string;
  /** One line: what is reproduced. */
  readonly title: string;
  /** Where the claim comes from. */
  readonly source: string;
  /** Run the simulation(s). Throws UserError (diagnostics) if a model refuses its input. */
  run(): ReproResult;
  /** The Chrome/Perfetto trace-event file among `run()`'s files, if the reproduction records a schedule (`strachey trace repro NAME`). */
  readonly traceFile?: string;
  /** Present when the figure is a parameter sweep: `strachey repro` then runs its points on worker threads and in shards. */
  readonly sweep?: Sweep;
}

/** How big a sweep is: 'full' for the figure, 'quick' for a fast look (and the tests). */
export type SweepScale = 'full' | 'quick';

/** One point of a sweep with its result, as workers, shard files and merges carry it (JSON-safe). */
export interface SweepPointResult {
  /** Position in the sweep's point list (shard I of N runs the indices with index % N === I − 1). */
  readonly index: number;
  /** Derived from the sweep seed and the index alone (see seeds.ts). */
  readonly seed: number;
  readonly params: unknown;
  readonly result: unknown;
}

/**
 * A reproduction whose figure is a set of independent points (a parameter
 * sweep). Points run on worker threads, in shards on other machines, and are
 * assembled into the figure once all are there. Params and results must be
 * JSON values: they cross threads and files.
 */
export interface Sweep {
  /** The points' parameters, in a fixed order. */
  points(scale: SweepScale): readonly unknown[];
  /** Run one point: a pure function of its parameters and seed. */
  runPoint(params: unknown, seed: number): unknown;
  /** The figure from every point, in index order. */
  assemble(points: readonly SweepPointResult[], scale: SweepScale): ReproResult;
  /** A few words naming a point, for the progress line. */
  describe(params: unknown): string;
}

/** A sweep written against its own parameter and result types. */
export interface TypedSweep<P, R> {
  points(scale: SweepScale): readonly P[];
  runPoint(params: P, seed: number): R;
  assemble(points: readonly (SweepPointResult & { readonly params: P; readonly result: R })[], scale: SweepScale): ReproResult;
  describe(params: P): string;
}

/** Erase a typed sweep's types at the boundary where points become JSON. */
export function defineSweep<P, R>(sweep: TypedSweep<P, R>): Sweep {
  return sweep as unknown as Sweep;
}
