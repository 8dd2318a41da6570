/**
 * Runnable example: a guest virtual address translated by the guest's own
 * ESA/390 DAT, then by a hypervisor's pmap (a SIE-style origin), then by the
 * LPAR's zone, all stacked with compose(); and the same guest under a
 * ShadowPager, which gets to the same machine address in one step.
 * Run: npx tsx --conditions=@strachey/source examples/stack.ts
 */
import { Access, SparseStorage, absoluteAddress, createTranslationStatus } from '@strachey/isa-core';
import {
  Esa390Format,
  ShadowPager,
  ZoneRelocator,
  compose,
  createEsa390Dat,
  encodePte,
  encodeStd,
  encodeSte,
  offsetTranslator,
  relocatedStorage,
} from '../src/index';

const MB = 1024 * 1024;

export function runExample(): { composed: number; shadowed: number; references: number } {
  // The machine, and an LPAR owning machine storage 256 MB..320 MB.
  const machine = new SparseStorage(512 * MB);
  const zone = new ZoneRelocator({ origin: 256 * MB, limit: 64 * MB });
  // Inside the LPAR a hypervisor gives its guest 16 MB at LPAR address 32 MB (like a SIE origin).
  const guestOrigin = offsetTranslator('sie-origin', 32 * MB, 16 * MB);
  const pmap = compose(guestOrigin, zone);
  const guestStorage = relocatedStorage(machine, pmap, 16 * MB);

  // The guest's DAT state: CR0 format, CR1 STD, one segment table and one page table.
  const cr = new Int32Array(16);
  cr[0] = 0x00b00000;
  cr[1] = encodeStd(0x10000, 0);
  const guestCpu = { cr, addressSpaceControl: () => 0, realToAbsolute: (real: number) => real };
  guestStorage.write32(absoluteAddress(0x10000), encodeSte(0x11000, 15));
  guestStorage.write32(absoluteAddress(0x11000 + 5 * 4), encodePte(0x123000));

  // Guest virtual 0x5abc -> guest real 0x123abc -> LPAR 32 MB + that -> machine 256 MB + that.
  const guestDat = createEsa390Dat({ storage: guestStorage, context: guestCpu });
  const pipeline = compose(guestDat, pmap);
  const st = createTranslationStatus();
  const composed = pipeline.translate(0x5abc, Access.Read, st);

  // A shadow pager maps guest virtual straight to machine addresses.
  const shadow = new ShadowPager({ format: new Esa390Format(guestCpu), hostStorage: machine, pmap, guestSize: 16 * MB });
  const shadowed = shadow.translate(0x5abc, Access.Read, createTranslationStatus());
  return { composed, shadowed, references: st.references };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runExample();
  console.log(`composed: 0x${r.composed.toString(16)}, shadow: 0x${r.shadowed.toString(16)}, table references: ${r.references}`);
}
