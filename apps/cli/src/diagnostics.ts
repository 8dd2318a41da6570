/**
 * Errors a user can act on: where (file:line:column), what was found, what
 * was expected. Packages return such diagnostics as values; the CLI turns
 * them into text here, at the edge, and exits non-zero.
 */

/** A located problem in user input. */
export interface Diagnostic {
  readonly code: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

/** Thrown inside the CLI to stop with one or more diagnostics. */
export class UserError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  readonly exitCode: number;
  constructor(diagnostics: Diagnostic | readonly Diagnostic[], exitCode = 1) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics as Diagnostic];
    super(list.map(formatDiagnostic).join('\n'));
    this.diagnostics = list;
    this.exitCode = exitCode;
  }
}

/** `file:line:column: error CODE: message` (the location parts that are known). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file, d.line, d.line !== undefined ? d.column : undefined].filter((x) => x !== undefined).join(':');
  return `${where ? `${where}: ` : ''}error ${d.code}: ${d.message}`;
}

/** Print an error for the user and return the exit code to use. Unexpected errors keep their stack. */
export function reportError(error: unknown): number {
  if (error instanceof UserError) {
    process.stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`strachey: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}
