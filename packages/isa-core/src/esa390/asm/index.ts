/**
 * The ESA/390 assembler, listing and disassembler, all driven by the
 * instruction table (../table.ts).
 */
export { assemble } from './assembler';
export {
  disassemble,
  disassembleRange,
  instructionLengthFromOpcode,
  type DisassembleOptions,
} from './disassembler';
export {
  asciiToEbcdic,
  EBCDIC_037_TO_LATIN1,
  EBCDIC_SPACE,
  ebcdicToAscii,
  firstUnmappableForEbcdic,
  LATIN1_TO_EBCDIC_037,
} from './ebcdic';
export { EXTENDED_MNEMONICS, type ExtendedMnemonic, extendedMnemonic } from './extended';
export { formatAsmError, formatAsmErrorContext, formatListing, type ListingOptions } from './listing';
export { HERCULES_ALTER_MAX_BYTES, herculesAlterCommands } from './rc';
export type * from './types';
