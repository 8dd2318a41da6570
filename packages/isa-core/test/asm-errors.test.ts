import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AsmError, assemble, formatAsmError, formatAsmErrorContext } from '@strachey/isa-core';

/** Assemble a program whose statements follow `START 0` (line 1); the statement under test is line 2. */
function errorsOf(...lines: string[]): AsmError[] {
  return [...assemble(['T        START 0', ...lines, '         END'].join('\n')).errors];
}

function only(...lines: string[]): AsmError {
  const errors = errorsOf(...lines);
  expect(errors, JSON.stringify(errors)).toHaveLength(1);
  return errors[0]!;
}

describe('assembler errors: class, message, line and column', () => {
  it.each([
    // [statement(s), code, line, column, message]
    [['         ST    1)'], 'SYNTAX', 2, 17, "expected ',', found ')'"],
    [['         AR    1,2)'], 'SYNTAX', 2, 19, "expected end of operands, found ')'"],
    [['         L     1,0(2'], 'SYNTAX', 2, 21, "expected ')', found end of operands"],
    [['         MVC   0(8,1)0(2)'], 'SYNTAX', 2, 22, "expected ',', found '0'"],
    [['         LR    1,'], 'SYNTAX', 2, 18, 'expected a term, found end of operands'],
    [["         DC    C'AB"], 'SYNTAX', 2, 20, `expected "'" to close the string, found end of operands`],
    [["         DC    Q'1'"], 'CONSTANT', 2, 16, "expected a constant type (C X B F H A Y P Z D), found 'Q'"],
    [['         USING 3'], 'SYNTAX', 2, 17, "expected ',' and a base register, found end of operands"],
    [['         FOO   1,2'], 'UNKNOWN_OPERATION', 2, 10, 'unknown operation FOO'],
    [['         COM'], 'UNKNOWN_OPERATION', 2, 10, 'COM is not supported by this assembler'],
    [['         USING T,12', '         L     1,FOO'], 'UNDEFINED_SYMBOL', 3, 18, 'undefined symbol FOO'],
    [
      ['A        DS    F', 'A        DS    H'],
      'DUPLICATE_SYMBOL',
      3,
      1,
      'symbol A already defined at line 2',
    ],
    [['         LR    16,1'], 'REGISTER_RANGE', 2, 16, 'register 16 out of range 0..15'],
    [['         L     1,0(0,16)'], 'REGISTER_RANGE', 2, 22, 'base register 16 out of range 0..15'],
    [['         L     1,0(-1,1)'], 'REGISTER_RANGE', 2, 20, 'index register -1 out of range 0..15'],
    [['         BC    16,0'], 'MASK_RANGE', 2, 16, 'mask 16 out of range 0..15'],
    [['         L     1,4096(0,1)'], 'DISPLACEMENT_RANGE', 2, 18, 'displacement 4096 out of range 0..4095'],
    [['         LHI   1,32768'], 'IMMEDIATE_RANGE', 2, 18, 'immediate 32768 out of range -32768..32767'],
    [['         MVI   0(1),256'], 'IMMEDIATE_RANGE', 2, 21, 'immediate 256 out of range 0..255'],
    [['         SVC   -1'], 'IMMEDIATE_RANGE', 2, 16, 'immediate -1 out of range 0..255'],
    [['         MVC   0(257,1),0(2)'], 'LENGTH_RANGE', 2, 18, 'length 257 out of range 0..256'],
    [['         PACK  0(17,1),0(2,2)'], 'LENGTH_RANGE', 2, 18, 'length 17 out of range 0..16'],
    [
      ['         J     *+65536'],
      'RELATIVE_RANGE',
      2,
      16,
      'relative offset 32768 halfwords out of range -32768..32767',
    ],
    [
      ['         J     *+3'],
      'RELATIVE_ALIGNMENT',
      2,
      16,
      "branch target X'000003' is an odd number of bytes from the instruction",
    ],
    [['         L     1,X', "X        DC    F'1'"], 'NO_USING', 2, 18, "no USING covers address X'000004'"],
    [['X        LHI   1,X'], 'RELOCATABILITY', 2, 18, 'immediate operand must be an absolute expression'],
    [['X        LR    X,1'], 'RELOCATABILITY', 2, 16, 'register must be an absolute expression'],
    [
      ['         DC    A(2147483647+1)'],
      'OVERFLOW',
      2,
      28,
      'arithmetic overflow: 2147483648 does not fit in 32 bits',
    ],
    [
      ["         DC    F'1.5'"],
      'CONSTANT',
      2,
      18,
      "invalid fixed-point value '1.5' (an integer is expected)",
    ],
    [["         DC    X'0G'"], 'CONSTANT', 2, 18, "invalid hexadecimal digits '0G'"],
    [["         DC    C''"], 'CONSTANT', 2, 18, 'character constant is empty'],
    [["         DC    H'32768'"], 'CONSTANT', 2, 18, 'value 32768 does not fit in a signed 2-byte field'],
    [['         DC    AL1(256)'], 'CONSTANT', 2, 20, 'value 256 does not fit in 1 byte'],
    [['         ORG   T-2'], 'LOCATION', 2, 16, "ORG to X'FFFFFFFE' is below the section origin X'000000'"],
    [['U        CSECT'], 'DIRECTIVE', 2, 10, 'only one control section is supported (already in T)'],
    [['         DROP  5'], 'DIRECTIVE', 2, 16, 'register 5 is not a USING base register'],
    [['         START 0'], 'DIRECTIVE', 2, 10, 'START must come before any instruction, constant or section'],
    [['         EQU   5'], 'SYNTAX', 2, 10, 'EQU needs a name in column 1'],
    [['         DSECT'], 'SYNTAX', 2, 10, 'DSECT needs a name in column 1'],
    [['A        EQU   NOWHERE'], 'UNDEFINED_SYMBOL', 2, 16, 'undefined symbol NOWHERE'],
    [
      ['         DS    CL(N)', 'N        EQU   8'],
      'UNDEFINED_SYMBOL',
      2,
      19,
      'length modifier uses N, which is not defined before this statement',
    ],
  ] as const)('%j -> %s', (lines, code, line, column, message) => {
    const e = only(...lines);
    expect({ code: e.code, line: e.line, column: e.column, message: e.message }).toEqual({
      code,
      line,
      column,
      message,
    });
    expect(e.sourceLine).toBe(lines[line - 2]);
  });

  it('reports each EQU of a circular definition', () => {
    const errors = errorsOf('A        EQU   B', 'B        EQU   A+1', 'C        EQU   A');
    expect(errors.map((e) => [e.code, e.line, e.column, e.message])).toEqual([
      ['CIRCULAR', 2, 16, 'EQU depends circularly on B'],
      ['CIRCULAR', 3, 16, 'EQU depends circularly on A'],
      ['CIRCULAR', 4, 16, 'EQU depends circularly on A'],
    ]);
  });

  it('reports every out-of-range operand of one statement, and assembles it as zeros', () => {
    const r = assemble(['T        START 0', '         MVC   4096(300,16),0(17)', '         END'].join('\n'));
    expect(r.errors.map((e) => [e.code, e.column])).toEqual([
      ['DISPLACEMENT_RANGE', 16],
      ['LENGTH_RANGE', 21],
      ['REGISTER_RANGE', 25],
      ['REGISTER_RANGE', 31],
    ]);
    expect([...r.image]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('reports a bad continuation line with its own line and column', () => {
    const first = `${"         DC    F'1',".padEnd(71)}X`;
    const errors = errorsOf(first, "   XX          F'2'");
    expect(errors.map((e) => [e.code, e.line, e.column, e.message])).toEqual([
      ['CONTINUATION', 3, 4, 'continuation line must be blank in columns 1-15'],
    ]);
  });

  it('points into continuation lines: the column is that of the line the operand is on', () => {
    const first = `${"         DC    F'1',".padEnd(71)}X`;
    const errors = errorsOf(first, "               F'X'");
    expect(errors.map((e) => [e.code, e.line, e.column])).toEqual([['CONSTANT', 3, 18]]);
    expect(errors[0]!.sourceLine).toBe("               F'X'");
  });

  it('reports a bad name but still assembles its statement, so later addresses stay right', () => {
    const r = assemble(
      ['T        START 0', '1BAD     LR    1,1', 'NEXT     LR    2,2', '         END'].join('\n'),
    );
    expect(r.errors.map((e) => [e.code, e.line, e.column])).toEqual([['SYNTAX', 2, 1]]);
    expect(r.errors[0]!.message).toMatch(/^invalid name 1BAD/);
    expect(r.symbols.find((s) => s.name === 'NEXT')!.value).toBe(2);
    expect(Buffer.from(r.image).toString('hex')).toBe('18111822');
  });

  it('reports every bad statement, not just the first, and keeps assembling the good ones', () => {
    const r = assemble(
      [
        'T        START 0',
        '         LR    16,1',
        '         AR    1,2',
        '         L     1,UNDEF(0,1)',
        '         BOGUS',
        '         LHI   1,70000',
        "         DC    C'OK'",
        '         END',
      ].join('\n'),
    );
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'REGISTER_RANGE'],
      [4, 'UNDEFINED_SYMBOL'],
      [5, 'UNKNOWN_OPERATION'],
      [6, 'IMMEDIATE_RANGE'],
    ]);
    // The good statements still assemble, at the addresses the bad ones leave for them.
    expect(Buffer.from(r.image.subarray(2, 4)).toString('hex')).toBe('1a12');
    expect(Buffer.from(r.image.subarray(12, 14)).toString('hex')).toBe('d6d2');
  });

  it('formats errors as file:line:column: error CODE: message with a caret under the column', () => {
    const e = only('         LR    16,1');
    expect(formatAsmError(e, 'prog.asm')).toBe(
      'prog.asm:2:16: error REGISTER_RANGE: register 16 out of range 0..15',
    );
    expect(formatAsmErrorContext(e)).toBe('         LR    16,1\n               ^');
  });

  it('words every "expected X, found Y" message the same way, whichever check wrote it', () => {
    const operation = fc.constantFrom(
      'LR',
      'L',
      'ST',
      'MVC',
      'MVI',
      'BC',
      'LA',
      'DC',
      'DS',
      'USING',
      'CCW',
      'EQU',
    );
    const piece = fc.constantFrom(
      '1',
      '12',
      ',',
      '(',
      ')',
      "'",
      'C',
      'X',
      'F',
      'CL8',
      'A(',
      '0',
      '=',
      '+',
      '*',
      'T',
      'Q',
    );
    let seen = 0;
    fc.assert(
      fc.property(operation, fc.array(piece, { maxLength: 8 }), (op, operands) => {
        const r = assemble(
          ['T        START 0', `X        ${op.padEnd(5)} ${operands.join('')}`, '         END'].join('\n'),
        );
        for (const e of r.errors) {
          if (!/\bfound\b/.test(e.message)) continue;
          seen++;
          expect(e.message).toMatch(/^expected .+, found (end of operands|'.+')$/);
        }
      }),
      { numRuns: 1500, seed: 11 },
    );
    expect(seen).toBeGreaterThan(100);
  });

  it('never throws, whatever the source', () => {
    const token = fc.constantFrom(
      ' ',
      '  ',
      ',',
      '(',
      ')',
      "'",
      '=',
      '*',
      '+',
      '-',
      '/',
      "L'",
      "X'",
      "C'",
      "F'",
      'A(',
      '0',
      '1',
      '15',
      '4096',
      'R1',
      'LOOP',
      'L',
      'MVC',
      'DC',
      'DS',
      'EQU',
      'USING',
      'ORG',
      'LTORG',
      'START',
      'END',
      'J',
      'BRC',
      'CL8',
      '3F',
      'DSECT',
      'CSECT',
      'DROP',
      'CNOP',
      'CCW',
      "X'7FFFFFFF'",
      '\t',
      '\n',
      '\n         ',
      '\nLOOP     ',
      'X'.repeat(80),
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        const r = assemble(tokens.join(''));
        expect(r.ok).toBe(r.errors.length === 0);
        for (const e of r.errors) {
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 800, seed: 7 },
    );
  });
});
