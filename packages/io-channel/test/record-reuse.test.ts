/**
 * The channel-program interpreter reuses its per-command records (the
 * command in flight with its segment list, the device request) from one
 * command to the next instead of allocating them per CCW. Reuse must leave
 * nothing behind: a random channel program gives the same status, the same
 * storage and takes the same simulated time whether the subsystem is fresh
 * or has just run a data-chained program (whose record had three segments)
 * on another device.
 */
import type { AbsoluteAddress } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CardPunch2540,
  CardReader2540,
  CkdVolume,
  Console3215,
  Dasd3390,
  formatVolume,
  geometry3390,
  Printer1403,
} from '../src/index';
import { ccw1, drain, enable, type Rig, rig, start, test } from './helpers';

const FRAMES = 16;
const PROGRAM = 0x1000;
const NOISE = 0x2000;
const WARM_PROGRAM = 0xf000;
const WARM_DATA = 0xe000;

function fullRig(): Rig {
  const r = rig({}, FRAMES * 4096);
  const volume = new CkdVolume(geometry3390(3));
  formatVolume(volume, 'REUSE1');
  r.css.attach(0x0190, new Dasd3390(volume));
  r.css.attach(0x009, new Console3215());
  r.css.attach(0x00c, new CardReader2540(['A', 'B', 'C', 'D']));
  r.css.attach(0x00d, new CardPunch2540());
  r.css.attach(0x00e, new Printer1403());
  for (let i = 0; i < 5; i++) enable(r, i, { concurrentSense: i === 0 });
  return r;
}

const command = fc.oneof(
  fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x08, 0x09, 0x1e, 0x31, 0x07, 0x0a),
  fc.integer({ min: 0, max: 255 }),
);
const ccw = fc.record({
  command,
  // Chaining flags (CD, CC, SLI, skip, PCI, IDA) common; anything now and then.
  flags: fc.oneof(
    fc.constantFrom(0x00, 0x20, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0x10, 0x08, 0x04),
    fc.integer({ min: 0, max: 255 }),
  ),
  count: fc.oneof(fc.constantFrom(1, 5, 8, 40, 80, 132), fc.integer({ min: 0, max: 0x1fff })),
  address: fc.oneof(fc.integer({ min: 0x3000, max: 0xd000 }), fc.integer({ min: 0, max: 0x7fffffff })),
});
const scenario = fc.record({
  program: fc.array(ccw, { minLength: 1, maxLength: 8 }),
  // Not the printer (subchannel 4): the warm-up program prints, and the printer's state must not differ.
  subchannel: fc.integer({ min: 0, max: 3 }),
  noise: fc.uint8Array({ minLength: 64, maxLength: 64 }),
});

/** Well after the warm-up program has ended (200 ms of simulated time at 1000 cycles per microsecond; `run` checks). */
const WARM_END = 200_000_000;

interface Outcome {
  readonly irb: Uint8Array;
  readonly storage: Uint8Array;
  readonly elapsed: number;
}

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Run the scenario's program, after the warm-up program when `warm`, starting at `startAt` (a DASD's timing depends on the absolute time). */
function run(s: Scenario, warm: boolean, startAt: number): Outcome {
  const r = fullRig();
  r.storage.writeFrom(
    PROGRAM as AbsoluteAddress,
    Uint8Array.from(s.program.flatMap((c) => ccw1(c.command, c.flags, c.count, c.address))),
  );
  r.storage.writeFrom(NOISE as AbsoluteAddress, s.noise);
  // A three-segment data-chained print line (40 + 40 + 52 bytes), written in both runs, started only in the warm one.
  r.storage.writeFrom(
    WARM_PROGRAM as AbsoluteAddress,
    Uint8Array.from([
      ...ccw1(0x09, 0x80, 40, WARM_DATA),
      ...ccw1(0x09, 0x80, 40, WARM_DATA + 40),
      ...ccw1(0x09, 0x00, 52, WARM_DATA + 80),
    ]),
  );
  r.storage.writeFrom(WARM_DATA as AbsoluteAddress, new Uint8Array(132).fill(0xc1));
  if (warm) {
    expect(start(r, 4, { ccwAddress: WARM_PROGRAM })).toBe(0);
    drain(r.clock, 1000);
    const w = test(r, 4);
    expect(w.cc).toBe(0);
    expect(w.scsw.ccwAddress).toBe(WARM_PROGRAM + 24);
  }
  r.clock.advanceTo(startAt);
  const t0 = r.clock.now();
  expect(t0).toBe(startAt);
  expect(start(r, s.subchannel, { ccwAddress: PROGRAM })).toBe(0);
  drain(r.clock, 20_000);
  const elapsed = r.clock.now() - t0;
  const { irb } = test(r, s.subchannel);
  const storage = new Uint8Array(FRAMES * 4096);
  r.storage.readInto(0 as AbsoluteAddress, storage);
  return { irb, storage, elapsed };
}

describe('per-command records reused between commands', () => {
  it('a program ends the same on a fresh subsystem and after a data-chained program on another device', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const warm = run(s, true, WARM_END);
        const fresh = run(s, false, WARM_END);
        expect(warm.irb).toEqual(fresh.irb);
        expect(warm.elapsed).toBe(fresh.elapsed);
        expect(Buffer.compare(Buffer.from(warm.storage), Buffer.from(fresh.storage))).toBe(0);
      }),
      { numRuns: 300, seed: 0x2e05e },
    );
  });
});
