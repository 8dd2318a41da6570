/**
 * The ESA/390 instruction table: one declarative row per instruction, in the
 * manner of QEMU's s390x insn-data table. Decoder, executor dispatch,
 * assembler, disassembler, the Popek-Goldberg classifier and the differential
 * test generator all read these rows; adding an instruction is one row plus its
 * operation.
 *
 * Opcodes and formats are those of the ESA/390 Principles of Operation
 * (SA22-7201), Appendix B. Extended opcodes are written as the full opcode:
 * `0xB2xx` for the 16-bit B2 group, `0xA7x` for the 12-bit RI group
 * (first byte A7, low four bits of the second byte).
 */
import type { InstructionInfo, Sensitivity } from '../framework/metadata';

/** ESA/390 instruction formats (POP chapter 5, "Instruction Formats"). */
export type Esa390Format = 'E' | 'RR' | 'RRE' | 'RX' | 'RS' | 'RSI' | 'RI' | 'SI' | 'S' | 'SS' | 'SSE';

/**
 * Operand syntax as written in assembler source and printed by the
 * disassembler. Field names follow the POP: R register, M mask, X index,
 * B base, D displacement, I immediate, L length, RI relative-immediate
 * (halfwords from the instruction, written as a target label or address).
 */
export type Esa390Operands =
  | ''
  | 'R1'
  | 'R1,R2'
  | 'M1,R2'
  | 'I'
  | 'R1,D2(X2,B2)'
  | 'M1,D2(X2,B2)'
  | 'R1,R3,D2(B2)'
  | 'R1,M3,D2(B2)'
  | 'R1,D2(B2)'
  | 'R1,R3,RI2'
  | 'R1,I2'
  | 'R1,RI2'
  | 'M1,RI2'
  | 'D1(B1),I2'
  | 'D2(B2)'
  | 'D1(L,B1),D2(B2)'
  | 'D1(L1,B1),D2(L2,B2)'
  | 'D1(B1),D2(B2)';

/** How many bits of the instruction the opcode occupies. */
export type OpcodeBits = 8 | 12 | 16;

export interface Esa390InstructionInfo extends InstructionInfo {
  readonly format: Esa390Format;
  readonly opcodeBits: OpcodeBits;
  readonly operands: Esa390Operands;
  /** Branch-type: the disassembler shows targets, the test generator avoids wild branches. */
  readonly branch: boolean;
  /** Sets the condition code. */
  readonly setsCC: boolean;
  /** Alternative mnemonics accepted by the assembler (extended mnemonics are separate). */
  readonly aliases?: readonly string[];
  /**
   * The immediate operand (I, I2) is a signed two's-complement value (LHI, AHI,
   * MHI, CHI: POP 7, "Load Halfword Immediate") rather than an unsigned mask or
   * byte (TMLL, MVI, SVC). The assembler range-checks and the disassembler
   * prints the field accordingly. Always present on rows of this table.
   */
  readonly signedImmediate?: boolean;
}

const LENGTH: Record<Esa390Format, number> = {
  E: 2, RR: 2, RRE: 4, RX: 4, RS: 4, RSI: 4, RI: 4, SI: 4, S: 4, SS: 6, SSE: 6,
};

/**
 * Base cycle costs of the reference machine model. No public per-instruction
 * timings exist for the S/390 G5/G6 generation, so costs are relative weights
 * by operation class (register 1, storage 2, multiply 4, divide 20, control 10 to 40,
 * SS moves by their setup), documented as an assumption of the cost model.
 */
const C_RR = 1;
const C_ST = 2;

type Row = [
  mnemonic: string,
  opcode: number,
  format: Esa390Format,
  operands: Esa390Operands,
  flags: string,
  cycles: number,
  description: string,
];

/*
 * flags: p = privileged, c = control-sensitive, b = behaviour-sensitive,
 *        j = branch, k = sets condition code, i = signed immediate operand
 */
const ROWS: readonly Row[] = [
  // Loads, stores, moves
  ['LR', 0x18, 'RR', 'R1,R2', '', C_RR, 'Load'],
  ['L', 0x58, 'RX', 'R1,D2(X2,B2)', '', C_ST, 'Load'],
  ['LTR', 0x12, 'RR', 'R1,R2', 'k', C_RR, 'Load and Test'],
  ['LCR', 0x13, 'RR', 'R1,R2', 'k', C_RR, 'Load Complement'],
  ['LNR', 0x11, 'RR', 'R1,R2', 'k', C_RR, 'Load Negative'],
  ['LPR', 0x10, 'RR', 'R1,R2', 'k', C_RR, 'Load Positive'],
  ['LA', 0x41, 'RX', 'R1,D2(X2,B2)', '', C_RR, 'Load Address'],
  ['LH', 0x48, 'RX', 'R1,D2(X2,B2)', '', C_ST, 'Load Halfword'],
  ['LHI', 0xa78, 'RI', 'R1,I2', 'i', C_RR, 'Load Halfword Immediate'],
  ['ST', 0x50, 'RX', 'R1,D2(X2,B2)', '', C_ST, 'Store'],
  ['STH', 0x40, 'RX', 'R1,D2(X2,B2)', '', C_ST, 'Store Halfword'],
  ['IC', 0x43, 'RX', 'R1,D2(X2,B2)', '', C_ST, 'Insert Character'],
  ['ICM', 0xbf, 'RS', 'R1,M3,D2(B2)', 'k', C_ST, 'Insert Characters under Mask'],
  ['STC', 0x42, 'RX', 'R1,D2(X2,B2)', '', C_ST, 'Store Character'],
  ['STCM', 0xbe, 'RS', 'R1,M3,D2(B2)', '', C_ST, 'Store Characters under Mask'],
  ['LM', 0x98, 'RS', 'R1,R3,D2(B2)', '', 4, 'Load Multiple'],
  ['STM', 0x90, 'RS', 'R1,R3,D2(B2)', '', 4, 'Store Multiple'],
  ['MVC', 0xd2, 'SS', 'D1(L,B1),D2(B2)', '', 4, 'Move Characters'],
  ['MVCL', 0x0e, 'RR', 'R1,R2', 'k', 8, 'Move Long'],
  ['MVI', 0x92, 'SI', 'D1(B1),I2', '', C_ST, 'Move Immediate'],
  ['MVZ', 0xd3, 'SS', 'D1(L,B1),D2(B2)', '', 4, 'Move Zones'],
  ['MVN', 0xd1, 'SS', 'D1(L,B1),D2(B2)', '', 4, 'Move Numerics'],
  // Binary arithmetic
  ['AR', 0x1a, 'RR', 'R1,R2', 'k', C_RR, 'Add'],
  ['A', 0x5a, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'Add'],
  ['AH', 0x4a, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'Add Halfword'],
  ['AHI', 0xa7a, 'RI', 'R1,I2', 'ki', C_RR, 'Add Halfword Immediate'],
  ['ALR', 0x1e, 'RR', 'R1,R2', 'k', C_RR, 'Add Logical'],
  ['AL', 0x5e, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'Add Logical'],
  ['SR', 0x1b, 'RR', 'R1,R2', 'k', C_RR, 'Subtract'],
  ['S', 0x5b, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'Subtract'],
  ['SH', 0x4b, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'Subtract Halfword'],
  ['SLR', 0x1f, 'RR', 'R1,R2', 'k', C_RR, 'Subtract Logical'],
  ['SL', 0x5f, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'Subtract Logical'],
  ['MR', 0x1c, 'RR', 'R1,R2', '', 4, 'Multiply'],
  ['M', 0x5c, 'RX', 'R1,D2(X2,B2)', '', 5, 'Multiply'],
  ['MH', 0x4c, 'RX', 'R1,D2(X2,B2)', '', 4, 'Multiply Halfword'],
  ['MHI', 0xa7c, 'RI', 'R1,I2', 'i', 4, 'Multiply Halfword Immediate'],
  ['DR', 0x1d, 'RR', 'R1,R2', '', 20, 'Divide'],
  ['D', 0x5d, 'RX', 'R1,D2(X2,B2)', '', 21, 'Divide'],
  // Logic
  ['NR', 0x14, 'RR', 'R1,R2', 'k', C_RR, 'And'],
  ['N', 0x54, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'And'],
  ['NI', 0x94, 'SI', 'D1(B1),I2', 'k', C_ST, 'And Immediate'],
  ['NC', 0xd4, 'SS', 'D1(L,B1),D2(B2)', 'k', 4, 'And Characters'],
  ['OR', 0x16, 'RR', 'R1,R2', 'k', C_RR, 'Or'],
  ['O', 0x56, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'Or'],
  ['OI', 0x96, 'SI', 'D1(B1),I2', 'k', C_ST, 'Or Immediate'],
  ['OC', 0xd6, 'SS', 'D1(L,B1),D2(B2)', 'k', 4, 'Or Characters'],
  ['XR', 0x17, 'RR', 'R1,R2', 'k', C_RR, 'Exclusive Or'],
  ['X', 0x57, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'Exclusive Or'],
  ['XI', 0x97, 'SI', 'D1(B1),I2', 'k', C_ST, 'Exclusive Or Immediate'],
  ['XC', 0xd7, 'SS', 'D1(L,B1),D2(B2)', 'k', 4, 'Exclusive Or Characters'],
  // Comparison and testing
  ['CR', 0x19, 'RR', 'R1,R2', 'k', C_RR, 'Compare'],
  ['C', 0x59, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'Compare'],
  ['CH', 0x49, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'Compare Halfword'],
  ['CHI', 0xa7e, 'RI', 'R1,I2', 'ki', C_RR, 'Compare Halfword Immediate'],
  ['CLR', 0x15, 'RR', 'R1,R2', 'k', C_RR, 'Compare Logical'],
  ['CL', 0x55, 'RX', 'R1,D2(X2,B2)', 'k', C_ST, 'Compare Logical'],
  ['CLI', 0x95, 'SI', 'D1(B1),I2', 'k', C_ST, 'Compare Logical Immediate'],
  ['CLC', 0xd5, 'SS', 'D1(L,B1),D2(B2)', 'k', 4, 'Compare Logical Characters'],
  ['CLM', 0xbd, 'RS', 'R1,M3,D2(B2)', 'k', C_ST, 'Compare Logical Characters under Mask'],
  ['CLCL', 0x0f, 'RR', 'R1,R2', 'k', 8, 'Compare Logical Long'],
  ['TM', 0x91, 'SI', 'D1(B1),I2', 'k', C_ST, 'Test under Mask'],
  ['TMLH', 0xa70, 'RI', 'R1,I2', 'k', C_RR, 'Test under Mask High', ],
  ['TMLL', 0xa71, 'RI', 'R1,I2', 'k', C_RR, 'Test under Mask Low'],
  ['TR', 0xdc, 'SS', 'D1(L,B1),D2(B2)', '', 6, 'Translate'],
  ['TRT', 0xdd, 'SS', 'D1(L,B1),D2(B2)', 'k', 6, 'Translate and Test'],
  // Shifts
  ['SLL', 0x89, 'RS', 'R1,D2(B2)', '', C_RR, 'Shift Left Single Logical'],
  ['SRL', 0x88, 'RS', 'R1,D2(B2)', '', C_RR, 'Shift Right Single Logical'],
  ['SLA', 0x8b, 'RS', 'R1,D2(B2)', 'k', C_RR, 'Shift Left Single'],
  ['SRA', 0x8a, 'RS', 'R1,D2(B2)', 'k', C_RR, 'Shift Right Single'],
  ['SLDL', 0x8d, 'RS', 'R1,D2(B2)', '', 2, 'Shift Left Double Logical'],
  ['SRDL', 0x8c, 'RS', 'R1,D2(B2)', '', 2, 'Shift Right Double Logical'],
  ['SLDA', 0x8f, 'RS', 'R1,D2(B2)', 'k', 2, 'Shift Left Double'],
  ['SRDA', 0x8e, 'RS', 'R1,D2(B2)', 'k', 2, 'Shift Right Double'],
  // Branches
  ['BCR', 0x07, 'RR', 'M1,R2', 'j', C_RR, 'Branch on Condition'],
  ['BC', 0x47, 'RX', 'M1,D2(X2,B2)', 'j', C_RR, 'Branch on Condition'],
  ['BALR', 0x05, 'RR', 'R1,R2', 'j', C_RR, 'Branch and Link'],
  ['BAL', 0x45, 'RX', 'R1,D2(X2,B2)', 'j', C_RR, 'Branch and Link'],
  ['BASR', 0x0d, 'RR', 'R1,R2', 'j', C_RR, 'Branch and Save'],
  ['BAS', 0x4d, 'RX', 'R1,D2(X2,B2)', 'j', C_RR, 'Branch and Save'],
  ['BSM', 0x0b, 'RR', 'R1,R2', 'j', 2, 'Branch and Set Mode'],
  ['BASSM', 0x0c, 'RR', 'R1,R2', 'j', 2, 'Branch and Save and Set Mode'],
  ['BCTR', 0x06, 'RR', 'R1,R2', 'j', C_RR, 'Branch on Count'],
  ['BCT', 0x46, 'RX', 'R1,D2(X2,B2)', 'j', C_RR, 'Branch on Count'],
  ['BXH', 0x86, 'RS', 'R1,R3,D2(B2)', 'j', 2, 'Branch on Index High'],
  ['BXLE', 0x87, 'RS', 'R1,R3,D2(B2)', 'j', 2, 'Branch on Index Low or Equal'],
  ['BRC', 0xa74, 'RI', 'M1,RI2', 'j', C_RR, 'Branch Relative on Condition'],
  ['BRAS', 0xa75, 'RI', 'R1,RI2', 'j', C_RR, 'Branch Relative and Save'],
  ['BRCT', 0xa76, 'RI', 'R1,RI2', 'j', C_RR, 'Branch Relative on Count'],
  ['BRXH', 0x84, 'RSI', 'R1,R3,RI2', 'j', 2, 'Branch Relative on Index High'],
  ['BRXLE', 0x85, 'RSI', 'R1,R3,RI2', 'j', 2, 'Branch Relative on Index Low or Equal'],
  ['EX', 0x44, 'RX', 'R1,D2(X2,B2)', '', 3, 'Execute'],
  // Decimal conversion
  ['CVB', 0x4f, 'RX', 'R1,D2(X2,B2)', '', 8, 'Convert to Binary'],
  ['CVD', 0x4e, 'RX', 'R1,D2(X2,B2)', '', 8, 'Convert to Decimal'],
  ['PACK', 0xf2, 'SS', 'D1(L1,B1),D2(L2,B2)', '', 6, 'Pack'],
  ['UNPK', 0xf3, 'SS', 'D1(L1,B1),D2(L2,B2)', '', 6, 'Unpack'],
  // Serialization and interlocked update
  ['CS', 0xba, 'RS', 'R1,R3,D2(B2)', 'k', 6, 'Compare and Swap'],
  ['CDS', 0xbb, 'RS', 'R1,R3,D2(B2)', 'k', 8, 'Compare Double and Swap'],
  ['TS', 0x93, 'S', 'D2(B2)', 'k', 4, 'Test and Set'],
  // Problem-state status
  ['SVC', 0x0a, 'RR', 'I', '', 10, 'Supervisor Call'],
  ['SPM', 0x04, 'RR', 'R1', 'k', C_RR, 'Set Program Mask'],
  ['IPM', 0xb222, 'RRE', 'R1', '', C_RR, 'Insert Program Mask'],
  ['STCK', 0xb205, 'S', 'D2(B2)', 'k', 6, 'Store Clock'],
  // Semiprivileged: it depends on the DAT mode and CR0, but a VMM makes it trap (special operation)
  // by keeping CR0 bit 5 off while its guest's DAT is off, and its home mode is privileged.
  ['SAC', 0xb219, 'S', 'D2(B2)', '', 10, 'Set Address Space Control'],
  // Privileged control instructions
  ['LPSW', 0x82, 'S', 'D2(B2)', 'pcj', 15, 'Load PSW'],
  ['SSM', 0x80, 'S', 'D2(B2)', 'pc', 10, 'Set System Mask'],
  ['STOSM', 0xad, 'SI', 'D1(B1),I2', 'pc', 10, 'Store Then Or System Mask'],
  ['STNSM', 0xac, 'SI', 'D1(B1),I2', 'pc', 10, 'Store Then And System Mask'],
  ['LCTL', 0xb7, 'RS', 'R1,R3,D2(B2)', 'pc', 20, 'Load Control'],
  ['STCTL', 0xb6, 'RS', 'R1,R3,D2(B2)', 'pb', 10, 'Store Control'],
  ['SSK', 0x08, 'RR', 'R1,R2', 'pc', 10, 'Set Storage Key (S/370; operation exception in ESA/390 per Hercules)'],
  ['ISK', 0x09, 'RR', 'R1,R2', 'pb', 10, 'Insert Storage Key (S/370; operation exception in ESA/390 per Hercules)'],
  ['SSKE', 0xb22b, 'RRE', 'R1,R2', 'pc', 10, 'Set Storage Key Extended'],
  ['ISKE', 0xb229, 'RRE', 'R1,R2', 'pb', 8, 'Insert Storage Key Extended'],
  ['RRBE', 0xb22a, 'RRE', 'R1,R2', 'pck', 8, 'Reset Reference Bit Extended'],
  ['IPTE', 0xb221, 'RRE', 'R1,R2', 'pc', 20, 'Invalidate Page Table Entry'],
  ['PTLB', 0xb20d, 'S', '', 'pc', 20, 'Purge TLB'],
  ['LRA', 0xb1, 'RX', 'R1,D2(X2,B2)', 'pbk', 10, 'Load Real Address'],
  ['SPX', 0xb210, 'S', 'D2(B2)', 'pc', 20, 'Set Prefix'],
  ['STPX', 0xb211, 'S', 'D2(B2)', 'pb', 4, 'Store Prefix'],
  ['SCK', 0xb204, 'S', 'D2(B2)', 'pck', 20, 'Set Clock'],
  ['SCKC', 0xb206, 'S', 'D2(B2)', 'pc', 10, 'Set Clock Comparator'],
  ['STCKC', 0xb207, 'S', 'D2(B2)', 'pb', 4, 'Store Clock Comparator'],
  ['SPT', 0xb208, 'S', 'D2(B2)', 'pc', 10, 'Set CPU Timer'],
  ['STPT', 0xb209, 'S', 'D2(B2)', 'pb', 4, 'Store CPU Timer'],
  ['STAP', 0xb212, 'S', 'D2(B2)', 'pb', 4, 'Store CPU Address'],
  ['STIDP', 0xb202, 'S', 'D2(B2)', 'pb', 4, 'Store CPU ID'],
  ['SIGP', 0xae, 'RS', 'R1,R3,D2(B2)', 'pck', 40, 'Signal Processor'],
  ['DIAG', 0x83, 'RS', 'R1,R3,D2(B2)', 'pc', 40, 'Diagnose (model-dependent; CP hypercall)'],
  ['SIE', 0xb214, 'S', 'D2(B2)', 'pc', 40, 'Start Interpretive Execution'],
  // Channel-subsystem I/O instructions (semantics in the injected I/O handler)
  ['SSCH', 0xb233, 'S', 'D2(B2)', 'pck', 40, 'Start Subchannel'],
  ['TSCH', 0xb235, 'S', 'D2(B2)', 'pbk', 30, 'Test Subchannel'],
  ['STSCH', 0xb234, 'S', 'D2(B2)', 'pbk', 30, 'Store Subchannel'],
  ['MSCH', 0xb232, 'S', 'D2(B2)', 'pck', 30, 'Modify Subchannel'],
  ['HSCH', 0xb231, 'S', '', 'pck', 30, 'Halt Subchannel'],
  ['CSCH', 0xb230, 'S', '', 'pck', 30, 'Clear Subchannel'],
  ['RSCH', 0xb238, 'S', '', 'pck', 30, 'Resume Subchannel'],
  ['TPI', 0xb236, 'S', 'D2(B2)', 'pbk', 30, 'Test Pending Interruption'],
];

function sensitivityOf(flags: string): Sensitivity {
  if (flags.includes('c')) return 'control';
  if (flags.includes('b')) return 'behaviour';
  return 'innocuous';
}

function opcodeBitsOf(opcode: number): OpcodeBits {
  if (opcode <= 0xff) return 8;
  if (opcode >= 0xa70 && opcode <= 0xa7f) return 12;
  return 16;
}

/** The ESA/390 subset, one row per instruction. */
export const ESA390_INSTRUCTIONS: readonly Esa390InstructionInfo[] = ROWS.map(
  ([mnemonic, opcode, format, operands, flags, cycles, description]) => {
    const info: Esa390InstructionInfo = {
      mnemonic,
      opcode,
      opcodeBits: opcodeBitsOf(opcode),
      format,
      operands,
      length: LENGTH[format],
      privileged: flags.includes('p'),
      sensitivity: sensitivityOf(flags),
      branch: flags.includes('j'),
      setsCC: flags.includes('k'),
      signedImmediate: flags.includes('i'),
      cycles,
      description,
      ...(mnemonic === 'TMLH' ? { aliases: ['TMH'] } : mnemonic === 'TMLL' ? { aliases: ['TML'] } : {}),
    };
    return Object.freeze(info);
  },
);

const BY_MNEMONIC = new Map<string, Esa390InstructionInfo>();
for (const row of ESA390_INSTRUCTIONS) {
  BY_MNEMONIC.set(row.mnemonic, row);
  for (const a of row.aliases ?? []) BY_MNEMONIC.set(a, row);
}

/** Look up a row by mnemonic or alias (upper case). */
export function esa390Instruction(mnemonic: string): Esa390InstructionInfo | undefined {
  return BY_MNEMONIC.get(mnemonic.toUpperCase());
}

/**
 * The opcode key of the instruction whose first bytes are `b0`, `b1`: the
 * primary opcode for 8-bit opcodes, `0xA70 | (b1 & 0xF)` for the RI group,
 * `(b0 << 8) | b1` for the 16-bit groups (B2, 01, E5).
 */
export function opcodeKey(b0: number, b1: number): number {
  if (b0 === 0xa7) return 0xa70 | (b1 & 0x0f);
  if (b0 === 0xb2 || b0 === 0x01 || b0 === 0xe5) return (b0 << 8) | b1;
  return b0;
}

const BY_OPCODE = new Map<number, Esa390InstructionInfo>();
for (const row of ESA390_INSTRUCTIONS) BY_OPCODE.set(row.opcode, row);

/** Look up a row by opcode key (see opcodeKey). */
export function esa390InstructionByOpcode(key: number): Esa390InstructionInfo | undefined {
  return BY_OPCODE.get(key);
}
