/**
 * The relocation SIE applies to a guest's storage (Osisek, Jackson, Gum 1991,
 * "preferred and pageable guests"; Hercules `sie.c`): guest absolute address
 * `a` is host address `MSO << 16 + a`, and `a` at or beyond the extent
 * (`(MSE + 1) << 16` bytes: MSE is the guest's own last 64 KB block) is an addressing exception the guest takes
 * itself. When the host CPU has a relocation of its own (CP in an LPAR: the
 * zone origin), the result goes on through that layer too.
 *
 * Two views of the same mapping: a `Translator` that becomes the guest CPU's
 * host layer, and a `StoragePort` the guest's DAT port reads its segment and
 * page tables through (two-level translation: the guest's tables are in guest
 * absolute storage).
 */
import type { AbsoluteAddress } from '../../framework/addresses';
import type { StoragePort } from '../../framework/storage';
import {
  type Access,
  Access as AccessKind,
  createTranslationStatus,
  TRANSLATION_FAULT,
  type TranslationStatus,
  type Translator,
} from '../../framework/translator';

const ADDRESSING = 0x05;

/** Guest absolute → host: origin plus a bound, then the host CPU's own layer if it has one. */
export class GuestRelocation implements Translator {
  readonly name = 'sie-origin';
  constructor(
    /** Host address of guest absolute 0. */
    readonly origin: number,
    /** Guest storage size in bytes. */
    readonly extent: number,
    /** The host CPU's own host layer, or null. */
    readonly outer: Translator | null,
  ) {}

  translate(address: number, access: Access, status: TranslationStatus): number {
    if (address < 0 || address >= this.extent) {
      status.code = ADDRESSING;
      status.exceptionId = 0;
      status.hostFault = false;
      return TRANSLATION_FAULT;
    }
    const outer = this.outer;
    return outer === null ? this.origin + address : outer.translate(this.origin + address, access, status);
  }

  flush(): void {
    this.outer?.flush();
  }
}

/**
 * Guest absolute storage as a StoragePort over the host's storage. Callers
 * check `size` first (StoragePort's contract); an access the host's own layer
 * refuses reads as zeros and stores nothing, as a table fetch from storage
 * that is not there must not throw on the host.
 */
export class GuestAbsoluteStorage implements StoragePort {
  readonly size: number;
  private readonly status = createTranslationStatus();

  constructor(
    private readonly host: StoragePort,
    private readonly relocation: GuestRelocation,
  ) {
    this.size = relocation.extent;
  }

  /** Host address of guest absolute `a`, or -1. Relocation keeps 4 KB frames whole, so a frame-internal range maps as one. */
  private map(a: number, access: Access): number {
    const r = this.relocation;
    if (r.outer === null) return a >= 0 && a < r.extent ? r.origin + a : -1;
    return r.translate(a, access, this.status);
  }

  read8(address: AbsoluteAddress): number {
    const h = this.map(address, AccessKind.Read);
    return h < 0 ? 0 : this.host.read8(h as AbsoluteAddress);
  }
  read16(address: AbsoluteAddress): number {
    if ((address & 0xfff) > 0xffe)
      return (this.read8(address) << 8) | this.read8((address + 1) as AbsoluteAddress);
    const h = this.map(address, AccessKind.Read);
    return h < 0 ? 0 : this.host.read16(h as AbsoluteAddress);
  }
  read32(address: AbsoluteAddress): number {
    if ((address & 0xfff) > 0xffc)
      return (this.read16(address) << 16) | this.read16((address + 2) as AbsoluteAddress);
    const h = this.map(address, AccessKind.Read);
    return h < 0 ? 0 : this.host.read32(h as AbsoluteAddress);
  }
  write8(address: AbsoluteAddress, value: number): void {
    const h = this.map(address, AccessKind.Write);
    if (h >= 0) this.host.write8(h as AbsoluteAddress, value);
  }
  write16(address: AbsoluteAddress, value: number): void {
    this.write8(address, value >>> 8);
    this.write8((address + 1) as AbsoluteAddress, value);
  }
  write32(address: AbsoluteAddress, value: number): void {
    if ((address & 0xfff) > 0xffc) {
      this.write16(address, value >>> 16);
      this.write16((address + 2) as AbsoluteAddress, value);
      return;
    }
    const h = this.map(address, AccessKind.Write);
    if (h >= 0) this.host.write32(h as AbsoluteAddress, value);
  }
  readInto(address: AbsoluteAddress, target: Uint8Array, offset = 0, length = target.length - offset): void {
    for (let i = 0; i < length; i++) target[offset + i] = this.read8((address + i) as AbsoluteAddress);
  }
  writeFrom(address: AbsoluteAddress, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.write8((address + i) as AbsoluteAddress, data[i]!);
  }
  getKey(address: AbsoluteAddress): number {
    const h = this.map(address, AccessKind.Read);
    return h < 0 ? 0 : this.host.getKey(h as AbsoluteAddress);
  }
  setKey(address: AbsoluteAddress, key: number): void {
    const h = this.map(address, AccessKind.Write);
    if (h >= 0) this.host.setKey(h as AbsoluteAddress, key);
  }
}
