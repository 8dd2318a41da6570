/**
 * Errors as values. Bad input (an IOCP deck, an image profile, an operator
 * request PR/SM refuses) never throws: it comes back as a `PrsmError` with a
 * code, where it was found (file:line:column for files), what was found and
 * what was expected. `formatPrsmError` turns it into one line of text at the
 * edge (CLI, test failure message).
 */

/** Error codes, one per kind of refusal. */
export type PrsmErrorCode =
  | 'SYNTAX'
  | 'UNKNOWN_STATEMENT'
  | 'UNKNOWN_OPERAND'
  | 'MISSING_OPERAND'
  | 'DUPLICATE_OPERAND'
  | 'BAD_VALUE'
  | 'DUPLICATE'
  | 'UNDEFINED_PARTITION'
  | 'UNDEFINED_CHPID'
  | 'UNDEFINED_CONTROL_UNIT'
  | 'TOO_MANY'
  | 'UNSUPPORTED_UNIT'
  | 'NOT_SHARED'
  | 'NO_PROFILE'
  | 'NOT_ACTIVE'
  | 'ALREADY_ACTIVE'
  | 'NO_STORAGE'
  | 'NO_CPS'
  | 'STORAGE_MODE'
  | 'NOT_CANDIDATE'
  | 'IPL_FAILED'
  | 'SNAPSHOT';

/** A refusal with its location. `line`/`column` are 1-based; 0 when the error has no place in a file. */
export interface PrsmError {
  readonly code: PrsmErrorCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** What the parser or PR/SM expected, when that is one thing it can name. */
  readonly expected?: string;
  /** What it found instead. */
  readonly found?: string;
}

/** Success with a value, or the first error. */
export type PrsmResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: PrsmError };

/** A source position: file, 1-based line and column. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export function ok<T>(value: T): PrsmResult<T> {
  return { ok: true, value };
}

export function fail<T>(
  code: PrsmErrorCode,
  at: SourcePos | null,
  message: string,
  expected?: string,
  found?: string,
): PrsmResult<T> {
  return { ok: false, error: makeError(code, at, message, expected, found) };
}

export function makeError(
  code: PrsmErrorCode,
  at: SourcePos | null,
  message: string,
  expected?: string,
  found?: string,
): PrsmError {
  return {
    code,
    file: at?.file ?? '',
    line: at?.line ?? 0,
    column: at?.column ?? 0,
    message,
    ...(expected === undefined ? {} : { expected }),
    ...(found === undefined ? {} : { found }),
  };
}

/** `file:line:column: error CODE: message (expected X, found Y)`. */
export function formatPrsmError(e: PrsmError): string {
  const where = e.file === '' ? '' : e.line > 0 ? `${e.file}:${e.line}:${e.column}: ` : `${e.file}: `;
  const detail =
    e.expected !== undefined && e.found !== undefined
      ? ` (expected ${e.expected}, found ${e.found})`
      : e.expected !== undefined
        ? ` (expected ${e.expected})`
        : '';
  return `${where}error ${e.code}: ${e.message}${detail}`;
}
