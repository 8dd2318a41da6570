/**
 * Why `Cpu.run()` returned. Guest behaviour never throws: every guest fault
 * is either an architected interruption handled inside the guest, or one of
 * these exits to the host that runs the CPU.
 */
export type Exit =
  /** The instruction or cycle budget given to run() is used up. */
  | { readonly reason: 'budget' }
  /** The PSW wait bit is on. `enabled` is false for a disabled wait (no interruption can end it). */
  | { readonly reason: 'wait'; readonly enabled: boolean }
  /** The CPU is in the stopped state (SIGP stop, operator stop, not yet started). */
  | { readonly reason: 'stopped' }
  /**
   * An event the interception policy routes to the host: the instruction is
   * left unexecuted (PSW points at it, `length` says how long it is) unless
   * `completed` is true. `kind` names the event class, `code` its detail
   * (ESA/390: program-interruption code, or the SIE interception code).
   */
  | {
      readonly reason: 'interception';
      readonly kind: InterceptionKind;
      readonly code: number;
      readonly opcode: number;
      readonly length: number;
      readonly completed: boolean;
    }
  /** A breakpoint address was reached (before executing the instruction there). */
  | { readonly reason: 'breakpoint'; readonly address: number }
  /** The CPU entered the check-stop state; `why` says what the machine could not handle. */
  | { readonly reason: 'check-stop'; readonly why: string };

/** The classes of events a host can ask to intercept. */
export type InterceptionKind =
  /** A program interruption (privileged operation, operation exception, translation fault, ...). */
  | 'program'
  /** A supervisor call. */
  | 'svc'
  /** An instruction the policy names (I/O, SIGP, DIAGNOSE, ...), intercepted before execution. */
  | 'instruction'
  /** The CPU entered a wait state (SIE: interception code for wait). */
  | 'wait'
  /** An external or I/O interruption became pending for a guest under SIE. */
  | 'interruption'
  /** A fault the host's own translation layer must resolve (shadow hidden fault, nested fault). */
  | 'host-translation';

/**
 * What a host wants to see. The CPU consults the policy only on rare events
 * (interruptions, privileged and sensitive instructions), never per ordinary
 * instruction, so a plain object with predicate methods costs nothing on the
 * fast path.
 */
export interface InterceptionPolicy {
  readonly name: string;
  /** Route this program interruption to the host instead of the guest's program new PSW? */
  program(code: number): boolean;
  /** Route this SVC to the host? */
  svc(number: number): boolean;
  /** Intercept this instruction (by mnemonic) before it executes? Called only for privileged/sensitive instructions. */
  instruction(mnemonic: string): boolean;
}

/** Bare machine: nothing goes to a host; every interruption is the program's own. */
export const NO_INTERCEPTION: InterceptionPolicy = {
  name: 'none',
  program: () => false,
  svc: () => false,
  instruction: () => false,
};

/**
 * Trap-and-emulate (VM/370 style): the guest runs in problem state, so every
 * privileged instruction raises a privileged-operation exception, which goes
 * to the host; so do all other program interruptions and SVCs, which the host
 * reflects to the guest's virtual PSWs.
 */
export const TRAP_AND_EMULATE: InterceptionPolicy = {
  name: 'trap-and-emulate',
  program: () => true,
  svc: () => true,
  instruction: () => false,
};

/** Build a policy that intercepts the listed instructions (SIE-like: I/O, SIGP, DIAGNOSE). */
export function interceptInstructions(name: string, mnemonics: Iterable<string>): InterceptionPolicy {
  const set = new Set(mnemonics);
  return { name, program: () => false, svc: () => false, instruction: (m) => set.has(m) };
}

/**
 * The architecture-neutral CPU shape every architecture's CPU class has
 * (ESA/390's `Esa390Cpu` now, IA-32's later): a host runs it for a budget and
 * gets back a typed exit; guest behaviour never throws.
 */
export interface Cpu {
  /** CPU address within its machine. */
  readonly id: number;
  /** Instructions completed so far. */
  readonly instructions: number;
  /** Simulated cycles consumed so far (cost model). */
  readonly cycles: number;
  /** Execute one instruction (or take one interruption); null means "keep going". */
  step(): Exit | null;
  /** Execute up to `budget` instructions and say why it stopped. */
  run(budget: number): Exit;
}
