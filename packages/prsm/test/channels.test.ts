import { describe, expect, it } from 'vitest';
import { machineFrom, must } from './fixtures';

const DECK = `
         RESOURCE PARTITION=((LP1,1),(LP2,2),(LP3,3))
         CHPID PATH=(40),TYPE=FC,SHARED,PARTITION=((LP1),(LP2))
         CHPID PATH=(41),TYPE=FC,SHARED,PARTITION=((LP1,LP2))
         CHPID PATH=(42),TYPE=OSD,PARTITION=(LP3)
         CNTLUNIT CUNUMBR=0100,PATH=(40,41),UNIT=2105
         IODEVICE ADDRESS=(0190,2),CUNUMBR=(0100),UNIT=3390
         CNTLUNIT CUNUMBR=0200,PATH=(42),UNIT=OSA
         IODEVICE ADDRESS=(0E00,3),CUNUMBR=(0200),UNIT=OSA
`;
const PROFILES = `[CPC]\nstorage = 1G\ncps = 2\n[LP1]\nstorage = 64M\n[LP2]\nstorage = 64M\n[LP3]\nstorage = 64M\n`;

describe('channel paths', () => {
  it('gives each partition the paths and devices of its access and candidate lists', () => {
    const m = machineFrom({ iocp: DECK, profiles: PROFILES });
    for (const n of ['LP1', 'LP2', 'LP3']) must(m.activate(n));
    expect(m.partition('LP1')!.chpids).toEqual([0x40, 0x41]);
    // 40 is only a candidate for LP2: defined, but offline.
    expect(m.partition('LP2')!.chpids).toEqual([0x41]);
    expect(m.partition('LP3')!.chpids).toEqual([0x42]);
    // LP3 sees its OSA ports and not the DASD; LP1 and LP2 share the DASD through MIF.
    expect(m.channelSubsystem('LP3')!.subchannelForDevice(0x0190, 3)).toBeUndefined();
    expect(m.channelSubsystem('LP3')!.subchannelForDevice(0x0e02, 3)).toBeDefined();
    expect(m.channelSubsystem('LP1')!.subchannelForDevice(0x0190, 1)!.pmcw.pam).toBe(0xc0);
    expect(m.channelSubsystem('LP2')!.subchannelForDevice(0x0190, 2)!.pmcw.pam).toBe(0x40);
  });

  it('moves a path between partitions with DCM, only to a candidate', () => {
    const m = machineFrom({ iocp: DECK, profiles: PROFILES });
    for (const n of ['LP1', 'LP2', 'LP3']) must(m.activate(n));
    must(m.moveChannelPath(0x40, 'LP1', 'LP2'));
    expect(m.channelSubsystem('LP1')!.subchannelForDevice(0x0190, 1)!.pmcw.pam).toBe(0x40);
    expect(m.channelSubsystem('LP2')!.subchannelForDevice(0x0190, 2)!.pmcw.pam).toBe(0xc0);
    const r = m.moveChannelPath(0x41, 'LP1', 'LP3');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('NOT_CANDIDATE');
    must(m.moveChannelPath(0x40, 'LP2', 'LP1'));
    expect(m.partition('LP1')!.chpids).toEqual([0x40, 0x41]);
  });

  it('switches a partition to priority queuing with subchannel priorities', () => {
    const m = machineFrom({ iocp: DECK, profiles: PROFILES });
    must(m.activate('LP1'));
    must(m.setIoPriority('LP1', 1, 7));
    const css = m.channelSubsystem('LP1')!;
    expect(css.queuing).toBe('priority');
    expect(css.subchannel(1, 1)!.priority).toBe(7);
  });
});
