/**
 * Isolation with CP in a PR/SM partition: hostile guests under CP (random
 * stores and moves at random guest addresses, random channel programs at
 * random subchannels, then random bytes as instructions), in both of CP's
 * execution styles, must not change a byte outside CP's partition, nor the
 * storage of another user of the same CP, nor reach another partition's
 * devices. This extends prsm's isolation property (packages/prsm/test) to a
 * hosted CP; it lives here because only the apps depend on both packages.
 */
import type { ControlProgram } from '@strachey/hypervisor-cp';
import type { AbsoluteAddress } from '@strachey/isa-core';
import { formatVolume } from '@strachey/io-channel';
import { createPrsm, parseIocp, parseProfiles, type Prsm } from '@strachey/prsm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HostedCp } from '../src/demo/mainframe/hosted-cp';
import { IDLE_SOURCE, mustPrsm } from '../src/prsm-input';

const DECK = `
         RESOURCE PARTITION=((VM1,1),(NEIGH,2))
         CHPID PATH=(10),TYPE=CNC,PARTITION=(VM1)
         CHPID PATH=(11),TYPE=CNC,PARTITION=(NEIGH)
         CHPID PATH=(40),TYPE=FC,PARTITION=(VM1)
         CHPID PATH=(41),TYPE=FC,PARTITION=(NEIGH)
         CNTLUNIT CUNUMBR=0010,PATH=(10),UNIT=3215
         IODEVICE ADDRESS=(0009,1),CUNUMBR=(0010),UNIT=3215
         CNTLUNIT CUNUMBR=0011,PATH=(11),UNIT=3215
         IODEVICE ADDRESS=(0009,1),CUNUMBR=(0011),UNIT=3215
         CNTLUNIT CUNUMBR=0040,PATH=(40),UNIT=2105
         IODEVICE ADDRESS=(0A80,1),CUNUMBR=(0040),UNIT=3390
         CNTLUNIT CUNUMBR=0041,PATH=(41),UNIT=2105
         IODEVICE ADDRESS=(0B80,1),CUNUMBR=(0041),UNIT=3390
`;

const PROFILES = (mode: 'zone' | 'blocks') => `
[CPC]
storage = 1G
cps = 1
hsa = 64M
slice = 1ms
[VM1]
storage = 128M
mode = ${mode}
weight = 50
[NEIGH]
storage = 64M
mode = zone
weight = 50
`;

const DIRECTORY = `USER HOSTILE H 1M 16M G
 CONSOLE 009 3215
 MDISK 191 3390 1 2 VMRES1 MR
USER VICTIM V 1M 16M G
 CONSOLE 009 3215
 MDISK 191 3390 3 2 VMRES1 MR
`;

interface Hostile {
  readonly addresses: readonly number[];
  readonly values: readonly number[];
  readonly ccws: readonly number[];
  readonly subchannels: readonly number[];
  readonly noise: Uint8Array;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

/** The hostile guest's program (assembled by isa-core, loaded into its virtual machine). */
function program(h: Hostile): string {
  const lines = [
    "HOSTILE  START X'2000'",
    '         BALR  12,0',
    '         USING *,12',
    "         MVC   X'68'(8),PGMNEW",
    "         MVC   X'78'(8),PGMNEW",
    'AGAIN    DS    0H',
  ];
  h.addresses.forEach((_, i) => {
    lines.push(
      `         L     5,ADDR${i}`,
      `         L     6,VAL${i}`,
      '         ST    6,0(5)',
      '         MVC   0(64,5),0(12)',
      '         MVC   0(32,12),0(5)',
    );
  });
  h.subchannels.forEach((s, i) => {
    lines.push(
      `         L     1,=X'0001${(s & 0xffff).toString(16).toUpperCase().padStart(4, '0')}'`,
      `         SSCH  ORB${i % 2}`,
      '         TSCH  IRB',
    );
  });
  lines.push('         B     NOISE', '         DS    0D', "PGMNEW   DC    X'00080000',A(X'80000000'+AGAIN)");
  h.addresses.forEach((a, i) => {
    lines.push(`ADDR${i}    DC    X'${hex8(a)}'`);
  });
  h.values.forEach((v, i) => {
    lines.push(`VAL${i}     DC    X'${hex8(v)}'`);
  });
  lines.push(
    `ORB0     DC    X'${hex8(h.ccws[0] ?? 0)}',X'00808000',A(CCWS)`,
    `ORB1     DC    X'${hex8(h.ccws[1] ?? 0)}',X'00008000',A(CCWS)`,
    '         DS    0D',
    'CCWS     DS    0D',
  );
  for (const c of h.ccws) lines.push(`         DC    X'${hex8(c)}'`);
  lines.push('IRB      DS    XL96', 'NOISE    DS    0H');
  for (let i = 0; i < h.noise.length; i += 16) {
    lines.push(
      `         DC    X'${Array.from(h.noise.subarray(i, i + 16), (b) => b.toString(16).padStart(2, '0'))
        .join('')
        .toUpperCase()}'`,
    );
  }
  lines.push('         B     AGAIN', '         END   HOSTILE');
  return lines.join('\n');
}

function machine(mode: 'zone' | 'blocks'): Prsm {
  return mustPrsm(
    createPrsm({
      iocp: mustPrsm(parseIocp(DECK, 'iso.iocp')),
      profiles: mustPrsm(parseProfiles(PROFILES(mode), 'iso.profiles')),
      dasdCylinders: 10,
    }),
  );
}

describe('isolation with CP in a partition', () => {
  for (const mode of ['zone', 'blocks'] as const) {
    for (const style of ['trap-and-emulate', 'sie'] as const) {
      it(`a hostile guest under CP (${style}) in a ${mode}-mode partition changes nothing outside its own virtual machine`, async () => {
        const { assemble } = await import('@strachey/isa-core');
        const probe = machine(mode);
        const arb = fc.record({
          // Guest addresses: inside its 1 MB, at its edges, CP's area just past it, anywhere in 31 bits.
          addresses: fc.array(
            fc.oneof(
              fc.constantFrom(0, 0xffffc, 0x100000, 0x10fffc, 0x110000, 0x200000, 0x7fffff00),
              fc.integer({ min: 0, max: 0x7fffffff }),
            ),
            { minLength: 3, maxLength: 8 },
          ),
          values: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 8, maxLength: 8 }),
          ccws: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 4, maxLength: 4 }),
          subchannels: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
          noise: fc.uint8Array({ minLength: 16, maxLength: 96 }),
        });
        expect(probe.physicalCps).toBe(1);
        fc.assert(
          fc.property(arb, (h) => {
            const m = machine(mode);
            for (const n of ['VM1', 'NEIGH']) {
              const r = m.activate(n);
              if (!r.ok) throw new Error(r.error.message);
            }
            formatVolume(m.volume(0xa80)!, 'VMRES1');
            const neigh = m.partitionStorage('NEIGH')!;
            for (let a = 0x10000; a < 0x40000; a += 4096) neigh.write32(a as AbsoluteAddress, 0x5a5a5a5a);
            if (!m.ipl('NEIGH', { source: IDLE_SOURCE }).ok) throw new Error('ipl');
            let cp: ControlProgram | null = null;
            const kernel = new HostedCp(
              { directory: DIRECTORY, volumes: [{ volser: 'VMRES1', devnum: 0xa80 }], style },
              (c) => {
                cp = c;
              },
            );
            const ipl = m.iplKernel('VM1', kernel);
            if (!ipl.ok) throw new Error(ipl.error.message);
            const c = cp as unknown as ControlProgram;
            const victim = c.logon('VICTIM', 'V');
            const hostile = c.logon('HOSTILE', 'H');
            if (!victim.ok || !hostile.ok) throw new Error('logon');
            const pattern = new Uint8Array(1 << 20).map((_, i) => (i * 7 + 3) & 0xff);
            victim.vm.load(0, pattern);
            const asm = assemble(program(h));
            if (!asm.ok) throw new Error(asm.errors[0]!.message);
            for (const chunk of asm.chunks) hostile.vm.load(chunk.address, chunk.bytes);
            hostile.vm.start(0x00080000, (0x80000000 | (asm.entry ?? asm.origin)) >>> 0);
            const inside = (a: number) => m.ownerOf(a) === 'VM1' || m.ownerOf(a) === 'HSA';
            const before = new Map<number, Uint8Array>();
            m.storage.frames.forEach((f, i) => {
              if (f !== undefined && !inside(i * 4096)) before.set(i, f.slice());
            });
            const neighStarts = m.channelSubsystem('NEIGH')!.startsFor(m.partition('NEIGH')!.mifId);
            const tracks = () =>
              JSON.stringify(
                [...m.volume(0xb80)!.writtenTracks()].map((t) => [
                  t.cc,
                  t.hh,
                  t.records.map((r) => [r.r, Array.from(r.data)]),
                ]),
              );
            const neighDisk = tracks();
            m.run({ ms: 3 });
            // The hostile guest did run.
            expect(hostile.vm.counters.instructions).toBeGreaterThan(0);
            m.storage.frames.forEach((f, i) => {
              if (f === undefined || inside(i * 4096)) return;
              const old = before.get(i);
              if (old === undefined) expect(f.every((b) => b === 0)).toBe(true);
              else expect(Buffer.compare(f, old)).toBe(0);
            });
            const seen = new Uint8Array(1 << 20);
            victim.vm.storage.readBytes(0, seen);
            expect(Buffer.compare(seen, pattern)).toBe(0);
            expect(m.channelSubsystem('NEIGH')!.startsFor(m.partition('NEIGH')!.mifId)).toBe(neighStarts);
            expect(m.consoleLines('NEIGH', 0x009)).toEqual([]);
            expect(tracks()).toBe(neighDisk);
          }),
          { numRuns: 6, seed: 1981 },
        );
      }, 60_000);
    }
  }
});

describe('CP snapshot in a partition', () => {
  it("CP's own snapshot and restore work on the partition's storage (PR/SM's snapshot leaves a hosted kernel out)", async () => {
    const { assemble } = await import('@strachey/isa-core');
    // Zone mode, top-down: CP's real storage starts far from physical 0, so CP must map its frames through the zone.
    const m = machine('zone');
    for (const n of ['VM1', 'NEIGH']) {
      const r = m.activate(n);
      if (!r.ok) throw new Error(r.error.message);
    }
    expect(m.partition('VM1')!.layout).toMatchObject({ mode: 'zone' });
    expect((m.partition('VM1')!.layout as { origin: number }).origin).toBeGreaterThan(0);
    formatVolume(m.volume(0xa80)!, 'VMRES1');
    let cp: ControlProgram | null = null;
    const r = m.iplKernel(
      'VM1',
      new HostedCp({ directory: DIRECTORY, volumes: [{ volser: 'VMRES1', devnum: 0xa80 }] }, (c) => (cp = c)),
    );
    if (!r.ok) throw new Error(r.error.message);
    const c = cp as unknown as ControlProgram;
    const u = c.logon('VICTIM', 'V');
    if (!u.ok) throw new Error('logon');
    // A counter loop: GR1 counts, stored at X'3000' every iteration.
    const asm = assemble(
      [
        "COUNT    START X'2000'",
        '         BALR  12,0',
        '         USING *,12',
        '         SR    1,1',
        "         L     2,=A(X'3000')",
        'LOOP     LA    1,1(1)',
        '         ST    1,0(2)',
        '         B     LOOP',
        '         END   COUNT',
      ].join('\n'),
    );
    if (!asm.ok) throw new Error('asm');
    for (const chunk of asm.chunks) u.vm.load(chunk.address, chunk.bytes);
    u.vm.start(0x00080000, 0x80002000);
    m.run({ us: 200 });
    const snap = c.snapshot();
    expect(snap.ok).toBe(true);
    if (!snap.ok) return;
    const at = u.vm.storage.read32(0x3000);
    expect(at).toBeGreaterThan(0);
    m.run({ us: 200 });
    expect(u.vm.storage.read32(0x3000)).toBeGreaterThan(at);
    expect(c.restore(snap.snapshot).ok).toBe(true);
    // Back to the snapshot's storage and registers, in the partition's storage where the guest really is.
    expect(u.vm.storage.read32(0x3000)).toBe(at);
    expect(u.vm.cpus[0]!.cpu.gpr[1]).toBe(snap.snapshot.vms[0]!.cpus[0]!.gpr[1]);
  });
});
