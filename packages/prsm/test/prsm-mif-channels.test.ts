/**
 * One channel subsystem for the whole machine, every partition one MIF image
 * of it (image number = MIF image ID): partitions' guests contend for a
 * SHARED CHPID of the IOCP deck, Channel Subsystem Priority Queuing orders
 * their starts against each other, and a device reached by several
 * partitions is one device with a subchannel image per partition.
 */
import type { AbsoluteAddress } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import type { Prsm } from '../src/index';
import { machineFrom, must } from './fixtures';

/**
 * The guest: enable subchannel 0, then start the channel program at X'10000'
 * over and over, polling TSCH for its end; every normal end (CE+DE) counts
 * one in the word at real X'500'.
 */
const LOOPER = `
LOOPER   START X'2000'
         BALR  12,0
         USING *,12
         L     1,=X'00010000'
         STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
         SR    4,4
AGAIN    SSCH  ORB
         BNZ   BAD
POLL     TSCH  IRB
         BNZ   POLL
         CLI   IRB+8,X'0C'
         BNE   BAD
         LA    4,1(4)
         ST    4,1280(0,0)
         B     AGAIN
BAD      LPSW  BADPSW
         DS    0D
BADPSW   DC    X'000A0000',X'00000BAD'
         DS    0F
ORB      DC    F'1',X'00808000',A(X'10000')
SCHIB    DS    XL52
IRB      DS    XL96
         END   LOOPER
`;

/** 200 command-chained NOPs (format 1, SLI): about 100 µs on the channel path, no data. */
function nopChain(): Uint8Array {
  const n = 200;
  const b = new Uint8Array(n * 8);
  for (let i = 0; i < n; i++) {
    b[i * 8] = 0x03;
    b[i * 8 + 1] = i === n - 1 ? 0x20 : 0x60; // SLI (a NOP transfers nothing), command chaining
    b[i * 8 + 3] = 1;
  }
  return b;
}

/** Printers on one CHPID 20 (SHARED by the partitions) or each partition's printer on its own unshared CHPID. */
function deck(names: readonly string[], shared: boolean): { iocp: string; profiles: string } {
  const part = names.map((n, i) => `(${n},${i + 1})`).join(',');
  let iocp = `         RESOURCE PARTITION=((CSS(0),${part}))\n`;
  if (shared) iocp += `         CHPID PATH=(CSS(0),20),TYPE=CNC,SHARED,\n               PARTITION=((${names.join(',')}))\n`;
  names.forEach((n, i) => {
    const chpid = shared ? 0x20 : 0x20 + i;
    if (!shared) iocp += `         CHPID PATH=(CSS(0),${chpid.toString(16)}),TYPE=CNC,PARTITION=(${n})\n`;
    iocp += `         CNTLUNIT CUNUMBR=0${i + 1}00,PATH=((CSS(0),${chpid.toString(16)})),UNIT=2821\n`;
    iocp += `         IODEVICE ADDRESS=(00E${i},1),CUNUMBR=(0${i + 1}00),UNIT=1403,\n               PARTITION=(${n})\n`;
  });
  let profiles = `[CPC]\nstorage = 1G\ncps = ${names.length + 1}\nhsa = 64M\nslice = 1ms\n`;
  for (const n of names) profiles += `\n[${n}]\nstorage = 64M\ncps = 1\nweight = 10\n`;
  return { iocp, profiles };
}

function loopers(names: readonly string[], shared: boolean, setup: (m: Prsm) => void = () => {}): { m: Prsm; done: Record<string, number> } {
  const m = machineFrom(deck(names, shared));
  for (const n of names) must(m.activate(n));
  setup(m);
  for (const n of names) {
    must(m.ipl(n, { source: LOOPER }));
    m.partitionStorage(n)!.writeFrom(0x10000 as AbsoluteAddress, nopChain());
  }
  m.run({ ms: 4 });
  const done: Record<string, number> = {};
  for (const n of names) done[n] = m.partitionStorage(n)!.read32(0x500 as AbsoluteAddress);
  return { m, done };
}

describe('one channel subsystem for all partitions (MIF)', () => {
  it('two partitions on one SHARED CHPID contend: each completes about half the channel programs it completes on its own path', () => {
    const alone = loopers(['LP1', 'LP2'], false);
    const shared = loopers(['LP1', 'LP2'], true);
    const css = shared.m.channelSubsystem('LP1')!;
    expect(shared.m.channelSubsystem('LP2')).toBe(css);
    // Unshared: no contention, each partition's programs run back to back.
    expect(alone.m.channelSubsystem('LP1')!.channelPath(0x20)!.contentions).toBe(0);
    expect(alone.done.LP1).toBeGreaterThan(20);
    // Shared: the path is busy with the other partition's program; both wait.
    expect(css.channelPath(0x20)!.contentions).toBeGreaterThan(10);
    expect(css.channelPath(0x20)!.images).toEqual(new Set([1, 2]));
    for (const n of ['LP1', 'LP2']) {
      expect(shared.done[n]).toBeGreaterThan(0);
      expect(shared.done[n]! / alone.done[n]!).toBeLessThan(0.65);
      expect(shared.done[n]! / alone.done[n]!).toBeGreaterThan(0.35);
    }
    // The path's capacity is what both shared: together they do about what one did alone.
    const total = shared.done.LP1! + shared.done.LP2!;
    expect(Math.abs(total - alone.done.LP1!)).toBeLessThanOrEqual(2);
  });

  it('priority queuing orders starts across partitions: the high-priority partition gets the shared path first', () => {
    const names = ['LP1', 'LP2', 'LP3'];
    const fifo = loopers(names, true);
    const prio = loopers(names, true, (m) => {
      must(m.setIoPriority('LP1', 0, 1));
      must(m.setIoPriority('LP2', 0, 1));
      must(m.setIoPriority('LP3', 0, 9));
    });
    expect(prio.m.channelSubsystem('LP1')!.queuing).toBe('priority');
    // FIFO: a fair round robin between the three partitions.
    expect(Math.abs(fifo.done.LP3! - fifo.done.LP1!)).toBeLessThanOrEqual(1);
    // Priority: LP3's start is served whenever it waits, the other two share what is left.
    expect(prio.done.LP3!).toBeGreaterThan(prio.done.LP1! * 1.5);
    expect(prio.done.LP3!).toBeGreaterThan(prio.done.LP2! * 1.5);
  });

  it('a DASD reached by two partitions is one device with a subchannel image in each; DCM moves a path between their images', () => {
    const iocp = `
         RESOURCE PARTITION=((LP1,1),(LP2,2))
         CHPID PATH=(40),TYPE=FC,SHARED,PARTITION=((LP1),(LP2))
         CHPID PATH=(41),TYPE=FC,SHARED,PARTITION=((LP1,LP2))
         CNTLUNIT CUNUMBR=0100,PATH=(40,41),UNIT=2105
         IODEVICE ADDRESS=(0190,2),CUNUMBR=(0100),UNIT=3390
`;
    const m = machineFrom({ iocp, profiles: `[CPC]\nstorage = 1G\ncps = 2\n[LP1]\nstorage = 64M\n[LP2]\nstorage = 64M\n` });
    must(m.activate('LP1'));
    must(m.activate('LP2'));
    expect(m.device('LP1', 0x0191)).toBe(m.device('LP2', 0x0191));
    const css = m.channelSubsystem('LP1')!;
    const a = css.subchannelForDevice(0x0191, 1)!;
    const b = css.subchannelForDevice(0x0191, 2)!;
    expect(a).not.toBe(b);
    expect([a.pmcw.pam, b.pmcw.pam]).toEqual([0xc0, 0x40]);
    must(m.moveChannelPath(0x40, 'LP1', 'LP2'));
    expect([a.pmcw.pam, b.pmcw.pam]).toEqual([0x40, 0xc0]);
    expect(css.channelPath(0x40)!.images).toEqual(new Set([2]));
  });
});
