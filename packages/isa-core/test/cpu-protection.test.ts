/**
 * The translation-exception identification (TEA, real X'90') stored with
 * protection exceptions. Hercules 3.13 in ESA/390 mode implements
 * suppression on protection (POP SA22-7201 "Suppression on Protection"):
 * the TEA names the logical page of the failing access for key-controlled,
 * fetch and low-address protection, as it does for DAT protection. The
 * expected words are what Hercules 3.13 stored for these very programs
 * (run with the hercules-oracle.md recipe, X'90' preset to X'AAAAAAAA').
 */
import { describe, expect, it } from 'vitest';
import { absoluteAddress as abs, createEsa390Machine } from '@strachey/isa-core';

/** Load Hercules `r` commands (hex strings by address), restart, run; return the words at X'88'-X'97' and the PSW. */
function run(alters: readonly (readonly [number, string])[]) {
  const m = createEsa390Machine({ mainsize: 1 << 20 });
  const all: (readonly [number, string])[] = [[0x0, '0008000000000200'], [0x68, '000A00000000BAD0'], [0x90, 'AAAAAAAA'], ...alters];
  for (const [at, hex] of all) {
    const bytes = Uint8Array.from(hex.match(/../g)!.map((b) => Number.parseInt(b, 16)));
    m.storage.writeFrom(abs(at), bytes);
  }
  m.restart();
  m.run(1000);
  const w = (a: number) => m.storage.read32(abs(a)) >>> 0;
  return { words: [w(0x88), w(0x8c), w(0x90), w(0x94)], psw: m.cpus[0]!.getPsw() };
}

/** LA 1,key ; LA 2,X'800' ; AR 2,2 ; SSKE 1,2 ; LPSW X'300' (PSW key 2 → X'220'). */
const SET_KEY_THEN_KEY2 = (storageKey: string) => `411000${storageKey}412008001A22B22B0012820003000000`;

describe('TEA stored with protection exceptions (Hercules 3.13, ESA/390)', () => {
  it('key-controlled protection on a store into X1000: TEA = X00001000', () => {
    const r = run([[0x200, SET_KEY_THEN_KEY2('10')], [0x220, '92552000'], [0x300, '0028000000000220']]);
    expect(r.psw).toEqual([0x000a0000, 0x0000bad0]);
    expect(r.words).toEqual([0x00000000, 0x00040004, 0x00001000, 0x00000000]);
  });

  it('fetch protection on CLI from X1000: TEA = X00001000', () => {
    const r = run([[0x200, SET_KEY_THEN_KEY2('18')], [0x220, '95002000'], [0x300, '0028000000000220']]);
    expect(r.words).toEqual([0x00000000, 0x00040004, 0x00001000, 0x00000000]);
  });

  it('low-address protection on MVI to X100 in key 0: TEA = X00000000 (the page of X100)', () => {
    // LCTL 0,0,X'310' (CR0 = X'100000E0': low-address protection on) ; MVI X'100',X'55'.
    const r = run([[0x200, 'B700031092550100'], [0x310, '100000E0']]);
    expect(r.words).toEqual([0x00000000, 0x00040004, 0x00000000, 0x00000000]);
  });

  it('an exception other than protection or translation leaves X90 alone', () => {
    const r = run([[0x200, '0000']]);
    expect(r.words).toEqual([0x00000000, 0x00020001, 0xaaaaaaaa, 0x00000000]);
  });
});

/**
 * Which operand of an SS instruction is checked first shows in the TEA when
 * both fail: page X'1000' is fetch-protected (key C, fetch bit), page X'2000'
 * store-protected (key 0), the PSW key is 4, and the instruction is
 * `op 0(8,2),0(1)` with GR2 = X'2000', GR1 = X'1000'. Hercules 3.13 checks
 * the first operand first for MVN, MVZ, NC, OC, XC and TR, the second first
 * for MVC, PACK and UNPK (its TEA: X'2000' and X'1000').
 */
describe('SS instructions: the operand checked first (Hercules 3.13)', () => {
  const setUp = 'A70800C8A7181000B22B0001A7282000820003000000'; // LHI 0,X'C8' ; LHI 1 ; SSKE 0,1 ; LHI 2 ; LPSW
  for (const [name, op, tea] of [
    ['MVC', 'D2', 0x1000],
    ['MVN', 'D1', 0x2000],
    ['MVZ', 'D3', 0x2000],
    ['NC', 'D4', 0x2000],
    ['OC', 'D6', 0x2000],
    ['XC', 'D7', 0x2000],
    ['TR', 'DC', 0x2000],
    ['PACK', 'F2', 0x1000],
    ['UNPK', 'F3', 0x1000],
  ] as const) {
    it(`${name}: TEA X'${tea.toString(16)}'`, () => {
      const l = op === 'F2' || op === 'F3' ? '77' : '07';
      const r = run([
        [0x200, setUp],
        [0x220, `${op}${l}20001000`],
        [0x300, '0048000000000220'],
      ]);
      expect(r.words.slice(1, 3)).toEqual([0x00060004, tea]);
    });
  }
});
