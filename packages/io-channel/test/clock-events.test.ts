/**
 * The channel subsystem's clock events are reused records (a free list), so
 * the event a halt or clear cancels may be handed to the next program
 * started. The cancelled clock entry keeps that record's action: it must
 * never fire for the new program, whose completion must come exactly when
 * it would have come on a subsystem that never halted anything.
 */
import { describe, expect, it } from 'vitest';
import { Console3215, Printer1403 } from '../src/index';
import { ccw1, enable, io, poke, rig, start, test } from './helpers';

/** A 3215 (subchannel 0) and a 1403 (subchannel 1), with a write program for each. */
function twoDevices() {
  const r = rig();
  r.css.attach(0x009, new Console3215());
  r.css.attach(0x00e, new Printer1403());
  enable(r, 0);
  enable(r, 1);
  poke(r, 0x2000, new Array(132).fill(0xc1));
  // 3215: three chained 80-byte writes; 1403: write 132 and space.
  poke(r, 0x1000, [
    ...ccw1(0x09, 0x40, 80, 0x2000),
    ...ccw1(0x09, 0x40, 80, 0x2000),
    ...ccw1(0x09, 0x00, 80, 0x2000),
  ]);
  poke(r, 0x1100, ccw1(0x09, 0x00, 132, 0x2000));
  return r;
}

/** Every I/O interruption until the clock has nothing left: subchannel, clock time (cycles), function control and status. */
function interruptions(
  r: ReturnType<typeof twoDevices>,
): { sch: number; at: number; fc: number; status: string }[] {
  const log: { sch: number; at: number; fc: number; status: string }[] = [];
  for (let n = 0; n < 1000; n++) {
    const t = r.clock.nextEventTime();
    if (!Number.isFinite(t)) break;
    r.clock.advanceTo(t);
    for (let i = r.css.takeInterruption(0xff000000); i !== null; i = r.css.takeInterruption(0xff000000)) {
      const sch = i.subsystemId & 0xffff;
      const { scsw } = test(r, sch);
      log.push({
        sch,
        at: r.clock.now(),
        fc: scsw.flag2 & 0x70,
        status: `${scsw.deviceStatus.toString(16)}/${scsw.subchannelStatus.toString(16)}`,
      });
    }
  }
  return log;
}

describe('clock events of halted and cleared programs', () => {
  for (const halt of ['HSCH', 'CSCH'] as const) {
    it(`${halt} of a program in flight, then a start on another subchannel: the new program completes when it would have without the ${halt}`, () => {
      // Reference: the 1403 program alone, started at the same time.
      const ref = twoDevices();
      ref.clock.advanceTo(50_000);
      expect(start(ref, 1, { ccwAddress: 0x1100 })).toBe(0);
      const want = interruptions(ref);
      expect(want).toEqual([{ sch: 1, at: want[0]!.at, fc: 0x40, status: 'c/0' }]);

      const r = twoDevices();
      expect(start(r, 0, { ccwAddress: 0x1000 })).toBe(0);
      // Let the 3215 program get a command in flight (its completion event is on the clock), then halt it.
      r.clock.advanceTo(r.clock.nextEventTime());
      expect(r.css.subchannel(0)!.eventId).toBeGreaterThanOrEqual(0);
      expect(io(r, halt, 0)).toBe(0);
      r.clock.advanceTo(50_000);
      const halted = test(r, 0);
      expect(halted.cc).toBe(0);
      // A halt keeps the start function it ended (POP 14-"HALT SUBCHANNEL"); a clear leaves only the clear function.
      expect(halted.scsw.flag2 & 0x70).toBe(halt === 'HSCH' ? 0x60 : 0x10);
      expect(start(r, 1, { ccwAddress: 0x1100 })).toBe(0);
      // Only the 1403's completion, at the reference time: nothing from the cancelled event.
      expect(interruptions(r)).toEqual(want);
      expect(test(r, 0).cc).toBe(1);
    });
  }
});
