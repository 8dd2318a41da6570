/**
 * Values the ESA/390 assembler returns. Bad source never throws: every
 * problem is an `AsmError` value with the line and column it was found at.
 */
import type { Esa390InstructionInfo } from '../table';

/** A place in the source: 1-based line and column. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Classes of assembly errors (the `code` of an AsmError). */
export type AsmErrorCode =
  | 'SYNTAX'
  | 'UNKNOWN_OPERATION'
  | 'UNDEFINED_SYMBOL'
  | 'DUPLICATE_SYMBOL'
  | 'REGISTER_RANGE'
  | 'MASK_RANGE'
  | 'DISPLACEMENT_RANGE'
  | 'IMMEDIATE_RANGE'
  | 'LENGTH_RANGE'
  | 'RELATIVE_RANGE'
  | 'RELATIVE_ALIGNMENT'
  | 'NO_USING'
  | 'RELOCATABILITY'
  | 'OVERFLOW'
  | 'CONSTANT'
  | 'LOCATION'
  | 'DIRECTIVE'
  | 'CONTINUATION'
  | 'CIRCULAR';

/** One problem in the source, located precisely. */
export interface AsmError extends SourcePosition {
  readonly code: AsmErrorCode;
  readonly message: string;
  /** The physical source line the column refers to (without its line terminator). */
  readonly sourceLine: string;
}

/**
 * What a symbol is, after HLASM's type attribute T': I instruction, C/X/F/H/A/Y/B/P/Z/D
 * constant or area of that type, W channel command word, U equate or undefined type, J section.
 */
export type AsmSymbolType = 'I' | 'C' | 'X' | 'F' | 'H' | 'A' | 'Y' | 'B' | 'P' | 'Z' | 'D' | 'U' | 'J' | 'W';

/** An ordinary symbol: a label or an EQU. */
export interface AsmSymbol {
  readonly name: string;
  /** Its value: an address for labels (the section is assembled at its START origin), any integer for EQUs. */
  readonly value: number;
  /** Relocatable (an address in the control section, or an offset in a DSECT) rather than absolute. */
  readonly relocatable: boolean;
  /** The DSECT the symbol is an offset in; undefined for the control section and absolute symbols. */
  readonly dsect: string | undefined;
  /** The length attribute L'name. */
  readonly length: number;
  readonly type: AsmSymbolType;
  /** Line of the defining statement. */
  readonly line: number;
  /** Lines of the statements that refer to it, in order. */
  readonly references: readonly number[];
}

/** A contiguous run of assembled bytes. */
export interface AsmChunk {
  readonly address: number;
  readonly bytes: Uint8Array;
}

/** One line of the listing: a statement, or a literal placed by LTORG/END. */
export interface ListedStatement {
  /** Statement number (every statement counts, comments included, as in HLASM; literals carry the number of their LTORG/END). */
  readonly stmt: number;
  /** First physical line of the statement. */
  readonly line: number;
  /** Location counter, when the statement has one to show. */
  readonly loc: number | undefined;
  /** Object code the statement produced (empty for DS, comments, directives). */
  readonly bytes: Uint8Array;
  /** How the object code is grouped in the OBJECT CODE column: instructions 2+2+2 bytes, data in one run. */
  readonly kind: 'instruction' | 'data' | 'none';
  /** ADDR1 and ADDR2 columns: the effective addresses of storage operands, or the value of an EQU/USING. */
  readonly addr1: number | undefined;
  readonly addr2: number | undefined;
  /** A literal placed in a pool by LTORG or END (rather than a source statement). */
  readonly literal: boolean;
  /** Source text as written (continuation lines joined with newlines), or the literal's text. */
  readonly source: string;
  readonly errors: readonly AsmError[];
}

/** Everything an assembly produces. */
export interface AssemblyResult {
  /** No errors. */
  readonly ok: boolean;
  readonly errors: readonly AsmError[];
  /** Lowest assembled address (0 when nothing was assembled). */
  readonly origin: number;
  /** Flat image from `origin` to the last byte of object code; gaps (DS, ORG, alignment) are zero. */
  readonly image: Uint8Array;
  /** The object code as a sparse list of runs, in address order. */
  readonly chunks: readonly AsmChunk[];
  /** Symbols in name order. */
  readonly symbols: readonly AsmSymbol[];
  /** Entry point from the END operand, if given. */
  readonly entry: number | undefined;
  /** The control section's name (from START/CSECT), if any. */
  readonly sectionName: string | undefined;
  readonly statements: readonly ListedStatement[];
}

/** A decoded instruction (or an undecodable unit shown as a DC). */
export interface DisassembledInstruction {
  readonly address: number;
  /** Mnemonic, or `DC` for bytes that are not an instruction of the table. */
  readonly mnemonic: string;
  /** Operand text in assembler syntax (relative targets as absolute addresses). */
  readonly operands: string;
  readonly length: number;
  readonly bytes: Uint8Array;
  /** The table row, when the bytes are an instruction of the table. */
  readonly row: Esa390InstructionInfo | undefined;
  /** `mnemonic operands`, padded as in a listing. */
  readonly text: string;
}
