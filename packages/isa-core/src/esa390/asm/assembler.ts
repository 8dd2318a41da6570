/**
 * A two-pass, HLASM-flavoured assembler for the ESA/390 subset. Pass 1 lays
 * out the section (instruction lengths from the table, DC/DS lengths and
 * alignment, literal pools) and defines symbols; pass 2 evaluates operands
 * and encodes every instruction from its table row and its format's field
 * layout, so a new row needs no change here.
 *
 * One control section (START or CSECT) assembled at its origin, so its
 * relocatable symbols carry their final addresses, plus any number of DSECTs
 * (offset layouts without object code). Bad source never throws; every
 * problem becomes an AsmError with its line and column.
 */
import { type Esa390InstructionInfo, esa390Instruction } from '../table';
import { type ConstantOperand, constantBytes, parseConstant } from './constants';
import { AsmFault, type Cursor } from './cursor';
import { ABSOLUTE, type ExprContext, type ExprValue, expression, isSimple } from './expression';
import { extendedMnemonic } from './extended';
import { encodeFields, type FieldValues, fieldPlace, type OperandSyntax, operandSyntax } from './layout';
import { isAttributeQuote, type SourceStatement, splitSource } from './source';
import type {
  AsmChunk,
  AsmError,
  AsmErrorCode,
  AsmSymbol,
  AsmSymbolType,
  AssemblyResult,
  ListedStatement,
  SourcePosition,
} from './types';

/** Directives the assembler implements. */
const DIRECTIVES = new Set([
  'START', 'CSECT', 'DSECT', 'END', 'USING', 'DROP', 'EQU', 'ORG', 'DC', 'DS', 'LTORG', 'CNOP', 'CCW', 'CCW0', 'CCW1',
  'TITLE', 'EJECT', 'SPACE', 'PRINT', 'AMODE', 'RMODE',
]);
/** HLASM statements that are recognised but not implemented: a clear error instead of "unknown". */
const UNSUPPORTED = new Set([
  'RSECT', 'COM', 'DXD', 'LOCTR', 'MACRO', 'MEND', 'MEXIT', 'COPY', 'ENTRY', 'EXTRN', 'WXTRN', 'OPSYN',
  'PUSH', 'POP', 'AGO', 'AIF', 'ANOP', 'SETA', 'SETB', 'SETC', 'GBLA', 'GBLB', 'GBLC', 'LCLA', 'LCLB', 'LCLC',
  'ACTR', 'MNOTE', 'PUNCH', 'REPRO', 'ALIAS', 'XATTR', 'ADATA', 'ICTL', 'ISEQ', 'CATTR', 'EXITCTL', 'AREAD', 'ORG*',
]);

interface MutableSymbol {
  name: string;
  value: number;
  /** 0 the control section, 1.. the DSECTs, ABSOLUTE for numbers. */
  section: number;
  length: number;
  type: AsmSymbolType;
  line: number;
  references: number[];
}

interface Literal {
  readonly key: string;
  readonly cursor: Cursor;
  readonly constant: ConstantOperand;
  /** Location counter of the first instruction that used it (`*` inside the literal). */
  readonly lc: number;
  address: number;
}

interface Using {
  readonly reg: number;
  readonly base: number;
  readonly section: number;
}

/**
 * A location counter: the control section (id 0, assembled at its origin)
 * or a dummy section (DSECT: a layout of offsets from 0 that produces no
 * object code, addressed through a USING on the register that points at it).
 */
interface Section {
  readonly id: number;
  name: string | undefined;
  readonly dummy: boolean;
  lc: number;
  maxLc: number;
  origin: number;
  started: boolean;
}

type Operation =
  | { readonly kind: 'instruction'; readonly row: Esa390InstructionInfo; readonly mask: number | undefined }
  | { readonly kind: 'directive'; readonly name: string }
  | { readonly kind: 'none' };

interface Stmt {
  readonly src: SourceStatement;
  readonly stmt: number;
  /** The section the statement assembles into. */
  section: number;
  op: Operation;
  loc: number | undefined;
  length: number;
  /** Pass-1 layout of DC/DS operands: each operand's aligned location. */
  constants: { c: ConstantOperand; loc: number }[];
  literalRefs: Map<string, Literal>;
  pool: Literal[];
  /** EQU whose operand referred to a symbol defined later. */
  pendingEqu: boolean;
  failed: boolean;
  pieces: { address: number; bytes: Uint8Array }[];
  bytes: Uint8Array;
  addr1: number | undefined;
  addr2: number | undefined;
  errors: AsmError[];
}

const EMPTY = new Uint8Array(0);
const NOOP = (): void => {};

/** Hex for messages: X'00001234' (six digits when it fits, as 24-bit listings show). */
export function hexAddress(v: number): string {
  const u = v >>> 0;
  return u.toString(16).toUpperCase().padStart(u > 0xffffff ? 8 : 6, '0');
}

/**
 * Assemble ESA/390 source. Never throws on bad source: the result carries
 * the errors of every statement (a syntax error ends the reading of its
 * statement; values out of range are all reported).
 */
export function assemble(source: string): AssemblyResult {
  return new Assembly(source).run();
}

class Assembly {
  private readonly stmts: Stmt[];
  private readonly symbols = new Map<string, MutableSymbol>();
  private readonly sections: Section[] = [
    { id: 0, name: undefined, dummy: false, lc: 0, maxLc: 0, origin: 0, started: false },
  ];
  private sec: Section = this.sections[0]!;
  private pendingLiterals: Literal[] = [];
  private usings: Using[] = [];
  private entry: number | undefined;

  constructor(source: string) {
    let n = 0;
    this.stmts = splitSource(source).map((src) => ({
      src,
      stmt: ++n,
      section: 0,
      op: { kind: 'none' },
      loc: undefined,
      length: 0,
      constants: [],
      literalRefs: new Map(),
      pool: [],
      pendingEqu: false,
      failed: false,
      pieces: [],
      bytes: EMPTY,
      addr1: undefined,
      addr2: undefined,
      errors: [],
    }));
  }

  run(): AssemblyResult {
    this.pass1();
    this.resolvePendingEqus();
    this.pass2();
    return this.result();
  }

  // ---------------------------------------------------------------- errors

  private error(s: Stmt, code: AsmErrorCode, message: string, pos: SourcePosition): void {
    const k = pos.line - s.src.line;
    const sourceLine = s.src.lines[k] ?? s.src.lines[0] ?? '';
    s.errors.push({ code, message, line: pos.line, column: pos.column, sourceLine });
  }

  /** Run a step of one statement, turning a located fault into an error of that statement. */
  private guard(s: Stmt, step: () => void): boolean {
    try {
      step();
      return true;
    } catch (e) {
      if (!(e instanceof AsmFault)) throw e;
      this.error(s, e.code, e.message, e.position);
      s.failed = true;
      return false;
    }
  }

  // ---------------------------------------------------------------- symbols

  private get control(): Section {
    return this.sections[0]!;
  }

  /** The current location counter (of the section being assembled). */
  private get lc(): number {
    return this.sec.lc;
  }

  private set lc(v: number) {
    this.sec.lc = v;
  }

  private context(
    lc: number,
    starLength: number,
    lenient: boolean,
    s: Stmt | undefined,
    lcSection = s?.section ?? this.sec.id,
  ): ExprContext {
    const symbols = this.symbols;
    return {
      lookup: (name) => symbols.get(name),
      reference:
        lenient || !s
          ? NOOP
          : (name) => {
              const sym = symbols.get(name);
              if (sym && sym.references[sym.references.length - 1] !== s.src.line) sym.references.push(s.src.line);
            },
      lc,
      lcSection,
      starLength,
      lenient,
      undefinedName: undefined,
    };
  }

  private define(s: Stmt, value: number, section: number, length: number, type: AsmSymbolType): void {
    const label = s.src.label;
    if (!label) return;
    const existing = this.symbols.get(label.name);
    if (existing) {
      this.error(s, 'DUPLICATE_SYMBOL', `symbol ${label.name} already defined at line ${existing.line}`, label.position);
      return;
    }
    this.symbols.set(label.name, { name: label.name, value, section, length, type, line: s.src.line, references: [] });
  }

  // ---------------------------------------------------------------- pass 1

  /** Begin the control section where code or data first appears (unless START or CSECT named it). */
  private startSection(name: string | undefined): void {
    const c = this.control;
    if (c.started) return;
    c.started = true;
    c.name = name;
    c.origin = c.lc;
    c.maxLc = c.lc;
  }

  private advance(to: number): void {
    this.sec.lc = to;
    if (to > this.sec.maxLc) this.sec.maxLc = to;
  }

  /** Statements in a DSECT or in the control section; code and data start the control section. */
  private enterCode(s: Stmt): void {
    if (!this.sec.dummy) this.startSection(undefined);
    s.section = this.sec.id;
  }

  private align(boundary: number): number {
    const r = this.lc % boundary;
    if (r !== 0) this.advance(this.lc + boundary - r);
    return this.lc;
  }

  /** Lays out statements up to END; statements after END are listed but not assembled. */
  private pass1(): void {
    for (const s of this.stmts) {
      // A bad name or continuation is reported, but the statement still assembles so later addresses stay right.
      for (const f of s.src.faults) this.error(s, f.code, f.message, f.position);
      s.section = this.sec.id;
      if (s.src.comment || !s.src.operation || s.failed) continue;
      const name = s.src.operation.name;
      const row = esa390Instruction(name);
      const ext = row ? undefined : extendedMnemonic(name);
      const extRow = ext ? esa390Instruction(ext.base) : undefined;
      if (row || extRow) {
        s.op = { kind: 'instruction', row: (row ?? extRow)!, mask: ext?.mask };
        this.guard(s, () => this.layoutInstruction(s, (row ?? extRow)!));
      } else if (DIRECTIVES.has(name)) {
        s.op = { kind: 'directive', name };
        this.guard(s, () => this.layoutDirective(s, name));
        if (name === 'END') return;
      } else {
        const what = UNSUPPORTED.has(name) ? `${name} is not supported by this assembler` : `unknown operation ${name}`;
        this.error(s, 'UNKNOWN_OPERATION', what, s.src.operation.position);
        s.failed = true;
        // Defining the label keeps one bad statement from causing a cascade of undefined-symbol errors.
        this.define(s, this.lc, this.sec.id, 1, 'U');
      }
    }
    this.sec = this.control;
    this.placeLiterals(undefined);
  }

  private layoutInstruction(s: Stmt, row: Esa390InstructionInfo): void {
    this.enterCode(s);
    s.loc = this.align(2);
    s.length = row.length;
    this.define(s, s.loc, this.sec.id, row.length, 'I');
    this.advance(s.loc + row.length);
    this.collectLiterals(s);
  }

  /** Find literal operands (=F'1', =A(X), ...) at operand starts and add them to the pending pool. */
  private collectLiterals(s: Stmt): void {
    const cur = s.src.operands;
    const text = cur.text;
    let depth = 0;
    let inQuote = false;
    let i = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (inQuote) {
        if (c === "'") inQuote = false;
        i++;
        continue;
      }
      if (c === '=' && (i === 0 || text[i - 1] === ',') && depth === 0) {
        cur.i = i + 1;
        const lit = parseConstant(cur, this.context(s.loc ?? this.lc, s.length, true, undefined), 'literal');
        const key = text.slice(i, cur.i);
        // A literal naming * depends on where it is used, so it is never shared.
        const poolKey = key.includes('*') ? `${key}@${s.loc}` : key;
        let entry = this.pendingLiterals.find((l) => l.key === poolKey);
        if (!entry) {
          entry = { key: poolKey, cursor: cur.slice(i + 1, cur.i), constant: lit, lc: s.loc ?? this.lc, address: 0 };
          this.pendingLiterals.push(entry);
        }
        s.literalRefs.set(key, entry);
        i = cur.i;
        continue;
      }
      if (c === "'" && !isAttributeQuote(text, i)) inQuote = true;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
      i++;
    }
  }

  /** Place the pending literals: doubleword-aligned pool, 8-byte multiples first, then 4, 2, 1 (HLASM order). */
  private placeLiterals(s: Stmt | undefined): void {
    if (this.pendingLiterals.length === 0) return;
    this.align(8);
    const groups = [8, 4, 2, 1];
    const ordered: Literal[] = [];
    for (const g of groups) {
      for (const l of this.pendingLiterals) {
        const len = l.constant.length;
        const fits = g === 1 ? len % 2 !== 0 : len % g === 0 && (g === 8 || len % (g * 2) !== 0);
        if (fits) ordered.push(l);
      }
    }
    for (const l of ordered) {
      l.address = this.lc;
      this.advance(this.lc + l.constant.length);
    }
    (s ?? this.lastStatement()).pool.push(...ordered);
    this.pendingLiterals = [];
  }

  private lastStatement(): Stmt {
    return this.stmts[this.stmts.length - 1]!;
  }

  /** A required absolute expression whose symbols are already defined (pass 1: START, ORG, CNOP). */
  private definedAbsolute(cur: Cursor, what: string, allowRelocatable = false): ExprValue {
    const ctx = this.context(this.lc, 1, true, undefined);
    const at = cur.i;
    const v = expression(cur, ctx);
    if (ctx.undefinedName !== undefined) {
      cur.fail('UNDEFINED_SYMBOL', `${what} uses ${ctx.undefinedName}, which is not defined before this statement`, at);
    }
    if (v.reloc !== 0 && !(allowRelocatable && v.reloc === 1)) {
      cur.fail('RELOCATABILITY', `${what} must be ${allowRelocatable ? 'absolute or relocatable' : 'absolute'}`, at);
    }
    return v;
  }

  /** A fault of the statement as a whole, located at its operation field. */
  private opFail(s: Stmt, code: AsmErrorCode, message: string): never {
    throw new AsmFault(code, message, s.src.operation?.position ?? { line: s.src.line, column: 1 });
  }

  private endOfOperands(cur: Cursor): void {
    if (!cur.eof()) cur.fail('SYNTAX', `expected end of operands, found ${cur.found()}`);
  }

  private layoutDirective(s: Stmt, name: string): void {
    const cur = s.src.operands;
    cur.i = 0;
    // Where the statement stands: `*` in USING, END or EQU operands means this.
    s.loc = this.lc;
    switch (name) {
      case 'START': {
        if (this.control.started) this.opFail(s, 'DIRECTIVE', 'START must come before any instruction, constant or section');
        this.sec = this.control;
        s.section = 0;
        let origin = 0;
        if (!cur.eof()) {
          origin = this.definedAbsolute(cur, 'START origin').value;
          this.endOfOperands(cur);
        }
        if (origin < 0) cur.fail('LOCATION', `START origin ${origin} is negative`, 0);
        // HLASM rounds a section origin up to a doubleword boundary.
        this.lc = (origin + 7) & ~7;
        this.startSection(s.src.label?.name);
        s.loc = this.lc;
        this.define(s, this.lc, 0, 1, 'J');
        return;
      }
      case 'CSECT': {
        this.sec = this.control;
        s.section = 0;
        if (this.control.started) {
          const label = s.src.label?.name;
          if (label !== this.control.name) {
            this.error(s, 'DIRECTIVE', `only one control section is supported (already in ${this.control.name ?? 'the unnamed section'})`, s.src.operation!.position);
            s.failed = true;
          }
          s.loc = this.lc;
          return;
        }
        this.startSection(s.src.label?.name);
        s.loc = this.lc;
        this.define(s, this.lc, 0, 1, 'J');
        return;
      }
      case 'DSECT': {
        const label: SourceStatement['label'] = s.src.label;
        if (!label) this.opFail(s, 'SYNTAX', 'DSECT needs a name in column 1');
        if (label.name === this.control.name) this.opFail(s, 'DIRECTIVE', `${label.name} is the control section, not a DSECT`);
        let d = this.sections.find((x) => x.dummy && x.name === label.name);
        const fresh = !d;
        if (!d) {
          d = { id: this.sections.length, name: label.name, dummy: true, lc: 0, maxLc: 0, origin: 0, started: true };
          this.sections.push(d);
        }
        this.sec = d;
        s.section = d.id;
        s.loc = d.lc;
        if (fresh) this.define(s, 0, d.id, 1, 'J');
        return;
      }
      case 'DC':
      case 'DS': {
        this.enterCode(s);
        const ctx = this.context(this.lc, 1, true, undefined);
        for (;;) {
          const c = parseConstant(cur, ctx, name);
          const loc = this.align(c.alignment);
          s.constants.push({ c, loc });
          this.advance(loc + c.length);
          if (!cur.accept(',')) break;
        }
        this.endOfOperands(cur);
        const first = s.constants[0]!;
        s.loc = first.loc;
        s.length = this.lc - first.loc;
        this.define(s, first.loc, this.sec.id, first.c.itemLengths[0] ?? 1, first.c.type);
        return;
      }
      case 'EQU': {
        if (!s.src.label) this.opFail(s, 'SYNTAX', 'EQU needs a name in column 1');
        s.loc = this.lc;
        const ctx = this.context(this.lc, 1, true, undefined);
        const v = expression(cur, ctx);
        let length = v.length;
        if (cur.accept(',')) {
          const at = cur.i;
          const l = this.definedAbsolute(cur, 'EQU length').value;
          if (l < 0 || l > 65535) cur.fail('LENGTH_RANGE', `length ${l} out of range 0..65535`, at);
          length = l;
        }
        this.endOfOperands(cur);
        if (ctx.undefinedName !== undefined) {
          s.pendingEqu = true;
          return;
        }
        if (!isSimple(v)) cur.fail('RELOCATABILITY', 'complex relocatable expression', v.start);
        s.addr2 = v.value;
        this.define(s, v.value, v.reloc === 1 ? v.section : ABSOLUTE, length, 'U');
        return;
      }
      case 'ORG': {
        if (cur.eof()) {
          this.lc = this.sec.maxLc;
        } else {
          const at = cur.i;
          const v = this.definedAbsolute(cur, 'ORG operand', true);
          this.endOfOperands(cur);
          if (v.reloc === 1 && v.section !== this.sec.id) cur.fail('RELOCATABILITY', 'ORG to an address of another section', at);
          if (v.value < this.sec.origin) {
            cur.fail('LOCATION', `ORG to X'${hexAddress(v.value)}' is below the section origin X'${hexAddress(this.sec.origin)}'`, at);
          }
          this.advance(v.value);
        }
        s.loc = this.lc;
        this.define(s, this.lc, this.sec.id, 1, 'U');
        return;
      }
      case 'LTORG': {
        if (this.sec.dummy) this.opFail(s, 'DIRECTIVE', 'LTORG in a DSECT: literals belong to the control section');
        s.loc = this.align(8);
        this.define(s, this.lc, 0, 1, 'U');
        this.placeLiterals(s);
        return;
      }
      case 'END': {
        // The pool goes at the end of the control section even when a DSECT is current.
        this.sec = this.control;
        s.section = 0;
        this.placeLiterals(s);
        return;
      }
      case 'CNOP': {
        const b = this.definedAbsolute(cur, 'CNOP byte').value;
        cur.expect(',');
        const at = cur.i;
        const w = this.definedAbsolute(cur, 'CNOP boundary').value;
        this.endOfOperands(cur);
        if (w !== 4 && w !== 8) cur.fail('DIRECTIVE', `CNOP boundary ${w} must be 4 or 8`, at);
        if (b < 0 || b >= w || b % 2 !== 0) cur.fail('DIRECTIVE', `CNOP byte ${b} must be an even number below ${w}`, 0);
        s.loc = this.align(2);
        let n = 0;
        while ((this.lc + n) % w !== b) n += 2;
        s.length = n;
        this.define(s, this.lc + n, this.sec.id, 1, 'I');
        this.advance(this.lc + n);
        return;
      }
      case 'CCW':
      case 'CCW0':
      case 'CCW1': {
        s.loc = this.align(8);
        s.length = 8;
        this.define(s, s.loc, this.sec.id, 8, 'W');
        this.advance(s.loc + 8);
        return;
      }
      case 'USING':
      case 'DROP':
        if (name === 'USING' && s.src.label) {
          this.error(s, 'DIRECTIVE', 'labeled USING is not supported', s.src.label.position);
          s.failed = true;
        }
        return;
      default:
        // Listing controls (TITLE, EJECT, SPACE, PRINT) and AMODE/RMODE do not change the object code.
        return;
    }
  }

  /** EQUs that named later symbols: evaluate until nothing changes; what is left is undefined or circular. */
  private resolvePendingEqus(): void {
    let progress = true;
    while (progress) {
      progress = false;
      for (const s of this.stmts) {
        if (!s.pendingEqu) continue;
        const cur = s.src.operands;
        cur.i = 0;
        const ctx = this.context(this.lcOf(s), 1, true, undefined, s.section);
        let v: ExprValue | undefined;
        const ok = this.guard(s, () => {
          v = expression(cur, ctx);
        });
        if (!ok) {
          s.pendingEqu = false;
          continue;
        }
        if (ctx.undefinedName !== undefined || !v) continue;
        s.pendingEqu = false;
        progress = true;
        let length = v.length;
        if (cur.accept(',')) this.guard(s, () => (length = this.definedAbsolute(cur, 'EQU length').value));
        s.addr2 = v.value;
        if (!isSimple(v)) this.guard(s, () => cur.fail('RELOCATABILITY', 'complex relocatable expression', v!.start));
        else this.define(s, v.value, v.reloc === 1 ? v.section : ABSOLUTE, length, 'U');
      }
    }
    for (const s of this.stmts) {
      if (!s.pendingEqu) continue;
      s.pendingEqu = false;
      const cur = s.src.operands;
      cur.i = 0;
      const ctx = this.context(this.lcOf(s), 1, true, undefined, s.section);
      this.guard(s, () => {
        const v = expression(cur, ctx);
        void v;
        const name = ctx.undefinedName ?? '?';
        const pending = this.stmts.find((o) => o.src.label?.name === name && o.op.kind === 'directive' && o.op.name === 'EQU');
        cur.i = 0;
        cur.fail(pending ? 'CIRCULAR' : 'UNDEFINED_SYMBOL', pending ? `EQU depends circularly on ${name}` : `undefined symbol ${name}`);
      });
    }
  }

  // ---------------------------------------------------------------- pass 2

  private pass2(): void {
    this.usings = [];
    let reachedEnd = false;
    for (const s of this.stmts) {
      if (reachedEnd) break;
      if (s.op.kind === 'directive' && s.op.name === 'END') reachedEnd = true;
      if (s.src.comment || s.failed) {
        if (s.pool.length > 0) this.emitPool(s);
        continue;
      }
      if (s.op.kind === 'instruction') {
        const { row, mask } = s.op;
        const before = s.errors.length;
        const ok = this.guard(s, () => {
          s.bytes = this.encodeInstruction(s, row, mask);
        });
        if (!ok || s.errors.length > before) s.bytes = new Uint8Array(row.length);
        s.pieces.push({ address: s.loc!, bytes: s.bytes });
      } else if (s.op.kind === 'directive') {
        const name = s.op.name;
        this.guard(s, () => this.directive2(s, name));
      }
      if (s.pool.length > 0) this.emitPool(s);
    }
  }

  private emitPool(s: Stmt): void {
    for (const l of s.pool) {
      const cur = l.cursor;
      cur.i = 0;
      this.guard(s, () => {
        const c = parseConstant(cur, this.context(l.lc, l.constant.length, false, s), 'literal');
        s.pieces.push({ address: l.address, bytes: constantBytes(cur, c) });
      });
    }
  }

  private directive2(s: Stmt, name: string): void {
    const cur = s.src.operands;
    cur.i = 0;
    switch (name) {
      case 'DC': {
        // A DSECT only lays out offsets: its constants produce no object code (HLASM treats them as DS).
        if (this.sections[s.section]?.dummy) {
          this.directive2(s, 'DS');
          return;
        }
        const pieces: Uint8Array[] = [];
        let at = s.constants[0]?.loc ?? 0;
        for (const [k, { loc }] of s.constants.entries()) {
          if (k > 0) cur.expect(',');
          const c = parseConstant(cur, this.context(loc, 1, false, s), 'DC');
          if (loc > at) pieces.push(new Uint8Array(loc - at));
          const b = constantBytes(cur, c);
          pieces.push(b);
          at = loc + b.length;
        }
        const bytes = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
        let o = 0;
        for (const p of pieces) {
          bytes.set(p, o);
          o += p.length;
        }
        s.bytes = bytes;
        if (bytes.length > 0) s.pieces.push({ address: s.loc!, bytes });
        return;
      }
      case 'DS': {
        // Re-read for the cross-reference and to check A/Y expressions strictly.
        for (const [k, { loc }] of s.constants.entries()) {
          if (k > 0) cur.expect(',');
          parseConstant(cur, this.context(loc, 1, false, s), 'DS');
        }
        return;
      }
      case 'EQU': {
        const v = expression(cur, this.context(this.lcOf(s), 1, false, s));
        if (cur.accept(',')) expression(cur, this.context(this.lcOf(s), 1, false, s));
        s.addr2 = v.value;
        return;
      }
      case 'USING': {
        const at = cur.i;
        const base = expression(cur, this.context(this.lcOf(s), 1, false, s));
        if (!isSimple(base)) cur.fail('RELOCATABILITY', 'complex relocatable expression', at);
        const regs: number[] = [];
        while (cur.accept(',')) regs.push(this.register(cur, s, 'R'));
        if (regs.length === 0) cur.fail('SYNTAX', `expected ',' and a base register, found ${cur.found()}`);
        this.endOfOperands(cur);
        regs.forEach((reg, k) => {
          this.usings = this.usings.filter((u) => u.reg !== reg);
          // Register 0 as a base always supplies zero, so HLASM computes its displacements from 0 whatever base was written.
          this.usings.push({ reg, base: reg === 0 ? 0 : base.value + 4096 * k, section: base.reloc === 1 ? base.section : ABSOLUTE });
        });
        s.addr2 = base.value;
        return;
      }
      case 'DROP': {
        if (cur.eof()) {
          this.usings = [];
          return;
        }
        for (;;) {
          const at = cur.i;
          const reg = this.register(cur, s, 'R');
          if (reg >= 0 && reg <= 15 && !this.usings.some((u) => u.reg === reg)) cur.fail('DIRECTIVE', `register ${reg} is not a USING base register`, at);
          this.usings = this.usings.filter((u) => u.reg !== reg);
          if (!cur.accept(',')) break;
        }
        this.endOfOperands(cur);
        return;
      }
      case 'START':
      case 'ORG':
        this.rereadForReferences(s, cur);
        return;
      case 'END': {
        if (!cur.eof()) {
          const v = expression(cur, this.context(this.lc, 1, false, s));
          this.endOfOperands(cur);
          this.entry = v.value;
          s.addr2 = v.value;
        }
        return;
      }
      case 'CNOP': {
        this.rereadForReferences(s, cur);
        const bytes = new Uint8Array(s.length);
        for (let i = 0; i < bytes.length; i += 2) bytes[i] = 0x07; // BCR 0,0: a no-operation
        s.bytes = bytes;
        if (bytes.length > 0) s.pieces.push({ address: s.loc!, bytes });
        return;
      }
      case 'CCW':
      case 'CCW0':
      case 'CCW1': {
        s.bytes = this.ccw(s, cur, name === 'CCW1');
        s.pieces.push({ address: s.loc!, bytes: s.bytes });
        return;
      }
      default:
        return;
    }
  }

  /** Statements laid out in pass 1 are read again only so the cross-reference lists the symbols they name. */
  private rereadForReferences(s: Stmt, cur: Cursor): void {
    while (!cur.eof()) {
      expression(cur, this.context(this.lcOf(s), 1, false, s));
      if (!cur.accept(',')) break;
    }
  }

  private lcOf(s: Stmt): number {
    return s.loc ?? 0;
  }

  /**
   * CCW cmd,addr,flags,count. Format 0 (POP 13, "Channel-Command Word"):
   * command, 24-bit data address, flags, zero, 16-bit count; format 1:
   * command, flags, count, 31-bit address.
   */
  private ccw(s: Stmt, cur: Cursor, format1: boolean): Uint8Array {
    const ctx = (): ExprContext => this.context(this.lcOf(s), 8, false, s);
    const field = (max: number, what: string): number => {
      const at = cur.i;
      const v = expression(cur, ctx());
      if (!isSimple(v)) cur.fail('RELOCATABILITY', 'complex relocatable expression', at);
      if (v.reloc === 1 && v.section !== 0) cur.fail('RELOCATABILITY', `${what} is an offset in a DSECT, not an address`, at);
      if (v.value < 0 || v.value > max) cur.fail('IMMEDIATE_RANGE', `${what} ${v.value} out of range 0..${max}`, at);
      return v.value;
    };
    const cmd = field(0xff, 'command code');
    cur.expect(',');
    const addr = field(format1 ? 0x7fffffff : 0xffffff, 'data address');
    cur.expect(',');
    const flags = field(0xff, 'flags');
    cur.expect(',');
    const count = field(0xffff, 'count');
    this.endOfOperands(cur);
    const b = new Uint8Array(8);
    b[0] = cmd;
    if (format1) {
      b[1] = flags;
      b[2] = count >> 8;
      b[3] = count & 0xff;
      b[4] = (addr >>> 24) & 0x7f;
      b[5] = (addr >>> 16) & 0xff;
      b[6] = (addr >>> 8) & 0xff;
      b[7] = addr & 0xff;
    } else {
      b[1] = (addr >>> 16) & 0xff;
      b[2] = (addr >>> 8) & 0xff;
      b[3] = addr & 0xff;
      b[4] = flags;
      b[6] = count >> 8;
      b[7] = count & 0xff;
    }
    return b;
  }

  // ---------------------------------------------------------------- instructions

  private strict(s: Stmt): ExprContext {
    return this.context(this.lcOf(s), s.length, false, s);
  }

  /**
   * An error that does not stop reading the statement (a value out of range,
   * an address no USING covers), so that one statement reports all of them.
   * The instruction then assembles as zeros, as HLASM does.
   */
  private soft(s: Stmt, cur: Cursor, code: AsmErrorCode, message: string, at: number): void {
    this.error(s, code, message, cur.pos(at));
    s.failed = true;
  }

  private register(cur: Cursor, s: Stmt, role: 'R' | 'M' | 'X' | 'B'): number {
    const at = cur.i;
    const v = expression(cur, this.strict(s));
    const what = role === 'M' ? 'mask' : role === 'X' ? 'index register' : role === 'B' ? 'base register' : 'register';
    if (v.reloc !== 0) this.soft(s, cur, 'RELOCATABILITY', `${what} must be an absolute expression`, at);
    if (v.value < 0 || v.value > 15) this.soft(s, cur, role === 'M' ? 'MASK_RANGE' : 'REGISTER_RANGE', `${what} ${v.value} out of range 0..15`, at);
    return v.value;
  }

  private encodeInstruction(s: Stmt, row: Esa390InstructionInfo, mask: number | undefined): Uint8Array {
    const cur = s.src.operands;
    cur.i = 0;
    let syntax = operandSyntax(row.operands);
    const values: FieldValues = {};
    if (mask !== undefined) {
      const first = syntax[0];
      if (first?.kind === 'field') values[first.field] = mask;
      syntax = syntax.slice(1);
    }
    if (syntax.length === 0) return encodeFields(row, values); // anything after the operation is remarks
    syntax.forEach((op, k) => {
      if (k > 0) cur.expect(',');
      if (op.kind === 'field') this.fieldOperand(cur, s, row, op, values);
      else this.addressOperand(cur, s, op, values);
    });
    this.endOfOperands(cur);
    return encodeFields(row, values);
  }

  private fieldOperand(
    cur: Cursor,
    s: Stmt,
    row: Esa390InstructionInfo,
    op: Extract<OperandSyntax, { kind: 'field' }>,
    values: FieldValues,
  ): void {
    const width = fieldPlace(row, op.field)?.width ?? 4;
    if (op.role === 'R' || op.role === 'M') {
      values[op.field] = this.register(cur, s, op.role);
      return;
    }
    const at = cur.i;
    const v = expression(cur, this.strict(s));
    if (op.role === 'I') {
      if (v.reloc !== 0) this.soft(s, cur, 'RELOCATABILITY', 'immediate operand must be an absolute expression', at);
      const signed = row.signedImmediate === true;
      const min = signed ? -(1 << (width - 1)) : 0;
      const max = signed ? (1 << (width - 1)) - 1 : (1 << width) - 1;
      if (v.value < min || v.value > max) this.soft(s, cur, 'IMMEDIATE_RANGE', `immediate ${v.value} out of range ${min}..${max}`, at);
      values[op.field] = v.value;
      return;
    }
    // Relative-immediate: the operand names the target; the field holds halfwords from this instruction.
    if (!isSimple(v)) this.soft(s, cur, 'RELOCATABILITY', 'complex relocatable expression', at);
    else if (v.reloc === 1 && v.section !== s.section) {
      this.soft(s, cur, 'RELOCATABILITY', 'branch target is in another section', at);
    }
    const diff = v.value - this.lcOf(s);
    if (diff % 2 !== 0) {
      this.soft(s, cur, 'RELATIVE_ALIGNMENT', `branch target X'${hexAddress(v.value)}' is an odd number of bytes from the instruction`, at);
    }
    const half = diff / 2;
    const lim = 1 << (width - 1);
    if (half < -lim || half >= lim) {
      this.soft(s, cur, 'RELATIVE_RANGE', `relative offset ${half} halfwords out of range ${-lim}..${lim - 1}`, at);
    }
    values[op.field] = half;
    s.addr2 = v.value;
  }

  /** A storage operand: implicit (through USING), D(X,B) / D(L,B) / D(B) explicit, or a literal. */
  private addressOperand(
    cur: Cursor,
    s: Stmt,
    op: Extract<OperandSyntax, { kind: 'address' }>,
    values: FieldValues,
  ): void {
    const at = cur.i;
    let e: ExprValue;
    if (cur.peek() === '=') {
      cur.i++;
      parseConstant(cur, this.context(this.lcOf(s), s.length, true, undefined), 'literal');
      const lit = s.literalRefs.get(cur.text.slice(at, cur.i));
      if (!lit) cur.fail('SYNTAX', 'literal was not collected', at);
      e = { value: lit.address, reloc: 1, section: 0, length: lit.constant.itemLengths[0] ?? 1, start: at };
    } else {
      e = expression(cur, this.strict(s));
    }
    let second: ExprValue | undefined;
    let secondGiven = false;
    let base: number | undefined;
    let secondAt = cur.i;
    if (cur.accept('(')) {
      secondAt = cur.i;
      if (op.second) {
        if (cur.peek() !== ',') {
          second = expression(cur, this.strict(s));
          secondGiven = true;
        }
        if (cur.accept(',')) base = this.register(cur, s, 'B');
        else if (!secondGiven) cur.fail('SYNTAX', `expected ${op.second.role === 'X' ? 'an index register' : 'a length'}, found ','`);
      } else {
        base = this.register(cur, s, 'B');
      }
      cur.expect(')');
    }
    let displacement: number;
    if (base !== undefined) {
      if (e.reloc !== 0) this.soft(s, cur, 'RELOCATABILITY', 'displacement must be absolute when a base register is given', at);
      if (e.value < 0 || e.value > 4095) this.soft(s, cur, 'DISPLACEMENT_RANGE', `displacement ${e.value} out of range 0..4095`, at);
      displacement = e.value;
    } else {
      const r = this.resolve(s, cur, e, at);
      base = r.base;
      displacement = r.displacement;
    }
    values[op.displacement] = displacement;
    values[op.base] = base;
    if (op.displacement.endsWith('1')) s.addr1 = base === 0 || e.reloc === 1 ? e.value : displacement;
    else s.addr2 = base === 0 || e.reloc === 1 ? e.value : displacement;
    if (!op.second) return;
    if (op.second.role === 'X') {
      if (second) {
        if (second.reloc !== 0) this.soft(s, cur, 'RELOCATABILITY', 'index register must be an absolute expression', secondAt);
        if (second.value < 0 || second.value > 15) this.soft(s, cur, 'REGISTER_RANGE', `index register ${second.value} out of range 0..15`, secondAt);
      }
      values[op.second.field] = second?.value ?? 0;
      return;
    }
    // Length: explicit, or the length attribute of the leftmost term. The field holds length - 1.
    const width = op.second.field === 'L' ? 8 : 4;
    const max = 1 << width;
    const length = second ? second.value : e.length;
    const where = second ? secondAt : at;
    if (second && second.reloc !== 0) this.soft(s, cur, 'RELOCATABILITY', 'length must be an absolute expression', where);
    if (length < 0 || length > max) {
      this.soft(s, cur, 'LENGTH_RANGE', `length ${length} out of range ${second ? 0 : 1}..${max}${second ? '' : ' (implicit length)'}`, where);
    }
    values[op.second.field] = Math.max(0, length - 1);
  }

  /** Implicit address: the USING with the smallest displacement (ties: highest register), or base 0 for 0..4095. */
  private resolve(s: Stmt, cur: Cursor, e: ExprValue, at: number): { base: number; displacement: number } {
    if (!isSimple(e)) this.soft(s, cur, 'RELOCATABILITY', 'complex relocatable expression', at);
    let best: { base: number; displacement: number } | undefined;
    for (const u of this.usings) {
      if (u.reg !== 0 && u.section !== (e.reloc === 1 ? e.section : ABSOLUTE)) continue;
      const d = e.value - u.base;
      if (d < 0 || d > 4095) continue;
      if (!best || d < best.displacement || (d === best.displacement && u.reg > best.base)) best = { base: u.reg, displacement: d };
    }
    if (best) return best;
    if (e.reloc === 0) {
      if (e.value >= 0 && e.value <= 4095) return { base: 0, displacement: e.value };
      this.soft(s, cur, 'DISPLACEMENT_RANGE', `displacement ${e.value} out of range 0..4095 and no USING covers it`, at);
    } else if (e.section > 0) {
      const d = this.sections[e.section]!;
      this.soft(s, cur, 'NO_USING', `no USING covers offset X'${hexAddress(e.value)}' of DSECT ${d.name}`, at);
    } else this.soft(s, cur, 'NO_USING', `no USING covers address X'${hexAddress(e.value)}'`, at);
    return { base: 0, displacement: 0 };
  }

  // ---------------------------------------------------------------- result

  private result(): AssemblyResult {
    for (const s of this.stmts) s.errors.sort((a, b) => a.line - b.line || a.column - b.column);
    // Only the control section has object code; DSECT statements only define offsets.
    const pieces = this.stmts
      .filter((s) => s.section === 0)
      .flatMap((s) => s.pieces)
      .filter((p) => p.bytes.length > 0);
    const errors = this.stmts.flatMap((s) => s.errors);
    let image: Uint8Array<ArrayBuffer> = new Uint8Array(0);
    let chunks: AsmChunk[] = [];
    let origin = 0;
    if (pieces.length > 0) {
      // A loop rather than Math.min(...spread): a large program has more pieces than a call has arguments.
      origin = Number.POSITIVE_INFINITY;
      let end = 0;
      for (const p of pieces) {
        origin = Math.min(origin, p.address);
        end = Math.max(end, p.address + p.bytes.length);
      }
      if (end - origin > 64 * 1024 * 1024) {
        const s = this.lastStatement();
        errors.push({
          code: 'LOCATION',
          message: `object code spans X'${hexAddress(origin)}'..X'${hexAddress(end)}', more than 64 MiB`,
          line: s.src.line,
          column: 1,
          sourceLine: s.src.lines[0] ?? '',
        });
      } else {
        image = new Uint8Array(end - origin);
        const written = new Uint8Array(end - origin);
        // Later statements win where ORG made code overlap, as a loader would do.
        for (const p of pieces) {
          image.set(p.bytes, p.address - origin);
          written.fill(1, p.address - origin, p.address - origin + p.bytes.length);
        }
        chunks = runs(image, written, origin);
      }
    }
    const symbols: AsmSymbol[] = [...this.symbols.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(({ section, references, ...rest }) => ({
        ...rest,
        relocatable: section !== ABSOLUTE,
        dsect: this.sections[section]?.dummy ? this.sections[section]!.name : undefined,
        references: [...references],
      }));
    return {
      ok: errors.length === 0,
      errors,
      origin,
      image,
      chunks,
      symbols,
      entry: this.entry,
      sectionName: this.control.name,
      statements: this.listing(),
    };
  }

  private listing(): ListedStatement[] {
    const out: ListedStatement[] = [];
    for (const s of this.stmts) {
      const kind =
        s.op.kind === 'instruction' ? 'instruction' : s.bytes.length > 0 ? 'data' : ('none' as ListedStatement['kind']);
      const noLoc = s.op.kind !== 'directive' || ['EQU', 'USING', 'DROP', 'END', 'TITLE', 'EJECT', 'SPACE', 'PRINT', 'AMODE', 'RMODE'].includes(s.op.name);
      const showLoc = s.op.kind === 'instruction' || !noLoc;
      out.push({
        stmt: s.stmt,
        line: s.src.line,
        loc: showLoc ? s.loc : undefined,
        bytes: this.sections[s.section]?.dummy ? EMPTY : s.bytes,
        kind: s.op.kind === 'directive' && s.op.name === 'CNOP' ? 'instruction' : kind,
        addr1: s.addr1,
        addr2: s.addr2,
        literal: false,
        source: s.src.lines.join('\n'),
        errors: s.errors,
      });
      for (const l of s.pool) {
        const piece = s.pieces.find((p) => p.address === l.address && p !== undefined);
        out.push({
          stmt: s.stmt,
          line: s.src.line,
          loc: l.address,
          bytes: piece?.bytes ?? EMPTY,
          kind: 'data',
          addr1: undefined,
          addr2: undefined,
          literal: true,
          source: `=${l.cursor.text}`,
          errors: [],
        });
      }
    }
    return out;
  }
}

function runs(image: Uint8Array, written: Uint8Array, origin: number): AsmChunk[] {
  const out: AsmChunk[] = [];
  let i = 0;
  while (i < written.length) {
    if (!written[i]) {
      i++;
      continue;
    }
    const start = i;
    while (i < written.length && written[i]) i++;
    out.push({ address: origin + start, bytes: image.slice(start, i) });
  }
  return out;
}
