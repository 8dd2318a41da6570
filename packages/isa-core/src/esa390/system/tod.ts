/**
 * Conversions for the 64-bit timing facilities of ESA/390 (POP SA22-7201,
 * "Timing"): the TOD clock, the clock comparator and the CPU timer all count
 * in the same units, bit 51 being one microsecond, so a value is
 * (microseconds << 12) | (fraction of a microsecond in 1/4096 units).
 *
 * The simulator keeps these values as doubles in microseconds: an integer
 * microsecond count stays exact up to 2^53 µs (285 years), and no BigInt is
 * needed. Conversions happen only when a timing instruction runs, never per
 * instruction.
 */

const TWO20 = 1048576;

/**
 * Microseconds of an unsigned 64-bit timing value given as two words
 * (TOD clock, clock comparator).
 */
export function unsignedWordsToMicros(high: number, low: number): number {
  return (high >>> 0) * TWO20 + ((low >>> 0) >>> 12) + ((low >>> 0) & 0xfff) / 4096;
}

/** Microseconds of a signed 64-bit timing value (the CPU timer is signed: negative means expired). */
export function signedWordsToMicros(high: number, low: number): number {
  return (high | 0) * TWO20 + ((low >>> 0) >>> 12) + ((low >>> 0) & 0xfff) / 4096;
}

/**
 * The two words of a timing value in microseconds. Values beyond the 64-bit
 * range wrap as the hardware counters do (a negative input gives the two's
 * complement, as the CPU timer needs).
 */
export function microsToWords(micros: number, out: Uint32Array): void {
  const whole = Math.floor(micros);
  const fraction = Math.floor((micros - whole) * 4096);
  const high = Math.floor(whole / TWO20);
  const rest = whole - high * TWO20;
  // `>>> 0` of an integer is that integer modulo 2^32 (two's complement for a negative one), as exactly as `%`
  // twice would compute it, without two floating-point remainders (SIE stores the guest CPU timer this way at
  // every interception).
  out[0] = high >>> 0;
  out[1] = (rest * 4096 + fraction) >>> 0;
}
