/**
 * A virtual machine's storage as CP sees it: a window of CP's real (host)
 * storage, [origin, origin + size), which the guest calls absolute storage
 * 0 … size-1. The guest's CPUs reach it through an offset host layer whose
 * bound makes everything outside the window an addressing exception, so no
 * guest can name another guest's frames; CP reaches it through the accessors
 * here, which check the same bound and return architected exception codes
 * instead of throwing (guest misbehaviour is an event, never a host error).
 *
 * Beyond the guest's window each VM owns a small CP work area (translated
 * channel programs, IDAW lists, relocated seek arguments) that the guest
 * cannot address.
 */
import {
  Access,
  type AbsoluteAddress,
  type Esa390DatContext,
  KEY_CHANGE,
  KEY_FETCH,
  KEY_REF,
  type StoragePort,
  type TranslationStatus,
  type Translator,
  createTranslationStatus,
  PGM,
} from '@strachey/isa-core';
import {
  compose,
  createEsa390Dat,
  type Esa390DatTranslator,
  offsetTranslator,
  relocatedStorage,
} from '@strachey/mmu';

/** Bytes of CP work area per virtual machine (beyond the guest window): channel programs, then SIE state descriptions. */
export const CP_AREA_BYTES = 64 * 1024;
/** The last 4 KB of the CP work area hold the virtual CPUs' SIE state descriptions (256 bytes each). */
export const SD_AREA_BYTES = 4096;
/** SIE relocates in 64 KB units (MSO/MSE): the CP area starts on the next 64 KB boundary after the guest. */
export const SIE_UNIT = 0x10000;

/** The storage of one virtual machine; see the file comment. */
export class GuestStorage {
  /** CP's real storage, addressed as CP addresses it (0 … its size - 1). */
  readonly host: StoragePort;
  /** Host address of guest absolute 0. */
  readonly origin: number;
  /** Guest storage size in bytes. */
  readonly size: number;
  /** Guest absolute → host, bounded by `size` (the SIE MSO/MSE idea). */
  readonly window: Translator;
  /**
   * Guest absolute → the storage the CPUs index: `window` alone when CP owns
   * its storage, `window` then CP's own relocation (an LPAR's zone or block
   * table) when CP runs in a logical partition. The CPU's host layer.
   */
  readonly cpuLayer: Translator;
  /** The guest's own DAT, walked by CP to translate operands of emulated instructions (LRA, STCTL to virtual storage, DIAGNOSE buffers). */
  readonly dat: Esa390DatTranslator;
  /** Host address of this VM's CP work area. */
  readonly cpArea: number;
  /**
   * isa-core's translation status of the last logical translation that
   * failed (`logical`, `loadRealAddress`): `code`, the program-interruption
   * code, and `exceptionId`, the translation-exception identification the
   * architecture stores at real X'90' (POP "Translation-Exception
   * Identification") — from the DAT walk for translation exceptions; the
   * page and address-space bits for a protection exception (suppression on
   * protection, as isa-core and Hercules 3.13 store it); 0 for addressing.
   */
  readonly translation: TranslationStatus = createTranslationStatus();
  private readonly lra = new Int32Array(1);
  private readonly context: Esa390DatContext;

  constructor(
    host: StoragePort,
    origin: number,
    size: number,
    context: Esa390DatContext,
    realLayer: Translator | null = null,
  ) {
    this.host = host;
    this.context = context;
    this.origin = origin;
    this.size = size;
    this.cpArea = origin + Math.ceil(size / SIE_UNIT) * SIE_UNIT;
    this.window = offsetTranslator('cp-window', origin, size);
    this.cpuLayer = realLayer === null ? this.window : compose(this.window, realLayer);
    this.dat = createEsa390Dat({ storage: relocatedStorage(host, this.window, size), context, tlb: false });
  }

  /** Is the guest absolute range [a, a+len) inside the guest's storage? */
  inside(a: number, len: number): boolean {
    return a >= 0 && len >= 0 && a + len <= this.size;
  }

  read8(a: number): number {
    return this.host.read8((this.origin + a) as AbsoluteAddress);
  }
  read16(a: number): number {
    return this.host.read16((this.origin + a) as AbsoluteAddress);
  }
  read32(a: number): number {
    return this.host.read32((this.origin + a) as AbsoluteAddress);
  }
  write8(a: number, v: number): void {
    this.host.write8((this.origin + a) as AbsoluteAddress, v);
  }
  write16(a: number, v: number): void {
    this.host.write16((this.origin + a) as AbsoluteAddress, v);
  }
  write32(a: number, v: number): void {
    this.host.write32((this.origin + a) as AbsoluteAddress, v);
  }
  readBytes(a: number, out: Uint8Array): void {
    this.host.readInto((this.origin + a) as AbsoluteAddress, out);
  }
  writeBytes(a: number, data: Uint8Array): void {
    this.host.writeFrom((this.origin + a) as AbsoluteAddress, data);
  }
  /** Storage key of the 4 KB block holding guest absolute `a` (ACC, F, R, C). */
  getKey(a: number): number {
    return this.host.getKey((this.origin + a) as AbsoluteAddress);
  }
  setKey(a: number, key: number): void {
    this.host.setKey((this.origin + a) as AbsoluteAddress, key);
  }

  /**
   * Guest logical → guest absolute for an operand CP accesses on the guest's
   * behalf: DAT when `dat` is on, then prefixing, then the bound, then
   * key-controlled and fetch protection for `key` (POP "Key-Controlled
   * Protection"). Returns the absolute address, or the negated
   * program-interruption code (and the TEA in `translation`).
   */
  logical(address: number, amask: number, dat: boolean, prefix: number, key: number, access: Access): number {
    let real = address & amask;
    if (dat) {
      const r = this.dat.translate(real, access, this.translation);
      if (r < 0) return -this.translation.code;
      real = r;
    }
    const abs = realToAbsolute(real, prefix);
    if (abs >= this.size) return this.fault(PGM.ADDRESSING, 0);
    if (key !== 0) {
      const k = this.getKey(abs);
      const denied = access === Access.Write ? k >>> 4 !== key : (k & KEY_FETCH) !== 0 && k >>> 4 !== key;
      if (denied) {
        const asc = this.context.addressSpaceControl();
        const space = dat ? (asc === 2 ? 0x80000000 : 0) | asc : 0;
        return this.fault(PGM.PROTECTION, ((address & amask & 0x7ffff000) | space) >>> 0);
      }
    }
    // Reference and change bits, as the hardware would set them.
    this.setKey(abs, (this.getKey(abs) | KEY_REF | (access === Access.Write ? KEY_CHANGE : 0)) & 0xfe);
    return abs;
  }

  /** Record a fault found here (not by the walker) in `translation`; returns the negated code. */
  private fault(code: number, exceptionId: number): number {
    this.translation.code = code;
    this.translation.exceptionId = exceptionId;
    this.translation.hostFault = false;
    return -code;
  }

  /** LOAD REAL ADDRESS against the guest's tables: cc, the value for R1, or a negated program code. */
  loadRealAddress(address: number): { cc: number; value: number } | number {
    const cc = this.dat.loadRealAddress(address, this.lra, this.translation);
    if (cc < 0) return cc;
    return { cc, value: this.lra[0]! };
  }
}

/** Prefixing (POP "Prefixing"): real page 0 and the prefix page trade places. */
export function realToAbsolute(real: number, prefix: number): number {
  const page = real & 0x7ffff000;
  if (page === 0) return (real | prefix) >>> 0;
  if (page === prefix) return real & 0xfff;
  return real >>> 0;
}
