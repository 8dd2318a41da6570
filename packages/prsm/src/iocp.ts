/**
 * The IOCP deck: the input/output configuration program's statements that
 * define a machine's logical partitions and I/O topology (IBM IOCP User's
 * Guide; mainframe-facts §6.1). Supported statements:
 *
 * - `ID SYSTEM=(type,model)` — accepted, recorded.
 * - `RESOURCE PARTITION=((LP1,1),(LP2,2))` or the LCSS form
 *   `RESOURCE PARTITION=((CSS(0),(LP1,1),(LP2,2)))`: partition names and their
 *   MIF image IDs (1-F, unique).
 * - `CHPID PATH=(CSS(0),10)|(10)|10,TYPE=FC|FCV|CNC|CTC|OSD|OSE|IQD,SHARED,
 *   PARTITION=((access list),(candidate list))` (or `PARTITION=(LP1)`), plus
 *   `OS=`, `SWITCH=`, `PCHID=` which are accepted and recorded. A channel
 *   that is not SHARED has one partition in its access list.
 * - `CNTLUNIT CUNUMBR=0001,PATH=(10,14),UNIT=3990,UNITADD=…`.
 * - `IODEVICE ADDRESS=(2C00,16),CUNUMBR=(FC00),UNIT=IQD[,PARTITION=(…)]`.
 *
 * Continuations as IOCP (an assembler-format deck) has them: a non-blank
 * character in column 72 continues the statement on the next line, whose
 * text starts in column 16 (columns 73-80 are sequence numbers). Lines longer
 * than 80 characters are free-form: for hand-written decks a statement whose
 * operand text ends in a comma continues on the next line. `*` in column 1 is a
 * comment line; text after the operand field (separated by a blank) is a
 * remark.
 */
import { fail, ok, type PrsmResult, type SourcePos } from './errors';

/** Channel-path types this model knows. IQD is a HiperSockets internal LAN; OSD/OSE are OSA Ethernet; FC/FCV FICON; CNC/CTC ESCON. */
export type ChpidType = 'FC' | 'FCV' | 'CNC' | 'CTC' | 'OSD' | 'OSE' | 'IQD';
const CHPID_TYPES: readonly ChpidType[] = ['FC', 'FCV', 'CNC', 'CTC', 'OSD', 'OSE', 'IQD'];

/** Device types (`UNIT=`) a deck may name; each becomes an io-channel device model. */
export type DeviceUnit = '3390' | '3215' | '1403' | '2540' | 'IQD' | 'OSA';
const DEVICE_UNITS: readonly DeviceUnit[] = ['3390', '3215', '1403', '2540', 'IQD', 'OSA'];

/** Architectural limit: HiperSockets internal LANs per machine (seed: "up to 16 internal LANs"). */
export const MAX_IQD_CHPIDS = 16;
/** PR/SM's partition limit on the machines the seed describes (z9 EC: 60). */
export const MAX_PARTITIONS = 60;

/** A partition named in RESOURCE. */
export interface IocpPartition {
  readonly name: string;
  /** MIF image ID, 1-15. */
  readonly mifId: number;
  readonly css: number;
  readonly at: SourcePos;
}

/** A CHPID statement. */
export interface IocpChpid {
  readonly chpid: number;
  readonly css: number;
  readonly type: ChpidType;
  /** MIF: the path may be used by several partitions at once. */
  readonly shared: boolean;
  /** Partitions the path is online to at activation. */
  readonly access: readonly string[];
  /** Partitions the path may be moved to later (DCM, reconfiguration); includes the access list. */
  readonly candidate: readonly string[];
  /** Other operands, recorded as written (OS=, SWITCH=, PCHID=). */
  readonly extra: Readonly<Record<string, string>>;
  readonly at: SourcePos;
}

/** A CNTLUNIT statement. */
export interface IocpControlUnit {
  readonly number: number;
  readonly chpids: readonly number[];
  readonly unit: string;
  readonly at: SourcePos;
}

/** An IODEVICE statement (one per statement; `count` consecutive device numbers). */
export interface IocpDevice {
  readonly address: number;
  readonly count: number;
  readonly controlUnits: readonly number[];
  readonly unit: DeviceUnit;
  /** Device candidate list; null: every partition that reaches a path of the control unit. */
  readonly partitions: readonly string[] | null;
  readonly at: SourcePos;
}

/** A parsed and checked deck. */
export interface IocpDeck {
  readonly file: string;
  readonly system: string | null;
  readonly partitions: readonly IocpPartition[];
  readonly chpids: readonly IocpChpid[];
  readonly controlUnits: readonly IocpControlUnit[];
  readonly devices: readonly IocpDevice[];
}

// ------------------------------------------------------------------ source

interface Ch {
  readonly c: string;
  readonly line: number;
  readonly column: number;
}

interface Statement {
  readonly chars: Ch[];
  readonly at: SourcePos;
}

/** Join continued lines into logical statements, keeping each character's position. */
function statements(text: string, file: string): PrsmResult<Statement[]> {
  const lines = text.split('\n');
  const out: Statement[] = [];
  let cur: Ch[] | null = null;
  let curAt: SourcePos | null = null;
  let continuedFixed = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const lineNo = i + 1;
    if (cur === null && (raw.startsWith('*') || raw.trim() === '')) continue;
    let startCol = 1;
    let body = raw;
    if (cur !== null && continuedFixed) {
      // Fixed-format continuation: columns 1-15 blank, text from column 16.
      const lead = raw.slice(0, 15);
      if (lead.trim() !== '') {
        return fail('SYNTAX', { file, line: lineNo, column: lead.search(/\S/) + 1 }, 'continuation line must leave columns 1-15 blank', 'text from column 16', JSON.stringify(lead.trim()));
      }
      startCol = 16;
      body = raw.slice(15);
    } else {
      const lead = raw.search(/\S/);
      if (lead < 0) continue;
      startCol = lead + 1;
      body = raw.slice(lead);
    }
    let fixedCont = false;
    if (raw.length >= 72 && raw.length <= 80 && raw[71] !== ' ' && raw[71] !== undefined) {
      fixedCont = true;
      body = body.slice(0, Math.max(0, 71 - (startCol - 1)));
    }
    const chars: Ch[] = [];
    for (let k = 0; k < body.length; k++) chars.push({ c: body[k]!, line: lineNo, column: startCol + k });
    // Trailing blanks never matter; they would end the operand field early in a continued statement.
    while (chars.length > 0 && /\s/.test(chars[chars.length - 1]!.c)) chars.pop();
    if (cur === null) {
      cur = chars;
      curAt = { file, line: lineNo, column: (chars[0]?.column ?? 1) };
    } else {
      cur.push(...chars);
    }
    const freeCont = !fixedCont && chars.length > 0 && chars[chars.length - 1]!.c === ',';
    if (fixedCont || freeCont) {
      continuedFixed = fixedCont;
      continue;
    }
    out.push({ chars: cur, at: curAt! });
    cur = null;
    curAt = null;
    continuedFixed = false;
  }
  if (cur !== null) {
    const last = cur[cur.length - 1];
    return fail('SYNTAX', last ? { file, line: last.line, column: last.column } : curAt, 'statement continues past the end of the deck', 'a continuation line', 'end of file');
  }
  return ok(out);
}

// ---------------------------------------------------------------- operands

/** An operand value: `10`, `(10,14)`, `CSS(0)`. */
export type IocpValue =
  | { readonly k: 'atom'; readonly text: string; readonly at: SourcePos }
  | { readonly k: 'list'; readonly items: readonly IocpValue[]; readonly at: SourcePos }
  | { readonly k: 'call'; readonly name: string; readonly args: readonly IocpValue[]; readonly at: SourcePos };

interface Operand {
  readonly name: string;
  readonly value: IocpValue | null;
  readonly at: SourcePos;
}

const ATOM = /[A-Za-z0-9$#@._-]/;

class OperandParser {
  private i = 0;
  constructor(
    private readonly s: Ch[],
    private readonly file: string,
    private readonly end: SourcePos,
  ) {}

  private pos(): SourcePos {
    const ch = this.s[this.i];
    return ch ? { file: this.file, line: ch.line, column: ch.column } : this.end;
  }
  private peek(): string {
    return this.s[this.i]?.c ?? '';
  }
  private describe(): string {
    const c = this.peek();
    return c === '' ? 'end of statement' : `'${c}'`;
  }

  operands(): PrsmResult<Operand[]> {
    const out: Operand[] = [];
    while (this.i < this.s.length && !/\s/.test(this.peek())) {
      const at = this.pos();
      const name = this.atomText();
      if (name === '') return fail('SYNTAX', at, 'operand name missing', 'an operand such as PATH=', this.describe());
      let value: IocpValue | null = null;
      if (this.peek() === '=') {
        this.i++;
        const v = this.value();
        if (!v.ok) return v;
        value = v.value;
      }
      out.push({ name: name.toUpperCase(), value, at });
      if (this.peek() === ',') {
        this.i++;
        continue;
      }
      if (this.i < this.s.length && !/\s/.test(this.peek())) {
        return fail('SYNTAX', this.pos(), 'unexpected character after an operand', "',' or the end of the operands", this.describe());
      }
    }
    return ok(out);
  }

  private atomText(): string {
    let t = '';
    while (this.i < this.s.length && ATOM.test(this.peek())) t += this.s[this.i++]!.c;
    return t;
  }

  private value(): PrsmResult<IocpValue> {
    const at = this.pos();
    if (this.peek() === '(') {
      const items = this.list();
      if (!items.ok) return items;
      return ok({ k: 'list', items: items.value, at });
    }
    const text = this.atomText();
    if (text === '') return fail('SYNTAX', at, 'value missing', 'a value or a parenthesised list', this.describe());
    if (this.peek() === '(') {
      const args = this.list();
      if (!args.ok) return args;
      return ok({ k: 'call', name: text.toUpperCase(), args: args.value, at });
    }
    return ok({ k: 'atom', text, at });
  }

  private list(): PrsmResult<IocpValue[]> {
    this.i++; // (
    const items: IocpValue[] = [];
    if (this.peek() === ')') {
      this.i++;
      return ok(items);
    }
    for (;;) {
      const v = this.value();
      if (!v.ok) return v;
      items.push(v.value);
      const c = this.peek();
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ')') {
        this.i++;
        return ok(items);
      }
      return fail('SYNTAX', this.pos(), 'unbalanced parenthesis', "',' or ')'", this.describe());
    }
  }
}

// ------------------------------------------------------------------ helpers

const describeValue = (v: IocpValue): string =>
  v.k === 'atom' ? v.text : v.k === 'call' ? `${v.name}(…)` : `(${v.items.map(describeValue).join(',')})`;

function hexValue(v: IocpValue, what: string, max: number): PrsmResult<number> {
  if (v.k !== 'atom' || !/^[0-9A-Fa-f]+$/.test(v.text)) {
    return fail('BAD_VALUE', v.at, `${what} must be hexadecimal`, `hex 0-${max.toString(16).toUpperCase()}`, describeValue(v));
  }
  const n = Number.parseInt(v.text, 16);
  if (n > max) return fail('BAD_VALUE', v.at, `${what} out of range`, `hex 0-${max.toString(16).toUpperCase()}`, v.text);
  return ok(n);
}

/** A value that may be written bare or as a one-level list: `10` or `(10,14)`. */
const asList = (v: IocpValue): readonly IocpValue[] => (v.k === 'list' ? v.items : [v]);

/** Strip a leading `CSS(n)` element; returns the CSS number and the rest. */
function splitCss(items: readonly IocpValue[]): PrsmResult<{ css: number; rest: readonly IocpValue[] }> {
  const first = items[0];
  if (first?.k === 'call' && first.name === 'CSS') {
    const arg = first.args[0];
    if (first.args.length !== 1 || arg === undefined) return fail('BAD_VALUE', first.at, 'CSS() takes one number', 'CSS(0)-CSS(3)', describeValue(first));
    const n = hexValue(arg, 'CSS number', 3);
    if (!n.ok) return n;
    return ok({ css: n.value, rest: items.slice(1) });
  }
  return ok({ css: 0, rest: items });
}

function names(v: IocpValue): PrsmResult<string[]> {
  const out: string[] = [];
  for (const item of asList(v)) {
    if (item.k !== 'atom') return fail('BAD_VALUE', item.at, 'partition name expected', 'a partition name', describeValue(item));
    out.push(item.text.toUpperCase());
  }
  return ok(out);
}

interface OperandSpec {
  readonly required: readonly string[];
  readonly optional: readonly string[];
  readonly flags: readonly string[];
}

const SPECS: Readonly<Record<string, OperandSpec>> = {
  ID: { required: [], optional: ['SYSTEM', 'MSG1', 'MSG2', 'TOK'], flags: [] },
  RESOURCE: { required: ['PARTITION'], optional: ['MAXDEV'], flags: [] },
  CHPID: { required: ['PATH', 'TYPE'], optional: ['PARTITION', 'OS', 'SWITCH', 'PCHID', 'NOTPART', 'CHPARM'], flags: ['SHARED', 'SPANNED'] },
  CNTLUNIT: { required: ['CUNUMBR', 'PATH', 'UNIT'], optional: ['UNITADD', 'CUADD', 'LINK', 'PROTOCL', 'SHARED'], flags: [] },
  IODEVICE: { required: ['ADDRESS', 'CUNUMBR', 'UNIT'], optional: ['PARTITION', 'UNITADD', 'MODEL', 'STADET', 'NOTPART', 'TIMEOUT'], flags: [] },
};

function checkOperands(keyword: string, ops: readonly Operand[], at: SourcePos): PrsmResult<Map<string, Operand>> {
  const spec = SPECS[keyword]!;
  const map = new Map<string, Operand>();
  for (const op of ops) {
    const isFlag = spec.flags.includes(op.name);
    const isValued = spec.required.includes(op.name) || spec.optional.includes(op.name);
    if (!isFlag && !isValued) {
      return fail('UNKNOWN_OPERAND', op.at, `${keyword} has no operand ${op.name}`, [...spec.required, ...spec.optional, ...spec.flags].join(', '), op.name);
    }
    if (isFlag && op.value !== null) return fail('BAD_VALUE', op.at, `${op.name} takes no value`, op.name, `${op.name}=…`);
    if (isValued && op.value === null) return fail('MISSING_OPERAND', op.at, `${op.name} needs a value`, `${op.name}=…`, op.name);
    if (map.has(op.name)) return fail('DUPLICATE_OPERAND', op.at, `${op.name} given twice`);
    map.set(op.name, op);
  }
  for (const r of spec.required) {
    if (!map.has(r)) return fail('MISSING_OPERAND', at, `${keyword} needs ${r}=`, `${r}=`, 'no such operand');
  }
  return ok(map);
}

// ------------------------------------------------------------------- parser

/**
 * Parse an IOCP deck. Returns the deck or the first error with file:line:column.
 * Cross-checks: partitions named in CHPID/IODEVICE exist, CHPIDs of a control
 * unit are defined, control units of a device are defined, at most 16 IQD
 * CHPIDs and 60 partitions, MIF image IDs unique, a device number is defined
 * once per partition.
 */
export function parseIocp(text: string, file = 'iocp'): PrsmResult<IocpDeck> {
  const stmts = statements(text, file);
  if (!stmts.ok) return stmts;
  let system: string | null = null;
  const partitions: IocpPartition[] = [];
  const chpids: IocpChpid[] = [];
  const cus: IocpControlUnit[] = [];
  const devices: IocpDevice[] = [];

  for (const st of stmts.value) {
    const chars = st.chars;
    let i = 0;
    let kw = '';
    while (i < chars.length && !/\s/.test(chars[i]!.c)) kw += chars[i++]!.c;
    const keyword = kw.toUpperCase();
    if (SPECS[keyword] === undefined) {
      return fail('UNKNOWN_STATEMENT', st.at, `unknown IOCP statement ${kw}`, 'ID, RESOURCE, CHPID, CNTLUNIT or IODEVICE', kw);
    }
    while (i < chars.length && /\s/.test(chars[i]!.c)) i++;
    const last = chars[chars.length - 1];
    const endPos: SourcePos = last ? { file, line: last.line, column: last.column + 1 } : st.at;
    const parsed = new OperandParser(chars.slice(i), file, endPos).operands();
    if (!parsed.ok) return parsed;
    const opsR = checkOperands(keyword, parsed.value, st.at);
    if (!opsR.ok) return opsR;
    const ops = opsR.value;
    const val = (name: string): IocpValue => ops.get(name)!.value!;

    switch (keyword) {
      case 'ID': {
        const s = ops.get('SYSTEM');
        if (s?.value) system = describeValue(s.value);
        break;
      }
      case 'RESOURCE': {
        const pv = val('PARTITION');
        let items = asList(pv);
        // LCSS form: PARTITION=((CSS(0),(A,1),(B,2)),(CSS(1),…))
        const groups: { css: number; items: readonly IocpValue[] }[] = [];
        const first = items[0];
        if (first?.k === 'list' && first.items[0]?.k === 'call') {
          for (const g of items) {
            const split = splitCss(asList(g));
            if (!split.ok) return split;
            groups.push({ css: split.value.css, items: split.value.rest });
          }
        } else {
          const split = splitCss(items);
          if (!split.ok) return split;
          items = split.value.rest;
          groups.push({ css: split.value.css, items });
        }
        for (const g of groups) {
          for (const item of g.items) {
            const pair = asList(item);
            const nameV = pair[0];
            const idV = pair[1];
            if (item.k !== 'list' || pair.length !== 2 || nameV?.k !== 'atom' || idV === undefined) {
              return fail('BAD_VALUE', item.at, 'partition entry must be (name,MIF image ID)', '(LP1,1)', describeValue(item));
            }
            if (!/^[A-Za-z$#@][A-Za-z0-9$#@]{0,7}$/.test(nameV.text)) {
              return fail('BAD_VALUE', nameV.at, 'partition name must be 1-8 characters starting with a letter', 'a name like LP1', nameV.text);
            }
            const id = hexValue(idV, 'MIF image ID', 15);
            if (!id.ok) return id;
            if (id.value < 1) return fail('BAD_VALUE', idV.at, 'MIF image ID must be 1-F', '1-F', describeValue(idV));
            const name = nameV.text.toUpperCase();
            if (partitions.some((p) => p.name === name)) return fail('DUPLICATE', nameV.at, `partition ${name} defined twice (names are unique across all LCSSs)`);
            if (partitions.some((p) => p.css === g.css && p.mifId === id.value)) {
              return fail('DUPLICATE', idV.at, `MIF image ID ${id.value.toString(16).toUpperCase()} used twice in CSS ${g.css}`);
            }
            partitions.push({ name, mifId: id.value, css: g.css, at: nameV.at });
          }
        }
        if (partitions.length > MAX_PARTITIONS) return fail('TOO_MANY', pv.at, `at most ${MAX_PARTITIONS} partitions`, `<= ${MAX_PARTITIONS}`, String(partitions.length));
        break;
      }
      case 'CHPID': {
        const split = splitCss(asList(val('PATH')));
        if (!split.ok) return split;
        const pathV = split.value.rest[0];
        if (split.value.rest.length !== 1 || pathV === undefined) {
          return fail('BAD_VALUE', val('PATH').at, 'PATH= names one channel path', '(CSS(0),xx) or xx', describeValue(val('PATH')));
        }
        const chpid = hexValue(pathV, 'CHPID', 0xff);
        if (!chpid.ok) return chpid;
        const css = split.value.css;
        if (chpids.some((c) => c.chpid === chpid.value && c.css === css)) {
          return fail('DUPLICATE', pathV.at, `CHPID ${hex2(chpid.value)} defined twice`);
        }
        const typeV = val('TYPE');
        const type = typeV.k === 'atom' ? typeV.text.toUpperCase() : '';
        if (!CHPID_TYPES.includes(type as ChpidType)) {
          return fail('BAD_VALUE', typeV.at, 'unknown channel-path type', CHPID_TYPES.join('|'), describeValue(typeV));
        }
        const shared = ops.has('SHARED') || ops.has('SPANNED');
        let access: string[] = [];
        let candidate: string[] = [];
        const partOp = ops.get('PARTITION');
        if (partOp?.value) {
          let lists = asList(partOp.value);
          // LCSS form: PARTITION=((CSS(0),(access),(candidate)))
          const only = lists[0];
          if (lists.length === 1 && only?.k === 'list' && only.items[0]?.k === 'call') lists = only.items;
          const s2 = splitCss(lists);
          if (!s2.ok) return s2;
          const rest = s2.value.rest;
          const nested = rest.length > 0 && rest.every((x) => x.k === 'list');
          if (nested) {
            const a = names(rest[0]!);
            if (!a.ok) return a;
            access = a.value;
            if (rest[1] !== undefined) {
              const c = names(rest[1]);
              if (!c.ok) return c;
              candidate = c.value;
            }
          } else {
            const a = names({ k: 'list', items: rest, at: partOp.value.at });
            if (!a.ok) return a;
            access = a.value;
          }
          for (const n of [...access, ...candidate]) {
            if (n === '0') continue;
            if (!partitions.some((p) => p.name === n)) {
              return fail('UNDEFINED_PARTITION', partOp.value.at, `partition ${n} is not defined in RESOURCE`, partitions.map((p) => p.name).join(', ') || 'a RESOURCE statement first', n);
            }
          }
          access = access.filter((n) => n !== '0');
        } else {
          // No PARTITION=: every partition of the CSS (IOCP's default for shared paths).
          access = partitions.filter((p) => p.css === css).map((p) => p.name);
        }
        if (!shared && access.length > 1) {
          return fail('NOT_SHARED', partOp?.at ?? st.at, `CHPID ${hex2(chpid.value)} is not SHARED but names ${access.length} partitions`, 'SHARED, or one partition', access.join(','));
        }
        const cand = [...access, ...candidate.filter((n) => !access.includes(n))];
        if (type === 'IQD' && chpids.filter((c) => c.type === 'IQD').length >= MAX_IQD_CHPIDS) {
          return fail('TOO_MANY', typeV.at, `at most ${MAX_IQD_CHPIDS} HiperSockets internal LANs (IQD CHPIDs)`, `<= ${MAX_IQD_CHPIDS}`, String(MAX_IQD_CHPIDS + 1));
        }
        const extra: Record<string, string> = {};
        for (const k of ['OS', 'SWITCH', 'PCHID', 'CHPARM']) {
          const o = ops.get(k);
          if (o?.value) extra[k] = describeValue(o.value);
        }
        chpids.push({ chpid: chpid.value, css, type: type as ChpidType, shared, access, candidate: cand, extra, at: st.at });
        break;
      }
      case 'CNTLUNIT': {
        const n = hexValue(val('CUNUMBR'), 'control-unit number', 0xffff);
        if (!n.ok) return n;
        if (cus.some((c) => c.number === n.value)) return fail('DUPLICATE', val('CUNUMBR').at, `control unit ${hex4(n.value)} defined twice`);
        const paths: number[] = [];
        // PATH=((CSS(0),10,14)) or PATH=(10,14) or PATH=10
        let items = asList(val('PATH'));
        if (items.length === 1 && items[0]!.k === 'list') items = asList(items[0]!);
        const split = splitCss(items);
        if (!split.ok) return split;
        for (const p of split.value.rest) {
          const c = hexValue(p, 'CHPID', 0xff);
          if (!c.ok) return c;
          if (!chpids.some((x) => x.chpid === c.value && x.css === split.value.css)) {
            return fail('UNDEFINED_CHPID', p.at, `CHPID ${hex2(c.value)} is not defined (CHPID statements come first)`, 'a defined CHPID', hex2(c.value));
          }
          paths.push(c.value);
        }
        if (paths.length < 1 || paths.length > 8) return fail('BAD_VALUE', val('PATH').at, 'a control unit has 1-8 channel paths', '1-8 CHPIDs', String(paths.length));
        const u = val('UNIT');
        cus.push({ number: n.value, chpids: paths, unit: describeValue(u).toUpperCase(), at: st.at });
        break;
      }
      case 'IODEVICE': {
        const av = asList(val('ADDRESS'));
        const a0 = av[0];
        if (a0 === undefined || av.length > 2) return fail('BAD_VALUE', val('ADDRESS').at, 'ADDRESS= is (devnum[,count])', '(2C00,16)', describeValue(val('ADDRESS')));
        const addr = hexValue(a0, 'device number', 0xffff);
        if (!addr.ok) return addr;
        let count = 1;
        if (av[1] !== undefined) {
          const cv = av[1];
          if (cv.k !== 'atom' || !/^[0-9]+$/.test(cv.text) || Number(cv.text) < 1 || Number(cv.text) > 256) {
            return fail('BAD_VALUE', cv.at, 'device count must be a decimal number 1-256', '1-256', describeValue(cv));
          }
          count = Number(cv.text);
        }
        if (addr.value + count - 1 > 0xffff) return fail('BAD_VALUE', a0.at, 'device numbers run past FFFF', '<= FFFF', hex4(addr.value + count - 1));
        const cuList: number[] = [];
        for (const c of asList(val('CUNUMBR'))) {
          const n = hexValue(c, 'control-unit number', 0xffff);
          if (!n.ok) return n;
          if (!cus.some((x) => x.number === n.value)) {
            return fail('UNDEFINED_CONTROL_UNIT', c.at, `control unit ${hex4(n.value)} is not defined (CNTLUNIT statements come first)`, 'a defined CUNUMBR', hex4(n.value));
          }
          cuList.push(n.value);
        }
        const uv = val('UNIT');
        const unit = describeValue(uv).toUpperCase();
        if (!DEVICE_UNITS.includes(unit as DeviceUnit)) {
          return fail('UNSUPPORTED_UNIT', uv.at, `device type ${unit} has no model here`, DEVICE_UNITS.join('|'), unit);
        }
        let parts: string[] | null = null;
        const pv = ops.get('PARTITION');
        if (pv?.value) {
          const split = splitCss(asList(pv.value));
          if (!split.ok) return split;
          const nm = names({ k: 'list', items: split.value.rest, at: pv.value.at });
          if (!nm.ok) return nm;
          for (const n of nm.value) {
            if (!partitions.some((p) => p.name === n)) {
              return fail('UNDEFINED_PARTITION', pv.value.at, `partition ${n} is not defined in RESOURCE`, partitions.map((p) => p.name).join(', '), n);
            }
          }
          parts = nm.value;
        }
        const dev: IocpDevice = { address: addr.value, count, controlUnits: cuList, unit: unit as DeviceUnit, partitions: parts, at: st.at };
        // Duplicate device numbers are allowed only in different partitions.
        const reach = reachOf(dev, cus, chpids);
        for (const other of devices) {
          const overlap = other.address <= addr.value + count - 1 && addr.value <= other.address + other.count - 1;
          if (!overlap) continue;
          const both = reachOf(other, cus, chpids).filter((p) => reach.includes(p));
          if (both.length > 0) {
            return fail('DUPLICATE', a0.at, `device ${hex4(Math.max(addr.value, other.address))} is defined twice for partition ${both[0]} (line ${other.at.line})`, 'device numbers unique per partition');
          }
        }
        devices.push(dev);
        break;
      }
    }
  }
  return ok({ file, system, partitions, chpids, controlUnits: cus, devices });
}

/** Partitions that can reach a device: candidates of its control units' paths, narrowed by the device candidate list. */
export function reachOf(dev: IocpDevice, cus: readonly IocpControlUnit[], chpids: readonly IocpChpid[]): string[] {
  const set = new Set<string>();
  for (const cuNumber of dev.controlUnits) {
    const cu = cus.find((c) => c.number === cuNumber);
    if (cu === undefined) continue;
    for (const p of cu.chpids) {
      const ch = chpids.find((c) => c.chpid === p);
      for (const n of ch?.candidate ?? []) set.add(n);
    }
  }
  const list = [...set];
  return dev.partitions === null ? list : list.filter((n) => dev.partitions!.includes(n));
}

export const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
export const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
