/**
 * CP's real I/O queue: one request per real device at a time, the rest
 * queued in order — also when a completion callback starts the next program
 * on the same device at once (as an IPL's second channel program does).
 */
import { absoluteAddress, SimClock, SparseStorage } from '@strachey/isa-core';
import { CkdVolume, geometry3390, type Scsw } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import { RealIo } from '@strachey/hypervisor-cp';

/** A format-1 NOP CCW (SLI, count 1) at `address`. */
function nop(storage: SparseStorage, address: number): number {
  storage.writeFrom(absoluteAddress(address), Uint8Array.from([0x03, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]));
  return address;
}

describe('RealIo', () => {
  it('a completion that starts a new program on the same device does not let a queued one overwrite it', () => {
    const storage = new SparseStorage(1 << 20);
    const clock = new SimClock(500);
    const io = new RealIo(storage, clock);
    io.attachVolume(0x190, 'CPVOL1', new CkdVolume(geometry3390(10)));
    const done: [string, Scsw][] = [];
    io.start(0x190, 0, nop(storage, 0x1000), (s) => {
      done.push(['A', s]);
      io.start(0x190, 0, nop(storage, 0x1010), (s2) => done.push(['B', s2]));
    });
    io.start(0x190, 0, nop(storage, 0x1020), (s) => done.push(['C', s]));
    for (let i = 0; i < 20 && done.length < 3; i++) {
      clock.advanceTo(clock.now() + 1_000_000);
      io.poll();
    }
    expect(done.map(([n]) => n).sort()).toEqual(['A', 'B', 'C']);
    for (const [name, scsw] of done) {
      // Channel end + device end, no subchannel status: every program ran to its normal end.
      expect({ name, device: scsw.deviceStatus, subchannel: scsw.subchannelStatus }).toEqual({ name, device: 0x0c, subchannel: 0 });
    }
    expect(io.busy).toBe(false);
  });
});
