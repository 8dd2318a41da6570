/**
 * Where each operand field sits in an instruction of each format (POP
 * chapter 5, "Instruction Formats"), and how a row's operand syntax string
 * breaks into operands. The assembler and the disassembler both work from
 * these two descriptions, so a new table row needs no change here.
 */
import type { Esa390Format, Esa390InstructionInfo } from '../table';

/** An operand field name as the POP writes it (R1, M3, X2, B2, D2, L, L1, I2, RI2, ...). */
export type FieldName = string;

/** Bit position (from the instruction's first bit) and width of a field. */
export interface FieldPlace {
  readonly bit: number;
  readonly width: number;
}

/*
 * Fields beyond the opcode, per format. A format lists every field any of its
 * syntaxes uses: RR holds 'R1,R2', 'M1,R2', 'R1' and the 8-bit 'I' of SVC.
 * The SS length fields hold the length code (length - 1), as the POP does.
 */
const F = (bit: number, width: number): FieldPlace => ({ bit, width });
const LAYOUT: Record<Esa390Format, Readonly<Record<FieldName, FieldPlace>>> = {
  E: {},
  RR: { R1: F(8, 4), M1: F(8, 4), R2: F(12, 4), I: F(8, 8) },
  RRE: { R1: F(24, 4), R2: F(28, 4) },
  RX: { R1: F(8, 4), M1: F(8, 4), X2: F(12, 4), B2: F(16, 4), D2: F(20, 12) },
  RS: { R1: F(8, 4), R3: F(12, 4), M3: F(12, 4), B2: F(16, 4), D2: F(20, 12) },
  RSI: { R1: F(8, 4), R3: F(12, 4), RI2: F(16, 16) },
  RI: { R1: F(8, 4), M1: F(8, 4), I2: F(16, 16), RI2: F(16, 16) },
  SI: { I2: F(8, 8), B1: F(16, 4), D1: F(20, 12) },
  S: { B2: F(16, 4), D2: F(20, 12) },
  SS: { L: F(8, 8), L1: F(8, 4), L2: F(12, 4), B1: F(16, 4), D1: F(20, 12), B2: F(32, 4), D2: F(36, 12) },
  SSE: { B1: F(16, 4), D1: F(20, 12), B2: F(32, 4), D2: F(36, 12) },
};

/** Place of a field in a row's format; undefined when the format has no such field. */
export function fieldPlace(row: Esa390InstructionInfo, field: FieldName): FieldPlace | undefined {
  return LAYOUT[row.format][field];
}

/**
 * One operand of an instruction's syntax.
 * - `field`: a single value: register (R), mask (M), immediate (I) or relative-immediate (RI);
 * - `address`: a storage operand D(X,B), D(B), D(L,B): `second` is the index or length field.
 */
export type OperandSyntax =
  | { readonly kind: 'field'; readonly field: FieldName; readonly role: 'R' | 'M' | 'I' | 'RI' }
  | {
      readonly kind: 'address';
      readonly displacement: FieldName;
      readonly base: FieldName;
      readonly second: { readonly field: FieldName; readonly role: 'X' | 'L' } | undefined;
    };

const cache = new Map<string, readonly OperandSyntax[]>();

/** Split an operand syntax string such as 'R1,D2(X2,B2)' or 'D1(L,B1),D2(B2)' into operands. */
export function operandSyntax(operands: string): readonly OperandSyntax[] {
  const hit = cache.get(operands);
  if (hit) return hit;
  const out: OperandSyntax[] = [];
  // Commas inside parentheses belong to the address operand.
  for (const part of operands.match(/[^,(]+(\([^)]*\))?/g) ?? []) {
    const addr = /^(D\d?)\(([^)]*)\)$/.exec(part);
    if (addr) {
      const inner = addr[2]!.split(',');
      const base = inner[inner.length - 1]!;
      const sec = inner.length === 2 ? inner[0]! : undefined;
      out.push({
        kind: 'address',
        displacement: addr[1]!,
        base,
        second: sec === undefined ? undefined : { field: sec, role: sec.startsWith('X') ? 'X' : 'L' },
      });
    } else {
      const role = part.startsWith('RI') ? 'RI' : part.startsWith('R') ? 'R' : part.startsWith('M') ? 'M' : 'I';
      out.push({ kind: 'field', field: part, role });
    }
  }
  cache.set(operands, out);
  return out;
}

/** Field values of one instruction, by field name. Missing fields encode as zero. */
export type FieldValues = Record<FieldName, number>;

/** Read a big-endian bit field. Fields never exceed 16 bits, so plain int arithmetic suffices. */
export function readField(bytes: ArrayLike<number>, offset: number, place: FieldPlace): number {
  let v = 0;
  for (let i = 0; i < place.width; i++) {
    const bit = place.bit + i;
    v = (v << 1) | (((bytes[offset + (bit >> 3)] ?? 0) >> (7 - (bit & 7))) & 1);
  }
  return v;
}

function writeField(out: Uint8Array, place: FieldPlace, value: number): void {
  for (let i = 0; i < place.width; i++) {
    const bit = place.bit + i;
    if ((value >> (place.width - 1 - i)) & 1) out[bit >> 3]! |= 0x80 >> (bit & 7);
  }
}

/** Write the opcode of a row: 8 bits, 16 bits, or 8 + 4 bits split around R1 (the RI group). */
function writeOpcode(out: Uint8Array, row: Esa390InstructionInfo): void {
  if (row.opcodeBits === 8) out[0] = row.opcode;
  else if (row.opcodeBits === 16) {
    out[0] = row.opcode >> 8;
    out[1] = row.opcode & 0xff;
  } else {
    out[0] = row.opcode >> 4;
    out[1]! |= row.opcode & 0x0f;
  }
}

/** Encode an instruction from its row and field values (already range-checked; values are masked to width). */
export function encodeFields(row: Esa390InstructionInfo, values: FieldValues): Uint8Array {
  const out = new Uint8Array(row.length);
  writeOpcode(out, row);
  for (const [name, value] of Object.entries(values)) {
    const place = fieldPlace(row, name);
    if (place) writeField(out, place, value & ((1 << place.width) - 1));
  }
  return out;
}

/** The fields a row's syntax uses, in operand order (the index/length field before the base). */
export function syntaxFields(row: Esa390InstructionInfo): FieldName[] {
  const names: FieldName[] = [];
  for (const op of operandSyntax(row.operands)) {
    if (op.kind === 'field') names.push(op.field);
    else {
      names.push(op.displacement);
      if (op.second) names.push(op.second.field);
      names.push(op.base);
    }
  }
  return names;
}
