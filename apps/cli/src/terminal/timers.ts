/**
 * Timers for terminal behaviour that waits (the MORE... status clears the
 * screen after a while): on the host clock for interactive use, or on a
 * machine's simulated clock so a simulation stays deterministic.
 */
import type { Clock } from '@strachey/isa-core';

/** Something that can run a callback after a delay; returns a cancel function. */
export interface TerminalTimers {
  setTimer(delayMs: number, callback: () => void): () => void;
}

/** Timers on the host clock (Node's setTimeout, not keeping the process alive). */
export const hostTimers: TerminalTimers = {
  setTimer(delayMs, callback) {
    const t = setTimeout(callback, delayMs);
    t.unref();
    return () => clearTimeout(t);
  },
};

/** Timers on a simulated clock (isa-core's `Clock`, counted in cycles): they fire as the machine's time advances. */
export function clockTimers(clock: Clock): TerminalTimers {
  return {
    setTimer(delayMs, callback) {
      const id = clock.schedule(clock.now() + delayMs * 1000 * clock.cyclesPerMicrosecond, callback);
      return () => clock.cancel(id);
    },
  };
}
