/**
 * `strachey repro`: the registry lists bvt-latency, the reproduction's
 * figures come out of the schedulers (the seed's 15 and 10, and the
 * ordering of the other policies), --json prints them, --out writes JSON,
 * CSV, SVG and a Perfetto trace, and a wrong name is a located user error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerRepro, runRepro } from '../src/commands/repro';
import { UserError } from '../src/diagnostics';
import { reproductions } from '../src/repro/registry';

function capture(): { out: string[]; err: string[]; io: { out(t: string): void; err(t: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t) => out.push(t), err: (t) => err.push(t) } };
}

interface Summary {
  policies: { policy: string; servedAt: number; latency: number; allDoneAt: number; why: string[] }[];
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('strachey repro', () => {
  it('lists the reproductions, as text and as JSON', async () => {
    const c = capture();
    await runRepro(undefined, {}, c.io);
    expect(c.out.join('')).toMatch(/^bvt-latency\s+now\s+Gerstel fig\. 4/m);
    // Every reproduction of reproductions.md is listed; those of the x86 half are marked for later.
    expect(c.out.join('')).toMatch(/^bt-vs-hw\s+later\s+/m);
    expect(c.out.join('')).toMatch(/^shadow-vs-nested\s+now, sweep\s+/m);
    expect(c.out.join('').trim().split('\n')).toHaveLength(10);
    const j = capture();
    await runRepro(undefined, { json: true }, j.io);
    expect(JSON.parse(j.out.join(''))).toContainEqual(expect.objectContaining({ name: 'bvt-latency' }));
    expect(new Set(reproductions.map((r) => r.name)).size).toBe(reproductions.length);
  });

  it('refuses an unknown reproduction with the list of known ones', async () => {
    const c = capture();
    try {
      await runRepro('bvt-latencyy', {}, c.io);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).diagnostics[0]).toMatchObject({ code: 'UNKNOWN_REPRODUCTION' });
      expect((error as UserError).message).toContain('bvt-latency');
    }
  });
});

describe('strachey repro bvt-latency', () => {
  it('reproduces the seed: round-robin serves the interruption at 15, BVT with warp 7 at 10', async () => {
    const c = capture();
    await runRepro('bvt-latency', { json: true }, c.io);
    const s = JSON.parse(c.out.join('')) as Summary;
    const at = (k: string): number => s.policies.find((p) => p.policy === k)!.servedAt;
    expect(at('round-robin')).toBe(15);
    expect(at('bvt-warp')).toBe(10);
    // Shape of the rest: preemption beats slice-end decisions, no warp is worst.
    expect(at('bvt-warp-preempt')).toBe(6);
    expect(at('bvt-warp-preempt')).toBeLessThan(at('bvt-warp-allowance'));
    expect(at('bvt-warp-allowance')).toBeLessThan(at('bvt-warp'));
    expect(at('bvt-no-warp')).toBeGreaterThan(at('round-robin'));
    for (const p of s.policies) {
      expect(p.latency).toBe(p.servedAt - 6);
      expect(p.allDoneAt).toBe(26);
      expect(p.why.length).toBeGreaterThan(1);
    }
  });

  it('prints a table and the reasons', async () => {
    const c = capture();
    await runRepro('bvt-latency', {}, c.io);
    const text = c.out.join('');
    expect(text).toContain('Simulated: 15 and 10');
    expect(text).toMatch(/BVT, C = 5, warp 7 \(seed\)\s+6\s+10\s+4\s+26/);
    expect(text).toContain('Decision at 10: E(P1) = A − W = 5 − 7 = -2');
  });

  it('writes JSON, CSV and an SVG Gantt chart per policy plus a Perfetto trace with --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strachey-repro-'));
    dirs.push(dir);
    const c = capture();
    await runRepro('bvt-latency', { json: true, out: dir }, c.io);
    expect(() => JSON.parse(c.out.join(''))).not.toThrow(); // stdout stays pure JSON
    expect(c.err.join('')).toContain(`files to ${dir}`);
    const files = readdirSync(dir).sort();
    for (const k of ['round-robin', 'bvt-no-warp', 'bvt-warp', 'bvt-warp-allowance', 'bvt-warp-preempt']) {
      expect(files).toEqual(
        expect.arrayContaining([`bvt-latency.${k}.json`, `bvt-latency.${k}.csv`, `bvt-latency.${k}.svg`]),
      );
    }
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    const svg = readFileSync(join(dir, 'bvt-latency.bvt-warp.svg'), 'utf8');
    expect(svg).toContain('served at 10');
    const csv = readFileSync(join(dir, 'bvt-latency.round-robin.csv'), 'utf8');
    expect(csv).toContain('round-robin,1,P1,15,16,1,block,false');
    const perfetto = JSON.parse(readFileSync(join(dir, 'bvt-latency.perfetto.json'), 'utf8')) as {
      traceEvents: { ph: string; pid: number }[];
    };
    expect(new Set(perfetto.traceEvents.map((e) => e.pid)).size).toBe(5);
    const trace = JSON.parse(readFileSync(join(dir, 'bvt-latency.bvt-warp.json'), 'utf8')) as {
      trace: { jobs: { label?: string; start: number }[] };
    };
    expect(trace.trace.jobs.find((j) => j.label === 'interruption')?.start).toBe(10);
  });

  it('reports an --out path that is not a directory as a located error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strachey-repro-'));
    dirs.push(dir);
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'keep me');
    try {
      await runRepro('bvt-latency', { out: file }, capture().io);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).diagnostics[0]).toMatchObject({ code: 'OUT_DIR_UNWRITABLE', file });
    }
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it.skipIf(!existsSync('/proc/self'))('reports an --out under /proc as a located error instead of spinning in mkdir', () => {
    // Node 20's mkdirSync(…, { recursive: true }) loops forever there; in a child process, so a regression
    // fails by its timeout instead of hanging the test run.
    const out = '/proc/strachey-no-such-dir/figures';
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@strachey/source', 'src/main.ts', 'repro', 'bvt-latency', '--out', out], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${out}: error OUT_DIR_UNWRITABLE: cannot write the output files: ENOENT`);
  }, 40_000);

  it('is wired into the command line', async () => {
    const program = new Command('strachey').exitOverride();
    registerRepro(program);
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    await program.parseAsync(['repro', 'bvt-latency', '--json'], { from: 'user' });
    const s = JSON.parse(writes.join('')) as Summary;
    expect(s.policies.map((p) => p.policy)).toContain('bvt-warp');
  });
});
