/**
 * The PR/SM reproductions: lpar-weights (shares equal weights under full
 * load, an idle partition's share flows to the others, capping holds, IRD
 * weights), irdyn-storage (block table grows by non-adjacent blocks while
 * running, zones only into adjacent storage) and smp-scaling (a smaller run
 * of the same experiment). Shapes and bands, not printed text.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runRepro } from '../src/commands/repro';
import { checkTraceEvents } from '../src/commands/trace';
import { irdynStorageResult } from '../src/repro/irdyn-storage';
import { expectedShares, lparWeightsResult } from '../src/repro/lpar-weights';
import { findReproduction } from '../src/repro/registry';
import { runSmpScaling } from '@strachey/prsm';
import { smpScalingResult, smpScalingSweep } from '../src/repro/smp-scaling';
import { runSweepInProcess } from '../src/repro/sweep';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('PR/SM reproductions', () => {
  it('are registered', () => {
    for (const n of ['lpar-weights', 'irdyn-storage', 'smp-scaling']) expect(findReproduction(n)?.name).toBe(n);
  });

  it('lpar-weights: measured shares follow the weights, idle share flows, capping holds, IRD weights apply', () => {
    const r = lparWeightsResult(20);
    const j = r.json as {
      fullLoad: { share: Record<string, number>; cps: Record<string, number> };
      mvs2Idle: { share: Record<string, number> };
      capping: { shareCps: number; capped: number; uncapped: number };
      ird: { share: Record<string, number> };
      weightSets: { weights: number[]; expected: Record<string, number>; measured: Record<string, number>; maxError: number }[];
    };
    const weights: Record<string, number> = { MVS2: 10, MVS3: 20, MVS4: 30, MVS5: 40 };
    for (const [n, w] of Object.entries(weights)) expect(Math.abs(j.fullLoad.share[n]! - w / 100)).toBeLessThan(0.02);
    expect(j.fullLoad.cps.MVS1).toBeGreaterThan(1.99);
    expect(j.mvs2Idle.share.MVS2).toBe(0);
    for (const n of ['MVS3', 'MVS4', 'MVS5']) expect(Math.abs(j.mvs2Idle.share[n]! - weights[n]! / 90)).toBeLessThan(0.02);
    expect(j.capping.capped).toBeLessThan(j.capping.shareCps * 1.03);
    expect(j.capping.capped).toBeGreaterThan(j.capping.shareCps * 0.9);
    expect(j.capping.uncapped).toBeGreaterThan(3.9);
    expect(Math.abs(j.ird.share.MVS2! - 50 / 140)).toBeLessThan(0.02);
    // Other weight sets: shares follow the weights; a weight worth more than 4 logical CPs gets 4 CPs and the rest flows on.
    expect(j.weightSets.map((x) => x.weights.join('/'))).toEqual(['25/25/25/25', '40/30/20/10', '5/5/10/80']);
    for (const x of j.weightSets) expect(x.maxError).toBeLessThan(0.03);
    const greedy = j.weightSets[2]!;
    expect(greedy.measured.MVS5!).toBeLessThan(0.8 - 0.2);
    expect(greedy.measured.MVS2! / greedy.measured.MVS4!).toBeCloseTo(0.5, 1);
    expect(r.files.map((f) => f.name).sort()).toEqual(['lpar-weights.csv', 'lpar-weights.json', 'lpar-weights.perfetto.json', 'lpar-weights.svg']);
    expect(r.files.find((f) => f.name.endsWith('.svg'))!.content).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    // The full-load run's dispatches as a Perfetto trace (strachey trace repro lpar-weights): one track per physical CP.
    const trace = JSON.parse(r.files.find((f) => f.name === 'lpar-weights.perfetto.json')!.content) as { traceEvents: { ph: string; tid: number }[] };
    expect(checkTraceEvents(trace)).toEqual([]);
    expect(new Set(trace.traceEvents.filter((e) => e.ph === 'X').map((e) => e.tid)).size).toBe(10);
  });

  it('expected shares: by weight, never above the logical-CP cap, all of it handed out (water-filling)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 999 }), { minLength: 2, maxLength: 6 }), fc.double({ min: 0.2, max: 1, noNaN: true }), (weights, cap) => {
        fc.pre(cap * weights.length >= 1);
        const s = expectedShares(weights, cap);
        expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        for (const x of s) expect(x).toBeLessThanOrEqual(cap + 1e-12);
        // Among the partitions below the cap, shares are proportional to weights.
        const free = weights.map((w, i) => [w, s[i]!] as const).filter(([, x]) => x < cap - 1e-12);
        for (const [w, x] of free) expect(x / w).toBeCloseTo(free[0]![1] / free[0]![0], 9);
      }),
    );
    expect(expectedShares([10, 20, 30, 40], 0.5)).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it('irdyn-storage: the block table grows by non-adjacent blocks while running; a zone only into adjacent storage', () => {
    const j = irdynStorageResult().json as { steps: { step: string; zone: { ok: boolean; lp1Sees: number }; blocks: { ok: boolean; lp1Sees: number } }[] };
    const [initial, free, donor, adjacent] = j.steps;
    expect(initial!.zone.lp1Sees).toBe(256);
    expect(initial!.blocks.lp1Sees).toBe(256);
    expect([free!.zone.ok, free!.blocks.ok, free!.blocks.lp1Sees]).toEqual([false, true, 320]);
    expect([donor!.zone.ok, donor!.blocks.ok, donor!.blocks.lp1Sees]).toEqual([false, true, 384]);
    expect([adjacent!.zone.ok, adjacent!.zone.lp1Sees, adjacent!.blocks.ok, adjacent!.blocks.lp1Sees]).toEqual([true, 320, true, 448]);
    expect(free!.zone.lp1Sees).toBe(256);
  });

  it('smp-scaling (the quick sweep): rises, peaks and falls; n = 5 % peaks later than n = 10 %; a 2-way loses about n', () => {
    const r = runSweepInProcess(smpScalingSweep, 'quick');
    const j = r.json as { curves: { n: number; peak: number; points: { cpus: number; relative: number; analytic: number }[] }[] };
    const [ten, five] = j.curves;
    expect([ten!.n, five!.n]).toEqual([0.1, 0.05]);
    for (const c of [ten!, five!]) {
      const top = c.points.find((p) => p.cpus === c.peak)!;
      expect(c.peak).toBeGreaterThan(2);
      expect(c.peak).toBeLessThan(c.points.at(-1)!.cpus);
      // Beyond the peak the curve falls: the last count is well below it.
      expect(c.points.at(-1)!.relative).toBeLessThan(top.relative * 0.9);
      const two = c.points.find((p) => p.cpus === 2)!;
      expect(Math.abs(two.relative - (2 - 2 * c.n))).toBeLessThan(0.06);
      expect(two.analytic).toBeCloseTo(2 - 2 * c.n, 10);
    }
    expect(five!.peak).toBeGreaterThan(ten!.peak);
    expect(r.files.map((f) => f.name).sort()).toEqual(['smp-scaling.csv', 'smp-scaling.json', 'smp-scaling.svg']);
  });

  it('smp-scaling run point by point equals the curve prsm measures in one call', () => {
    const r = smpScalingResult([1, 2, 3], 0.5);
    const j = r.json as { curves: { n: number; points: { cpus: number; throughput: number }[] }[] };
    for (const c of j.curves) {
      const whole = runSmpScaling({ n: c.n, cpus: [1, 2, 3], ms: 0.5 });
      expect(whole.ok).toBe(true);
      if (whole.ok) expect(c.points.map((p) => p.throughput)).toEqual(whole.value.points.map((p) => p.throughput));
    }
  });

  it('writes JSON, CSV and SVG with --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strachey-irdyn-'));
    dirs.push(dir);
    const out: string[] = [];
    await runRepro('irdyn-storage', { out: dir, json: true }, { out: (t) => out.push(t), err: () => {} });
    expect(readdirSync(dir).sort()).toEqual(['irdyn-storage.csv', 'irdyn-storage.json', 'irdyn-storage.svg']);
    expect(JSON.parse(readFileSync(join(dir, 'irdyn-storage.json'), 'utf8'))).toEqual(JSON.parse(out.join('')));
  });
});
