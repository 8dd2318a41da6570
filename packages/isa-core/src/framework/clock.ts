/**
 * One simulated clock per machine. Time is counted in CPU cycles of the
 * configured machine model (a double, exact up to 2^53 cycles) and converted to
 * nanoseconds through the model's frequency. Devices and timers schedule
 * events on it; the machine's run loop fires them in order of time, ties broken
 * by the order they were scheduled, so a run is deterministic. Wall-clock time
 * never enters.
 */
export interface Clock {
  /** Current simulated time in cycles. */
  now(): number;
  /** Cycles per microsecond of the machine model (its MHz). */
  readonly cyclesPerMicrosecond: number;
  /** Schedule `action` at absolute simulated time `at` (cycles); returns an id for cancel(). */
  schedule(at: number, action: () => void): number;
  cancel(id: number): void;
}

interface ClockEvent {
  at: number;
  seq: number;
  id: number;
  action: () => void;
  /** Set by cancel(): the event stays in the heap until it reaches the top, then goes without firing. */
  cancelled: boolean;
}

/**
 * A discrete-event clock: a binary heap of events ordered by (time, sequence).
 * `advanceTo(t)` fires every event due at or before `t`, moving `now()` to each
 * event's time as it fires, and ends at `t`.
 */
export class SimClock implements Clock {
  readonly cyclesPerMicrosecond: number;
  private time = 0;
  private seq = 0;
  private nextId = 1;
  private readonly heap: ClockEvent[] = [];
  /** Events scheduled and neither fired nor cancelled, by id: cancel() finds its event without scanning the heap. */
  private readonly live = new Map<number, ClockEvent>();
  /** Cancelled events still in the heap. */
  private cancelledInHeap = 0;

  constructor(cyclesPerMicrosecond = 1000) {
    if (!(cyclesPerMicrosecond > 0)) throw new RangeError('cyclesPerMicrosecond must be positive');
    this.cyclesPerMicrosecond = cyclesPerMicrosecond;
  }

  now(): number {
    return this.time;
  }

  /** Time of the earliest pending event, or Infinity. */
  nextEventTime(): number {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) {
      this.pop();
      this.cancelledInHeap--;
    }
    return this.heap.length > 0 ? this.heap[0]!.at : Number.POSITIVE_INFINITY;
  }

  get pendingEvents(): number {
    return this.heap.length - this.cancelledInHeap;
  }

  schedule(at: number, action: () => void): number {
    const id = this.nextId++;
    const ev: ClockEvent = { at: Math.max(at, this.time), seq: this.seq++, id, action, cancelled: false };
    this.heap.push(ev);
    this.live.set(id, ev);
    this.siftUp(this.heap.length - 1);
    return id;
  }

  cancel(id: number): void {
    const ev = this.live.get(id);
    if (ev === undefined) return;
    this.live.delete(id);
    ev.cancelled = true;
    this.cancelledInHeap++;
  }

  /** Fire every event due at or before `target`, then set the time to `target`. */
  advanceTo(target: number): void {
    for (;;) {
      const next = this.nextEventTime();
      if (next > target) break;
      const ev = this.pop();
      this.live.delete(ev.id);
      this.time = Math.max(this.time, ev.at);
      ev.action();
    }
    if (target > this.time) this.time = target;
  }

  /** Nanoseconds of simulated time for a number of cycles. */
  cyclesToNs(cycles: number): number {
    return (cycles * 1000) / this.cyclesPerMicrosecond;
  }

  private pop(): ClockEvent {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private less(a: ClockEvent, b: ClockEvent): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && this.less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && this.less(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
}
