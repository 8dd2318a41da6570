import fc from 'fast-check';
import { absoluteAddress, KEY_CHANGE, KEY_REF } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { exec, machine, ORIGIN, RR, RS, RX, runToEnd, SI, SS, SS2 } from './cpu-helpers';

const abs = absoluteAddress;

describe('loads and stores (L, ST, LH, STH, IC, STC, LM, STM, LA)', () => {
  const m = machine();
  it('move words, halfwords and bytes big-endian at any alignment, also across a page boundary', () => {
    m.poke(0x2ffe, [0x12, 0x34, 0x56, 0x78, 0x9a]);
    const r = exec(m, [RX(0x58, 1, 0xffe, 0, 2), RX(0x48, 3, 0xfff, 0, 2), RX(0x43, 4, 0x002, 0, 5), RX(0x50, 1, 0x801)], {
      2: 0x2000,
      5: 0x3000,
      4: 0x11223344,
    });
    expect(r.g[1]).toBe(0x12345678);
    expect(r.g[3]).toBe(0x3456);
    expect(r.g[4]).toBe(0x1122339a);
    expect(m.peek(0x801, 4)).toEqual([0x12, 0x34, 0x56, 0x78]);
    exec(m, [RX(0x40, 1, 0x900), RX(0x42, 1, 0x903)], { 1: 0x7fff8081 });
    expect(m.peek(0x900, 4)).toEqual([0x80, 0x81, 0x00, 0x81]);
  });

  it('LH sign-extends', () => {
    m.poke(0x800, [0x80, 0x01]);
    expect(exec(m, [RX(0x48, 1, 0x800)]).g[1]).toBe(-0x7fff);
  });

  it('STM and LM wrap from register 15 to 0', () => {
    const r = exec(m, [RS(0x90, 14, 1, 0x800), RS(0x98, 5, 8, 0x800)], { 14: 14, 15: 15, 0: 100, 1: 1 });
    expect(m.peek32(0x800)).toBe(14);
    expect(m.peek32(0x80c)).toBe(1);
    expect([r.g[5], r.g[6], r.g[7], r.g[8]]).toEqual([14, 15, 100, 1]);
  });

  it('LA forms 24-bit addresses in 24-bit mode and 31-bit ones in 31-bit mode', () => {
    expect(exec(m, [RX(0x41, 1, 0x10, 2, 3)], { 2: 0x7fffffff, 3: 0 }, { amode31: false }).g[1]).toBe(0x0f);
    expect(exec(m, [RX(0x41, 1, 0x10, 2, 3)], { 2: -1, 3: 1 }).g[1]).toBe(0x10);
    expect(exec(m, [RX(0x41, 1, 1, 2)], { 2: 0x7fffffff }).g[1]).toBe(0);
  });
});

describe('insert/store/compare under mask (ICM, STCM, CLM)', () => {
  const m = machine();
  it('ICM inserts the selected bytes and sets cc from the inserted bits', () => {
    m.poke(0x800, [0x80, 0x00, 0x7f]);
    let r = exec(m, [RS(0xbf, 1, 0b1010, 0x800)], { 1: 0x11223344 });
    expect(r.g[1]).toBe(0x80220044 | 0);
    expect(r.cc).toBe(1);
    r = exec(m, [RS(0xbf, 1, 0b0011, 0x801)], { 1: 0x11223344 });
    expect(r.g[1]).toBe(0x1122007f);
    expect(r.cc).toBe(2);
    r = exec(m, [RS(0xbf, 1, 0, 0x800)], { 1: 5 });
    expect(r.cc).toBe(0);
    expect(r.g[1]).toBe(5);
  });

  it('STCM stores the selected bytes contiguously; CLM compares them', () => {
    exec(m, [RS(0xbe, 1, 0b0101, 0x900)], { 1: 0x11223344 });
    expect(m.peek(0x900, 3)).toEqual([0x22, 0x44, 0x00]);
    expect(exec(m, [RS(0xbd, 1, 0b0101, 0x900)], { 1: 0x11223344 }).cc).toBe(0);
    expect(exec(m, [RS(0xbd, 1, 0b0101, 0x900)], { 1: 0x11233344 }).cc).toBe(2);
    expect(exec(m, [RS(0xbd, 1, 0b1000, 0x900)], { 1: 0x01000000 }).cc).toBe(1);
  });
});

describe('storage-to-storage (MVC, MVN, MVZ, NC, OC, XC, CLC, TR, TRT)', () => {
  const m = machine();
  it('MVC moves left to right one byte at a time, so an overlap by one propagates the first byte', () => {
    m.poke(0x800, [0x40, 1, 2, 3, 4, 5, 6, 7, 8]);
    exec(m, [SS(0xd2, 7, 0x801, 0, 0x800, 0)]);
    expect(m.peek(0x800, 9)).toEqual(Array(9).fill(0x40));
  });

  it('MVC across a page boundary with a 24-bit wrap of the operand address', () => {
    const big = machine(16 << 20);
    big.poke(0xfffffe, [0xaa, 0xbb]);
    big.poke(0x0, [0xcc]);
    exec(big, [SS(0xd2, 2, 0x900, 0, 0xffe, 1)], { 1: 0xfff000 }, { amode31: false });
    expect(big.peek(0x900, 3)).toEqual([0xaa, 0xbb, 0xcc]);
  });

  it('MVN and MVZ move only numeric or zone halves', () => {
    m.poke(0x800, [0x12, 0x34]);
    m.poke(0x810, [0xab, 0xcd]);
    exec(m, [SS(0xd1, 1, 0x800, 0, 0x810, 0)]);
    expect(m.peek(0x800, 2)).toEqual([0x1b, 0x3d]);
    exec(m, [SS(0xd3, 1, 0x800, 0, 0x810, 0)]);
    expect(m.peek(0x800, 2)).toEqual([0xab, 0xcd]);
  });

  it('NC, OC, XC combine bytes and set cc 0 only for an all-zero result; XC of a field with itself clears it', () => {
    m.poke(0x800, [0xf0, 0x0f, 0xff]);
    m.poke(0x810, [0x0f, 0x0f, 0x00]);
    expect(exec(m, [SS(0xd4, 2, 0x800, 0, 0x810, 0)]).cc).toBe(1);
    expect(m.peek(0x800, 3)).toEqual([0x00, 0x0f, 0x00]);
    expect(exec(m, [SS(0xd6, 2, 0x800, 0, 0x810, 0)]).cc).toBe(1);
    expect(m.peek(0x800, 3)).toEqual([0x0f, 0x0f, 0x00]);
    expect(exec(m, [SS(0xd7, 2, 0x800, 0, 0x800, 0)]).cc).toBe(0);
    expect(m.peek(0x800, 3)).toEqual([0, 0, 0]);
  });

  it('CLC compares unsigned bytes left to right', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (a, b) => {
        m.poke(0x800, a);
        m.poke(0x900, b);
        const cc = exec(m, [SS(0xd5, a.length - 1, 0x800, 0, 0x900, 0)]).cc;
        let want = 0;
        for (let i = 0; i < a.length && want === 0; i++) if (a[i] !== b[i]) want = a[i]! < b[i]! ? 1 : 2;
        expect(cc).toBe(want);
      }),
      { numRuns: 100 },
    );
  });

  it('TR replaces each byte through the table; TRT finds the first nonzero function byte', () => {
    const table = Array.from({ length: 256 }, (_, i) => (i + 1) & 0xff);
    m.poke(0xa00, table);
    m.poke(0x800, [0, 1, 0xff]);
    exec(m, [SS(0xdc, 2, 0x800, 0, 0xa00, 0)]);
    expect(m.peek(0x800, 3)).toEqual([1, 2, 0]);
    const fn = Array(256).fill(0);
    fn[0x5b] = 0x44;
    m.poke(0xa00, fn);
    m.poke(0x800, [1, 2, 0x5b, 4]);
    let r = exec(m, [SS(0xdd, 3, 0x800, 0, 0xa00, 0)], { 1: 0x7f000000, 2: 0x12345678 }, { amode31: false });
    expect(r.cc).toBe(1);
    expect(r.g[1]).toBe(0x7f000802);
    expect(r.g[2]).toBe(0x12345644);
    r = exec(m, [SS(0xdd, 2, 0x800, 0, 0xa00, 0)], { 1: 7 });
    expect(r.cc).toBe(2);
    r = exec(m, [SS(0xdd, 1, 0x800, 0, 0xa00, 0)], { 1: 7 });
    expect(r.cc).toBe(0);
    expect(r.g[1]).toBe(7);
  });
});

describe('decimal conversion (PACK, UNPK, CVD, CVB)', () => {
  const m = machine();
  it('PACK packs zoned digits right to left, swapping the sign byte', () => {
    m.poke(0x800, [0xf1, 0xf2, 0xf3, 0xc4]);
    exec(m, [SS2(0xf2, 3, 3, 0x900, 0, 0x800, 0)]);
    expect(m.peek(0x900, 4)).toEqual([0x00, 0x01, 0x23, 0x4c]);
  });

  it('UNPK unpacks into zoned digits with zone F', () => {
    m.poke(0x800, [0x12, 0x34, 0x5c]);
    exec(m, [SS2(0xf3, 5, 2, 0x900, 0, 0x800, 0)]);
    expect(m.peek(0x900, 6)).toEqual([0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xc5]);
  });

  it('CVD then CVB is the identity for every 32-bit value', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (v) => {
        const r = exec(m, [RX(0x4e, 1, 0x800), RX(0x4f, 2, 0x800)], { 1: v });
        expect(r.code).toBe(1);
        expect(r.g[2]).toBe(v);
        const digits = Math.abs(v).toString().padStart(15, '0');
        const bytes = m.peek(0x800, 8);
        const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
        expect(hex).toBe(`${digits}${v < 0 ? 'd' : 'c'}`);
      }),
      { numRuns: 200 },
    );
  });

  it('CVD and CVB work on a doubleword that crosses a page boundary', () => {
    const r = exec(m, [RX(0x4e, 1, 0xffc, 0, 2), RX(0x4f, 3, 0xffc, 0, 2)], { 1: -1234567, 2: 0x2000 });
    expect(r.g[3]).toBe(-1234567);
    expect(m.peek(0x2ffc, 8)).toEqual([0, 0, 0, 0, 0x12, 0x34, 0x56, 0x7d]);
  });

  it('CVB: an invalid digit is a data exception; a value beyond 32 bits stores the low 32 bits then raises fixed-point divide', () => {
    m.poke(0x800, [0, 0, 0, 0, 0, 0, 0x1a, 0x1c]);
    let r = exec(m, [RX(0x4f, 1, 0x800)], { 1: 5 });
    expect(r.code).toBe(7);
    expect(r.ilc).toBe(2);
    expect(r.g[1]).toBe(5);
    m.poke(0x800, [0, 0, 0x09, 0x99, 0x99, 0x99, 0x99, 0x9c]); // 9999999999, as verified on Hercules 3.13
    r = exec(m, [RX(0x4f, 1, 0x800)]);
    expect(r.code).toBe(9);
    expect(r.g[1]! >>> 0).toBe(0x540be3ff);
    expect(r.oldIa).toBe(ORIGIN + 4);
    m.poke(0x800, [0, 0, 0, 0, 0, 0, 0x01, 0x23]); // sign 3 is invalid
    expect(exec(m, [RX(0x4f, 1, 0x800)]).code).toBe(7);
    m.poke(0x800, [0, 0, 0x02, 0x14, 0x74, 0x83, 0x64, 0x8d]); // -2147483648 still fits
    expect(exec(m, [RX(0x4f, 1, 0x800)]).g[1]).toBe(-0x80000000);
  });
});

describe('MVCL and CLCL', () => {
  const m = machine();
  it('MVCL moves, pads with the pad byte, updates the registers and sets cc by the lengths', () => {
    m.poke(0x800, [1, 2, 3]);
    const r = exec(m, [RR(0x0e, 2, 4)], { 2: 0x900, 3: 6, 4: 0x800, 5: 0x40000003 });
    expect(m.peek(0x900, 7)).toEqual([1, 2, 3, 0x40, 0x40, 0x40, 0]);
    expect(r.cc).toBe(2);
    expect(r.g[2]).toBe(0x906);
    expect(r.g[3]).toBe(0);
    expect(r.g[4]).toBe(0x803);
    expect(r.g[5]).toBe(0x40000000);
  });

  it('MVCL clears a large area across pages (zero source length)', () => {
    m.poke(0x3000, Array(0x2100).fill(0xee));
    const r = exec(m, [RR(0x0e, 2, 4)], { 2: 0x3000, 3: 0x2100, 4: 0, 5: 0 });
    expect(r.cc).toBe(2);
    expect(m.peek(0x3000, 0x2100).every((b) => b === 0)).toBe(true);
  });

  it('MVCL with destructive overlap sets cc 3 and moves nothing', () => {
    m.poke(0x800, [1, 2, 3, 4]);
    const r = exec(m, [RR(0x0e, 2, 4)], { 2: 0x801, 3: 3, 4: 0x800, 5: 3 });
    expect(r.cc).toBe(3);
    expect(m.peek(0x800, 4)).toEqual([1, 2, 3, 4]);
    expect(r.g[2]).toBe(0x801);
  });

  it('CLCL compares with padding and leaves the registers at the first unequal byte', () => {
    m.poke(0x800, [1, 2, 0x40, 0x41]);
    m.poke(0x900, [1, 2]);
    const r = exec(m, [RR(0x0f, 2, 4)], { 2: 0x800, 3: 4, 4: 0x900, 5: 0x40000002 });
    expect(r.cc).toBe(2);
    expect(r.g[2]).toBe(0x803);
    expect(r.g[3]).toBe(1);
    expect(r.g[4]).toBe(0x902);
    expect(r.g[5]).toBe(0x40000000);
    expect(exec(m, [RR(0x0f, 2, 4)], { 2: 0x800, 3: 3, 4: 0x900, 5: 0x40000002 }).cc).toBe(0);
  });

  it('in 24-bit mode the updated addresses clear bits 0-7 while the length registers keep theirs (as Hercules 3.13)', () => {
    m.poke(0x800, [1, 2, 3, 4]);
    const mv = exec(m, [RR(0x0e, 2, 4)], { 2: 0xff000900 | 0, 3: 0xaa000006 | 0, 4: 0xee000800 | 0, 5: 0x40000003 }, { amode31: false });
    expect([mv.g[2], mv.g[3]! >>> 0, mv.g[4], mv.g[5], mv.cc]).toEqual([0x906, 0xaa000000, 0x803, 0x40000000, 2]);
    m.poke(0x800, [1, 2, 0x40, 0x41]);
    m.poke(0x900, [1, 2]);
    const cl = exec(m, [RR(0x0f, 2, 4)], { 2: 0xff000800 | 0, 3: 0xaa000004 | 0, 4: 0xee000900 | 0, 5: 0x40000002 }, { amode31: false });
    expect([cl.g[2], cl.g[3]! >>> 0, cl.g[4], cl.g[5], cl.cc]).toEqual([0x803, 0xaa000001, 0x902, 0x40000000, 2]);
  });

  it('odd registers are a specification exception', () => {
    expect(exec(m, [RR(0x0e, 3, 4)]).code).toBe(6);
    expect(exec(m, [RR(0x0f, 2, 5)]).code).toBe(6);
  });
});

describe('interlocked update (CS, CDS, TS)', () => {
  const m = machine();
  it('CS swaps when equal (cc 0) and loads when unequal (cc 1)', () => {
    m.poke(0x800, [0, 0, 0, 5]);
    let r = exec(m, [RS(0xba, 1, 2, 0x800)], { 1: 5, 2: 9 });
    expect(r.cc).toBe(0);
    expect(m.peek32(0x800)).toBe(9);
    r = exec(m, [RS(0xba, 1, 2, 0x800)], { 1: 5, 2: 7 });
    expect(r.cc).toBe(1);
    expect(r.g[1]).toBe(9);
    expect(m.peek32(0x800)).toBe(9);
  });

  it('CDS compares and swaps a doubleword; misalignment and odd registers are specification exceptions', () => {
    m.poke(0x800, [0, 0, 0, 1, 0, 0, 0, 2]);
    const r = exec(m, [RS(0xbb, 2, 4, 0x800)], { 2: 1, 3: 2, 4: 7, 5: 8 });
    expect(r.cc).toBe(0);
    expect(m.peek(0x800, 8)).toEqual([0, 0, 0, 7, 0, 0, 0, 8]);
    expect(exec(m, [RS(0xbb, 2, 4, 0x804)]).code).toBe(6);
    expect(exec(m, [RS(0xbb, 1, 4, 0x800)]).code).toBe(6);
    expect(exec(m, [RS(0xba, 1, 4, 0x802)]).code).toBe(6);
  });

  it('TS sets the byte to all ones and the cc from its leftmost bit', () => {
    m.poke(0x800, [0x00]);
    expect(exec(m, [[0x93, 0x00, 0x08, 0x00]]).cc).toBe(0);
    expect(m.peek(0x800, 1)).toEqual([0xff]);
    expect(exec(m, [[0x93, 0x00, 0x08, 0x00]]).cc).toBe(1);
  });
});

describe('immediate storage operations (MVI, CLI, TM, NI, OI, XI)', () => {
  const m = machine();
  it('set bytes and condition codes', () => {
    exec(m, [SI(0x92, 0x800, 0x5a)]);
    expect(m.peek(0x800, 1)).toEqual([0x5a]);
    expect(exec(m, [SI(0x95, 0x800, 0x5b)]).cc).toBe(1);
    expect(exec(m, [SI(0x91, 0x800, 0x0a)]).cc).toBe(3);
    expect(exec(m, [SI(0x91, 0x800, 0x0f)]).cc).toBe(1);
    expect(exec(m, [SI(0x91, 0x800, 0xa5)]).cc).toBe(0);
    expect(exec(m, [SI(0x94, 0x800, 0x0f)]).cc).toBe(1);
    expect(m.peek(0x800, 1)).toEqual([0x0a]);
    expect(exec(m, [SI(0x97, 0x800, 0x0a)]).cc).toBe(0);
    exec(m, [SI(0x96, 0x800, 0x81)]);
    expect(m.peek(0x800, 1)).toEqual([0x81]);
  });
});

describe('access exceptions', () => {
  it('an address beyond the configured storage is an addressing exception, and a store crossing into it stores nothing', () => {
    const m = machine(1 << 20);
    let r = exec(m, [RX(0x58, 1, 0, 0, 2)], { 1: 7, 2: 0x100000 });
    expect(r.code).toBe(5);
    expect(r.ilc).toBe(2);
    expect(r.oldIa).toBe(ORIGIN + 4);
    expect(r.g[1]).toBe(7);
    m.poke(0xffffe, [0x11, 0x22]);
    r = exec(m, [RX(0x50, 1, 0xffe, 0, 2)], { 1: -1, 2: 0xff000 });
    expect(r.code).toBe(5);
    expect(m.peek(0xffffe, 2)).toEqual([0x11, 0x22]);
    r = exec(m, [SS(0xd2, 3, 0xffe, 2, 0x800, 0)], { 2: 0xff000 });
    expect(r.code).toBe(5);
    expect(m.peek(0xffffe, 2)).toEqual([0x11, 0x22]);
  });

  it('key-controlled protection: a store with a PSW key unlike the storage key is a protection exception; key 0 stores anywhere', () => {
    const m = machine();
    m.storage.setKey(abs(0x5000), 0x30);
    const prog = [RX(0x50, 1, 0, 0, 2)];
    m.cpu.gpr.fill(0);
    m.load(prog, { psw: [0x00280000, 0x80000000 | ORIGIN] }); // key 2
    m.cpu.gpr[2] = 0x5000;
    m.cpu.gpr[1] = 42;
    m.run();
    expect(m.lastProgramInterruption().code).toBe(4);
    expect(m.peek32(0x5000)).toBe(0);
    m.load(prog, { psw: [0x00380000, 0x80000000 | ORIGIN] }); // key 3 matches
    m.cpu.gpr[2] = 0x5000;
    m.run();
    expect(m.lastProgramInterruption().code).toBe(1);
    expect(m.peek32(0x5000)).toBe(42);
  });

  it('fetch protection: fetching from a fetch-protected frame with another key is a protection exception', () => {
    const m = machine();
    m.storage.setKey(abs(0x6000), 0x38);
    m.load([RX(0x58, 1, 0, 0, 2)], { psw: [0x00280000, 0x80000000 | ORIGIN] });
    m.cpu.gpr[2] = 0x6000;
    m.run();
    expect(m.lastProgramInterruption().code).toBe(4);
    m.storage.setKey(abs(0x6000), 0x30); // not fetch protected
    m.load([RX(0x58, 1, 0, 0, 2)], { psw: [0x00280000, 0x80000000 | ORIGIN] });
    m.cpu.gpr[2] = 0x6000;
    m.run();
    expect(m.lastProgramInterruption().code).toBe(1);
  });

  it('MVC whose second destination page is protected stores no byte at all', () => {
    const m = machine();
    m.storage.setKey(abs(0x8000), 0x70);
    m.poke(0x900, Array(16).fill(0x99));
    m.load([SS(0xd2, 15, 0xff8, 2, 0x900, 0)], { psw: [0x00280000, 0x80000000 | ORIGIN] });
    m.cpu.gpr[2] = 0x7000;
    m.run();
    expect(m.lastProgramInterruption().code).toBe(4);
    expect(m.peek(0x7ff8, 16).every((b) => b === 0)).toBe(true);
  });

  it('low-address protection (CR0 bit 3) rejects stores to 0-511 even with key 0, not at 512', () => {
    const m = machine();
    m.load([RX(0x50, 1, 0x1fc)]);
    m.cpu.cr[0] = 0x10000000;
    m.cpu.gpr[1] = 77;
    m.run();
    expect(m.lastProgramInterruption().code).toBe(4);
    m.load([RX(0x50, 1, 0x200)]);
    m.cpu.gpr[1] = 77;
    m.run();
    expect(m.lastProgramInterruption().code).toBe(1);
    expect(m.peek32(0x200)).toBe(77);
  });

  it('stores set the change bit and fetches the reference bit of the frame', () => {
    const m = machine();
    m.storage.keys.fill(0);
    exec(m, [RX(0x58, 1, 0, 0, 2), RX(0x50, 1, 0, 0, 3)], { 2: 0x4000, 3: 0x5000 });
    expect(m.storage.getKey(abs(0x4000)) & (KEY_REF | KEY_CHANGE)).toBe(KEY_REF);
    expect(m.storage.getKey(abs(0x5000)) & KEY_CHANGE).toBe(KEY_CHANGE);
  });

  it('prefixing: real page 0 is the prefix area, and the prefix area is real page 0', () => {
    const m = machine();
    m.poke(0x9000, [0xab, 0xcd, 0xef, 0x01]);
    m.cpu.gpr.fill(0);
    m.load([RX(0x58, 1, 0x0), RX(0x58, 2, 0x0, 0, 3)]);
    // Move the prefix area: the program new PSW must then be at 0x9000 + 0x68.
    m.storage.write32(abs(0x9068), 0x000a0000);
    m.storage.write32(abs(0x906c), 0x00000eee);
    m.poke(0x9000 + ORIGIN, m.peek(ORIGIN, 16)); // the program lives in real page 0 too
    m.cpu.prefix = 0x9000;
    m.cpu.flushTlb();
    m.cpu.gpr[3] = 0x9000;
    m.poke(0x0, [0x12, 0x34, 0x56, 0x78]);
    m.run();
    expect(m.cpu.gpr[1]! >>> 0).toBe(0xabcdef01);
    expect(m.cpu.gpr[2]).toBe(0x12345678);
    expect(m.storage.read32(abs(0x908c)) & 0xffff).toBe(1);
  });
});

describe('CLC with an operand running past the end of storage (Hercules 3.13: the comparison reaches the page first)', () => {
  // 64 KB of storage: the first operand at X'FFF8' has 8 bytes in storage, the rest beyond it.
  const program = (first: number) => {
    const m = machine(1 << 16);
    m.poke(0xfff8, [first, 2, 3, 4, 5, 6, 7, 8]);
    m.poke(0x800, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    m.cpu.gpr[1] = 0xfff8;
    m.load([SS(0xd5, 15, 0, 1, 0x800, 0)]); // CLC 0(16,1),X'800'
    return m;
  };

  it('an inequality in the addressable part completes the instruction with its condition code', () => {
    const low = runToEnd(program(0));
    expect(low.lastProgramInterruption().code).toBe(1); // the END, not an addressing exception
    expect(low.cc()).toBe(1);
    const high = runToEnd(program(0xff));
    expect(high.cc()).toBe(2);
  });

  it('an equal run into the missing page takes the addressing exception', () => {
    const m = program(1);
    m.run();
    expect(m.lastProgramInterruption()).toMatchObject({ code: 5, ilc: 3, oldIa: ORIGIN + 6 });
  });
});
