/**
 * The format-1 SIE state description (ESA/390 host, 256 bytes): the control
 * block START INTERPRETIVE EXECUTION (B214) runs a guest from and stores the
 * guest back to (IBM "SIE Block", vm.ibm.com/pubs/cp240/SIEBK.HTML; Osisek,
 * Jackson, Gum, "ESA/390 interpretive-execution architecture", IBM Systems
 * Journal 30(1), 1991). Field offsets are those of Hercules 3.13's `SIE1BK`
 * (esa390.h); the interception-control bits are its `SIE_IC*` names, the
 * interception codes its `SIE_C_*` (KVM's `ICPT_*`), the validity reasons its
 * `SIE_VI_WHY_*`.
 */

/** Byte offsets in the format-1 state description. */
export const SIE_SD = {
  /** V: intervention requests (see `SIE_V`). */
  V: 0x00,
  /** M: guest mode (see `SIE_M`). */
  M: 0x03,
  /** Guest prefix register. */
  PREFIX: 0x04,
  /** Main-storage origin, halfword in 64 KB units: guest absolute 0 is host `MSO << 16`. */
  MSO: 0x08,
  /**
   * Main-storage extent, halfword in 64 KB units: the guest's own last
   * absolute byte is `((MSE + 1) << 16) - 1`, so the guest has
   * `(MSE + 1) << 16` bytes from MSO whatever MSO is (Hercules 3.13 `sie.c`,
   * ESA/390 build; the z/Architecture format-2 description reads its MSE as
   * a host limit instead).
   */
  MSE: 0x0a,
  /** Guest general registers 14 and 15 (GR0-13 are the host CPU's own registers during SIE). */
  GR14: 0x10,
  GR15: 0x14,
  /** Guest PSW, 8 bytes. */
  PSW: 0x18,
  /** Guest CPU timer, 8 bytes in TOD format. */
  CPU_TIMER: 0x28,
  /** Guest clock comparator, 8 bytes in TOD format. */
  CLOCK_COMPARATOR: 0x30,
  /** Epoch difference: guest TOD clock = host TOD clock + this (signed, TOD format). */
  EPOCH: 0x38,
  /** SVC interception controls: byte 0 flags (see `SIE_SVC`), bytes 1-3 three SVC numbers. */
  SVC_CONTROLS: 0x40,
  /** LCTL interception mask, one bit per control register (CR0 = X'8000'). */
  LCTL_MASK: 0x44,
  /** Guest CPU address (STAP). */
  CPU_ADDRESS: 0x46,
  /** Interception controls IC0-IC3 (see `SIE_IC`). */
  IC: 0x48,
  /** Execution controls (see `SIE_EC`): no assist is offered; only the protection-interception control is read. */
  EC: 0x4c,
  /** Interception code (see `SIE_ICPT`). */
  INTERCEPTION_CODE: 0x50,
  /** Interception status (see `SIE_STATUS`). */
  INTERCEPTION_STATUS: 0x51,
  /** Instruction parameters of an intercepted instruction: IPA its first halfword, IPB the next word. */
  IPA: 0x56,
  IPB: 0x58,
  /** Guest control registers 0-15. */
  CR: 0x80,
  /**
   * Interruption parameters, laid out as the prefix area's X'80'-X'A1'
   * (external parameter, CPU address, external code, SVC and program
   * interruption identification, TEA …): a program-interruption
   * interception stores the ILC and code at SD+X'CC' (PSA X'8C') and the
   * translation-exception identification at SD+X'D0' (PSA X'90').
   */
  INTERRUPTION_PARAMETERS: 0xc0,
  PROGRAM_INTERRUPTION_ID: 0xcc,
  TRANSLATION_EXCEPTION_ID: 0xd0,
} as const;

/** Size of a format-1 state description. */
export const SIE_SD_SIZE = 256;

/** V byte (SD+X'00'): intervention requests the host makes. */
export const SIE_V = {
  WAIT: 0x10,
  EXTERNAL_CALL: 0x08,
  STOP: 0x04,
  IO_PENDING: 0x02,
  EXTERNAL_PENDING: 0x01,
} as const;

/** M byte (SD+X'03'): guest mode. Only XA/ESA guests are offered (no System/370 mode). */
export const SIE_M = { XA: 0x20, S370: 0x10, V_EQUALS_R: 0x08 } as const;

/** SVC interception controls, byte SD+X'40': intercept all SVCs, or the one numbered in byte 1, 2 or 3. */
export const SIE_SVC = { ALL: 0x80, FIRST: 0x40, SECOND: 0x20, THIRD: 0x10 } as const;

/**
 * Interception controls (IC0 = byte SD+X'48' … IC3 = SD+X'4B'), Hercules
 * `SIE_IC*`: each bit makes the named instructions (or program
 * interruptions) intercept instead of being interpreted for the guest.
 */
export const SIE_IC = {
  IC0_OPERATION: 0x80,
  IC0_PRIVILEGED_OPERATION: 0x40,
  IC0_ALL_PROGRAM: 0x20,
  IC0_IPTE: 0x01,
  IC1_LPSW: 0x40,
  IC1_PTLB: 0x20,
  IC1_SSM: 0x10,
  IC1_STCTL: 0x04,
  IC1_STNSM: 0x02,
  IC1_STOSM: 0x01,
  IC2_STCK: 0x80,
  IC2_ISKE: 0x40,
  IC2_SSKE: 0x20,
  IC2_RRBE: 0x10,
  IC3_SPT: 0x40,
  IC3_SCKC: 0x20,
} as const;

/**
 * Execution-control bits of byte EC2 (SD+X'4E'; Hercules `SIE_EC2_PROTEX`).
 * EC2_PROTECTION is the protection-interception control: when on, a guest
 * protection exception is presented to the guest like any program
 * interruption the IC bits leave alone; when off, every guest protection
 * exception is intercepted (X'08').
 */
export const SIE_EC = { EC2_PROTECTION: 0x20 } as const;

/**
 * Interception status bits, byte SD+X'51' (Hercules `SIE_F_*`): FORMAT_2
 * ("interception format 2") says IPA/IPB hold the intercepted instruction;
 * EXECUTE says that instruction was the target of an EXECUTE, so the guest
 * PSW is past the 4-byte EX, not past the instruction in IPA.
 */
export const SIE_STATUS = { FORMAT_2: 0x80, EXECUTE: 0x01 } as const;

/**
 * How many bytes the guest PSW of an instruction interception (X'04') is
 * past the instruction's address, from IPA (its first halfword) and the
 * interception status: 4 for an EXECUTE target, otherwise the length the
 * opcode's first two bits give (POP 5-5, "Instruction Format": 00 two
 * bytes, 01/10 four, 11 six). A host rewinds the PSW by this to have the
 * guest execute the instruction again (as KVM's `kvm_s390_retry_instr`).
 */
export function sieInstructionLength(ipa: number, status: number): number {
  if ((status & SIE_STATUS.EXECUTE) !== 0) return 4;
  const op = (ipa >>> 8) & 0xff;
  return op < 0x40 ? 2 : op < 0xc0 ? 4 : 6;
}

/** Interception codes stored at SD+X'50' (Hercules `SIE_C_*`, KVM `ICPT_*`). */
export const SIE_ICPT = {
  /** No interception: the host's slice ended (the stand-in for a host interruption); the guest resumes as stored. */
  NONE: 0x00,
  /**
   * An instruction the controls (or the model) intercept: IPA/IPB hold it,
   * the interception status has `SIE_STATUS.FORMAT_2`, and the guest PSW
   * points past it (past the EXECUTE when it is an EX target, status
   * `SIE_STATUS.EXECUTE`); a host that retries it rewinds the PSW by
   * `sieInstructionLength`.
   */
  INSTRUCTION: 0x04,
  /** A program interruption the controls intercept; its ILC and code at SD+X'CC', the guest PSW as the old PSW. */
  PROGRAM: 0x08,
  PROGRAM_INSTRUCTION: 0x0c,
  /** The guest is enabled for an external interruption the host asked for (V byte). */
  EXTERNAL_REQUEST: 0x10,
  EXTERNAL_INTERRUPTION: 0x14,
  /** The guest is enabled for an I/O interruption the host asked for (V byte). */
  IO_REQUEST: 0x18,
  /** The guest loaded a wait PSW. */
  WAIT: 0x1c,
  /** The state description cannot be run; the reason is in the high halfword of IPB (see `SIE_VALIDITY`). */
  VALIDITY: 0x20,
  /** The host's stop request (V byte) was honoured. */
  STOP: 0x28,
  OPERATION_EXCEPTION: 0x2c,
} as const;

/** Validity-interception reason codes (Hercules `SIE_VI_WHY_*`), stored in the high halfword of IPB. */
export const SIE_VALIDITY = {
  /** Mode bits other than an XA/ESA guest, or a guest PSW that is not a valid ESA/390 PSW. */
  INVALID_MODE: 0x0001,
  S370_NOT_INSTALLED: 0x0003,
  PREFIX_OUTSIDE_EXTENT: 0x0010,
  SD_OVERLAPS_GUEST: 0x0030,
  /**
   * MSO above MSE: only meaningful where MSE is a host limit (the
   * z/Architecture format-2 description). The ESA/390 format-1 extent counts
   * from MSO, so any MSO/MSE pair is a valid guest and SIE never raises it.
   */
  MSO_ABOVE_MSE: 0x0041,
  /** Not a Hercules code: the guest CPU entered check-stop (e.g. an invalid program new PSW). */
  GUEST_CHECK_STOP: 0x00ff,
} as const;

/** A decoded format-1 state description: every field this implementation reads or writes. */
export interface SieStateDescription {
  v: number;
  mode: number;
  prefix: number;
  /** Main-storage origin and extent in 64 KB units. */
  mso: number;
  mse: number;
  gr14: number;
  gr15: number;
  psw: [high: number, low: number];
  cpuTimer: [high: number, low: number];
  clockComparator: [high: number, low: number];
  epoch: [high: number, low: number];
  svcControls: number;
  lctlMask: number;
  cpuAddress: number;
  /** IC0-IC3 as one word (IC0 in the high byte). */
  ic: number;
  ec: number;
  interceptionCode: number;
  interceptionStatus: number;
  ipa: number;
  ipb: number;
  readonly cr: Int32Array;
}

/** A fresh state description for an ESA/390 (XA-mode) guest: all zero but the mode byte. */
export function emptyStateDescription(): SieStateDescription {
  return {
    v: 0,
    mode: SIE_M.XA,
    prefix: 0,
    mso: 0,
    mse: 0,
    gr14: 0,
    gr15: 0,
    psw: [0, 0],
    cpuTimer: [0, 0],
    clockComparator: [0, 0],
    epoch: [0, 0],
    svcControls: 0,
    lctlMask: 0,
    cpuAddress: 0,
    ic: 0,
    ec: 0,
    interceptionCode: 0,
    interceptionStatus: 0,
    ipa: 0,
    ipb: 0,
    cr: new Int32Array(16),
  };
}

const get32 = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
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

/** Decode the first 256 bytes of `b` as a format-1 state description. */
export function decodeStateDescription(b: Uint8Array): SieStateDescription {
  const sd = emptyStateDescription();
  sd.v = b[SIE_SD.V]!;
  sd.mode = b[SIE_SD.M]!;
  sd.prefix = get32(b, SIE_SD.PREFIX);
  sd.mso = get16(b, SIE_SD.MSO);
  sd.mse = get16(b, SIE_SD.MSE);
  sd.gr14 = get32(b, SIE_SD.GR14);
  sd.gr15 = get32(b, SIE_SD.GR15);
  sd.psw = [get32(b, SIE_SD.PSW), get32(b, SIE_SD.PSW + 4)];
  sd.cpuTimer = [get32(b, SIE_SD.CPU_TIMER), get32(b, SIE_SD.CPU_TIMER + 4)];
  sd.clockComparator = [get32(b, SIE_SD.CLOCK_COMPARATOR), get32(b, SIE_SD.CLOCK_COMPARATOR + 4)];
  sd.epoch = [get32(b, SIE_SD.EPOCH), get32(b, SIE_SD.EPOCH + 4)];
  sd.svcControls = get32(b, SIE_SD.SVC_CONTROLS);
  sd.lctlMask = get16(b, SIE_SD.LCTL_MASK);
  sd.cpuAddress = get16(b, SIE_SD.CPU_ADDRESS);
  sd.ic = get32(b, SIE_SD.IC);
  sd.ec = get32(b, SIE_SD.EC);
  sd.interceptionCode = b[SIE_SD.INTERCEPTION_CODE]!;
  sd.interceptionStatus = b[SIE_SD.INTERCEPTION_STATUS]!;
  sd.ipa = get16(b, SIE_SD.IPA);
  sd.ipb = get32(b, SIE_SD.IPB);
  for (let i = 0; i < 16; i++) sd.cr[i] = get32(b, SIE_SD.CR + 4 * i) | 0;
  return sd;
}

/**
 * Encode a state description into `out` (256 bytes). Only the modelled
 * fields are written; the other bytes of `out` (the interruption parameters
 * at X'C0', reserved fields) are left as they are.
 */
export function encodeStateDescription(
  sd: SieStateDescription,
  out: Uint8Array = new Uint8Array(SIE_SD_SIZE),
): Uint8Array {
  out[SIE_SD.V] = sd.v;
  out[SIE_SD.M] = sd.mode;
  put32(out, SIE_SD.PREFIX, sd.prefix);
  put16(out, SIE_SD.MSO, sd.mso);
  put16(out, SIE_SD.MSE, sd.mse);
  put32(out, SIE_SD.GR14, sd.gr14);
  put32(out, SIE_SD.GR15, sd.gr15);
  put32(out, SIE_SD.PSW, sd.psw[0]);
  put32(out, SIE_SD.PSW + 4, sd.psw[1]);
  put32(out, SIE_SD.CPU_TIMER, sd.cpuTimer[0]);
  put32(out, SIE_SD.CPU_TIMER + 4, sd.cpuTimer[1]);
  put32(out, SIE_SD.CLOCK_COMPARATOR, sd.clockComparator[0]);
  put32(out, SIE_SD.CLOCK_COMPARATOR + 4, sd.clockComparator[1]);
  put32(out, SIE_SD.EPOCH, sd.epoch[0]);
  put32(out, SIE_SD.EPOCH + 4, sd.epoch[1]);
  put32(out, SIE_SD.SVC_CONTROLS, sd.svcControls);
  put16(out, SIE_SD.LCTL_MASK, sd.lctlMask);
  put16(out, SIE_SD.CPU_ADDRESS, sd.cpuAddress);
  put32(out, SIE_SD.IC, sd.ic);
  put32(out, SIE_SD.EC, sd.ec);
  out[SIE_SD.INTERCEPTION_CODE] = sd.interceptionCode;
  out[SIE_SD.INTERCEPTION_STATUS] = sd.interceptionStatus;
  put16(out, SIE_SD.IPA, sd.ipa);
  put32(out, SIE_SD.IPB, sd.ipb);
  for (let i = 0; i < 16; i++) put32(out, SIE_SD.CR + 4 * i, sd.cr[i]! >>> 0);
  return out;
}

/**
 * The validity checks SIE makes before it enters the guest (Hercules
 * `sie.c`): 0 when the description can be run, else the reason code of a
 * validity interception. `mso`/`mse` are in 64 KB units, `prefix` the guest
 * prefix, `sdAbsolute` the description's own absolute address. The guest's
 * extent is `(mse + 1) << 16` bytes of its own absolute storage, at host
 * `mso << 16` onwards: its prefix area must lie inside that extent, and the
 * description must not lie inside the host storage the extent covers (a
 * guest store could rewrite its own state description).
 */
export function sieValidity(
  mode: number,
  prefix: number,
  mso: number,
  mse: number,
  sdAbsolute: number,
): number {
  if ((mode & SIE_M.S370) !== 0) return SIE_VALIDITY.S370_NOT_INSTALLED;
  if ((mode & SIE_M.XA) === 0) return SIE_VALIDITY.INVALID_MODE;
  const size = (mse + 1) * 0x10000;
  if ((prefix & 0x7ffff000) + 0x1000 > size) return SIE_VALIDITY.PREFIX_OUTSIDE_EXTENT;
  const origin = mso * 0x10000;
  if (sdAbsolute + SIE_SD_SIZE > origin && sdAbsolute < origin + size) return SIE_VALIDITY.SD_OVERLAPS_GUEST;
  return 0;
}

/** `sieValidity` of a decoded description. */
export function stateDescriptionValidity(sd: SieStateDescription, sdAbsolute: number): number {
  return sieValidity(sd.mode, sd.prefix, sd.mso, sd.mse, sdAbsolute);
}
