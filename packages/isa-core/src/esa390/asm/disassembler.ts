/**
 * Table-driven ESA/390 disassembler: the opcode key picks the row, the row's
 * format places the fields, the row's operand syntax prints them. The text
 * is valid input for the assembler: reassembled at the same address it gives
 * the same bytes (explicit D(X,B) operands, relative targets as absolute
 * addresses).
 */
import { esa390InstructionByOpcode, opcodeKey } from '../table';
import { hexAddress } from './assembler';
import { preferredExtended } from './extended';
import { fieldPlace, operandSyntax, readField } from './layout';
import type { DisassembledInstruction } from './types';

/** Options of the disassembler. */
export interface DisassembleOptions {
  /** Show extended mnemonics (BE, JNZ, BR, NOP, ...) where a mask has one. Default false. */
  readonly extended?: boolean;
}

/** Instruction length from the first two bits of the opcode (POP 5, "Instruction Formats"): 00 → 2, 01/10 → 4, 11 → 6. */
export function instructionLengthFromOpcode(firstByte: number): 2 | 4 | 6 {
  const ilc = firstByte >> 6;
  return ilc === 0 ? 2 : ilc === 3 ? 6 : 4;
}

function hex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! & 0xff).toString(16).toUpperCase().padStart(2, '0');
  return s;
}

function line(mnemonic: string, operands: string): string {
  return operands === '' ? mnemonic : `${mnemonic.padEnd(5)} ${operands}`;
}

function dc(address: number, bytes: Uint8Array): DisassembledInstruction {
  const operands = `X'${hex(bytes)}'`;
  return { address, mnemonic: 'DC', operands, length: bytes.length, bytes, row: undefined, text: line('DC', operands) };
}

/**
 * Decode the instruction at the start of `bytes`, located at `address`
 * (which relative targets are computed from). Bytes that are no instruction
 * of the table, or too few bytes for one, come back as `DC X'..'` of the
 * architected length (or of what is there).
 */
export function disassemble(
  bytes: Uint8Array,
  address = 0,
  options: DisassembleOptions = {},
): DisassembledInstruction {
  if (bytes.length === 0) return dc(address, bytes);
  const b0 = bytes[0]!;
  const row = bytes.length >= 2 ? esa390InstructionByOpcode(opcodeKey(b0, bytes[1]!)) : undefined;
  if (!row || bytes.length < row.length) {
    return dc(address, bytes.slice(0, Math.min(bytes.length, instructionLengthFromOpcode(b0))));
  }
  const own = bytes.slice(0, row.length);
  const get = (field: string): number => {
    const place = fieldPlace(row, field);
    return place ? readField(own, 0, place) : 0;
  };
  let syntax = operandSyntax(row.operands);
  let mnemonic = row.mnemonic;
  const first = syntax[0];
  if (options.extended && first?.kind === 'field' && first.role === 'M') {
    const ext = preferredExtended(row.mnemonic, get(first.field));
    if (ext) {
      mnemonic = ext;
      syntax = syntax.slice(1);
    }
  }
  const parts: string[] = [];
  for (const op of syntax) {
    if (op.kind === 'address') {
      const d = get(op.displacement);
      const b = get(op.base);
      if (!op.second) parts.push(`${d}(${b})`);
      else if (op.second.role === 'X') parts.push(`${d}(${get(op.second.field)},${b})`);
      else parts.push(`${d}(${get(op.second.field) + 1},${b})`);
      continue;
    }
    const place = fieldPlace(row, op.field)!;
    const raw = get(op.field);
    if (op.role === 'RI') {
      const half = (raw << (32 - place.width)) >> (32 - place.width);
      parts.push(`X'${hexAddress((address + 2 * half) & 0x7fffffff)}'`);
    } else if (op.role === 'I') {
      if (row.signedImmediate) parts.push(String((raw << (32 - place.width)) >> (32 - place.width)));
      else if (op.field === 'I') parts.push(String(raw));
      else parts.push(`X'${raw.toString(16).toUpperCase().padStart(place.width / 4, '0')}'`);
    } else parts.push(String(raw));
  }
  const operands = parts.join(',');
  return { address, mnemonic, operands, length: row.length, bytes: own, row, text: line(mnemonic, operands) };
}

/** Disassemble a whole run of bytes loaded at `address`, one unit after another. */
export function disassembleRange(
  bytes: Uint8Array,
  address = 0,
  options: DisassembleOptions = {},
): DisassembledInstruction[] {
  const out: DisassembledInstruction[] = [];
  let o = 0;
  while (o < bytes.length) {
    const d = disassemble(bytes.subarray(o), address + o, options);
    out.push(d);
    o += d.length;
  }
  return out;
}
