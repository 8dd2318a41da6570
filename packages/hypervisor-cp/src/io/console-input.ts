/**
 * The input queue of a virtual console: lines the user typed for the guest,
 * in order. It is a plain array of strings to whoever reads it, except that
 * queueing a line tells the virtual channel subsystem at once — a console
 * READ waiting for input completes, or an idle console presents attention —
 * whether the line comes through `VirtualMachine.queueConsoleInput` or an
 * older caller's `consoleInput.push(line)`.
 */
export class ConsoleInputQueue extends Array<string> {
  // Private, so the queue still compares and prints as the plain list of lines it is.
  #onQueued: (() => void) | null = null;

  /** Call `listener` after lines are queued (the VM pokes its virtual console). */
  listen(listener: () => void): void {
    this.#onQueued = listener;
  }

  // Array methods that build a new array (slice, map, filter) build a plain one.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  override push(...lines: string[]): number {
    const n = super.push(...lines);
    if (lines.length > 0) this.#onQueued?.();
    return n;
  }
}
