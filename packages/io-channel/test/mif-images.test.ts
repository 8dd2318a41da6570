/**
 * One channel subsystem shared by several images (logical partitions) under
 * MIF (the Multiple Image Facility, SA22-7201 and the PR/SM planning guide
 * SB10-7036): each image has its own storage and its own subchannel images
 * (SCHIBs) for a shared device, while a shared channel path and the start
 * queue are common to all images — so images contend for a shared path and
 * Channel Subsystem Priority Queuing orders starts across images.
 */
import { type AbsoluteAddress, SimClock, SparseStorage } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CardReader2540, ChannelSubsystem, Console3215, Display3270, Printer1403, SS_PROTECTION_CHECK, decodeSchib, decodeScsw, encodeOrb, encodePmcw, toEbcdic } from '../src/index';
import { ccw0, ccw1, drain, type TestCpu, testCpu } from './helpers';

const SIZE = 16 * 4096;

interface Image {
  readonly storage: SparseStorage;
  readonly cpu: TestCpu;
  readonly n: number;
}

function mif(images: number, queuing: 'fifo' | 'priority' = 'fifo') {
  const clock = new SimClock(1000);
  const css = new ChannelSubsystem({ clock, images, queuing });
  const list: Image[] = [];
  for (let n = 0; n < images; n++) {
    const storage = new SparseStorage(SIZE);
    css.connectImage(n, storage);
    list.push({ storage, cpu: testCpu(storage), n });
  }
  return { clock, css, images: list };
}

function op(css: ChannelSubsystem, im: Image, instruction: 'SSCH' | 'TSCH' | 'STSCH' | 'MSCH', sch: number, address: number): number {
  im.cpu.gpr[1] = 0x00010000 | sch;
  return css.image(im.n).execute(instruction, address, im.cpu);
}

function enableIn(css: ChannelSubsystem, im: Image, sch: number): void {
  expect(op(css, im, 'STSCH', sch, 0x800)).toBe(0);
  const b = new Uint8Array(52);
  im.storage.readInto(0x800 as AbsoluteAddress, b);
  const { pmcw } = decodeSchib(b);
  pmcw.enabled = true;
  pmcw.interruptionParameter = 0x1000 * (im.n + 1) + sch;
  encodePmcw(pmcw, b, 0);
  im.storage.writeFrom(0x800 as AbsoluteAddress, b.subarray(0, 28));
  expect(op(css, im, 'MSCH', sch, 0x800)).toBe(0);
}

function startIn(css: ChannelSubsystem, im: Image, sch: number, ccwAddress: number, key = 0): number {
  im.storage.writeFrom(0x880 as AbsoluteAddress, encodeOrb({ format1: true, lpm: 0x80, key, ccwAddress }));
  return op(css, im, 'SSCH', sch, 0x880);
}

function scswOf(css: ChannelSubsystem, im: Image, sch: number) {
  expect(op(css, im, 'TSCH', sch, 0x900)).toBe(0);
  const irb = new Uint8Array(64);
  im.storage.readInto(0x900 as AbsoluteAddress, irb);
  return decodeScsw(irb, 0);
}

/** Each image writes one 132-byte line to its own 3215; returns the completion time per image (µs). */
function twoImagesWrite(sharedPath: boolean) {
  const m = mif(2);
  m.css.defineChannelPath(0x10, [0, 1]);
  m.css.defineChannelPath(0x11, [1]);
  const done = [-1, -1];
  for (const im of m.images) {
    m.css.attach(0x100 + im.n, new Console3215(), { chpids: [sharedPath || im.n === 0 ? 0x10 : 0x11], images: [im.n] });
    enableIn(m.css, im, 0);
    im.storage.writeFrom(0x2000 as AbsoluteAddress, toEbcdic('X'.repeat(132)));
    im.storage.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from(ccw1(0x09, 0x20, 132, 0x2000)));
    m.css.image(im.n).setPendingListener(() => {
      if (m.css.image(im.n).takeInterruption(0xff000000) !== null) done[im.n] = m.clock.now() / m.clock.cyclesPerMicrosecond;
    });
  }
  for (const im of m.images) expect(startIn(m.css, im, 0, 0x1000)).toBe(0);
  drain(m.clock);
  const contentions = (m.css.channelPath(0x10)?.contentions ?? 0) + (m.css.channelPath(0x11)?.contentions ?? 0);
  return { done, contentions, last: Math.max(done[0]!, done[1]!), first: Math.min(done[0]!, done[1]!) };
}

describe('MIF: images contend for a shared channel path', () => {
  it('two images starting at once on one shared CHPID: one waits for the other (queueing delay on the simulated clock)', () => {
    const unshared = twoImagesWrite(false);
    const shared = twoImagesWrite(true);
    // Unshared: each image has its own path, both programs run at once.
    expect(unshared.done[0]).toBeGreaterThan(0);
    expect(unshared.done[1]).toBe(unshared.done[0]);
    expect(unshared.contentions).toBe(0);
    // Shared: the second program starts only when the first frees the path.
    expect(shared.contentions).toBe(1);
    expect(shared.first).toBe(unshared.first);
    const delay = shared.last - unshared.last;
    // The wait is at least the first program's time on the path (its service time after selection).
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeGreaterThanOrEqual(unshared.first - 2 /* start latency */ - 1e-9);
  });

  it('a device shared by two images: each image has its own SCHIB; the device is busy for the other image while one uses it', () => {
    const m = mif(2);
    m.css.defineControlUnit(1, [0x20]);
    const printer = new Printer1403();
    const numbers = m.css.attach(0x00e, printer, { controlUnit: 1 });
    expect([...numbers.entries()]).toEqual([
      [0, 0],
      [1, 0],
    ]);
    const [a, b] = m.images as [Image, Image];
    enableIn(m.css, a, 0);
    // Image 1's subchannel image is still the initial one: valid, not enabled.
    expect(op(m.css, b, 'STSCH', 0, 0x800)).toBe(0);
    const sb = new Uint8Array(52);
    b.storage.readInto(0x800 as AbsoluteAddress, sb);
    expect(decodeSchib(sb).pmcw.enabled).toBe(false);
    expect(startIn(m.css, b, 0, 0x1000)).toBe(3); // not enabled in image 1
    enableIn(m.css, b, 0);
    for (const im of m.images) {
      im.storage.writeFrom(0x2000 as AbsoluteAddress, toEbcdic(im.n === 0 ? 'FROM IMAGE 0' : 'FROM IMAGE 1'));
      im.storage.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from(ccw1(0x09, 0x20, 12, 0x2000)));
    }
    const times: number[] = [];
    for (const im of m.images) m.css.image(im.n).setPendingListener(() => times.push(im.n));
    expect(startIn(m.css, a, 0, 0x1000)).toBe(0);
    expect(startIn(m.css, b, 0, 0x1000)).toBe(0);
    drain(m.clock);
    expect(times).toEqual([0, 1]);
    expect(printer.output).toEqual(['FROM IMAGE 0', 'FROM IMAGE 1']);
    // Each image's SCSW is its own: both show their own program's normal end.
    for (const im of m.images) {
      const s = scswOf(m.css, im, 0);
      expect(s.deviceStatus).toBe(0x0c);
      expect(s.subchannelStatus).toBe(0);
    }
  });
});

describe('MIF: Channel Subsystem Priority Queuing across images', () => {
  function race(queuing: 'fifo' | 'priority'): number[] {
    const m = mif(3, queuing);
    m.css.defineChannelPath(0x30, [0, 1, 2]);
    const order: number[] = [];
    for (const im of m.images) {
      m.css.attach(0x300 + im.n, new Console3215(), { chpids: [0x30], images: [im.n] });
      enableIn(m.css, im, 0);
      im.storage.writeFrom(0x2000 as AbsoluteAddress, toEbcdic('Y'.repeat(80)));
      im.storage.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from(ccw1(0x09, 0x20, 80, 0x2000)));
      m.css.image(im.n).setPendingListener(() => {
        if (m.css.image(im.n).takeInterruption(0xff000000) !== null) order.push(im.n);
      });
    }
    // Image 2 (a production partition) has the highest I/O priority, image 1 the lowest.
    m.css.setPriority(1, 0, 1);
    m.css.setPriority(2, 0, 9);
    const [a, b, c] = m.images as [Image, Image, Image];
    expect(startIn(m.css, a, 0, 0x1000)).toBe(0);
    // Let image 0's program take the path, then images 1 and 2 ask, 1 first.
    m.clock.advanceTo(m.clock.now() + 5 * m.clock.cyclesPerMicrosecond);
    expect(m.css.channelPath(0x30)!.busyWith?.image).toBe(0);
    expect(startIn(m.css, b, 0, 0x1000)).toBe(0);
    expect(startIn(m.css, c, 0, 0x1000)).toBe(0);
    drain(m.clock);
    return order;
  }

  it('FIFO serves the images in SSCH order', () => {
    expect(race('fifo')).toEqual([0, 1, 2]);
  });

  it('priority queuing gives the shared path to the waiting start of the image with the higher priority', () => {
    expect(race('priority')).toEqual([0, 2, 1]);
  });
});

describe('MIF: each image transfers only to and from its own storage, with its own keys', () => {
  it('the ORB key is checked against the storage keys of the image that started the program', () => {
    const m = mif(2);
    m.css.attach(0x00c, new CardReader2540(['CARD ONE', 'CARD TWO']), { chpids: [0x00] });
    const [a, b] = m.images as [Image, Image];
    // Same absolute address, different keys in the two images' storages.
    a.storage.setKey(0x2000 as AbsoluteAddress, 0x30);
    b.storage.setKey(0x2000 as AbsoluteAddress, 0x50);
    for (const im of m.images) {
      enableIn(m.css, im, 0);
      im.storage.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from(ccw1(0x02, 0x20, 80, 0x2000)));
    }
    expect(startIn(m.css, a, 0, 0x1000, 5)).toBe(0);
    drain(m.clock);
    expect(scswOf(m.css, a, 0).subchannelStatus & SS_PROTECTION_CHECK).not.toBe(0);
    expect(startIn(m.css, b, 0, 0x1000, 5)).toBe(0);
    drain(m.clock);
    expect(scswOf(m.css, b, 0).subchannelStatus).toBe(0);
    const got = new Uint8Array(8);
    b.storage.readInto(0x2000 as AbsoluteAddress, got);
    // Image 0's read fed the first card through the shared reader before the store was refused.
    expect(Array.from(got)).toEqual(Array.from(toEbcdic('CARD TWO')));
    a.storage.readInto(0x2000 as AbsoluteAddress, got);
    expect(Array.from(got)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  const ccw = fc.record({
    command: fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x08, 0x09, 0x0b, 0x0c, 0xe4, 0x00, 0xff),
    flags: fc.integer({ min: 0, max: 0xff }).map((f) => f & 0xfe),
    count: fc.integer({ min: 0, max: 300 }),
    address: fc.oneof(fc.integer({ min: 0, max: SIZE - 1 }), fc.integer({ min: SIZE, max: 0x7fffffff })),
  });

  it('whatever image A\'s CCWs are, with image B running too, image B\'s storage and keys change only by B\'s own program (property)', () => {
    fc.assert(
      fc.property(
        fc.array(ccw, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 15 }),
        fc.array(fc.integer({ min: 0, max: 0xff }).map((k) => k & 0xf8), { minLength: 16, maxLength: 16 }),
        (program, format1, key, keysA) => {
          const m = mif(2);
          m.css.defineControlUnit(1, [0x40]);
          m.css.attach(0x00c, new CardReader2540(['SHARED READER CARD 1', 'SHARED READER CARD 2', 'SHARED READER CARD 3']), { controlUnit: 1 });
          m.css.attach(0x00e, new Printer1403(), { controlUnit: 1 });
          m.css.attach(0x009, new Console3215(), { controlUnit: 1, images: [0] });
          const [a, b] = m.images as [Image, Image];
          for (const [f, k] of keysA.entries()) a.storage.setKey((f << 12) as AbsoluteAddress, k);
          b.storage.writeFrom(0 as AbsoluteAddress, new Uint8Array(SIZE).fill(0x5a));
          for (let f = 0; f < 16; f++) b.storage.setKey((f << 12) as AbsoluteAddress, 0x18);
          for (let s = 0; s < 2; s++) enableIn(m.css, b, s);
          for (let s = 0; s < 3; s++) enableIn(m.css, a, s);
          // B prints a line from its storage (a fixed program at B's X'3000').
          b.storage.writeFrom(0x3000 as AbsoluteAddress, Uint8Array.from(ccw1(0x09, 0x20, 16, 0x3100)));
          const before = new Uint8Array(SIZE);
          b.storage.readInto(0 as AbsoluteAddress, before);
          const keysBefore = Array.from({ length: 16 }, (_, f) => b.storage.getKey((f << 12) as AbsoluteAddress));
          // A runs the random program on every one of its devices at once (each from its own copy).
          const bytes = Uint8Array.from(program.flatMap((c) => (format1 ? ccw1(c.command, c.flags, c.count, c.address) : ccw0(c.command, c.address & 0xffffff, c.flags, c.count))));
          for (let s = 0; s < 3; s++) {
            a.storage.writeFrom((0x1000 + s * 0x100) as AbsoluteAddress, bytes);
            a.storage.writeFrom(0x880 as AbsoluteAddress, encodeOrb({ format1, lpm: 0x80, key, ccwAddress: 0x1000 + s * 0x100 }));
            expect(op(m.css, a, 'SSCH', s, 0x880)).toBe(0);
          }
          b.storage.writeFrom(0x880 as AbsoluteAddress, encodeOrb({ format1: true, lpm: 0x80, key: 1, ccwAddress: 0x3000 }));
          expect(op(m.css, b, 'SSCH', 1, 0x880)).toBe(0);
          drain(m.clock, 20_000);
          // B's program ran (its own IRB will land at X'900'); nothing else of B changed.
          expect(scswOf(m.css, b, 1).deviceStatus).toBe(0x0c);
          const after = new Uint8Array(SIZE);
          b.storage.readInto(0 as AbsoluteAddress, after);
          for (let i = 0; i < SIZE; i++) {
            if (i >= 0x800 && i < 0x980) continue; // B's own SCHIB, ORB and IRB operands
            if (after[i] !== before[i]) expect.fail(`image B byte ${i.toString(16)} changed`);
          }
          for (let f = 0; f < 16; f++) expect(b.storage.getKey((f << 12) as AbsoluteAddress) & 0xf8).toBe(keysBefore[f]! & 0xf8);
        },
      ),
      { numRuns: 120, seed: 0x31f },
    );
  });
});

describe('MIF: per-image devices and resets', () => {
  it('two images may each have their own device at the same device number; attention reaches only the device\'s own image', () => {
    const m = mif(2);
    const a = new Display3270();
    const b = new Display3270();
    m.css.attach(0x0c0, a, { chpids: [0x01], images: [0] });
    m.css.attach(0x0c0, b, { chpids: [0x02], images: [1] });
    expect(() => m.css.attach(0x0c0, new Console3215(), { chpids: [0x03], images: [1] })).toThrow(RangeError);
    for (const im of m.images) enableIn(m.css, im, 0);
    expect(m.css.subchannelForDevice(0x0c0, 0)!.slot.device).toBe(a);
    expect(m.css.subchannelForDevice(0x0c0, 1)!.slot.device).toBe(b);
    // ENTER on image 1's terminal: attention for image 1 only.
    b.inbound(Uint8Array.from([0x7d, 0x40, 0x40]));
    expect(m.css.image(1).hasPending()).toBe(true);
    expect(m.css.image(0).hasPending()).toBe(false);
    expect(scswOf(m.css, m.images[1]!, 0).deviceStatus & 0x80).toBe(0x80);
  });

  it('a reset of one image (its IPL) leaves another image\'s program on a shared path and device running', () => {
    const m = mif(2);
    m.css.defineControlUnit(1, [0x50]);
    const printer = new Printer1403();
    m.css.attach(0x00e, printer, { controlUnit: 1 });
    const [a, b] = m.images as [Image, Image];
    for (const im of m.images) {
      enableIn(m.css, im, 0);
      im.storage.writeFrom(0x2000 as AbsoluteAddress, toEbcdic(`IMAGE ${im.n}`));
      im.storage.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from(ccw1(0x09, 0x20, 7, 0x2000)));
    }
    expect(startIn(m.css, a, 0, 0x1000)).toBe(0);
    expect(startIn(m.css, b, 0, 0x1000)).toBe(0);
    m.clock.advanceTo(m.clock.now() + 5 * m.clock.cyclesPerMicrosecond);
    expect(m.css.channelPath(0x50)!.busyWith?.image).toBe(0);
    m.css.ioSystemReset(1); // image 1 re-IPLs: its queued start is gone, its subchannel disabled
    drain(m.clock);
    expect(printer.output).toEqual(['IMAGE 0']);
    expect(scswOf(m.css, a, 0).deviceStatus).toBe(0x0c);
    expect(op(m.css, b, 'STSCH', 0, 0x800)).toBe(0);
    const sb = new Uint8Array(52);
    b.storage.readInto(0x800 as AbsoluteAddress, sb);
    expect(decodeSchib(sb).pmcw.enabled).toBe(false);
    expect(m.css.channelPath(0x50)!.busyWith).toBeNull();
  });
});

describe('MIF: per-image device models and counters', () => {
  it('replaceDevice swaps an image\'s own device on its subchannel, never a shared or busy one; startsFor counts SSCHs per image', () => {
    const m = mif(2);
    const [a, b] = m.images as [Image, Image];
    m.css.attach(0x009, new Console3215(), { chpids: [0x01], images: [0] });
    m.css.attach(0x00e, new Printer1403(), { chpids: [0x02] });
    const fresh = new Printer1403();
    expect(m.css.replaceDevice(0x00e, 0, fresh)).toBe(false); // image 1 reaches it too
    const lines: string[] = [];
    const con = new Console3215({ onLine: (l) => lines.push(l) });
    expect(m.css.replaceDevice(0x009, 0, con)).toBe(true);
    expect(m.css.subchannelForDevice(0x009, 0)!.number).toBe(0);
    enableIn(m.css, a, 0);
    a.storage.writeFrom(0x2000 as AbsoluteAddress, toEbcdic('HELLO'));
    a.storage.writeFrom(0x1000 as AbsoluteAddress, Uint8Array.from(ccw1(0x09, 0x20, 5, 0x2000)));
    expect(startIn(m.css, a, 0, 0x1000)).toBe(0);
    expect(m.css.replaceDevice(0x009, 0, new Console3215())).toBe(false); // busy with the program
    drain(m.clock);
    expect(lines).toEqual(['HELLO']);
    expect([m.css.startsFor(0), m.css.startsFor(1)]).toEqual([1, 0]);
    expect(startIn(m.css, b, 0, 0x1000)).toBe(3); // image 1's subchannel 0 is the printer, not enabled
  });
});
