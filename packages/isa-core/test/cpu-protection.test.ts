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
