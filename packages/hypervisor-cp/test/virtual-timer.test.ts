/**
 * A guest's CPU timer (POP "CPU Timer") fires as often under CP as bare:
 * its ticks come from the virtual timer CP keeps (trap-and-emulate) or the
 * one SIE interprets, and must not lag the guest's own instructions. The
 * guest below counts CPU-timer interruptions while it runs a fixed amount of
 * work (a loop of N iterations); bare metal and under CP in both styles it
 * must see the same number of ticks, give or take one (CP's own time for an
 * interception runs the guest's timer on, as it does on a real CP).
 */
import { type AbsoluteAddress, createEsa390Machine } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { createCp, type ExecutionStyle } from '../src/index';
import { assembleGuest } from './helpers';

/**
 * Ticks of a 10-microsecond CPU timer during `n` loop iterations; the count is
 * stored at X'800', then a disabled wait. The loop's instructions take
 * several cycles each (MR, CVD), as real work does.
 */
const guest = (n: number) => `
G        START X'1000'
         BALR  12,0
         USING *,12
         ST    12,X'804'
         MVC   X'58'(8),EXTNEW
         LCTL  0,0,CR0
         SR    7,7
         SPT   TICK
         L     3,=F'${n}'
         STOSM MASK,X'01'
LOOP     AHI   6,1
         MR    4,6
         CVD   6,DW
         BCT   3,LOOP
         STNSM MASK,X'FE'
         ST    7,X'800'
         LPSW  DONE
EXT      L     12,X'804'
         AHI   7,1
         SPT   TICK
         LPSW  X'18'
         DS    0D
EXTNEW   DC    X'00080000',A(X'80000000'+EXT)
DONE     DC    X'000A0000',X'00000000'
TICK     DC    X'00000000',X'0000A000'
DW       DS    D
CR0      DC    X'00000400'
MASK     DC    X'00'
         END   G`;

function bareTicks(n: number): number {
  const g = assembleGuest(guest(n));
  const m = createEsa390Machine({ mainsize: 1 << 20 });
  for (const c of g.chunks) m.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
  m.storage.writeFrom(
    0 as AbsoluteAddress,
    Uint8Array.from([0, 8, 0, 0, 0x80, 0, g.entry >>> 8, g.entry & 0xff]),
  );
  m.restart(0);
  m.run(50_000_000);
  const cpu = m.cpus[0]!;
  expect(cpu.getPsw()).toEqual([0x000a0000, 0]);
  return cpu.readReal32(0x800);
}

function cpTicks(n: number, style: ExecutionStyle): number {
  const r = createCp({ directory: 'USER T T 1M 1M G\n', volumes: [], realStorage: 16 << 20 });
  if (!r.ok) throw new Error('directory');
  const l = r.cp.logon('T', undefined, { style });
  if (!l.ok) throw new Error(l.error.message);
  const g = assembleGuest(guest(n));
  for (const c of g.chunks) l.vm.load(c.address, c.bytes);
  l.vm.start(0x00080000, (0x80000000 | g.entry) >>> 0);
  r.cp.run(2_000_000_000);
  expect(l.vm.cpus[0]!.getPsw()).toEqual([0x000a0000, 0]);
  return l.vm.storage.read32(0x800);
}

describe('a guest CPU timer under CP', () => {
  for (const style of ['trap-and-emulate', 'sie'] as const) {
    it(`ticks as often in ${style} as bare (within one tick) for the same work`, () => {
      for (const n of [3000, 20_000]) {
        const bare = bareTicks(n);
        expect(bare).toBeGreaterThan(n / 1000);
        expect(Math.abs(cpTicks(n, style) - bare)).toBeLessThanOrEqual(1);
      }
    });
  }
});
