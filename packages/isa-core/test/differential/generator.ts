/**
 * Random ESA/390 programs for the differential test against Hercules 3.13,
 * driven by the rows of the instruction table (src/esa390/table.ts): every
 * non-privileged row except SVC (an interruption the program cannot
 * survive) and STCK (the TOD clock differs between any two machines) can be
 * drawn. Each program becomes one console script that runs unchanged on
 * Hercules and on isa-core.
 *
 * Real-storage layout of a case:
 *   X'000'-X'1FF'  prefix area: restart new PSW at 0 (supervisor state, random
 *                  condition code and program mask, 24- or 31-bit), and every
 *                  other new PSW a disabled wait with its own address
 *                  (program new PSW: X'EEE0'), so the first interruption stops
 *                  the program with the interruption code stored at X'88'-X'8F'
 *   X'200'-X'7FF'  the program: LM 0,15,X'800' then random instructions,
 *                  ending with LPSW X'840' (a disabled wait, address X'AAAA')
 *   X'800'-X'83F'  initial general registers (GR12 = X'1000', the data base)
 *   X'900'-X'9FF'  targets of EX
 *   X'C00'-X'FFF'  constants read by setup instructions (never stored into)
 *   X'1000'-X'11FF' the data area every storage operand lies in
 *
 * Constraints that keep a random program meaningful: GR12 is never written
 * (so every storage operand stays inside the data area); branches go only
 * forward, to an instruction boundary or to the final LPSW; EX targets are
 * non-branch instructions in the EX area, and only SS targets get their
 * length byte ORed from a register; MVCL/CLCL get addresses and lengths that
 * stay inside the data area from setup instructions just before them.
 */
import { disassemble } from '../../src/esa390/asm/index';
import { ESA390_INSTRUCTIONS, type Esa390InstructionInfo } from '../../src/esa390/table';
import { Rng } from './rng';

export const PROGRAM = 0x200;
export const PROGRAM_END = 0x800;
export const REGISTERS = 0x800;
export const END_PSW = 0x840;
export const EX_AREA = 0x900;
export const POOL = 0xc00;
export const DATA = 0x1000;
export const DATA_SIZE = 0x200;
export const DATA_BASE_REGISTER = 12;
/**
 * The last 256 bytes of the 16 MB main storage: 31-bit programs sometimes
 * aim an operand here so that it runs off the end of storage (addressing
 * exception; MVCL/CLCL stop part-way with their registers updated).
 */
export const EDGE = 0x00ffff00;
export const EDGE_SIZE = 0x100;
/** Instruction address of the PSW the program ends with. */
export const END_IA = 0xaaaa;
/** Instruction address of the program new PSW. */
export const PROGRAM_NEW_IA = 0xeee0;

/** The regions compared after the run, as [start, length]. */
export const COMPARED_LOW_CORE: readonly (readonly [number, number])[] = [
  [0x08, 8], // restart old PSW
  [0x20, 8], // SVC old PSW
  [0x28, 8], // program old PSW
  [0x88, 16], // SVC and program interruption codes (X'88'-X'8F'), TEA X'90', PER X'96'
];

/** Registers a program may write: all but the data-area base. */
const WRITABLE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15];
/** Even registers whose pair excludes GR12. */
const EVEN = [0, 2, 4, 6, 8, 10, 14];
const ODD_WRITABLE = [1, 3, 5, 7, 9, 11, 13, 15];

/** Rows the generator draws from. */
export const GENERATED_ROWS: readonly Esa390InstructionInfo[] = ESA390_INSTRUCTIONS.filter(
  (r) => !r.privileged && r.mnemonic !== 'SVC' && r.mnemonic !== 'STCK',
);

/**
 * Privileged rows, drawn only into problem-state programs, where each must
 * end the program with a privileged-operation exception (POP: recognised
 * before any operand is accessed), or an operation exception for the rows
 * Hercules 3.13 does not have in ESA/390 mode (ISK, SSK).
 */
export const TRAPPING_ROWS: readonly Esa390InstructionInfo[] = ESA390_INSTRUCTIONS.filter((r) => r.privileged);

/** The state a program starts in (restart new PSW). */
export type StartState = 'supervisor' | 'problem' | 'supervisor-key';

/** One unit of the program; branch targets are resolved after layout. */
interface Item {
  readonly length: number;
  encode(self: number, addressOf: (index: number) => number): number[];
}

/** A generated case. */
export interface DifferentialCase {
  readonly id: string;
  /** The console script (same on Hercules and isa-core). */
  readonly script: string;
  /** Program listing, registers and data for a human to debug a divergence. */
  readonly listing: string;
  /** The mnemonics drawn from the table (for coverage reporting). */
  readonly mnemonics: readonly string[];
  readonly start: StartState;
  /** The initial byte at a real address below X'1200' (what the script's `r` commands stored). */
  byteAt(address: number): number;
}

const hex = (n: number, w: number): string => (n >>> 0).toString(16).toUpperCase().padStart(w, '0');
const bytesHex = (b: ArrayLike<number>): string => Array.from(b, (x) => hex(x & 0xff, 2)).join('');

const rr = (op: number, r1: number, r2: number): number[] => [op, (r1 << 4) | r2];
const rre = (op: number, r1: number, r2: number): number[] => [op >> 8, op & 0xff, 0, (r1 << 4) | r2];
const rx = (op: number, r1: number, x2: number, b2: number, d2: number): number[] => [op, (r1 << 4) | x2, (b2 << 4) | (d2 >> 8), d2 & 0xff];
const rs = rx;
const rsi = (op: number, r1: number, r3: number, i2: number): number[] => [op, (r1 << 4) | r3, (i2 >> 8) & 0xff, i2 & 0xff];
const ri = (op: number, r1: number, i2: number): number[] => [0xa7, (r1 << 4) | (op & 0xf), (i2 >> 8) & 0xff, i2 & 0xff];
const si = (op: number, i2: number, b1: number, d1: number): number[] => [op, i2 & 0xff, (b1 << 4) | (d1 >> 8), d1 & 0xff];
const s = (op: number, b2: number, d2: number): number[] => [op >> 8, op & 0xff, (b2 << 4) | (d2 >> 8), d2 & 0xff];
const ss = (op: number, l: number, b1: number, d1: number, b2: number, d2: number): number[] => [
  op,
  l & 0xff,
  (b1 << 4) | (d1 >> 8),
  d1 & 0xff,
  (b2 << 4) | (d2 >> 8),
  d2 & 0xff,
];

const fixed = (bytes: number[]): Item => ({ length: bytes.length, encode: () => bytes });

const op = (mnemonic: string): Esa390InstructionInfo => {
  const r = ESA390_INSTRUCTIONS.find((x) => x.mnemonic === mnemonic);
  if (!r) throw new Error(`no row ${mnemonic}`);
  return r;
};

/** Builds one case. */
class CaseBuilder {
  readonly items: Item[] = [];
  readonly exArea: number[] = [];
  readonly pool: number[] = [];
  readonly data: Uint8Array;
  readonly regs = new Int32Array(16);
  readonly mnemonics: string[] = [];
  /** Bytes of the edge area, when the program uses it. */
  edge: Uint8Array | null = null;
  /**
   * Keep the program in 31-bit mode (BSM/BASSM targets carry the mode bit):
   * set for programs with edge-area operands, which in 24-bit mode would
   * wrap into low core and overwrite the new PSWs.
   */
  pinned31 = false;
  /** Index of the first item of each instruction group (an instruction with its setup): the only branch targets. */
  readonly groups: number[] = [];

  constructor(readonly rng: Rng) {
    this.data = new Uint8Array(DATA_SIZE);
    for (let i = 0; i < DATA_SIZE; i++) this.data[i] = rng.chance(0.3) ? rng.pick([0, 0xff, 0x40, 0xf0, 0x0c]) : rng.int(256);
    for (let i = 0; i < 16; i++) {
      this.regs[i] = rng.chance(0.25) ? DATA + rng.int(DATA_SIZE) : rng.interesting32();
    }
    this.regs[DATA_BASE_REGISTER] = DATA;
  }

  /** A storage operand of `len` bytes in the data area, aligned to `align` with probability `p`. */
  mem(len: number, align = 1, p = 0.8): number {
    const max = DATA_SIZE - len;
    let d = this.rng.int(max + 1);
    if (align > 1 && this.rng.chance(p)) d -= d % align;
    return d;
  }

  /** Append a word to the constant pool; returns its real address. */
  constant(word: number): number {
    const at = POOL + this.pool.length;
    this.pool.push((word >>> 24) & 0xff, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff);
    return at;
  }

  /** A valid packed-decimal doubleword at data offset `d` (most CVB operands). */
  plantPacked(d: number): void {
    for (let i = 0; i < 7; i++) this.data[d + i] = this.rng.range(0, 9) * 16 + this.rng.range(0, 9);
    this.data[d + 7] = this.rng.range(0, 9) * 16 + this.rng.pick([0xc, 0xd, 0xf, 0xa, 0xb, 0xe]);
  }

  /** LA r,D(0,B): `la(r, value)` loads a small constant, `la(r, off, 12)` an address in the data area. */
  la(r: number, d: number, b = 0): Item {
    return fixed(rx(0x41, r, 0, b, d));
  }

  /**
   * A forward target: the group 1-4 after the current one, or the final
   * LPSW (-1); resolved to an address at layout (a group past the end is the LPSW).
   */
  target(): number {
    return this.rng.chance(0.15) ? -1 : this.groups.length + this.rng.int(4);
  }

  /** Non-branch instruction bytes (for EX targets and the main stream). */
  plain(row: Esa390InstructionInfo): number[] | null {
    const rng = this.rng;
    const w = (): number => rng.pick(WRITABLE);
    const any = (): number => rng.int(16);
    const pairR1 = (): number => (rng.chance(0.9) ? rng.pick(EVEN) : rng.pick(ODD_WRITABLE));
    const index = (): number => (rng.chance(0.1) ? rng.range(1, 15) : 0);
    const o = row.opcode;
    switch (row.mnemonic) {
      // RR
      case 'LR': case 'LTR': case 'LCR': case 'LNR': case 'LPR': case 'AR': case 'ALR': case 'SR': case 'SLR':
      case 'NR': case 'OR': case 'XR':
        return rr(o, w(), any());
      case 'CR': case 'CLR':
        return rr(o, any(), any());
      case 'MR': case 'DR':
        return rr(o, pairR1(), any());
      case 'SPM':
        return rr(o, any(), 0);
      case 'IPM':
        return rre(o, w(), 0);
      // RX
      case 'L': case 'A': case 'AL': case 'S': case 'SL': case 'N': case 'O': case 'X':
        return rx(o, w(), index(), 12, this.mem(4, 4));
      case 'LH': case 'AH': case 'SH':
        return rx(o, w(), index(), 12, this.mem(2, 2));
      case 'MH':
        return rx(o, w(), index(), 12, this.mem(2, 2));
      case 'IC':
        return rx(o, w(), index(), 12, this.mem(1));
      case 'M': case 'D':
        return rx(o, pairR1(), index(), 12, this.mem(4, 4));
      case 'C': case 'CL':
        return rx(o, any(), index(), 12, this.mem(4, 4));
      case 'CH':
        return rx(o, any(), index(), 12, this.mem(2, 2));
      case 'ST':
        return rx(o, any(), 0, 12, this.mem(4, 4));
      case 'STH':
        return rx(o, any(), 0, 12, this.mem(2, 2));
      case 'STC':
        return rx(o, any(), 0, 12, this.mem(1));
      case 'CVD':
        return rx(o, any(), 0, 12, this.mem(8, 8));
      case 'CVB': {
        const d = this.mem(8, 8);
        if (rng.chance(0.7)) this.plantPacked(d);
        return rx(o, w(), 0, 12, d);
      }
      case 'LA':
        return rx(o, w(), rng.chance(0.3) ? any() : 0, rng.chance(0.5) ? any() : 0, rng.int(4096));
      // RS
      case 'LM': {
        // A range (wrapping 15 → 0) that does not include GR12.
        for (;;) {
          const r1 = any();
          const n = rng.range(1, 5);
          const r3 = (r1 + n - 1) & 15;
          let hits = false;
          for (let k = 0, r = r1; k < n; k++, r = (r + 1) & 15) if (r === DATA_BASE_REGISTER) hits = true;
          if (!hits) return rs(o, r1, r3, 12, this.mem(4 * n, 4));
        }
      }
      case 'STM': {
        const r1 = any();
        const n = rng.range(1, 16);
        return rs(o, r1, (r1 + n - 1) & 15, 12, this.mem(4 * n, 4));
      }
      case 'CS':
        return rs(o, w(), any(), 12, this.mem(4, 4, 0.9));
      case 'CDS':
        return rs(o, pairR1(), rng.chance(0.9) ? rng.pick([0, 2, 4, 6, 8, 10, 12, 14]) : any(), 12, this.mem(8, 8, 0.9));
      case 'ICM': {
        const m = rng.int(16);
        return rs(o, w(), m, 12, this.mem(Math.max(1, popcount(m))));
      }
      case 'STCM': case 'CLM': {
        const m = rng.int(16);
        return rs(o, any(), m, 12, this.mem(Math.max(1, popcount(m))));
      }
      case 'SLL': case 'SRL': case 'SLA': case 'SRA':
        return rs(o, w(), 0, rng.chance(0.3) ? any() : 0, rng.chance(0.7) ? rng.int(64) : rng.int(4096));
      case 'SLDL': case 'SRDL': case 'SLDA': case 'SRDA':
        return rs(o, pairR1(), 0, rng.chance(0.3) ? any() : 0, rng.chance(0.7) ? rng.int(64) : rng.int(4096));
      // RI
      case 'LHI': case 'AHI': case 'MHI':
        return ri(o, w(), rng.interesting16());
      case 'CHI': case 'TMLH': case 'TMLL':
        return ri(o, any(), rng.interesting16());
      // SI
      case 'MVI': case 'NI': case 'OI': case 'XI': case 'CLI': case 'TM':
        return si(o, rng.chance(0.3) ? rng.pick([0, 0xff, 0x80, 0x01]) : rng.int(256), 12, this.mem(1));
      // S
      case 'TS':
        return s(o << 8, 12, this.mem(1));
      // SS
      case 'MVC': case 'MVZ': case 'MVN': case 'NC': case 'OC': case 'XC': case 'CLC': {
        const len = rng.chance(0.7) ? rng.range(1, 16) : rng.range(1, 256);
        // Overlapping operands are legal and architected (byte by byte): keep some.
        const d1 = this.mem(len);
        const d2 = rng.chance(0.15) ? Math.min(DATA_SIZE - len, d1 + rng.range(0, 3)) : this.mem(len);
        return ss(o, len - 1, 12, d1, 12, d2);
      }
      case 'TR': case 'TRT': {
        const len = rng.chance(0.7) ? rng.range(1, 16) : rng.range(1, 256);
        return ss(o, len - 1, 12, this.mem(len), 12, rng.int(DATA_SIZE - 256 + 1));
      }
      case 'PACK': case 'UNPK': {
        const l1 = rng.int(16);
        const l2 = rng.int(16);
        return ss(o, (l1 << 4) | l2, 12, this.mem(l1 + 1), 12, this.mem(l2 + 1));
      }
      default:
        return null;
    }
  }

  /**
   * An instruction whose operand starts in the edge area and may run past
   * the end of main storage (31-bit programs only: in 24-bit mode the
   * address would wrap into low core). The base register is loaded from a
   * constant just before.
   */
  edgeOp(): void {
    const rng = this.rng;
    this.groups.push(this.items.length);
    if (this.edge === null) this.edge = Uint8Array.from({ length: EDGE_SIZE }, () => rng.int(256));
    const base = rng.pick(WRITABLE.filter((r) => r !== 0));
    const at = EDGE + rng.int(EDGE_SIZE);
    this.items.push(fixed(rx(0x58, base, 0, 0, this.constant(at))));
    const len = rng.range(1, 256);
    const d = rng.int(64);
    const kind = rng.pick(['MVC', 'XC', 'TR', 'CLC', 'L', 'ST', 'STM', 'LM', 'MVI', 'CVD', 'UNPK', 'MVCL', 'CLCL']);
    this.mnemonics.push(`edge:${kind}`);
    switch (kind) {
      case 'MVC': case 'XC': case 'CLC':
        this.items.push(fixed(ss(op(kind).opcode, len - 1, base, d, 12, this.mem(len))));
        return;
      case 'TR':
        this.items.push(fixed(ss(0xdc, len - 1, base, d, 12, rng.int(DATA_SIZE - 256 + 1))));
        return;
      case 'L': case 'ST':
        this.items.push(fixed(rx(op(kind).opcode, rng.pick(WRITABLE), 0, base, d)));
        return;
      case 'LM': case 'STM': {
        // Registers 0-11 never include the base-of-data GR12, so LM may load them (not the edge base itself).
        const r3 = rng.range(0, 11);
        this.items.push(fixed(rs(op(kind).opcode, 0, r3, base, d)));
        return;
      }
      case 'MVI':
        this.items.push(fixed(si(0x92, rng.int(256), base, d)));
        return;
      case 'CVD':
        this.items.push(fixed(rx(0x4e, rng.int(16), 0, base, d)));
        return;
      case 'UNPK':
        this.items.push(fixed(ss(0xf3, (rng.int(16) << 4) | rng.int(16), base, d, 12, this.mem(16))));
        return;
      default: {
        // MVCL/CLCL with the first operand in the edge area and a length that may pass the end.
        const o = kind === 'MVCL' ? 0x0e : 0x0f;
        const r1 = rng.pick(EVEN);
        let r2 = rng.pick(EVEN);
        while (r2 === r1) r2 = rng.pick(EVEN);
        this.items.push(fixed(rx(0x58, r1, 0, 0, this.constant(at))));
        this.items.push(this.la(r1 + 1, rng.range(1, 512)));
        this.items.push(this.la(r2, this.mem(200), 12));
        this.items.push(fixed(rx(0x58, r2 + 1, 0, 0, this.constant(((rng.int(256) << 24) | rng.range(0, 200)) >>> 0))));
        this.items.push(fixed(rr(o, r1, r2)));
      }
    }
  }

  /** A privileged instruction with random fields (problem-state programs only: it traps before using them). */
  trap(row: Esa390InstructionInfo): void {
    this.groups.push(this.items.length);
    this.mnemonics.push(`trap:${row.mnemonic}`);
    const bytes: number[] = [];
    if (row.opcodeBits === 8) bytes.push(row.opcode);
    else bytes.push(row.opcode >> 8, row.opcode & 0xff);
    while (bytes.length < row.length) bytes.push(this.rng.int(256));
    this.items.push(fixed(bytes));
  }

  /** Add one instruction of `row` (with any setup it needs). */
  add(row: Esa390InstructionInfo): void {
    this.groups.push(this.items.length);
    const rng = this.rng;
    const o = row.opcode;
    this.mnemonics.push(row.mnemonic);
    const plain = this.plain(row);
    if (plain !== null) {
      this.items.push(fixed(plain));
      return;
    }
    const w = (): number => rng.pick(WRITABLE);
    const items = this.items;
    switch (row.mnemonic) {
      case 'MVCL': case 'CLCL': {
        const r1 = rng.pick(EVEN);
        let r2 = rng.pick(EVEN);
        while (r2 === r1) r2 = rng.pick(EVEN);
        const len1 = rng.chance(0.2) ? 0 : rng.range(1, 200);
        const len2 = rng.chance(0.2) ? 0 : rng.range(1, 200);
        const d1 = this.mem(len1);
        const d2 = rng.chance(0.15) ? Math.max(0, Math.min(DATA_SIZE - len2, d1 - rng.range(1, 8))) : this.mem(len2);
        const pad = rng.int(256);
        items.push(this.la(r1, d1, 12), this.la(r1 + 1, len1), this.la(r2, d2, 12));
        items.push(fixed(rx(0x58, r2 + 1, 0, 0, this.constant(((pad << 24) | len2) >>> 0))));
        items.push(fixed(rr(o, r1, r2)));
        return;
      }
      case 'EX': {
        const at = EX_AREA + this.exArea.length;
        let target: number[] | null = null;
        if (rng.chance(0.04)) target = rx(0x44, 0, 0, 0, at); // EX of EX: execute exception
        while (target === null) {
          const t = rng.pick(GENERATED_ROWS);
          if (t.branch || t.mnemonic === 'EX' || t.mnemonic === 'MVCL' || t.mnemonic === 'CLCL') continue;
          target = this.plain(t);
          if (target !== null) this.mnemonics.push(`EX:${t.mnemonic}`);
        }
        if (this.exArea.length + target.length > 0x100) return;
        this.exArea.push(...target);
        if (this.exArea.length % 2 !== 0) this.exArea.push(0);
        // Only SS targets get bits ORed into byte 1 (their length): that keeps the
        // register fields, and so GR12, out of reach.
        const isSS = (target[0]! >= 0xd0 && target[0]! <= 0xdf) || target[0] === 0xf2 || target[0] === 0xf3;
        if (isSS && rng.chance(0.7)) {
          const r1 = rng.pick(WRITABLE.filter((r) => r !== 0));
          items.push(this.la(r1, rng.int(256)));
          items.push(fixed(rx(o, r1, 0, 0, at)));
        } else {
          items.push(fixed(rx(o, 0, 0, 0, at)));
        }
        return;
      }
      case 'BCR': case 'BALR': case 'BASR': case 'BCTR': case 'BSM': case 'BASSM': {
        const isMask = row.mnemonic === 'BCR';
        const r1 = isMask ? rng.int(16) : w();
        if (rng.chance(0.25)) {
          // R2 = 0: no branch (BALR/BASR link, BCTR decrements, BSM/BASSM only set R1's mode bit).
          items.push(fixed(rr(o, r1, 0)));
          return;
        }
        let r2 = w();
        while (r2 === 0 || (!isMask && r2 === r1 && row.mnemonic !== 'BCTR')) r2 = w();
        const t = this.target();
        const setsMode = row.mnemonic === 'BSM' || row.mnemonic === 'BASSM';
        const amode = setsMode && (this.pinned31 || rng.chance(0.5)) ? 0x80000000 : 0;
        // The branch address comes from a constant (BSM/BASSM: with the addressing-mode bit).
        items.push({
          length: 4,
          encode: (_self, addressOf) => {
            const target = addressOf(t);
            return setsMode ? rx(0x58, r2, 0, 0, this.constant((amode | target) >>> 0)) : rx(0x41, r2, 0, 0, target);
          },
        });
        items.push(fixed(rr(o, r1, r2)));
        return;
      }
      case 'BC': case 'BAL': case 'BAS': case 'BCT': {
        const r1 = row.mnemonic === 'BC' ? rng.int(16) : w();
        const t = this.target();
        items.push({ length: 4, encode: (_self, addressOf) => rx(o, r1, 0, 0, addressOf(t)) });
        return;
      }
      case 'BXH': case 'BXLE': {
        const r1 = w();
        const r3 = rng.int(16);
        const t = this.target();
        items.push({ length: 4, encode: (_self, addressOf) => rs(o, r1, r3, 0, addressOf(t)) });
        return;
      }
      case 'BRC': case 'BRAS': case 'BRCT': {
        const r1 = row.mnemonic === 'BRC' ? rng.int(16) : w();
        const t = this.target();
        items.push({ length: 4, encode: (self, addressOf) => ri(o, r1, (addressOf(t) - self) / 2) });
        return;
      }
      case 'BRXH': case 'BRXLE': {
        const r1 = w();
        const r3 = rng.int(16);
        const t = this.target();
        items.push({ length: 4, encode: (self, addressOf) => rsi(o, r1, r3, (addressOf(t) - self) / 2) });
        return;
      }
      default:
        // A row added to the table after this generator: drawn as nothing
        // until it gets a recipe (the coverage test names it).
        this.groups.pop();
        this.mnemonics.pop();
        return;
    }
  }
}

function popcount(m: number): number {
  let n = 0;
  for (let b = m; b !== 0; b &= b - 1) n++;
  return n;
}

/** `r ADDR=…` lines for `bytes` at `address`, 32 bytes each, all-zero chunks left out (storage starts cleared). */
function alter(address: number, bytes: ArrayLike<number>): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 32) {
    const chunk = Array.prototype.slice.call(bytes, i, Math.min(bytes.length, i + 32)) as number[];
    if (chunk.every((b) => b === 0)) continue;
    lines.push(`r ${hex(address + i, 3)}=${bytesHex(chunk)}`);
  }
  return lines;
}

const psw = (high: number, low: number): number[] => [
  ...[24, 16, 8, 0].map((sh) => (high >>> sh) & 0xff),
  ...[24, 16, 8, 0].map((sh) => (low >>> sh) & 0xff),
];

/** The compare/display commands every case ends with (after `pause`). */
export const DISPLAY_COMMANDS = ['psw', 'gpr', 'r 0-9F', `r ${hex(DATA, 4)}.${hex(DATA_SIZE, 3)}`] as const;

/** Generate case `index` of the suite with `seed`. */
export function generateCase(seed: number, index: number): DifferentialCase {
  const rng = new Rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const b = new CaseBuilder(rng);
  // Most programs run in supervisor state with key 0. Some run in problem
  // state (privileged instructions trap, and so does the final LPSW), some
  // with a nonzero PSW key (every store into the key-0 frames is a
  // protection exception; fetches are allowed, no frame is fetch-protected).
  const amode31 = rng.chance(0.5);
  const roll = rng.int(100);
  const start: StartState = roll < 70 ? 'supervisor' : roll < 85 ? 'problem' : 'supervisor-key';
  const key = start === 'supervisor-key' ? rng.range(1, 15) : 0;
  b.pinned31 = amode31 && rng.chance(0.4);
  b.groups.push(0);
  // Nonzero-key programs sometimes give the data frame a storage key first
  // (SSKE runs before the key matters: it is privileged, not key-checked):
  // the PSW key or another, with or without fetch protection, so stores and
  // fetches meet key-controlled protection both ways.
  let dataKey = 0;
  if (key !== 0 && rng.chance(0.6)) {
    dataKey = ((rng.chance(0.5) ? key : rng.range(1, 15)) << 4) | (rng.chance(0.5) ? 0x08 : 0);
    b.items.push(fixed(ri(0xa78, 0, dataKey))); // LHI 0,key
    b.items.push(fixed(ri(0xa78, 1, DATA))); // LHI 1,X'1000'
    b.items.push(fixed(rre(0xb22b, 0, 1))); // SSKE 0,1
  }
  b.items.push(fixed(rs(0x98, 0, 15, 0, REGISTERS))); // LM 0,15,X'800'
  const count = rng.range(3, 24);
  for (let i = 0; i < count; i++) {
    if (start === 'problem' && rng.chance(0.1)) {
      b.trap(rng.pick(TRAPPING_ROWS));
      continue;
    }
    if (b.pinned31 && rng.chance(0.12)) {
      b.edgeOp();
      continue;
    }
    b.add(rng.pick(GENERATED_ROWS));
  }
  b.groups.push(b.items.length);
  b.items.push(fixed(s(0x8200, 0, END_PSW))); // LPSW X'840'
  // Layout.
  const addresses: number[] = [];
  let a = PROGRAM;
  for (const it of b.items) {
    addresses.push(a);
    a += it.length;
  }
  const end = addresses[addresses.length - 1]!;
  // Branch targets are group numbers: the group's first item, or the final LPSW.
  const addressOf = (g: number): number => {
    const i = g < 0 ? undefined : b.groups[g];
    return i === undefined ? end : addresses[i]!;
  };
  const program: number[] = [];
  for (const [i, it] of b.items.entries()) program.push(...it.encode(addresses[i]!, addressOf));
  if (PROGRAM + program.length > PROGRAM_END) throw new Error('program too long');
  if (b.pool.length > 0x400) throw new Error('constant pool too long');

  const restartHigh =
    (key << 20) | 0x00080000 | (start === 'problem' ? 0x00010000 : 0) | (rng.int(4) << 12) | ((rng.chance(0.5) ? rng.int(16) : 0) << 8);
  const restartLow = ((amode31 ? 0x80000000 : 0) | PROGRAM) >>> 0;
  const regBytes: number[] = [];
  for (const r of b.regs) regBytes.push((r >>> 24) & 0xff, (r >>> 16) & 0xff, (r >>> 8) & 0xff, r & 0xff);

  const script = [
    'sysclear',
    ...alter(0x000, psw(restartHigh, restartLow)),
    ...alter(0x058, psw(0x000a0000, 0xe058)),
    ...alter(0x060, psw(0x000a0000, 0xe060)),
    ...alter(0x068, psw(0x000a0000, PROGRAM_NEW_IA)),
    ...alter(0x070, psw(0x000a0000, 0xe070)),
    ...alter(0x078, psw(0x000a0000, 0xe078)),
    ...alter(PROGRAM, program),
    ...alter(REGISTERS, regBytes),
    ...alter(END_PSW, psw(0x000a0000, END_IA)),
    ...alter(EX_AREA, b.exArea),
    ...alter(POOL, b.pool),
    ...alter(DATA, b.data),
    ...(b.edge ? alter(EDGE, b.edge) : []),
    'restart',
    'pause 1',
    ...DISPLAY_COMMANDS,
    ...(b.edge ? [`r ${hex(EDGE, 6)}.${hex(EDGE_SIZE, 3)}`] : []),
    '',
  ].join('\n');

  const listing: string[] = [];
  listing.push(
    `restart new PSW ${hex(restartHigh, 8)} ${hex(restartLow, 8)} (${start}${key ? ` key ${key}` : ''}${dataKey ? `, data frame key X'${hex(dataKey, 2)}'` : ''})`,
  );
  const bytes = Uint8Array.from(program);
  b.items.forEach((it, i) => {
    const at = addresses[i]!;
    const d = disassemble(bytes.subarray(at - PROGRAM, at - PROGRAM + it.length), at);
    listing.push(`${hex(at, 6)}  ${bytesHex(d.bytes).padEnd(12)}  ${d.text}`);
  });
  if (b.exArea.length > 0) {
    listing.push('EX targets:');
    const ex = Uint8Array.from(b.exArea);
    for (let o = 0; o < ex.length; ) {
      const d = disassemble(ex.subarray(o), EX_AREA + o);
      listing.push(`${hex(EX_AREA + o, 6)}  ${bytesHex(d.bytes).padEnd(12)}  ${d.text}`);
      o += d.length + (d.length % 2);
    }
  }
  listing.push(`registers: ${Array.from(b.regs, (r) => hex(r, 8)).join(' ')}`);
  if (b.pool.length > 0) listing.push(`constants at ${hex(POOL, 4)}: ${bytesHex(b.pool)}`);
  const image = new Uint8Array(DATA + DATA_SIZE);
  image.set(psw(restartHigh, restartLow), 0);
  image.set(program, PROGRAM);
  image.set(regBytes, REGISTERS);
  image.set(b.exArea, EX_AREA);
  image.set(b.pool, POOL);
  image.set(b.data, DATA);
  return {
    id: `${seed}/${index}`,
    script,
    listing: listing.join('\n'),
    mnemonics: b.mnemonics,
    start,
    byteAt: (address) => image[address] ?? 0,
  };
}
