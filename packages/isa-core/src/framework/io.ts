/**
 * The I/O-instruction handler interface. isa-core decodes the channel-subsystem
 * instructions (SSCH, TSCH, STSCH, MSCH, HSCH, CSCH, RSCH, TPI, ...) and, after
 * the privileged-operation and operand checks that belong to the CPU, hands
 * them to an injected handler (io-channel implements it). Without a handler a
 * CPU behaves as a machine with no devices: every subchannel is not
 * operational (condition code 3), TPI finds nothing (cc 0).
 */

/** The channel-subsystem instructions a handler receives. */
export type IoInstruction = 'SSCH' | 'TSCH' | 'STSCH' | 'MSCH' | 'HSCH' | 'CSCH' | 'RSCH' | 'TPI' | 'XSCH' | 'SAL' | 'SCHM';

/**
 * What the handler may use of the CPU that issued the instruction: its
 * general registers (GR1 holds the subsystem-identification word) and the
 * storage operand, accessed with the CPU's own translation and key.
 * Accessors return 0 on success or the program-interruption code of the
 * access exception (the CPU then takes that program interruption).
 */
export interface IoOperandAccess {
  readonly gpr: Int32Array;
  /** PSW key of the issuing CPU (0-15), for the ORB key default and checks. */
  readonly pswKey: number;
  /**
   * Control register 6 of the issuing CPU: bits 0-7 are the I/O-interruption
   * subclass masks that TEST PENDING INTERRUPTION honours (POP, "TEST PENDING
   * INTERRUPTION"). Absent means every subclass is enabled (no CPU behind the access).
   */
  readonly cr6?: number;
  /** Fetch `length` bytes of the storage operand at logical `address` into `target`. */
  fetch(address: number, target: Uint8Array, length: number): number;
  /** Store `data` at logical `address`. */
  store(address: number, data: Uint8Array): number;
}

/** Result of an I/O instruction: a condition code 0-3, or a negative program-interruption code. */
export type IoResult = number;

/** A pending I/O interruption as the CPU stores it in the prefix area. */
export interface IoInterruption {
  /** Subsystem-identification word (ESA/390: X'0001' ‖ subchannel number), stored at X'B8'. */
  readonly subsystemId: number;
  /** I/O-interruption parameter from the ORB/PMCW, stored at X'BC'. */
  readonly parameter: number;
  /** Interruption subclass 0-7 (ISC), checked against the CR6 mask. */
  readonly isc: number;
}

export interface IoHandler {
  /** Execute one I/O instruction whose storage operand (if any) is at logical `operandAddress`. */
  execute(instruction: IoInstruction, operandAddress: number, cpu: IoOperandAccess): IoResult;
  /**
   * Take (dequeue) the highest-priority pending I/O interruption whose ISC is
   * enabled in `cr6` (bits 0-7 are the subclass masks), or null.
   */
  takeInterruption(cr6: number): IoInterruption | null;
  /** Is any I/O interruption pending (regardless of masks)? */
  hasPending(): boolean;
  /**
   * The machine registers one listener; the handler calls it whenever an
   * interruption becomes pending, so CPUs re-check at their next instruction
   * boundary instead of polling the handler on every instruction.
   */
  setPendingListener(listener: () => void): void;
  /**
   * The I/O-system reset of a machine's initial and clear resets (POP "I/O-
   * System Reset"): subchannels idle, pending interruptions and status gone,
   * devices reset. Optional: a handler without it keeps its state across them.
   */
  reset?(): void;
}
