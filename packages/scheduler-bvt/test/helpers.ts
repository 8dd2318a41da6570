import type { Result } from '../src/index';

/** Unwrap a Result in a test, failing loudly with the error. */
export function must<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`unexpected error ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** The error code of a Result that must have failed. */
export function code<T>(r: Result<T>): string {
  if (r.ok) throw new Error('expected an error, got success');
  return r.error.code;
}
