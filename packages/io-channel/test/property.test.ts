/**
 * Invariants over random channel programs (fast-check): a malformed channel
 * program yields architected status and never a host exception, and the
 * channel never stores into a frame whose storage key the ORB key does not
 * match (POP 3-"Key-Controlled Protection" as applied to I/O). Also:
 * the same configuration and program give the same completion order.
 */
import { type AbsoluteAddress, SimClock, SparseStorage } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CardPunch2540, CardReader2540, ChannelSubsystem, CkdVolume, Console3215, Dasd3390, Printer1403, SC_PENDING, crc32, decodeImage, encodeOrb, encodeStracheyImage, formatVolume, geometry3390 } from '../src/index';
import { drain, enable, io, rig, start, test, testCpu } from './helpers';

const FRAMES = 16;

/** A 3390 on `volume` (default: a fresh 3-cylinder volume PROP01), a 3215, a 2540 reader and punch and a 1403, all enabled. */
function fullRig(volume = formattedVolume()) {
  const r = rig({}, FRAMES * 4096);
  r.css.attach(0x0190, new Dasd3390(volume));
  r.css.attach(0x009, new Console3215());
  r.css.attach(0x00c, new CardReader2540(['A', 'B', 'C', 'D']));
  r.css.attach(0x00d, new CardPunch2540());
  r.css.attach(0x00e, new Printer1403());
  for (let i = 0; i < 5; i++) enable(r, i, { concurrentSense: i === 0 });
  return r;
}

/** A fresh 3-cylinder 3390 volume with its label. */
function formattedVolume(volser = 'PROP01'): CkdVolume {
  const volume = new CkdVolume(geometry3390(3));
  formatVolume(volume, volser);
  return volume;
}

/** Commands that mean something to the attached devices, plus arbitrary bytes. */
const command = fc.oneof(fc.constantFrom(0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x12, 0x1d, 0x1e, 0x1f, 0x31, 0x16, 0x1a, 0xe4, 0x64, 0x0a), fc.integer({ min: 0, max: 255 }));
const ccw = fc.record({
  command,
  flags: fc.oneof(fc.constantFrom(0x00, 0x20, 0x40, 0x60, 0x80, 0xa0, 0x10, 0x08, 0x04, 0x02), fc.integer({ min: 0, max: 255 })),
  count: fc.oneof(fc.constantFrom(0, 1, 5, 6, 8, 80, 132, 4096), fc.integer({ min: 0, max: 0xffff })),
  // Data addresses anywhere in the 16 frames, sometimes beyond storage.
  address: fc.oneof(fc.integer({ min: 0, max: FRAMES * 4096 - 1 }), fc.integer({ min: 0, max: 0x7fffffff })),
});

const scenario = fc.record({
  program: fc.array(ccw, { minLength: 1, maxLength: 8 }),
  format1: fc.boolean(),
  orbKey: fc.integer({ min: 0, max: 15 }),
  suspend: fc.boolean(),
  subchannel: fc.integer({ min: 0, max: 4 }),
  frameKeys: fc.array(fc.constantFrom(0x00, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38), { minLength: FRAMES, maxLength: FRAMES }),
  noise: fc.uint8Array({ minLength: 64, maxLength: 64 }),
});

function encode(c: { command: number; flags: number; count: number; address: number }, format1: boolean): number[] {
  if (format1) return [c.command, c.flags, c.count >>> 8, c.count & 0xff, c.address >>> 24, (c.address >>> 16) & 0xff, (c.address >>> 8) & 0xff, c.address & 0xff];
  return [c.command, (c.address >>> 16) & 0xff, (c.address >>> 8) & 0xff, c.address & 0xff, c.flags, 0, c.count >>> 8, c.count & 0xff];
}

describe('random channel programs', () => {
  it('never throw, always end in architected status, never store where the ORB key may not', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const r = fullRig();
        // Channel program at frame 1, noise (IDAW lists, search arguments) at frame 2.
        const prog = s.program.flatMap((c) => encode(c, s.format1));
        r.storage.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from(prog));
        r.storage.writeFrom(0x2000 as AbsoluteAddress, s.noise);
        // Frame 0 holds the ORB/SCHIB/IRB the CPU uses: keep it key 0 so the CPU side works.
        for (let f = 1; f < FRAMES; f++) r.storage.setKey((f * 4096) as AbsoluteAddress, s.frameKeys[f]!);
        const before = new Uint8Array(FRAMES * 4096);
        r.storage.readInto(0 as AbsoluteAddress, before);
        const cc = start(r, s.subchannel, { ccwAddress: 0x1000, format1: s.format1, key: s.orbKey, suspendControl: s.suspend });
        expect(cc).toBe(0);
        drain(r.clock, 20_000);
        // Whatever is still running (a TIC loop, a suspension) is cleared.
        if (test(r, s.subchannel).cc === 1 || (r.css.subchannel(s.subchannel)?.scsw.flag3 ?? 0) !== 0) {
          io(r, 'CSCH', s.subchannel);
          drain(r.clock, 20_000);
        }
        let final = test(r, s.subchannel);
        for (let i = 0; i < 3 && final.cc === 0; i++) final = test(r, s.subchannel);
        // Everything the program produced has been taken: idle, nothing pending.
        expect(final.cc).toBe(1);
        expect(final.scsw.flag3 & SC_PENDING).toBe(0);
        expect(r.css.hasPending()).toBe(false);
        const after = new Uint8Array(FRAMES * 4096);
        r.storage.readInto(0 as AbsoluteAddress, after);
        for (let f = 1; f < FRAMES; f++) {
          const a = before.subarray(f * 4096, (f + 1) * 4096);
          const b = after.subarray(f * 4096, (f + 1) * 4096);
          let changed = false;
          for (let i = 0; i < 4096; i++) if (a[i] !== b[i]) changed = true;
          if (changed && s.orbKey !== 0) expect(s.frameKeys[f]! & 0xf0).toBe(s.orbKey << 4);
        }
      }),
      { numRuns: 300, seed: 0x5eed },
    );
  });

  it('the same configuration and programs complete in the same order at the same times', () => {
    const runOnce = (): string[] => {
      const r = fullRig();
      const log: string[] = [];
      r.css.setPendingListener(() => log.push(`${r.clock.now()}`));
      r.storage.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from([0x02, 0x20, 0, 80, 0, 0, 0x30, 0]));
      r.storage.writeFrom(0x1100 as AbsoluteAddress, Uint8Array.from([0x09, 0x20, 0, 20, 0, 0, 0x30, 0]));
      r.storage.writeFrom(0x1200 as AbsoluteAddress, Uint8Array.from([0x09, 0x20, 0, 20, 0, 0, 0x30, 0]));
      start(r, 2, { ccwAddress: 0x1000 });
      start(r, 1, { ccwAddress: 0x1100 });
      start(r, 4, { ccwAddress: 0x1200 });
      for (;;) {
        const t = r.clock.nextEventTime();
        if (!Number.isFinite(t)) break;
        r.clock.advanceTo(t);
        let i = r.css.takeInterruption(0xff000000);
        while (i !== null) {
          log.push(`sch${i.subsystemId & 0xffff}`);
          i = r.css.takeInterruption(0xff000000);
        }
      }
      return log;
    };
    const a = runOnce();
    expect(a.filter((x) => x.startsWith('sch'))).toHaveLength(3);
    expect(runOnce()).toEqual(a);
  });
});

describe('random I/O instructions with random operands', () => {
  const instruction = fc.constantFrom('SSCH', 'TSCH', 'STSCH', 'MSCH', 'HSCH', 'CSCH', 'RSCH', 'XSCH', 'TPI', 'SAL', 'SCHM');
  const step = fc.record({
    instruction,
    gr1: fc.oneof(fc.integer({ min: 0x00010000, max: 0x00010006 }), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
    operand: fc.oneof(fc.constantFrom(0x800, 0x880, 0x900, 0), fc.integer({ min: 0, max: FRAMES * 4096 + 64 })),
    bytes: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    advanceUs: fc.integer({ min: 0, max: 50_000 }),
  });
  const allowed = new Set([0, 1, 2, 3, -0x04, -0x05, -0x06, -0x15]);

  it('never throw; return a condition code or an operand/specification/access exception', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const r = fullRig();
        for (const s of steps) {
          // Random bytes where the operand lives (an ORB, a SCHIB, a channel program).
          if (s.operand + 64 <= FRAMES * 4096) r.storage.writeFrom(s.operand as AbsoluteAddress, s.bytes);
          r.storage.writeFrom(0x1000 as AbsoluteAddress, s.bytes);
          r.cpu.gpr[1] = s.gr1;
          const cc = r.css.execute(s.instruction, s.operand, r.cpu);
          expect(allowed.has(cc)).toBe(true);
          r.clock.advanceTo(r.clock.now() + s.advanceUs * r.clock.cyclesPerMicrosecond);
        }
        drain(r.clock, 20_000);
        r.css.takeInterruption(0xff000000);
      }),
      { numRuns: 200, seed: 0x10c4a },
    );
  });
});

describe('logical partitions: each image addresses its own storage', () => {
  it('random channel programs of image 1 never touch image 0\'s storage (and the other way round)', () => {
    fc.assert(
      fc.property(fc.array(ccw, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.integer({ min: 0, max: 1 }), (program, format1, image) => {
        const storage = [new SparseStorage(FRAMES * 4096), new SparseStorage(FRAMES * 4096)];
        const clock = new SimClock(1000);
        const css = new ChannelSubsystem({ clock, images: 2 });
        css.connect(storage[0]!, 0);
        css.connect(storage[1]!, 1);
        css.attach(0x00c, new CardReader2540(['A', 'B', 'C']));
        css.attach(0x00e, new Printer1403());
        const other = storage[1 - image]!;
        other.writeFrom(0 as AbsoluteAddress, new Uint8Array(FRAMES * 4096).fill(0x5a));
        const before = new Uint8Array(FRAMES * 4096);
        other.readInto(0 as AbsoluteAddress, before);
        const mine = storage[image]!;
        const cpu = testCpu(mine);
        const h = css.image(image);
        for (let sch = 0; sch < 2; sch++) {
          cpu.gpr[1] = 0x00010000 | sch;
          h.execute('STSCH', 0x800, cpu);
          mine.write8(0x805 as AbsoluteAddress, mine.read8(0x805 as AbsoluteAddress) | 0x80);
          h.execute('MSCH', 0x800, cpu);
        }
        mine.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from(program.flatMap((c) => encode(c, format1))));
        mine.writeFrom(0x880 as AbsoluteAddress, encodeOrb({ format1, lpm: 0x80, ccwAddress: 0x1000 }));
        cpu.gpr[1] = 0x00010000;
        expect(h.execute('SSCH', 0x880, cpu)).toBe(0);
        drain(clock, 20_000);
        const after = new Uint8Array(FRAMES * 4096);
        other.readInto(0 as AbsoluteAddress, after);
        expect(Buffer.compare(Buffer.from(after), Buffer.from(before))).toBe(0);
      }),
      { numRuns: 150, seed: 0x1a9a },
    );
  });
});

describe('determinism', () => {
  it('the same configuration, programs and start times give the same interruptions, times and status (property)', () => {
    const starts = fc.array(fc.record({ subchannel: fc.integer({ min: 0, max: 4 }), atUs: fc.integer({ min: 0, max: 200_000 }), program: fc.array(ccw, { minLength: 1, maxLength: 5 }) }), { minLength: 1, maxLength: 6 });
    const trace = (plan: { subchannel: number; atUs: number; program: { command: number; flags: number; count: number; address: number }[] }[]): string[] => {
      const r = fullRig();
      const log: string[] = [];
      const order = [...plan].sort((a, b) => a.atUs - b.atUs);
      for (const [i, p] of order.entries()) {
        r.clock.advanceTo(p.atUs * r.clock.cyclesPerMicrosecond);
        const at = 0x1000 + i * 0x100;
        r.storage.writeFrom(at as AbsoluteAddress, Uint8Array.from(p.program.flatMap((c) => encode(c, true))));
        log.push(`ssch ${p.subchannel} cc ${start(r, p.subchannel, { ccwAddress: at })} @${r.clock.now()}`);
      }
      for (let n = 0; n < 20_000; n++) {
        const t = r.clock.nextEventTime();
        if (!Number.isFinite(t)) break;
        r.clock.advanceTo(t);
        for (let i = r.css.takeInterruption(0xff000000); i !== null; i = r.css.takeInterruption(0xff000000)) {
          const t2 = test(r, i.subsystemId & 0xffff);
          log.push(`@${r.clock.now()} sch ${i.subsystemId & 0xffff} cc ${t2.cc} ${Buffer.from(t2.irb.subarray(0, 12)).toString('hex')}`);
        }
      }
      return log;
    };
    fc.assert(
      fc.property(starts, (plan) => {
        expect(trace(plan)).toEqual(trace(plan));
      }),
      { numRuns: 60, seed: 0xd0d0 },
    );
  });
});

describe('snapshot and restore', () => {
  type Plan = { action: 'SSCH' | 'HSCH' | 'CSCH'; subchannel: number; atUs: number; program: { command: number; flags: number; count: number; address: number }[] }[];
  const plans = fc.array(
    fc.record({
      action: fc.constantFrom('SSCH', 'SSCH', 'SSCH', 'HSCH', 'CSCH') as fc.Arbitrary<'SSCH' | 'HSCH' | 'CSCH'>,
      subchannel: fc.integer({ min: 0, max: 4 }),
      atUs: fc.integer({ min: 0, max: 100_000 }),
      program: fc.array(ccw, { minLength: 1, maxLength: 5 }),
    }),
    { minLength: 1, maxLength: 8 },
  );

  const drive = (r: ReturnType<typeof fullRig>, plan: Plan, fromUs: number, toUs: number, log: string[]): void => {
    const step = (us: number): void => {
      r.clock.advanceTo(Math.max(r.clock.now(), us * r.clock.cyclesPerMicrosecond));
      for (let i = r.css.takeInterruption(0xff000000); i !== null; i = r.css.takeInterruption(0xff000000)) {
        const t = test(r, i.subsystemId & 0xffff);
        log.push(`@${r.clock.now()} ${i.subsystemId & 0xffff} ${t.cc} ${Buffer.from(t.irb).toString('hex')}`);
      }
    };
    plan.forEach((p, i) => {
      if (p.atUs < fromUs || p.atUs >= toUs) return;
      step(p.atUs);
      if (p.action !== 'SSCH') {
        log.push(`${p.action} ${p.subchannel} ${io(r, p.action, p.subchannel)} @${r.clock.now()}`);
        return;
      }
      const at = 0x1000 + i * 0x100;
      r.storage.writeFrom(at as AbsoluteAddress, Uint8Array.from(p.program.flatMap((c) => encode(c, true))));
      log.push(`ssch ${p.subchannel} ${start(r, p.subchannel, { ccwAddress: at })} @${r.clock.now()}`);
    });
    if (Number.isFinite(toUs)) step(toUs);
    else
      for (let n = 0; n < 5000; n++) {
        const t = r.clock.nextEventTime();
        if (!Number.isFinite(t)) break;
        step(t / r.clock.cyclesPerMicrosecond);
      }
  };
  const finalState = (r: ReturnType<typeof fullRig>): string => {
    const bytes = new Uint8Array(FRAMES * 4096);
    r.storage.readInto(0 as AbsoluteAddress, bytes);
    const outputs = [0, 1, 2, 3, 4].map((n) => JSON.stringify(r.css.subchannel(n)!.slot.device.snapshot?.() ?? null));
    return `${Buffer.from(bytes).toString('base64').length}:${crc32(bytes)} ${outputs.join('|')}`;
  };

  it('a run cut at any time, snapshotted, restored into a fresh subsystem and continued, equals the uncut run (property)', () => {
    fc.assert(
      fc.property(plans, fc.integer({ min: 0, max: 120_000 }), (raw, cutUs) => {
        const plan = [...raw].sort((a, b) => a.atUs - b.atUs);
        const vol = (): CkdVolume => formattedVolume('SNAP01');
        // Uncut (but driven with the same stop at the cut time).
        const a = fullRig(vol());
        const logA: string[] = [];
        drive(a, plan, 0, cutUs, logA);
        drive(a, plan, cutUs, Number.POSITIVE_INFINITY, logA);
        // Cut: snapshot at the cut, restore into a fresh machine with copies of storage and volume.
        const volB = vol();
        const b = fullRig(volB);
        const logB: string[] = [];
        drive(b, plan, 0, cutUs, logB);
        const snap = JSON.parse(JSON.stringify(b.css.snapshot())) as ReturnType<typeof b.css.snapshot>;
        const copy = decodeImage(encodeStracheyImage(volB), 'copy');
        if (!copy.ok) throw new Error(copy.error.message);
        const c = fullRig(copy.volume);
        const bytes = new Uint8Array(FRAMES * 4096);
        b.storage.readInto(0 as AbsoluteAddress, bytes);
        c.storage.writeFrom(0 as AbsoluteAddress, bytes);
        for (let f = 0; f < FRAMES; f++) c.storage.setKey((f * 4096) as AbsoluteAddress, b.storage.getKey((f * 4096) as AbsoluteAddress));
        expect(c.css.restore(snap)).toBeNull();
        drive(c, plan, cutUs, Number.POSITIVE_INFINITY, logB);
        expect(logB).toEqual(logA);
        expect(finalState(c)).toBe(finalState(a));
      }),
      { numRuns: 80, seed: 0x5a9 },
    );
  });

  it('restore refuses a snapshot of a different topology', () => {
    const r = rig();
    r.css.attach(0x009, new Console3215());
    const snap = r.css.snapshot();
    const other = rig();
    expect(other.css.restore(snap)).toMatch(/subchannels/);
    other.css.attach(0x00a, new Console3215());
    expect(other.css.restore(snap)).toMatch(/not attached/);
  });
});
