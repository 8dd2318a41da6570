/** A CPU context and storage for DAT tests, with the tables of the Hercules LRA run (see differential test). */
import { type Esa390DatContext, SparseStorage } from '@strachey/isa-core';
import { encodePte, encodeStd, encodeSte } from '../src/index';
import { putEntry } from '../src/testing/index';

export class TestContext implements Esa390DatContext {
  readonly cr = new Int32Array(16);
  asc = 0;
  prefix = 0;
  addressSpaceControl(): number {
    return this.asc;
  }
  realToAbsolute(real: number): number {
    // Prefixing swaps real page 0 (first 4 KB) with the prefix area.
    const p = this.prefix;
    if (real < 4096) return real + p;
    if (real >= p && real < p + 4096) return real - p;
    return real;
  }
}

/**
 * Segment table at 0x10000 (STL 0: 16 segments); STE0 -> page table 0x11000
 * (PTL 15), STE1 invalid, STE2 -> page table 0x11400 with PTL 0, STE3 with
 * the reserved bit 0. PTEs: 0 -> 0x0 (identity), 1 invalid, 2 protected
 * -> 0x21000, 3 reserved bit 23, 4 -> 0x23000.
 */
export function herculesLraFixture(size = 16 * 1024 * 1024): { storage: SparseStorage; context: TestContext } {
  const storage = new SparseStorage(size);
  const context = new TestContext();
  context.cr[0] = 0x00b00000;
  context.cr[1] = encodeStd(0x10000, 0);
  putEntry(storage, 0x10000, encodeSte(0x11000, 15));
  putEntry(storage, 0x10004, encodeSte(0, 0, { invalid: true }));
  putEntry(storage, 0x10008, encodeSte(0x11400, 0));
  putEntry(storage, 0x1000c, encodeSte(0x11000, 15) | 0x80000000);
  putEntry(storage, 0x11000, encodePte(0));
  putEntry(storage, 0x11004, encodePte(0, { invalid: true }));
  putEntry(storage, 0x11008, encodePte(0x21000, { protected: true }));
  putEntry(storage, 0x1100c, encodePte(0x22000) | 0x100);
  putEntry(storage, 0x11010, encodePte(0x23000));
  putEntry(storage, 0x11400, encodePte(0x30000));
  return { storage, context };
}
