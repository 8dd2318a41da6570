import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asciiToEbcdic,
  assemble,
  EBCDIC_037_TO_LATIN1,
  ebcdicToAscii,
  LATIN1_TO_EBCDIC_037,
} from '@strachey/isa-core';

/** Object code of a program (statements after `START 0`) as hex. */
function hex(...lines: string[]): string {
  const r = assemble(['T        START 0', ...lines, '         END'].join('\n'));
  expect(r.errors).toEqual([]);
  return Buffer.from(r.image).toString('hex').toUpperCase();
}

function symbols(...lines: string[]): Record<string, { value: number; length: number; relocatable: boolean }> {
  const r = assemble(['T        START 0', ...lines, '         END'].join('\n'));
  expect(r.errors).toEqual([]);
  return Object.fromEntries(r.symbols.map((s) => [s.name, { value: s.value, length: s.length, relocatable: s.relocatable }]));
}

describe('EBCDIC code page 037', () => {
  it('maps the characters a program text uses to their CP037 code points', () => {
    expect([...asciiToEbcdic('A Z a z 0 9')].map((b) => b.toString(16).toUpperCase())).toEqual(
      ['C1', '40', 'E9', '40', '81', '40', 'A9', '40', 'F0', '40', 'F9'],
    );
    expect([...asciiToEbcdic('.,()+*-/=$#@\'"')].map((b) => b.toString(16).toUpperCase()).join(' ')).toBe(
      '4B 6B 4D 5D 4E 5C 60 61 7E 5B 7B 7C 7D 7F',
    );
  });

  it('is a bijection on bytes, and decoding inverts encoding', () => {
    expect(new Set(EBCDIC_037_TO_LATIN1).size).toBe(256);
    for (let e = 0; e < 256; e++) expect(LATIN1_TO_EBCDIC_037[EBCDIC_037_TO_LATIN1[e]!]).toBe(e);
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) }), (s) => {
        expect(ebcdicToAscii(asciiToEbcdic(s))).toBe(s);
      }),
    );
  });
});

describe('DC constants', () => {
  it.each([
    ["C'HELLO'", 'C8C5D3D3D6'],
    ["CL8'AB'", 'C1C2404040404040'],
    ["CL2'ABC'", 'C1C2'],
    ["C'IT''S'", 'C9E37DE2'],
    ["C'A&&B'", 'C150C2'],
    ["CA'AB'", '4142'],
    ["CE'AB'", 'C1C2'],
    ["X'1'", '01'],
    ["XL2'1'", '0001'],
    ["XL1'1234'", '34'],
    ["X'01,0203'", '010203'],
    ["3X'AB'", 'ABABAB'],
    ["B'101'", '05'],
    ["BL2'1'", '0001'],
    ["B'1,11'", '0103'],
    ["F'-1'", 'FFFFFFFF'],
    ["F'1,2'", '0000000100000002'],
    ["F'2147483647'", '7FFFFFFF'],
    ["H'-2'", 'FFFE'],
    ["FL1'-1'", 'FF'],
    ["P'-123'", '123D'],
    ["P'+1'", '1C'],
    ["P'12.50'", '01250C'],
    ["PL3'5'", '00005C'],
    ["Z'12'", 'F1C2'],
    ["Z'-12'", 'F1D2'],
    ["ZL3'7'", 'F0F0C7'],
    ['A(X\'10\'+1)', '00000011'],
    ['AL1(255)', 'FF'],
    ['AL3(*)', '000000'],
    ['Y(-1)', 'FFFF'],
    ['A(1,2)', '0000000100000002'],
    ["(2)H'7'", '00070007'],
  ])('DC %s = %s', (operand, bytes) => {
    expect(hex(`         DC    ${operand}`)).toBe(bytes);
  });

  it('aligns F and A to fullwords, H and Y to halfwords, unless a length is given', () => {
    expect(hex("         DC    X'01'", "         DC    F'2'")).toBe('0100000000000002');
    expect(hex("         DC    X'01'", "         DC    H'2'")).toBe('010000' + '02');
    expect(hex("         DC    X'01'", "         DC    FL4'2'")).toBe('0100000002');
    expect(hex("         DC    X'01'", '         DC    Y(2),A(3)')).toBe('01000002' + '00000003');
    expect(hex("         DC    X'01'", '         DS    0F', "         DC    X'02'")).toBe('0100000002');
    expect(hex("         DC    X'01'", '         DS    0D', "         DC    X'02'")).toBe('010000000000000002');
  });

  it('gives labels the location of the aligned first operand and its length attribute', () => {
    const s = symbols("         DC    X'01'", "W        DC    3F'0'", 'C8       DS    CL8', 'H        DS    2H', 'N        EQU   L\'C8+L\'W');
    expect(s.W).toEqual({ value: 4, length: 4, relocatable: true });
    expect(s.C8).toEqual({ value: 16, length: 8, relocatable: true });
    expect(s.H).toEqual({ value: 24, length: 2, relocatable: true });
    expect(s.N).toEqual({ value: 12, length: 1, relocatable: false });
  });

  it('A-constants hold addresses of the section (START origin included)', () => {
    const r = assemble(["P        START X'2000'", 'HERE     DC    A(HERE,THERE-HERE)', "THERE    DC    Y(HERE+2)", '         END'].join('\n'));
    expect(r.errors).toEqual([]);
    expect(Buffer.from(r.image).toString('hex')).toBe('00002000' + '00000008' + '2002');
  });
});

describe('literals', () => {
  it('are pooled at LTORG, doubleword-aligned, 8-byte multiples first, then 4, 2, 1; duplicates share one entry', () => {
    const r = assemble(
      [
        'T        START 0',
        '         USING T,12',
        "         CLI   0(1),C'X'",
        "         MVC   0(1,1),=C'A'",
        "         L     1,=F'1'",
        "         LH    1,=H'2'",
        "         MVC   0(8,1),=XL8'0102030405060708'",
        "         L     2,=F'1'",
        '         LTORG',
        "         L     3,=F'1'",
        '         END',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    const lit = r.statements.filter((s) => s.literal).map((s) => [s.source, s.loc]);
    // Code ends at X'1C'; the pool starts at X'20'.
    expect(lit).toEqual([
      ["=XL8'0102030405060708'", 0x20],
      ["=F'1'", 0x28],
      ["=H'2'", 0x2c],
      ["=C'A'", 0x2e],
      // The pool at END is a second one: =F'1' again, after the L at X'30'.
      ["=F'1'", 0x38],
    ]);
    const code = Buffer.from(r.image).toString('hex').toUpperCase();
    expect(code.slice(2 * 4, 2 * 10)).toBe('D200' + '1000' + 'C02E'); // MVC 0(1,1),=C'A'
    expect(code.slice(2 * 10, 2 * 14)).toBe('5810C028'); // L 1,=F'1'
    expect(code.slice(2 * 24, 2 * 28)).toBe('5820C028'); // the same literal
    expect(code.slice(2 * 0x30, 2 * 0x34)).toBe('5830C038'); // the END pool
    expect(code.slice(2 * 0x20)).toBe('0102030405060708' + '00000001' + '0002' + 'C1' + '00' + '5830C038' + '0000' + '0000' + '00000001');
  });

  it('take the implicit length of their first value in SS instructions', () => {
    const r = assemble(['T        START 0', '         USING T,12', "         CLC   0(0,1),=C'ABC'", '         MVC   0(1),=CL5\'A\'', '         END'].join('\n'));
    expect(r.errors).toEqual([]);
    // CLC with explicit length 0 encodes length code 0; MVC 0(1),... implicit address 0 with explicit length 1.
    expect(Buffer.from(r.image.subarray(0, 12)).toString('hex').toUpperCase()).toBe('D5001000C010' + 'D2000000C013');
  });
});

describe('location counter, EQU, ORG, USING/DROP, CNOP, CCW', () => {
  it('refuses relocatable terms in multiplication and division', () => {
    const r = assemble(['T        START 0', 'A        EQU   T/2', '         END'].join('\n'));
    expect(r.errors.map((e) => [e.code, e.line, e.column, e.message])).toEqual([
      ['RELOCATABILITY', 2, 17, 'relocatable term in division'],
    ]);
  });

  it('evaluates * and expressions with + - * / and parentheses (division truncates; by zero gives 0)', () => {
    const s = symbols(
      '         DS    XL10',
      'A        EQU   *',
      'B        EQU   (A-T+6)/4*3-1',
      'C        EQU   -7/2',
      'D        EQU   5/0',
      "E        EQU   C'AB'+X'10'+B'11'",
      'F        EQU   A-T',
    );
    expect(s.A).toEqual({ value: 10, length: 1, relocatable: true });
    expect(s.B!.value).toBe(11);
    expect(s.C!.value).toBe(-3);
    expect(s.D!.value).toBe(0);
    expect(s.E!.value).toBe(0xc1c2 + 0x10 + 3);
    expect(s.F).toEqual({ value: 10, length: 1, relocatable: false });
  });

  it('resolves EQUs that refer forward, and takes an explicit length attribute', () => {
    const s = symbols('LEN      EQU   END-BEG', 'BEG      DC    C\'ABCDE\'', 'END      EQU   *', 'REC      EQU   BEG,80');
    expect(s.LEN!.value).toBe(5);
    expect(s.REC).toEqual({ value: 0, length: 80, relocatable: true });
  });

  it('ORG moves the location counter; ORG without operand returns to the highest location', () => {
    const r = assemble(
      ['T        START 0', "         DC    X'0102'", '         ORG   T+8', "         DC    X'08'", '         ORG   T+1', "         DC    X'FF'", '         ORG', "         DC    X'09'", '         END'].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(Buffer.from(r.image).toString('hex')).toBe('01ff000000000000' + '0809');
    expect(r.chunks.map((c) => [c.address, c.bytes.length])).toEqual([[0, 2], [8, 2]]);
  });

  it('USING with several registers covers 4096 bytes each; DROP ends the coverage', () => {
    const r = assemble(
      [
        'T        START 0',
        '         USING T,10,11',
        '         L     1,FAR',
        '         DROP  11',
        '         L     1,FAR',
        '         ORG   T+5000',
        'FAR      DS    F',
        '         END',
      ].join('\n'),
    );
    expect(Buffer.from(r.image.subarray(0, 4)).toString('hex')).toBe('5810b388');
    expect(r.errors.map((e) => [e.line, e.code, e.message])).toEqual([[5, 'NO_USING', "no USING covers address X'001388'"]]);
  });

  it('CNOP pads with BCR 0,0 to the requested position in a fullword or doubleword', () => {
    expect(hex('         LR    1,1', '         CNOP  0,8', '         LR    2,2')).toBe('1811' + '070007000700' + '1822');
    expect(hex('         CNOP  2,4', '         LR    2,2')).toBe('0700' + '1822');
    expect(hex('         LR    1,1', '         CNOP  2,4', '         LR    2,2')).toBe('1811' + '1822');
  });

  it('CCW builds format-0 and format-1 channel command words', () => {
    expect(hex("         CCW   X'02',X'123456',X'20',80")).toBe('021234562000' + '0050');
    expect(hex("         CCW1  X'02',X'01234567',X'20',80")).toBe('02200050' + '01234567');
  });

  it('accepts lower case, remarks, comment lines, continuation and listing controls', () => {
    const first = `${"         DC    F'1',".padEnd(71)}X`;
    expect(
      hex(
        '* a comment line',
        '.* a macro comment line',
        'r1       equ   1',
        '         la    r1,5(0,0)        remarks after the operands',
        '         TITLE ignored',
        '         EJECT',
        first,
        "               F'2'             more remarks",
      ),
    ).toBe('41100005' + '00000001' + '00000002');
  });

  it('continues a quoted string from column 71 to column 16 of the next line', () => {
    const text = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const head = `         DC    C'${text}`;
    expect(head.length).toBeGreaterThan(71);
    const first = `${head.slice(0, 71)}X`;
    const rest = `               ${head.slice(71)}'`;
    const r = assemble(['T        START 0', first, rest, '         END'].join('\n'));
    expect(r.errors).toEqual([]);
    expect(ebcdicToAscii(r.image)).toBe(text);
  });

  it('ignores statements after END', () => {
    const r = assemble(['T        START 0', '         LR    1,1', '         END', '         BOGUS'].join('\n'));
    expect(r.errors).toEqual([]);
    expect(Buffer.from(r.image).toString('hex')).toBe('1811');
  });

  it('records the END operand as the entry point and references for the cross-reference', () => {
    const r = assemble(['T        START X\'200\'', 'GO       LR    1,1', '         J     GO', '         END   GO'].join('\n'));
    expect(r.entry).toBe(0x200);
    expect(r.sectionName).toBe('T');
    expect(r.symbols.find((s) => s.name === 'GO')).toMatchObject({ line: 2, references: [3, 4], type: 'I', length: 2 });
  });
});
