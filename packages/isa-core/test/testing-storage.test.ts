/**
 * The StoragePort contract of '@strachey/isa-core/testing': SparseStorage
 * passes it at several sizes, any seed of the model comparison agrees, and
 * storages with one deliberate defect each fail the case that guards it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AbsoluteAddress, absoluteAddress, KEY_CHANGE, SparseStorage, type StoragePort } from '@strachey/isa-core';
import { contractFailures, checkStorageAgainstModel, storagePortContract } from '@strachey/isa-core/testing';

describe('SparseStorage passes the StoragePort contract', () => {
  for (const size of [8192, 1 << 20, 0x80000000]) {
    describe(`${size} bytes`, () => {
      for (const c of storagePortContract(() => new SparseStorage(size))) it(c.name, c.run);
    });
  }

  it('agrees with the byte-array model for any seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7fffffff }), (seed) => {
        checkStorageAgainstModel(new SparseStorage(256 * 1024), seed, 200);
      }),
      { numRuns: 40 },
    );
  });
});

/** Little-endian halfwords: the byte order of the wrong architecture. */
class LittleEndianHalfwords extends SparseStorage {
  override read16(address: AbsoluteAddress): number {
    return this.read8(address) | (this.read8(absoluteAddress(address + 1)) << 8);
  }
}

/** read32 returns the unsigned value instead of the signed int32 the interface promises. */
class UnsignedWords extends SparseStorage {
  override read32(address: AbsoluteAddress): number {
    return super.read32(address) >>> 0;
  }
}

/** A word store that crosses a frame loses its last byte (an off-by-one at the boundary). */
class LosesCrossingByte extends SparseStorage {
  override write32(address: AbsoluteAddress, value: number): void {
    if ((address & 0xfff) > 0xffc) {
      for (let i = 0; i < 3; i++) this.write8(absoluteAddress(address + i), value >>> (24 - 8 * i));
      return;
    }
    super.write32(address, value);
  }
}

/** readInto copies only the first frame of a run and leaves the rest of the target alone. */
class ReadIntoOneFrame extends SparseStorage {
  override readInto(address: AbsoluteAddress, target: Uint8Array, offset = 0, length = target.length - offset): void {
    super.readInto(address, target, offset, Math.min(length, 0x1000 - (address & 0xfff)));
  }
}

/** Byte stores forget the change bit (so a pager would think a dirty page clean). */
class NoChangeBitOnByteStores extends SparseStorage {
  override write8(address: AbsoluteAddress, value: number): void {
    const before = this.getKey(address);
    super.write8(address, value);
    if ((before & KEY_CHANGE) === 0) this.keys[address >>> 12] = this.keys[address >>> 12]! & ~KEY_CHANGE;
  }
}

/** Storage keys per 2 KB instead of per 4 KB block (the S/370 key size). */
class TwoKilobyteKeys extends SparseStorage {
  private readonly halfKeys = new Uint8Array(this.frameCount * 2);
  override getKey(address: AbsoluteAddress): number {
    return this.halfKeys[address >>> 11]! | (super.getKey(address) & 0x06);
  }
  override setKey(address: AbsoluteAddress, key: number): void {
    super.setKey(address, key);
    this.halfKeys[address >>> 11] = key & 0xf8;
  }
}

/** The last byte below `size` wraps around to address 0. */
class WrapsAtTheTop implements StoragePort {
  private readonly inner: SparseStorage;
  readonly size: number;
  constructor(size: number) {
    this.inner = new SparseStorage(size);
    this.size = size;
  }
  private map(a: AbsoluteAddress): AbsoluteAddress {
    return a === this.size - 1 ? absoluteAddress(0) : a;
  }
  read8(a: AbsoluteAddress) {
    return this.inner.read8(this.map(a));
  }
  read16(a: AbsoluteAddress) {
    return this.inner.read16(a);
  }
  read32(a: AbsoluteAddress) {
    return this.inner.read32(a);
  }
  write8(a: AbsoluteAddress, v: number) {
    this.inner.write8(this.map(a), v);
  }
  write16(a: AbsoluteAddress, v: number) {
    this.inner.write16(a, v);
  }
  write32(a: AbsoluteAddress, v: number) {
    this.inner.write32(a, v);
  }
  readInto(a: AbsoluteAddress, t: Uint8Array, o?: number, l?: number) {
    this.inner.readInto(a, t, o, l);
  }
  writeFrom(a: AbsoluteAddress, d: Uint8Array) {
    this.inner.writeFrom(a, d);
  }
  getKey(a: AbsoluteAddress) {
    return this.inner.getKey(a);
  }
  setKey(a: AbsoluteAddress, k: number) {
    this.inner.setKey(a, k);
  }
}

describe('a storage with a defect fails the case that guards it', () => {
  const size = 64 * 1024;
  const cases: [string, () => StoragePort, RegExp, RegExp][] = [
    ['little-endian halfwords', () => new LittleEndianHalfwords(size), /big-endian/, /read16 of 01 02 gave X'201'/],
    ['unsigned read32', () => new UnsignedWords(size), /read16 is unsigned, read32 signed/, /read32 must be signed int32/],
    ['a word store crossing a frame loses a byte', () => new LosesCrossingByte(size), /crossing a 4 KB frame boundary/, /write32 at X'FFF'/],
    ['readInto stops at the frame end', () => new ReadIntoOneFrame(size), /readInto and writeFrom copy runs across frames/, /readInto across frames/],
    ['byte stores forget the change bit', () => new NoChangeBitOnByteStores(size), /a store the reference and change bits/, /write8 \(reference and change bits on/],
    ['2 KB storage keys', () => new TwoKilobyteKeys(size), /one storage key per 4 KB block/, /setKey\(X'10'\)/],
    ['the last byte wraps to 0', () => new WrapsAtTheTop(size), /the last byte below it is usable/, /must not wrap to address 0/],
  ];
  for (const [defect, make, caseName, message] of cases) {
    it(defect, () => {
      const failed = contractFailures(storagePortContract(make));
      const guard = failed.find((f) => caseName.test(f.name));
      expect(guard, `failed cases: ${JSON.stringify(failed)}`).toBeDefined();
      expect(guard!.message).toMatch(/^storage port contract: /);
      expect(guard!.message).toMatch(message);
    });
  }

  it('the model comparison alone catches the lost byte, naming the seed and the step', () => {
    let message = '';
    for (let seed = 1; seed <= 50 && message === ''; seed++) {
      try {
        checkStorageAgainstModel(new LosesCrossingByte(size), seed, 2000);
      } catch (e) {
        message = (e as Error).message;
      }
    }
    expect(message).toMatch(/^storage port contract: seed \d+, step \d+: /);
  });

  it('too small a storage is refused by the contract rather than passed', () => {
    const failed = contractFailures(storagePortContract(() => new SparseStorage(4096)));
    expect(failed.map((f) => f.message)).toContain('storage port contract: the contract needs at least two frames; make() gave 4096 bytes');
  });
});
