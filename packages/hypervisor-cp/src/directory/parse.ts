/**
 * Parser of the z/VM user directory subset CP needs (source file USER DIRECT;
 * z/VM CP Planning and Administration, "Directory Statements"):
 *
 *   * comment (an asterisk in column 1)
 *   DIRECTORY vdev devtype volser            (accepted, ignored)
 *   PROFILE name                             (a profile entry, for INCLUDE)
 *   USER userid password storage maxstorage privclasses
 *   INCLUDE name
 *   MACHINE ESA|XA|XC|Z [n]                  (MACH accepted)
 *   IPL vdev|name [PARM text]
 *   OPTION word ...                          (SIE / TRAPEMULATE: the execution
 *                                            style, a Strachey extension)
 *   CONSOLE vdev 3215 [class]
 *   SPOOL vdev 2540 READER|PUNCH [class]     (READ, PUN accepted)
 *   SPOOL vdev 1403 [class]
 *   LINK userid vdev vdev mode
 *   MDISK vdev 3390 startcyl cyls|END volser mode [readpw [writepw [multpw]]]
 *   DEDICATE vdev rdev
 *
 * One statement per line: the directory has no continuation lines. Keywords
 * are case-insensitive; userids and volsers are folded to upper case as CP
 * does. Every problem is reported with file:line:column, what was expected
 * and what was found; parsing continues after an error so a user sees all
 * of them at once.
 */
import {
  ACCESS_MODES,
  type AccessMode,
  type DeviceStatement,
  type Directory,
  type DirectoryError,
  type DirectoryErrorCode,
  type DirectoryResult,
  type DirectoryExecutionStyle,
  type DirectoryUser,
  EXECUTION_STYLE_OPTIONS,
  type SourceLocation,
} from './types';

interface Token {
  readonly text: string;
  readonly column: number;
}

/** SIE's storage relocation unit: the state description's MSO/MSE count 64 KB blocks. */
const SIE_UNIT = 0x10000;

/** Largest ESA/390 storage: 2 GB (31-bit real addresses). */
const MAX_STORAGE = 0x80000000;

interface EntryBuilder extends SourceLocation {
  readonly isProfile: boolean;
  name: string;
  password: string;
  storage: number;
  maxStorage: number;
  privilegeClasses: string;
  machine: { mode: 'ESA' | 'XA' | 'XC' | 'Z'; maxCpus: number };
  ipl: { target: string; parm: string } | null;
  options: string[];
  /** OPTION SIE / TRAPEMULATE and where it was written. */
  style: { style: DirectoryExecutionStyle; word: string; text: string; at: SourceLocation } | null;
  devices: DeviceStatement[];
  includes: string[];
  includeLocations: SourceLocation[];
}

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) tokens.push({ text: m[0], column: m.index + 1 });
  return tokens;
}

/** Parse USER DIRECT source text. `file` names it in error messages. */
export function parseDirectory(source: string, file = 'USER DIRECT'): DirectoryResult<Directory> {
  const errors: DirectoryError[] = [];
  const profiles = new Map<string, EntryBuilder>();
  const users: EntryBuilder[] = [];
  const userSeen = new Map<string, SourceLocation>();
  let current: EntryBuilder | null = null;
  const lines = source.split(/\r?\n/);

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    if (raw.startsWith('*')) continue;
    const tokens = tokenize(raw);
    if (tokens.length === 0) continue;
    const at = (t: Token | undefined): SourceLocation => ({ file, line: lineNo, column: t ? t.column : raw.length + 1 });
    const fail = (code: DirectoryErrorCode, t: Token | undefined, message: string, expected?: string): void => {
      errors.push({
        code,
        ...at(t),
        message,
        ...(expected !== undefined ? { expected } : {}),
        found: t ? t.text : 'end of line',
      });
    };
    const stmt = tokens[0]!;
    const kw = stmt.text.toUpperCase();
    const ops = tokens.slice(1);
    /** Operand n (0-based after the keyword), or an error naming what was expected. */
    let missing = false;
    const need = (n: number, what: string): Token | null => {
      const t = ops[n];
      if (t === undefined) {
        // Only the first missing operand is worth a message; the rest follow from it.
        if (missing) return null;
        missing = true;
        fail('MISSING_OPERAND', undefined, `${kw} needs ${what}`, what);
        return null;
      }
      return t;
    };
    const noMore = (n: number): void => {
      const t = ops[n];
      if (t !== undefined) fail('EXTRA_OPERAND', t, `unexpected operand after ${kw}`, 'end of statement');
    };
    const vdevOf = (t: Token, what = 'a device number (1-4 hex digits)'): number | null => {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(t.text)) {
        fail('BAD_OPERAND', t, `bad device number`, what);
        return null;
      }
      return Number.parseInt(t.text, 16);
    };
    const modeOf = (t: Token): AccessMode | null => {
      const m = t.text.toUpperCase() as AccessMode;
      if (!ACCESS_MODES.includes(m)) {
        fail('BAD_OPERAND', t, 'bad access mode', ACCESS_MODES.join('|'));
        return null;
      }
      return m;
    };
    const entryDevice = (d: DeviceStatement, t: Token): void => {
      if (current === null) return;
      const dup = current.devices.find((x) => x.vdev === d.vdev);
      if (dup) {
        errors.push({
          code: 'DUPLICATE_VDEV',
          ...at(t),
          message: `device ${hex(d.vdev)} is already defined in ${current.isProfile ? 'PROFILE' : 'USER'} ${current.name}`,
          expected: 'a device number not used yet in this entry',
          found: t.text,
          related: { file: dup.file, line: dup.line, column: dup.column },
        });
        return;
      }
      current.devices.push(d);
    };

    if (kw === 'DIRECTORY') continue;
    if (kw === 'USER' || kw === 'PROFILE') {
      const nameTok = need(0, kw === 'USER' ? 'a userid' : 'a profile name');
      if (nameTok === null) {
        current = null;
        continue;
      }
      const name = nameTok.text.toUpperCase();
      if (!/^[A-Z0-9@#$_-]{1,8}$/.test(name)) fail('BAD_OPERAND', nameTok, 'bad name', '1-8 letters, digits or @#$_-');
      const builder: EntryBuilder = {
        isProfile: kw === 'PROFILE',
        name,
        file,
        line: lineNo,
        column: stmt.column,
        password: '',
        storage: 0,
        maxStorage: 0,
        privilegeClasses: 'G',
        machine: { mode: 'ESA', maxCpus: 1 },
        ipl: null,
        options: [],
        style: null,
        devices: [],
        includes: [],
        includeLocations: [],
      };
      if (kw === 'PROFILE') {
        noMore(1);
        const prev = profiles.get(name);
        if (prev) {
          errors.push({ code: 'DUPLICATE_PROFILE', ...at(nameTok), message: `PROFILE ${name} defined twice`, found: nameTok.text, related: prev });
        } else profiles.set(name, builder);
        current = builder;
        continue;
      }
      const pw = need(1, 'a password (or NOLOG, NOPASS, AUTOONLY, LBYONLY)');
      const st = need(2, 'the logon storage size (e.g. 16M)');
      const mx = need(3, 'the maximum storage size (e.g. 64M)');
      if (pw) builder.password = pw.text.toUpperCase();
      const storage = st ? storageOf(st.text) : null;
      if (st && storage === null) fail('BAD_OPERAND', st, 'bad storage size', 'a size of 4K multiples up to 2G, like 512K, 16M or 1G');
      const maxStorage = mx ? storageOf(mx.text) : null;
      if (mx && maxStorage === null) fail('BAD_OPERAND', mx, 'bad maximum storage size', 'a size of 4K multiples up to 2G, like 64M or 2G');
      if (storage !== null && maxStorage !== null && storage > maxStorage) {
        fail('STORAGE_RANGE', st ?? undefined, 'logon storage exceeds the maximum storage', `at most ${mx?.text}`);
      }
      builder.storage = storage ?? 0;
      builder.maxStorage = maxStorage ?? 0;
      const pc = ops[4];
      if (pc !== undefined) {
        const classes = pc.text.toUpperCase();
        if (!/^[A-Z1-6]{1,32}$/.test(classes)) fail('BAD_OPERAND', pc, 'bad privilege classes', 'letters A-Z and digits 1-6');
        builder.privilegeClasses = classes;
      }
      // DIRECTXA reads up to 10 tokens (line-end, line-delete, char-delete, escape characters follow); they are accepted.
      noMore(9);
      const prev = userSeen.get(name);
      if (prev) {
        errors.push({ code: 'DUPLICATE_USER', ...at(nameTok), message: `USER ${name} defined twice`, found: nameTok.text, related: prev });
      } else {
        userSeen.set(name, at(stmt));
        users.push(builder);
      }
      current = builder;
      continue;
    }

    if (current === null) {
      if (STATEMENTS.has(kw)) fail('OUTSIDE_ENTRY', stmt, `${kw} outside a USER or PROFILE entry`, 'USER or PROFILE first');
      else fail('UNKNOWN_STATEMENT', stmt, 'unknown directory statement', [...STATEMENTS].join(', '));
      continue;
    }
    const entry: EntryBuilder = current;

    switch (kw) {
      case 'INCLUDE': {
        const t = need(0, 'a profile name');
        if (t === null) break;
        noMore(1);
        if (entry.isProfile) {
          fail('OUTSIDE_ENTRY', stmt, 'INCLUDE inside a PROFILE entry', 'INCLUDE in a USER entry');
          break;
        }
        entry.includes.push(t.text.toUpperCase());
        entry.includeLocations.push(at(t));
        break;
      }
      case 'MACH':
      case 'MACHINE': {
        const t = need(0, 'ESA, XA, XC or Z');
        if (t === null) break;
        const mode = t.text.toUpperCase();
        if (mode !== 'ESA' && mode !== 'XA' && mode !== 'XC' && mode !== 'Z') {
          fail('BAD_OPERAND', t, 'bad machine mode', 'ESA, XA, XC or Z');
          break;
        }
        let maxCpus = 1;
        const n = ops[1];
        if (n !== undefined) {
          if (!/^\d{1,2}$/.test(n.text) || Number(n.text) < 1 || Number(n.text) > 64) {
            fail('BAD_OPERAND', n, 'bad number of virtual CPUs', 'a number 1-64');
            break;
          }
          maxCpus = Number(n.text);
        }
        noMore(2);
        entry.machine = { mode, maxCpus };
        break;
      }
      case 'IPL': {
        const t = need(0, 'a device number or saved-system name');
        if (t === null) break;
        let parm = '';
        const p = ops[1];
        if (p !== undefined) {
          if (p.text.toUpperCase() !== 'PARM') {
            fail('BAD_OPERAND', p, 'unexpected IPL operand', 'PARM text');
            break;
          }
          parm = raw.slice((ops[2]?.column ?? raw.length + 1) - 1).trim();
        }
        entry.ipl = { target: t.text.toUpperCase(), parm };
        break;
      }
      case 'OPTION': {
        if (need(0, 'an option (e.g. SIE or TRAPEMULATE)') === null) break;
        for (const o of ops) {
          const word = o.text.toUpperCase();
          const style = EXECUTION_STYLE_OPTIONS[word];
          if (style !== undefined) {
            const prev = entry.style;
            if (prev !== null && prev.style !== style) {
              errors.push({
                code: 'BAD_OPERAND',
                ...at(o),
                message: `OPTION ${word} contradicts OPTION ${prev.word}: an entry has one execution style`,
                expected: `${prev.word} or neither`,
                found: o.text,
                related: prev.at,
              });
              continue;
            }
            entry.style = { style, word, text: o.text, at: at(o) };
          }
          entry.options.push(word);
        }
        break;
      }
      case 'CONSOLE': {
        const v = need(0, 'a device number');
        const d = need(1, 'the device type 3215');
        if (v === null || d === null) break;
        const vdev = vdevOf(v);
        if (vdev === null) break;
        if (d.text !== '3215') {
          fail('BAD_OPERAND', d, 'unsupported console type', '3215');
          break;
        }
        noMore(3);
        entryDevice({ kind: 'console', vdev, devtype: 0x3215, ...at(stmt) }, v);
        break;
      }
      case 'SPOOL': {
        const v = need(0, 'a device number');
        const d = need(1, 'a device type (2540 or 1403)');
        if (v === null || d === null) break;
        const vdev = vdevOf(v);
        if (vdev === null) break;
        if (d.text === '2540') {
          const f = need(2, 'READER or PUNCH');
          if (f === null) break;
          const fn = f.text.toUpperCase();
          const device = fn === 'READER' || fn === 'READ' || fn === 'RDR' ? 'reader' : fn === 'PUNCH' || fn === 'PUN' ? 'punch' : null;
          if (device === null) {
            fail('BAD_OPERAND', f, 'bad 2540 function', 'READER or PUNCH');
            break;
          }
          const c = ops[3];
          const spoolClass = c ? c.text.toUpperCase() : device === 'reader' ? '*' : 'A';
          if (c && !/^[A-Z0-9*]$/.test(spoolClass)) {
            fail('BAD_OPERAND', c, 'bad spool class', 'a letter, a digit or *');
            break;
          }
          noMore(4);
          entryDevice({ kind: 'spool', vdev, device, devtype: 0x2540, spoolClass, ...at(stmt) }, v);
        } else if (d.text === '1403') {
          const c = ops[2];
          const spoolClass = c ? c.text.toUpperCase() : 'A';
          if (c && !/^[A-Z0-9*]$/.test(spoolClass)) {
            fail('BAD_OPERAND', c, 'bad spool class', 'a letter, a digit or *');
            break;
          }
          noMore(3);
          entryDevice({ kind: 'spool', vdev, device: 'printer', devtype: 0x1403, spoolClass, ...at(stmt) }, v);
        } else fail('BAD_OPERAND', d, 'unsupported spool device type', '2540 or 1403');
        break;
      }
      case 'LINK': {
        const o = need(0, 'the owner userid');
        const ov = need(1, "the owner's device number");
        const v = need(2, 'the device number here');
        const m = need(3, 'an access mode');
        if (o === null || ov === null || v === null || m === null) break;
        const ownerVdev = vdevOf(ov);
        const vdev = vdevOf(v);
        const mode = modeOf(m);
        if (ownerVdev === null || vdev === null || mode === null) break;
        noMore(4);
        entryDevice({ kind: 'link', owner: o.text.toUpperCase(), ownerVdev, vdev, mode, ...at(stmt) }, v);
        break;
      }
      case 'MDISK': {
        const v = need(0, 'a device number');
        const d = need(1, 'the device type 3390');
        const s = need(2, 'the start cylinder');
        const n = need(3, 'the number of cylinders (or END)');
        const vol = need(4, 'a volume serial');
        const m = need(5, 'an access mode');
        if (v === null || d === null || s === null || n === null || vol === null || m === null) break;
        const vdev = vdevOf(v);
        if (vdev === null) break;
        if (d.text !== '3390') {
          fail('BAD_OPERAND', d, 'unsupported minidisk device type', '3390');
          break;
        }
        if (!/^\d{1,5}$/.test(s.text)) {
          fail('BAD_OPERAND', s, 'bad start cylinder', 'a cylinder number');
          break;
        }
        const count = n.text.toUpperCase() === 'END' ? 'END' : /^\d{1,5}$/.test(n.text) && Number(n.text) > 0 ? Number(n.text) : null;
        if (count === null) {
          fail('BAD_OPERAND', n, 'bad cylinder count', 'a positive number of cylinders or END');
          break;
        }
        const volser = vol.text.toUpperCase();
        if (!/^[A-Z0-9@#$-]{1,6}$/.test(volser)) {
          fail('BAD_OPERAND', vol, 'bad volume serial', '1-6 letters or digits');
          break;
        }
        const mode = modeOf(m);
        if (mode === null) break;
        noMore(9);
        const pw = (k: number): string | undefined => ops[k]?.text.toUpperCase();
        const passwords: { read?: string; write?: string; multi?: string } = {};
        const r = pw(6);
        const w = pw(7);
        const mu = pw(8);
        if (r !== undefined) passwords.read = r;
        if (w !== undefined) passwords.write = w;
        if (mu !== undefined) passwords.multi = mu;
        entryDevice(
          { kind: 'mdisk', vdev, devtype: 0x3390, startCylinder: Number(s.text), cylinders: count, volser, mode, passwords, ...at(stmt) },
          v,
        );
        break;
      }
      case 'DEDICATE': {
        const v = need(0, 'a device number');
        const r = need(1, 'a real device number');
        if (v === null || r === null) break;
        const vdev = vdevOf(v);
        const rdev = vdevOf(r, 'a real device number (1-4 hex digits)');
        if (vdev === null || rdev === null) break;
        noMore(2);
        entryDevice({ kind: 'dedicate', vdev, rdev, ...at(stmt) }, v);
        break;
      }
      default:
        fail('UNKNOWN_STATEMENT', stmt, 'unknown directory statement', [...STATEMENTS].join(', '));
    }
  }

  // Merge INCLUDEd profiles: the profile's devices come first, the user's own
  // statements override profile devices of the same number (as DIRECTXA does).
  const result = new Map<string, DirectoryUser>();
  for (const u of users) {
    let devices: DeviceStatement[] = [];
    let machine = u.machine;
    let ipl = u.ipl;
    let style = u.style;
    const options: string[] = [];
    for (let k = 0; k < u.includes.length; k++) {
      const p = profiles.get(u.includes[k]!);
      if (!p) {
        const loc = u.includeLocations[k]!;
        errors.push({
          code: 'UNKNOWN_PROFILE',
          ...loc,
          message: `INCLUDE names no PROFILE`,
          expected: profiles.size > 0 ? [...profiles.keys()].join(', ') : 'a PROFILE defined in this directory',
          found: u.includes[k]!,
        });
        continue;
      }
      devices.push(...p.devices);
      options.push(...p.options);
      if (ipl === null) ipl = p.ipl;
      if (style === null) style = p.style;
      if (machine.maxCpus === 1 && machine.mode === 'ESA') machine = p.machine;
    }
    // SIE relocates the guest by MSO/MSE in 64K units (isa-core's SIE): say so here rather than at every LOGON.
    if (style?.style === 'sie' && u.storage % SIE_UNIT !== 0) {
      errors.push({
        code: 'STORAGE_RANGE',
        ...style.at,
        message: `OPTION SIE needs logon storage in 64K units; USER ${u.name} has ${u.storage / 1024}K`,
        expected: 'a storage size that is a multiple of 64K, or OPTION TRAPEMULATE',
        found: style.text,
        related: { file: u.file, line: u.line, column: u.column },
      });
    }
    const own = new Set(u.devices.map((d) => d.vdev));
    devices = devices.filter((d) => !own.has(d.vdev)).concat(u.devices);
    result.set(u.name, {
      userid: u.name,
      file: u.file,
      line: u.line,
      column: u.column,
      password: u.password,
      storage: u.storage,
      maxStorage: u.maxStorage,
      privilegeClasses: u.privilegeClasses,
      machine,
      ipl,
      options: options.concat(u.options),
      executionStyle: style?.style ?? null,
      devices,
      includes: u.includes,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { users: result } };
}

const STATEMENTS = new Set([
  'DIRECTORY',
  'PROFILE',
  'USER',
  'INCLUDE',
  'MACHINE',
  'IPL',
  'OPTION',
  'CONSOLE',
  'SPOOL',
  'LINK',
  'MDISK',
  'DEDICATE',
]);

/** "16M" → bytes; null unless a multiple of 4 KB between 4K and 2G. */
export function storageOf(text: string): number | null {
  const m = /^(\d{1,10})([KMG])$/i.exec(text);
  if (!m) return null;
  const unit = m[2]!.toUpperCase() === 'K' ? 1024 : m[2]!.toUpperCase() === 'M' ? 1024 * 1024 : 1024 * 1024 * 1024;
  const bytes = Number(m[1]) * unit;
  if (bytes <= 0 || bytes > MAX_STORAGE || bytes % 4096 !== 0) return null;
  return bytes;
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(3, '0');
}
