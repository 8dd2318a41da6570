import { describe, expect, it } from 'vitest';
import { dispatchTraceEvents } from '../src/index';
import { cpsUsed, fourLpars, IDLE, machineFrom, must, SPIN, shares } from './fixtures';

const NAMES = ['LP1', 'LP2', 'LP3', 'LP4'];

function loaded(
  weights: number[],
  programs: Record<string, string> = {},
  opts: Parameters<typeof fourLpars>[1] = {},
) {
  const m = machineFrom(fourLpars(weights, { cps: 4, ...opts }));
  for (const n of NAMES) {
    must(m.activate(n));
    must(m.ipl(n, { source: programs[n] ?? SPIN, start: 'all' }));
  }
  return m;
}

describe('logical-CP dispatcher', () => {
  it('gives each partition weight / sum of weights under full load', () => {
    const m = loaded([10, 20, 30, 40]);
    m.run({ ms: 2 }); // settle
    const before = m.counters();
    m.run({ ms: 20 });
    const s = shares(m, before, NAMES);
    expect(s.LP1).toBeCloseTo(0.1, 1);
    expect(s.LP2).toBeCloseTo(0.2, 1);
    expect(s.LP3).toBeCloseTo(0.3, 1);
    expect(s.LP4).toBeCloseTo(0.4, 1);
    for (const [n, w] of [
      ['LP1', 0.1],
      ['LP2', 0.2],
      ['LP3', 0.3],
      ['LP4', 0.4],
    ] as const)
      expect(Math.abs(s[n]! - w)).toBeLessThan(0.02);
    // Every physical CP was busy: no idle time under full load.
    expect(m.counters().idleCycles).toBe(0);
  });

  it("lets an idle partition's share flow to the others in proportion to their weights", () => {
    const m = loaded([10, 20, 30, 40], { LP1: IDLE });
    m.run({ ms: 2 });
    const before = m.counters();
    m.run({ ms: 20 });
    const s = shares(m, before, NAMES);
    expect(s.LP1).toBe(0);
    expect(Math.abs(s.LP2! - 20 / 90)).toBeLessThan(0.02);
    expect(Math.abs(s.LP3! - 30 / 90)).toBeLessThan(0.02);
    expect(Math.abs(s.LP4! - 40 / 90)).toBeLessThan(0.02);
    // The idle partition's logical CPs released their physical CPs by the wait state.
    expect(m.counters().partitions.LP1!.releases.wait).toBe(4);
  });

  it('holds a capped partition at its share while others leave capacity idle', () => {
    const idle = { LP1: IDLE, LP2: IDLE, LP3: IDLE };
    const capped = loaded([10, 20, 30, 40], idle, { capped: ['LP4'] });
    const free = loaded([10, 20, 30, 40], idle);
    capped.run({ ms: 4 });
    free.run({ ms: 4 });
    const b1 = capped.counters();
    const b2 = free.counters();
    capped.run({ ms: 20 });
    free.run({ ms: 20 });
    // Share of 4 physical CPs: 40 / 100 × 4 = 1.6 CPs; uncapped it takes all four of its logical CPs.
    expect(cpsUsed(capped, b1, 'LP4')).toBeLessThanOrEqual(1.6 * 1.02);
    expect(cpsUsed(capped, b1, 'LP4')).toBeGreaterThan(1.6 * 0.9);
    expect(cpsUsed(free, b2, 'LP4')).toBeGreaterThan(3.5);
    expect(capped.counters().partitions.LP4!.releases.cap).toBeGreaterThan(0);
  });

  it('never gives a partition more physical CPs than it has logical CPs', () => {
    const m = loaded([10, 10, 10, 970], { LP1: IDLE, LP2: IDLE, LP3: IDLE }, { lcps: 2 });
    m.run({ ms: 2 });
    const before = m.counters();
    m.run({ ms: 10 });
    expect(cpsUsed(m, before, 'LP4')).toBeLessThanOrEqual(2);
    expect(cpsUsed(m, before, 'LP4')).toBeGreaterThan(1.8);
  });

  it('follows a weight change made while the partitions run (IRD CPU management)', () => {
    const m = loaded([25, 25, 25, 25]);
    m.run({ ms: 4 });
    let before = m.counters();
    m.run({ ms: 10 });
    expect(Math.abs(shares(m, before, NAMES).LP1! - 0.25)).toBeLessThan(0.02);
    must(m.setWeight('LP1', 75));
    m.run({ ms: 2 });
    before = m.counters();
    m.run({ ms: 10 });
    expect(Math.abs(shares(m, before, NAMES).LP1! - 0.5)).toBeLessThan(0.03);
  });

  it('charges lpar-dispatch per dispatch, so overhead falls as the slice grows', () => {
    const overhead = (slice: string): number => {
      const m = loaded([10, 20, 30, 40], {}, { slice });
      m.run({ ms: 30 });
      const c = m.counters();
      // Every dispatch paid the firmware path; a dispatch after another logical CP also the cache reload.
      expect(c.overheadCycles).toBeGreaterThanOrEqual(c.dispatches * m.costs.dispatchCycles);
      return c.overheadCycles / (c.overheadCycles + c.busyCycles);
    };
    const short = overhead('1ms');
    const long = overhead('5ms');
    expect(long).toBeLessThan(short / 3);
  });

  it('runs dedicated logical CPs on their own physical CPs, outside the weights', () => {
    const text = fourLpars([10, 20, 30, 40], { cps: 4 });
    text.profiles = text.profiles.replace(
      '[LP1]\nstorage = 64M\nmode = zone\ncps = 4\nweight = 10\n',
      '[LP1]\nstorage = 64M\nmode = zone\ncps = 2\ndedicated = yes\n',
    );
    const m = machineFrom(text);
    for (const n of NAMES) {
      must(m.activate(n));
      must(m.ipl(n, { source: SPIN, start: 'all' }));
    }
    expect(m.sharedPhysicalCps).toBe(2);
    const before = m.counters();
    m.run({ ms: 30 });
    // Two full physical CPs for LP1 (less the one dispatch each paid at activation), and no dispatch since.
    expect(cpsUsed(m, before, 'LP1')).toBeGreaterThan(1.97);
    expect(m.counters().partitions.LP1!.dispatches).toBe(2);
    const s = shares(m, before, ['LP2', 'LP3', 'LP4']);
    expect(Math.abs(s.LP2! - 20 / 90)).toBeLessThan(0.03);
    expect(Math.abs(s.LP4! - 40 / 90)).toBeLessThan(0.03);
  });

  it('lets a dedicated physical CP idle while its logical CP waits, without holding up the others', () => {
    const text = fourLpars([10, 20, 30, 40], { cps: 3 });
    text.profiles = text.profiles.replace(
      '[LP1]\nstorage = 64M\nmode = zone\ncps = 4\nweight = 10\n',
      '[LP1]\nstorage = 64M\nmode = zone\ncps = 1\ndedicated = yes\n',
    );
    const m = machineFrom(text);
    for (const n of NAMES) {
      must(m.activate(n));
      must(m.ipl(n, { source: n === 'LP1' ? IDLE : SPIN, start: 'all' }));
    }
    const before = m.counters();
    const r = m.run({ ms: 5 });
    expect(r.reason).toBe('budget');
    expect(m.logicalCps('LP1')[0]!.state).toBe('waiting');
    expect(cpsUsed(m, before, 'LP1')).toBeLessThan(0.001);
    // Only the dedicated CP idled: the two shared ones stayed busy with the others (guest work plus dispatching).
    const after = m.counters();
    expect(after.idleCycles - before.idleCycles).toBeLessThanOrEqual((after.time - before.time) * 1.01);
    expect(after.idleCycles - before.idleCycles).toBeGreaterThan((after.time - before.time) * 0.95);
    expect(cpsUsed(m, before, 'LP4')).toBeGreaterThan(cpsUsed(m, before, 'LP2'));
  });

  it('with 60 partitions (the PR/SM maximum, 4 LCSSs) on 8 shared CPs, every partition gets its weight share', () => {
    const names = Array.from({ length: 60 }, (_, i) => `P${i + 1}`);
    const groups = [0, 1, 2, 3].map(
      (css) =>
        `(CSS(${css}),${names
          .slice(css * 15, css * 15 + 15)
          .map((n, k) => `(${n},${(k + 1).toString(16).toUpperCase()})`)
          .join(',')})`,
    );
    let profiles = '[CPC]\nstorage = 4G\ncps = 8\nhsa = 64M\nslice = 200us\n';
    names.forEach((n, i) => {
      profiles += `[${n}]\nstorage = 32M\ncps = 1\nweight = ${i < 30 ? 10 : 30}\n`;
    });
    const m = machineFrom({ iocp: ` RESOURCE PARTITION=(${groups.join(',')})\n`, profiles });
    for (const n of names) {
      must(m.activate(n));
      must(m.ipl(n, { source: SPIN }));
    }
    m.run({ ms: 4 });
    const before = m.counters();
    m.run({ ms: 24 });
    const s = shares(m, before, names);
    // Weights 10 and 30 (1200 in all): 10/1200 and 30/1200 of the guest cycles, within a slice or so of 24 ms.
    for (const [i, n] of names.entries())
      expect(Math.abs(s[n]! - (i < 30 ? 10 : 30) / 1200)).toBeLessThan(0.15 * ((i < 30 ? 10 : 30) / 1200));
    // Every decision found a logical CP to dispatch: all 60 are CPU-bound.
    const after = m.counters();
    expect(after.idleCycles - before.idleCycles).toBe(0);
    expect(after.dispatches - before.dispatches).toBeGreaterThan(60 * 4);
  });

  it('is deterministic: the same machine and programs give the same counters', () => {
    const a = loaded([10, 20, 30, 40], { LP2: IDLE });
    const b = loaded([10, 20, 30, 40], { LP2: IDLE });
    a.run({ ms: 5 });
    b.run({ ms: 5 });
    expect(a.counters()).toEqual(b.counters());
  });
});

describe('dispatch trace', () => {
  it('records every dispatch with its physical CP and why it ended, and exports trace events', () => {
    const m = machineFrom(fourLpars([10, 20, 30, 40], { cps: 2, lcps: 1 }), { traceSegments: 10_000 });
    for (const n of NAMES) {
      must(m.activate(n));
      must(m.ipl(n, { source: n === 'LP1' ? IDLE : SPIN }));
    }
    m.run({ ms: 4 });
    const { segments, dropped } = m.dispatchTrace();
    expect(dropped).toBe(0);
    // One segment per dispatch (closed or still running).
    expect(segments.length).toBe(m.counters().dispatches);
    expect(segments.filter((s) => s.partition === 'LP1').map((s) => s.reason)).toEqual(['wait']);
    // On each physical CP the segments never overlap and are separated at least by the dispatch cost.
    for (const cp of [0, 1]) {
      const mine = segments.filter((s) => s.physical === cp).sort((a, b) => a.start - b.start);
      for (let i = 1; i < mine.length; i++)
        expect(mine[i]!.start - mine[i - 1]!.end).toBeGreaterThanOrEqual(m.costs.dispatchCycles);
    }
    expect(segments.filter((s) => s.reason === 'running').length).toBe(2);
    const file = dispatchTraceEvents(segments, m.costModel.mhz, m.physicalCps);
    const x = file.traceEvents.filter((e) => e.ph === 'X');
    expect(x.length).toBe(segments.length);
    expect(new Set(x.map((e) => e.tid))).toEqual(new Set([1, 2]));
    expect(x.every((e) => (e.dur ?? -1) >= 0)).toBe(true);
  });
});
