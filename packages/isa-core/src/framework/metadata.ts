/**
 * Instruction metadata shared by every architecture, and the Popek-Goldberg
 * classifier. Each architecture's declarative instruction table provides one
 * `InstructionInfo` per instruction; decoder, executor, assembler,
 * disassembler, documentation and test generation all read the same rows.
 */

/**
 * Sensitivity classes after Popek & Goldberg (1974), "Formal requirements for
 * virtualizable third generation architectures":
 * - control: changes the configuration of resources (PSW, control registers, keys, prefix, I/O);
 * - behaviour: its effect depends on the configuration (mode- or location-dependent);
 * - innocuous: neither.
 */
export type Sensitivity = 'control' | 'behaviour' | 'innocuous';

/** One row's metadata, common to all architectures. */
export interface InstructionInfo {
  readonly mnemonic: string;
  /** Opcode as an integer (ESA/390: 8, 16 or 12-bit extended opcodes packed as the table defines). */
  readonly opcode: number;
  /** Instruction format name as the architecture spells it (RR, RX, RS, SI, S, SS, RI, RRE, ...). */
  readonly format: string;
  /** Length in bytes (for variable-length ISAs, the typical length). */
  readonly length: number;
  /** Traps (privileged-operation exception) when executed in problem/user state. */
  readonly privileged: boolean;
  readonly sensitivity: Sensitivity;
  /** Base cost in cycles on the reference machine model. */
  readonly cycles: number;
  readonly description: string;
}

/** Result of the Popek-Goldberg test over an architecture's instruction table. */
export interface Classification {
  readonly architecture: string;
  /** True when every sensitive instruction is privileged: a trap-and-emulate VMM can be built. */
  readonly virtualizable: boolean;
  readonly sensitive: readonly string[];
  readonly privileged: readonly string[];
  /** Sensitive but not privileged: the instructions that break trap-and-emulate. */
  readonly violations: readonly string[];
}

/**
 * Apply Popek & Goldberg's Theorem 1: an effective VMM may be constructed if
 * the set of sensitive instructions is a subset of the privileged ones.
 */
export function classify(architecture: string, table: readonly InstructionInfo[]): Classification {
  const sensitive = table.filter((i) => i.sensitivity !== 'innocuous').map((i) => i.mnemonic);
  const privileged = table.filter((i) => i.privileged).map((i) => i.mnemonic);
  const violations = table.filter((i) => i.sensitivity !== 'innocuous' && !i.privileged).map((i) => i.mnemonic);
  return { architecture, virtualizable: violations.length === 0, sensitive, privileged, violations };
}
