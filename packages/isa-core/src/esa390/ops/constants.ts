/**
 * Constants shared by the CPU and its instruction helpers, in their own
 * module so the dispatcher can import them without a cycle through cpu.ts.
 */
import type { Exit } from '../../framework/exit';

/** Program-interruption codes (POP SA22-7201 "Program-Interruption Conditions"). */
export const PGM = {
  OPERATION: 0x01,
  PRIVILEGED_OPERATION: 0x02,
  EXECUTE: 0x03,
  PROTECTION: 0x04,
  ADDRESSING: 0x05,
  SPECIFICATION: 0x06,
  DATA: 0x07,
  FIXED_POINT_OVERFLOW: 0x08,
  FIXED_POINT_DIVIDE: 0x09,
  DECIMAL_OVERFLOW: 0x0a,
  DECIMAL_DIVIDE: 0x0b,
  SEGMENT_TRANSLATION: 0x10,
  PAGE_TRANSLATION: 0x11,
  TRANSLATION_SPECIFICATION: 0x12,
  SPECIAL_OPERATION: 0x13,
  OPERAND: 0x15,
} as const;

/** Instruction length in bytes by the first two bits of the opcode (POP "Instruction Formats"). */
export const ILEN = new Uint8Array([2, 4, 4, 6]);

/** @internal preallocated exits of the run loop */
export const EXIT_BUDGET: Exit = Object.freeze({ reason: 'budget' });
/**
 * Returned by the interpreter (never by run()) when interruptions were taken at
 * a boundary: run() recomputes the end of its budget, which counts them too.
 */
export const EXIT_REBUDGET: Exit = Object.freeze({ reason: 'budget' });
/** @internal */
export const EXIT_STOPPED: Exit = Object.freeze({ reason: 'stopped' });
/** @internal */
export const EXIT_WAIT_ENABLED: Exit = Object.freeze({ reason: 'wait', enabled: true });
/** @internal */
export const EXIT_WAIT_DISABLED: Exit = Object.freeze({ reason: 'wait', enabled: false });
