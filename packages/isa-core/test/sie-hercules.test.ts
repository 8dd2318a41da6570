/**
 * Differential test of the interpretive-execution facility (SIE, B214)
 * against Debian's Hercules 3.13 in ESA/390 mode: each case is one console
 * script in which a host program at X'200' issues SIE on a format-1 state
 * description at X'8000' (an XA-mode guest at MSO 2 / MSE 3, PSW at guest
 * X'1000') and then loads a disabled wait. The script runs unchanged on
 * Hercules and on isa-core's console with `InterpretiveExecution` installed;
 * the host PSW and registers, the state description stored back (interception
 * code, IPA/IPB, guest PSW, GR14-15, control registers, interruption
 * parameters) and the guest's storage seen through the host must agree,
 * except where a rule below explains why not.
 */
import {
  type CommandOutput,
  endsInWait,
  herculesAvailable,
  parseHerculesOutput,
  runHerculesCases,
} from '@strachey/hercules-oracle';
import {
  assemble,
  InterpretiveExecution,
  runConsoleScript,
  SIE_ICPT,
  SIE_VALIDITY,
} from '@strachey/isa-core';
import { beforeAll, describe, expect, it } from 'vitest';

/** Host absolute addresses: the state description, guest absolute 0 (MSO 2). */
const SD = 0x8000;
const GUEST = 0x20000;

interface SieCase {
  readonly id: string;
  /**
   * Guest assembler statements after the common opening (see `guestProgram`); addresses are guest
   * absolute and the guest PSW starts at X'1000'.
   */
  readonly guest: string;
  /** False for a guest that does not point GR11 at its data area X'2000'. */
  readonly dataBase?: false;
  /** State-description bytes to set, by offset (hex), over the common description. */
  readonly sd?: readonly (readonly [offset: number, hex: string])[];
  /** Guest storage to set (`guest-address=hex`), e.g. new PSWs in the guest's prefix area. */
  readonly guestAlter?: readonly string[];
  /** What the case is about: checked on isa-core alone, so a case keeps its point without Hercules. */
  readonly expect: { readonly code: number; readonly ipa?: number; readonly ipb?: number };
}

/**
 * The description every case starts from. RCPO (SD+X'60') is non-zero
 * because Hercules 3.13 refuses a non-preferred ESA/390 guest without a
 * reference-and-change-preservation area (validity reason X'0067', see the
 * 'rcpo-zero' rule); isa-core keeps no RCP area and leaves the word alone.
 */
const COMMON_SD: readonly (readonly [offset: number, hex: string])[] = [
  [0x00, '00000020'], // V 0, M: XA guest
  [0x08, '00020003'], // MSO 2, MSE 3
  [0x10, '0E0E0E0E0F0F0F0F'], // guest GR14, GR15
  [0x18, '0008000080001000'], // guest PSW: supervisor, 31-bit, masked, at X'1000'
  [0x60, '0000A000'], // RCPO
  [0x80, '000000E0'], // guest CR0
];

/** Guest new PSWs: disabled waits, so an interruption the guest takes unexpectedly ends SIE with code X'1C'. */
const GUEST_NEW_PSWS = [
  '58=000A000000000E58',
  '60=000A000000000E60',
  '68=000A000000000E68',
  '78=000A000000000E78',
];

/** Guest statements: a divide exception (GR2-GR3 by zero in GR5); GR4 = 1 only if the guest comes back past it. */
const DIVIDE_BY_ZERO = `
         LA    2,7
         SR    3,3
         SR    5,5
         DR    2,5
         LA    4,1`;

/** Guest statements: SVC 23 with GR1 = 9; GR4 = 1 only if the guest comes back past it. */
const SVC_23 = `
         LA    1,9
         SVC   23
         LA    4,1`;

/** `main`, then `handler` at guest X'1100', where a case's guest new PSW (guestAlter) sends the interruption. */
const withHandler = (main: string, handler: string): string => `${main}\n         ORG   G+X'100'${handler}`;

const CASES: readonly SieCase[] = [
  {
    id: 'diagnose',
    guest: `
         LA    3,42
         AHI   3,7
         L     15,=F'-1'
         ST    3,0(11)
         DIAG  2,3,X'008'
         LA    4,1
         LTORG`,
    expect: { code: SIE_ICPT.INSTRUCTION, ipa: 0x8323, ipb: 0x00080000 },
  },
  {
    id: 'ssch',
    guest: `
         L     1,=X'00010000'
         LR    14,11
         SSCH  X'10'(14)
         LTORG`,
    expect: { code: SIE_ICPT.INSTRUCTION, ipa: 0xb233, ipb: 0xe0100000 },
  },
  {
    id: 'program-intercepted',
    // IC0 "all program interruptions": the divide exception goes to the host.
    sd: [[0x48, '20000000']],
    guest: DIVIDE_BY_ZERO,
    expect: { code: SIE_ICPT.PROGRAM },
  },
  {
    id: 'program-in-guest',
    // No IC bit: the guest takes its divide exception; its handler issues DIAGNOSE.
    guestAlter: ['68=0008000080001100'],
    guest: withHandler(
      DIVIDE_BY_ZERO,
      `
         L     6,X'8C'
         DIAG  0,0,X'044'`,
    ),
    expect: { code: SIE_ICPT.INSTRUCTION, ipa: 0x8300, ipb: 0x00440000 },
  },
  {
    id: 'svc-in-guest',
    guestAlter: ['60=0008000080001100'],
    guest: withHandler(
      SVC_23,
      `
         L     6,X'88'
         LR    15,6
         DIAG  0,0,X'000'`,
    ),
    expect: { code: SIE_ICPT.INSTRUCTION, ipa: 0x8300, ipb: 0 },
  },
  {
    id: 'svc-intercepted',
    // SVC controls: intercept the SVC numbered in byte 1 (23).
    sd: [[0x40, '40170000']],
    guestAlter: ['60=0008000080001100'],
    guest: withHandler(
      SVC_23,
      `
         DIAG  0,0,X'000'`,
    ),
    expect: { code: SIE_ICPT.INSTRUCTION, ipa: 0x0a17, ipb: 0 },
  },
  {
    id: 'relocation',
    // The guest writes its absolute X'2000'-X'200F' and its own prefix area: host X'22000', X'20000'.
    guest: `
         LM    2,5,=F'1,2,3,4'
         STM   2,5,0(11)
         MVC   X'200'(8),=CL8'GUEST'
         STCTL 0,0,16(11)
         LPSW  =X'000A000000001234'
         LTORG`,
    expect: { code: SIE_ICPT.WAIT },
  },
  {
    id: 'mse-extent',
    // MSE 3 is the guest's own last 64 KB block, not a host one: guest X'30000' and its last word X'3FFFC' are
    // host X'50000' and X'5FFFC' (MSO 2 + guest address). The guest then loads a wait PSW.
    dataBase: false,
    guest: `
         L     2,=F'305419896'
         L     8,=A(X'30000')
         ST    2,0(8)
         L     3,=A(X'3FFFC')
         ST    2,0(3)
         LPSW  =X'000A000000004321'
         LTORG`,
    expect: { code: SIE_ICPT.WAIT },
  },
  {
    id: 'past-extent',
    // Guest X'40000' is the first byte past the guest's (MSE + 1) x 64 KB: the addressing exception is intercepted
    // (X'08', mandatory whatever IC0 says), not taken by the guest, though its program new PSW is valid. The PSW
    // is stored as the program old PSW would be (past the suppressed L), ILC 4 and code 5 at SD+X'CC'.
    dataBase: false,
    guestAlter: ['68=0008000080001100'],
    guest: withHandler(
      `
         L     3,=A(X'40000')
         L     4,0(3)
         LA    9,1
         LTORG`,
      `
         DIAG  0,0,X'044'`,
    ),
    expect: { code: SIE_ICPT.PROGRAM },
  },
  // Specification, special-operation and protection exceptions are mandatory interceptions too (Hercules 3.13
  // program_interrupt, after SA22-7095; protection unless the protection-interception control, EC2 X'20', is on):
  // each case below gives the guest a valid program new PSW to a DIAGNOSE handler, so a guest that took the
  // exception itself would end SIE with an instruction interception instead of X'08'.
  {
    id: 'specification-odd-pair',
    // DR needs an even R1 (an even-odd pair): GR3 is odd. Suppressed, ILC 2, code 6.
    guestAlter: ['68=0008000080001100'],
    guest: withHandler(
      `
         LA    3,7
         LA    5,2
         DR    3,5
         LA    9,1`,
      `
         DIAG  0,0,X'044'`,
    ),
    expect: { code: SIE_ICPT.PROGRAM },
  },
  {
    id: 'specification-lpsw-operand',
    // LPSW's operand must be on a doubleword boundary: X'2004' is not. Suppressed, ILC 4, code 6.
    guestAlter: ['68=0008000080001100'],
    guest: withHandler(
      `
         LPSW  4(11)
         LA    9,1`,
      `
         DIAG  0,0,X'044'`,
    ),
    expect: { code: SIE_ICPT.PROGRAM },
  },
  {
    id: 'specification-odd-psw',
    // LPSW of a PSW with an odd instruction address: the specification exception is recognized when the next
    // instruction would be fetched.
    guestAlter: ['68=0008000080001100'],
    guest: withHandler(
      `
         LPSW  =X'0008000080001201'
         LTORG`,
      `
         DIAG  0,0,X'044'`,
    ),
    expect: { code: SIE_ICPT.PROGRAM },
  },
  {
    id: 'specification-invalid-psw',
    // LPSW of a PSW with bits 24-31 on: an early specification exception, ILC 0, the PSW stored as loaded.
    guestAlter: ['68=0008000080001100'],
    guest: withHandler(
      `
         LPSW  =X'0008001280001200'
         LTORG`,
      `
         DIAG  0,0,X'044'`,
    ),
    expect: { code: SIE_ICPT.PROGRAM },
  },
  {
    id: 'special-operation-sac',
    // SET ADDRESS SPACE CONTROL with DAT off: special-operation exception (X'13'), ILC 4.
    guestAlter: ['68=0008000080001100'],
    guest: withHandler(
      `
         SAC   0
         LA    9,1`,
      `
         DIAG  0,0,X'044'`,
    ),
    expect: { code: SIE_ICPT.PROGRAM },
  },
  {
    id: 'special-operation-ssm',
    // Guest CR0 bit 1 (SSM suppression): SET SYSTEM MASK is a special-operation exception.
    sd: [[0x80, '400000E0']],
    guestAlter: ['68=0008000080001100'],
    guest: withHandler(
      `
         SSM   0(11)
         LA    9,1`,
      `
         DIAG  0,0,X'044'`,
    ),
    expect: { code: SIE_ICPT.PROGRAM },
  },
  {
    id: 'protection-low-address',
    // Guest CR0 bit 3 (low-address protection): a store at guest X'100' is a protection exception, intercepted
    // because the protection-interception control (EC2 X'20') is off.
    sd: [[0x80, '100000E0']],
    guestAlter: ['68=0008000080001100'],
    guest: withHandler(
      `
         LA    3,X'100'
         ST    3,0(3)
         LA    9,1`,
      `
         DIAG  0,0,X'044'`,
    ),
    expect: { code: SIE_ICPT.PROGRAM },
  },
  {
    id: 'protection-guest-control',
    // The same store with EC2 X'20' on: the guest takes its own protection exception and its handler's DIAGNOSE
    // is intercepted.
    sd: [
      [0x80, '100000E0'],
      [0x4c, '00002000'],
    ],
    guestAlter: ['68=0008000080001100'],
    guest: withHandler(
      `
         LA    3,X'100'
         ST    3,0(3)
         LA    9,1`,
      `
         L     6,X'8C'
         DIAG  0,0,X'044'`,
    ),
    expect: { code: SIE_ICPT.INSTRUCTION, ipa: 0x8300, ipb: 0x00440000 },
  },
  {
    id: 'protection-key',
    // Key-controlled protection: the guest sets key X'30' on its page X'4000', then loads PSW key 1 and stores
    // into that page (at guest X'1080').
    guestAlter: ['68=0008000080001100'],
    guest: withHandler(
      `
         LA    2,X'30'
         LA    3,X'800'
         SLL   3,3
         SSKE  2,3
         LPSW  =X'0018000080001080'
         LTORG
         ORG   G+X'80'
         ST    3,0(3)
         LA    9,1`,
      `
         DIAG  0,0,X'044'`,
    ),
    expect: { code: SIE_ICPT.PROGRAM },
  },
  {
    id: 'stosm-intercepted',
    // IC1 X'01' is the STOSM control (X'02' is STNSM's, Hercules SIE_IC1_STOSM / SIE_IC1_STNSM): STOSM is
    // intercepted, IPA/IPB hold it.
    sd: [[0x48, '00010000']],
    guest: `
         STOSM 0(11),X'00'
         LA    4,1`,
    expect: { code: SIE_ICPT.INSTRUCTION, ipa: 0xad00, ipb: 0xb0000000 },
  },
  {
    id: 'stnsm-intercepted',
    // IC1 X'02': STNSM is intercepted.
    sd: [[0x48, '00020000']],
    guest: `
         STNSM 0(11),X'FF'
         LA    4,1`,
    expect: { code: SIE_ICPT.INSTRUCTION, ipa: 0xacff, ipb: 0xb0000000 },
  },
  {
    id: 'validity-mode',
    // M byte without the XA bit: no guest mode this facility runs.
    sd: [[0x00, '00000000']],
    guest: `
         DIAG  0,0,0`,
    expect: { code: SIE_ICPT.VALIDITY, ipb: (SIE_VALIDITY.INVALID_MODE << 16) >>> 0 },
  },
  {
    id: 'validity-prefix',
    // Guest prefix X'40000': the first page past the guest's (MSE + 1) x 64 KB.
    sd: [[0x04, '00040000']],
    guest: `
         DIAG  0,0,0`,
    expect: { code: SIE_ICPT.VALIDITY, ipb: (SIE_VALIDITY.PREFIX_OUTSIDE_EXTENT << 16) >>> 0 },
  },
];

/**
 * A case's whole guest program: origin X'1000' with GR12 as base register and,
 * unless the case says otherwise, GR11 = X'2000' (the data area the guests
 * store into), then the case's own statements.
 */
function guestProgram(c: SieCase): string {
  const dataBase = c.dataBase === false ? '' : "\n         LA    11,X'800'\n         SLL   11,2";
  return `\nG        START X'1000'\n         BASR  12,0\n         USING *,12${dataBase}${c.guest}\n         END   G`;
}

const hex = (n: number, w: number): string => (n >>> 0).toString(16).toUpperCase().padStart(w, '0');

/** A state-description byte, halfword or word of a displayed end state (keys `sd OO`). */
const sdByte = (s: Map<string, string>, o: number): number =>
  Number.parseInt(s.get(`sd ${hex(o, 2)}`) ?? 'NaN', 16);
const sdHalf = (s: Map<string, string>, o: number): number => (sdByte(s, o) << 8) | sdByte(s, o + 1);
const sdWord = (s: Map<string, string>, o: number): number => ((sdHalf(s, o) << 16) | sdHalf(s, o + 2)) >>> 0;

/** Assembled bytes at `base + address`, as `r ADDR=HEX` lines of at most 16 bytes. */
function alterLines(source: string, base: number): string[] {
  const r = assemble(source);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  const lines: string[] = [];
  for (const c of r.chunks) {
    for (let i = 0; i < c.bytes.length; i += 16) {
      const part = Array.from(c.bytes.subarray(i, i + 16), (b) => hex(b, 2)).join('');
      lines.push(`r ${hex(base + c.address + i, 5)}=${part}`);
    }
  }
  return lines;
}

const HOST = `
H        START X'200'
         LCTL  0,1,X'310'
         LA    1,X'800'
         SLL   1,4
         SIE   0(1)
         LPSW  X'300'
         END   H`;

/**
 * Host DAT tables that map the first megabyte onto itself, and host CR0/CR1
 * designating them (loaded by the host program from X'310'): Hercules
 * reaches a pageable guest's storage through the host's translation tables
 * (see the 'host-dat' rule), so with these tables both implementations mean
 * the same host bytes by guest absolute address + MSO. Segment table at
 * X'4000' (one entry), page table at X'5000' (256 entries).
 */
const HOST_DAT: readonly string[] = (() => {
  const lines = ['r 310=00B000E000004000', 'r 4000=0000500F'];
  for (let page = 0; page < 256; page += 4) {
    const entries = [0, 1, 2, 3].map((i) => hex((page + i) << 12, 8)).join('');
    lines.push(`r ${hex(0x5000 + page * 4, 5)}=${entries}`);
  }
  return lines;
})();

/** Storage each case displays: the state description, the guest's prefix area, code and data. */
const SHOWN: readonly [number, number][] = [
  [SD, 0x100],
  [GUEST, 0x210],
  [GUEST + 0x1000, 0x120],
  [GUEST + 0x2000, 0x20],
  [GUEST + 0x30000, 0x10],
  [GUEST + 0x3fff0, 0x20],
];

/**
 * The case's console script. The host's new PSWs and its end PSW at X'300'
 * are disabled waits tagged with the case's index in bits 8-15 of the address
 * (as in system-hercules.test.ts), so that a display left over from the
 * previous case in the same Hercules process is told apart.
 */
function script(c: SieCase, tag: number): string {
  const t = hex(tag & 0xff, 2);
  const sd = new Map<number, string>([...COMMON_SD, ...(c.sd ?? [])]);
  const lines = [
    'sysclear',
    'r 0=0008000000000200',
    `r 58=000A000000${t}0BEE`,
    `r 60=000A000000${t}05C5`,
    `r 68=000A000000${t}0DEA`,
    `r 300=000A000000${t}0000`,
    ...alterLines(HOST, 0),
    ...HOST_DAT,
    ...[...sd].map(([o, v]) => `r ${hex(SD + o, 5)}=${v}`),
    ...[...GUEST_NEW_PSWS, ...(c.guestAlter ?? [])].map((a) => {
      const [addr, value] = a.split('=');
      return `r ${hex(GUEST + Number.parseInt(addr!, 16), 5)}=${value}`;
    }),
    ...alterLines(guestProgram(c), GUEST),
    'restart',
    'pause 1',
    'psw',
    'gpr',
    ...SHOWN.map(([a, l]) => `r ${hex(a, 5)}.${hex(l, 3)}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Finished, and finished this case: the last PSW shown is a wait PSW carrying the case's tag. */
function finishedThisCase(commands: readonly CommandOutput[]): boolean {
  if (!endsInWait(commands)) return false;
  let tag: number | null = null;
  for (const c of commands) {
    const m = /^r 300=000A000000([0-9A-F]{2})0000$/i.exec(c.text.trim());
    if (m) tag = Number.parseInt(m[1]!, 16);
  }
  let ia = -1;
  for (const c of commands) for (const item of c.items) if (item.kind === 'psw') ia = item.low & 0x7fffffff;
  return tag !== null && ia >>> 16 === tag;
}

/**
 * Where Hercules 3.13 and isa-core differ, with the reason (as
 * test/differential/explained.ts does for instructions). A rule either only
 * documents a setup both runs share, or rewrites Hercules' displayed state
 * into isa-core's convention for exactly the fields it names; everything
 * else the case displays must be equal byte for byte.
 */
const EXPLAINED: readonly {
  readonly rule: string;
  readonly why: string;
  readonly adjust?: (hercules: Map<string, string>) => void;
}[] = [
  {
    rule: 'host-dat',
    why:
      "Hercules treats guest absolute + MSO as a host primary virtual address and translates it through the host's DAT tables " +
      '(host CR0/CR1 at SIE time, even with the host PSW DAT bit off; without valid tables the host takes a translation-specification ' +
      'exception on SIE), as a pageable (V=V) guest is defined. isa-core relocates by MSO in host absolute storage (through the host ' +
      "CPU's own host layer only). Every case gives the host identity tables (HOST_DAT), so both mean the same bytes.",
  },
  {
    rule: 'rcpo-zero',
    why:
      "Hercules 3.13 refuses a non-preferred ESA/390 guest whose RCPO (SD+X'60') is zero (validity interception, IPB X'0067'); " +
      'isa-core keeps no reference-and-change-preservation area and leaves the word alone. Every case sets RCPO.',
  },
  {
    rule: 'cpu-timer',
    why: "The guest CPU timer (SD+X'28') runs on Hercules' wall clock while the guest executes: its stored value is not reproducible.",
    adjust: (h) => {
      for (let o = 0x28; o < 0x30; o++) h.delete(`sd ${hex(o, 2)}`);
    },
  },
  {
    rule: 'validity-who-when',
    why:
      "With a validity interception (X'20') Hercules also fills IPA with who found the fault and when (its vi_who X'01' CPU, " +
      "vi_when X'10' SIE entry); isa-core stores the reason in IPB's high halfword only and IPA as zero.",
    adjust: (h) => {
      if (sdByte(h, 0x50) !== SIE_ICPT.VALIDITY || sdHalf(h, 0x56) !== 0x0110) return;
      h.set('sd 56', '00');
      h.set('sd 57', '00');
    },
  },
  {
    rule: 'odd-fetch-ilc',
    why:
      'A specification exception for an odd instruction address is recognized at the fetch, after the instruction that ' +
      'introduced the address completed. Hercules 3.13 reports the ILC that instruction left (4 after the LPSW of case ' +
      "'specification-odd-psw'; bare Hercules does the same: 'Specification exception CODE=0006 ILC=4' for LPSW of PSW " +
      "00080000 80000401). isa-core's CPU reports ILC 2 for every odd-address fetch, bare or under SIE, and the facility " +
      "stores what the guest would have seen bare; so only the ILC byte at SD+X'CD' differs, and only for this exception.",
    adjust: (h) => {
      if (sdByte(h, 0x50) !== SIE_ICPT.PROGRAM || sdHalf(h, 0xce) !== 0x0006) return;
      if ((sdWord(h, 0x1c) & 1) === 0) return;
      h.set('sd CD', '02');
    },
  },
];

/** The state a case's displays show, keyed so two runs can be compared entry by entry. */
function endState(commands: readonly CommandOutput[]): Map<string, string> {
  const out = new Map<string, string>();
  const shown = (a: number) => SHOWN.some(([lo, l]) => a >= lo && a < lo + l);
  for (const cmd of commands) {
    for (const item of cmd.items) {
      if (item.kind === 'psw') out.set('psw', item.hex);
      else if (item.kind === 'gpr') for (const [i, v] of item.values.entries()) out.set(`GR${i}`, hex(v, 8));
      else if (item.kind === 'storage' && !cmd.text.includes('=')) {
        item.bytes.forEach((b, i) => {
          const a = item.address + i;
          if (!shown(a)) return;
          const key = a >= SD && a < SD + 0x100 ? `sd ${hex(a - SD, 2)}` : `host ${hex(a, 5)}`;
          out.set(key, hex(b, 2));
        });
      }
    }
  }
  return out;
}

function onIsaCore(c: SieCase): Map<string, string> {
  const src = script(c, CASES.indexOf(c));
  const r = runConsoleScript(src, `${c.id}.rc`, {
    echo: true,
    budget: 100_000,
    machine: { sie: new InterpretiveExecution() },
  });
  if (!r.ok)
    throw new Error(`${c.id}: ${r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('; ')}`);
  if (r.error) throw new Error(`${c.id}: ${r.error.message}`);
  return endState(parseHerculesOutput(r.output.join('\n'), src).commands);
}

const live = herculesAvailable();
if (!live)
  console.warn(
    'SIE differential: `hercules` not found on PATH (apt-get install hercules): comparison skipped',
  );

describe('SIE: isa-core against Hercules 3.13', () => {
  const hercules = new Map<string, Map<string, string>>();

  beforeAll(async () => {
    if (!live) return;
    const results = await runHerculesCases(
      CASES.map((c) => ({ id: c.id, script: script(c, CASES.indexOf(c)) })),
      { isComplete: finishedThisCase },
    );
    results.forEach((r) => {
      if (r.complete) hercules.set(r.id, endState(r.commands));
    });
  }, 120_000);

  it.each(CASES.map((c) => [c.id, c] as const))(
    '%s: the host ends in its own wait with the interception the case is about (isa-core)',
    (id, c) => {
      const s = onIsaCore(c);
      expect(s.get('psw'), id).toBe(`000A000000${hex(CASES.indexOf(c), 2)}0000`);
      expect(sdByte(s, 0x50), id).toBe(c.expect.code);
      if (c.expect.ipa !== undefined) expect(sdHalf(s, 0x56), id).toBe(c.expect.ipa);
      if (c.expect.ipb !== undefined) expect(sdWord(s, 0x58), id).toBe(c.expect.ipb);
    },
  );

  it.skipIf(!live).each(CASES.map((c) => [c.id, c] as const))('%s ends in the same state', (id, c) => {
    const shown = hercules.get(id);
    expect(shown, `${id} did not finish on Hercules`).toBeDefined();
    const h = new Map(shown);
    // The case's point holds on Hercules too, before any rule touches its state.
    expect(sdByte(h, 0x50), id).toBe(c.expect.code);
    for (const e of EXPLAINED) e.adjust?.(h);
    const o = onIsaCore(c);
    const differences: string[] = [];
    for (const [key, value] of h) {
      if (o.get(key) !== value)
        differences.push(`${key}: hercules ${value}, isa-core ${o.get(key) ?? 'not shown'}`);
    }
    expect(differences, id).toEqual([]);
  });
});
