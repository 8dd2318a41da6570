/**
 * Errors as values. A scheduler never throws for bad input from its user
 * (a driver, a hypervisor's control interface, a workload file): it returns
 * a {@link SchedError} naming the entity and the field at fault, and the
 * edge (the CLI) turns it into text.
 */
import type { EntityId } from './types';

/** Machine-readable reason a scheduler call was refused. */
export type SchedErrorCode =
  | 'INVALID_ID'
  | 'DUPLICATE_ID'
  | 'UNKNOWN_ID'
  | 'NOT_FINITE'
  | 'WEIGHT_NOT_POSITIVE'
  | 'NEGATIVE_WARP'
  | 'WARP_LIMIT_WITHOUT_WARP'
  | 'UNWARP_WITHOUT_WARP'
  | 'WARP_LIMIT_NOT_POSITIVE'
  | 'NEGATIVE_UNWARP'
  | 'CAP_OUT_OF_RANGE'
  | 'INVALID_OPTION'
  | 'TIME_WENT_BACKWARDS'
  | 'NOT_RUNNABLE'
  | 'NOT_RUNNING'
  | 'NEGATIVE_RUN_TIME'
  | 'OVERCHARGE'
  | 'NOT_EMPTY'
  | 'INVALID_WORKLOAD'
  | 'EVENT_LIMIT';

/** A refused call: what was wrong, with the entity and field when known. */
export interface SchedError {
  readonly code: SchedErrorCode;
  readonly message: string;
  readonly entity?: EntityId;
  readonly field?: string;
}

/** Either a value or the reason there is none. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: SchedError };

/** The one success value of calls that return nothing; shared so success allocates nothing. */
export const OK: Result<void> = Object.freeze({ ok: true as const, value: undefined });

/** Wrap a value as a successful {@link Result}. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Build a failed {@link Result}. */
export function fail<T = never>(
  code: SchedErrorCode,
  message: string,
  entity?: EntityId,
  field?: string,
): Result<T> {
  const error: { code: SchedErrorCode; message: string; entity?: EntityId; field?: string } = {
    code,
    message,
  };
  if (entity !== undefined) error.entity = entity;
  if (field !== undefined) error.field = field;
  return { ok: false, error };
}

/** One line for a person: `UNKNOWN_ID (entity 7, field weight): message`. */
export function formatSchedError(error: SchedError): string {
  const where: string[] = [];
  if (error.entity !== undefined) where.push(`entity ${error.entity}`);
  if (error.field !== undefined) where.push(`field ${error.field}`);
  return `${error.code}${where.length > 0 ? ` (${where.join(', ')})` : ''}: ${error.message}`;
}
