import { Access, SparseStorage, createTranslationStatus } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { TLB_MISS, TableWalker, Tlb, ia32Format } from '../src/index';
import { RadixBuilder } from './radix-builder';

describe('Tlb', () => {
  it('has sets × ways entries with a power-of-two set count', () => {
    const t = new Tlb({ entries: 100, ways: 4 });
    expect(t.sets).toBe(16);
    expect(t.entries).toBe(64);
  });

  it('replaces the least recently used entry of a set and counts the eviction', () => {
    const t = new Tlb({ entries: 2, ways: 2 }); // one set
    t.insert(1, 0, 0x1000, 0, false);
    t.insert(2, 0, 0x2000, 0, false);
    expect(t.lookup(1, 0)).toBe(0x1000); // 2 is now least recently used
    t.insert(3, 0, 0x3000, 0, false);
    expect(t.counters.evictions).toBe(1);
    expect(t.peek(2, 0)).toBe(TLB_MISS);
    expect(t.peek(1, 0)).toBe(0x1000);
    expect(t.counters).toMatchObject({ hits: 1, misses: 0 });
  });

  it('keeps pages of different spaces apart by tag', () => {
    const t = new Tlb();
    t.insert(7, 1, 0x1000, 0, false);
    expect(t.lookup(7, 2)).toBe(TLB_MISS);
    expect(t.lookup(7, 1)).toBe(0x1000);
    t.flushSpace(1);
    expect(t.lookup(7, 1)).toBe(TLB_MISS);
  });

  it('invalidates exactly the entries built from one table entry', () => {
    const t = new Tlb();
    t.insert(1, 0, 0x1000, 0x11004, false);
    t.insert(1, 5, 0x1000, 0x11004, false);
    t.insert(2, 0, 0x2000, 0x11008, true);
    expect(t.invalidateEntry(0x11004)).toBe(2);
    expect(t.occupancy).toBe(1);
    expect(t.lookup(2, 0)).toBe(0x2000);
    expect(t.lastProtected).toBe(true);
  });

  it('flushes on a space switch under the flush-on-switch policy only', () => {
    const t = new Tlb({ policy: 'flush-on-switch' });
    t.lookup(0, 1);
    t.insert(3, 1, 0x3000, 0, false);
    expect(t.lookup(3, 1)).toBe(0x3000);
    t.lookup(3, 2);
    expect(t.counters.flushes).toBe(1);
    expect(t.peek(3, 1)).toBe(TLB_MISS);
  });
});

describe('TableWalker INVLPG', () => {
  it('drops one page of the current space', () => {
    const storage = new SparseStorage(8 * 1024 * 1024);
    const f = ia32Format(() => b.root);
    const b: RadixBuilder = new RadixBuilder(storage, f, 4 * 1024 * 1024);
    b.map(0x1000, 0x200000);
    b.map(0x2000, 0x201000);
    const w = new TableWalker({ format: f, storage });
    const st = createTranslationStatus();
    w.translate(0x1000, Access.Read, st);
    w.translate(0x2000, Access.Read, st);
    b.map(0x1000, 0x300000);
    b.map(0x2000, 0x301000);
    w.invalidateAddress(0x1000);
    expect(w.translate(0x1000, Access.Read, st)).toBe(0x300000);
    expect(w.translate(0x2000, Access.Read, st)).toBe(0x201000);
  });
});
