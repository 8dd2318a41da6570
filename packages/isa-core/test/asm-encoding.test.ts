import { describe, expect, it } from 'vitest';
import { assemble, disassemble } from '@strachey/isa-core';

/** Assemble one statement at `origin` and return its object code as hex. */
function hexOf(statement: string, origin = 0, prelude = ''): string {
  const r = assemble(`         START ${origin}\n${prelude}         ${statement}\n         END\n`);
  expect(r.errors).toEqual([]);
  return Buffer.from(r.image.subarray(r.image.length - lengthOfLast(r))).toString('hex').toUpperCase();
}
function lengthOfLast(r: ReturnType<typeof assemble>): number {
  const st = r.statements.filter((s) => s.bytes.length > 0);
  return st[st.length - 1]!.bytes.length;
}

describe('encodings of the Hercules oracle programs (hercules-oracle.md)', () => {
  // r 200=41100005412000071A1282000300 and r 200=582003001A13462002048200030800000000
  it.each([
    ['LA    1,5', '41100005'],
    ['LA    2,7', '41200007'],
    ['AR    1,2', '1A12'],
    ['LPSW  X\'300\'', '82000300'],
    ["L     2,X'300'", '58200300'],
    ['AR    1,3', '1A13'],
    ["BCT   2,X'204'", '46200204'],
    ["LPSW  X'308'", '82000308'],
  ])('%s = %s', (stmt, hex) => {
    expect(hexOf(stmt, 0x200)).toBe(hex);
  });

  it('assembles the speed-anchor loop to the oracle bytes', () => {
    const r = assemble(
      [
        '         START X\'200\'',
        "         L     2,X'300'",
        '         AR    1,3',
        "         BCT   2,X'204'",
        "         LPSW  X'308'",
        "         DC    XL4'0'",
        '         END',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.origin).toBe(0x200);
    expect(Buffer.from(r.image).toString('hex').toUpperCase()).toBe('582003001A13462002048200030800000000');
  });
});

describe('one encoding per format and operand syntax (POP Appendix B)', () => {
  it.each([
    // RR
    ['LR    1,2', '1812'],
    ['BCR   15,14', '07FE'],
    ['BALR  12,0', '05C0'],
    ['SVC   13', '0A0D'],
    ['SPM   3', '0430'],
    // RRE
    ['IPM   2', 'B2220020'],
    ['SSKE  1,2', 'B22B0012'],
    // RX, with index and base
    ['ST    3,8(4,5)', '50345008'],
    ['BC    8,X\'100\'', '47800100'],
    ['L     1,0(2)', '58120000'],
    ['LA    1,4095(,15)', '4110FFFF'],
    // RS
    ['STM   14,12,12(13)', '90ECD00C'],
    ['LM    14,12,12(13)', '98ECD00C'],
    ['SLL   1,4', '89100004'],
    ['SRDA  2,63(5)', '8E20503F'],
    ["ICM   1,B'0111',0(2)", 'BF172000'],
    // SI
    ["MVI   0(1),X'40'", '92401000'],
    ['CLI   4095(15),255', '95FFFFFF'],
    ["TM    0(1),X'80'", '91801000'],
    // S (16-bit and 8-bit opcodes, and without operands)
    ['STCK  8(2)', 'B2052008'],
    ['SPX   0(1)', 'B2101000'],
    ['PTLB', 'B20D0000'],
    ['TS    0(1)', '93001000'],
    // SS, one length and two lengths
    ['MVC   0(8,1),0(2)', 'D20710002000'],
    ['CLC   10(256,3),20(4)', 'D5FF300A4014'],
    ['PACK  0(8,1),0(3,2)', 'F27210002000'],
    // RI: signed and unsigned immediates
    ['LHI   1,-1', 'A718FFFF'],
    ['AHI   2,100', 'A72A0064'],
    ['CHI   3,-32768', 'A73E8000'],
    ["TMLL  1,X'8000'", 'A7118000'],
    ["TMLH  1,X'0001'", 'A7100001'],
  ])('%s = %s', (stmt, hex) => {
    expect(hexOf(stmt)).toBe(hex);
  });

  it('encodes relative operands as halfwords from the instruction (RI, RSI)', () => {
    expect(hexOf('BRC   15,*+4')).toBe('A7F40002');
    expect(hexOf('BRAS  14,*+8')).toBe('A7E50004');
    expect(hexOf('BRCT  2,*-6', 0x100)).toBe('A726FFFD');
    expect(hexOf('BRXH  1,2,*+8')).toBe('84120004');
    expect(hexOf("J     X'1000'", 0x1000)).toBe('A7F40000');
  });

  it('expands extended mnemonics to the base instruction with its mask', () => {
    expect(hexOf('BR    14')).toBe('07FE');
    expect(hexOf('NOPR  0')).toBe('0700');
    expect(hexOf("B     X'100'")).toBe('47F00100');
    expect(hexOf("NOP   X'100'")).toBe('47000100');
    expect(hexOf("BE    X'10'(2)")).toBe('47820010');
    expect(hexOf('BNER  3')).toBe('0773');
    // In an RX operand D(X) names the index register; D(,B) the base.
    expect(hexOf('BO    0(5)')).toBe('47150000');
    expect(hexOf('BNZ   0(,5)')).toBe('47705000');
    expect(hexOf('J     *')).toBe('A7F40000');
    expect(hexOf('JNOP  *+4')).toBe('A7040002');
    expect(hexOf('BRU   *+4')).toBe('A7F40002');
    expect(hexOf('JH    *+4')).toBe('A7240002');
    expect(hexOf('JL    *+4')).toBe('A7440002');
    expect(hexOf('JE    *+4')).toBe('A7840002');
    expect(hexOf('BRNE  *+4')).toBe('A7740002');
    expect(hexOf('JNH   *+4')).toBe('A7D40002');
    expect(hexOf('JNM   *+4')).toBe('A7B40002');
    expect(hexOf('JNO   *+4')).toBe('A7E40002');
    expect(hexOf('JAS   14,*+4')).toBe('A7E50002');
    expect(hexOf('JCT   2,*')).toBe('A7260000');
    expect(hexOf('JC    8,*+4')).toBe('A7840002');
  });

  it('accepts the table aliases (TMH = TMLH, TML = TMLL)', () => {
    expect(hexOf("TMH   1,X'0001'")).toBe('A7100001');
    expect(hexOf("TML   1,X'0001'")).toBe('A7110001');
  });

  it('resolves implicit addresses through USING: smallest displacement, then highest register', () => {
    const prelude = '         USING *,12\n         USING *,11\n';
    // Both registers cover the address at the same displacement: register 12 wins.
    expect(hexOf('L     1,*', 0x1000, prelude)).toBe('5810C000');
    const two = assemble(
      [
        'T        START X\'1000\'',
        '         USING T,12,13',
        '         L     1,FAR',
        '         ORG   T+X\'1008\'',
        'FAR      DC    F\'7\'',
        '         END',
      ].join('\n'),
    );
    expect(two.errors).toEqual([]);
    // FAR is at T+4104: beyond register 12's 4096 bytes, register 13 (T+4096) covers it at displacement 8.
    expect(Buffer.from(two.image.subarray(0, 4)).toString('hex')).toBe('5810d008');
  });

  it('prefers a USING with absolute base 0 over the default base 0 for absolute addresses', () => {
    // HLASM Language Reference, "Base registers for absolute addresses": LA 7,5 with USING 0,3 is X'41703005'.
    expect(hexOf('LA    7,5', 0, '         USING 0,3\n')).toBe('41703005');
    expect(hexOf('LA    7,5')).toBe('41700005');
  });
});

describe('the disassembler', () => {
  it('decodes the oracle loop with explicit operands', () => {
    const bytes = Uint8Array.from(Buffer.from('582003001A13462002048200030800000000', 'hex'));
    const texts: string[] = [];
    let o = 0;
    while (o < 14) {
      const d = disassemble(bytes.subarray(o), 0x200 + o);
      texts.push(d.text);
      o += d.length;
    }
    expect(texts).toEqual(['L     2,768(0,0)', 'AR    1,3', 'BCT   2,516(0,0)', 'LPSW  776(0)']);
  });

  it('shows relative targets as absolute addresses and extended mnemonics on request', () => {
    const jne = Uint8Array.from([0xa7, 0x74, 0xff, 0xfe]);
    expect(disassemble(jne, 0x204).text).toBe("BRC   7,X'000200'");
    expect(disassemble(jne, 0x204, { extended: true }).text).toBe("JNE   X'000200'");
    expect(disassemble(Uint8Array.from([0x07, 0xfe]), 0, { extended: true }).text).toBe('BR    14');
    expect(disassemble(Uint8Array.from([0x47, 0x00, 0x00, 0x00]), 0, { extended: true }).text).toBe('NOP   0(0,0)');
  });

  it('prints signed immediates in decimal and masks in hex', () => {
    expect(disassemble(Uint8Array.from([0xa7, 0x18, 0xff, 0xff])).text).toBe('LHI   1,-1');
    expect(disassemble(Uint8Array.from([0xa7, 0x11, 0x80, 0x00])).text).toBe("TMLL  1,X'8000'");
    expect(disassemble(Uint8Array.from([0x92, 0x40, 0x10, 0x00])).text).toBe("MVI   0(1),X'40'");
    expect(disassemble(Uint8Array.from([0xd2, 0x07, 0x10, 0x00, 0x20, 0x00])).text).toBe('MVC   0(8,1),0(2)');
  });

  it('shows bytes that are no instruction of the table as DC of the architected length', () => {
    // X'00' is not an instruction; its first two bits say a 2-byte unit.
    expect(disassemble(Uint8Array.from([0x00, 0x00, 0x58])).text).toBe("DC    X'0000'");
    // X'E3' (11......) means 6 bytes.
    const d = disassemble(Uint8Array.from([0xe3, 1, 2, 3, 4, 5, 6]));
    expect(d.mnemonic).toBe('DC');
    expect(d.length).toBe(6);
    // A truncated instruction shows what is there.
    expect(disassemble(Uint8Array.from([0x58, 0x20])).text).toBe("DC    X'5820'");
  });
});
