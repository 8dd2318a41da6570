// examples/ird.ts: the Intelligent Resource Director's run-time changes: storage blocks added and
// removed (block-table mode), a zone resized, weights and capping, a channel path moved (DCM),
// channel-subsystem priority queuing.
import { createPrsm, formatPrsmError, parseIocp, parseProfiles, type PrsmResult } from '@strachey/prsm';

const must = <T>(r: PrsmResult<T>): T => {
  if (!r.ok) throw new Error(formatPrsmError(r.error));
  return r.value;
};
const deck = `
         RESOURCE PARTITION=((LP1,1),(LP2,2),(LP3,3))
         CHPID PATH=(40),TYPE=FC,SHARED,PARTITION=((LP1),(LP2))
         CHPID PATH=(41),TYPE=FC,SHARED,PARTITION=((LP1,LP2))
         CNTLUNIT CUNUMBR=0100,PATH=(40,41),UNIT=2105
         IODEVICE ADDRESS=(0190,2),CUNUMBR=(0100),UNIT=3390
`;
const profiles = `
[CPC]
storage = 1G
cps     = 2
[LP1]
storage  = 128M
reserved = 128M
mode     = blocks
weight   = 30
[LP2]
storage  = 96M
mode     = zone
weight   = 10
[LP3]
storage  = 64M
mode     = zone
weight   = 10
`;
const prsm = must(
  createPrsm({
    iocp: must(parseIocp(deck, 'ird.iocp')),
    profiles: must(parseProfiles(profiles, 'ird.profiles')),
  }),
);
const loop = "L START X'2000'\n BALR 12,0\n USING *,12\nA LA 1,1(1)\n B A\n END L\n";
for (const name of prsm.partitionNames) {
  must(prsm.activate(name));
  must(prsm.ipl(name, { source: loop }));
}
prsm.run({ ms: 1 }); // everything below happens while the partitions run
const mb = (n: number): string => `${n >>> 20} MB`;
const blocks = (name: string): string => {
  const lay = prsm.partition(name)!.layout!;
  return lay.mode === 'blocks' ? lay.blocks.map(mb).join(', ') : `zone at ${mb(lay.origin)}`;
};

// Storage: 64 MB blocks anywhere in the machine; the OS keeps seeing contiguous storage from 0.
console.log(`LP1 blocks at ${blocks('LP1')}`);
must(prsm.addStorageBlock('LP1'));
must(prsm.addStorageBlock('LP1'));
console.log(`LP1 + 2 blocks: ${mb(prsm.partition('LP1')!.storage)}, blocks at ${blocks('LP1')}`);
const over = prsm.addStorageBlock('LP1');
console.log(over.ok ? 'LP1 grew again' : formatPrsmError(over.error));
must(prsm.removeStorageBlock('LP1')); // the top block: cleared and freed
// A zone only grows into free storage directly above it.
console.log(`LP2 ${blocks('LP2')}, LP3 ${blocks('LP3')}`);
const grow = prsm.resizeZone('LP2', 128 << 20);
console.log(grow.ok ? 'LP2 grew' : formatPrsmError(grow.error));
must(prsm.resizeZone('LP3', 32 << 20));
console.log(`LP3 shrunk to ${mb(prsm.partition('LP3')!.storage)}; ${mb(prsm.freeStorage)} free`);

// CPU: weights and capping while the partitions run (WLM would drive these in z/OS).
must(prsm.setWeight('LP2', 20));
must(prsm.setCapped('LP3', true));
console.log(
  `weights ${prsm.partitionNames.map((n) => `${n}=${prsm.partition(n)!.weight}`).join(' ')}, LP3 capped`,
);

// DCM: CHPID 40 goes from LP1 (its access list) to LP2 (its candidate list).
console.log(
  `CHPIDs before: LP1 ${prsm.partition('LP1')!.chpids.map((c) => c.toString(16))}, LP2 ${prsm.partition('LP2')!.chpids.map((c) => c.toString(16))}`,
);
must(prsm.moveChannelPath(0x40, 'LP1', 'LP2'));
console.log(
  `CHPIDs after:  LP1 ${prsm.partition('LP1')!.chpids.map((c) => c.toString(16))}, LP2 ${prsm.partition('LP2')!.chpids.map((c) => c.toString(16))}`,
);
const refused = prsm.moveChannelPath(0x41, 'LP1', 'LP3');
console.log(refused.ok ? 'moved' : formatPrsmError(refused.error));

// Priority queuing: LP1's subchannel for 0190 goes ahead of other partitions' waiting starts.
const css = prsm.channelSubsystem('LP1')!;
const sch = css.subchannelForDevice(0x0190, prsm.partition('LP1')!.mifId)!.number;
must(prsm.setIoPriority('LP1', sch, 9));
console.log(`queuing ${css.queuing}, LP1 subchannel ${sch} priority 9`);
prsm.run({ ms: 1 });
console.log(
  `still running: ${prsm.partitionNames.map((n) => `${n} ${prsm.partition(n)!.logicalCps[0]!.state}`).join(', ')}`,
);
