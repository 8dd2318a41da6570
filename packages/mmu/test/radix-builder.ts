/** Lays out radix page tables in a StoragePort for tests and benches. */
import type { StoragePort } from '@strachey/isa-core';
import { type RadixFormat, encodeRadixEntry } from '../src/index';
import { putEntry } from '../src/testing/index';

export class RadixBuilder {
  private next: number;
  readonly root: number;
  constructor(
    readonly storage: StoragePort,
    readonly format: RadixFormat,
    /** First free table frame address; tables are taken upward from here. */
    tableArea: number,
  ) {
    this.next = tableArea;
    this.root = this.allocate();
  }

  allocate(): number {
    const a = this.next;
    this.next += 4096;
    return a;
  }

  private entryAt(table: number, level: number, va: number): number {
    return table + this.format.index(level, va) * this.format.entryBytes + this.format.entryBytes - 4;
  }

  /** Map the page holding `va` to `frame`. */
  map(va: number, frame: number, flags: { present?: boolean; writable?: boolean } = {}): void {
    let table = this.root;
    for (let level = 0; level < this.format.levels - 1; level++) {
      const ea = this.entryAt(table, level, va);
      const e = this.storage.read32(ea as never);
      if ((e & 1) === 0) {
        const t = this.allocate();
        putEntry(this.storage, ea, encodeRadixEntry(t));
        table = t;
      } else {
        table = (e & 0xfffff000) >>> 0;
      }
    }
    putEntry(this.storage, this.entryAt(table, this.format.levels - 1, va), encodeRadixEntry(frame, flags));
  }

  /** Address of the last-level entry for `va` (must be mapped down to the last table). */
  leafEntry(va: number): number {
    let table = this.root;
    for (let level = 0; level < this.format.levels - 1; level++) {
      table = (this.storage.read32(this.entryAt(table, level, va) as never) & 0xfffff000) >>> 0;
    }
    return this.entryAt(table, this.format.levels - 1, va);
  }
}
