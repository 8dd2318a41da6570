/**
 * Parser for console scripts in the command subset of the Hercules 3.x
 * console (the `.rc` files Hercules runs from HERCULES_RC), so that one
 * script runs on Hercules 3.13 and on isa-core alike.
 *
 * Line handling follows Hercules' script processor: trailing blanks are
 * removed; blank lines and lines starting with `#` are skipped; lines starting
 * with `*` are "loud" comments (echoed); `# …` after a command is a comment.
 * Command names are case-insensitive. Numbers are hexadecimal, as on the
 * Hercules console, except register numbers in `gpr N=…` / `cr N=…` and the
 * seconds of `pause`, which are decimal.
 */

/** Where something is in a script: 1-based line and column. */
export interface ConsoleLocation {
  readonly line: number;
  readonly column: number;
}

/** A problem in a console script or in running it, located in the script. */
export interface ConsoleDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

interface At {
  /** Position of the command in the script. */
  readonly at: ConsoleLocation;
  /** The command as Hercules echoes it (comment removed, blanks trimmed). */
  readonly text: string;
}

/**
 * One console command. Addresses are real addresses (prefixing applies, as
 * for Hercules' `r`), except `loadcore`, which loads absolute storage.
 */
export type ConsoleCommand =
  /** `r ADDR=HEX…`: alter up to 32 bytes of real storage, then display them. */
  | (At & { readonly kind: 'alter'; readonly address: number; readonly bytes: Uint8Array })
  /** `r ADDR`, `r ADDR.LEN`, `r ADDR-END`: display real storage (`end` inclusive). */
  | (At & { readonly kind: 'display'; readonly address: number; readonly end: number })
  /** `gpr` / `cr`, optionally `gpr N=HEX` to alter register N first. */
  | (At & {
      readonly kind: 'gpr' | 'cr';
      readonly alter: { readonly register: number; readonly value: number } | null;
    })
  | (At & { readonly kind: 'psw' | 'pr' | 'restart' | 'stop' | 'start' | 'sysclear' | 'sysreset' | 'quit' })
  /** `ipl DEVNUM`: initial program load from a device. */
  | (At & { readonly kind: 'ipl'; readonly device: number })
  /** `loadcore FILE [ADDR]`: copy a file's bytes to absolute storage (ADDR default 0). */
  | (At & { readonly kind: 'loadcore'; readonly file: string; readonly address: number })
  /**
   * `pause [N]`: on Hercules, let the CPUs run for N wall-clock seconds; on
   * isa-core, run until every CPU has stopped (stopped, check-stopped or a
   * wait no event can end) or the instruction budget is used up. N is kept
   * only to be echoed.
   */
  | (At & { readonly kind: 'pause'; readonly seconds: number })
  /** `archmode [MODE]`: only ESA/390 exists here. */
  | (At & { readonly kind: 'archmode'; readonly mode: string | null })
  /** `cpu N`: the CPU that later commands address. */
  | (At & { readonly kind: 'cpu'; readonly cpu: number })
  /** A `*` comment line (Hercules echoes it). */
  | (At & { readonly kind: 'comment' });

/** A parsed script. */
export interface ConsoleScript {
  /** Name used in diagnostics. */
  readonly file: string;
  readonly commands: readonly ConsoleCommand[];
}

export type ConsoleParseResult =
  | { readonly ok: true; readonly script: ConsoleScript }
  | { readonly ok: false; readonly errors: readonly ConsoleDiagnostic[] };

/** The commands this parser accepts, as listed in the unknown-command message. */
export const CONSOLE_COMMANDS: readonly string[] = [
  'r',
  'restart',
  'ipl',
  'loadcore',
  'gpr',
  'cr',
  'psw',
  'pr',
  'pause',
  'cpu',
  'stop',
  'start',
  'sysclear',
  'sysreset',
  'archmode',
  'quit',
  'exit',
];

/** Hercules accepts at most 32 bytes in one `r ADDR=…` command. */
export const MAX_ALTER_BYTES = 32;

const MAX_REAL = 0x7fffffff;

/** A command without its position and echo text (distributes over the union). */
type CommandBody = ConsoleCommand extends infer C ? (C extends ConsoleCommand ? Omit<C, 'at' | 'text'> : never) : never;

class Failure {
  constructor(
    readonly code: string,
    readonly message: string,
    readonly column: number,
  ) {}
}

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** Read a hex number at `s[i]`; returns [value, next index]. */
function readHex(s: string, i: number, column0: number, what: string): [number, number] {
  let j = i;
  while (isHex(s[j])) j++;
  if (j === i) throw new Failure('CONSOLE_SYNTAX', `expected a hexadecimal ${what}`, column0 + i);
  if (j - i > 8) throw new Failure('CONSOLE_SYNTAX', `${what} ${s.slice(i, j)} has more than 8 hexadecimal digits`, column0 + i);
  return [Number.parseInt(s.slice(i, j), 16) >>> 0, j];
}

function parseR(op: string, col: number): CommandBody {
  if (op === '') throw new Failure('CONSOLE_SYNTAX', "expected an address after 'r'", col);
  const [address, i] = readHex(op, 0, col, 'address');
  if (address > MAX_REAL) throw new Failure('CONSOLE_RANGE', `address ${op.slice(0, i)} is beyond X'7FFFFFFF'`, col);
  const delim = op[i];
  if (delim === undefined) {
    return { kind: 'display', address, end: Math.min(address + 0x3f, MAX_REAL) };
  }
  if (delim === '=') {
    const bytes: number[] = [];
    let j = i + 1;
    for (;;) {
      while (isBlank(op[j])) j++;
      if (j >= op.length) break;
      const h1 = op[j];
      const h2 = op[j + 1];
      if (!isHex(h1)) throw new Failure('CONSOLE_SYNTAX', `expected a hexadecimal digit, found '${h1}'`, col + j);
      if (!isHex(h2)) {
        if (h2 === undefined || isBlank(h2)) throw new Failure('CONSOLE_SYNTAX', 'odd number of hex digits', col + j);
        throw new Failure('CONSOLE_SYNTAX', `expected a hexadecimal digit, found '${h2}'`, col + j + 1);
      }
      if (bytes.length === MAX_ALTER_BYTES) {
        throw new Failure('CONSOLE_SYNTAX', `more than ${MAX_ALTER_BYTES} bytes in one 'r' command (Hercules' limit)`, col + j);
      }
      bytes.push(Number.parseInt(`${h1}${h2}`, 16));
      j += 2;
    }
    if (bytes.length === 0) throw new Failure('CONSOLE_SYNTAX', "expected hexadecimal bytes after '='", col + i + 1);
    return { kind: 'alter', address, bytes: Uint8Array.from(bytes) };
  }
  if (delim === '.' || delim === '-') {
    if (!isHex(op[i + 1])) throw new Failure('CONSOLE_SYNTAX', `expected a hexadecimal ${delim === '.' ? 'length' : 'end address'} after '${delim}'`, col + i + 1);
    const [n, k] = readHex(op, i + 1, col, delim === '.' ? 'length' : 'end address');
    if (k < op.length) throw new Failure('CONSOLE_SYNTAX', `unexpected '${op.slice(k)}' after the range`, col + k);
    const end = delim === '.' ? address + n - 1 : n;
    if (end > MAX_REAL || end < address) throw new Failure('CONSOLE_RANGE', `invalid range ${op}`, col);
    return { kind: 'display', address, end };
  }
  throw new Failure('CONSOLE_SYNTAX', "expected '=', '.' or '-' after the address", col + i);
}

function parseRegisterAlter(op: string, col: number, kind: 'gpr' | 'cr'): { register: number; value: number } | null {
  if (op === '') return null;
  const m = /^(\d{1,2})=([0-9A-Fa-f]{1,8})$/.exec(op);
  if (!m) throw new Failure('CONSOLE_SYNTAX', `expected '${kind} N=HEX' (N decimal 0-15, HEX up to 8 digits)`, col);
  const register = Number(m[1]);
  if (register > 15) throw new Failure('CONSOLE_RANGE', `register ${register} does not exist (0-15)`, col);
  return { register, value: Number.parseInt(m[2]!, 16) >>> 0 };
}

function noOperand(name: string, op: string, col: number): void {
  if (op !== '') throw new Failure('CONSOLE_SYNTAX', `'${name}' takes no operand`, col);
}

function parseCommand(name: string, op: string, nameCol: number, opCol: number): CommandBody {
  switch (name) {
    case 'r':
      return parseR(op, opCol);
    case 'gpr':
    case 'cr':
      return { kind: name, alter: parseRegisterAlter(op, opCol, name) };
    case 'psw':
    case 'pr':
    case 'restart':
    case 'stop':
    case 'start':
    case 'sysclear':
    case 'sysreset':
      noOperand(name, op, opCol);
      return { kind: name };
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    case 'ipl': {
      if (op === '') throw new Failure('CONSOLE_SYNTAX', "expected a device number after 'ipl'", opCol);
      const [device, i] = readHex(op, 0, opCol, 'device number');
      if (i < op.length) throw new Failure('CONSOLE_SYNTAX', `unexpected '${op.slice(i)}' after the device number`, opCol + i);
      if (device > 0xffff) throw new Failure('CONSOLE_RANGE', 'device numbers are 4 hexadecimal digits', opCol);
      return { kind: 'ipl', device };
    }
    case 'loadcore': {
      const m = /^(\S+)(?:\s+(\S+))?\s*$/.exec(op);
      if (!m) throw new Failure('CONSOLE_SYNTAX', "expected 'loadcore FILE [ADDRESS]'", opCol);
      let address = 0;
      if (m[2] !== undefined) {
        const at = op.indexOf(m[2], m[1]!.length);
        const [a, i] = readHex(m[2], 0, opCol + at, 'address');
        if (i < m[2].length) throw new Failure('CONSOLE_SYNTAX', `unexpected '${m[2].slice(i)}' after the address`, opCol + at + i);
        address = a;
      }
      return { kind: 'loadcore', file: m[1]!, address };
    }
    case 'pause': {
      if (op === '') return { kind: 'pause', seconds: 0 };
      if (!/^\d+(\.\d+)?$/.test(op)) throw new Failure('CONSOLE_SYNTAX', "expected a number of seconds after 'pause'", opCol);
      return { kind: 'pause', seconds: Number(op) };
    }
    case 'archmode': {
      if (op === '') return { kind: 'archmode', mode: null };
      if (op.toLowerCase() !== 'esa/390') {
        throw new Failure('CONSOLE_UNSUPPORTED', `architecture mode '${op}' is not supported (only ESA/390)`, opCol);
      }
      return { kind: 'archmode', mode: 'ESA/390' };
    }
    case 'cpu': {
      if (op === '') throw new Failure('CONSOLE_SYNTAX', "expected a CPU address after 'cpu'", opCol);
      const [cpu, i] = readHex(op, 0, opCol, 'CPU address');
      if (i < op.length) throw new Failure('CONSOLE_SYNTAX', `unexpected '${op.slice(i)}' after the CPU address`, opCol + i);
      return { kind: 'cpu', cpu };
    }
    default:
      throw new Failure('CONSOLE_UNKNOWN_COMMAND', `unknown command '${name}' (supported: ${CONSOLE_COMMANDS.join(', ')})`, nameCol);
  }
}

/**
 * Parse a console script. Every line is checked; all errors are returned
 * (none is thrown), each with file, line and column.
 */
export function parseConsoleScript(source: string, file = '<script>'): ConsoleParseResult {
  const commands: ConsoleCommand[] = [];
  const errors: ConsoleDiagnostic[] = [];
  const lines = source.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    let raw = (lines[n] ?? '').replace(/\s+$/, '');
    if (raw === '' || raw.startsWith('#')) continue;
    if (raw.startsWith('*')) {
      commands.push({ kind: 'comment', text: raw, at: { line: lineNo, column: 1 } });
      continue;
    }
    const hash = raw.indexOf('#');
    if (hash > 0) raw = raw.slice(0, hash).replace(/\s+$/, '');
    const lead = raw.length - raw.replace(/^\s+/, '').length;
    const text = raw.slice(lead);
    if (text === '') continue;
    const m = /^(\S+)(\s*)(.*)$/.exec(text)!;
    const name = m[1]!.toLowerCase();
    const nameCol = lead + 1;
    const opCol = lead + m[1]!.length + m[2]!.length + 1;
    try {
      const cmd = parseCommand(name, m[3]!, nameCol, opCol);
      commands.push({ ...cmd, text, at: { line: lineNo, column: nameCol } } as ConsoleCommand);
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      errors.push({ code: e.code, message: e.message, file, line: lineNo, column: e.column });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, script: { file, commands } };
}
