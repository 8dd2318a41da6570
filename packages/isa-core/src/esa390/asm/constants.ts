/**
 * DC and DS operands (HLASM "Defining constants"): a duplication factor, a
 * type (C X B F H A Y P Z, and D for alignment areas), an optional length
 * modifier and the nominal values, e.g. 3CL8'ABC', XL2'1', F'1,-2', A(X,Y+4),
 * P'-12.5', 0F. Character constants are EBCDIC (code page 037) unless written
 * CA'..' (ASCII). Literals (=F'1') use the same syntax.
 */
import type { Cursor } from './cursor';
import { asciiToEbcdic, EBCDIC_SPACE } from './ebcdic';
import { type ExprContext, type ExprValue, expression, isSimple, quoted } from './expression';

export type ConstantType = 'C' | 'X' | 'B' | 'F' | 'H' | 'A' | 'Y' | 'P' | 'Z' | 'D';

/** One parsed DC/DS operand. */
export interface ConstantOperand {
  readonly type: ConstantType;
  /** C-type written CA'..': ASCII rather than EBCDIC. */
  readonly ascii: boolean;
  readonly dup: number;
  readonly explicitLength: number | undefined;
  /** Boundary the operand is aligned to (F/A 4, H/Y 2, D 8, others and any explicit length 1). */
  readonly alignment: number;
  /** Length of each nominal value (before duplication). */
  readonly itemLengths: readonly number[];
  /** Length of the whole operand: dup * sum(itemLengths). */
  readonly length: number;
  /** Nominal values: text for quoted types, evaluated expressions for A/Y. */
  readonly texts: readonly { readonly text: string; readonly at: number }[];
  readonly exprs: readonly ExprValue[];
  readonly hasNominal: boolean;
  /** Index in the operand text of the operand's first character. */
  readonly start: number;
}

const TYPES = 'CXBFHAYPZD';
const NATURAL: Record<ConstantType, number> = { C: 1, X: 1, B: 1, F: 4, H: 2, A: 4, Y: 2, P: 1, Z: 1, D: 8 };
const MAX_EXPLICIT: Record<ConstantType, number> = { C: 65535, X: 65535, B: 65535, F: 8, H: 8, A: 4, Y: 2, P: 16, Z: 16, D: 8 };

function decimalValue(cur: Cursor, ctx: ExprContext, what: string): number {
  if (cur.peek() === '(') {
    cur.i++;
    const at = cur.i;
    const before = ctx.undefinedName;
    ctx.undefinedName = undefined;
    const v = expression(cur, ctx);
    cur.expect(')');
    if (ctx.undefinedName !== undefined) cur.fail('UNDEFINED_SYMBOL', `${what} uses ${ctx.undefinedName}, which is not defined before this statement`, at);
    ctx.undefinedName = before;
    if (v.reloc !== 0) cur.fail('RELOCATABILITY', `${what} must be absolute`, at);
    return v.value;
  }
  const start = cur.i;
  while (/[0-9]/.test(cur.peek() ?? '')) cur.i++;
  return Number(cur.text.slice(start, cur.i));
}

/**
 * Parse one DC/DS operand at the cursor. `ctx` evaluates A/Y expressions
 * (leniently in pass 1); duplication and length expressions must be defined.
 */
export function parseConstant(cur: Cursor, ctx: ExprContext, directive: 'DC' | 'DS' | 'literal'): ConstantOperand {
  const start = cur.i;
  let dup = 1;
  if (cur.peek() === '(' || /[0-9]/.test(cur.peek() ?? '')) {
    const at = cur.i;
    dup = decimalValue(cur, ctx, 'duplication factor');
    if (dup < 0) cur.fail('CONSTANT', `duplication factor ${dup} is negative`, at);
    if (dup === 0 && directive === 'literal') cur.fail('CONSTANT', 'a literal cannot have a duplication factor of 0', at);
  }
  const typeAt = cur.i;
  const t = (cur.peek() ?? '').toUpperCase();
  if (t === '' || !TYPES.includes(t)) {
    cur.fail('CONSTANT', `expected a constant type (C X B F H A Y P Z D), found ${cur.found()}`);
  }
  const type = t as ConstantType;
  cur.i++;
  let ascii = false;
  const ext = (cur.peek() ?? '').toUpperCase();
  if (type === 'C' && (ext === 'A' || ext === 'E') && /['L(]/i.test(cur.peek(1) ?? "'")) {
    ascii = ext === 'A';
    cur.i++;
  }
  let explicitLength: number | undefined;
  if ((cur.peek() ?? '').toUpperCase() === 'L') {
    cur.i++;
    const at = cur.i;
    if (cur.peek() !== '(' && !/[0-9]/.test(cur.peek() ?? '')) cur.fail('CONSTANT', `expected a length after L, found ${cur.found()}`);
    explicitLength = decimalValue(cur, ctx, 'length modifier');
    if (explicitLength < 1 || explicitLength > MAX_EXPLICIT[type]) {
      cur.fail('LENGTH_RANGE', `length ${explicitLength} out of range 1..${MAX_EXPLICIT[type]} for type ${type}`, at);
    }
  }
  const texts: { text: string; at: number }[] = [];
  const exprs: ExprValue[] = [];
  let hasNominal = false;
  if (type === 'A' || type === 'Y') {
    if (cur.peek() === '(') {
      hasNominal = true;
      cur.i++;
      for (;;) {
        exprs.push(expression(cur, ctx));
        if (!cur.accept(',')) break;
      }
      cur.expect(')');
    }
  } else if (cur.peek() === "'") {
    hasNominal = true;
    const at = cur.i + 1;
    const body = quoted(cur);
    if (type === 'C') texts.push({ text: body, at });
    else {
      let offset = at;
      for (const part of body.split(',')) {
        texts.push({ text: part, at: offset });
        offset += part.length + 1;
      }
    }
  }
  if (!hasNominal && directive !== 'DS') {
    cur.fail('CONSTANT', `expected the nominal value ${type === 'A' || type === 'Y' ? '(...)' : "'...'"}, found ${cur.found()}`);
  }
  if (type === 'D' && hasNominal && directive !== 'DS') {
    cur.fail('CONSTANT', 'floating-point constants (type D) are not supported; use DS 0D for alignment', typeAt);
  }
  const itemLengths: number[] = [];
  if (!hasNominal || type === 'D') itemLengths.push(explicitLength ?? NATURAL[type]);
  else if (type === 'A' || type === 'Y') for (const _ of exprs) itemLengths.push(explicitLength ?? NATURAL[type]);
  else for (const { text, at } of texts) itemLengths.push(explicitLength ?? implicitLength(cur, type, text, at));
  const length = dup * itemLengths.reduce((a, b) => a + b, 0);
  if (length > 0x1000000) cur.fail('LENGTH_RANGE', `constant length ${length} exceeds 16M`, start);
  const alignment = explicitLength === undefined ? NATURAL[type] : 1;
  return { type, ascii, dup, explicitLength, alignment, itemLengths, length, texts, exprs, hasNominal, start };
}

function implicitLength(cur: Cursor, type: ConstantType, text: string, at: number): number {
  switch (type) {
    case 'C':
      if (text.length === 0) cur.fail('CONSTANT', 'character constant is empty', at);
      return text.length;
    case 'X':
      return Math.ceil(text.length / 2) || cur.fail('CONSTANT', 'hexadecimal constant is empty', at);
    case 'B':
      return Math.ceil(text.length / 8) || cur.fail('CONSTANT', 'binary constant is empty', at);
    case 'P':
      return Math.ceil((digitsOf(cur, text, at).digits.length + 1) / 2);
    case 'Z':
      return digitsOf(cur, text, at).digits.length;
    default:
      return NATURAL[type];
  }
}

function digitsOf(cur: Cursor, text: string, at: number): { digits: string; negative: boolean } {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(text);
  if (!m || (m[2]! + (m[3] ?? '')).length === 0) cur.fail('CONSTANT', `invalid decimal constant '${text}'`, at);
  return { digits: m[2]! + (m[3] ?? ''), negative: m[1] === '-' };
}

/** Two's-complement big-endian bytes of `v` in `length` bytes, or undefined when it does not fit. */
function integerBytes(v: bigint, length: number, allowUnsigned: boolean): Uint8Array | undefined {
  const bits = BigInt(length * 8);
  const min = -(1n << (bits - 1n));
  const max = (allowUnsigned ? 1n << bits : 1n << (bits - 1n)) - 1n;
  if (v < min || v > max) return undefined;
  let u = BigInt.asUintN(Number(bits), v);
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

/**
 * The bytes of a DC operand or literal (pass 2: A/Y expressions evaluated
 * strictly). DS operands produce no bytes.
 */
export function constantBytes(cur: Cursor, c: ConstantOperand): Uint8Array {
  const one: Uint8Array[] = [];
  if (c.type === 'A' || c.type === 'Y') {
    c.exprs.forEach((e, k) => {
      const len = c.itemLengths[k]!;
      if (!isSimple(e)) cur.fail('RELOCATABILITY', 'complex relocatable expression in an address constant', e.start);
      // A DSECT offset is no address the loaded program could hold.
      if (e.reloc === 1 && e.section > 0) cur.fail('RELOCATABILITY', 'address constant of a DSECT symbol', e.start);
      const b = integerBytes(BigInt(e.value), len, true);
      if (!b) cur.fail('CONSTANT', `value ${e.value} does not fit in ${len} byte${len > 1 ? 's' : ''}`, e.start);
      one.push(b);
    });
  } else {
    c.texts.forEach(({ text, at }, k) => {
      one.push(nominalBytes(cur, c, text, at, c.itemLengths[k]!));
    });
  }
  const unit = concat(one);
  const out = new Uint8Array(unit.length * c.dup);
  for (let d = 0; d < c.dup; d++) out.set(unit, d * unit.length);
  return out;
}

function nominalBytes(cur: Cursor, c: ConstantOperand, text: string, at: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  switch (c.type) {
    case 'C': {
      const bad = [...text].findIndex((ch) => ch.charCodeAt(0) > 0xff);
      if (bad >= 0) cur.fail('CONSTANT', `character '${text[bad]}' has no code point in ${c.ascii ? 'ASCII' : 'EBCDIC 037'}`, at + bad);
      const bytes = c.ascii ? Uint8Array.from(text, (ch) => ch.charCodeAt(0)) : asciiToEbcdic(text);
      out.fill(c.ascii ? 0x20 : EBCDIC_SPACE);
      out.set(bytes.subarray(0, len));
      return out;
    }
    case 'X':
    case 'B': {
      const hex = c.type === 'X';
      if (!(hex ? /^[0-9A-Fa-f]+$/ : /^[01]+$/).test(text)) {
        cur.fail('CONSTANT', `invalid ${hex ? 'hexadecimal' : 'binary'} digits '${text}'`, at);
      }
      // Right-aligned: padded with zeros or truncated on the left, as HLASM does.
      let v = BigInt(`${hex ? '0x' : '0b'}${text}`);
      for (let i = len - 1; i >= 0; i--) {
        out[i] = Number(v & 0xffn);
        v >>= 8n;
      }
      return out;
    }
    case 'F':
    case 'H': {
      if (!/^[+-]?[0-9]+$/.test(text)) cur.fail('CONSTANT', `invalid fixed-point value '${text}' (an integer is expected)`, at);
      const b = integerBytes(BigInt(text), len, false);
      if (!b) cur.fail('CONSTANT', `value ${text} does not fit in a signed ${len}-byte field`, at);
      return b;
    }
    case 'P': {
      const { digits, negative } = digitsOf(cur, text, at);
      const nibbles = `${digits}${negative ? 'D' : 'C'}`.padStart(len * 2, '0');
      if (nibbles.length > len * 2 && /[1-9]/.test(nibbles.slice(0, nibbles.length - len * 2))) {
        cur.fail('CONSTANT', `value ${text} does not fit in ${len} packed bytes`, at);
      }
      const tail = nibbles.slice(nibbles.length - len * 2);
      for (let i = 0; i < len; i++) out[i] = Number.parseInt(tail.slice(2 * i, 2 * i + 2), 16);
      return out;
    }
    case 'Z': {
      const { digits, negative } = digitsOf(cur, text, at);
      const padded = digits.padStart(len, '0');
      if (padded.length > len && /[1-9]/.test(padded.slice(0, padded.length - len))) {
        cur.fail('CONSTANT', `value ${text} does not fit in ${len} zoned bytes`, at);
      }
      const tail = padded.slice(padded.length - len);
      for (let i = 0; i < len; i++) out[i] = 0xf0 | Number(tail[i]);
      out[len - 1] = ((negative ? 0xd : 0xc) << 4) | (out[len - 1]! & 0x0f);
      return out;
    }
    default:
      return out;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
