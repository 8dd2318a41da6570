/**
 * SIGNAL PROCESSOR (POP SA22-7201, "SIGNAL PROCESSOR" and chapter 4,
 * "Signal-Processor Orders"): one CPU of a configuration sends an order to
 * another (or to itself). Because the machine interleaves its CPUs at
 * instruction boundaries, the addressed CPU is never busy in the middle of
 * an instruction, so condition code 2 (busy) never occurs.
 *
 * Condition codes: 0 order accepted; 1 status stored in R1; 3 not operational
 * (no CPU with that address in the configuration). Status bits as Hercules
 * 3.13 stores them, checked on it: sense of a stopped CPU gives X'40', with an
 * external call pending X'C0'; a second external call X'80'; an unassigned
 * order X'02'.
 */
import { Access } from '../../framework/translator';
import type { Esa390Cpu } from '../cpu';
import { raisePending, restartCpu } from './interrupts';
import { cpuReset, initialCpuReset, isInstructionAbort, storeStatus } from './reset';
import { cpuAt, PENDING, systemOf } from './state';

/** Order codes (bits 24-31 of the second-operand address). */
export const SIGP_ORDER = {
  SENSE: 0x01,
  EXTERNAL_CALL: 0x02,
  EMERGENCY_SIGNAL: 0x03,
  START: 0x04,
  STOP: 0x05,
  RESTART: 0x06,
  STOP_AND_STORE_STATUS: 0x09,
  INITIAL_CPU_RESET: 0x0b,
  CPU_RESET: 0x0c,
  SET_PREFIX: 0x0d,
  STORE_STATUS_AT_ADDRESS: 0x0e,
} as const;

/** Status bits stored in R1 with condition code 1. */
export const SIGP_STATUS = {
  EQUIPMENT_CHECK: 0x80000000 | 0,
  INCORRECT_STATE: 0x00000200,
  INVALID_PARAMETER: 0x00000100,
  EXTERNAL_CALL_PENDING: 0x00000080,
  STOPPED: 0x00000040,
  OPERATOR_INTERVENING: 0x00000020,
  CHECK_STOP: 0x00000010,
  INOPERATIVE: 0x00000004,
  INVALID_ORDER: 0x00000002,
  RECEIVER_CHECK: 0x00000001,
} as const;

/** Is the prefix area (4 KB at absolute `p`) of `cpu` in storage? */
function areaInstalled(cpu: Esa390Cpu, p: number, length: number): boolean {
  try {
    cpu.absoluteToStorage(p, Access.Read);
    cpu.absoluteToStorage(p + length - 1, Access.Read);
    return true;
  } catch (e) {
    if (isInstructionAbort(e)) return false;
    throw e;
  }
}

/**
 * Perform SIGP order `order` from `sender` to the CPU with address
 * `address`, with `parameter` (from R1 or R1+1). Returns the condition code;
 * for cc 1 the status word is in `status[0]`.
 */
export function signalProcessor(
  sender: Esa390Cpu,
  order: number,
  address: number,
  parameter: number,
  status: Int32Array,
): number {
  const configuration = systemOf(sender).configuration;
  const target = cpuAt(configuration, address);
  if (target === undefined) return 3;
  const ts = systemOf(target);
  const reject = (bits: number): number => {
    status[0] = bits;
    return 1;
  };
  if (target.state === 'check-stop' && order !== SIGP_ORDER.SENSE && order !== SIGP_ORDER.INITIAL_CPU_RESET && order !== SIGP_ORDER.CPU_RESET) {
    return reject(SIGP_STATUS.CHECK_STOP);
  }
  switch (order) {
    case SIGP_ORDER.SENSE: {
      let s = 0;
      if (target.state === 'stopped') s |= SIGP_STATUS.STOPPED;
      if (target.state === 'check-stop') s |= SIGP_STATUS.CHECK_STOP;
      if (ts.externalCallFrom >= 0) s |= SIGP_STATUS.EXTERNAL_CALL_PENDING;
      return s === 0 ? 0 : reject(s);
    }
    case SIGP_ORDER.EXTERNAL_CALL:
      if (ts.externalCallFrom >= 0) return reject(SIGP_STATUS.EXTERNAL_CALL_PENDING);
      ts.externalCallFrom = sender.id;
      raisePending(target, PENDING.EXTERNAL_CALL, ts);
      return 0;
    case SIGP_ORDER.EMERGENCY_SIGNAL: {
      const index = configuration.cpus.indexOf(sender);
      if (index >= 0 && ts.emergencyFrom[index] === 0) {
        ts.emergencyFrom[index] = 1;
        ts.emergencyCount++;
      }
      raisePending(target, PENDING.EMERGENCY_SIGNAL, ts);
      return 0;
    }
    case SIGP_ORDER.START:
      if (target.state === 'stopped') target.state = 'operating';
      return 0;
    case SIGP_ORDER.STOP:
      target.state = 'stopped';
      return 0;
    case SIGP_ORDER.RESTART:
      restartCpu(target);
      return 0;
    case SIGP_ORDER.STOP_AND_STORE_STATUS:
      target.state = 'stopped';
      storeStatus(target, 0);
      return 0;
    case SIGP_ORDER.INITIAL_CPU_RESET:
      initialCpuReset(target);
      return 0;
    case SIGP_ORDER.CPU_RESET:
      cpuReset(target);
      return 0;
    case SIGP_ORDER.SET_PREFIX: {
      if (target.state !== 'stopped') return reject(SIGP_STATUS.INCORRECT_STATE);
      const p = parameter & 0x7ffff000;
      if (!areaInstalled(target, p, 4096)) return reject(SIGP_STATUS.INVALID_PARAMETER);
      target.prefix = p;
      target.flushTlb();
      return 0;
    }
    case SIGP_ORDER.STORE_STATUS_AT_ADDRESS: {
      if (target.state !== 'stopped') return reject(SIGP_STATUS.INCORRECT_STATE);
      const a = parameter & 0x7ffffe00;
      if (!areaInstalled(target, a, 512) || !storeStatus(target, a)) return reject(SIGP_STATUS.INVALID_PARAMETER);
      return 0;
    }
    default:
      return reject(SIGP_STATUS.INVALID_ORDER);
  }
}
