/**
 * A reading position in one statement's operand text. The text may be joined
 * from continuation lines, so every character carries its own source
 * position; errors point at the exact line and column.
 */
import type { AsmErrorCode, SourcePosition } from './types';

/** A located failure while reading one statement; the assembler turns it into an AsmError. */
export class AsmFault extends Error {
  readonly code: AsmErrorCode;
  readonly position: SourcePosition;
  constructor(code: AsmErrorCode, message: string, position: SourcePosition) {
    super(message);
    this.code = code;
    this.position = position;
  }
}

/** Characters that may appear in an ordinary symbol (HLASM: letters, digits, $ # @ _; not first a digit). */
export function isSymbolStart(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z$#@_]$/.test(c);
}
export function isSymbolChar(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z0-9$#@_]$/.test(c);
}

export class Cursor {
  i = 0;
  constructor(
    readonly text: string,
    private readonly positions: readonly SourcePosition[],
    private readonly endPosition: SourcePosition,
  ) {}

  peek(k = 0): string | undefined {
    return this.text[this.i + k];
  }

  eof(): boolean {
    return this.i >= this.text.length;
  }

  /** Source position of character `index` (default: the current one; past the end: just after the text). */
  pos(index = this.i): SourcePosition {
    return this.positions[index] ?? this.endPosition;
  }

  /** What is at the current position, for "expected X, found Y" messages. */
  found(): string {
    const c = this.peek();
    return c === undefined ? 'end of operands' : `'${c}'`;
  }

  fail(code: AsmErrorCode, message: string, index = this.i): never {
    throw new AsmFault(code, message, this.pos(index));
  }

  expect(c: string): void {
    if (this.peek() !== c) this.fail('SYNTAX', `expected '${c}', found ${this.found()}`);
    this.i++;
  }

  accept(c: string): boolean {
    if (this.peek() === c) {
      this.i++;
      return true;
    }
    return false;
  }

  /** Read an ordinary symbol at the cursor (upper-cased, as HLASM folds symbols). */
  symbol(): string {
    const start = this.i;
    if (!isSymbolStart(this.peek())) this.fail('SYNTAX', `expected a symbol, found ${this.found()}`);
    while (isSymbolChar(this.peek())) this.i++;
    const name = this.text.slice(start, this.i);
    if (name.length > 63) this.fail('SYNTAX', `symbol ${name.slice(0, 16)}... longer than 63 characters`, start);
    return name.toUpperCase();
  }

  /** A sub-cursor over text[from, to) sharing positions (used to re-read a literal's constant). */
  slice(from: number, to: number): Cursor {
    return new Cursor(this.text.slice(from, to), this.positions.slice(from, to), this.pos(to));
  }
}
