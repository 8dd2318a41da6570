/**
 * shadow-vs-nested: mmu's ShadowPager and NestedWalker under the same guest
 * kernel (x86-64-shaped 4-level tables over 4-level host tables), priced by
 * isa-core's reference cost model. Shape only: the 2D walk's 24 references,
 * nested paging winning process creation, shadow paging winning the large
 * working set while remaps are rare, and one crossover as remaps grow.
 */
import { describe, expect, it } from 'vitest';
import { findReproduction } from '../src/repro/registry';
import { shadowVsNestedSweep } from '../src/repro/shadow-vs-nested';
import { runSweepInProcess } from '../src/repro/sweep';

interface Cost {
  cycles: number;
  cyclesPerAccess: number;
  tableStores: number;
  counters: Record<string, number>;
}
interface Figure {
  coldWalkReferences: number;
  processCreation: { shadow: Cost; nested: Cost; nestedSavesPercent: number };
  workingSet: { params: { remapsPerThousand: number }; shadow: Cost; nested: Cost }[];
  crossoverRemapsPerThousand: number | null;
}

describe('shadow-vs-nested', () => {
  const r = runSweepInProcess(shadowVsNestedSweep, 'quick');
  const j = r.json as Figure;

  it('is a registered sweep', () => {
    expect(findReproduction('shadow-vs-nested')?.sweep).toBe(shadowVsNestedSweep);
  });

  it('a cold two-dimensional walk of 4-level guest over 4-level host tables makes (4+1)(4+1) − 1 = 24 references', () => {
    expect(j.coldWalkReferences).toBe(24);
  });

  it('process creation: nested paging wins; shadow paging pays tracing faults for stores into traced tables', () => {
    const p = j.processCreation;
    expect(p.nested.cycles).toBeLessThan(p.shadow.cycles);
    expect(p.nestedSavesPercent).toBeGreaterThan(20);
    // Building a space stores into tables no shadow was made from yet; tearing it down stores into traced ones.
    expect(p.shadow.counters.tracingFaults).toBeGreaterThan(0);
    expect(p.shadow.counters.tracingFaults).toBeLessThan(p.shadow.tableStores);
    expect(p.nested.counters.tracingFaults ?? 0).toBe(0);
  });

  it('large working set: shadow paging wins without remaps; remaps cost shadow far more than nested; one crossover', () => {
    const ws = j.workingSet;
    expect(ws[0]!.params.remapsPerThousand).toBe(0);
    expect(ws[0]!.shadow.cycles).toBeLessThan(ws[0]!.nested.cycles);
    for (let i = 1; i < ws.length; i++) {
      expect(ws[i]!.shadow.cyclesPerAccess).toBeGreaterThan(ws[i - 1]!.shadow.cyclesPerAccess);
    }
    const shadowGrowth = ws.at(-1)!.shadow.cyclesPerAccess - ws[0]!.shadow.cyclesPerAccess;
    const nestedGrowth = ws.at(-1)!.nested.cyclesPerAccess - ws[0]!.nested.cyclesPerAccess;
    expect(shadowGrowth).toBeGreaterThan(3 * nestedGrowth);
    const winners = ws.map((p) => (p.nested.cycles < p.shadow.cycles ? 'nested' : 'shadow'));
    const flips = winners.filter((w, i) => i > 0 && w !== winners[i - 1]).length;
    expect(flips).toBe(1);
    expect(winners.at(-1)).toBe('nested');
    expect(j.crossoverRemapsPerThousand).toBe(ws[winners.indexOf('nested')]!.params.remapsPerThousand);
  });

  it('writes JSON, CSV and an SVG chart', () => {
    expect(r.files.map((f) => f.name).sort()).toEqual([
      'shadow-vs-nested.csv',
      'shadow-vs-nested.json',
      'shadow-vs-nested.svg',
    ]);
    expect(r.files.find((f) => f.name.endsWith('.svg'))!.content).toMatch(
      /^<svg[\s\S]*nested paging[\s\S]*<\/svg>\n$/,
    );
  });
});
