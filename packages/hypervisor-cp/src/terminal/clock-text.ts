/**
 * Times and dates as CP prints them ("LOGON AT 10:15:24 UTC MONDAY 01/01/00"),
 * read from CP's simulated clock, never from the host: the simulated clock
 * starts at the TOD epoch (00:00:00 UTC, Monday 1 January 1900, POP 4-47), so
 * a session's transcript is the same on every run.
 */
import type { ControlProgram } from '../cp';

const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
const EPOCH_MS = Date.UTC(1900, 0, 1);

const two = (n: number): string => String(n).padStart(2, '0');

/** Seconds since the TOD epoch on CP's simulated clock. */
export function simulatedSeconds(cp: ControlProgram): number {
  return Math.floor(cp.clock.now() / cp.clock.cyclesPerMicrosecond / 1e6);
}

/** `hh:mm:ss UTC WEEKDAY mm/dd/yy` for a number of seconds since the TOD epoch. */
export function cpTimestamp(seconds: number): string {
  const d = new Date(EPOCH_MS + seconds * 1000);
  // 1 January 1900 was a Monday; getUTCDay counts from Sunday.
  const day = DAYS[(d.getUTCDay() + 6) % 7]!;
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${day} ${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${two(d.getUTCFullYear() % 100)}`;
}

/** `hh:mm:ss` of a duration in seconds (CONNECT= on LOGOFF). */
export function cpDuration(seconds: number): string {
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
}

/** `mmm:ss.hh` of CPU seconds (VIRTCPU= and TOTCPU= on LOGOFF). */
export function cpCpuTime(seconds: number): string {
  const hundredths = Math.floor(seconds * 100);
  const s = Math.floor(hundredths / 100);
  return `${String(Math.floor(s / 60)).padStart(3, '0')}:${two(s % 60)}.${two(hundredths % 100)}`;
}
