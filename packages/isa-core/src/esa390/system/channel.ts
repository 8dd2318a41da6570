/**
 * The CPU side of the channel-subsystem instructions (POP SA22-7201
 * chapter 14, "I/O Instructions"): operand alignment, the subsystem-
 * identification word in GR1, then the injected IoHandler does the work.
 *
 * Checked on Hercules 3.13 (ESA/390, one 3215 console at subchannel 0):
 * - SSCH, TSCH, STSCH, MSCH, HSCH, CSCH, RSCH of a subchannel that does not
 *   exist set condition code 3; TPI with nothing pending sets cc 0.
 * - An operand not on a word boundary is a specification exception, and it
 *   is recognised before a bad GR1.
 * - GR1 bits 0-15 other than X'0001' is an operand exception (X'15'); TPI
 *   does not look at GR1.
 * Without a handler the CPU behaves as that machine does for a subchannel
 * that does not exist.
 */
import type { IoInstruction, IoOperandAccess } from '../../framework/io';
import type { Esa390Cpu } from '../cpu';
import { refreshPending } from './interrupts';
import { isInstructionAbort } from './reset';
import { systemOf } from './state';

/** Program-interruption code of the operand exception. */
export const PGM_OPERAND = 0x15;

const operandAccess = new WeakMap<Esa390Cpu, IoOperandAccess>();

/**
 * The handler's view of the issuing CPU: its registers, PSW key, and
 * storage-operand accessors that turn access exceptions into codes.
 */
function accessFor(cpu: Esa390Cpu): IoOperandAccess {
  let a = operandAccess.get(cpu);
  if (a === undefined) {
    const guard = (fn: () => void): number => {
      try {
        fn();
        return 0;
      } catch (e) {
        // Only program exceptions become codes; host-translation aborts and check-stops propagate.
        if (isInstructionAbort(e) && cpu.abortKind === 0) return cpu.abortCode;
        throw e;
      }
    };
    a = {
      gpr: cpu.gpr,
      get pswKey() {
        return cpu.key;
      },
      fetch: (address, target, length) => guard(() => cpu.readBytes(address, target, 0, length)),
      store: (address, data) => guard(() => cpu.writeBytes(address, data)),
    };
    operandAccess.set(cpu, a);
  }
  return a;
}

/** Instructions whose storage operand must be on a word boundary. */
const HAS_OPERAND: Readonly<Record<IoInstruction, boolean>> = {
  SSCH: true,
  TSCH: true,
  STSCH: true,
  MSCH: true,
  TPI: true,
  HSCH: false,
  CSCH: false,
  RSCH: false,
  XSCH: false,
  SAL: false,
  SCHM: false,
};

/**
 * Execute channel-subsystem instruction `instruction` with second-operand
 * address `address`; sets the condition code or raises the program
 * exception.
 */
export function channelInstruction(cpu: Esa390Cpu, instruction: IoInstruction, address: number): void {
  if (HAS_OPERAND[instruction] && (address & 3) !== 0) cpu.programCheck(0x06);
  if (instruction !== 'TPI' && instruction !== 'SAL' && instruction !== 'SCHM' && cpu.gpr[1]! >>> 16 !== 0x0001) {
    cpu.programCheck(PGM_OPERAND);
  }
  const sys = systemOf(cpu);
  const io = sys.configuration.io;
  if (io === null) {
    cpu.cc = instruction === 'TPI' ? 0 : 3;
    return;
  }
  if (instruction === 'SSCH') cpu.cycles += cpu.costModel.events['io-start'].cycles;
  const r = io.execute(instruction, address, accessFor(cpu));
  if (r < 0) cpu.programCheck(-r);
  cpu.cc = r & 3;
  // TSCH and TPI can take a pending interruption away; the pending bit is re-derived lazily.
  refreshPending(cpu, sys);
}
