/**
 * The format-1 SIE state description (ESA/390 host, 256 bytes): the control
 * block START INTERPRETIVE EXECUTION runs a guest from and stores it back to
 * (IBM "SIE Block", vm.ibm.com/pubs/cp240/SIEBK.HTML; field offsets as
 * mainframe-facts.md §4.2 lists them, interception-control bits as Hercules'
 * `esa390.h` SIE1BK defines them).
 */

/** Byte offsets in the format-1 state description. */
export const SD = {
  /** V: intervention requests (wait 0x10, external call 0x08, stop 0x04, I/O pending 0x02, external pending 0x01). */
  V: 0x00,
  /** M: mode (XA guest 0x20, 370 guest 0x10, V=R 0x08). */
  M: 0x03,
  PREFIX: 0x04,
  /** Main-storage origin and extent, halfwords in 64 KB units. */
  MSO: 0x08,
  MSE: 0x0a,
  GR14: 0x10,
  GR15: 0x14,
  PSW: 0x18,
  CPU_TIMER: 0x28,
  CLOCK_COMPARATOR: 0x30,
  EPOCH: 0x38,
  /** SVC interception controls: byte 0 flags (all 0x80, 1n 0x40, 2n 0x20, 3n 0x10), bytes 1-3 the SVC numbers. */
  SVC_CONTROLS: 0x40,
  /** LCTL interception mask, one bit per control register (CR0 = X'8000'). */
  LCTL_MASK: 0x44,
  CPU_ADDRESS: 0x46,
  /** Interception controls IC0-IC3. */
  IC: 0x48,
  /** Execution controls (assists). */
  EC: 0x4c,
  INTERCEPTION_CODE: 0x50,
  INTERCEPTION_STATUS: 0x51,
  /** Instruction parameters of the intercepted instruction: IPA (first halfword), IPB (next word). */
  IPA: 0x56,
  IPB: 0x58,
  IPC: 0x5c,
  CR: 0x80,
} as const;

/** Size of a format-1 state description. */
export const SD_SIZE = 256;

/** V byte: intervention requests. */
export const SD_V = { WAIT: 0x10, EXTERNAL_CALL: 0x08, STOP: 0x04, IO_PENDING: 0x02, EXTERNAL_PENDING: 0x01 } as const;
/** M byte: an XA/ESA guest. */
export const SD_M_XA = 0x20;
/** M byte: a System/370 guest (not offered here). */
export const SD_M_370 = 0x10;

/** Interception controls (IC0 = byte SD+X'48', …), Hercules `SIE_IC*`. */
export const SD_IC = {
  IC0_OPERATION: 0x80,
  IC0_PRIVILEGED_OPERATION: 0x40,
  IC0_ALL_PROGRAM: 0x20,
  IC0_IPTE: 0x01,
  IC1_LPSW: 0x40,
  IC1_PTLB: 0x20,
  IC1_SSM: 0x10,
  IC1_STCTL: 0x04,
  IC1_STOSM: 0x02,
  IC1_STNSM: 0x01,
  IC2_STCK: 0x80,
  IC2_ISKE: 0x40,
  IC2_SSKE: 0x20,
  IC2_RRBE: 0x10,
  IC3_SPT: 0x40,
  IC3_SCKC: 0x20,
} as const;

/** Interception codes stored at SD+X'50' (POP for SIE; Hercules `SIE_C_*`, KVM `ICPT_*`). */
export const ICPT = {
  /** No interception: the host's time slice ended (a host interruption), the guest is resumable as stored. */
  NONE: 0x00,
  INSTRUCTION: 0x04,
  PROGRAM: 0x08,
  PROGRAM_INSTRUCTION: 0x0c,
  EXTERNAL_REQUEST: 0x10,
  EXTERNAL_INTERRUPTION: 0x14,
  IO_REQUEST: 0x18,
  WAIT: 0x1c,
  VALIDITY: 0x20,
  STOP: 0x28,
  OPERATION_EXCEPTION: 0x2c,
} as const;

/** Validity-interception reason codes (Hercules `SIE_VI_WHY_*`), stored in the high halfword of IPB. */
export const VALIDITY = {
  INVALID_MODE: 0x0001,
  S370_NOT_INSTALLED: 0x0003,
  PREFIX_OUTSIDE_EXTENT: 0x0010,
  SD_OVERLAPS_GUEST: 0x0030,
  MSO_ABOVE_MSE: 0x0041,
} as const;

/** A decoded format-1 state description (the fields this implementation uses). */
export interface StateDescription {
  v: number;
  mode: number;
  prefix: number;
  /** Main-storage origin and extent in 64 KB units. */
  mso: number;
  mse: number;
  gr14: number;
  gr15: number;
  psw: [number, number];
  cpuTimer: [number, number];
  clockComparator: [number, number];
  svcControls: number;
  lctlMask: number;
  cpuAddress: number;
  /** IC0-IC3 as one word (IC0 in the high byte). */
  ic: number;
  ec: number;
  interceptionCode: number;
  ipa: number;
  ipb: number;
  readonly cr: Int32Array;
}

/** A fresh state description for an ESA/390 (XA-mode) guest. */
export function emptyStateDescription(): StateDescription {
  return {
    v: 0,
    mode: SD_M_XA,
    prefix: 0,
    mso: 0,
    mse: 0,
    gr14: 0,
    gr15: 0,
    psw: [0, 0],
    cpuTimer: [0, 0],
    clockComparator: [0, 0],
    svcControls: 0,
    lctlMask: 0,
    cpuAddress: 0,
    ic: 0,
    ec: 0,
    interceptionCode: 0,
    ipa: 0,
    ipb: 0,
    cr: new Int32Array(16),
  };
}

const get32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const get16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const put32 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
};
const put16 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v >>> 8;
  b[o + 1] = v;
};

/** Decode 256 bytes of a format-1 state description. */
export function decodeStateDescription(b: Uint8Array): StateDescription {
  const sd = emptyStateDescription();
  sd.v = b[SD.V]!;
  sd.mode = b[SD.M]!;
  sd.prefix = get32(b, SD.PREFIX);
  sd.mso = get16(b, SD.MSO);
  sd.mse = get16(b, SD.MSE);
  sd.gr14 = get32(b, SD.GR14);
  sd.gr15 = get32(b, SD.GR15);
  sd.psw = [get32(b, SD.PSW), get32(b, SD.PSW + 4)];
  sd.cpuTimer = [get32(b, SD.CPU_TIMER), get32(b, SD.CPU_TIMER + 4)];
  sd.clockComparator = [get32(b, SD.CLOCK_COMPARATOR), get32(b, SD.CLOCK_COMPARATOR + 4)];
  sd.svcControls = get32(b, SD.SVC_CONTROLS);
  sd.lctlMask = get16(b, SD.LCTL_MASK);
  sd.cpuAddress = get16(b, SD.CPU_ADDRESS);
  sd.ic = get32(b, SD.IC);
  sd.ec = get32(b, SD.EC);
  sd.interceptionCode = b[SD.INTERCEPTION_CODE]!;
  sd.ipa = get16(b, SD.IPA);
  sd.ipb = get32(b, SD.IPB);
  for (let i = 0; i < 16; i++) sd.cr[i] = get32(b, SD.CR + 4 * i) | 0;
  return sd;
}

/** Encode a state description into 256 bytes (fields not modelled are zero). */
export function encodeStateDescription(sd: StateDescription, out: Uint8Array = new Uint8Array(SD_SIZE)): Uint8Array {
  out.fill(0, 0, SD_SIZE);
  out[SD.V] = sd.v;
  out[SD.M] = sd.mode;
  put32(out, SD.PREFIX, sd.prefix);
  put16(out, SD.MSO, sd.mso);
  put16(out, SD.MSE, sd.mse);
  put32(out, SD.GR14, sd.gr14);
  put32(out, SD.GR15, sd.gr15);
  put32(out, SD.PSW, sd.psw[0]);
  put32(out, SD.PSW + 4, sd.psw[1]);
  put32(out, SD.CPU_TIMER, sd.cpuTimer[0]);
  put32(out, SD.CPU_TIMER + 4, sd.cpuTimer[1]);
  put32(out, SD.CLOCK_COMPARATOR, sd.clockComparator[0]);
  put32(out, SD.CLOCK_COMPARATOR + 4, sd.clockComparator[1]);
  put32(out, SD.SVC_CONTROLS, sd.svcControls);
  put16(out, SD.LCTL_MASK, sd.lctlMask);
  put16(out, SD.CPU_ADDRESS, sd.cpuAddress);
  put32(out, SD.IC, sd.ic);
  put32(out, SD.EC, sd.ec);
  out[SD.INTERCEPTION_CODE] = sd.interceptionCode;
  put16(out, SD.IPA, sd.ipa);
  put32(out, SD.IPB, sd.ipb);
  for (let i = 0; i < 16; i++) put32(out, SD.CR + 4 * i, sd.cr[i]! >>> 0);
  return out;
}

/**
 * The validity checks SIE makes before entering the guest; 0 when the
 * description is usable, else the reason code of a validity interception.
 * `sdAddress` is the description's own host address (it must not lie in the
 * guest's storage).
 */
export function validityReason(sd: StateDescription, sdAddress: number): number {
  if ((sd.mode & SD_M_370) !== 0) return VALIDITY.S370_NOT_INSTALLED;
  if ((sd.mode & SD_M_XA) === 0) return VALIDITY.INVALID_MODE;
  if (sd.mso > sd.mse) return VALIDITY.MSO_ABOVE_MSE;
  const size = (sd.mse + 1 - sd.mso) * 0x10000;
  if ((sd.prefix & 0x7ffff000) + 0x1000 > size) return VALIDITY.PREFIX_OUTSIDE_EXTENT;
  const origin = sd.mso * 0x10000;
  if (sdAddress + SD_SIZE > origin && sdAddress < origin + size) return VALIDITY.SD_OVERLAPS_GUEST;
  return 0;
}
