/**
 * overhead-ladder: the same ESA/390 workload bare, in a PR/SM partition
 * beside busy partitions, under CP with SIE and by trap-and-emulate, and
 * priced as full emulation. Shape only: the seeds' ordering and bands, and
 * that every layer ran the workload to the same end.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INTERPRETER, overheadLadderResult, type Rung } from '../src/repro/overhead-ladder';
import { findReproduction } from '../src/repro/registry';
import { README, REFRESH, SAMPLES, staleLines } from './readme-samples';

describe('overhead-ladder', () => {
  const r = overheadLadderResult();
  const rungs = (r.json as { rungs: Rung[] }).rungs;
  const at = (k: string): Rung => rungs.find((x) => x.key === k)!;

  it('is registered', () => {
    expect(findReproduction('overhead-ladder')?.name).toBe('overhead-ladder');
  });

  it("apps/cli/README.md's example shows this run's table", () => {
    // Simulated and deterministic: a README row that is not in the table is stale.
    expect(staleLines(readFileSync(README, 'utf8'), SAMPLES.ladder, r.text), REFRESH).toEqual([]);
  });

  it('every layer runs the workload to its final wait with the same disk reads and the same work', () => {
    const bare = at('bare');
    expect(bare.psw).toEqual([0x000a0000, 0]);
    for (const x of rungs) {
      expect(x.psw).toEqual([0x000a0000, 0]);
      expect(x.reads).toBe(bare.reads);
      // Only the handlers' instructions may differ (the layers time ticks and disk ends differently): a few per million.
      expect(Math.abs(x.instructions - bare.instructions) / bare.instructions).toBeLessThan(1e-5);
    }
  });

  it('has the seeds’ shape: PR/SM about 1 %, SIE under 5 %, trap-and-emulate above SIE, emulation a factor of 10 or worse', () => {
    expect(at('bare').overheadPercent).toBe(0);
    const prsm = at('prsm').overheadPercent;
    expect(prsm).toBeGreaterThan(0.3);
    expect(prsm).toBeLessThan(3);
    const sie = at('cp-sie').overheadPercent;
    expect(sie).toBeGreaterThan(0);
    expect(sie).toBeLessThan(5);
    expect(at('cp-trap-and-emulate').overheadPercent).toBeGreaterThan(sie);
    const emulation = at('full-emulation');
    expect(emulation.totalCycles / at('bare').totalCycles).toBeGreaterThanOrEqual(10);
    expect(emulation.breakdown['host instructions per guest instruction']).toBe(
      INTERPRETER.hostInstructionsPerGuestInstruction,
    );
    // Entering SIE 25 times as often costs more than a few per cent: the overhead follows the entries.
    const dflt = at('cp-sie-default-quantum');
    expect(Number(dflt.breakdown['SIE entries'])).toBeGreaterThan(
      10 * Number(at('cp-sie').breakdown['SIE entries']),
    );
    expect(dflt.overheadPercent).toBeGreaterThan(sie);
  });

  it('layer cycles come from the layers’ counters: PR/SM dispatches, CP interceptions, shadow fills', () => {
    expect(at('prsm').breakdown.dispatches).toBeGreaterThan(1);
    expect(at('cp-sie').breakdown['SIE entries']).toBeGreaterThan(0);
    expect(at('cp-trap-and-emulate').breakdown.interceptions).toBeGreaterThan(
      at('cp-sie').breakdown.interceptions!,
    );
    expect(at('cp-trap-and-emulate').breakdown['shadow fills']).toBeGreaterThan(0);
  });

  it('writes JSON, CSV and an SVG chart', () => {
    expect(r.files.map((f) => f.name).sort()).toEqual([
      'overhead-ladder.csv',
      'overhead-ladder.json',
      'overhead-ladder.svg',
    ]);
    expect(r.files.find((f) => f.name.endsWith('.svg'))!.content).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    expect(r.files.find((f) => f.name.endsWith('.csv'))!.content.split('\n')[0]).toBe(
      'layer,guest_instructions,guest_cycles,layer_cycles,total_cycles,overhead_percent,ticks,reads',
    );
  });
});
