import type { AbsoluteAddress } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { machineFrom, must } from './fixtures';

const DECK = `
         RESOURCE PARTITION=((LP1,1),(LP2,2),(LP3,3))
`;

/**
 * Store a counter at LPAR real address X'04000100' (just past the first
 * 64 MB) in a loop; each addressing exception bumps GR6 and resumes after
 * the store (the program new PSW points at PGM, which loads the old PSW).
 */
const GROW = `
GROW     START X'2000'
         BALR  12,0
         USING *,12
         MVC   X'68'(8),PGMNEW
         L     5,=X'04000100'
LOOP     LA    1,1(1)
         ST    1,0(5)
         B     LOOP
PGM      LA    6,1(6)
         LPSW  X'28'
         DS    0D
PGMNEW   DC    X'00080000',A(X'80000000'+PGM)
         END   GROW
`;

function machine(profiles: string) {
  return machineFrom({ iocp: DECK, profiles: `[CPC]\nstorage = 1G\ncps = 2\nhsa = 64M\nslice = 200us\n${profiles}` });
}

describe('partition storage', () => {
  it('relocates a zone by its origin and bounds it by its limit', () => {
    const m = machine('[LP1]\nstorage = 64M\nmode = zone\norigin = 0x10000000\n');
    must(m.activate('LP1'));
    must(m.ipl('LP1', { source: GROW }));
    m.run({ us: 200 });
    const cpu = m.logicalCps('LP1')[0]!.cpu;
    // X'04000100' is beyond the 64 MB zone: addressing exceptions, nothing stored anywhere.
    expect(cpu.gpr[6]).toBeGreaterThan(10);
    expect(m.storage.read32((0x10000000 + 0x2000) as AbsoluteAddress)).not.toBe(0); // the program, at zone origin + X'2000'
    expect(m.storage.read32((0x10000000 + 0x04000100) as AbsoluteAddress)).toBe(0);
  });

  it('grows a running block-mode partition by a non-adjacent 64 MB block (IRD)', () => {
    const m = machine(
      '[LP1]\nstorage = 64M\nreserved = 64M\nmode = blocks\n[LP2]\nstorage = 64M\nmode = blocks\n[LP3]\nstorage = 128M\nmode = zone\norigin = 0x20000000\n',
    );
    must(m.activate('LP1'));
    must(m.activate('LP2'));
    must(m.activate('LP3'));
    must(m.ipl('LP1', { source: GROW }));
    m.run({ us: 200 });
    const cpu = m.logicalCps('LP1')[0]!.cpu;
    const faults = cpu.gpr[6]!;
    expect(faults).toBeGreaterThan(0);
    const lay = must(m.addStorageBlock('LP1'));
    expect(lay.mode).toBe('blocks');
    if (lay.mode !== 'blocks') return;
    const [first, added] = lay.blocks as [number, number];
    // LP2's block sits between them: the new block is not adjacent to the first.
    expect(added - first).toBeGreaterThan(64 << 20);
    expect(m.ownerOf(first + (64 << 20))).toBe('LP2');
    m.run({ us: 200 });
    // The OS sees one contiguous storage: its store to X'04000100' lands in the new block.
    // (At most one more fault: an interruption taken just before the change may still be counted.)
    expect(cpu.gpr[6]).toBeLessThanOrEqual(faults + 1);
    const after = cpu.gpr[6]!;
    m.run({ us: 100 });
    expect(cpu.gpr[6]).toBe(after);
    const stored = m.storage.read32((added + 0x100) as AbsoluteAddress);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThanOrEqual(cpu.gpr[1]!);
    // Shrinking takes the block away again (and clears it): the stores fault once more.
    must(m.removeStorageBlock('LP1'));
    expect(m.storage.read32((added + 0x100) as AbsoluteAddress)).toBe(0);
    m.run({ us: 200 });
    expect(cpu.gpr[6]).toBeGreaterThan(faults);
    expect(m.storage.read32((added + 0x100) as AbsoluteAddress)).toBe(0);
    expect(m.ownerOf(added)).toBeNull();
  });

  it('lets a zone grow only into adjacent free storage', () => {
    const m = machine(
      '[LP1]\nstorage = 64M\nmode = zone\norigin = 0\n[LP2]\nstorage = 64M\nmode = zone\norigin = 0x4000000\n[LP3]\nstorage = 64M\nmode = zone\norigin = 0x10000000\n',
    );
    for (const n of ['LP1', 'LP2', 'LP3']) must(m.activate(n));
    must(m.ipl('LP1', { source: GROW }));
    m.run({ us: 100 });
    // LP1's neighbour LP2 owns the storage above it.
    const refused = m.resizeZone('LP1', 128 << 20);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('NO_STORAGE');
      expect(refused.error.found).toBe('LP2');
    }
    // Free storage far away (below LP3) cannot help a zone either; a block table could use it.
    expect(m.freeStorage).toBeGreaterThan(128 << 20);
    expect(m.addStorageBlock('LP1').ok).toBe(false);
    // Once the neighbour is gone, the zone grows into its space while the partition runs.
    must(m.deactivate('LP2'));
    must(m.resizeZone('LP1', 128 << 20));
    const cpu = m.logicalCps('LP1')[0]!.cpu;
    const faults = cpu.gpr[6]!;
    m.run({ us: 100 });
    expect(cpu.gpr[6]).toBeLessThanOrEqual(faults + 1);
    expect(m.storage.read32(0x04000100 as AbsoluteAddress)).toBeGreaterThan(0);
  });

  it('places zones top-down first fit and refuses overlapping origins', () => {
    const m = machine('[LP1]\nstorage = 64M\nmode = zone\n[LP2]\nstorage = 64M\nmode = zone\norigin = 0x38000000\n');
    const a = must(m.activate('LP1'));
    // 1 GB minus a 64 MB HSA: the top zone ends where the HSA begins.
    expect(a.layout).toEqual({ mode: 'zone', origin: m.hsaBase - (64 << 20), size: 64 << 20 });
    const b = m.activate('LP2');
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.error.code).toBe('NO_STORAGE');
  });
});

/** Guest DAT inside a partition: virtual X'5000' mapped to real X'7000' by tables at real X'9000'/X'A000'. */
const DAT = `
DATT     START X'2000'
         BALR  12,0
         USING *,12
         LCTL  0,0,=X'00B00000'
         L     2,=A(X'9000')
         L     3,=A(X'A000')
         ST    3,0(2)
         L     4,=A(X'A000')
         LA    5,0
         LA    6,16
         L     7,=F'4096'
PT       ST    5,0(4)
         LA    4,4(4)
         AR    5,7
         BCT   6,PT
         L     4,=A(X'A000')
         L     3,=A(X'7000')
         ST    3,20(4)
         LCTL  1,1,=X'00009000'
         STOSM SAVE,X'04'
         L     8,=A(X'5000')
         MVC   0(4,8),=C'SHAD'
         LPSW  DONE
         DS    0D
DONE     DC    X'000A0000',X'00000000'
SAVE     DS    F
         END   DATT
`;

describe('guest DAT inside a partition', () => {
  for (const mode of ['zone', 'blocks'] as const) {
    it(`translates through the guest's tables, then through the ${mode} relocation`, () => {
      const m = machine(`[LP1]\nstorage = 64M\nmode = ${mode}\n[LP2]\nstorage = 64M\nmode = ${mode}\n`);
      must(m.activate('LP1'));
      must(m.activate('LP2'));
      must(m.ipl('LP2', { source: DAT }));
      m.run({ us: 100 });
      expect(m.logicalCps('LP2')[0]!.cpu.getPsw()).toEqual([0x000a0000, 0]);
      const lay = m.partition('LP2')!.layout!;
      const origin = lay.mode === 'zone' ? lay.origin : lay.blocks[0]!;
      // EBCDIC 'SHAD' at real X'7000' of LP2, nothing at real X'5000'.
      expect(m.storage.read32((origin + 0x7000) as AbsoluteAddress) >>> 0).toBe(0xe2c8c1c4);
      expect(m.storage.read32((origin + 0x5000) as AbsoluteAddress)).toBe(0);
      expect(m.partitionStorage('LP1')!.read32(0x7000 as AbsoluteAddress)).toBe(0);
    });
  }
});
