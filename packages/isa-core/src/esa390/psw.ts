/**
 * The ESA/390 program-status word (POP SA22-7201, "Program-Status Word").
 * 64 bits: byte 0 system mask (PER R, DAT T, I/O, external), byte 1 key,
 * bit 12 (must be one), M, W, P; byte 2 address-space control, condition code,
 * program mask; byte 3 zero; bit 32 addressing mode, bits 33-63 instruction
 * address. The CPU keeps the PSW unpacked in fields for speed and packs it only
 * when it is stored (interruptions, snapshots, displays).
 */

/** System-mask bits (PSW byte 0). */
export const PSW_PER = 0x40;
export const PSW_DAT = 0x04;
export const PSW_IO = 0x02;
export const PSW_EXT = 0x01;
/** Bits of PSW byte 1 below the key. */
export const PSW_ESA_BIT = 0x08;
export const PSW_MCHECK = 0x04;
export const PSW_WAIT = 0x02;
export const PSW_PROBLEM = 0x01;

/** An unpacked PSW. */
export interface Psw {
  /** Byte 0: PER, DAT, I/O and external masks. */
  sysmask: number;
  /** PSW key, 0-15. */
  key: number;
  /** Low four bits of byte 1: ESA bit (must be one), M, W, P. */
  flags: number;
  /** Address-space control, 0-3 (bits 16-17). */
  asc: number;
  /** Condition code, 0-3. */
  cc: number;
  /** Program mask, 4 bits: fixed-point overflow, decimal overflow, exponent underflow, significance. */
  progmask: number;
  /** Addressing mode: true for 31-bit. */
  amode31: boolean;
  /** Instruction address. */
  ia: number;
}

/** Pack a PSW into its two architected words (unsigned 32-bit values). */
export function packPsw(p: Psw): [high: number, low: number] {
  const high =
    ((p.sysmask & 0xff) << 24) | ((p.key & 0xf) << 20) | ((p.flags & 0xf) << 16) | ((p.asc & 3) << 14) |
    ((p.cc & 3) << 12) | ((p.progmask & 0xf) << 8);
  const low = (p.amode31 ? 0x80000000 : 0) | (p.ia & 0x7fffffff);
  return [high >>> 0, low >>> 0];
}

/** Unpack the two words of a PSW (no validity checking: see `pswSpecificationError`). */
export function unpackPsw(high: number, low: number): Psw {
  return {
    sysmask: (high >>> 24) & 0xff,
    key: (high >>> 20) & 0xf,
    flags: (high >>> 16) & 0xf,
    asc: (high >>> 14) & 3,
    cc: (high >>> 12) & 3,
    progmask: (high >>> 8) & 0xf,
    amode31: (low & 0x80000000) !== 0,
    ia: low & 0x7fffffff,
  };
}

/**
 * Is the PSW invalid in the ESA/390 sense (specification exception when it
 * becomes current)? Bits 0, 2-4 and 24-31 must be zero, bit 12 must be one,
 * and in 24-bit mode bits 33-39 must be zero.
 */
export function pswSpecificationError(high: number, low: number): boolean {
  if ((high & 0xb8000000) !== 0) return true;
  if ((high & 0x00080000) === 0) return true;
  if ((high & 0x000000ff) !== 0) return true;
  if ((low & 0x80000000) === 0 && (low & 0x7f000000) !== 0) return true;
  return false;
}

/** Format a PSW the way Hercules displays it: `PSW=xxxxxxxx xxxxxxxx`. */
export function formatPsw(high: number, low: number): string {
  const h = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `PSW=${h(high)} ${h(low)}`;
}
