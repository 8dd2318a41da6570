/**
 * SparseStorage's frame table (grown to the highest frame mapped, not sized
 * for the storage configured) against a reference model that is just a Map
 * of frames: any sequence of reads, writes (every width and bulk), key
 * changes, shared mappings, drops and clears, aimed at megabyte edges, the
 * table's growing end and the top of a 4 GB storage, leaves both with the
 * same bytes, keys, shared identities and counters. Plus the boundaries by
 * hand: 4 GB exactly (2^32 bytes, whose frame count is 0 in uint32), keys
 * of untouched frames reading 0, and the table's length following the
 * frames used, not the size configured.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absoluteAddress as abs, FRAME_SIZE, KEY_CHANGE, KEY_REF, SparseStorage } from '@strachey/isa-core';

const GB4 = 0x100000000;
/** Frames in a megabyte: edges worth aiming at (where a chunked table would split). */
const MB_FRAMES = 256;

/** The reference: frames as a Map (bytes, and whether mapped shared), keys as a Map, counters. */
class Model {
  readonly frames = new Map<number, { bytes: Uint8Array; shared: boolean }>();
  readonly keys = new Map<number, number>();
  copies = 0;
  constructor(readonly size: number) {}
  key(f: number): number {
    return this.keys.get(f) ?? 0;
  }
  private frameOf(a: number): number {
    return Math.floor((a % this.size) / FRAME_SIZE);
  }
  read8(a: number): number {
    const f = this.frameOf(a);
    this.keys.set(f, this.key(f) | KEY_REF);
    return this.frames.get(f)?.bytes[a % FRAME_SIZE] ?? 0;
  }
  write8(a: number, v: number): void {
    const f = this.frameOf(a);
    this.keys.set(f, this.key(f) | KEY_REF | KEY_CHANGE);
    let e = this.frames.get(f);
    if (e === undefined) {
      e = { bytes: new Uint8Array(FRAME_SIZE), shared: false };
      this.frames.set(f, e);
    } else if (e.shared) {
      e = { bytes: e.bytes.slice(), shared: false };
      this.frames.set(f, e);
      this.copies++;
    }
    e.bytes[a % FRAME_SIZE] = v & 0xff;
  }
  share(to: number, bytes: Uint8Array): void {
    this.frames.set(to, { bytes, shared: true });
  }
  drop(f: number): void {
    this.frames.delete(f);
  }
  clear(): void {
    this.frames.clear();
    this.keys.clear();
  }
}

type Op =
  | {
      readonly kind: 'read';
      readonly width: 1 | 2 | 4 | 0;
      readonly address: number;
      readonly length: number;
    }
  | {
      readonly kind: 'write';
      readonly width: 1 | 2 | 4 | 0;
      readonly address: number;
      readonly data: Uint8Array;
    }
  | { readonly kind: 'key'; readonly frame: number; readonly key: number }
  | { readonly kind: 'share'; readonly to: number; readonly from: number }
  | { readonly kind: 'drop'; readonly frame: number }
  | { readonly kind: 'clear' };

/** Frames worth aiming at in a storage of `frames` frames: megabyte edges, the first and the last. */
function frameArb(frames: number): fc.Arbitrary<number> {
  const chunks = Math.ceil(frames / MB_FRAMES);
  return fc.oneof(
    fc.integer({ min: 0, max: frames - 1 }),
    fc
      .tuple(fc.integer({ min: 0, max: chunks }), fc.integer({ min: -2, max: 1 }))
      .map(([c, d]) => Math.max(0, Math.min(frames - 1, c * MB_FRAMES + d))),
    fc.integer({ min: Math.max(0, frames - 3), max: frames - 1 }),
  );
}

function opArb(size: number): fc.Arbitrary<Op> {
  const frames = size / FRAME_SIZE;
  const frame = frameArb(frames);
  // Addresses near the end of a frame, so accesses cross frames and megabytes (and wrap at the top of 4 GB).
  const address = fc
    .tuple(frame, fc.integer({ min: -6, max: 6 }), fc.boolean())
    .map(([f, d, end]) => (((end ? (f + 1) * FRAME_SIZE : f * FRAME_SIZE) + d + size) % size) >>> 0);
  const width = fc.constantFrom(1 as const, 2 as const, 4 as const, 0 as const);
  return fc.oneof(
    fc.record({
      kind: fc.constant('read' as const),
      width,
      address,
      length: fc.integer({ min: 0, max: 300 }),
    }),
    fc.record({
      kind: fc.constant('write' as const),
      width,
      address,
      data: fc.uint8Array({ minLength: 1, maxLength: 300 }),
    }),
    fc.record({ kind: fc.constant('key' as const), frame, key: fc.integer({ min: 0, max: 0xff }) }),
    fc.record({ kind: fc.constant('share' as const), to: frame, from: frame }),
    fc.record({ kind: fc.constant('drop' as const), frame }),
    fc.constant({ kind: 'clear' as const }),
  );
}

/** Run one op on both; return what the storage read and what the model read. */
function apply(s: SparseStorage, m: Model, op: Op): [number[], number[]] {
  const size = m.size;
  // A small storage does not wrap (the CPU never lets an access run past the end); 4 GB wraps as addresses do.
  const fits = (a: number, n: number): boolean => size === GB4 || a + n <= size;
  switch (op.kind) {
    case 'read': {
      const a = op.address;
      if (op.width === 1) return [[s.read8(abs(a))], [m.read8(a)]];
      if (op.width === 2 && fits(a, 2))
        return [[s.read16(abs(a))], [(m.read8(a) << 8) | m.read8((a + 1) % size)]];
      if (op.width === 4 && fits(a, 4)) {
        const want = [0, 1, 2, 3].reduce((acc, i) => (acc << 8) | m.read8((a + i) % size), 0) | 0;
        return [[s.read32(abs(a))], [want]];
      }
      if (op.width === 0 && fits(a, op.length)) {
        const got = new Uint8Array(op.length + 3);
        s.readInto(abs(a), got, 3, op.length);
        const want = new Uint8Array(op.length + 3);
        for (let i = 0; i < op.length; i++) want[3 + i] = m.read8((a + i) % size);
        return [Array.from(got), Array.from(want)];
      }
      return [[], []];
    }
    case 'write': {
      const a = op.address;
      const d = op.data;
      const v = ((d[0]! << 24) | ((d[1] ?? 7) << 16) | ((d[2] ?? 9) << 8) | (d[3] ?? 11)) >>> 0;
      if (op.width === 1) {
        s.write8(abs(a), d[0]!);
        m.write8(a, d[0]!);
      } else if (op.width === 2 && fits(a, 2)) {
        s.write16(abs(a), v >>> 16);
        m.write8(a, v >>> 24);
        m.write8((a + 1) % size, v >>> 16);
      } else if (op.width === 4 && fits(a, 4)) {
        s.write32(abs(a), v);
        for (let i = 0; i < 4; i++) m.write8((a + i) % size, v >>> (24 - 8 * i));
      } else if (op.width === 0 && fits(a, d.length)) {
        s.writeFrom(abs(a), d);
        for (let i = 0; i < d.length; i++) m.write8((a + i) % size, d[i]!);
      }
      return [[], []];
    }
    case 'key':
      s.setKey(abs(op.frame * FRAME_SIZE), op.key);
      m.keys.set(op.frame, op.key & 0xfe);
      return [[s.getKey(abs(op.frame * FRAME_SIZE + 5))], [m.key(op.frame)]];
    case 'share': {
      // A saved page: another frame's bytes when it has some, else a page of its own.
      const bytes = s.frameAt(op.from) ?? new Uint8Array(FRAME_SIZE).fill(op.from & 0xff);
      s.shareFrame(op.to, bytes);
      m.share(op.to, bytes);
      return [[], []];
    }
    case 'drop':
      s.dropFrame(op.frame);
      m.drop(op.frame);
      return [[], []];
    case 'clear':
      s.clear();
      m.clear();
      return [[], []];
  }
}

/** Everything observable agrees: every mapped frame (bytes, identity if shared), keys, counters, the frames view. */
function expectSame(s: SparseStorage, m: Model, probes: readonly number[]): void {
  const seen: number[] = [];
  s.forEachFrame((bytes, f) => {
    seen.push(f);
    const e = m.frames.get(f);
    expect(e, `frame ${f} mapped only in the storage`).toBeDefined();
    if (e!.shared) expect(bytes).toBe(e!.bytes);
    else expect(Buffer.from(bytes).equals(Buffer.from(e!.bytes))).toBe(true);
    expect(s.frameAt(f)).toBe(bytes);
    expect(s.frames[f]).toBe(bytes);
  });
  expect(seen).toEqual([...m.frames.keys()].sort((a, b) => a - b));
  const shared = [...m.frames.values()].filter((e) => e.shared).length;
  expect(s.sharedFrames).toBe(shared);
  expect(s.allocatedFrames).toBe(m.frames.size - shared);
  expect(s.copiesOnWrite).toBe(m.copies);
  for (const f of [...m.keys.keys(), ...probes]) {
    expect(s.keys[f], `key of frame ${f}`).toBe(m.key(f));
    expect(s.frames[f]).toBe(s.frameAt(f));
  }
  expect(s.frames.length).toBeLessThanOrEqual(s.frameCount);
}

function check(size: number, runs: number): void {
  const frames = size / FRAME_SIZE;
  fc.assert(
    fc.property(
      fc.array(opArb(size), { minLength: 1, maxLength: 40 }),
      fc.array(frameArb(frames), { maxLength: 6 }),
      (ops, probes) => {
        const s = new SparseStorage(size);
        const m = new Model(size);
        for (const op of ops) {
          const [got, want] = apply(s, m, op);
          expect(got).toEqual(want);
        }
        expectSame(s, m, probes);
      },
    ),
    { numRuns: runs },
  );
}

describe('SparseStorage frame table against a Map of frames', () => {
  it('agrees on a storage of two and a half megabytes', () => {
    check((2 * MB_FRAMES + MB_FRAMES / 2) * FRAME_SIZE, 300);
  });

  it('agrees on a 4 GB storage, at megabyte edges and across the top of the address space', () => {
    check(GB4, 100);
  });

  it('agrees on a one-frame storage', () => {
    check(FRAME_SIZE, 100);
  });
});

describe('SparseStorage at exactly 4 GB', () => {
  it('has 2^20 frames, keys and watch flags for all of them, the last frame storable', () => {
    const s = new SparseStorage(GB4);
    expect(s.frameCount).toBe(1 << 20);
    expect(s.keys.length).toBe(1 << 20);
    expect(s.watched.length).toBe(1 << 20);
    expect(s.shared.length).toBe(1 << 20);
    s.write32(abs(0xfffffffc), 0x12345678);
    expect(s.read32(abs(0xfffffffc)) >>> 0).toBe(0x12345678);
    expect(s.getKey(abs(0xfffff000))).toBe(KEY_REF | KEY_CHANGE);
    expect(s.frameAt((1 << 20) - 1)).toBeDefined();
    expect(s.allocatedFrames).toBe(1);
    // A four-byte store across the top wraps to absolute 0, as 32-bit addresses do.
    s.write32(abs(0xfffffffe), 0xa1b2c3d4);
    expect(s.read8(abs(0xffffffff))).toBe(0xb2);
    expect(s.read8(abs(0))).toBe(0xc3);
    expect(s.allocatedFrames).toBe(2);
  });

  it('rejects sizes above 4 GB and ones not a multiple of a frame', () => {
    expect(() => new SparseStorage(GB4 + FRAME_SIZE)).toThrow(RangeError);
    expect(() => new SparseStorage(FRAME_SIZE + 1)).toThrow(RangeError);
  });
});

describe('SparseStorage costs what is touched', () => {
  it('keys of untouched frames read 0, and reading them maps nothing', () => {
    const s = new SparseStorage(GB4);
    for (const f of [0, 255, 256, 0x7ffff, (1 << 20) - 1]) {
      expect(s.getKey(abs(f * FRAME_SIZE))).toBe(0);
      expect(s.frames[f]).toBeUndefined();
    }
    expect(s.read32(abs(0x80000000))).toBe(0);
    expect(s.frameAt(0x80000)).toBeUndefined();
    expect(s.frames.length).toBe(0);
    expect(s.allocatedFrames).toBe(0);
  });

  it('the frame table is as long as the highest frame mapped, whatever the size configured', () => {
    for (const size of [MB_FRAMES * FRAME_SIZE, 64 << 20, GB4]) {
      const s = new SparseStorage(size);
      expect(s.frames.length).toBe(0);
      let highest = -1;
      for (let i = 0; i < 40; i++) {
        const a = (Math.imul(i, 0x9e3779b1) >>> 0) % Math.min(size, 8 << 20);
        s.write8(abs(a), i);
        highest = Math.max(highest, Math.floor(a / FRAME_SIZE));
        expect(s.frames.length).toBe(highest + 1);
      }
      // Reads and key changes map nothing.
      s.read8(abs(size - 1));
      s.setKey(abs(size - FRAME_SIZE), 0x30);
      expect(s.frames.length).toBe(highest + 1);
      s.clear();
      expect(s.frames.length).toBe(0);
      expect(s.allocatedFrames).toBe(0);
    }
  });

  it('the frame table has no holes (V8 keeps it a fast array, not a dictionary)', () => {
    const s = new SparseStorage(GB4);
    s.write8(abs(0xfffff000), 1);
    expect(s.frames.length).toBe(1 << 20);
    expect(Object.keys(s.frames).length).toBe(1 << 20);
    expect(s.frameAt((1 << 20) - 2)).toBeUndefined();
  });

  it('a store outside the configured frames is refused, not stored', () => {
    const s = new SparseStorage(FRAME_SIZE * 3);
    expect(() => s.frameForWrite(3)).toThrow(RangeError);
    expect(s.allocatedFrames).toBe(0);
    expect(s.frameForRead(700)).toEqual(new Uint8Array(FRAME_SIZE));
  });
});
