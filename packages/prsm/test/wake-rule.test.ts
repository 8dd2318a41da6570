/**
 * The dispatcher's wake-up rule: a logical CP that waited banks no credit.
 * On wake its virtual time is raised to at least the smallest virtual time
 * of the *other* runnable logical CPs (BVT's A_i = max(A_i, SVT), Duda &
 * Cheriton 1999; SFQ's start tag; Linux CFS's place_entity), and when none
 * is runnable to the system virtual time the last runnable one left
 * behind (CFS's monotonic min_vruntime). Without it a partition that
 * waited runs ahead of the others after its wait until it has caught up,
 * which breaks the seed's "weights are ... the maximum when everyone uses
 * their share" over every window after a wait.
 *
 * The guests are real ESA/390 programs: a table of phases, each "spin" or
 * "wait" for a number of microseconds, ended by a clock-comparator
 * external interruption (POP 4-45 "Clock Comparator"; the TOD clock's
 * bit 51 is one microsecond, so 4096 in the low word); after the last
 * phase the guest spins disabled for ever.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { machineFrom, must, SPIN, shares } from './fixtures';

type Phase = readonly ['spin' | 'wait', number];

/** A guest that runs `phases` in order (spin or enabled wait, µs each), then spins for ever. */
function phased(phases: readonly Phase[]): string {
  const table = phases
    .map(([mode, us]) => `         DC    F'${us * 4096}',F'${mode === 'spin' ? 1 : 0}'`)
    .join('\n');
  return `
PHASED   START X'2000'
         BALR  12,0
         USING *,12
         MVC   X'58'(8),EXTNEW
         LCTL  0,0,CR0
         LA    6,PHASES
NEXT     L     7,0(6)
         LTR   7,7
         BZ    FOREVER
         STCK  NOW
         LM    4,5,NOW
         ALR   5,7
         BC    12,NOCARRY
         LA    4,1(4)
NOCARRY  STM   4,5,CKC
         SCKC  CKC
         L     8,4(6)
         LA    6,8(6)
         LTR   8,8
         BNZ   SPINEN
         LPSW  WAITPSW
SPINEN   LPSW  SPINPSW
LOOP     LA    1,1(1)
         B     LOOP
FOREVER  LA    1,1(1)
         B     FOREVER
EXTINT   B     NEXT
         DS    0D
EXTNEW   DC    X'00080000',A(X'80000000'+EXTINT)
WAITPSW  DC    X'010A0000',X'80000000'
SPINPSW  DC    X'01080000',A(X'80000000'+LOOP)
NOW      DS    D
CKC      DS    D
CR0      DC    X'00000800'
PHASES   DS    0F
${table}
         DC    F'0',F'0'
         END   PHASED
`;
}

/** Two partitions, one logical CP each, sharing one physical CP; A first in RESOURCE order. */
function pair(weights: readonly [number, number], slice = '1ms') {
  const iocp = ' RESOURCE PARTITION=((A,1),(B,2))\n';
  const profiles =
    `[CPC]\nstorage = 1G\ncps = 1\nhsa = 64M\nslice = ${slice}\n` +
    `\n[A]\nstorage = 64M\ncps = 1\nweight = ${weights[0]}\n` +
    `\n[B]\nstorage = 64M\ncps = 1\nweight = ${weights[1]}\n`;
  return machineFrom({ iocp, profiles });
}

describe('the wake-up rule: no banked credit', () => {
  it('a partition that waited 20 ms shares 1:1 with a CPU-bound one from its wake on, not in a catch-up burst', () => {
    // B is A's equal in weight and always CPU-bound; A waits 20 ms on its clock comparator, then is CPU-bound too.
    // B comes first in RESOURCE order so that ties of virtual time cannot favour A.
    const m = machineFrom({
      iocp: ' RESOURCE PARTITION=((B,1),(A,2))\n',
      profiles:
        '[CPC]\nstorage = 1G\ncps = 1\nhsa = 64M\nslice = 1ms\n\n[B]\nstorage = 64M\ncps = 1\nweight = 10\n\n[A]\nstorage = 64M\ncps = 1\nweight = 10\n',
    });
    must(m.activate('A'));
    must(m.activate('B'));
    must(m.ipl('A', { source: phased([['wait', 20_000]]) }));
    must(m.ipl('B', { source: SPIN }));
    m.run({ ms: 20.5 });
    const atWake = m.counters();
    // While A waited, B had the physical CP: A's whole share flowed to it.
    expect(atWake.partitions.A!.releases.wait).toBe(1);
    expect(atWake.partitions.A!.cycles).toBeLessThan(0.001 * atWake.partitions.B!.cycles);
    // Every 4 ms window after the wake, and the 10 ms after it as a whole: 1:1 within a slice's worth.
    for (let w = 0; w < 3; w++) {
      const before = m.counters();
      m.run({ ms: 4 });
      const s = shares(m, before, ['A', 'B']);
      expect(Math.abs(s.A! - 0.5), `window ${w}: A's share ${s.A}`).toBeLessThanOrEqual(0.25 + 0.01);
    }
    const s = shares(m, atWake, ['A', 'B']);
    expect(Math.abs(s.A! - 0.5)).toBeLessThan(0.1);
  });

  it('with weights 1:3, the waker gets a quarter after its wake, not everything until its virtual time caught up', () => {
    const m = pair([10, 30]);
    must(m.activate('A'));
    must(m.activate('B'));
    must(m.ipl('A', { source: phased([['wait', 30_000]]) }));
    must(m.ipl('B', { source: SPIN }));
    m.run({ ms: 30.5 });
    const before = m.counters();
    m.run({ ms: 16 });
    const s = shares(m, before, ['A', 'B']);
    expect(Math.abs(s.A! - 0.25)).toBeLessThan(0.07);
  });

  it('when nothing else is runnable, the waker starts from where the last runnable one left off', () => {
    // B spins alone for 10 ms (A waits), then waits 2 ms; A wakes at 11 ms into an idle machine, and B at
    // 12 ms. Keeping A's old virtual time (nothing runnable to compare with) would let A run ahead until it
    // had caught up B's 10 ms; starting from B's virtual time when B left, they share 1:1 from 12 ms on.
    const m = pair([10, 10]);
    must(m.activate('A'));
    must(m.activate('B'));
    must(m.ipl('A', { source: phased([['wait', 11_000]]) }));
    must(
      m.ipl('B', {
        source: phased([
          ['spin', 10_000],
          ['wait', 2_000],
        ]),
      }),
    );
    m.run({ ms: 12.2 });
    const before = m.counters();
    expect(before.partitions.B!.releases.wait).toBe(1);
    m.run({ ms: 8 });
    const s = shares(m, before, ['A', 'B']);
    expect(Math.abs(s.A! - 0.5)).toBeLessThan(0.1);
  });

  it('still gives the waker its share at once: it is not pushed behind the others', () => {
    // The rule only takes credit away: a partition that waited starts level with the runnable ones, so it
    // gets the physical CP within a slice of waking (here B's slice end), not after some catch-up by B.
    const m = pair([10, 10]);
    must(m.activate('A'));
    must(m.activate('B'));
    must(m.ipl('A', { source: phased([['wait', 5_000]]) }));
    must(m.ipl('B', { source: SPIN }));
    m.run({ ms: 5 });
    const before = m.counters();
    m.run({ ms: 2.2 });
    expect(m.counters().partitions.A!.cycles - before.partitions.A!.cycles).toBeGreaterThan(0);
  });
});

describe('the wake-up rule, property', () => {
  it('once every partition is CPU-bound, shares follow the weights from then on, whatever each waited and ran before', () => {
    const phase = fc.tuple(
      fc.constantFrom('spin' as const, 'wait' as const),
      fc.integer({ min: 100, max: 4000 }),
    );
    const part = fc.record({
      weight: fc.integer({ min: 1, max: 4 }).map((w) => w * 10),
      phases: fc.array(phase, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(part, { minLength: 2, maxLength: 3 }), fc.boolean(), (parts, preemptOnWake) => {
        const names = parts.map((_, i) => `P${i + 1}`);
        let profiles = '[CPC]\nstorage = 1G\ncps = 1\nhsa = 64M\nslice = 250us\n';
        parts.forEach((p, i) => {
          profiles += `\n[${names[i]}]\nstorage = 64M\ncps = 1\nweight = ${p.weight}\n`;
        });
        const iocp = ` RESOURCE PARTITION=(${names.map((n, i) => `(${n},${i + 1})`).join(',')})\n`;
        const m = machineFrom({ iocp, profiles }, { preemptOnWake });
        parts.forEach((p, i) => {
          must(m.activate(names[i]!));
          must(m.ipl(names[i]!, { source: phased(p.phases) }));
        });
        // Phases end on the clock comparator (TOD time, not CPU time): every table is done by 12 ms plus a few
        // slices' dispatch delay per phase; from then on all spin. The window starts right after, when a
        // partition that waited would still be catching up if waiting banked credit.
        m.run({ ms: 15 });
        const before = m.counters();
        m.run({ ms: 10 });
        const s = shares(m, before, names);
        const sum = parts.reduce((a, p) => a + p.weight, 0);
        parts.forEach((p, i) => {
          expect(Math.abs(s[names[i]!]! - p.weight / sum), `${names[i]} weight ${p.weight}`).toBeLessThan(
            0.08,
          );
        });
      }),
      { numRuns: 25, seed: 2026 },
    );
  });
});

describe('wake-up preemption by a timer alone', () => {
  /** `name`'s first dispatch (it set its clock comparator and waited) and the start of its second, in machine cycles. */
  const runs = (m: ReturnType<typeof pair>, name: string) => {
    const segments = m.dispatchTrace().segments.filter((g) => g.partition === name);
    segments.sort((a, b) => a.start - b.start);
    expect(segments[0]?.reason).toBe('wait');
    return { first: segments[0]!, start: segments[1]?.start ?? null };
  };

  const sleeper = (preemptOnWake: boolean, order: 'A first' | 'B first') => {
    // A waits 3 ms on its clock comparator and then spins; B spins. Nothing else happens on the clock: no
    // I/O, no other timer. With a 10 ms slice B holds the physical CP when A's timer comes due.
    const iocp =
      order === 'A first' ? ' RESOURCE PARTITION=((A,1),(B,2))\n' : ' RESOURCE PARTITION=((B,1),(A,2))\n';
    const profiles =
      '[CPC]\nstorage = 1G\ncps = 1\nhsa = 64M\nslice = 10ms\n' +
      '\n[A]\nstorage = 64M\ncps = 1\nweight = 10\n\n[B]\nstorage = 64M\ncps = 1\nweight = 10\n';
    const m = machineFrom({ iocp, profiles }, { preemptOnWake, traceSegments: 1000 });
    must(m.activate('A'));
    must(m.activate('B'));
    must(m.ipl('A', { source: phased([['wait', 3_000]]) }));
    must(m.ipl('B', { source: SPIN }));
    // B first in RESOURCE order runs a whole slice before A's first run sets its timer: 24 ms covers both orders.
    m.run({ ms: 24 });
    const { first, start } = runs(m, 'A');
    // The timer is due 3 ms after the STCK in A's first run: between that run's start and end, plus 3 ms.
    const wait = 3000 * m.costModel.mhz;
    return { m, earliest: first.start + wait, due: first.end + wait, start };
  };

  it('without preemption, a logical CP woken by its clock comparator waits for the running slice to end', () => {
    const { m, due, start } = sleeper(false, 'A first');
    expect(start).not.toBeNull();
    // B was dispatched right after A's first run, for 10 ms.
    expect(start!).toBeGreaterThanOrEqual(due - 3000 * m.costModel.mhz + 10_000 * m.costModel.mhz);
  });

  it('with preemption, it gets the physical CP at its timer (plus the dispatches), not at the slice end', () => {
    for (const order of ['A first', 'B first'] as const) {
      const { m, earliest, due, start } = sleeper(true, order);
      expect(start, order).not.toBeNull();
      // The running chunk ends at the earliest waiting timer; A wakes level with B (no banked credit) and selects
      // before it at once (A first on the tie) or after B's next chunk of at most 250 instructions (B first).
      const bound =
        due + m.costs.dispatchCycles + m.costs.cacheReloadCycles + 250 * 8 + m.costs.dispatchCycles;
      expect(start!, order).toBeGreaterThanOrEqual(earliest);
      expect(start!, order).toBeLessThan(bound);
      expect(m.counters().partitions.B!.preempted, order).toBe(1);
    }
  });

  it('is deterministic', () => {
    const a = sleeper(true, 'B first').m;
    const b = sleeper(true, 'B first').m;
    expect(a.counters()).toEqual(b.counters());
    expect(a.dispatchTrace()).toEqual(b.dispatchTrace());
  });
});
