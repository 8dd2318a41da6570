import { describe, expect, it } from 'vitest';
import { exec, lengthOf, machine, ORIGIN, RI, RR, RS, RSI, RX } from './cpu-helpers';

/** LA 9,1(0,9): counts how many times a path ran. */
const MARK = RX(0x41, 9, 1, 0, 9);

describe('branch on condition (BC, BCR, BRC)', () => {
  const m = machine();
  it('branches exactly when the mask bit for the current cc is one', () => {
    for (let cc = 0; cc < 4; cc++) {
      for (let mask = 0; mask < 16; mask++) {
        // BC mask,skip ; MARK ; skip: END
        const code = [RX(0x47, mask, ORIGIN + 8), MARK];
        const taken = ((mask >> (3 - cc)) & 1) === 1;
        expect(exec(m, code, {}, { cc }).g[9]).toBe(taken ? 0 : 1);
        const rel = [RI(0xa74, mask, 4), MARK];
        expect(exec(m, rel, {}, { cc }).g[9]).toBe(taken ? 0 : 1);
        const rr = [RR(0x07, mask, 2), MARK];
        expect(exec(m, rr, { 2: ORIGIN + 6 }, { cc }).g[9]).toBe(taken ? 0 : 1);
      }
    }
  });

  it('BCR with R2 = 0 never branches', () => {
    expect(exec(m, [RR(0x07, 15, 0), MARK]).g[9]).toBe(1);
  });
});

describe('branch and link / save (BAL, BALR, BAS, BASR, BRAS)', () => {
  const m = machine();
  it('BAL in 24-bit mode puts ILC, cc and program mask left of the return address', () => {
    const r = exec(m, [RX(0x45, 14, ORIGIN + 4)], {}, { amode31: false, cc: 2, progmask: 0xa });
    expect(r.g[14]! >>> 0).toBe(((2 << 30) | (2 << 28) | (0xa << 24) | (ORIGIN + 4)) >>> 0);
    const rr = exec(m, [RR(0x05, 14, 0)], {}, { amode31: false, cc: 1 });
    expect(rr.g[14]! >>> 0).toBe(((1 << 30) | (1 << 28) | (ORIGIN + 2)) >>> 0);
  });

  it('BALR executed by EX stores the ILC of EXECUTE and the address after it (Hercules 3.13: AB000410)', () => {
    // SPM 1 (cc 2, mask B) ; EX 0,T ; END ; T: BALR 12,0
    const r = exec(m, [RR(0x04, 1, 0), RX(0x44, 0, ORIGIN + 8), [0, 0], RR(0x05, 12, 0)], { 1: 0x2b000000 }, { amode31: false });
    expect(r.g[12]! >>> 0).toBe((0xab000000 | (ORIGIN + 6)) >>> 0);
  });

  it('BAL, BAS, BASR, BRAS in 31-bit mode store the address with bit 0 on', () => {
    expect(exec(m, [RX(0x45, 14, ORIGIN + 4)]).g[14]! >>> 0).toBe((0x80000000 | (ORIGIN + 4)) >>> 0);
    expect(exec(m, [RX(0x4d, 14, ORIGIN + 4)]).g[14]! >>> 0).toBe((0x80000000 | (ORIGIN + 4)) >>> 0);
    expect(exec(m, [RR(0x0d, 14, 0)], {}, { amode31: false }).g[14]).toBe(ORIGIN + 2);
    const bras = exec(m, [RI(0xa75, 14, 4), MARK, MARK]);
    expect(bras.g[14]! >>> 0).toBe((0x80000000 | (ORIGIN + 4)) >>> 0);
    expect(bras.g[9]).toBe(1);
  });

  it('BASR computes the branch address before storing the link into the same register', () => {
    const r = exec(m, [RR(0x0d, 3, 3), MARK], { 3: ORIGIN + 6 });
    expect(r.g[9]).toBe(0);
    expect(r.g[3]! >>> 0).toBe((0x80000000 | (ORIGIN + 2)) >>> 0);
  });
});

describe('branch on count and index (BCT, BCTR, BRCT, BXH, BXLE, BRXH, BRXLE)', () => {
  const m = machine();
  it('BCT loops count down to zero', () => {
    const code = [MARK, RX(0x46, 2, ORIGIN)];
    expect(exec(m, code, { 2: 5 }).g[9]).toBe(5);
    expect(exec(m, [MARK, RI(0xa76, 2, -2 & 0xffff)], { 2: 7 }).g[9]).toBe(7);
    const bctr = exec(m, [RR(0x06, 2, 0), MARK], { 2: 3 });
    expect(bctr.g[2]).toBe(2);
    expect(bctr.g[9]).toBe(1);
  });

  it('BXLE and BXH step an index with increment R3 and limit R3|1', () => {
    // index 0, increment 4 (r4), limit 12 (r5): BXLE runs 4 times
    expect(exec(m, [MARK, RS(0x87, 1, 4, ORIGIN)], { 1: 0, 4: 4, 5: 12 }).g[9]).toBe(4);
    // BXH counting down: index 12, increment -4, comparand -4 in the same odd register (R3 odd)
    expect(exec(m, [MARK, RS(0x86, 1, 3, ORIGIN)], { 1: 12, 3: -4 }).g[9]).toBe(4);
    expect(exec(m, [MARK, RSI(0x85, 1, 4, -2 & 0xffff)], { 1: 0, 4: 4, 5: 12 }).g[9]).toBe(4);
    expect(exec(m, [MARK, RSI(0x84, 1, 3, -2 & 0xffff)], { 1: 12, 3: -4 }).g[9]).toBe(4);
  });
});

describe('branch and set mode (BSM, BASSM)', () => {
  const m = machine(16 << 20);
  it('BSM switches to 31-bit mode by bit 0 of R2 and records the old mode in R1 bit 0', () => {
    const code = [RR(0x0b, 5, 2)];
    const r = exec(m, code, { 2: (0x80000000 | (ORIGIN + 2)) | 0, 5: 0x7fffffff }, { amode31: false });
    expect(r.code).toBe(1);
    expect(r.g[5]).toBe(0x7fffffff); // was 24-bit: bit 0 set to zero
    expect(m.peek32(0x2c) >>> 31).toBe(1); // program old PSW shows 31-bit mode
    const back = exec(m, code, { 2: ORIGIN + 2, 5: 0 });
    expect(back.g[5]! >>> 0).toBe(0x80000000);
    expect(m.peek32(0x2c) >>> 31).toBe(0);
  });

  it('BASSM saves the link with the old mode bit and branches in the new mode', () => {
    const r = exec(m, [RR(0x0c, 14, 2)], { 2: (0x80000000 | (ORIGIN + 2)) | 0 }, { amode31: false });
    expect(r.g[14]).toBe(ORIGIN + 2);
    expect(m.peek32(0x2c) >>> 31).toBe(1);
  });
});

describe('EXECUTE', () => {
  const m = machine();
  it('ORs bits 24-31 of R1 into the second byte of the target (MVC length from a register)', () => {
    m.poke(0x800, [1, 2, 3, 4, 5, 6]);
    // EX 3,target ; END ; target: MVC 0x900(1),0x800
    const target = ORIGIN + 8;
    const code = [RX(0x44, 3, target), [0x00, 0x00], [0x00, 0x00], [0xd2, 0x00, 0x09, 0x00, 0x08, 0x00]];
    const r = exec(m, code, { 3: 0x12345603 });
    expect(r.code).toBe(1);
    expect(r.oldIa).toBe(ORIGIN + 6); // resumed after the EXECUTE
    expect(m.peek(0x900, 5)).toEqual([1, 2, 3, 4, 0]);
  });

  it('EX of EX is an execute exception with the ILC of EXECUTE', () => {
    const code = [RX(0x44, 0, ORIGIN + 4), RX(0x44, 0, ORIGIN + 4)];
    const r = exec(m, code);
    expect(r.code).toBe(3);
    expect(r.ilc).toBe(2);
    expect(r.oldIa).toBe(ORIGIN + 4);
  });

  it('an odd target address is a specification exception', () => {
    expect(exec(m, [RX(0x44, 0, ORIGIN + 5)]).code).toBe(6);
  });

  it('a relative branch executed by EX is relative to the target (Hercules 3.13 verified); a link is to after the EX', () => {
    // 0: EX 0,T ; 4: END ; 6: MARK ; 10: END ; ... T=ORIGIN+16: BRAS 14,-5 halfwords → ORIGIN+6
    const code = [RX(0x44, 0, ORIGIN + 16), [0, 0], MARK, [0, 0], [0x07, 0x00], [0x07, 0x00], RI(0xa75, 14, -5 & 0xffff)];
    expect(lengthOf(code.slice(0, 6))).toBe(16);
    const r = exec(m, code);
    expect(r.g[9]).toBe(1);
    expect(r.g[14]! >>> 0).toBe((0x80000000 | (ORIGIN + 4)) >>> 0);
  });

  it('a program exception in the target reports the EXECUTE address and ILC 2', () => {
    const code = [RX(0x44, 0, ORIGIN + 6), [0x00, 0x00], RR(0x1d, 1, 2)];
    const r = exec(m, code);
    expect(r.code).toBe(6);
    expect(r.ilc).toBe(2);
    expect(r.oldIa).toBe(ORIGIN + 4);
  });
});
