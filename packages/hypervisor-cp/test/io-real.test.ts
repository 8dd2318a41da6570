/**
 * CP's real I/O requests when a guest gives up its I/O: CLEAR of a running
 * program stops it with a real CSCH (no completion is reported, no data
 * transferred after it, the device's queue goes on), CLEAR or HALT of a
 * queued one just drops it, HALT of a running one ends it with the halt
 * function; and the volser → real device lookup LINK uses.
 */
import { absoluteAddress, SimClock, SparseStorage } from '@strachey/isa-core';
import { CkdVolume, FC_HALT, formatVolume, geometry3390, type Scsw } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import { RealIo } from '@strachey/hypervisor-cp';

/**
 * At `at`: a format-1 program that reads record 3 of cylinder 0 (the volume
 * label) `reads` times into `into`, `into` + 80, … — each a SEEK, SEARCH ID,
 * TIC, READ DATA, so the device disconnects between reads.
 */
function labelReads(storage: SparseStorage, at: number, reads: number, into: number): number {
  const arg = at + 32 * reads + 8;
  storage.writeFrom(absoluteAddress(arg), Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]));
  for (let i = 0; i < reads; i++) {
    const g = at + 32 * i;
    const ccws = [
      [0x07, 0x40, 6, arg],
      [0x31, 0x40, 5, arg + 6],
      [0x08, 0x00, 0, g + 8],
      [0x06, i + 1 < reads ? 0x60 : 0x20, 80, into + 80 * i],
    ];
    ccws.forEach(([cmd, flags, count, address], k) => {
      const b = new Uint8Array(8);
      const v = new DataView(b.buffer);
      b[0] = cmd!;
      b[1] = flags!;
      v.setUint16(2, count!);
      v.setUint32(4, address!);
      storage.writeFrom(absoluteAddress(g + 8 * k), b);
    });
  }
  return at;
}

function rig(): { storage: SparseStorage; clock: SimClock; io: RealIo } {
  const storage = new SparseStorage(1 << 20);
  const clock = new SimClock(500);
  const io = new RealIo(storage, clock);
  const volume = new CkdVolume(geometry3390(10));
  formatVolume(volume, 'CPVOL1');
  io.attachVolume(0x190, 'CPVOL1', volume);
  return { storage, clock, io };
}

function drive(clock: SimClock, io: RealIo, until: () => boolean): void {
  for (let i = 0; i < 2000 && !until(); i++) {
    clock.advanceTo(clock.now() + 100_000);
    io.poll();
  }
}

const word = (storage: SparseStorage, a: number): number => storage.read32(absoluteAddress(a)) >>> 0;

describe('RealIo: clear, halt, volser lookup', () => {
  it('clear of a running program: no completion, no data after it, the next queued program runs', () => {
    const { storage, clock, io } = rig();
    const done: string[] = [];
    io.start(0x190, 0, labelReads(storage, 0x1000, 20, 0x10000), () => done.push('A'));
    io.start(0x190, 0, labelReads(storage, 0x4000, 1, 0x20000), () => done.push('B'));
    // Let A's first read land, then clear it.
    drive(clock, io, () => word(storage, 0x10000) !== 0);
    expect(word(storage, 0x10000)).not.toBe(0);
    io.clear(0x190, 0x1000);
    drive(clock, io, () => done.length > 0 && !io.busy);
    expect(done).toEqual(['B']);
    expect(io.busy).toBe(false);
    // A transferred nothing after the clear; B read the label.
    expect(word(storage, 0x10000 + 80 * 19)).toBe(0);
    expect(word(storage, 0x20000)).toBe(0xe5d6d3f1);
  });

  it('clear or halt of a queued program drops it; halt of the running one ends it with the halt function', () => {
    const { storage, clock, io } = rig();
    const done: [string, Scsw][] = [];
    io.start(0x190, 0, labelReads(storage, 0x1000, 20, 0x10000), (s) => done.push(['A', s]));
    io.start(0x190, 0, labelReads(storage, 0x4000, 1, 0x20000), (s) => done.push(['B', s]));
    io.start(0x190, 0, labelReads(storage, 0x5000, 1, 0x30000), (s) => done.push(['C', s]));
    expect(io.halt(0x190, 0x4000)).toBe(false);
    io.clear(0x190, 0x5000);
    drive(clock, io, () => word(storage, 0x10000) !== 0);
    expect(io.halt(0x190, 0x1000)).toBe(true);
    drive(clock, io, () => !io.busy);
    expect(done.map(([n]) => n)).toEqual(['A']);
    const [, a] = done[0]!;
    expect(a.flag2 & FC_HALT).toBe(FC_HALT);
    expect(word(storage, 0x10000 + 80 * 19)).toBe(0);
    expect(word(storage, 0x20000)).toBe(0);
    expect(word(storage, 0x30000)).toBe(0);
  });

  it('deviceOfVolser finds a mounted volume by its volser, in any case; undefined when not mounted', () => {
    const { io } = rig();
    expect(io.deviceOfVolser('CPVOL1')).toBe(0x190);
    expect(io.deviceOfVolser('cpvol1')).toBe(0x190);
    expect(io.deviceOfVolser('NOSUCH')).toBeUndefined();
    expect(io.volumes()).toEqual([{ volser: 'CPVOL1', devnum: 0x190 }]);
  });
});
