/**
 * CP's dispatcher wakes a waiting virtual CPU when its clock comparator
 * falls due while other users keep the real CPU busy: it keeps the earliest
 * timer of the waiting CPUs as they change state (no scan of every waiting
 * CPU per dispatch), so a waiter whose comparator moves later, or a second
 * waiter with an earlier one, must still be woken on time. Each waiter sets
 * its comparator 40-90 microseconds ahead, waits enabled, and records the
 * TOD clock when its interruption comes, three times; a CPU-bound user runs
 * beside them. The lateness is bounded by one dispatch slice (CP checks due
 * timers between dispatches; the round-robin slice is 50,000 cycles, 100
 * microseconds at 500 MHz).
 */
import { describe, expect, it } from 'vitest';
import { createCp, type ExecutionStyle } from '../src/index';
import { assembleGuest } from './helpers';

/** Three clock-comparator waits of `delta` TOD low-word units each; the comparator and the wake-up TOD pairs at X'800' + 16 i. */
const waiter = (delta: number) => `
G        START X'1000'
         BALR  12,0
         USING *,12
         ST    12,X'7F0'
         MVC   X'58'(8),EXTNEW
         LCTL  0,0,CR0
         LA    9,3
         LA    8,X'800'
AGAIN    STCK  NOW
         LM    2,3,NOW
         AL    3,DELTA
         BC    12,NOCARRY
         AHI   2,1
NOCARRY  STM   2,3,0(8)
         SCKC  0(8)
         LPSW  WAITPSW
EXT      L     12,X'7F0'
         STCK  8(8)
         LA    8,16(8)
         BCT   9,AGAIN
         LPSW  DONE
         DS    0D
NOW      DS    D
EXTNEW   DC    X'00080000',A(X'80000000'+EXT)
WAITPSW  DC    X'010A0000',X'80000000'
DONE     DC    X'000A0000',X'00000000'
CR0      DC    X'00000800'
DELTA    DC    F'${delta}'
         END   G`;

const BUSY = `
L        START X'1000'
         BALR  12,0
         USING *,12
         L     3,=F'400000'
LOOP     AHI   4,1
         BCT   3,LOOP
         LPSW  WAIT
         DS    0D
WAIT     DC    X'000A0000',X'00000000'
         END   L`;

/** Microseconds between two TOD values given as [high, low] words (bit 51 is one microsecond). */
const micros = (a: readonly [number, number], b: readonly [number, number]): number =>
  ((b[0] - a[0]) * 2 ** 32 + (b[1] - a[1])) / 4096;

describe('CP wakes waiting virtual CPUs on their clock comparator while another user runs', () => {
  for (const style of ['trap-and-emulate', 'sie'] as const satisfies readonly ExecutionStyle[]) {
    it(`${style}: every wait ends within one dispatch slice of its comparator`, () => {
      const r = createCp({
        directory: 'USER A X 1M 1M G\nUSER B X 1M 1M G\nUSER C X 1M 1M G\n',
        volumes: [],
        realStorage: 16 << 20,
      });
      if (!r.ok) throw new Error('directory');
      const boot = (user: string, source: string) => {
        const l = r.cp.logon(user, undefined, { style });
        if (!l.ok) throw new Error(l.error.message);
        const g = assembleGuest(source);
        for (const c of g.chunks) l.vm.load(c.address, c.bytes);
        l.vm.start(0x00080000, (0x80000000 | g.entry) >>> 0);
        return l.vm;
      };
      // A waits 90 us at a time, C 40 us: the earliest waiting timer changes hands as they go.
      const a = boot('A', waiter(90 * 4096));
      const c = boot('C', waiter(40 * 4096));
      const busy = boot('B', BUSY);
      r.cp.run(200_000_000);
      expect(busy.cpus[0]!.getPsw()).toEqual([0x000a0000, 0]);
      for (const vm of [a, c]) {
        expect(vm.cpus[0]!.getPsw()).toEqual([0x000a0000, 0]);
        for (let i = 0; i < 3; i++) {
          const at = 0x800 + 16 * i;
          const ckc = [vm.storage.read32(at) >>> 0, vm.storage.read32(at + 4) >>> 0] as const;
          const woke = [vm.storage.read32(at + 8) >>> 0, vm.storage.read32(at + 12) >>> 0] as const;
          const late = micros(ckc, woke);
          expect(late).toBeGreaterThan(0);
          expect(late).toBeLessThanOrEqual(110);
        }
      }
    });
  }
});
