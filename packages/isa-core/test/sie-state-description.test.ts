/**
 * The format-1 SIE state description: every modelled field survives an
 * encode/decode round trip, the fields sit at the offsets of Hercules 3.13's
 * SIE1BK / IBM's SIE block, and the validity rules give the reasons
 * Hercules' `SIE_VI_WHY_*` name.
 */
import {
  decodeStateDescription,
  emptyStateDescription,
  encodeStateDescription,
  SIE_ICPT,
  SIE_M,
  SIE_SD,
  SIE_SD_SIZE,
  SIE_VALIDITY,
  sieValidity,
  stateDescriptionValidity,
} from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const word = fc.integer({ min: 0, max: 0xffffffff });
const half = fc.integer({ min: 0, max: 0xffff });
const byte = fc.integer({ min: 0, max: 0xff });

describe('format-1 state description', () => {
  it('encode then decode gives back every modelled field', () => {
    const pair = fc.tuple(word, word);
    const arbitrary = fc.record({
      v: byte,
      mode: byte,
      prefix: word,
      mso: half,
      mse: half,
      gr14: word,
      gr15: word,
      psw: pair,
      cpuTimer: pair,
      clockComparator: pair,
      epoch: pair,
      svcControls: word,
      lctlMask: half,
      cpuAddress: half,
      ic: word,
      ec: word,
      interceptionCode: byte,
      interceptionStatus: byte,
      ipa: half,
      ipb: word,
      cr: fc.array(word, { minLength: 16, maxLength: 16 }),
    });
    fc.assert(
      fc.property(arbitrary, (r) => {
        const sd = { ...r, cr: Int32Array.from(r.cr, (x) => x | 0) };
        const bytes = encodeStateDescription(sd);
        expect(bytes.length).toBe(SIE_SD_SIZE);
        expect(decodeStateDescription(bytes)).toEqual(sd);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('puts the fields at their architected offsets and leaves the interruption parameters alone', () => {
    const sd = emptyStateDescription();
    sd.psw = [0x070c0000, 0x80012345];
    sd.mso = 0x0010;
    sd.mse = 0x001f;
    sd.interceptionCode = SIE_ICPT.WAIT;
    sd.cr[1] = 0x00123000;
    sd.gr15 = 0xcafef00d;
    sd.epoch = [0xffffffff, 0xfffff000];
    const out = new Uint8Array(SIE_SD_SIZE).fill(0xee);
    const b = encodeStateDescription(sd, out);
    expect([...b.subarray(0x18, 0x20)]).toEqual([0x07, 0x0c, 0, 0, 0x80, 0x01, 0x23, 0x45]);
    expect([...b.subarray(0x08, 0x0c)]).toEqual([0x00, 0x10, 0x00, 0x1f]);
    expect([...b.subarray(0x14, 0x18)]).toEqual([0xca, 0xfe, 0xf0, 0x0d]);
    expect([...b.subarray(0x38, 0x40)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0x00]);
    expect(b[0x50]).toBe(0x1c);
    expect([...b.subarray(0x84, 0x88)]).toEqual([0x00, 0x12, 0x30, 0x00]);
    expect(b[0x03]).toBe(SIE_M.XA);
    // X'C0'-X'FF' (interruption parameters) belong to the facility and the host, not to the encoder.
    expect(b.subarray(SIE_SD.INTERRUPTION_PARAMETERS).every((x) => x === 0xee)).toBe(true);
  });

  it('validity: each reason, in Hercules order of checking', () => {
    // Guest at MSO 2 with MSE 1: two 64 KB blocks of its own (host X'20000'-X'3FFFF'), description at host X'8000'.
    expect(sieValidity(SIE_M.XA, 0, 2, 1, 0x8000)).toBe(0);
    expect(sieValidity(SIE_M.S370 | SIE_M.XA, 0, 2, 1, 0x8000)).toBe(SIE_VALIDITY.S370_NOT_INSTALLED);
    expect(sieValidity(0, 0, 2, 1, 0x8000)).toBe(SIE_VALIDITY.INVALID_MODE);
    // MSE is the guest's extent, not a host limit: MSO above MSE is an ordinary guest (64 KB at X'50000').
    expect(sieValidity(SIE_M.XA, 0, 5, 0, 0x8000)).toBe(0);
    // The prefix area (4 KB) must lie inside the 128 KB extent: guest absolute, whatever MSO is.
    expect(sieValidity(SIE_M.XA, 0x1f000, 2, 1, 0x8000)).toBe(0);
    expect(sieValidity(SIE_M.XA, 0x20000, 2, 1, 0x8000)).toBe(SIE_VALIDITY.PREFIX_OUTSIDE_EXTENT);
    expect(sieValidity(SIE_M.XA, 0x3f000, 7, 3, 0x8000)).toBe(0);
    expect(sieValidity(SIE_M.XA, 0x40000, 7, 3, 0x8000)).toBe(SIE_VALIDITY.PREFIX_OUTSIDE_EXTENT);
    // The description must not lie in the host storage the guest's extent covers (not even its last byte).
    expect(sieValidity(SIE_M.XA, 0, 2, 1, 0x20000 - SIE_SD_SIZE)).toBe(0);
    expect(sieValidity(SIE_M.XA, 0, 2, 1, 0x20000 - SIE_SD_SIZE + 8)).toBe(SIE_VALIDITY.SD_OVERLAPS_GUEST);
    expect(sieValidity(SIE_M.XA, 0, 2, 1, 0x3ff00)).toBe(SIE_VALIDITY.SD_OVERLAPS_GUEST);
    expect(sieValidity(SIE_M.XA, 0, 2, 1, 0x40000)).toBe(0);
    // With MSE 3 the same origin reaches host X'5FFFF'.
    expect(sieValidity(SIE_M.XA, 0, 2, 3, 0x5ff00)).toBe(SIE_VALIDITY.SD_OVERLAPS_GUEST);
    expect(sieValidity(SIE_M.XA, 0, 2, 3, 0x60000)).toBe(0);
    const sd = emptyStateDescription();
    sd.mso = 5;
    sd.mse = 0;
    sd.prefix = 0x1000;
    expect(stateDescriptionValidity(sd, 0x50000)).toBe(SIE_VALIDITY.SD_OVERLAPS_GUEST);
    expect(stateDescriptionValidity(sd, 0x60000)).toBe(0);
  });
});
