/**
 * IPL from a minidisk: the same bootable volume IPLed on a bare machine
 * (io-channel's IPL function) and from a minidisk at a relocated cylinder
 * under CP gives the same storage and PSW; the directory's IPL statement
 * names the device.
 */
import type { AbsoluteAddress } from '@strachey/isa-core';
import { CkdVolume, Dasd3390, createChannelMachine, formatVolume, geometry3390, iplHandler } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import { createCp } from '../src/index';
import { assembleGuest, placeMinidisk } from './helpers';

/** IPL record: PSW to X'2000', CCW1 READ DATA (next record, the program) into X'2000', chain ends. */
function bootVolume(): CkdVolume {
  const v = new CkdVolume(geometry3390(5));
  formatVolume(v, 'BOOT01');
  const program = assembleGuest(`
P        START X'2000'
         BALR  12,0
         USING *,12
         LA    3,77
         ST    3,X'600'
         MVC   X'604'(4),X'B8'
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
         END   P`);
  const image = new Uint8Array(256);
  for (const c of program.chunks) image.set(c.bytes, c.address - 0x2000);
  const ipl1 = Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x20, 0x00, 0x06, 0x00, 0x20, 0x00, 0x20, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
  // Replace the formatted R1/R2 of track 0 with the IPL record and the program.
  const track = v.track(0, 0).filter((r) => r.r === 0 || r.r >= 3);
  v.setTrack(0, 0, [...track.slice(0, 1), { cc: 0, hh: 0, r: 1, key: new Uint8Array(0), data: ipl1 }, { cc: 0, hh: 0, r: 2, key: new Uint8Array(0), data: image }, ...track.slice(1)]);
  return v;
}

describe('IPL from a minidisk', () => {
  it('loads the IPL record and its chain at the relocated cylinder, as a bare IPL of the same volume does', () => {
    const { machine, channels } = createChannelMachine({ mainsize: 1 << 20 });
    channels.attach(0x0190, new Dasd3390(bootVolume()));
    expect(iplHandler(channels)(machine, 0x0190, 0)).toBeNull();
    expect(machine.run(1_000_000).reason).toBe('halted');
    const bare = new Uint8Array(0x3000);
    machine.storage.readInto(0 as AbsoluteAddress, bare);

    const real = new CkdVolume(geometry3390(1113));
    placeMinidisk(real, 500, bootVolume());
    const r = createCp({ directory: 'USER B B 1M 1M G\n IPL 190\n MDISK 190 3390 500 5 SYSRES RR\n', volumes: [{ volser: 'SYSRES', volume: real }] });
    if (!r.ok) throw new Error('directory');
    const l = r.cp.logon('B');
    if (!l.ok) throw new Error('logon');
    expect(r.cp.ipl('B')).toEqual({ ok: true });
    r.cp.run(100_000_000);
    expect(l.vm.storage.read32(0x600)).toBe(77);
    expect(l.vm.cpus[0]!.getPsw()).toEqual(machine.cpus[0]!.getPsw());
    const mine = new Uint8Array(0x3000);
    l.vm.storage.readBytes(0, mine);
    // The program and what it stored agree byte for byte (the IPL record's CCW area included).
    expect(Buffer.compare(mine.subarray(0x2000, 0x2100), bare.subarray(0x2000, 0x2100))).toBe(0);
    expect(Buffer.compare(mine.subarray(0x600, 0x608), bare.subarray(0x600, 0x608))).toBe(0);
    expect(l.vm.counters.io['real-start']).toBe(2);
  });

  it('IPL of a device that is not there, or not a DASD, is refused with CP’s message', () => {
    const r = createCp({ directory: 'USER B B 1M 1M G\n IPL CMS\n CONSOLE 009 3215\n', volumes: [] });
    if (!r.ok) throw new Error('directory');
    r.cp.logon('B');
    const noDev = r.cp.ipl('B');
    expect(noDev.ok).toBe(false);
    expect(r.cp.ipl('B', 0x9)).toMatchObject({ ok: false, error: { code: 'HCPIPL003E' } });
    expect(r.cp.ipl('B', 0x191)).toMatchObject({ ok: false, error: { code: 'HCPIPL040E' } });
  });
});
