/**
 * HLASM expressions: terms (symbols, `*`, self-defining terms decimal,
 * X'..', B'..', C'..', the length attribute L'sym) combined with + - * /
 * and parentheses. Values are 32-bit signed; each value counts its
 * relocatable terms (an address in the section counts 1, a difference of two
 * addresses 0) and the section it is an address in, so that implicit
 * addresses and USING can tell addresses from plain numbers, and DSECT
 * offsets from control-section addresses, as HLASM does.
 */
import { type Cursor, isSymbolChar, isSymbolStart } from './cursor';
import { LATIN1_TO_EBCDIC_037 } from './ebcdic';

/** Section number of an absolute value (no relocatable term). */
export const ABSOLUTE = -1;
/** Section number of a value combining relocatable terms of different sections: never an address. */
export const MIXED = -2;

/** What the evaluator needs to know of a symbol. */
export interface SymbolView {
  readonly value: number;
  /** The section it is an address in (0 the control section, then DSECTs), or ABSOLUTE. */
  readonly section: number;
  readonly length: number;
}

/** The environment an expression is evaluated in. */
export interface ExprContext {
  /** The symbol's definition, or undefined when it is not (yet) defined. */
  lookup(name: string): SymbolView | undefined;
  /** Called for every symbol the expression names (for the cross-reference). */
  reference(name: string): void;
  /** The location counter `*`, and the section it counts in. */
  readonly lc: number;
  readonly lcSection: number;
  /** The length attribute of `*` (the length of the current instruction). */
  readonly starLength: number;
  /**
   * Pass-1 scanning: undefined symbols read as 0 instead of failing, and the
   * first one is recorded in `undefinedName`.
   */
  readonly lenient: boolean;
  undefinedName?: string | undefined;
}

/** An evaluated expression. */
export interface ExprValue {
  readonly value: number;
  /** Net count of relocatable terms: 0 absolute, 1 relocatable, anything else complex. */
  readonly reloc: number;
  /** Section of the unpaired relocatable term; ABSOLUTE when none, MIXED when sections were mixed. */
  readonly section: number;
  /** Length attribute of the leftmost term (1 for self-defining terms). */
  readonly length: number;
  /** Index in the operand text where the expression starts. */
  readonly start: number;
}

const MIN = -0x80000000;
const MAX = 0x7fffffff;

function checked(cur: Cursor, v: number, at: number): number {
  if (v < MIN || v > MAX) cur.fail('OVERFLOW', `arithmetic overflow: ${v} does not fit in 32 bits`, at);
  return v;
}

/** Parse and evaluate an expression at the cursor. */
export function expression(cur: Cursor, ctx: ExprContext): ExprValue {
  const start = cur.i;
  let left = term(cur, ctx);
  for (;;) {
    const op = cur.peek();
    if (op !== '+' && op !== '-') break;
    const at = cur.i;
    cur.i++;
    const right = term(cur, ctx);
    const reloc = op === '+' ? left.reloc + right.reloc : left.reloc - right.reloc;
    left = {
      value: checked(cur, op === '+' ? left.value + right.value : left.value - right.value, at),
      reloc,
      section: combinedSection(left, right, reloc),
      length: left.length,
      start,
    };
  }
  return left;
}

function term(cur: Cursor, ctx: ExprContext): ExprValue {
  let left = factor(cur, ctx);
  for (;;) {
    const op = cur.peek();
    if (op !== '*' && op !== '/') break;
    const at = cur.i;
    cur.i++;
    const right = factor(cur, ctx);
    if (left.reloc !== 0 || right.reloc !== 0 || left.section === MIXED || right.section === MIXED) {
      cur.fail('RELOCATABILITY', `relocatable term in ${op === '*' ? 'multiplication' : 'division'}`, at);
    }
    // HLASM defines division by zero to give zero rather than an error.
    const v = op === '*' ? left.value * right.value : right.value === 0 ? 0 : Math.trunc(left.value / right.value);
    left = { value: checked(cur, v, at), reloc: 0, section: ABSOLUTE, length: left.length, start: left.start };
  }
  return left;
}

function factor(cur: Cursor, ctx: ExprContext): ExprValue {
  const start = cur.i;
  const c = cur.peek();
  if (c === '+' || c === '-') {
    cur.i++;
    const v = factor(cur, ctx);
    return c === '+' ? v : { ...v, value: checked(cur, -v.value, start), reloc: -v.reloc, start };
  }
  return primary(cur, ctx);
}

function primary(cur: Cursor, ctx: ExprContext): ExprValue {
  const start = cur.i;
  const c = cur.peek();
  if (c === '(') {
    cur.i++;
    const v = expression(cur, ctx);
    cur.expect(')');
    return { ...v, start };
  }
  if (c === '*') {
    cur.i++;
    return { value: ctx.lc, reloc: 1, section: ctx.lcSection, length: ctx.starLength, start };
  }
  if (c !== undefined && c >= '0' && c <= '9') {
    while (/[0-9]/.test(cur.peek() ?? '')) cur.i++;
    if (isSymbolChar(cur.peek())) cur.fail('SYNTAX', `expected an operator, found '${cur.peek()}'`);
    const v = Number(cur.text.slice(start, cur.i));
    if (v > MAX) cur.fail('OVERFLOW', `decimal term ${cur.text.slice(start, cur.i)} exceeds 2147483647`, start);
    return { value: v, reloc: 0, section: ABSOLUTE, length: 1, start };
  }
  if (isSymbolStart(c)) {
    const u = c!.toUpperCase();
    if (cur.peek(1) === "'" && (u === 'X' || u === 'B' || u === 'C')) {
      return { value: selfDefining(cur, ctx), reloc: 0, section: ABSOLUTE, length: 1, start };
    }
    if (cur.peek(1) === "'" && u === 'L') {
      cur.i += 2;
      if (cur.peek() === '*') {
        cur.i++;
        return { value: ctx.starLength, reloc: 0, section: ABSOLUTE, length: 1, start };
      }
      const at = cur.i;
      const name = cur.symbol();
      ctx.reference(name);
      const sym = ctx.lookup(name);
      if (!sym) return undefinedSymbol(cur, ctx, name, at);
      return { value: sym.length, reloc: 0, section: ABSOLUTE, length: 1, start };
    }
    if (cur.peek(1) === "'" && /[TKNDISO]/.test(u)) {
      cur.fail('SYNTAX', `attribute ${u}' is not supported (only L')`);
    }
    const name = cur.symbol();
    ctx.reference(name);
    const sym = ctx.lookup(name);
    if (!sym) return undefinedSymbol(cur, ctx, name, start);
    const relocatable = sym.section !== ABSOLUTE;
    return { value: sym.value, reloc: relocatable ? 1 : 0, section: sym.section, length: sym.length, start };
  }
  return cur.fail('SYNTAX', `expected a term, found ${cur.found()}`);
}

function undefinedSymbol(cur: Cursor, ctx: ExprContext, name: string, at: number): ExprValue {
  if (!ctx.lenient) cur.fail('UNDEFINED_SYMBOL', `undefined symbol ${name}`, at);
  ctx.undefinedName ??= name;
  return { value: 0, reloc: 0, section: ABSOLUTE, length: 1, start: at };
}

/**
 * Relocatable terms pair off only within one section (HLASM: a difference
 * of two addresses in the same section is absolute); terms of different
 * sections make the expression complex.
 */
function combinedSection(left: ExprValue, right: ExprValue, reloc: number): number {
  if (left.section === MIXED || right.section === MIXED) return MIXED;
  if (left.section === ABSOLUTE) return right.section;
  if (right.section === ABSOLUTE) return left.section;
  if (left.section !== right.section) return MIXED;
  return reloc === 0 ? ABSOLUTE : left.section;
}

/** An expression with at most one unpaired relocatable term (or none): an address or a number. */
export function isSimple(v: ExprValue): boolean {
  return v.section !== MIXED && (v.reloc === 0 || v.reloc === 1);
}

/**
 * Read the characters of a quoted string at the cursor (which is on the
 * opening quote). Two quotes stand for one, and so do two ampersands
 * (HLASM's rule for C-type data).
 */
export function quoted(cur: Cursor): string {
  cur.expect("'");
  let s = '';
  for (;;) {
    const c = cur.peek();
    if (c === undefined) cur.fail('SYNTAX', `expected "'" to close the string, found end of operands`);
    cur.i++;
    if (c === "'") {
      if (cur.peek() !== "'") return s;
      cur.i++;
      s += "'";
    } else if (c === '&' && cur.peek() === '&') {
      cur.i++;
      s += '&';
    } else s += c;
  }
}

/** X'..', B'..' or C'..' as a self-defining term: a 32-bit value. */
function selfDefining(cur: Cursor, _ctx: ExprContext): number {
  const start = cur.i;
  const kind = cur.peek()!.toUpperCase();
  cur.i++;
  const body = quoted(cur);
  if (kind === 'C') {
    if (body.length === 0 || body.length > 4) cur.fail('CONSTANT', `character self-defining term must have 1 to 4 characters`, start);
    let v = 0;
    for (const ch of body) {
      const code = ch.charCodeAt(0);
      if (code > 0xff) cur.fail('CONSTANT', `character '${ch}' has no EBCDIC code point`, start);
      v = v * 256 + LATIN1_TO_EBCDIC_037[code]!;
    }
    return v | 0;
  }
  const digits = kind === 'X' ? /^[0-9A-Fa-f]+$/ : /^[01]+$/;
  if (!digits.test(body)) cur.fail('CONSTANT', `invalid ${kind === 'X' ? 'hexadecimal' : 'binary'} term ${kind}'${body}'`, start);
  const significant = body.replace(/^0+(?=.)/, '');
  if (significant.length > (kind === 'X' ? 8 : 32)) cur.fail('OVERFLOW', `self-defining term ${kind}'${body}' exceeds 32 bits`, start);
  return Number.parseInt(significant, kind === 'X' ? 16 : 2) | 0;
}
