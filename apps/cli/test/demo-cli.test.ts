import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type BareMetalReport, renderBareMetal } from '../src/demo/bare-metal';
import { parseBudget } from '../src/commands/demo';
import { UserError } from '../src/diagnostics';
import { README, REFRESH, SAMPLES, staleLines } from './readme-samples';

const cli = fileURLToPath(new URL('..', import.meta.url));
const strachey = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@strachey/source', 'src/main.ts', ...args], {
    cwd: cli,
    encoding: 'utf8',
    timeout: 120_000,
  });

describe('strachey demo (the command)', () => {
  it('runs the bare-metal demo and prints its report as JSON', () => {
    const run = strachey('demo', '--scenario', 'bare-metal', '--json');
    expect(run.status).toBe(0);
    // Not a terminal: no status line.
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as BareMetalReport;
    expect(report.scenario).toBe('bare-metal');
    expect(report.outcome).toBe('ok');
    const sieve = report.tasks.find((t) => t.name === 'SIEVE');
    const collatz = report.tasks.find((t) => t.name === 'COLLATZ');
    // π(10^6) = 78,498, the largest prime below 10^6 is 999,983 (OEIS A006880, A003618);
    // below 100,000 the longest Collatz chain starts at 77,031 and takes 350 steps (OEIS A006877/A006878).
    expect(report.guest.parameters.sieveLimit).toBe(1_000_000);
    expect(sieve?.results.slice(0, 2)).toEqual([78_498, 999_983]);
    expect(report.guest.parameters.collatzLimit).toBe(100_000);
    expect(collatz?.results.slice(0, 2)).toEqual([77_031, 350]);
    expect(report.psw).toBe('000A000000000000');
    expect(Object.keys(report).at(-1)).toBe('host');
    expect(report.host.wallSeconds).toBeGreaterThan(0);
    // apps/cli/README.md shows this report as text: every line but the wall-clock one must be this run's.
    expect(staleLines(readFileSync(README, 'utf8'), SAMPLES.bareMetal, renderBareMetal(report)), REFRESH).toEqual([]);
  });

  it('exits 1 and says why when the budget ends before the guest', () => {
    const run = strachey('demo', '--scenario', 'bare-metal', '--budget', '20k');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('instruction budget ran out');
    expect(run.stdout).toContain('20,000');
  });

  it('exits 2 on a budget that is not a count', () => {
    const run = strachey('demo', '--scenario', 'bare-metal', '--budget', 'lots');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      "error DEMO_BUDGET: --budget expects a positive instruction count such as 250000, 250k or 50M, found 'lots'",
    );
    expect(run.stdout).toBe('');
  });

  it('exits 2 on an unknown scenario and on a --guest source that does not assemble, saying where', () => {
    const unknown = strachey('demo', '--scenario', 'nope');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      "error DEMO_SCENARIO: no scenario 'nope'; expected one of: mainframe, bare-metal, or a scenario file (.yaml, .json)",
    );
    const dir = mkdtempSync(join(tmpdir(), 'strachey-demo-'));
    try {
      const shipped = readFileSync(join(cli, 'src/demo/guest/supervisor.asm'), 'utf8');
      const broken = shipped.replace(
        '         SVC   3                      EXIT',
        '         SVC   3,1                    EXIT',
      );
      expect(broken).not.toBe(shipped);
      const line = broken.split('\n').findIndex((l) => l.includes('SVC   3,1')) + 1;
      const file = join(dir, 'mine.asm');
      writeFileSync(file, broken);
      const run = strachey('demo', '--guest', file);
      expect(run.status).toBe(2);
      expect(run.stderr.startsWith(`${file}:${line}:`)).toBe(true);
      expect(run.stderr).toContain(': error ');
      expect(run.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads budgets with k, M and G suffixes', () => {
    expect(parseBudget('250000')).toBe(250_000);
    expect(parseBudget('250k')).toBe(250_000);
    expect(parseBudget('1.5M')).toBe(1_500_000);
    expect(parseBudget('2G')).toBe(2_000_000_000);
    for (const bad of ['0', '-5', '1e6', '', '12x']) expect(() => parseBudget(bad)).toThrow(UserError);
  });
});
