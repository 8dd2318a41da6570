/**
 * Answers every policy gives in the same situations, shared so the policies
 * cannot drift apart.
 */
import type { Decision, WakeOutcome } from './types';

/** A wake that needs no new decision. */
export const NO_RESCHEDULE: WakeOutcome = Object.freeze({ reschedule: Number.POSITIVE_INFINITY });

/** Nothing is runnable: the CPU idles until something wakes. */
export const IDLE: Decision = Object.freeze({
  id: null,
  until: Number.POSITIVE_INFINITY,
  slice: Number.POSITIVE_INFINITY,
  limit: 'none',
  warped: false,
});
