import { describe, expect, it } from 'vitest';
import { absoluteAddress as abs, KEY_CHANGE, KEY_REF, SimClock, SparseStorage } from '@strachey/isa-core';

describe('SparseStorage', () => {
  it('reads untouched frames as zero without allocating', () => {
    const s = new SparseStorage(16 * 1024 * 1024);
    expect(s.read32(abs(0x123456))).toBe(0);
    expect(s.allocatedFrames).toBe(0);
    expect(s.getKey(abs(0x123456)) & KEY_REF).toBe(KEY_REF);
  });

  it('stores big-endian across a frame boundary and sets change bits on both frames', () => {
    const s = new SparseStorage(1 << 20);
    s.write32(abs(0xffe), 0x11223344);
    expect(s.read8(abs(0xffe))).toBe(0x11);
    expect(s.read8(abs(0x1001))).toBe(0x44);
    expect(s.read32(abs(0xffe)) >>> 0).toBe(0x11223344);
    expect(s.getKey(abs(0)) & KEY_CHANGE).toBe(KEY_CHANGE);
    expect(s.getKey(abs(0x1000)) & KEY_CHANGE).toBe(KEY_CHANGE);
    expect(s.allocatedFrames).toBe(2);
  });

  it('rejects sizes that are not whole frames', () => {
    expect(() => new SparseStorage(1000)).toThrow(RangeError);
  });
});

describe('SimClock', () => {
  it('fires events in time order, ties in scheduling order', () => {
    const c = new SimClock(100);
    const seen: string[] = [];
    c.schedule(50, () => seen.push('b'));
    c.schedule(10, () => seen.push('a'));
    c.schedule(50, () => seen.push('c'));
    const id = c.schedule(20, () => seen.push('cancelled'));
    c.cancel(id);
    c.advanceTo(40);
    expect(seen).toEqual(['a']);
    expect(c.now()).toBe(40);
    c.advanceTo(100);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(c.cyclesToNs(100)).toBe(1000);
  });
});
