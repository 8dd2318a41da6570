/**
 * The channel-subsystem control blocks as the program sees them in storage
 * (ESA/390 POP SA22-7201, chapter 15): the path-management-control word
 * (PMCW), the subchannel-status word (SCSW), the subchannel-information block
 * (SCHIB = PMCW + SCSW + model-dependent area), the operation-request block
 * (ORB) and the interruption-response block (IRB = SCSW + ESW + ECW).
 * Encoders write big-endian bytes exactly as STSCH/TSCH store them; decoders
 * read what SSCH/MSCH fetch.
 */
import { ORB4_S, ORB5_A, ORB5_F, ORB5_I, ORB5_P, ORB5_U, ORB7_L, PMCW5_D, PMCW5_E, PMCW5_T, PMCW5_V, PMCW27_S } from './status';

/** Size of a SCHIB as STSCH stores it: PMCW 28 + SCSW 12 + model-dependent 12. */
export const SCHIB_SIZE = 52;
/** Size of an ESA/390 IRB as TSCH stores it: SCSW 12 + ESW 20 + ECW 32. */
export const IRB_SIZE = 64;
/** Bytes of ORB the channel subsystem fetches (12 architected; 32 with the extension, which Hercules always fetches). */
export const ORB_SIZE = 12;

/**
 * Path-management-control word (POP 15-"Path-Management-Control Word").
 * Word 0 interruption parameter; byte 4 ISC (bits 2-4); byte 5 E, LM, MM, D,
 * T, V; halfword 6 device number; bytes 8-15 LPM, PNOM, LPUM, PIM, MBI (2),
 * POM, PAM; bytes 16-23 the eight CHPIDs; byte 27 bit 7 concurrent sense.
 */
export interface Pmcw {
  interruptionParameter: number;
  /** I/O-interruption subclass 0-7, matched against CR6 bits 0-7. */
  isc: number;
  enabled: boolean;
  /** Address-limit mode: 0 none, 1 at or above the limit, 2 below the limit (3 is reserved). */
  limitMode: number;
  measurementMode: number;
  multipath: boolean;
  timing: boolean;
  valid: boolean;
  deviceNumber: number;
  /** Logical path mask: the paths the program allows. */
  lpm: number;
  /** Path-not-operational mask. */
  pnom: number;
  /** Last-path-used mask. */
  lpum: number;
  /** Path-installed mask. */
  pim: number;
  /** Measurement-block index. */
  mbi: number;
  /** Path-operational mask. */
  pom: number;
  /** Path-available mask. */
  pam: number;
  /** Channel-path identifiers of the up to eight paths, in PIM bit order. */
  chpids: number[];
  concurrentSense: boolean;
}

/** Subchannel-status word (POP 16-"Subchannel-Status Word"), kept as its bytes' fields. */
export interface Scsw {
  /** Byte 0: CCW key ‖ S ‖ L ‖ deferred condition code. */
  flag0: number;
  /** Byte 1: F P I A U Z E N. */
  flag1: number;
  /** Byte 2: function control ‖ activity control (resume/start/halt/clear pending). */
  flag2: number;
  /** Byte 3: subchannel active, device active, suspended ‖ status control. */
  flag3: number;
  ccwAddress: number;
  deviceStatus: number;
  subchannelStatus: number;
  /** Residual count of the last CCW used. */
  count: number;
}

/** Operation-request block (POP 15-"Operation-Request Block"), decoded. */
export interface Orb {
  interruptionParameter: number;
  /** Storage key for the channel program's accesses (0-15). */
  key: number;
  suspendControl: boolean;
  /** F: the channel program uses format-1 CCWs. */
  format1: boolean;
  prefetch: boolean;
  /** I: make an intermediate interruption as soon as the program starts. */
  initialStatus: boolean;
  addressLimitChecking: boolean;
  /** U: suppress the intermediate interruption on suspension. */
  suppressSuspendInterruption: boolean;
  lpm: number;
  /** L: incorrect-length-suppression mode (format-1 immediate commands). */
  incorrectLengthSuppression: boolean;
  ccwAddress: number;
}

/** A fresh, idle SCSW. */
export function emptyScsw(): Scsw {
  return { flag0: 0, flag1: 0, flag2: 0, flag3: 0, ccwAddress: 0, deviceStatus: 0, subchannelStatus: 0, count: 0 };
}

const put32 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
};
const get32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** Store a PMCW's 28 bytes at `out[offset]`. */
export function encodePmcw(p: Pmcw, out: Uint8Array, offset = 0): void {
  out.fill(0, offset, offset + 28);
  put32(out, offset, p.interruptionParameter);
  out[offset + 4] = (p.isc & 7) << 3;
  out[offset + 5] =
    (p.enabled ? PMCW5_E : 0) |
    ((p.limitMode & 3) << 5) |
    ((p.measurementMode & 3) << 3) |
    (p.multipath ? PMCW5_D : 0) |
    (p.timing ? PMCW5_T : 0) |
    (p.valid ? PMCW5_V : 0);
  out[offset + 6] = p.deviceNumber >>> 8;
  out[offset + 7] = p.deviceNumber;
  out[offset + 8] = p.lpm;
  out[offset + 9] = p.pnom;
  out[offset + 10] = p.lpum;
  out[offset + 11] = p.pim;
  out[offset + 12] = p.mbi >>> 8;
  out[offset + 13] = p.mbi;
  out[offset + 14] = p.pom;
  out[offset + 15] = p.pam;
  for (let i = 0; i < 8; i++) out[offset + 16 + i] = p.chpids[i] ?? 0;
  out[offset + 27] = p.concurrentSense ? PMCW27_S : 0;
}

/** Decode the 28 PMCW bytes at `b[offset]`. */
export function decodePmcw(b: Uint8Array, offset = 0): Pmcw {
  const f5 = b[offset + 5]!;
  return {
    interruptionParameter: get32(b, offset),
    isc: (b[offset + 4]! >>> 3) & 7,
    enabled: (f5 & PMCW5_E) !== 0,
    limitMode: (f5 >>> 5) & 3,
    measurementMode: (f5 >>> 3) & 3,
    multipath: (f5 & PMCW5_D) !== 0,
    timing: (f5 & PMCW5_T) !== 0,
    valid: (f5 & PMCW5_V) !== 0,
    deviceNumber: (b[offset + 6]! << 8) | b[offset + 7]!,
    lpm: b[offset + 8]!,
    pnom: b[offset + 9]!,
    lpum: b[offset + 10]!,
    pim: b[offset + 11]!,
    mbi: (b[offset + 12]! << 8) | b[offset + 13]!,
    pom: b[offset + 14]!,
    pam: b[offset + 15]!,
    chpids: Array.from(b.subarray(offset + 16, offset + 24)),
    concurrentSense: (b[offset + 27]! & PMCW27_S) !== 0,
  };
}

/**
 * The PMCW bits MSCH requires to be zero (POP 14-"MODIFY SUBCHANNEL"): byte 4
 * outside the ISC, limit mode 11, word 6 except the S bit. Any of them set is
 * an operand exception.
 */
export function pmcwReservedBitsSet(b: Uint8Array, offset = 0): boolean {
  if ((b[offset + 4]! & ~0x38 & 0xff) !== 0) return true;
  if (((b[offset + 5]! >>> 5) & 3) === 3) return true;
  if (b[offset + 24] !== 0 || b[offset + 25] !== 0 || b[offset + 26] !== 0) return true;
  return (b[offset + 27]! & ~PMCW27_S & 0xff) !== 0;
}

/** Store an SCSW's 12 bytes at `out[offset]`. */
export function encodeScsw(s: Scsw, out: Uint8Array, offset = 0): void {
  out[offset] = s.flag0;
  out[offset + 1] = s.flag1;
  out[offset + 2] = s.flag2;
  out[offset + 3] = s.flag3;
  put32(out, offset + 4, s.ccwAddress);
  out[offset + 8] = s.deviceStatus;
  out[offset + 9] = s.subchannelStatus;
  out[offset + 10] = s.count >>> 8;
  out[offset + 11] = s.count;
}

/** Decode 12 SCSW bytes. */
export function decodeScsw(b: Uint8Array, offset = 0): Scsw {
  return {
    flag0: b[offset]!,
    flag1: b[offset + 1]!,
    flag2: b[offset + 2]!,
    flag3: b[offset + 3]!,
    ccwAddress: get32(b, offset + 4),
    deviceStatus: b[offset + 8]!,
    subchannelStatus: b[offset + 9]!,
    count: (b[offset + 10]! << 8) | b[offset + 11]!,
  };
}

/** A SCHIB: PMCW + SCSW + the 12-byte model-dependent area (zero here). */
export function encodeSchib(p: Pmcw, s: Scsw, out: Uint8Array = new Uint8Array(SCHIB_SIZE)): Uint8Array {
  out.fill(0, 0, SCHIB_SIZE);
  encodePmcw(p, out, 0);
  encodeScsw(s, out, 28);
  return out;
}

/** Decode a stored SCHIB. */
export function decodeSchib(b: Uint8Array): { pmcw: Pmcw; scsw: Scsw } {
  return { pmcw: decodePmcw(b, 0), scsw: decodeScsw(b, 28) };
}

/**
 * Check an ORB's reserved fields (POP 14-"START SUBCHANNEL"): byte 4 bits 5-7
 * (facilities not in ESA/390), byte 5 bits 5-7, byte 7 bits 1-7, and bit 0 of
 * the CCW address must be zero; otherwise SSCH takes an operand exception.
 */
export function orbReservedBitsSet(b: Uint8Array): boolean {
  return (b[4]! & 0x07) !== 0 || (b[5]! & 0x07) !== 0 || (b[7]! & 0x7f) !== 0 || (b[8]! & 0x80) !== 0;
}

/** Decode the first 12 bytes of an ORB. */
export function decodeOrb(b: Uint8Array): Orb {
  return {
    interruptionParameter: get32(b, 0),
    key: b[4]! >>> 4,
    suspendControl: (b[4]! & ORB4_S) !== 0,
    format1: (b[5]! & ORB5_F) !== 0,
    prefetch: (b[5]! & ORB5_P) !== 0,
    initialStatus: (b[5]! & ORB5_I) !== 0,
    addressLimitChecking: (b[5]! & ORB5_A) !== 0,
    suppressSuspendInterruption: (b[5]! & ORB5_U) !== 0,
    lpm: b[6]!,
    incorrectLengthSuppression: (b[7]! & ORB7_L) !== 0,
    ccwAddress: get32(b, 8) & 0x7fffffff,
  };
}

/** Encode an ORB (12 bytes), for programs and tests that build one. */
export function encodeOrb(o: Partial<Orb> & { ccwAddress: number }, out: Uint8Array = new Uint8Array(ORB_SIZE)): Uint8Array {
  put32(out, 0, o.interruptionParameter ?? 0);
  out[4] = ((o.key ?? 0) << 4) | (o.suspendControl ? ORB4_S : 0);
  out[5] =
    (o.format1 ? ORB5_F : 0) |
    (o.prefetch ? ORB5_P : 0) |
    (o.initialStatus ? ORB5_I : 0) |
    (o.addressLimitChecking ? ORB5_A : 0) |
    (o.suppressSuspendInterruption ? ORB5_U : 0);
  out[6] = o.lpm ?? 0x80;
  out[7] = o.incorrectLengthSuppression ? ORB7_L : 0;
  put32(out, 8, o.ccwAddress);
  return out;
}

/**
 * Extended-status word (format 1, 20 bytes) as TSCH stores it after a start
 * function: subchannel logout (word 0), extended-report word (word 1) with
 * the sense-count when concurrent sense delivered sense bytes in the ECW,
 * failing-storage address (word 2). Only the fields this model produces.
 */
export interface Esw {
  lpum: number;
  /** Extended-report word byte 0 (S = X01: concurrent sense, the ECW holds sense bytes). */
  erw0: number;
  /** Sense-byte count in the ECW (erw byte 1 bits 3-7). */
  senseCount: number;
}

/** Encode an IRB: SCSW, format-1 ESW, ECW (sense bytes under concurrent sense). */
export function encodeIrb(s: Scsw, esw: Esw, ecw: Uint8Array | null, out: Uint8Array = new Uint8Array(IRB_SIZE)): Uint8Array {
  out.fill(0, 0, IRB_SIZE);
  encodeScsw(s, out, 0);
  out[12 + 1] = esw.lpum;
  out[16] = esw.erw0;
  out[17] = esw.senseCount & 0x3f;
  if (ecw !== null) out.set(ecw.subarray(0, 32), 32);
  return out;
}
