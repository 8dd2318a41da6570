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
}
