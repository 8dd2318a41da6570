/**
 * Public surface of the ESA/390 system side: the names a host or a test needs
 * to read the prefix area, send SIGP orders, drive interruptions and resets.
 */
export { EXTERNAL_CODE, LOWCORE, raisePending, refreshPending, restartCpu } from './interrupts';
export { clearCpuReset, cpuReset, INITIAL_CR0, INITIAL_CR14, initialCpuReset, STORE_STATUS, storeStatus } from './reset';
export { SIGP_ORDER, SIGP_STATUS, signalProcessor } from './sigp';
export {
  CR0_CLOCK_COMPARATOR,
  CR0_CPU_TIMER,
  CR0_EMERGENCY_SIGNAL,
  CR0_EXTERNAL_CALL,
  CR0_SSM_SUPPRESSION,
  DEFAULT_CPU_ID,
  type Esa390Configuration,
  type Esa390CpuId,
  type Esa390CpuSystem,
  type Esa390InterruptionCounts,
  PENDING,
  systemOf,
} from './state';
export { cpuTimerMicros, type Esa390Timers, getTimers, setTimers, syncLocalTime, todMicros } from './timing';
export { microsToWords, signedWordsToMicros, unsignedWordsToMicros } from './tod';
export { PGM_OPERAND } from './channel';
export type { SieFacility } from './sie';
