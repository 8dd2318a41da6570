/**
 * PR/SM snapshots carry the I/O side of the machine: a snapshot taken while
 * a channel program is in flight, with interruptions pending and device
 * events on the clock, restores into a fresh machine that finishes those
 * programs and goes on exactly as the original did; the in-memory 3390
 * volumes' contents come back too.
 */
import type { AbsoluteAddress } from '@strachey/isa-core';
import { toEbcdic } from '@strachey/io-channel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Prsm, PrsmSnapshot } from '../src/index';
import { machineFrom, must } from './fixtures';

/**
 * Enable subchannel 0 (the partition's printer), then start the channel
 * program at X'10000' over and over and wait for each end enabled for I/O
 * (the interruption handler takes it with TSCH); every normal end counts one
 * in the word at X'500'. Waiting enabled means the logical CP is released
 * while the program runs, so a snapshot finds programs in flight, status
 * pending and device events on the clock.
 */
const WAITER = `
WAITER   START X'2000'
         BALR  12,0
         USING *,12
         MVC   X'78'(8),IONEW
         LCTL  6,6,=X'FF000000'
         L     1,=X'00010000'
         STSCH SCHIB
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
         SR    4,4
AGAIN    L     1,=X'00010000'
         SSCH  ORB
         BNZ   BAD
         LPSW  WAITPSW
IOINT    L     1,=X'00010000'
         TSCH  IRB
         CLI   IRB+8,X'0C'
         BNE   BAD
         LA    4,1(4)
         ST    4,1280(0,0)
         B     AGAIN
BAD      LPSW  BADPSW
         DS    0D
WAITPSW  DC    X'020A0000',X'80000000'
IONEW    DC    X'00080000',A(X'80000000'+IOINT)
BADPSW   DC    X'000A0000',X'00000BAD'
         DS    0F
ORB      DC    F'1',X'00808000',A(X'10000')
SCHIB    DS    XL52
IRB      DS    XL96
         END   WAITER
`;

/** Command-chained NOPs (format 1, SLI): about half a microsecond each on the channel path. */
function nopChain(n: number): Uint8Array {
  const b = new Uint8Array(n * 8);
  for (let i = 0; i < n; i++) {
    b[i * 8] = 0x03;
    b[i * 8 + 1] = i === n - 1 ? 0x20 : 0x60;
    b[i * 8 + 3] = 1;
  }
  return b;
}

const DECK = {
  iocp: `
         RESOURCE PARTITION=((LP1,1),(LP2,2))
         CHPID PATH=(20),TYPE=CNC,SHARED,PARTITION=((LP1,LP2))
         CHPID PATH=(40),TYPE=FC,PARTITION=(LP1)
         CNTLUNIT CUNUMBR=0100,PATH=(20),UNIT=2821
         IODEVICE ADDRESS=(00E0,1),CUNUMBR=(0100),UNIT=1403,
               PARTITION=(LP1)
         CNTLUNIT CUNUMBR=0200,PATH=(20),UNIT=2821
         IODEVICE ADDRESS=(00E1,1),CUNUMBR=(0200),UNIT=1403,
               PARTITION=(LP2)
         CNTLUNIT CUNUMBR=0300,PATH=(40),UNIT=2105
         IODEVICE ADDRESS=(0190,1),CUNUMBR=(0300),UNIT=3390
`,
  profiles:
    '[CPC]\nstorage = 1G\ncps = 1\nhsa = 64M\nslice = 200us\n[LP1]\nstorage = 64M\nweight = 30\n[LP2]\nstorage = 64M\nmode = blocks\nweight = 10\n',
};

function boot(chain: readonly number[]): Prsm {
  const m = machineFrom(DECK);
  ['LP1', 'LP2'].forEach((n, i) => {
    must(m.activate(n));
    must(m.ipl(n, { source: WAITER }));
    m.partitionStorage(n)!.writeFrom(0x10000 as AbsoluteAddress, nopChain(chain[i]!));
  });
  return m;
}

function state(m: Prsm) {
  const css = m.channelSubsystem('LP1')!;
  return {
    counters: m.counters(),
    done: ['LP1', 'LP2'].map((n) => m.partitionStorage(n)!.read32(0x500 as AbsoluteAddress)),
    cpus: ['LP1', 'LP2'].flatMap((n) =>
      m.logicalCps(n).map((l) => ({ psw: l.cpu.getPsw(), gpr: Array.from(l.cpu.gpr), state: l.state })),
    ),
    channel: { ...css.counters },
    path: {
      ...css.channelPath(0x20)!,
      images: [...css.channelPath(0x20)!.images],
      busyWith: css.channelPath(0x20)!.busyWith?.number ?? null,
    },
  };
}

describe('snapshots with I/O in flight', () => {
  it('a machine restored from a snapshot taken mid-I/O finishes the programs in flight and continues exactly as the original', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 3000 }),
        fc.integer({ min: 1000, max: 3000 }),
        fc.tuple(fc.integer({ min: 5, max: 400 }), fc.integer({ min: 5, max: 400 })),
        (firstUs, secondUs, chain) => {
          const a = boot(chain);
          a.run({ us: firstUs });
          const snap = JSON.parse(JSON.stringify(a.snapshot())) as PrsmSnapshot;
          a.run({ us: secondUs });
          // A fresh machine from the same deck and profiles: restore wants nothing activated.
          const fresh = machineFrom(DECK);
          must(fresh.restore(snap));
          fresh.run({ us: secondUs });
          expect(state(fresh)).toEqual(state(a));
          // The original kept doing I/O all along (the check above is about something).
          expect(state(a).done[0]).toBeGreaterThan(0);
        },
      ),
      { numRuns: 12, seed: 9 },
    );
  });

  it('the snapshot holds programs in flight and pending status at a moment when they exist', () => {
    const a = boot([400, 400]);
    // 400 NOPs take about 200 µs: at 150 µs both partitions' programs are running.
    a.run({ us: 150 });
    const snap = a.snapshot();
    const css = snap.channels.find((c) => c.css === 0)!.state;
    expect(css.events.length).toBeGreaterThan(0);
    expect(css.subchannels.flat().some((s) => s.inFlight !== null || (s.scsw.flag2 & 0x7f) !== 0)).toBe(true);
  });

  it('volume contents written before the snapshot come back in the restored machine', () => {
    const a = machineFrom(DECK);
    must(a.activate('LP1'));
    const vol = a.volume(0x190)!;
    vol.setTrack(3, 1, [
      { cc: 3, hh: 1, r: 1, key: new Uint8Array(0), data: toEbcdic('KEPT ACROSS A SNAPSHOT'.padEnd(80)) },
    ]);
    const b = machineFrom(DECK);
    must(b.restore(JSON.parse(JSON.stringify(a.snapshot())) as PrsmSnapshot));
    const t = b.volume(0x190)!.track(3, 1);
    expect(t.map((r) => Array.from(r.data))).toEqual([
      Array.from(toEbcdic('KEPT ACROSS A SNAPSHOT'.padEnd(80))),
    ]);
  });

  it('refuses a snapshot of another format version with SNAPSHOT', () => {
    const a = boot([10, 10]);
    const old = { ...a.snapshot(), version: 1 } as unknown as PrsmSnapshot;
    const r = machineFrom(DECK).restore(old);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('SNAPSHOT');
  });
});
