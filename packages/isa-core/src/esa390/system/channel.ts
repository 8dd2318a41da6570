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
import { PGM } from '../ops/constants';
import { refreshPending } from './interrupts';
import { isInstructionAbort } from './reset';
import { systemOf } from './state';
import { watchClock } from './timing';

/** Program-interruption code of the operand exception (`PGM.OPERAND`). */
export const PGM_OPERAND = PGM.OPERAND;

const operandAccess = new WeakMap<Esa390Cpu, IoOperandAccess>();
const realAccess = new WeakMap<Esa390Cpu, IoOperandAccess>();

/** Run a storage access for the handler, turning a program exception into its code. */
function guard(cpu: Esa390Cpu, fn: () => void): number {
  try {
    fn();
    return 0;
  } catch (e) {
    // Only program exceptions become codes; host-translation aborts and check-stops propagate.
    if (isInstructionAbort(e) && cpu.abortKind === 0) return cpu.abortCode;
    throw e;
  }
}

/**
 * The handler's view of the issuing CPU: its registers, PSW key, CR6 (the
 * I/O-interruption subclass masks TPI applies), and storage-operand
 * accessors that turn access exceptions into codes. With `real`, addresses
 * are real (TPI with a zero operand address stores the interruption code at
 * real X'B8', as an I/O interruption does), else logical.
 */
function accessFor(cpu: Esa390Cpu, real: boolean): IoOperandAccess & { readonly cr6: number } {
  const cache = real ? realAccess : operandAccess;
  let a = cache.get(cpu);
  if (a === undefined) {
    const view = {
      gpr: cpu.gpr,
      get pswKey() {
        return cpu.key;
      },
      get cr6() {
        return cpu.cr[6]! >>> 0;
      },
      fetch: real
        ? (address: number, target: Uint8Array, length: number) =>
            guard(cpu, () => {
              for (let i = 0; i < length; i++) target[i] = cpu.readReal8(address + i);
            })
        : (address: number, target: Uint8Array, length: number) => guard(cpu, () => cpu.readBytes(address, target, 0, length)),
      store: real
        ? (address: number, data: Uint8Array) =>
            guard(cpu, () => {
              for (let i = 0; i < data.length; i++) cpu.writeReal8(address + i, data[i]!);
            })
        : (address: number, data: Uint8Array) => guard(cpu, () => cpu.writeBytes(address, data)),
    };
    a = view;
    cache.set(cpu, a);
  }
  return a as IoOperandAccess & { readonly cr6: number };
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
  const r = io.execute(instruction, address, accessFor(cpu, instruction === 'TPI' && address === 0));
  if (r < 0) cpu.programCheck(-r);
  cpu.cc = r & 3;
  // TSCH and TPI can take a pending interruption away; the pending bit is re-derived lazily.
  refreshPending(cpu, sys);
  // SSCH, HSCH, CSCH may have scheduled a device event.
  watchClock(cpu, sys);
}
