/**
 * Parser for the console log of Debian's Hercules 3.13 run headless
 * (`hercules -f CONF -d` with HERCULES_RC naming the script).
 *
 * What the log looks like (learned by running 3.13, see README):
 * - every script command is echoed verbatim on its own line, then what it
 *   prints; `*` comments are echoed, `#` comments and `pause` lines are not
 *   (`pause` prints HHCPN011I/HHCPN012I instead);
 * - messages of other threads (CPU, timer, automatic operator) interleave
 *   anywhere, each `HHCxxnnnS text` plus continuation lines indented by spaces;
 * - `gpr`/`cr`: four `GRnn=xxxxxxxx` (`CRnn=`) per line separated by two
 *   spaces; with NUMCPU > 1 each line starts `CPUnnnn: `;
 * - `psw`: a field line `psw sm=.. pk=. cmwp=. as=... cc=. pm=. am=.. ia=...`
 *   then `PSW=xxxxxxxx xxxxxxxx`;
 * - `r`: lines `R:xxxxxxxx:K:kk=` + 36 columns of hex (a space after every
 *   byte that ends a word) + a space + up to 16 EBCDIC characters shown as
 *   ASCII ('.' when unprintable); `R:xxxxxxxx: Real address is not valid`
 *   beyond main storage;
 * - a program check (HHCCP014I) is followed by a `PSW=… INST=…` line and the
 *   general registers of the failing CPU.
 */

/** A general- or control-register display: 16 unsigned 32-bit values. */
export interface RegisterBlock {
  readonly kind: 'gpr' | 'cr';
  /** CPU address when Hercules prefixed the lines with `CPUnnnn:` (NUMCPU > 1), else null. */
  readonly cpu: number | null;
  readonly values: readonly number[];
}

/** The fields line Hercules 3.13 prints before `PSW=` for the `psw` command. */
export interface PswFields {
  readonly sm: number;
  readonly pk: number;
  readonly cmwp: number;
  readonly as: string;
  readonly cc: number;
  readonly pm: number;
  readonly am: number;
  readonly ia: number;
}

/** One `PSW=xxxxxxxx xxxxxxxx` display (ESA/390 PSW, two unsigned words). */
export interface PswDisplay {
  readonly kind: 'psw';
  readonly high: number;
  readonly low: number;
  /** The 16 hex digits of the PSW, upper case. */
  readonly hex: string;
  readonly fields: PswFields | null;
}

/** One line of an `r` (real storage) display. */
export interface StorageLine {
  readonly kind: 'storage';
  /** Real address of the first byte shown. */
  readonly address: number;
  /** Storage key byte shown after `K:` (Hercules 3.13 keeps one per 2 KB block). */
  readonly key: number;
  /** The bytes shown (16, or fewer at the end of a 4 KB page). */
  readonly bytes: readonly number[];
  /** The character column as printed. */
  readonly chars: string;
  readonly text: string;
}

/** `R:xxxxxxxx: Real address is not valid`. */
export interface StorageInvalid {
  readonly kind: 'storage-invalid';
  readonly address: number;
}

/** A program interruption logged by HHCCP014I. */
export interface ProgramCheckInfo {
  /** Exception name as Hercules spells it ("Operation exception"). */
  readonly name: string;
  /** Program-interruption code (POP: X'0001' operation … ). */
  readonly code: number;
  readonly ilc: number;
  /** The PSW shown on the following line (the program old PSW), when present. */
  readonly psw: readonly [number, number] | null;
  /** The rest of that line (`INST=… mnemonic …` or `Instruction fetch error`). */
  readonly instruction: string;
  /** The general registers shown after it, when present. */
  readonly gpr: readonly number[] | null;
}

/** One Hercules message (`HHCxxnnnS text`) with its continuation lines. */
export interface HerculesMessage {
  readonly kind: 'message';
  /** Message identifier, e.g. `HHCCP011I`. */
  readonly id: string;
  /** Severity letter: I, W, E, S, D, A. */
  readonly severity: string;
  /** Text after the identifier on the first line. */
  readonly text: string;
  /** Every line of the message as printed, the first included. */
  readonly lines: readonly string[];
  /** CPU address from `CPUnnnn:` in the text, or null. */
  readonly cpu: number | null;
  /** Set for HHCCP014I. */
  readonly programCheck: ProgramCheckInfo | null;
  /** Set for HHCCP011I (disabled wait) and HHCCP016I (program interrupt loop): the PSW shown. */
  readonly stopPsw: readonly [number, number] | null;
}

/** The echo of a script command. */
export interface CommandEcho {
  readonly kind: 'command';
  readonly text: string;
  /** 1-based line of the command in the script that was run. */
  readonly scriptLine: number;
}

/** `Prefix=xxxxxxxx` from the `pr` command. */
export interface PrefixDisplay {
  readonly kind: 'prefix';
  readonly value: number;
}

/** A line nothing above recognises. */
export interface OtherLine {
  readonly kind: 'text';
  readonly text: string;
}

export type HerculesItem =
  | CommandEcho
  | RegisterBlock
  | PswDisplay
  | StorageLine
  | StorageInvalid
  | PrefixDisplay
  | HerculesMessage
  | OtherLine;

/** One script command and everything printed while it was the current command. */
export interface CommandOutput {
  readonly text: string;
  readonly scriptLine: number;
  /** Displays and other lines the command printed (messages excluded), in order. */
  readonly items: readonly Exclude<HerculesItem, HerculesMessage | CommandEcho>[];
  /** Messages that appeared while this command was current (from any thread). */
  readonly messages: readonly HerculesMessage[];
}

/** Parsed log of one Hercules run. */
export interface HerculesOutput {
  readonly items: readonly HerculesItem[];
  /** Output before the first echoed command (start-up messages). */
  readonly preamble: readonly HerculesItem[];
  readonly commands: readonly CommandOutput[];
  readonly messages: readonly HerculesMessage[];
  readonly gprs: readonly RegisterBlock[];
  readonly crs: readonly RegisterBlock[];
  readonly psws: readonly PswDisplay[];
  readonly storage: readonly StorageLine[];
  readonly programChecks: readonly (ProgramCheckInfo & { readonly cpu: number | null })[];
  /** HHCCP011I disabled waits, with the CPU and the wait PSW. */
  readonly disabledWaits: readonly { readonly cpu: number | null; readonly psw: readonly [number, number] }[];
}

/** A command line of a script as Hercules 3.13 processes it. */
export interface ScriptCommand {
  /** The text Hercules echoes (comments removed, whitespace trimmed). */
  readonly text: string;
  readonly line: number;
  /** True for `pause N` lines, which are not echoed. */
  readonly pause: boolean;
}

/**
 * The commands of a script as Hercules 3.13's script processor sees them:
 * trailing white space removed, blank lines and `#` comment lines skipped,
 * `*` comment lines echoed as they are, `# …` removed from the end of other
 * lines, `pause` handled by the script processor itself (not echoed).
 */
export function scriptCommands(script: string): ScriptCommand[] {
  const out: ScriptCommand[] = [];
  const lines = script.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let text = (lines[i] ?? '').replace(/\s+$/, '');
    if (text === '' || text.startsWith('#')) continue;
    if (text.startsWith('*')) {
      out.push({ text, line: i + 1, pause: false });
      continue;
    }
    const hash = text.indexOf('#');
    if (hash > 0) text = text.slice(0, hash).replace(/\s+$/, '');
    if (text.toLowerCase().startsWith('pause')) {
      out.push({ text, line: i + 1, pause: true });
      continue;
    }
    text = text.replace(/^\s+/, '');
    if (text === '') continue;
    out.push({ text, line: i + 1, pause: false });
  }
  return out;
}

const MESSAGE = /^(HHC[A-Z]{2}\d{3})([A-Z])\s?(.*)$/;
const CONTINUATION = /^\s{2,}\S/;
const REG_LINE = /^(?:CPU([0-9A-F]{4}): )?(GR|CR)(\d\d)=[0-9A-F]{8}/;
const REG_PAIR = /(GR|CR)(\d\d)=([0-9A-F]{8})/g;
const PSW_FIELDS =
  /^psw sm=([0-9A-F]{2}) pk=(\d+) cmwp=([0-9A-F]) as=(\w+) cc=(\d) pm=([0-9A-F]) am=(\d+) ia=([0-9A-F]+)\s*$/;
const PSW_LINE = /^(?:CPU([0-9A-F]{4}):\s+)?PSW=([0-9A-F]{8}) ([0-9A-F]{8})(.*)$/;
const STORAGE_LINE = /^R:([0-9A-F]{8,16}):K:([0-9A-F]{2})=(.*)$/;
const STORAGE_INVALID = /^R:([0-9A-F]{8,16}): Real address is not valid\s*$/;
const PREFIX = /^Prefix=([0-9A-F]{8,16})\s*$/;
const CPU_IN_TEXT = /^CPU([0-9A-F]{4}):/;
const PROGRAM_CHECK = /^CPU([0-9A-F]{4}): (.+?) CODE=([0-9A-F]{4}) ILC=(\d)/;
const WAIT_PSW = /PSW=([0-9A-F]{8}) ([0-9A-F]{8})/;

function hex(s: string): number {
  return Number.parseInt(s, 16) >>> 0;
}

/** Parse the hex part and character column of an `R:` line (after `=`). */
function parseStorageBody(body: string): { bytes: number[]; chars: string } {
  // 36 columns of hex (padded with spaces at a page end), one space, the characters.
  const hexPart = body.slice(0, 36);
  const chars = body.length > 37 ? body.slice(37) : '';
  const digits = hexPart.replace(/\s+/g, '');
  const bytes: number[] = [];
  for (let i = 0; i + 1 < digits.length; i += 2) bytes.push(Number.parseInt(digits.slice(i, i + 2), 16));
  return { bytes, chars };
}

interface MutableMessage {
  kind: 'message';
  id: string;
  severity: string;
  text: string;
  lines: string[];
  cpu: number | null;
  programCheck: {
    name: string;
    code: number;
    ilc: number;
    psw: [number, number] | null;
    instruction: string;
    gpr: number[] | null;
  } | null;
  stopPsw: [number, number] | null;
}

/**
 * Parse a Hercules 3.13 console log. `script` is the script that was run (its
 * commands are matched to their echoes in order, so a display is attributed
 * to the command that printed it even when other threads' messages
 * interleave). Without a script, no command echoes are recognised.
 */
export function parseHerculesOutput(raw: string, script?: string): HerculesOutput {
  const expected = script === undefined ? [] : scriptCommands(script).filter((c) => !c.pause);
  let next = 0;
  const items: HerculesItem[] = [];
  const lines = raw.split(/\r?\n/);
  let message: MutableMessage | null = null;
  // A program-check message owns the PSW/INST line and the registers right after it.
  let programCheckOpen: MutableMessage | null = null;
  let regAcc: { kind: 'gpr' | 'cr'; cpu: number | null; values: number[] } | null = null;
  let pendingFields: PswFields | null = null;
  // A wait message whose PSW line was split off by an interleaved echo.
  let stopPending: MutableMessage | null = null;

  const flushRegs = (): void => {
    if (regAcc !== null && regAcc.values.length === 16) {
      const owner = programCheckOpen;
      if (owner?.programCheck && regAcc.kind === 'gpr' && owner.programCheck.gpr === null) {
        owner.programCheck.gpr = regAcc.values;
      } else {
        items.push({ kind: regAcc.kind, cpu: regAcc.cpu, values: regAcc.values });
      }
    }
    regAcc = null;
  };

  const consume = (line: string): void => {
    if (line === '') return;
    // Hercules writes a message's continuation line in pieces, so another
    // thread's line can land inside it: "          " + "sh sleep 0.02\n" +
    // "PSW=…\n". The echo is therefore looked for first, even indented.
    const exp = expected[next];
    let echo = exp !== undefined && line.trim() === exp.text ? exp : undefined;
    if (echo === undefined && exp !== undefined && line.endsWith(exp.text) && /\s$/.test(line.slice(0, -exp.text.length))) {
      // The echo landed at the end of another thread's half-written line:
      // that line's first part came before it.
      const head = line.slice(0, -exp.text.length);
      if (head.trim() !== '') consume(head.replace(/\s+$/, ''));
      echo = exp;
    }
    if (echo === undefined && line.startsWith('*')) {
      // A missed echo must not shift every later command: resynchronise at `*` markers.
      const text = line.trim();
      for (let k = next + 1; k < expected.length; k++) {
        if (expected[k]!.text === text) {
          echo = expected[k];
          next = k;
          break;
        }
      }
    }
    if (echo !== undefined) {
      flushRegs();
      programCheckOpen = null;
      pendingFields = null;
      if (message !== null && (message.id === 'HHCCP011I' || message.id === 'HHCCP016I') && message.stopPsw === null) {
        stopPending = message;
      }
      message = null;
      items.push({ kind: 'command', text: echo.text, scriptLine: echo.line });
      next++;
      return;
    }
    // Continuation of the current message.
    if (message !== null && CONTINUATION.test(line) && !REG_LINE.test(line.trimStart())) {
      message.lines.push(line);
      const w = WAIT_PSW.exec(line);
      if (w && (message.id === 'HHCCP011I' || message.id === 'HHCCP016I') && message.stopPsw === null) {
        message.stopPsw = [hex(w[1]!), hex(w[2]!)];
      }
      return;
    }
    message = null;

    const m = MESSAGE.exec(line);
    if (m) {
      flushRegs();
      const text = m[3] ?? '';
      const cpuMatch = CPU_IN_TEXT.exec(text);
      const msg: MutableMessage = {
        kind: 'message',
        id: `${m[1]}${m[2]}`,
        severity: m[2]!,
        text,
        lines: [line],
        cpu: cpuMatch ? hex(cpuMatch[1]!) : null,
        programCheck: null,
        stopPsw: null,
      };
      const pc = m[1] === 'HHCCP014' ? PROGRAM_CHECK.exec(text) : null;
      if (pc) {
        msg.programCheck = { name: pc[2]!, code: hex(pc[3]!), ilc: Number(pc[4]), psw: null, instruction: '', gpr: null };
        programCheckOpen = msg;
      } else {
        programCheckOpen = null;
      }
      const w = m[1] === 'HHCCP016' ? WAIT_PSW.exec(text) : null;
      if (w) msg.stopPsw = [hex(w[1]!), hex(w[2]!)];
      message = msg;
      items.push(msg);
      return;
    }

    const reg = REG_LINE.exec(line);
    if (reg) {
      const kind = reg[2] === 'GR' ? 'gpr' : 'cr';
      const cpu = reg[1] !== undefined ? hex(reg[1]) : null;
      const first = Number(reg[3]);
      if (first === 0 || regAcc === null || regAcc.kind !== kind || regAcc.values.length !== first) {
        flushRegs();
        regAcc = { kind, cpu, values: [] };
      }
      if (first !== 0 && regAcc.values.length !== first) {
        // A fragment that does not start a block: keep it as text.
        items.push({ kind: 'text', text: line });
        regAcc = null;
        return;
      }
      for (const p of line.matchAll(REG_PAIR)) regAcc.values.push(hex(p[3]!));
      if (regAcc.values.length >= 16) flushRegs();
      return;
    }
    flushRegs();

    const pf = PSW_FIELDS.exec(line);
    if (pf) {
      pendingFields = {
        sm: hex(pf[1]!),
        pk: Number(pf[2]),
        cmwp: hex(pf[3]!),
        as: pf[4]!,
        cc: Number(pf[5]),
        pm: hex(pf[6]!),
        am: Number(pf[7]),
        ia: hex(pf[8]!),
      };
      return;
    }

    const p = PSW_LINE.exec(line);
    if (p) {
      const high = hex(p[2]!);
      const low = hex(p[3]!);
      const rest = (p[4] ?? '').trim();
      if (stopPending !== null && pendingFields === null && rest === '' && p[1] === undefined) {
        stopPending.stopPsw = [high, low];
        stopPending.lines.push(line);
        stopPending = null;
        return;
      }
      if (programCheckOpen?.programCheck && programCheckOpen.programCheck.psw === null && rest !== '') {
        programCheckOpen.programCheck.psw = [high, low];
        programCheckOpen.programCheck.instruction = rest;
        programCheckOpen.lines.push(line);
        return;
      }
      items.push({ kind: 'psw', high, low, hex: `${p[2]}${p[3]}`, fields: pendingFields });
      pendingFields = null;
      return;
    }
    pendingFields = null;

    const inv = STORAGE_INVALID.exec(line);
    if (inv) {
      items.push({ kind: 'storage-invalid', address: hex(inv[1]!) });
      return;
    }
    const st = STORAGE_LINE.exec(line);
    if (st) {
      const { bytes, chars } = parseStorageBody(st[3]!);
      items.push({ kind: 'storage', address: hex(st[1]!), key: hex(st[2]!), bytes, chars, text: line });
      return;
    }
    const pr = PREFIX.exec(line);
    if (pr) {
      items.push({ kind: 'prefix', value: hex(pr[1]!) });
      return;
    }
    items.push({ kind: 'text', text: line });
  };

  for (const line of lines) consume(line);
  flushRegs();
  return assemble(items);
}

function assemble(items: HerculesItem[]): HerculesOutput {
  const preamble: HerculesItem[] = [];
  const commands: { text: string; scriptLine: number; items: CommandOutput['items'][number][]; messages: HerculesMessage[] }[] = [];
  const messages: HerculesMessage[] = [];
  const gprs: RegisterBlock[] = [];
  const crs: RegisterBlock[] = [];
  const psws: PswDisplay[] = [];
  const storage: StorageLine[] = [];
  const programChecks: (ProgramCheckInfo & { cpu: number | null })[] = [];
  const disabledWaits: { cpu: number | null; psw: readonly [number, number] }[] = [];
  for (const item of items) {
    const current = commands[commands.length - 1];
    switch (item.kind) {
      case 'command':
        commands.push({ text: item.text, scriptLine: item.scriptLine, items: [], messages: [] });
        continue;
      case 'message':
        messages.push(item);
        if (item.programCheck) programChecks.push({ ...item.programCheck, cpu: item.cpu });
        if (item.id === 'HHCCP011I' && item.stopPsw) disabledWaits.push({ cpu: item.cpu, psw: item.stopPsw });
        if (current) current.messages.push(item);
        else preamble.push(item);
        continue;
      case 'gpr':
        gprs.push(item);
        break;
      case 'cr':
        crs.push(item);
        break;
      case 'psw':
        psws.push(item);
        break;
      case 'storage':
        storage.push(item);
        break;
      default:
        break;
    }
    if (current) current.items.push(item);
    else preamble.push(item);
  }
  return { items, preamble, commands, messages, gprs, crs, psws, storage, programChecks, disabledWaits };
}

/** A part of a run that starts at a `*` comment line (e.g. `* CASE 17`). */
export interface HerculesSection {
  /** The comment text without the leading `*` and surrounding blanks; '' for commands before the first comment. */
  readonly title: string;
  readonly commands: readonly CommandOutput[];
}

/** Split a run's commands at `*` comment echoes. */
export function splitSections(output: HerculesOutput): HerculesSection[] {
  const sections: { title: string; commands: CommandOutput[] }[] = [];
  let current: { title: string; commands: CommandOutput[] } | null = null;
  for (const c of output.commands) {
    if (c.text.startsWith('*')) {
      current = { title: c.text.slice(1).trim(), commands: [] };
      sections.push(current);
      continue;
    }
    if (current === null) {
      current = { title: '', commands: [] };
      sections.push(current);
    }
    current.commands.push(c);
  }
  return sections;
}

/** The bytes an `r` display showed, gathered from several lines, keyed by real address. */
export function storageBytes(lines: readonly StorageLine[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const l of lines) for (let i = 0; i < l.bytes.length; i++) map.set((l.address + i) >>> 0, l.bytes[i]!);
  return map;
}
