import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exec, lengthOf, machine, ORIGIN, RI, RR, RS, RX } from './cpu-helpers';

/** Reference model: the architected result of a 32-bit signed operation computed in BigInt. */
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const edge = fc.oneof(i32, fc.constantFrom(0, 1, -1, 0x7fffffff, -0x80000000, 0x40000000, -0x40000000));
const signedCc = (v: bigint): number => (v === 0n ? 0 : v < 0n ? 1 : 2);
const wrap32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

describe('binary add and subtract (AR, SR, A, S, AH, SH, AHI)', () => {
  const m = machine();
  it('AR and SR give the two-complement sum, cc by sign, cc 3 on overflow (BigInt reference)', () => {
    fc.assert(
      fc.property(edge, edge, fc.boolean(), (a, b, isSub) => {
        const r = exec(m, [RR(isSub ? 0x1b : 0x1a, 1, 2)], { 1: a, 2: b });
        const exact = isSub ? BigInt(a) - BigInt(b) : BigInt(a) + BigInt(b);
        const ovf = exact !== BigInt(wrap32(exact));
        expect(r.code).toBe(1); // reached END: no interruption with the program mask off
        expect(r.g[1]).toBe(wrap32(exact));
        expect(r.cc).toBe(ovf ? 3 : signedCc(exact));
      }),
      { numRuns: 300 },
    );
  });

  it('fixed-point overflow with the program-mask bit on interrupts after completion (code 8, ILC 1, result stored)', () => {
    const r = exec(m, [RR(0x1a, 1, 2)], { 1: 0x7fffffff, 2: 1 }, { progmask: 8 });
    expect(r.code).toBe(0x08);
    expect(r.ilc).toBe(1);
    expect(r.oldIa).toBe(ORIGIN + 2);
    expect(r.g[1]).toBe(-0x80000000);
    expect(r.cc).toBe(3);
  });

  it('A, S, AH, SH and AHI use the storage/immediate operand, sign-extending halfwords', () => {
    m.poke(0x800, [0xff, 0xfe, 0x00, 0x10]); // halfword -2 ; word 0xFFFE0010
    expect(exec(m, [RX(0x4a, 1, 0x800)], { 1: 5 }).g[1]).toBe(3);
    expect(exec(m, [RX(0x4b, 1, 0x800)], { 1: 5 }).g[1]).toBe(7);
    expect(exec(m, [RX(0x5a, 1, 0x800)], { 1: 0 }).g[1]).toBe(0xfffe0010 | 0);
    expect(exec(m, [RX(0x5b, 1, 0x7fc, 2)], { 1: 0, 2: 4 }).g[1]).toBe(-(0xfffe0010 | 0));
    const ahi = exec(m, [RI(0xa7a, 3, 0x8000)], { 3: 0 });
    expect(ahi.g[3]).toBe(-0x8000);
    expect(ahi.cc).toBe(1);
    expect(exec(m, [RI(0xa7a, 3, 1)], { 3: 0x7fffffff }, { progmask: 8 }).code).toBe(8);
  });
});

describe('logical add and subtract (ALR, SLR, AL, SL)', () => {
  const m = machine();
  it('cc encodes carry (bit 2) and nonzero result (bit 1) exactly as the unsigned reference says', () => {
    fc.assert(
      fc.property(edge, edge, fc.boolean(), (a, b, isSub) => {
        const r = exec(m, [RR(isSub ? 0x1f : 0x1e, 1, 2)], { 1: a, 2: b }, { progmask: 8 });
        const ua = BigInt(a >>> 0);
        const ub = BigInt(b >>> 0);
        const exact = isSub ? ua + ((~ub & 0xffffffffn) + 1n) : ua + ub;
        const carry = exact > 0xffffffffn;
        const result = Number(BigInt.asIntN(32, exact));
        expect(r.code).toBe(1); // logical operations never raise fixed-point overflow
        expect(r.g[1]).toBe(result);
        expect(r.cc).toBe((result !== 0 ? 1 : 0) | (carry ? 2 : 0));
      }),
      { numRuns: 300 },
    );
  });
});

describe('load and test group (LTR, LCR, LPR, LNR)', () => {
  const m = machine();
  it('sets results and cc, with overflow only for the maximum negative number', () => {
    fc.assert(
      fc.property(edge, (v) => {
        const ltr = exec(m, [RR(0x12, 1, 2)], { 2: v });
        expect(ltr.g[1]).toBe(v);
        expect(ltr.cc).toBe(signedCc(BigInt(v)));
        const lcr = exec(m, [RR(0x13, 1, 2)], { 2: v });
        expect(lcr.g[1]).toBe(wrap32(-BigInt(v)));
        expect(lcr.cc).toBe(v === -0x80000000 ? 3 : signedCc(-BigInt(v)));
        const lpr = exec(m, [RR(0x10, 1, 2)], { 2: v });
        expect(lpr.g[1]).toBe(wrap32(BigInt(Math.abs(v))));
        expect(lpr.cc).toBe(v === -0x80000000 ? 3 : v === 0 ? 0 : 2);
        const lnr = exec(m, [RR(0x11, 1, 2)], { 2: v });
        expect(lnr.g[1]).toBe(v > 0 ? -v : v);
        expect(lnr.cc).toBe(v === 0 ? 0 : 1);
      }),
      { numRuns: 150 },
    );
  });
});

describe('multiply and divide (MR, M, MH, MHI, DR, D)', () => {
  const m = machine();
  it('MR forms the 64-bit product in the even-odd pair (BigInt reference)', () => {
    fc.assert(
      fc.property(edge, edge, (a, b) => {
        const r = exec(m, [RR(0x1c, 2, 5)], { 3: a, 5: b });
        const p = BigInt(a) * BigInt(b);
        expect(r.g[2]).toBe(Number(BigInt.asIntN(32, p >> 32n)));
        expect(r.g[3]).toBe(Number(BigInt.asIntN(32, p)));
      }),
      { numRuns: 300 },
    );
  });

  it('MH and MHI keep the low 32 bits of the product without overflow indication', () => {
    fc.assert(
      fc.property(edge, fc.integer({ min: -0x8000, max: 0x7fff }), (a, h) => {
        m.poke(0x800, [(h >>> 8) & 0xff, h & 0xff]);
        expect(exec(m, [RX(0x4c, 1, 0x800)], { 1: a }, { progmask: 8 }).g[1]).toBe(wrap32(BigInt(a) * BigInt(h)));
        expect(exec(m, [RI(0xa7c, 1, h & 0xffff)], { 1: a }).g[1]).toBe(wrap32(BigInt(a) * BigInt(h)));
      }),
      { numRuns: 100 },
    );
  });

  it('DR divides the 64-bit pair: remainder with the dividend sign, or a fixed-point-divide exception', () => {
    fc.assert(
      fc.property(edge, edge, edge, (hi, lo, d) => {
        const r = exec(m, [RR(0x1d, 4, 7)], { 4: hi, 5: lo, 7: d });
        const dividend = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
        if (d === 0) {
          expect(r.code).toBe(9);
          return;
        }
        const q = dividend / BigInt(d); // BigInt division truncates toward zero, as the POP does
        const rem = dividend % BigInt(d);
        if (q > 0x7fffffffn || q < -0x80000000n) {
          expect(r.code).toBe(9);
          expect(r.ilc).toBe(1);
          expect(r.g[4]).toBe(hi); // suppressed: registers unchanged
          expect(r.g[5]).toBe(lo);
        } else {
          expect(r.code).toBe(1);
          expect(r.g[5]).toBe(Number(q));
          expect(r.g[4]).toBe(Number(rem));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('small dividends divide exactly (D from storage)', () => {
    m.poke(0x800, [0xff, 0xff, 0xff, 0xf9]); // -7
    const r = exec(m, [RX(0x5d, 2, 0x800)], { 2: 0, 3: 100 });
    expect(r.g[3]).toBe(-14);
    expect(r.g[2]).toBe(2);
  });

  it('odd R1 of MR, M, DR, D is a specification exception', () => {
    for (const ins of [RR(0x1c, 1, 2), RX(0x5c, 3, 0x800), RR(0x1d, 5, 2), RX(0x5d, 7, 0x800)]) {
      const r = exec(m, [ins], { 2: 1 });
      expect(r.code).toBe(6);
      expect(r.ilc).toBe(ins.length / 2);
    }
  });
});

describe('compare (CR, C, CH, CHI, CLR, CL)', () => {
  const m = machine();
  it('signed and logical compares set cc 0 equal, 1 low, 2 high', () => {
    fc.assert(
      fc.property(edge, edge, (a, b) => {
        expect(exec(m, [RR(0x19, 1, 2)], { 1: a, 2: b }).cc).toBe(a === b ? 0 : a < b ? 1 : 2);
        const ua = a >>> 0;
        const ub = b >>> 0;
        expect(exec(m, [RR(0x15, 1, 2)], { 1: a, 2: b }).cc).toBe(ua === ub ? 0 : ua < ub ? 1 : 2);
        const h = (b << 16) >> 16;
        expect(exec(m, [RI(0xa7e, 1, b & 0xffff)], { 1: a }).cc).toBe(a === h ? 0 : a < h ? 1 : 2);
      }),
      { numRuns: 150 },
    );
  });

  it('CL and CH compare with storage', () => {
    m.poke(0x800, [0x80, 0x00, 0x00, 0x00]);
    expect(exec(m, [RX(0x55, 1, 0x800)], { 1: 1 }).cc).toBe(1); // 1 < 0x80000000 unsigned
    expect(exec(m, [RX(0x59, 1, 0x800)], { 1: 1 }).cc).toBe(2); // 1 > -2^31 signed
    expect(exec(m, [RX(0x49, 1, 0x800)], { 1: -0x8000 }).cc).toBe(0); // halfword X'8000' = -32768
  });
});

describe('logical connectives (NR, OR, XR, N, O, X)', () => {
  const m = machine();
  it('produce the bitwise result and cc 0 for zero, 1 otherwise', () => {
    fc.assert(
      fc.property(i32, i32, (a, b) => {
        const and = exec(m, [RR(0x14, 1, 2)], { 1: a, 2: b });
        expect(and.g[1]).toBe(a & b);
        expect(and.cc).toBe((a & b) === 0 ? 0 : 1);
        expect(exec(m, [RR(0x16, 1, 2)], { 1: a, 2: b }).g[1]).toBe(a | b);
        const x = exec(m, [RR(0x17, 1, 2)], { 1: a, 2: b });
        expect(x.g[1]).toBe(a ^ b);
        expect(x.cc).toBe((a ^ b) === 0 ? 0 : 1);
      }),
      { numRuns: 100 },
    );
  });
});

describe('shifts (SLL, SRL, SLA, SRA, SLDL, SRDL, SLDA, SRDA)', () => {
  const m = machine();
  const amount = fc.integer({ min: 0, max: 63 });
  it('single shifts match the reference, SLA keeps the sign and flags lost significant bits', () => {
    fc.assert(
      fc.property(edge, amount, (v, n) => {
        expect(exec(m, [RS(0x89, 1, 0, n)], { 1: v }).g[1]).toBe(n > 31 ? 0 : v << n);
        expect(exec(m, [RS(0x88, 1, 0, n)], { 1: v }).g[1]).toBe(n > 31 ? 0 : (v >>> n) | 0);
        const sra = exec(m, [RS(0x8a, 1, 0, n)], { 1: v });
        expect(sra.g[1]).toBe(v >> Math.min(n, 31));
        expect(sra.cc).toBe(signedCc(BigInt(v >> Math.min(n, 31))));
        const sla = exec(m, [RS(0x8b, 1, 0, n)], { 1: v });
        const exact = BigInt(v) << BigInt(n);
        const kept = Number(BigInt.asIntN(32, (exact & 0x7fffffffn) | (v < 0 ? 0x80000000n : 0n)));
        const ovf = exact !== BigInt(wrap32(exact)) || (n > 0 && wrap32(exact) !== kept);
        expect(sla.g[1]).toBe(kept);
        expect(sla.cc).toBe(exact > 0x7fffffffn || exact < -0x80000000n ? 3 : signedCc(exact));
        expect(ovf || sla.cc !== 3).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('double shifts treat the even-odd pair as one 64-bit operand', () => {
    fc.assert(
      fc.property(edge, edge, amount, (hi, lo, n) => {
        const v = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
        const pair = (g: Int32Array) => (BigInt(g[2]!) << 32n) | BigInt(g[3]! >>> 0);
        expect(pair(exec(m, [RS(0x8d, 2, 0, n)], { 2: hi, 3: lo }).g)).toBe(BigInt.asIntN(64, v << BigInt(n)));
        expect(pair(exec(m, [RS(0x8c, 2, 0, n)], { 2: hi, 3: lo }).g)).toBe(
          BigInt.asIntN(64, BigInt.asUintN(64, v) >> BigInt(n)),
        );
        const srda = exec(m, [RS(0x8e, 2, 0, n)], { 2: hi, 3: lo });
        expect(pair(srda.g)).toBe(v >> BigInt(n));
        expect(srda.cc).toBe(signedCc(v >> BigInt(n)));
        const slda = exec(m, [RS(0x8f, 2, 0, n)], { 2: hi, 3: lo });
        const exact = v << BigInt(n);
        const inRange = exact <= 0x7fffffffffffffffn && exact >= -0x8000000000000000n;
        expect(slda.cc).toBe(inRange ? signedCc(exact) : 3);
        if (inRange) expect(pair(slda.g)).toBe(exact);
      }),
      { numRuns: 300 },
    );
  });

  it('the shift amount is the low six bits of the second-operand address, base register included', () => {
    expect(exec(m, [RS(0x89, 1, 0, 0x3c1, 4)], { 1: 1, 4: 2 }).g[1]).toBe(8); // (0x3c1 + 2) & 63 = 3
  });

  it('odd R1 of a double shift is a specification exception; SLDA overflow interrupts with the mask on', () => {
    expect(exec(m, [RS(0x8d, 3, 0, 1)]).code).toBe(6);
    const r = exec(m, [RS(0x8f, 2, 0, 1)], { 2: 0x40000000 }, { progmask: 8 });
    expect(r.code).toBe(8);
    expect(r.cc).toBe(3);
  });
});

describe('program mask instructions (SPM, IPM)', () => {
  const m = machine();
  it('SPM sets cc and program mask from R1 bits 2-7; IPM inserts them into bits 2-7 leaving 8-31', () => {
    const code = [RR(0x04, 1, 0), [0xb2, 0x22, 0x00, 0x20]];
    const r = exec(m, code, { 1: 0x2b000000, 2: 0x12345678 });
    expect(r.cc).toBe(2);
    expect(r.g[2]).toBe(0x2b345678);
    expect(m.peek32(0x28) & 0xf00).toBe(0xb00);
    expect(lengthOf(code)).toBe(6);
  });
});
