/**
 * Splits HLASM source into statements. The statement field is columns 1-71:
 * a name in column 1 (optional), the operation, the operands (ending at the
 * first blank outside quotes) and remarks. A line whose column 72 is not blank
 * is continued on the next line, which must be blank in columns 1-15 and goes
 * on in column 16; columns 73-80 are the sequence field and are ignored. A
 * `*` (or `.*`) in column 1 makes a comment line.
 */
import { Cursor, isSymbolChar, isSymbolStart } from './cursor';
import type { AsmErrorCode, SourcePosition } from './types';

/** A problem found while splitting (bad continuation, bad name field). */
export interface SplitFault {
  readonly code: AsmErrorCode;
  readonly message: string;
  readonly position: SourcePosition;
}

/** One statement as written: its fields and where each character came from. */
export interface SourceStatement {
  /** First physical line (1-based). */
  readonly line: number;
  /** The physical lines of the statement (continuations included). */
  readonly lines: readonly string[];
  /** Comment line or blank line: no operation. */
  readonly comment: boolean;
  readonly label: { readonly name: string; readonly position: SourcePosition } | undefined;
  readonly operation: { readonly name: string; readonly position: SourcePosition } | undefined;
  /** The operand field (continuation lines joined), readable with positions. */
  readonly operands: Cursor;
  readonly faults: readonly SplitFault[];
}

const STATEMENT_END = 71;
const CONTINUE_FROM = 15;

function blank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Whether the quote at `i` is an attribute reference such as L'NAME rather than the start of a string. */
export function isAttributeQuote(s: string, i: number): boolean {
  const a = s[i - 1];
  if (a === undefined || !/[LTKNDISOltkndiso]/.test(a)) return false;
  if (isSymbolChar(s[i - 2])) return false;
  const n = s[i + 1];
  return n === '*' || isSymbolStart(n);
}

export function splitSource(text: string): SourceStatement[] {
  const physical = text.split(/\r?\n/);
  if (physical.length > 0 && physical[physical.length - 1] === '' && text.length > 0) physical.pop();
  const out: SourceStatement[] = [];
  let n = 0;
  while (n < physical.length) {
    const first = n;
    const lines: string[] = [physical[n]!];
    while (continued(physical[n]!) && n + 1 < physical.length) {
      n++;
      lines.push(physical[n]!);
    }
    n++;
    out.push(statement(first + 1, lines));
  }
  return out;
}

function continued(line: string): boolean {
  return line.length > STATEMENT_END && !blank(line[STATEMENT_END]);
}

function field(line: string): string {
  return line.length > STATEMENT_END ? line.slice(0, STATEMENT_END) : line;
}

function statement(lineNo: number, lines: string[]): SourceStatement {
  const faults: SplitFault[] = [];
  const first = field(lines[0]!);
  const at = (column0: number, k = 0): SourcePosition => ({ line: lineNo + k, column: column0 + 1 });
  const emptyOperands = new Cursor('', [], at(first.length));
  const isComment = first.startsWith('*') || first.startsWith('.*') || first.trim() === '';
  if (isComment) {
    return { line: lineNo, lines, comment: true, label: undefined, operation: undefined, operands: emptyOperands, faults };
  }
  if (continued(lines[lines.length - 1]!)) {
    faults.push({ code: 'CONTINUATION', message: 'continuation indicator in column 72 but no line follows', position: at(STATEMENT_END, lines.length - 1) });
  }
  for (let k = 1; k < lines.length; k++) {
    const head = field(lines[k]!).slice(0, CONTINUE_FROM);
    const bad = head.search(/[^ \t]/);
    if (bad >= 0) {
      faults.push({ code: 'CONTINUATION', message: 'continuation line must be blank in columns 1-15', position: at(bad, k) });
    }
  }

  let i = 0;
  let label: SourceStatement['label'];
  if (!blank(first[0])) {
    while (i < first.length && !blank(first[i])) i++;
    const name = first.slice(0, i);
    if (!isSymbolStart(name[0]) || ![...name].every((c) => isSymbolChar(c)) || name.length > 63) {
      faults.push({ code: 'SYNTAX', message: `invalid name ${name}: a symbol is a letter or $#@_ followed by letters, digits, $#@_`, position: at(0) });
    } else label = { name: name.toUpperCase(), position: at(0) };
  }
  while (i < first.length && blank(first[i])) i++;
  let operation: SourceStatement['operation'];
  const opStart = i;
  while (i < first.length && !blank(first[i])) i++;
  if (i > opStart) operation = { name: first.slice(opStart, i).toUpperCase(), position: at(opStart) };
  else faults.push({ code: 'SYNTAX', message: 'expected an operation after the name field', position: at(opStart) });
  while (i < first.length && blank(first[i])) i++;

  // Operands run to the first blank outside quotes; a trailing comma carries them onto the next line.
  let chars = '';
  const positions: SourcePosition[] = [];
  let seg = 0;
  let s = first;
  let j = i;
  let inQuote = false;
  for (;;) {
    if (j >= s.length || (!inQuote && blank(s[j]))) {
      const more = seg + 1 < lines.length;
      if (more && (inQuote || chars.endsWith(','))) {
        seg++;
        s = field(lines[seg]!);
        j = CONTINUE_FROM;
        if (!inQuote) while (j < s.length && blank(s[j])) j++;
        continue;
      }
      break;
    }
    const c = s[j]!;
    if (c === "'" && (inQuote || !isAttributeQuote(s, j))) inQuote = !inQuote;
    chars += c;
    positions.push(at(j, seg));
    j++;
  }
  const end = at(j, seg);
  return { line: lineNo, lines, comment: false, label, operation, operands: new Cursor(chars, positions, end), faults };
}
