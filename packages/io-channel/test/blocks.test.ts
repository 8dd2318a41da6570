/**
 * Control-block layouts (POP SA22-7201 chapter 15; byte positions as
 * mainframe-facts §3.2 records them from Hercules' esa390.h).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOrb, decodePmcw, decodeScsw, encodeIrb, encodeOrb, encodePmcw, encodeSchib, encodeScsw, orbReservedBitsSet, type Pmcw } from '../src/index';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

describe('PMCW / SCHIB', () => {
  it('places every PMCW field at its byte and bit', () => {
    const p: Pmcw = {
      interruptionParameter: 0x12345678,
      isc: 5,
      enabled: true,
      limitMode: 2,
      measurementMode: 1,
      multipath: true,
      timing: false,
      valid: true,
      deviceNumber: 0x0190,
      lpm: 0x80,
      pnom: 0x01,
      lpum: 0x40,
      pim: 0xc0,
      mbi: 0xabcd,
      pom: 0xff,
      pam: 0x80,
      chpids: [0x10, 0x11, 0, 0, 0, 0, 0, 0],
      concurrentSense: true,
    };
    const b = new Uint8Array(28);
    encodePmcw(p, b);
    // byte 4: ISC in bits 2-4 (5 << 3 = X'28'); byte 5: E X'80' | LM 10 X'40' | MM 01 X'08' | D X'04' | V X'01' = X'CD'.
    expect(hex(b)).toBe('12345678' + '28CD0190' + '800140C0' + 'ABCDFF80' + '1011000000000000' + '00000001');
    expect(decodePmcw(b)).toEqual(p);
  });

  it('a SCHIB is PMCW (28) + SCSW (12) + 12 model-dependent bytes', () => {
    const p = decodePmcw(new Uint8Array(28));
    const s = decodeScsw(Uint8Array.from([0x20, 0x80, 0x40, 0x17, 0, 0, 0x10, 0x08, 0x0c, 0x40, 0x00, 0x14]));
    const schib = encodeSchib(p, s);
    expect(schib.length).toBe(52);
    expect(hex(schib.subarray(28, 40))).toBe('2080401700001008' + '0C400014');
    expect(hex(schib.subarray(40))).toBe('000000000000000000000000');
  });

  it('PMCW encode/decode round-trips (property)', () => {
    const pmcw = fc.record({
      interruptionParameter: fc.integer({ min: 0, max: 0xffffffff }),
      isc: fc.integer({ min: 0, max: 7 }),
      enabled: fc.boolean(),
      limitMode: fc.integer({ min: 0, max: 2 }),
      measurementMode: fc.integer({ min: 0, max: 3 }),
      multipath: fc.boolean(),
      timing: fc.boolean(),
      valid: fc.boolean(),
      deviceNumber: fc.integer({ min: 0, max: 0xffff }),
      lpm: fc.integer({ min: 0, max: 255 }),
      pnom: fc.integer({ min: 0, max: 255 }),
      lpum: fc.integer({ min: 0, max: 255 }),
      pim: fc.integer({ min: 0, max: 255 }),
      mbi: fc.integer({ min: 0, max: 0xffff }),
      pom: fc.integer({ min: 0, max: 255 }),
      pam: fc.integer({ min: 0, max: 255 }),
      chpids: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 8, maxLength: 8 }),
      concurrentSense: fc.boolean(),
    });
    fc.assert(
      fc.property(pmcw, (p) => {
        const b = new Uint8Array(28);
        encodePmcw(p, b);
        expect(decodePmcw(b)).toEqual(p);
      }),
    );
  });
});

describe('SCSW, ORB, IRB', () => {
  it('SCSW round-trips its 12 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), (bytes) => {
        const out = new Uint8Array(12);
        encodeScsw(decodeScsw(bytes), out);
        expect(hex(out)).toBe(hex(bytes));
      }),
    );
  });

  it('ORB: key, S, F P I A U, LPM, L, CCW address; reserved bits are detected', () => {
    const raw = Uint8Array.from([0xca, 0xfe, 0xf0, 0x0d, 0x38, 0xf8, 0x80, 0x80, 0x00, 0x01, 0x23, 0x40]);
    expect(decodeOrb(raw)).toEqual({
      interruptionParameter: 0xcafef00d,
      key: 3,
      suspendControl: true,
      format1: true,
      prefetch: true,
      initialStatus: true,
      addressLimitChecking: true,
      suppressSuspendInterruption: true,
      lpm: 0x80,
      incorrectLengthSuppression: true,
      ccwAddress: 0x00012340,
    });
    expect(hex(encodeOrb(decodeOrb(raw)))).toBe(hex(raw));
    expect(orbReservedBitsSet(raw)).toBe(false);
    for (const [i, v] of [
      [4, 0x01],
      [5, 0x04],
      [7, 0x01],
      [8, 0x80],
    ] as const) {
      const b = raw.slice();
      b[i] = b[i]! | v;
      expect(orbReservedBitsSet(b)).toBe(true);
    }
  });

  it('IRB: SCSW, ESW with LPUM at byte 13 and the extended-report word at 16, ECW from byte 32', () => {
    const s = decodeScsw(Uint8Array.from([0, 0x82, 0x40, 0x17, 0, 0, 0x10, 0x20, 0x0e, 0, 0, 0]));
    const irb = encodeIrb(s, { lpum: 0x80, erw0: 0x01, senseCount: 32 }, Uint8Array.from([0x80, 0x08]));
    expect(irb.length).toBe(64);
    expect(irb[13]).toBe(0x80);
    expect(irb[16]).toBe(0x01);
    expect(irb[17]).toBe(32);
    expect(Array.from(irb.subarray(32, 34))).toEqual([0x80, 0x08]);
  });
});
