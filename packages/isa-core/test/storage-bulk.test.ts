/**
 * SparseStorage's bulk copies (readInto, writeFrom) against the byte
 * accessors: a copy of n bytes must do to storage exactly what n read8 or
 * write8 calls do (the bytes, the reference and change bits of every frame it
 * touches, first-store allocation, copy-on-write of shared frames), whether
 * the range is short (copied in a loop) or long (copied through a view), and
 * whether it crosses frame boundaries or the top of the address space.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absoluteAddress as abs, FRAME_SIZE, SparseStorage } from '@strachey/isa-core';

const FRAMES = 4;
const SIZE = FRAMES * FRAME_SIZE;

type Op =
  | { readonly kind: 'read'; readonly address: number; readonly length: number; readonly offset: number }
  | { readonly kind: 'write'; readonly address: number; readonly data: Uint8Array }
  | { readonly kind: 'share'; readonly frame: number; readonly from: number }
  | { readonly kind: 'key'; readonly frame: number; readonly key: number }
  | { readonly kind: 'drop'; readonly frame: number };

// Lengths around the short/long threshold (64) and across a frame (4096) both.
const length = fc.oneof(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 2 * FRAME_SIZE + 16 }));
// Addresses near frame ends are where the copies split.
const address = fc.oneof(
  fc.integer({ min: 0, max: SIZE - 1 }),
  fc
    .tuple(fc.integer({ min: 1, max: FRAMES }), fc.integer({ min: -80, max: 8 }))
    .map(([f, d]) => Math.max(0, Math.min(SIZE - 1, f * FRAME_SIZE + d))),
);
const frame = fc.integer({ min: 0, max: FRAMES - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('read' as const), address, length, offset: fc.integer({ min: 0, max: 9 }) }),
  fc.record({
    kind: fc.constant('write' as const),
    address,
    data: length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  }),
  fc.record({ kind: fc.constant('share' as const), frame, from: frame }),
  fc.record({ kind: fc.constant('key' as const), frame, key: fc.integer({ min: 0, max: 0xff }) }),
  fc.record({ kind: fc.constant('drop' as const), frame }),
);

/** A storage and what its hooks reported: frames copied on write (in order) and frames whose stores were watched. */
interface Twin {
  readonly storage: SparseStorage;
  readonly copied: number[];
  readonly watchedWrites: Set<number>;
}

function twin(): Twin {
  const storage = new SparseStorage(SIZE);
  const copied: number[] = [];
  const watchedWrites = new Set<number>();
  storage.onFrameCopied = (f) => copied.push(f);
  storage.onWatchedWrite = (f) => watchedWrites.add(f);
  return { storage, copied, watchedWrites };
}

function state(t: Twin): unknown {
  const s = t.storage;
  // Hex, not arrays of numbers: hundreds of runs compare 16 KB after every step.
  const frames: string[] = [];
  for (let f = 0; f < FRAMES; f++)
    frames.push(Buffer.from(s.frames[f] ?? new Uint8Array(FRAME_SIZE)).toString('hex'));
  return {
    frames,
    mapped: Array.from({ length: FRAMES }, (_, f) => s.frames[f] !== undefined),
    keys: Array.from(s.keys),
    shared: Array.from(s.shared),
    allocated: s.allocatedFrames,
    sharedFrames: s.sharedFrames,
    copies: s.copiesOnWrite,
    copied: t.copied,
    watchedWrites: [...t.watchedWrites].sort(),
  };
}

describe('SparseStorage bulk copies', () => {
  it('readInto and writeFrom do what read8 and write8 byte by byte do (bytes, keys, allocation, shared frames)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const bulk = twin();
        const bytes = twin();
        for (const o of ops) {
          switch (o.kind) {
            case 'read': {
              // Stay inside storage: the byte accessors of the reference would read past its end differently.
              const n = Math.min(o.length, SIZE - o.address);
              const got = new Uint8Array(n + o.offset + 3).fill(0xa5);
              const want = got.slice();
              bulk.storage.readInto(abs(o.address), got, o.offset, n);
              for (let i = 0; i < n; i++) want[o.offset + i] = bytes.storage.read8(abs(o.address + i));
              expect(got).toEqual(want);
              break;
            }
            case 'write': {
              const data = o.data.subarray(0, Math.min(o.data.length, SIZE - o.address));
              bulk.storage.writeFrom(abs(o.address), data);
              for (let i = 0; i < data.length; i++) bytes.storage.write8(abs(o.address + i), data[i]!);
              break;
            }
            case 'share':
              for (const t of [bulk, bytes]) t.storage.shareFrame(o.frame, t.storage.frameForWrite(o.from));
              break;
            case 'key':
              for (const t of [bulk, bytes]) t.storage.setKey(abs(o.frame * FRAME_SIZE), o.key);
              break;
            case 'drop':
              for (const t of [bulk, bytes]) t.storage.dropFrame(o.frame);
              break;
          }
          expect(state(bulk)).toEqual(state(bytes));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a short store into a shared frame copies it first and leaves the other mapping as it was', () => {
    const s = new SparseStorage(SIZE);
    s.writeFrom(abs(0), Uint8Array.from([1, 2, 3, 4]));
    const original = s.frameForRead(0);
    s.shareFrame(1, original);
    s.writeFrom(abs(FRAME_SIZE + 1), Uint8Array.from([9, 9]));
    expect(s.copiesOnWrite).toBe(1);
    expect(Array.from(original.subarray(0, 4))).toEqual([1, 2, 3, 4]);
    const out = new Uint8Array(4);
    s.readInto(abs(FRAME_SIZE), out);
    expect(Array.from(out)).toEqual([1, 9, 9, 4]);
  });

  it('a short read past the end of the target throws as a long one does', () => {
    const s = new SparseStorage(SIZE);
    expect(() => s.readInto(abs(0), new Uint8Array(4), 2, 8)).toThrow(RangeError);
  });
});
