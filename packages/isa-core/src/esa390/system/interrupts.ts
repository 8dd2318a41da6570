/**
 * Interruption delivery at instruction boundaries (POP SA22-7201 chapter 6,
 * "Interruptions"): external, I/O and restart interruptions through the
 * old/new PSW pairs of the CPU's prefix area, in the architected priority
 * order (machine check > program and SVC > external > I/O > restart; program
 * interruptions are the core's, SVC is taken inside the instruction).
 *
 * `cpu.pending` holds only what the current PSW and control registers allow
 * to be delivered now, so the interpreter's one comparison per instruction
 * stays false while conditions are pending but masked. The raw conditions live
 * in the CPU's system state; `refreshPending()` recomputes the deliverable set
 * whenever a mask or a condition changes.
 */
import type { Exit } from '../../framework/exit';
import type { Esa390Cpu } from '../cpu';
import { PSW_EXT, PSW_IO } from '../psw';
import {
  CR0_CLOCK_COMPARATOR,
  CR0_CPU_TIMER,
  CR0_EMERGENCY_SIGNAL,
  CR0_EXTERNAL_CALL,
  type Esa390CpuSystem,
  PENDING,
  systemOf,
} from './state';
import { updateTimers } from './timing';

/** Real locations of the interruption PSWs and codes in the prefix area (POP "Assigned Storage Locations"). */
export const LOWCORE = {
  RESTART_NEW_PSW: 0x00,
  RESTART_OLD_PSW: 0x08,
  EXTERNAL_OLD_PSW: 0x18,
  SVC_OLD_PSW: 0x20,
  PROGRAM_OLD_PSW: 0x28,
  MCHECK_OLD_PSW: 0x30,
  IO_OLD_PSW: 0x38,
  EXTERNAL_NEW_PSW: 0x58,
  SVC_NEW_PSW: 0x60,
  PROGRAM_NEW_PSW: 0x68,
  MCHECK_NEW_PSW: 0x70,
  IO_NEW_PSW: 0x78,
  EXTERNAL_PARAMETER: 0x80,
  /** CPU address (X'84', halfword) and external-interruption code (X'86', halfword). */
  EXTERNAL_CPU_ADDRESS: 0x84,
  /** SVC interruption identification: X'89' ILC × 2, X'8A' the SVC number. */
  SVC_INTERRUPTION: 0x88,
  PROGRAM_INTERRUPTION: 0x8c,
  /** I/O interruption: subsystem-identification word and interruption parameter. */
  SUBSYSTEM_ID: 0xb8,
  IO_PARAMETER: 0xbc,
} as const;

/**
 * Interruption requests of a host for a guest CPU under interpretive
 * execution (the state description's V byte: an external or I/O
 * interruption the host holds for the guest), as raw pending bits of the
 * guest CPU above the PENDING bits. Like a condition they are pending while
 * the guest is disabled; once its PSW enables the class (LPSW, SSM, STOSM,
 * an interruption's new PSW) the next instruction boundary ends SIE with
 * interception code X'10' or X'18' instead of delivering anything, so the
 * host can reflect its interruption at once rather than at the guest's next
 * interception or the end of its slice.
 */
export const SIE_REQUEST = {
  EXTERNAL: 0x100,
  IO: 0x200,
} as const;
const SIE_REQUESTS = SIE_REQUEST.EXTERNAL | SIE_REQUEST.IO;

/** The interception exits for the requests: `code` is the SIE interception code (X'10' external, X'18' I/O). */
const EXIT_EXTERNAL_REQUEST: Exit = Object.freeze({
  reason: 'interception',
  kind: 'interruption',
  code: 0x10,
  opcode: 0,
  length: 0,
  completed: true,
});
const EXIT_IO_REQUEST: Exit = Object.freeze({
  reason: 'interception',
  kind: 'interruption',
  code: 0x18,
  opcode: 0,
  length: 0,
  completed: true,
});

/** External-interruption codes (POP "External Interruption"). */
export const EXTERNAL_CODE = {
  EMERGENCY_SIGNAL: 0x1201,
  EXTERNAL_CALL: 0x1202,
  CLOCK_COMPARATOR: 0x1004,
  CPU_TIMER: 0x1005,
} as const;

/**
 * Recompute `cpu.pending` from the raw conditions and the current masks:
 * PSW external mask with the CR0 subclass masks, PSW I/O mask with the CR6
 * subclass masks; restart is not maskable. Call after any change of the PSW
 * masks, CR0, CR6 or a condition.
 */
export function refreshPending(cpu: Esa390Cpu, sys: Esa390CpuSystem = systemOf(cpu)): void {
  const raw = sys.raw;
  let m = raw & PENDING.RESTART;
  const sm = cpu.sysmask;
  if ((sm & PSW_EXT) !== 0) {
    const cr0 = cpu.cr[0]!;
    if ((cr0 & CR0_EMERGENCY_SIGNAL) !== 0) m |= raw & PENDING.EMERGENCY_SIGNAL;
    if ((cr0 & CR0_EXTERNAL_CALL) !== 0) m |= raw & PENDING.EXTERNAL_CALL;
    if ((cr0 & CR0_CLOCK_COMPARATOR) !== 0) m |= raw & PENDING.CLOCK_COMPARATOR;
    if ((cr0 & CR0_CPU_TIMER) !== 0) m |= raw & PENDING.CPU_TIMER;
  }
  if ((sm & PSW_IO) !== 0 && (cpu.cr[6]! & 0xff000000) !== 0) {
    // The I/O bit is dropped when the channel subsystem had nothing for the
    // enabled subclasses; a mask change is a reason to ask it again.
    if ((raw & PENDING.IO) === 0 && (!sys.ioBlocked || sys.ioBlockedCr6 !== cpu.cr[6])) {
      const io = sys.configuration.io;
      if (io?.hasPending()) {
        sys.raw |= PENDING.IO;
        sys.ioBlocked = false;
      }
    }
    m |= sys.raw & PENDING.IO;
  }
  if ((raw & SIE_REQUESTS) !== 0) {
    if ((sm & PSW_EXT) !== 0) m |= raw & SIE_REQUEST.EXTERNAL;
    if ((sm & PSW_IO) !== 0) m |= raw & SIE_REQUEST.IO;
  }
  cpu.pending = m;
}

/** Make a condition pending on a CPU (SIGP, the channel subsystem, timers). */
export function raisePending(cpu: Esa390Cpu, bits: number, sys: Esa390CpuSystem = systemOf(cpu)): void {
  sys.raw |= bits;
  if ((bits & PENDING.IO) !== 0) sys.ioBlocked = false;
  refreshPending(cpu, sys);
}

/**
 * Store the current PSW at `oldPsw` and make the PSW at `newPsw` current (real
 * addresses in the prefix area). An invalid new PSW is an early
 * specification exception: the program old PSW is the invalid PSW, ILC 0.
 */
export function swapPsw(cpu: Esa390Cpu, oldPsw: number, newPsw: number): void {
  const [hi, lo] = cpu.getPsw();
  cpu.writeReal32(oldPsw, hi);
  cpu.writeReal32(oldPsw + 4, lo);
  const nh = cpu.readReal32(newPsw);
  const nl = cpu.readReal32(newPsw + 4);
  if (!cpu.setPsw(nh, nl)) cpu.programCheck(0x06);
  refreshPending(cpu);
}

/**
 * The restart function (the operator's restart key, Hercules' `restart`
 * command, SIGP restart): a stopped CPU is started, and a restart
 * interruption is taken at the next instruction boundary.
 */
export function restartCpu(cpu: Esa390Cpu): void {
  if (cpu.state === 'check-stop') return;
  if (cpu.state === 'stopped') cpu.state = 'operating';
  raisePending(cpu, PENDING.RESTART);
}

/** Deliver the highest-priority external interruption allowed by `pending`. */
function deliverExternal(cpu: Esa390Cpu, sys: Esa390CpuSystem, pending: number): void {
  let code: number;
  let from = 0;
  if ((pending & PENDING.EMERGENCY_SIGNAL) !== 0) {
    code = EXTERNAL_CODE.EMERGENCY_SIGNAL;
    const senders = sys.emergencyFrom;
    from = senders.indexOf(1);
    senders[from] = 0;
    if (--sys.emergencyCount <= 0) {
      sys.emergencyCount = 0;
      sys.raw &= ~PENDING.EMERGENCY_SIGNAL;
    }
    from = sys.configuration.cpus[from]?.id ?? from;
  } else if ((pending & PENDING.EXTERNAL_CALL) !== 0) {
    code = EXTERNAL_CODE.EXTERNAL_CALL;
    from = sys.externalCallFrom;
    sys.externalCallFrom = -1;
    sys.raw &= ~PENDING.EXTERNAL_CALL;
  } else if ((pending & PENDING.CLOCK_COMPARATOR) !== 0) {
    // A condition, not an event: it stays pending while TOD > comparator.
    code = EXTERNAL_CODE.CLOCK_COMPARATOR;
  } else {
    code = EXTERNAL_CODE.CPU_TIMER;
  }
  // Hercules 3.13 stores zero as the CPU address for timer interruptions.
  cpu.writeReal32(LOWCORE.EXTERNAL_CPU_ADDRESS, ((from & 0xffff) << 16) | code);
  cpu.cycles += cpu.costModel.events['external-interruption'].cycles;
  sys.interruptions.external++;
  cpu.interruptionCount++;
  swapPsw(cpu, LOWCORE.EXTERNAL_OLD_PSW, LOWCORE.EXTERNAL_NEW_PSW);
}

/** Deliver an I/O interruption if the channel subsystem has one for the enabled subclasses. */
function deliverIo(cpu: Esa390Cpu, sys: Esa390CpuSystem): void {
  const io = sys.configuration.io;
  const irq = io === null ? null : io.takeInterruption(cpu.cr[6]! >>> 0);
  if (io === null || !io.hasPending()) sys.raw &= ~PENDING.IO;
  if (irq === null) {
    // Nothing for the enabled subclasses: stop asking until something changes.
    sys.raw &= ~PENDING.IO;
    sys.ioBlocked = true;
    sys.ioBlockedCr6 = cpu.cr[6]!;
    refreshPending(cpu, sys);
    return;
  }
  cpu.writeReal32(LOWCORE.SUBSYSTEM_ID, irq.subsystemId);
  cpu.writeReal32(LOWCORE.IO_PARAMETER, irq.parameter);
  cpu.cycles += cpu.costModel.events['io-interruption'].cycles;
  sys.interruptions.io++;
  cpu.interruptionCount++;
  swapPsw(cpu, LOWCORE.IO_OLD_PSW, LOWCORE.IO_NEW_PSW);
}

/**
 * Interruptions delivered at one boundary at most. More than one is taken
 * when a new PSW enables another pending class (POP: all pending, enabled
 * interruptions are taken before the next instruction); the bound keeps a
 * guest whose new PSW re-enables a persistent condition from starving the
 * host: the interpreter executes an instruction between two calls.
 */
const MAX_CHAIN = 8;

/** Returned when the CPU reaches the machine's next clock event: its quantum ends there. */
const EXIT_EVENT: Exit = Object.freeze({ reason: 'budget' });

/**
 * Called by the core at an instruction boundary when `cpu.pending !== 0` or
 * `cpu.cycles >= cpu.timerDeadline`. Delivers the interruptions the current
 * PSW masks allow, highest priority first; returns null (the core then checks
 * the wait and stopped states) — no interruption class is routed to a host yet
 * — or a budget exit when the CPU's local time reached the machine clock's
 * next event, so that the machine ends the round and fires it.
 */
export function deliverInterruptions(cpu: Esa390Cpu): Exit | null {
  const sys = systemOf(cpu);
  if (cpu.cycles >= cpu.timerDeadline) {
    if (cpu.cycles + sys.skew >= sys.eventAt) {
      // A clock event is due: end the quantum so the machine fires it now.
      sys.eventAt = Number.POSITIVE_INFINITY;
      updateTimers(cpu, sys);
      return EXIT_EVENT;
    }
    updateTimers(cpu, sys);
  }
  refreshPending(cpu, sys);
  for (let n = 0; n < MAX_CHAIN && cpu.pending !== 0; n++) {
    const p = cpu.pending;
    // A host's request for an interruption the guest is now enabled for (perhaps by the new PSW of one
    // just delivered) ends SIE before anything else is delivered.
    if ((p & SIE_REQUESTS) !== 0)
      return (p & SIE_REQUEST.EXTERNAL) !== 0 ? EXIT_EXTERNAL_REQUEST : EXIT_IO_REQUEST;
    if (
      (p &
        (PENDING.EMERGENCY_SIGNAL | PENDING.EXTERNAL_CALL | PENDING.CLOCK_COMPARATOR | PENDING.CPU_TIMER)) !==
      0
    ) {
      deliverExternal(cpu, sys, p);
    } else if ((p & PENDING.IO) !== 0) {
      deliverIo(cpu, sys);
    } else if ((p & PENDING.RESTART) !== 0) {
      sys.raw &= ~PENDING.RESTART;
      sys.interruptions.restart++;
      // The restart interruption is taken in the wait state too, and clears it through the new PSW.
      swapPsw(cpu, LOWCORE.RESTART_OLD_PSW, LOWCORE.RESTART_NEW_PSW);
    }
  }
  return null;
}
