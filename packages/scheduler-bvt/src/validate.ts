/**
 * Input checks shared by every policy, so that an entity one policy accepts
 * is accepted by all (a policy switch must never lose an entity).
 */
import { fail, OK, type Result } from './errors';
import type { EntityId, EntityParams } from './types';

/** An entity id is a non-negative safe integer. */
export function checkId(id: EntityId): Result<void> {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return fail('INVALID_ID', `entity id must be a non-negative integer, got ${String(id)}`);
  }
  return OK;
}

/** Time must be finite and must not decrease. */
export function checkTime(now: number, last: number): Result<void> {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    return fail('NOT_FINITE', `time must be a finite number, got ${String(now)}`, undefined, 'now');
  }
  if (now < last)
    return fail('TIME_WENT_BACKWARDS', `time went backwards: ${now} after ${last}`, undefined, 'now');
  return OK;
}

/**
 * A charge through `Scheduler.account`: finite, non-negative, and no more
 * than the time that passed since the previous charge (`chargedTo`), with a
 * relative tolerance for floating-point time.
 */
export function checkCharge(id: EntityId, ran: number, now: number, chargedTo: number): Result<void> {
  if (typeof ran !== 'number' || !Number.isFinite(ran)) {
    return fail('NOT_FINITE', `run time must be finite, got ${String(ran)}`, id, 'ran');
  }
  if (ran < 0) return fail('NEGATIVE_RUN_TIME', `run time must be ≥ 0, got ${ran}`, id, 'ran');
  const elapsed = now - chargedTo;
  if (ran > elapsed + 1e-9 * Math.max(1, Math.abs(now))) {
    return fail('OVERCHARGE', `charged ${ran} but only ${elapsed} passed since the last charge`, id, 'ran');
  }
  return OK;
}

function finite(id: EntityId, field: string, v: unknown): Result<void> {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    return fail('NOT_FINITE', `${field} must be a finite number, got ${String(v)}`, id, field);
  }
  return OK;
}

/**
 * Validate an entity's parameters: weight > 0, warp ≥ 0, warp limit > 0 and
 * unwarp requirement ≥ 0 only together with a positive warp (a limit on a
 * warp that does not exist is a configuration mistake worth reporting),
 * cap in [0, 100 × CPUs] (we accept up to 6400, Xen's 64 CPUs of that era).
 */
export function checkParams(id: EntityId, p: EntityParams): Result<void> {
  if (typeof p !== 'object' || p === null) {
    return fail('INVALID_OPTION', 'parameters must be an object', id);
  }
  if (p.name !== undefined && typeof p.name !== 'string') {
    return fail('INVALID_OPTION', 'name must be a string', id, 'name');
  }
  for (const field of ['weight', 'warp', 'warpLimit', 'unwarpRequirement', 'cap'] as const) {
    const v = p[field];
    if (v === undefined) continue;
    const r = finite(id, field, v);
    if (!r.ok) return r;
  }
  if (p.weight !== undefined && p.weight <= 0) {
    return fail(
      'WEIGHT_NOT_POSITIVE',
      `weight must be > 0 (the mcu advance is 1/weight), got ${p.weight}`,
      id,
      'weight',
    );
  }
  if (p.warp !== undefined && p.warp < 0) {
    return fail('NEGATIVE_WARP', `warp must be ≥ 0, got ${p.warp}`, id, 'warp');
  }
  const warped = p.warp !== undefined && p.warp > 0;
  if (p.warpLimit !== undefined) {
    if (!warped) return fail('WARP_LIMIT_WITHOUT_WARP', 'a warp limit needs a warp > 0', id, 'warpLimit');
    if (p.warpLimit <= 0) {
      return fail('WARP_LIMIT_NOT_POSITIVE', `warp limit must be > 0, got ${p.warpLimit}`, id, 'warpLimit');
    }
  }
  if (p.unwarpRequirement !== undefined) {
    if (!warped) {
      return fail('UNWARP_WITHOUT_WARP', 'an unwarp requirement needs a warp > 0', id, 'unwarpRequirement');
    }
    if (p.unwarpRequirement < 0) {
      return fail(
        'NEGATIVE_UNWARP',
        `unwarp requirement must be ≥ 0, got ${p.unwarpRequirement}`,
        id,
        'unwarpRequirement',
      );
    }
  }
  if (p.cap !== undefined && (p.cap < 0 || p.cap > 6400)) {
    return fail('CAP_OUT_OF_RANGE', `cap is a percentage of one CPU in [0, 6400], got ${p.cap}`, id, 'cap');
  }
  return OK;
}

/** A positive finite option of a scheduler constructor. */
export function checkPositiveOption(name: string, v: number): Result<void> {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    return fail(
      'INVALID_OPTION',
      `${name} must be a positive finite number, got ${String(v)}`,
      undefined,
      name,
    );
  }
  return OK;
}

/** Copy of the parameters with only the known fields (callers may pass richer objects). */
export function cleanParams(p: EntityParams): EntityParams {
  const out: {
    name?: string;
    weight?: number;
    warp?: number;
    warpLimit?: number;
    unwarpRequirement?: number;
    cap?: number;
  } = {};
  if (p.name !== undefined) out.name = p.name;
  if (p.weight !== undefined) out.weight = p.weight;
  if (p.warp !== undefined) out.warp = p.warp;
  if (p.warpLimit !== undefined) out.warpLimit = p.warpLimit;
  if (p.unwarpRequirement !== undefined) out.unwarpRequirement = p.unwarpRequirement;
  if (p.cap !== undefined) out.cap = p.cap;
  return Object.freeze(out);
}
