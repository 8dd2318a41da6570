// examples/hipersockets.ts: two partitions exchange a frame on HiperSockets LAN FC: the frame goes
// through a queue in the HSA, driven by the guests' ordinary channel programs on their IQD devices.
import { type AbsoluteAddress, assemble } from '@strachey/isa-core';
import { fromEbcdic } from '@strachey/io-channel';
import { createPrsm, formatPrsmError, parseIocp, parseProfiles, type PrsmResult } from '@strachey/prsm';

const must = <T>(r: PrsmResult<T>): T => {
  if (!r.ok) throw new Error(formatPrsmError(r.error));
  return r.value;
};
const deck = `
         RESOURCE PARTITION=((LP1,1),(LP2,2))
         CHPID PATH=(FC),TYPE=IQD,SHARED,OS=00
         CNTLUNIT CUNUMBR=FC00,PATH=(FC),UNIT=IQD
         IODEVICE ADDRESS=(2C00,2),CUNUMBR=FC00,UNIT=IQD
`;
const profiles = '[CPC]\nstorage = 1G\ncps = 2\n[LP1]\nstorage = 64M\n[LP2]\nstorage = 64M\n';
const prsm = must(
  createPrsm({ iocp: must(parseIocp(deck, 'lan.iocp')), profiles: must(parseProfiles(profiles, 'lan.p')) }),
);

// Both guests: enable subchannel 0 (device 2C00), start the channel program at CCW, poll TSCH for
// its status; the receiver's READ (X'02') ends in unit exception until a frame is queued for it.
const guest = (name: string, ccw: string, data: string, again: string): string => `
${name.padEnd(8)} START X'2000'
         BALR  12,0
         USING *,12
         L     1,=X'00010000'
         STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
AGAIN    SSCH  ORB
POLL     TSCH  IRB
         BNZ   POLL
${again}
         LPSW  DONE
         DS    0D
DONE     DC    X'000A0000',X'00000000'
ORB      DC    F'1',X'00808000',A(CCW)
         DS    0D
CCW      DC    ${ccw}
DATA     DC    ${data}
         DS    0F
SCHIB    DS    XL52
IRB      DS    XL96
         END   ${name}
`;
// WRITE X'01': [destination MIF image ID][payload]. READ X'02': [source MIF image ID][payload].
const sender = guest('SEND', "X'01',X'00',AL2(15),A(DATA)", "X'02',C'HELLO FROM LP1'", '');
const receiver = guest(
  'RECV',
  "X'02',X'20',AL2(64),A(DATA)",
  "XL64'00'",
  "         CLI   IRB+8,X'0C'\n         BNE   AGAIN",
);
for (const name of ['LP1', 'LP2']) must(prsm.activate(name));
must(prsm.ipl('LP2', { source: receiver }));
must(prsm.ipl('LP1', { source: sender }));
prsm.run({ ms: 1 });

const lan = prsm.lan(0xfc)!;
console.log(
  `LAN FC: ${lan.counters.frames} frame, ${lan.counters.bytes} bytes, ${lan.counters.dropped} dropped`,
);
const view = prsm.partitionStorage('LP2')!;
const data = assemble(receiver).symbols.find((s) => s.name === 'DATA')!.value;
const buffer = new Uint8Array(15);
view.readInto(data as AbsoluteAddress, buffer);
console.log(`LP2 read from MIF image ${buffer[0]}: ${fromEbcdic(buffer.subarray(1))}`);
console.log(`HSA starts at ${prsm.hsaBase >>> 20} MB, owner ${prsm.ownerOf(prsm.hsaBase)}`);
