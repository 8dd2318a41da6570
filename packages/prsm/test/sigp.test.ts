import type { AbsoluteAddress } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { machineFrom, must } from './fixtures';

/**
 * CPU 0 restarts CPU 1 with SIGP (order X'06', restart) and then spins;
 * CPU 1 starts at the restart PSW, finds it is CPU 1 and stores a marker.
 */
const SMP = `
SMP      START X'2000'
         BALR  12,0
         USING *,12
         STAP  ME
         CLC   ME,=H'1'
         BE    SECOND
         LA    3,1
         SIGP  4,3,6
         ST    4,STATUS
LOOP     LA    1,1(1)
         B     LOOP
SECOND   MVC   MARK,=C'CPU1'
         LPSW  DONE
         DS    0D
DONE     DC    X'000A0000',X'00000001'
ME       DS    H
         DS    0F
STATUS   DC    F'-1'
MARK     DC    F'0'
         END   SMP
`;

describe("a partition's logical CPs form one configuration", () => {
  it('SIGP restart from logical CP 0 brings logical CP 1 onto a physical CP', () => {
    const m = machineFrom({
      iocp: ' RESOURCE PARTITION=((LP1,1),(LP2,2))\n',
      profiles: '[CPC]\nstorage = 1G\ncps = 2\nslice = 200us\n[LP1]\nstorage = 64M\ncps = 2\n[LP2]\nstorage = 64M\ncps = 2\n',
    });
    must(m.activate('LP1'));
    must(m.activate('LP2'));
    must(m.ipl('LP2', { source: SMP }));
    const [cp0, cp1] = m.logicalCps('LP2');
    expect(cp1!.state).toBe('stopped');
    m.run({ us: 500 });
    expect(cp0!.state === 'running' || cp0!.state === 'ready').toBe(true);
    expect(cp1!.cpu.getPsw()).toEqual([0x000a0000, 1]);
    expect(cp1!.dispatches).toBeGreaterThan(0);
    const view = m.partitionStorage('LP2')!;
    let found = false;
    for (let a = 0x2000; a < 0x2100; a += 4) if (view.read32(a as AbsoluteAddress) >>> 0 === 0xc3d7e4f1) found = true;
    expect(found).toBe(true);
    // LP1's CPUs are a different configuration: nothing started there.
    expect(m.logicalCps('LP1').every((l) => l.state === 'stopped' && l.cpu.instructions === 0)).toBe(true);
  });
});
