/**
 * PR/SM zone relocation. Each logical partition's real (absolute) storage is
 * one contiguous range of machine storage starting at its zone origin; the
 * zone limit bounds it. The LPAR's operating system addresses its storage
 * from 0 and a per-CPU zone-origin register relocates every reference, so no
 * shadow tables or second translation are needed (seed 004 §12.4; Hercules
 * keeps the same pair per zone as MSO/MSL in its zone parameter block).
 */
import type { Access, Translator, TranslationStatus } from '@strachey/isa-core';
import { addressingFault } from './table-walker';

/** A zone: where an LPAR's storage starts in machine storage and how large it is. */
export interface ZoneOptions {
  /** Zone origin: the machine absolute address of the LPAR's absolute 0 (4 KB aligned). */
  readonly origin: number;
  /** Zone size in bytes: the LPAR's addresses at or above it take an addressing exception (0x05). */
  readonly limit: number;
}

/** Zone origin/limit relocation of one LPAR: LPAR absolute -> machine absolute. */
export class ZoneRelocator implements Translator {
  readonly name = 'zone';
  private zoneOrigin: number;
  private zoneLimit: number;

  constructor(options: ZoneOptions) {
    this.zoneOrigin = options.origin >>> 0;
    this.zoneLimit = options.limit >>> 0;
  }

  /** The zone origin. */
  get origin(): number {
    return this.zoneOrigin;
  }

  /** The size of the LPAR's storage: its addresses run from 0 to `size - 1`. */
  get size(): number {
    return this.zoneLimit;
  }

  /** Reconfigure the zone (only while the LPAR's CPUs are stopped, as PR/SM does). */
  setZone(origin: number, limit: number): void {
    this.zoneOrigin = origin >>> 0;
    this.zoneLimit = limit >>> 0;
  }

  translate(address: number, _access: Access, status: TranslationStatus): number {
    if (address < 0 || address >= this.zoneLimit) return addressingFault(status);
    return this.zoneOrigin + address;
  }

  flush(): void {}
}
