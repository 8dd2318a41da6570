/**
 * A single live status line for long-running commands. On a terminal it
 * rewrites one line of stderr in place (carriage return, erase line), at
 * most every `intervalMs`, and erases it before the command prints its
 * result, so the result stays clean. Off a terminal, or with --json, it
 * writes nothing: piped output and logs only ever hold the result.
 *
 * Wall-clock time is used only to throttle the redraws; it never reaches a
 * simulation or a report.
 */

/** The part of a stream the status line needs (process.stderr has it). */
export interface StatusStream {
  readonly isTTY?: boolean;
  /** Terminal width; the line is cut to fit, because a wrapped line cannot be erased with a carriage return. */
  readonly columns?: number;
  write(text: string): unknown;
}

/** A live status line. */
export interface Progress {
  /** True when updates are shown; callers may skip building the text otherwise. */
  readonly live: boolean;
  /**
   * Show `text` as the current status. A function is called only when the
   * line is actually redrawn. `force` redraws even inside the throttle interval.
   */
  update(text: string | (() => string), force?: boolean): void;
  /** Erase the status line (call before printing the result). Idempotent. */
  done(): void;
}

/** Options of `createProgress`. */
export interface ProgressOptions {
  /** Where to draw; default process.stderr. */
  readonly stream?: StatusStream;
  /** Suppress the line whatever the stream is (--json, --quiet). */
  readonly quiet?: boolean;
  /** Minimum milliseconds between two redraws; default 100. */
  readonly intervalMs?: number;
  /** Millisecond clock for the throttle; default performance.now. */
  readonly now?: () => number;
}

/** A progress line that never writes anything. */
export const SILENT_PROGRESS: Progress = Object.freeze({
  live: false,
  update: () => {},
  done: () => {},
});

const ERASE_LINE = '\r\x1b[2K';

/**
 * A status line on `stream` when it is a terminal and `quiet` is not set;
 * otherwise SILENT_PROGRESS.
 */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet === true || stream.isTTY !== true) return SILENT_PROGRESS;
  const interval = options.intervalMs ?? 100;
  const now = options.now ?? (() => performance.now());
  let shown = false;
  let last = Number.NEGATIVE_INFINITY;
  return {
    live: true,
    update(text, force = false) {
      const t = now();
      if (!force && t - last < interval) return;
      last = t;
      const raw = typeof text === 'function' ? text() : text;
      // A pseudo-terminal may report 0 columns: take the classic 80 then.
      const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
      const width = Math.max(10, columns - 1);
      const line = raw.length > width ? `${raw.slice(0, width - 1)}…` : raw;
      stream.write(`${ERASE_LINE}${line}`);
      shown = true;
    },
    done() {
      if (!shown) return;
      stream.write(ERASE_LINE);
      shown = false;
    },
  };
}
