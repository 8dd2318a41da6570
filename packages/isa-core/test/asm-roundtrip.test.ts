import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, disassemble, ESA390_INSTRUCTIONS, type Esa390InstructionInfo } from '@strachey/isa-core';
import { fieldPlace, syntaxFields } from '../src/esa390/asm/layout';

/** Assemble one instruction statement at `address`; return its bytes (or the errors). */
function assembleAt(text: string, address: number): Uint8Array | string {
  // START rounds its origin to a doubleword, so ORG places the (halfword-aligned) instruction.
  const r = assemble(`         START 0\n         ORG   X'${address.toString(16)}'\n         ${text}\n         END\n`);
  if (!r.ok) return r.errors.map((e) => `${e.code}: ${e.message}`).join('; ');
  return r.image;
}

/** Bits of a row's instruction that its opcode or its operand fields occupy. */
function usedMask(row: Esa390InstructionInfo): Uint8Array {
  const mask = new Uint8Array(row.length);
  const set = (bit: number, width: number): void => {
    for (let i = bit; i < bit + width; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
  };
  if (row.opcodeBits === 12) {
    set(0, 8);
    set(12, 4);
  } else set(0, row.opcodeBits);
  for (const f of syntaxFields(row)) {
    const p = fieldPlace(row, f)!;
    set(p.bit, p.width);
  }
  return mask;
}

function opcodeBytes(row: Esa390InstructionInfo): Uint8Array {
  const b = new Uint8Array(row.length);
  if (row.opcodeBits === 8) b[0] = row.opcode;
  else if (row.opcodeBits === 16) {
    b[0] = row.opcode >> 8;
    b[1] = row.opcode & 0xff;
  } else {
    b[0] = row.opcode >> 4;
    b[1] = row.opcode & 0x0f;
  }
  return b;
}

const rowArb = fc.constantFrom(...ESA390_INSTRUCTIONS);
// Even addresses far enough from 0 and 2^31 that every 16-bit relative offset stays in range.
const addressArb = fc.integer({ min: 0x10000 / 2, max: 0x7ffe0000 / 2 }).map((h) => h * 2);

describe('assembler/disassembler round trip over every row of the table', () => {
  it('every row has a canonical encoding the disassembler recognises', () => {
    for (const row of ESA390_INSTRUCTIONS) {
      const d = disassemble(opcodeBytes(row), 0x1000);
      expect(d.row, row.mnemonic).toBe(row);
      expect(d.length).toBe(row.length);
    }
  });

  for (const extended of [false, true]) {
    it(`assemble(disassemble(bytes)) == bytes for canonical encodings (extended mnemonics ${extended ? 'on' : 'off'})`, () => {
      fc.assert(
        fc.property(rowArb, fc.uint8Array({ minLength: 6, maxLength: 6 }), addressArb, (row, noise, address) => {
          const mask = usedMask(row);
          const op = opcodeBytes(row);
          const bytes = new Uint8Array(row.length);
          for (let i = 0; i < row.length; i++) bytes[i] = (op[i]! | (noise[i]! & mask[i]!)) & mask[i]!;
          // Restore the opcode bits the noise may have cleared.
          for (let i = 0; i < row.length; i++) bytes[i] = (bytes[i]! & ~opMask(row, i)) | op[i]!;
          const d = disassemble(bytes, address, { extended });
          expect(d.row).toBe(row);
          const again = assembleAt(d.text, address);
          expect(again, d.text).toEqual(bytes);
          // And the text is stable: disassembling the reassembled bytes gives the same text.
          expect(disassemble(again as Uint8Array, address, { extended }).text).toBe(d.text);
        }),
        { numRuns: 1500, seed: 0x390 },
      );
    });
  }

  it('disassemble(assemble(text)) gives back the text, for operands written in every field range', () => {
    fc.assert(
      fc.property(rowArb, addressArb, fc.infiniteStream(fc.integer({ min: 0, max: 0xffff })), (row, address, ints) => {
        const it = ints[Symbol.iterator]();
        const next = (): number => it.next().value as number;
        // Write each field of the syntax with a random value in its range, in the disassembler's notation.
        const text = row.operands.replace(/RI2|[RMXBDILI]\d?/g, (field) => {
          const width = fieldPlace(row, field)?.width ?? 4;
          const v = next() % (1 << width);
          if (field === 'RI2') {
            const half = (v << 16) >> 16;
            const target = address + 2 * half;
            return `X'${target.toString(16).toUpperCase().padStart(target > 0xffffff ? 8 : 6, '0')}'`;
          }
          if (field.startsWith('L')) return String(v + 1);
          if (field === 'I2' && row.signedImmediate) return String((v << (32 - width)) >> (32 - width));
          if (field === 'I2') return `X'${v.toString(16).toUpperCase().padStart(width / 4, '0')}'`;
          return String(v);
        });
        const line = text === '' ? row.mnemonic : `${row.mnemonic.padEnd(5)} ${text}`;
        const bytes = assembleAt(line, address);
        expect(typeof bytes, `${line}: ${bytes}`).not.toBe('string');
        expect(disassemble(bytes as Uint8Array, address).text).toBe(line);
      }),
      { numRuns: 1500, seed: 0x370 },
    );
  });
});

function opMask(row: Esa390InstructionInfo, i: number): number {
  if (row.opcodeBits === 8) return i === 0 ? 0xff : 0;
  if (row.opcodeBits === 16) return i < 2 ? 0xff : 0;
  return i === 0 ? 0xff : i === 1 ? 0x0f : 0;
}
