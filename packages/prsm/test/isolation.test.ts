/**
 * The isolation invariant PR/SM's EAL5 evaluation is about: a program in one
 * partition cannot read or write another partition's storage or reach a
 * device not assigned to it. Hostile guests: adversarial stores, loads and
 * moves at random addresses (biased to the edges of every partition), random
 * channel programs at random subchannels (also numbers of devices the
 * partition was never given), then a random instruction stream with random
 * registers.
 *
 * 1. One hostile partition (zone or block mode) among quiet ones whose
 *    storage holds canaries, while the machine adds and removes its blocks
 *    or moves its zone limit and DCM moves a channel path between it and a
 *    neighbour: every frame outside it stays byte-identical, storage it gave
 *    back is cleared, no other partition's device is started.
 * 2. Hostile guests in every partition at once, on a 4 GB machine (zones
 *    above 2 GB), storage reconfigured while they run: non-interference.
 *    Run twice, with one partition's program replaced by another hostile
 *    one; every other partition ends in exactly the same state (storage,
 *    storage keys, registers, PSW, console output, its subchannels' starts).
 *    Partitions here have dedicated CPs and devices and paths of their own,
 *    so nothing they legitimately share (a physical CP, a MIF path) couples
 *    their timing.
 * 3. Storage keys of a partition above 2 GB on a 4 GB machine are its own.
 */
import type { AbsoluteAddress } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Prsm } from '../src/index';
import { IDLE, machineFrom, must } from './fixtures';

/** Property runs of test 1 per mode, and of test 2 (each a pair of machine runs). */
const RUNS_ONE_HOSTILE = 12;
const RUNS_ALL_HOSTILE = 10;

const DECK = `
         RESOURCE PARTITION=((LP1,1),(LP2,2),(LP3,3))
         CHPID PATH=(10),TYPE=CNC,PARTITION=(LP1)
         CHPID PATH=(11),TYPE=CNC,PARTITION=(LP2)
         CHPID PATH=(12),TYPE=FC,PARTITION=(LP3)
         CHPID PATH=(FC),TYPE=IQD,SHARED
         CHPID PATH=(13),TYPE=CNC,SHARED,PARTITION=((LP1),(LP2))
         CNTLUNIT CUNUMBR=0013,PATH=(13),UNIT=2821
         IODEVICE ADDRESS=(00E0,1),CUNUMBR=(0013),UNIT=1403
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
function program(h: Hostile, oneCpu = false): string {
  const lines: string[] = [
    "HOSTILE  START X'2000'",
    '         BALR  12,0',
    '         USING *,12',
    "         MVC   X'68'(8),PGMNEW",
    "         MVC   X'78'(8),IONEW",
    // CPU 1 runs the random bytes; CPU 0 repeats the adversarial accesses for ever.
    '         STAP  CPUADDR',
    "         CLC   CPUADDR,=H'0'",
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
  // A partition with one CPU runs the random bytes itself after one pass.
  lines.push(oneCpu ? '         B     NOISE' : '         B     AGAIN');
  lines.push("RESUME   LPSW  X'28'");
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
    lines.push(
      `         DC    X'${Array.from(h.noise.subarray(i, i + 16), (b) => b.toString(16).padStart(2, '0'))
        .join('')
        .toUpperCase()}'`,
    );
  }
  lines.push('         END   HOSTILE');
  return lines.join('\n');
}

/** Addresses worth trying: beyond the partition's end, other partitions' origins, random. */
function addressArb(m: Prsm): fc.Arbitrary<number> {
  // The edges of LP2's storage as it grows and shrinks (64 MB, 128 MB, 192 MB; zone steps of 1 MB).
  const interesting: number[] = [
    0x3fffffc,
    0x4000000,
    0x4000100,
    0x40ffffc,
    0x4100000,
    0x8000100,
    0x7ffffffc,
    0xc000000,
    m.hsaBase,
    m.hsaBase - 4,
  ];
  for (const n of ['LP1', 'LP3']) {
    const lay = m.partition(n)!.layout!;
    const origin = lay.mode === 'zone' ? lay.origin : lay.blocks[0]!;
    interesting.push(origin, origin + 0x2000);
  }
  return fc.oneof(
    fc.constantFrom(...interesting),
    fc.integer({ min: 0, max: 0x7fffffff }),
    fc.integer({ min: 0x3f00000, max: 0x4100000 }),
  );
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
        registers: fc.array(fc.oneof(addressArb(probe), fc.integer({ min: 0, max: 0xffffffff })), {
          minLength: 16,
          maxLength: 16,
        }),
      });
      const reconfigure = fc.array(fc.constantFrom('add', 'remove', 'dcm', 'none'), {
        minLength: 4,
        maxLength: 4,
      });
      const done = { resized: 0, moved: 0, runs: 0 };
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
          const starts = {
            LP1: m.channelSubsystem('LP1')!.startsFor(m.partition('LP1')!.mifId),
            LP3: m.channelSubsystem('LP3')!.startsFor(m.partition('LP3')!.mifId),
          };
          // CHPID 13 (a 1403 behind it) is online to LP1 until DCM moves it to LP2, and back.
          const path13 = m.channelSubsystem('LP2')!.channelPath(0x13)!;
          let lp2HasPath = false;
          const segment = (): void => {
            const startsBefore = path13.starts;
            m.run({ us: 150 });
            // LP1 is idle: while LP2 has no path to the 1403, nobody starts a program on it.
            if (!lp2HasPath) expect(path13.starts).toBe(startsBefore);
          };
          for (const step of steps) {
            segment();
            if (step === 'add') {
              const r =
                mode === 'blocks'
                  ? m.addStorageBlock('LP2')
                  : m.resizeZone('LP2', m.partition('LP2')!.storage + (1 << 20));
              if (r.ok) done.resized++;
            } else if (step === 'remove') {
              const r =
                mode === 'blocks'
                  ? m.removeStorageBlock('LP2')
                  : m.resizeZone('LP2', Math.max(1 << 20, m.partition('LP2')!.storage - (1 << 20)));
              if (r.ok) done.resized++;
            } else if (step === 'dcm') {
              must(
                lp2HasPath ? m.moveChannelPath(0x13, 'LP2', 'LP1') : m.moveChannelPath(0x13, 'LP1', 'LP2'),
              );
              lp2HasPath = !lp2HasPath;
              done.moved++;
            }
            note();
          }
          segment();
          done.runs++;
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
            for (let f = a / 4096; f < (a + (1 << 20)) / 4096; f++)
              if (frames[f]?.some((b) => b !== 0)) return false;
          }
          // No channel program reached another partition's devices.
          expect(m.channelSubsystem('LP1')!.startsFor(m.partition('LP1')!.mifId)).toBe(starts.LP1);
          expect(m.channelSubsystem('LP3')!.startsFor(m.partition('LP3')!.mifId)).toBe(starts.LP3);
          expect(m.consoleLines('LP1', 0x0009)).toEqual([]);
          return true;
        }),
        { numRuns: RUNS_ONE_HOSTILE, seed: mode === 'zone' ? 390 : 9672 },
      );
      // The runs did reconfigure while the guest ran, not just try to.
      expect(done.runs).toBeGreaterThanOrEqual(RUNS_ONE_HOSTILE);
      expect(done.resized).toBeGreaterThan(RUNS_ONE_HOSTILE / 2);
      expect(done.moved).toBeGreaterThan(RUNS_ONE_HOSTILE / 2);
    });
  }
});

/** Test 2: three partitions with their own paths, consoles and printers, dedicated CPs, on a 4 GB machine. */
const DECK_ALL = `
         RESOURCE PARTITION=((LP1,1),(LP2,2),(LP3,3))
         CHPID PATH=(10),TYPE=CNC,PARTITION=(LP1)
         CHPID PATH=(11),TYPE=CNC,PARTITION=(LP2)
         CHPID PATH=(12),TYPE=CNC,PARTITION=(LP3)
         CNTLUNIT CUNUMBR=0010,PATH=(10),UNIT=3215
         IODEVICE ADDRESS=(0009,1),CUNUMBR=(0010),UNIT=3215
         CNTLUNIT CUNUMBR=0011,PATH=(11),UNIT=3215
         IODEVICE ADDRESS=(0009,1),CUNUMBR=(0011),UNIT=3215
         CNTLUNIT CUNUMBR=0012,PATH=(12),UNIT=3215
         IODEVICE ADDRESS=(0009,1),CUNUMBR=(0012),UNIT=3215
         CNTLUNIT CUNUMBR=0020,PATH=(10),UNIT=2821
 IODEVICE ADDRESS=(00E0,1),CUNUMBR=(0020),UNIT=1403,PARTITION=(LP1)
         CNTLUNIT CUNUMBR=0021,PATH=(11),UNIT=2821
 IODEVICE ADDRESS=(00E0,1),CUNUMBR=(0021),UNIT=1403,PARTITION=(LP2)
         CNTLUNIT CUNUMBR=0022,PATH=(12),UNIT=2821
 IODEVICE ADDRESS=(00E0,1),CUNUMBR=(0022),UNIT=1403,PARTITION=(LP3)
`;

/** Zones are placed top-down under the HSA: LP1 and LP3 lie above 2 GB; LP2's blocks come from the bottom. */
const PROFILES_ALL = `
[CPC]
storage = 4G
cps = 4
hsa = 64M
slice = 100us
[LP1]
storage = 64M
mode = zone
cps = 1
dedicated = yes
[LP2]
storage = 64M
reserved = 128M
mode = blocks
cps = 2
dedicated = yes
[LP3]
storage = 64M
mode = zone
cps = 1
dedicated = yes
`;

const ALL = ['LP1', 'LP2', 'LP3'] as const;

/** Everything about a partition its own program determines. */
function partitionState(m: Prsm, name: string): unknown {
  const lay = m.partition(name)!.layout!;
  const ranges: [number, number][] =
    lay.mode === 'zone' ? [[lay.origin, lay.size]] : lay.blocks.map((b) => [b, 64 << 20]);
  const frames: string[] = [];
  const keys: number[] = [];
  for (const [origin, size] of ranges) {
    for (let f = origin / 4096; f < (origin + size) / 4096; f++) {
      const fr = m.storage.frames[f];
      if (fr?.some((b) => b !== 0)) frames.push(`${f - origin / 4096}:${Buffer.from(fr).toString('base64')}`);
      if (m.storage.keys[f] !== 0) keys.push(f - origin / 4096, m.storage.keys[f]!);
    }
  }
  const cpus = m
    .logicalCps(name)
    .map((l) => ({
      gpr: Array.from(l.cpu.gpr),
      psw: l.cpu.getPsw(),
      state: l.cpu.state,
      instructions: l.cpu.instructions,
    }));
  const css = m.channelSubsystem(name)!;
  return {
    layout: lay,
    frames,
    keys,
    cpus,
    console: m.consoleLines(name, 0x0009),
    starts: css.startsFor(m.partition(name)!.mifId),
  };
}

describe('isolation with hostile guests in every partition (4 GB machine, zones above 2 GB)', () => {
  it("non-interference: replacing one partition's hostile program changes nothing in the others, while storage is reconfigured", () => {
    const probe = machineFrom({ iocp: DECK_ALL, profiles: PROFILES_ALL });
    for (const n of ALL) must(probe.activate(n));
    // The zones really are above 2 GB: addresses there are not small integers for V8.
    for (const n of ['LP1', 'LP3']) {
      const lay = probe.partition(n)!.layout!;
      expect(lay.mode === 'zone' ? lay.origin : -1).toBeGreaterThan(0x80000000);
    }
    const hostile = fc.record({
      addresses: fc.array(addressArb(probe), { minLength: 3, maxLength: 8 }),
      values: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 8, maxLength: 8 }),
      ccws: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 6, maxLength: 6 }),
      subchannels: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 3 }),
      noise: fc.uint8Array({ minLength: 16, maxLength: 96 }),
      registers: fc.array(fc.oneof(addressArb(probe), fc.integer({ min: 0, max: 0xffffffff })), {
        minLength: 16,
        maxLength: 16,
      }),
    });
    const steps = fc.array(fc.constantFrom('add', 'remove', 'shrink', 'grow', 'none'), {
      minLength: 3,
      maxLength: 3,
    });
    let reconfigured = 0;
    let compared = 0;
    fc.assert(
      fc.property(
        fc.tuple(hostile, hostile, hostile),
        hostile,
        fc.constantFrom(0, 1, 2),
        steps,
        (programs, other, changed, plan) => {
          const run = (replace: boolean): Record<string, unknown> => {
            const m = machineFrom({ iocp: DECK_ALL, profiles: PROFILES_ALL });
            for (const n of ALL) must(m.activate(n));
            ALL.forEach((n, i) => {
              const h = replace && i === changed ? other : programs[i]!;
              must(m.ipl(n, { source: program(h, n !== 'LP2'), start: 'all' }));
            });
            for (const step of plan) {
              m.run({ us: 120 });
              // The same reconfiguration in both runs: LP2's blocks, LP1's and LP3's zone limits.
              const r =
                step === 'add'
                  ? m.addStorageBlock('LP2')
                  : step === 'remove'
                    ? m.removeStorageBlock('LP2')
                    : step === 'shrink'
                      ? m.resizeZone('LP1', m.partition('LP1')!.storage - (1 << 20))
                      : step === 'grow'
                        ? m.resizeZone('LP3', m.partition('LP3')!.storage + (1 << 20))
                        : null;
              if (r?.ok === true && !replace) reconfigured++;
            }
            m.run({ us: 120 });
            const out: Record<string, unknown> = {};
            for (const n of ALL) if (n !== ALL[changed]) out[n] = partitionState(m, n);
            // Every partition's hostile program did run.
            for (const n of ALL) expect(m.counters().partitions[n]!.instructions).toBeGreaterThan(100);
            return out;
          };
          const a = run(false);
          const b = run(true);
          compared++;
          expect(b).toEqual(a);
        },
      ),
      { numRuns: RUNS_ALL_HOSTILE, seed: 1998 },
    );
    expect(compared).toBe(RUNS_ALL_HOSTILE);
    expect(reconfigured).toBeGreaterThan(RUNS_ALL_HOSTILE / 2);
  });

  it("a partition above 2 GB keeps its own storage keys (SSKE/ISKE) and leaves the others' alone", () => {
    const m = machineFrom({ iocp: DECK_ALL, profiles: PROFILES_ALL });
    for (const n of ALL) must(m.activate(n));
    const KEYS = `
KEYS     START X'2000'
         BALR  12,0
         USING *,12
         L     2,PAGE
         LA    3,X'38'
         SSKE  3,2
         ISKE  4,2
         ST    4,X'500'(0,0)
         LPSW  WAITPSW
         DS    0D
WAITPSW  DC    X'000A0000',X'00000000'
PAGE     DC    A(X'3000000')
         END   KEYS
`;
    const lay = m.partition('LP1')!.layout!;
    const origin = lay.mode === 'zone' ? lay.origin : -1;
    expect(origin).toBeGreaterThan(0x80000000);
    const frame = (origin + 0x3000000) / 4096;
    const keysBefore = Uint8Array.from(m.storage.keys);
    must(m.ipl('LP1', { source: KEYS, start: 'all' }));
    // The first dispatch pays PR/SM's dispatch and cache-reload cost (some 120 µs) before the guest runs.
    m.run({ us: 300 });
    // ISKE returns what SSKE set (ACC 3, F; R and C as the machine keeps them), in LP1's own frame.
    expect(m.partitionStorage('LP1')!.read32(0x500 as AbsoluteAddress) & 0xf8).toBe(0x38);
    expect(m.storage.keys[frame]! & 0xf8).toBe(0x38);
    // Every frame outside LP1's zone has the key it had.
    for (let f = 0; f < m.storage.frameCount; f++) {
      if (f >= origin / 4096 && f < (origin + lay.size) / 4096) continue;
      if (m.storage.keys[f] !== keysBefore[f]) expect.fail(`frame ${f.toString(16)} changed key`);
    }
  });
});
