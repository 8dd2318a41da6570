/**
 * The isolation invariant PR/SM's EAL5 evaluation is about: a program in one
 * partition cannot read or write another partition's storage or reach a
 * device not assigned to it. Hostile guests: adversarial stores, loads and
 * moves at random addresses (biased to the edges of every partition), random
 * channel programs at random subchannels, then a random instruction stream
 * with random registers; all while the machine adds and removes the
 * hostile partition's storage blocks.
 */
import type { AbsoluteAddress } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Prsm } from '../src/index';
import { IDLE, machineFrom, must } from './fixtures';

const DECK = `
         RESOURCE PARTITION=((LP1,1),(LP2,2),(LP3,3))
         CHPID PATH=(10),TYPE=CNC,PARTITION=(LP1)
         CHPID PATH=(11),TYPE=CNC,PARTITION=(LP2)
         CHPID PATH=(12),TYPE=FC,PARTITION=(LP3)
         CHPID PATH=(FC),TYPE=IQD,SHARED
         CNTLUNIT CUNUMBR=0010,PATH=(10),UNIT=3215
         IODEVICE ADDRESS=(0009,1),CUNUMBR=(0010),UNIT=3215
         CNTLUNIT CUNUMBR=0011,PATH=(11),UNIT=3215
         IODEVICE ADDRESS=(0009,1),CUNUMBR=(0011),UNIT=3215
         CNTLUNIT CUNUMBR=0012,PATH=(12),UNIT=3990
         IODEVICE ADDRESS=(0190,2),CUNUMBR=(0012),UNIT=3390
         CNTLUNIT CUNUMBR=FC00,PATH=(FC),UNIT=IQD
         IODEVICE ADDRESS=(2C00,2),CUNUMBR=(FC00),UNIT=IQD
`;

const PROFILES = (hostileMode: 'zone' | 'blocks') => `
[CPC]
storage = 1G
cps = 2
hsa = 64M
slice = 100us
[LP1]
storage = 64M
mode = zone
cps = 1
[LP2]
storage = 64M
reserved = 128M
mode = ${hostileMode}
cps = 2
[LP3]
storage = 64M
mode = blocks
cps = 1
`;

interface Hostile {
  readonly addresses: readonly number[];
  readonly values: readonly number[];
  readonly ccws: readonly number[];
  readonly subchannels: readonly number[];
  readonly noise: Uint8Array;
  readonly registers: readonly number[];
}

const hex8 = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

/** An assembler program doing the adversarial part, then falling into the random bytes. */
function program(h: Hostile): string {
  const lines: string[] = [
    "HOSTILE  START X'2000'",
    '         BALR  12,0',
    '         USING *,12',
    "         MVC   X'68'(8),PGMNEW",
    "         MVC   X'78'(8),IONEW",
    // CPU 1 runs the random bytes; CPU 0 repeats the adversarial accesses for ever.
    '         STAP  CPUADDR',
    '         CLC   CPUADDR,=H\'0\'',
    '         BNE   NOISE-HOSTILE(0,12)',
    'AGAIN    DS    0H',
  ];
  h.addresses.forEach((_, i) => {
    lines.push(`         L     5,ADDR${i}`);
    lines.push(`         L     6,VAL${i}`);
    lines.push('         ST    6,0(5)');
    lines.push('         L     7,0(5)');
    lines.push('         MVC   0(64,5),0(12)');
    lines.push('         MVC   0(32,12),0(5)');
  });
  h.subchannels.forEach((s, i) => {
    lines.push(`         L     1,=X'0001${(s & 0xffff).toString(16).toUpperCase().padStart(4, '0')}'`);
    lines.push(`         SSCH  ORB${i % 2}`);
    lines.push('         TSCH  IRB');
    lines.push('         STSCH IRB');
  });
  lines.push('         LM    0,11,REGS');
  lines.push('         B     AGAIN');
  lines.push('RESUME   LPSW  X\'28\'');
  lines.push('         DS    0D');
  lines.push("PGMNEW   DC    X'00080000',A(X'80000000'+RESUME)");
  lines.push("IONEW    DC    X'00080000',A(X'80000000'+RESUME)");
  h.addresses.forEach((a, i) => {
    lines.push(`ADDR${i}    DC    X'${hex8(a)}'`);
  });
  h.values.forEach((v, i) => {
    lines.push(`VAL${i}     DC    X'${hex8(v)}'`);
  });
  lines.push(`ORB0     DC    X'${hex8(h.ccws[0] ?? 0)}',X'00808000',A(CCWS)`);
  lines.push(`ORB1     DC    X'${hex8(h.ccws[1] ?? 0)}',X'00008000',A(CCWS)`);
  lines.push('         DS    0D');
  // One constant per line: the assembler reads column 72 as a continuation mark.
  lines.push('CCWS     DS    0D');
  for (const c of h.ccws) lines.push(`         DC    X'${hex8(c)}'`);
  lines.push('REGS     DS    0F');
  for (const r of h.registers) lines.push(`         DC    X'${hex8(r)}'`);
  lines.push('IRB      DS    XL96');
  lines.push('CPUADDR  DS    H');
  lines.push('NOISE    DS    0H');
  for (let i = 0; i < h.noise.length; i += 16) {
    lines.push(`         DC    X'${Array.from(h.noise.subarray(i, i + 16), (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase()}'`);
  }
  lines.push('         END   HOSTILE');
  return lines.join('\n');
}

/** Addresses worth trying: beyond the partition's end, other partitions' origins, random. */
function addressArb(m: Prsm): fc.Arbitrary<number> {
  // The edges of LP2's storage as it grows and shrinks (64 MB, 128 MB, 192 MB; zone steps of 1 MB).
  const interesting: number[] = [0x3fffffc, 0x4000000, 0x4000100, 0x40ffffc, 0x4100000, 0x8000100, 0x7ffffffc, 0xc000000, m.hsaBase, m.hsaBase - 4];
  for (const n of ['LP1', 'LP3']) {
    const lay = m.partition(n)!.layout!;
    const origin = lay.mode === 'zone' ? lay.origin : lay.blocks[0]!;
    interesting.push(origin, origin + 0x2000);
  }
  return fc.oneof(fc.constantFrom(...interesting), fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 0x3f00000, max: 0x4100000 }));
}

function snapshotOutside(m: Prsm, inside: (address: number) => boolean): Map<number, Uint8Array> {
  const copy = new Map<number, Uint8Array>();
  const frames = m.storage.frames;
  for (let f = 0; f < frames.length; f++) {
    const fr = frames[f];
    if (fr !== undefined && !inside(f * 4096)) copy.set(f, fr.slice());
  }
  return copy;
}

describe('isolation between partitions', () => {
  for (const mode of ['zone', 'blocks'] as const) {
    it(`no hostile guest in a ${mode}-mode partition touches storage or devices outside it`, () => {
      const probe = machineFrom({ iocp: DECK, profiles: PROFILES(mode) });
      for (const n of ['LP1', 'LP2', 'LP3']) must(probe.activate(n));
      const hostile = fc.record({
        addresses: fc.array(addressArb(probe), { minLength: 4, maxLength: 12 }),
        values: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 12, maxLength: 12 }),
        ccws: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 6, maxLength: 6 }),
        subchannels: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 4 }),
        noise: fc.uint8Array({ minLength: 16, maxLength: 128 }),
        registers: fc.array(fc.oneof(addressArb(probe), fc.integer({ min: 0, max: 0xffffffff })), { minLength: 16, maxLength: 16 }),
      });
      const reconfigure = fc.array(fc.constantFrom('add', 'remove', 'none'), { minLength: 3, maxLength: 3 });
      fc.assert(
        fc.property(hostile, reconfigure, (h, steps) => {
          const m = machineFrom({ iocp: DECK, profiles: PROFILES(mode) });
          for (const n of ['LP1', 'LP2', 'LP3']) must(m.activate(n));
          must(m.ipl('LP1', { source: IDLE }));
          must(m.ipl('LP3', { source: IDLE }));
          // Something worth protecting in the neighbours' storage.
          const lp1 = m.partitionStorage('LP1')!;
          const lp3 = m.partitionStorage('LP3')!;
          for (let a = 0x10000; a < 0x20000; a += 4096) {
            lp1.write32(a as AbsoluteAddress, 0x11111111);
            lp3.write32(a as AbsoluteAddress, 0x33333333);
          }
          lp1.write32(0x3fffffc as AbsoluteAddress, 0x1111ffff);
          lp3.write32(0x3fffffc as AbsoluteAddress, 0x3333ffff);
          must(m.ipl('LP2', { source: program(h), start: 'all' }));
          const owned = new Set<number>(); // 1 MB increments LP2 ever owned
          const note = (): void => {
            for (let a = 0; a < m.storage.size; a += 1 << 20) if (m.ownerOf(a) === 'LP2') owned.add(a >>> 20);
          };
          note();
          const inside = (a: number): boolean => owned.has(a >>> 20) || m.ownerOf(a) === 'HSA';
          const before = snapshotOutside(m, (a) => m.ownerOf(a) === 'LP2' || m.ownerOf(a) === 'HSA');
          const starts = { LP1: m.channelSubsystem('LP1')!.startsFor(m.partition('LP1')!.mifId), LP3: m.channelSubsystem('LP3')!.startsFor(m.partition('LP3')!.mifId) };
          for (const step of steps) {
            m.run({ us: 150 });
            if (step === 'add') {
              if (mode === 'blocks') m.addStorageBlock('LP2');
              else m.resizeZone('LP2', m.partition('LP2')!.storage + (1 << 20));
            } else if (step === 'remove') {
              if (mode === 'blocks') m.removeStorageBlock('LP2');
              else m.resizeZone('LP2', Math.max(1 << 20, m.partition('LP2')!.storage - (1 << 20)));
            }
            note();
          }
          m.run({ us: 150 });
          // Every frame outside LP2 (now or ever) is byte for byte what it was.
          const frames = m.storage.frames;
          for (let f = 0; f < frames.length; f++) {
            const fr = frames[f];
            if (fr === undefined || inside(f * 4096)) continue;
            const old = before.get(f);
            if (old === undefined) {
              if (fr.some((b) => b !== 0)) return false;
            } else if (!fr.every((b, i) => b === old[i])) return false;
          }
          // Storage LP2 gave back is cleared, not left for the next owner.
          for (const inc of owned) {
            const a = inc << 20;
            if (m.ownerOf(a) !== null) continue;
            for (let f = a / 4096; f < (a + (1 << 20)) / 4096; f++) if (frames[f]?.some((b) => b !== 0)) return false;
          }
          // No channel program reached another partition's devices.
          expect(m.channelSubsystem('LP1')!.startsFor(m.partition('LP1')!.mifId)).toBe(starts.LP1);
          expect(m.channelSubsystem('LP3')!.startsFor(m.partition('LP3')!.mifId)).toBe(starts.LP3);
          expect(m.consoleLines('LP1', 0x0009)).toEqual([]);
          return true;
        }),
        { numRuns: 12, seed: mode === 'zone' ? 390 : 9672 },
      );
    });
  }
});
