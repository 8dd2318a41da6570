/**
 * Snapshot and restore: JSON-safe, versioned, and faithful — restoring a
 * snapshot into a fresh machine and running N instructions gives exactly the
 * state the original reaches after the same N instructions (registers, PSW,
 * timers, pending interruptions, storage, keys, time).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  absoluteAddress as abs,
  createEsa390Machine,
  type Esa390Machine,
  type Esa390MachineOptions,
  type Esa390MachineSnapshot,
  ESA390_SNAPSHOT_VERSION,
  fromBase64,
  restoreCpu,
  restoreMachine,
  snapshotCpu,
  snapshotMachine,
  toBase64,
} from '@strachey/isa-core';
import { bootProgram } from '@strachey/isa-core/testing';

/** A machine with `src` assembled into it, and the symbols. */
function loadMachine(src: string, options: Partial<Esa390MachineOptions> = {}) {
  const { machine: m, symbol: sym, word } = bootProgram(src, options);
  return { m, sym, word };
}



/**
 * A clock-comparator ticker: the main loop counts in GR5 with external
 * interruptions enabled; every 10 us of TOD time the handler counts a tick
 * in TICKS and sets the comparator 10 us further.
 */
const TICKER = `
T        START 0
         DC    X'00080000',A(BEGIN)
         ORG   T+X'58'
         DC    X'00080000',A(EXT)      external new PSW
         ORG   T+X'68'
         DC    X'000A0000',A(X'E68')
         USING T,0
         ORG   T+X'200'
BEGIN    LCTL  0,0,CR0V
         STCK  TNOW
         BAS   14,NEXT
         SSM   EXTON
LOOP     AHI   5,1
         J     LOOP
EXT      STCK  TNOW
         BAS   14,NEXT
         L     6,TICKS
         AHI   6,1
         ST    6,TICKS
         LPSW  X'18'
NEXT     L     1,TNOW+4                comparator = TNOW + 10 us
         AL    1,STEP
         ST    1,TNOW+4
         BRC   12,NOCARRY
         L     1,TNOW
         AHI   1,1
         ST    1,TNOW
NOCARRY  SCKC  TNOW
         BR    14
         DS    0F
CR0V     DC    X'000008E0'
STEP     DC    X'0000A000'
TICKS    DC    F'0'
EXTON    DC    X'01'
         DS    0D
TNOW     DC    XL8'0'
         END`;

/** A snapshot as it comes back from a file. */
const viaJson = (s: Esa390MachineSnapshot): Esa390MachineSnapshot => JSON.parse(JSON.stringify(s));

function started(cpus: number, quantum: number): Esa390Machine {
  const { m } = loadMachine(TICKER, { cpus, quantum });
  for (let i = 0; i < cpus; i++) m.restart(i);
  return m;
}

describe('machine snapshot', () => {
  it('is plain JSON data that survives a round trip', () => {
    const m = started(1, 100);
    m.run(5000);
    const s = snapshotMachine(m);
    expect(s.version).toBe(ESA390_SNAPSHOT_VERSION);
    expect(viaJson(s)).toEqual(s);
    expect(s.frames.length).toBe(m.storage.allocatedFrames);
  });

  it('restore then run N equals run N from the original (ticker with timer interruptions, 1-2 CPUs)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        (cpus, quantum, before, after) => {
          const original = started(cpus, quantum);
          original.run(before);
          const saved = viaJson(snapshotMachine(original));
          original.run(after);

          const { m: copy } = loadMachine('T START 0\n END', { cpus, quantum });
          expect(restoreMachine(copy, saved)).toEqual({ ok: true });
          copy.run(after);
          expect(snapshotMachine(copy)).toEqual(snapshotMachine(original));
        },
      ),
      { numRuns: 30, seed: 42 },
    );
  });

  it('the ticker really takes timer interruptions across the snapshot', () => {
    const { m, sym, word } = loadMachine(TICKER);
    m.restart();
    m.run(20_000);
    const s = snapshotMachine(m);
    const ticks = word(sym('TICKS'));
    expect(ticks).toBeGreaterThan(0);
    const { m: copy } = loadMachine('T START 0\n END');
    restoreMachine(copy, s);
    copy.run(20_000);
    expect(copy.storage.read32(abs(sym('TICKS')))).toBeGreaterThan(ticks);
  });

  it('restores into a machine whose clock is already later, reading the same TOD clock and timers', () => {
    const m = started(1, 100);
    m.run(3000);
    const s = snapshotMachine(m);
    m.run(3000);
    const expected = snapshotMachine(m);
    const later = started(1, 100);
    later.run(50_000);
    expect(later.now()).toBeGreaterThan(s.time);
    expect(restoreMachine(later, s).ok).toBe(true);
    later.run(3000);
    const got = snapshotMachine(later);
    expect(got.cpus[0]!.gpr).toEqual(expected.cpus[0]!.gpr);
    expect(got.cpus[0]!.psw).toEqual(expected.cpus[0]!.psw);
    expect(got.frames).toEqual(expected.frames);
  });

  it('refuses an unknown version with an error value and changes nothing', () => {
    const m = started(1, 100);
    m.run(1000);
    const before = snapshotMachine(m);
    const r = restoreMachine(m, { ...before, version: 99 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('SNAPSHOT_VERSION');
      expect(r.error.message).toContain('99');
    }
    expect(snapshotMachine(m)).toEqual(before);
  });

  it('refuses a snapshot of another shape or with damaged data', () => {
    const m = started(1, 100);
    const s = snapshotMachine(m);
    const small = createEsa390Machine({ mainsize: 1 << 16 });
    expect(restoreMachine(small, s)).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_SHAPE' } });
    const two = createEsa390Machine({ mainsize: 1 << 20, cpus: 2 });
    expect(restoreMachine(two, s)).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_SHAPE' } });
    const damaged = { ...s, frames: [{ frame: 0, data: 'not base64!' }] };
    expect(restoreMachine(m, damaged)).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_DATA' } });
    const wrongKind = { ...s, kind: 'esa390-cpu' } as unknown as Esa390MachineSnapshot;
    expect(restoreMachine(m, wrongKind)).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_KIND' } });
  });
});

describe('machine counters', () => {
  it('count the interruptions the guest saw, by class, and survive a snapshot', () => {
    const { m, sym, word } = loadMachine(TICKER);
    m.restart();
    m.run(30_000);
    const c = m.counters();
    expect(c.cpus[0]!.interruptions).toEqual({ external: word(sym('TICKS')), io: 0, svc: 0, restart: 1 });
    expect(c.cpus[0]!.interruptions.external).toBeGreaterThan(2);
    // The budget counts instructions and interruptions (the restart interruption, taken by the operator's function, excepted).
    expect(c.cpus[0]!.instructions + c.cpus[0]!.interruptions.external).toBe(30_000);
    expect(c.time).toBe(m.now());
    const { m: copy } = loadMachine('T START 0\n END');
    restoreMachine(copy, snapshotMachine(m));
    expect(copy.counters()).toEqual(c);
  });
});

describe('CPU snapshot', () => {
  it('moves a CPU state to another CPU of another machine', () => {
    const a = started(1, 100);
    a.run(4321);
    const s = JSON.parse(JSON.stringify(snapshotCpu(a.cpus[0]!)));
    const b = createEsa390Machine({ mainsize: 1 << 20 });
    expect(restoreCpu(b.cpus[0]!, s)).toEqual({ ok: true });
    expect(snapshotCpu(b.cpus[0]!)).toEqual(snapshotCpu(a.cpus[0]!));
    expect(b.cpus[0]!.getPsw()).toEqual(a.cpus[0]!.getPsw());
  });

  it('refuses an unknown version', () => {
    const a = createEsa390Machine({ mainsize: 1 << 20 });
    const s = { ...snapshotCpu(a.cpus[0]!), version: 0 };
    expect(restoreCpu(a.cpus[0]!, s)).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_VERSION' } });
  });
});

describe('base64', () => {
  it('round-trips any bytes and rejects text that is not base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        expect(fromBase64(toBase64(bytes))).toEqual(bytes);
      }),
      { seed: 7 },
    );
    expect(toBase64(Uint8Array.of(0xfb, 0xff))).toBe('+/8=');
    expect(fromBase64('a$==')).toBeNull();
    expect(fromBase64('abc')).toBeNull();
  });
});
