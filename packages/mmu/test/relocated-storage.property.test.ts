/**
 * RelocatedStorage's bulk accesses (readInto / writeFrom: one translation
 * per frame, one copy) against the same bytes moved one at a time through
 * read8 / write8 on a twin machine (property): the bytes seen or stored, the
 * storage keys' reference and change bits, the frames allocated and the
 * copies-on-write of shared frames must all be the same, for accesses
 * inside one frame, across frames, across a block-table block boundary and
 * beyond the view (refused: reads see zeros, stores are dropped).
 */
import { type AbsoluteAddress, SparseStorage, type StoragePort } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE, BlockTable, ZoneRelocator, relocatedStorage } from '../src/index';

const MB = 1024 * 1024;
const FRAME = 4096;
const at = (n: number) => (n >>> 0) as AbsoluteAddress;

/** A SparseStorage subclass: RelocatedStorage must go through its accessors, not around them. */
class SubclassedStorage extends SparseStorage {}

interface Setup {
  readonly machine: SparseStorage;
  readonly view: StoragePort;
  /** Machine address of view address 0's frame, where the seeded frames start. */
  readonly base: number;
}

type Kind = 'zone' | 'blocks' | 'zone over a subclass';

/** Machine and view; the view's first frames hold `seed`, one of them is shared (copy-on-write). */
function setup(kind: Kind, seedNumber: number): Setup {
  const seed = seedBytes(seedNumber);
  let machine: SparseStorage;
  let view: StoragePort;
  let base: number;
  if (kind === 'blocks') {
    // Two blocks in reverse order: view block 0 is machine block 1, so the view is discontiguous at BLOCK_SIZE.
    machine = new SparseStorage(2 * BLOCK_SIZE);
    view = relocatedStorage(machine, new BlockTable(2 * BLOCK_SIZE, [BLOCK_SIZE, 0]));
    base = BLOCK_SIZE;
    machine.writeFrom(at(BLOCK_SIZE - seed.length), seed);
  } else {
    machine = kind === 'zone' ? new SparseStorage(4 * MB) : new SubclassedStorage(4 * MB);
    view = relocatedStorage(machine, new ZoneRelocator({ origin: MB, limit: 2 * MB }));
    base = MB;
  }
  machine.writeFrom(at(base), seed);
  const first = base / FRAME;
  machine.shareFrame(first + 3, machine.frames[first + 1]!);
  return { machine, view, base };
}

/** Everything a byte access can change in the machine. */
function state(m: SparseStorage): string {
  const frames: string[] = [];
  m.frames.forEach((f, i) => {
    if (f !== undefined) frames.push(`${i}:${Buffer.from(f).toString('base64')}`);
  });
  return `${Buffer.from(m.keys).toString('base64')}|${m.allocatedFrames}|${m.sharedFrames}|${m.copiesOnWrite}|${frames.join(',')}`;
}

/** View addresses near the interesting places: frame edges, the block boundary, the end of the view, anywhere. */
function address(kind: Kind): fc.Arbitrary<number> {
  const size = kind === 'blocks' ? 2 * BLOCK_SIZE : 2 * MB;
  const edges = kind === 'blocks' ? [0, FRAME, 3 * FRAME, BLOCK_SIZE, size] : [0, FRAME, 3 * FRAME, size];
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...edges), fc.integer({ min: -40, max: 40 }))
      .map(([e, d]) => Math.max(0, e + d)),
    fc.integer({ min: 0, max: 6 * FRAME }),
    fc.integer({ min: 0, max: size + 2 * FRAME }),
  );
}

function seedBytes(seed: number): Uint8Array {
  const b = new Uint8Array(5 * FRAME);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const access = (kind: Kind) =>
  fc.record({
    address: address(kind),
    length: fc.oneof(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 0, max: 3 * FRAME })),
    offset: fc.integer({ min: 0, max: 9 }),
    // Frame contents from a number (xorshift32): shrinks in a few steps where 20 KB of bytes took minutes.
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    fill: fc.integer({ min: 0, max: 255 }),
  });

describe.each<Kind>(['zone', 'blocks', 'zone over a subclass'])(
  'RelocatedStorage bulk access, %s',
  (kind) => {
    it('readInto equals read8 byte by byte: same bytes, same reference bits, bytes outside the range untouched (property)', () => {
      fc.assert(
        fc.property(access(kind), ({ address: a, length, offset, seed, fill }) => {
          const bulk = setup(kind, seed);
          const bytewise = setup(kind, seed);
          const got = new Uint8Array(offset + length + 7).fill(fill);
          const want = new Uint8Array(offset + length + 7).fill(fill);
          bulk.view.readInto(at(a), got, offset, length);
          for (let i = 0; i < length; i++) want[offset + i] = bytewise.view.read8(at(a + i));
          expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
          expect(state(bulk.machine)).toBe(state(bytewise.machine));
        }),
        { numRuns: 120, seed: 0x4ead },
      );
    });

    it('writeFrom equals write8 byte by byte: same stored bytes, change bits, allocations and copies-on-write (property)', () => {
      fc.assert(
        fc.property(access(kind), ({ address: a, length, seed, fill }) => {
          const bulk = setup(kind, seed);
          const bytewise = setup(kind, seed);
          const data = new Uint8Array(length);
          for (let i = 0; i < length; i++) data[i] = (fill + i * 7) & 0xff;
          bulk.view.writeFrom(at(a), data);
          for (let i = 0; i < length; i++) bytewise.view.write8(at(a + i), data[i]!);
          expect(state(bulk.machine)).toBe(state(bytewise.machine));
        }),
        { numRuns: 120, seed: 0x3417e },
      );
    });
  },
);

describe('RelocatedStorage bulk access, examples', () => {
  it('an 8-byte read inside a frame lands on the zone frame, and a store into a shared frame copies it first', () => {
    const { machine, view, base } = setup('zone', 1);
    const seed = seedBytes(1);
    const ccw = new Uint8Array(8);
    view.readInto(at(0x1008), ccw);
    expect([...ccw]).toEqual([...seed.subarray(0x1008, 0x1010)]);
    // Frame 3 shares frame 1's bytes until written.
    expect(view.read8(at(3 * FRAME + 5))).toBe(seed[FRAME + 5]);
    view.writeFrom(at(3 * FRAME + 4), Uint8Array.of(0xaa, 0xbb));
    expect(machine.copiesOnWrite).toBe(1);
    expect(machine.read8(at(base + 3 * FRAME + 5))).toBe(0xbb);
    expect(machine.read8(at(base + FRAME + 5))).toBe(seed[FRAME + 5]);
  });
});
