/**
 * SIE under hostile state descriptions and guests: whatever the 256 bytes
 * of the description and the guest's storage hold, START INTERPRETIVE
 * EXECUTION completes with one of the interception codes the facility
 * defines, never throws on the host, and the guest stores nothing outside
 * its MSO/MSE extent (the host's storage around it and the description's
 * own fields other than those SIE stores back are untouched).
 */
import {
  type AbsoluteAddress,
  type Access,
  type Esa390Dat,
  type Esa390DatContext,
  Esa390Cpu,
  InterpretiveExecution,
  SIE_ICPT,
  SIE_SD,
  SIE_SD_SIZE,
  SparseStorage,
  type StoragePort,
  TRANSLATION_FAULT,
  type TranslationStatus,
} from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** A minimal ESA/390 segment/page walk over the storage the facility hands the factory (guest absolute storage). */
class WalkDat implements Esa390Dat {
  readonly name = 'walk';
  constructor(
    private readonly context: Esa390DatContext,
    private readonly storage: StoragePort,
  ) {}
  translate(address: number, _access: Access, status: TranslationStatus): number {
    const fault = (code: number): number => {
      status.code = code;
      status.exceptionId = address & 0x7ffff000;
      status.hostFault = false;
      return TRANSLATION_FAULT;
    };
    const std = this.context.cr[1]! >>> 0;
    const sx = (address >>> 20) & 0x7ff;
    if (sx >= ((std & 0x7f) + 1) * 16) return fault(0x10);
    const steAt = this.context.realToAbsolute((std & 0x7ffff000) + sx * 4);
    if (steAt + 4 > this.storage.size) return fault(0x05);
    const ste = this.storage.read32(steAt as AbsoluteAddress) >>> 0;
    if ((ste & 0x20) !== 0) return fault(0x10);
    const px = (address >>> 12) & 0xff;
    const pteAt = this.context.realToAbsolute((ste & 0x7fffffc0) + px * 4);
    if (pteAt + 4 > this.storage.size) return fault(0x05);
    const pte = this.storage.read32(pteAt as AbsoluteAddress) >>> 0;
    if ((pte & 0x400) !== 0) return fault(0x11);
    return (pte & 0x7ffff000) | (address & 0xfff);
  }
  flush(): void {}
  loadRealAddress(): number {
    return 3;
  }
  invalidatePage(): void {}
}

const KNOWN = new Set<number>([
  SIE_ICPT.NONE,
  SIE_ICPT.INSTRUCTION,
  SIE_ICPT.PROGRAM,
  SIE_ICPT.EXTERNAL_REQUEST,
  SIE_ICPT.IO_REQUEST,
  SIE_ICPT.WAIT,
  SIE_ICPT.VALIDITY,
  SIE_ICPT.STOP,
]);

/** Host storage: 512 KB; description at X'8000'; guest at MSO 2 (X'20000'), 64 or 128 KB. */
const SD_AT = 0x8000;

describe('hostile state descriptions and guests', () => {
  it('SIE always ends with a defined interception code, without a host exception, and the guest stores only inside its extent', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: SIE_SD_SIZE, maxLength: SIE_SD_SIZE }),
        fc.uint8Array({ minLength: 1024, maxLength: 1024 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1 }),
        fc.constantFrom(0x00080000, 0x04080000, 0x07080000, 0x000c0000, 0x040c0000),
        (sdBytes, code, sane, mse, pswHigh) => {
          const storage = new SparseStorage(512 * 1024);
          // A recognisable pattern everywhere the guest must not store: below and above its extent.
          const pattern = (a: number): number => (a * 31 + 7) & 0xff;
          // MSE counts the guest's own 64 KB blocks: its extent ends (MSE + 1) blocks above MSO.
          const top = 0x20000 + (mse + 1) * 0x10000;
          for (const [from, to] of [
            [0x10000, 0x20000],
            [top, top + 0x10000],
          ] as const) {
            const b = new Uint8Array(to - from);
            for (let i = 0; i < b.length; i++) b[i] = pattern(from + i);
            storage.writeFrom(from as AbsoluteAddress, b);
          }
          const sd = Uint8Array.from(sdBytes);
          if (sane) {
            // Mostly-valid descriptions reach the guest: XA mode, MSO 2, the chosen extent, a valid guest PSW, no stop request.
            sd[SIE_SD.M] = 0x20;
            sd[SIE_SD.V] = sd[SIE_SD.V]! & 0x03;
            sd.set([0, 2, 0, mse], SIE_SD.MSO);
            // Prefix 0, so the new PSWs below are the guest's prefix area.
            sd.set([0, 0, 0, 0], SIE_SD.PREFIX);
            const psw = [
              pswHigh >>> 24,
              (pswHigh >>> 16) & 0xff,
              sd[SIE_SD.PSW + 2]! & 0x3f,
              0,
              0x80,
              0,
              0x10,
              0x00,
            ];
            sd.set(psw, SIE_SD.PSW);
          }
          storage.writeFrom(SD_AT as AbsoluteAddress, sd);
          // The guest: random code at guest X'1000', random low core (its new PSWs) and tables.
          storage.writeFrom(0x21000 as AbsoluteAddress, code);
          const low = code.slice(0, 512);
          if (sane) {
            // Valid new PSWs (random masks and DAT bit) into the random code, so the guest keeps running through its own interruptions.
            for (const at of [0x58, 0x60, 0x68, 0x78]) {
              low.set(
                [low[at]! & 0x07, 0x08, 0, 0, 0x80, 0, 0x10 + (low[at + 1]! & 0x03), low[at + 2]! & 0xfe],
                at,
              );
            }
          }
          storage.writeFrom(0x20000 as AbsoluteAddress, low);
          const host = new Esa390Cpu({ storage });
          host.state = 'operating';
          const facility = new InterpretiveExecution({
            budget: 2000,
            dat: (context, s) => new WalkDat(context, s),
          });
          expect(facility.start(host, SD_AT)).toBeNull();
          const out = new Uint8Array(SIE_SD_SIZE);
          storage.readInto(SD_AT as AbsoluteAddress, out);
          expect(KNOWN.has(out[SIE_SD.INTERCEPTION_CODE]!)).toBe(true);
          // Fields SIE does not store back are as the host wrote them.
          for (const o of [
            SIE_SD.V,
            SIE_SD.M,
            SIE_SD.MSO,
            SIE_SD.MSE,
            SIE_SD.IC,
            SIE_SD.SVC_CONTROLS,
            SIE_SD.EC,
          ]) {
            expect(out[o]).toBe(sd[o]);
          }
          for (const [from, to] of [
            [0x10000, 0x20000],
            [top, top + 0x10000],
          ] as const) {
            const b = new Uint8Array(to - from);
            storage.readInto(from as AbsoluteAddress, b);
            for (let i = 0; i < b.length; i++)
              if (b[i] !== pattern(from + i)) expect.fail(`host byte X'${(from + i).toString(16)}' changed`);
          }
        },
      ),
      { numRuns: 150, seed: 0x51e },
    );
  });
});
