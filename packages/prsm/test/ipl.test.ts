import type { AbsoluteAddress } from '@strachey/isa-core';
import type { CardReader2540 } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import { machineFrom, must } from './fixtures';

const DECK = `
         RESOURCE PARTITION=((LP1,1),(LP2,2))
         CHPID PATH=(0C),TYPE=CNC,PARTITION=(LP2)
         CNTLUNIT CUNUMBR=000C,PATH=(0C),UNIT=2540
         IODEVICE ADDRESS=(000C,1),CUNUMBR=(000C),UNIT=2540
`;

describe('IPL from a device', () => {
  it("loads the card deck into the partition's own storage and starts the PSW it read", () => {
    const m = machineFrom({ iocp: DECK, profiles: '[CPC]\nstorage = 1G\ncps = 1\n[LP1]\nstorage = 64M\n[LP2]\nstorage = 64M\norigin = 0x20000000\n' });
    must(m.activate('LP1'));
    must(m.activate('LP2'));
    // Card 1: PSW (start at X'2000'), CCW1 reads card 2 to X'2000', CCW2 NOP. Card 2: LA 2,42; BALR 12,0; LPSW X'0A'(12); wait PSW X'AAA'.
    const card1 = Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x20, 0x00, 0x02, 0x00, 0x20, 0x00, 0x60, 0x00, 0x00, 0x50, 0x03, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x01]);
    const card2 = new Uint8Array(80);
    card2.set([0x41, 0x20, 0x00, 0x2a, 0x05, 0xc0, 0x82, 0x00, 0xc0, 0x0a], 0);
    card2.set([0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xaa], 0x10);
    (m.device('LP2', 0x000c) as CardReader2540).load([card1, card2]);
    expect(m.device('LP1', 0x000c)).toBeUndefined();
    const r = must(m.iplDevice('LP2', 0x000c));
    expect(r.psw).toEqual([0x00080000, 0x80002000]);
    m.run({ us: 100 });
    const cpu = m.logicalCps('LP2')[0]!.cpu;
    expect(cpu.gpr[2]).toBe(42);
    expect(cpu.getPsw()).toEqual([0x000a0000, 0x00000aaa]);
    // The program landed at LP2's real X'2000', i.e. zone origin + X'2000'; LP1 saw nothing.
    expect(m.storage.read32((0x20000000 + 0x2000) as AbsoluteAddress) >>> 0).toBe(0x4120002a);
    expect(m.partitionStorage('LP1')!.read32(0x2000 as AbsoluteAddress)).toBe(0);
    expect(m.iplDevice('LP1', 0x000c).ok).toBe(false);
  });
});
