import { fromEbcdic } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import { fourLpars, machineFrom, must } from './fixtures';

/**
 * The guest-side driver: enable the IQD device's subchannel (STSCH, set the
 * E bit, MSCH), then run one channel program per frame and poll TSCH for its
 * status. Subchannel 1 is device 2C00 (the deck attaches 0009 first).
 */
const DRIVER = `
ENABLE   STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
         BR    14
*        Start the channel program whose ORB GR2 points at, then poll
*        TSCH until the status is pending; R3 = device status.
DOIO     SSCH  0(2)
         BNZ   BAD
POLL     TSCH  IRB
         BNZ   POLL
         SR    3,3
         IC    3,IRB+8
         BR    14
BAD      LPSW  BADPSW
         DS    0D
DONEPSW  DC    X'000A0000',X'00000000'
BADPSW   DC    X'000A0000',X'00000BAD'
SCHIB    DS    XL52
IRB      DS    XL96
`;

const SENDER = `
SEND     START X'2000'
         BALR  12,0
         USING *,12
         L     1,=X'00010001'
         BAL   14,ENABLE
         LA    2,ORB
         BAL   14,DOIO
         CLI   IRB+8,X'0C'
         BNE   BAD
         LPSW  DONEPSW
         DS    0F
ORB      DC    F'1',X'00808000',A(CCW)
         DS    0D
CCW      DC    X'01',X'00',AL2(FRAMEL),A(FRAME)
FRAME    DC    X'02',C'HELLO FROM LP1'
FRAMEL   EQU   *-FRAME
${DRIVER}
         END   SEND
`;

const RECEIVER = `
RECV     START X'2000'
         BALR  12,0
         USING *,12
         L     1,=X'00010001'
         BAL   14,ENABLE
AGAIN    LA    2,ORB
         BAL   14,DOIO
         LA    4,1(4)
         CLI   IRB+8,X'0C'
         BNE   AGAIN
         LPSW  DONEPSW
         DS    0F
ORB      DC    F'2',X'00808000',A(CCW)
         DS    0D
CCW      DC    X'02',X'20',AL2(64),A(BUF)
BUF      DC    XL64'00'
${DRIVER}
         END   RECV
`;

describe('HiperSockets', () => {
  it('carries a frame from one partition to another through the HSA queue', () => {
    const m = machineFrom(fourLpars([10, 10, 10, 10], { cps: 2 }));
    for (const n of ['LP1', 'LP2']) must(m.activate(n));
    must(m.ipl('LP2', { source: RECEIVER }));
    m.run({ ms: 1 });
    // Nothing sent yet: the receiver keeps polling and finds the queue empty (unit exception).
    expect(m.logicalCps('LP2')[0]!.cpu.gpr[4]).toBeGreaterThan(0);
    must(m.ipl('LP1', { source: SENDER }));
    m.run({ ms: 2 });
    const sender = m.logicalCps('LP1')[0]!.cpu.getPsw();
    const receiver = m.logicalCps('LP2')[0]!.cpu.getPsw();
    expect(sender).toEqual([0x000a0000, 0]);
    expect(receiver).toEqual([0x000a0000, 0]);
    const lan = m.lan(0xfc)!;
    expect(lan.counters.frames).toBe(1);
    expect(lan.counters.bytes).toBe(14);
    // The receiver's buffer: source MIF image ID 1, then the payload.
    const view = m.partitionStorage('LP2')!;
    let found = -1;
    for (let a = 0x2000; a < 0x2400 && found < 0; a++) {
      if (view.read8(a as never) === 0x01 && view.read8((a + 1) as never) === 0xc8) found = a;
    }
    expect(found).toBeGreaterThan(0);
    const bytes = new Uint8Array(14);
    view.readInto((found + 1) as never, bytes);
    expect(fromEbcdic(bytes)).toBe('HELLO FROM LP1');
    // The frame passed through the HSA, never through another partition's storage.
    expect(m.ownerOf(m.hsaBase)).toBe('HSA');
  });

  it('drops a frame to a partition with no device on the LAN (unit exception to the sender)', () => {
    const m = machineFrom(fourLpars([10, 10, 10, 10], { cps: 2 }));
    must(m.activate('LP1'));
    must(m.ipl('LP1', { source: SENDER }));
    m.run({ ms: 1 });
    // LP2 is not active: the sender sees unit exception and ends in its X'BAD' wait.
    expect(m.logicalCps('LP1')[0]!.cpu.getPsw()[1]).toBe(0xbad);
    expect(m.lan(0xfc)!.counters.dropped).toBe(1);
  });
});
