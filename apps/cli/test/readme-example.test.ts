/**
 * The root README's "Compose your own system" example is examples/compose.ts,
 * byte for byte, and it runs: two CP users' guests reach their disabled
 * waits with the sums, the CP answers and the instruction counts the
 * architecture and the program determine.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// biome-ignore lint/correctness/noUnusedImports: type-only, so nothing runs here; it makes `tsc -p .` check the example with the tests.
import type * as _compose from '../examples/compose';

const cli = fileURLToPath(new URL('..', import.meta.url));
const examplePath = fileURLToPath(new URL('../examples/compose.ts', import.meta.url));
const readmePath = fileURLToPath(new URL('../../../README.md', import.meta.url));

/**
 * The fenced blocks of the section under `heading` in a Markdown text, in
 * order, each as its info string (`ts`, or '' for a plain fence) and its
 * content with the final newline.
 */
function sectionBlocks(markdown: string, heading: string): { info: string; content: string }[] {
  const at = markdown.indexOf(`\n${heading}\n`);
  if (at < 0) return [];
  const next = markdown.indexOf('\n## ', at + 1);
  const lines = markdown.slice(at + 1, next < 0 ? undefined : next + 1).split('\n');
  const blocks: { info: string; content: string }[] = [];
  let open: { info: string; lines: string[] } | null = null;
  for (const line of lines) {
    if (open === null) {
      if (line.startsWith('```')) open = { info: line.slice(3), lines: [] };
    } else if (line === '```') {
      blocks.push({ info: open.info, content: `${open.lines.join('\n')}\n` });
      open = null;
    } else open.lines.push(line);
  }
  return blocks;
}

const readme = (): { info: string; content: string }[] =>
  sectionBlocks(readFileSync(readmePath, 'utf8'), '## Compose your own system');

describe('README: Compose your own system', () => {
  it('shows examples/compose.ts byte for byte', () => {
    const block = readme().find((b) => b.info === 'ts');
    expect(block, 'README.md has a ```ts block under "## Compose your own system"').toBeDefined();
    expect(block?.content).toBe(readFileSync(examplePath, 'utf8'));
  });

  it('runs: both guests finish with their sums, CP answers each on its own console, and only the privileged instructions trap', {
    timeout: 120_000,
  }, () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=@strachey/source', examplePath],
      { cwd: cli, encoding: 'utf8', timeout: 110_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    // Both VMs end in their disabled wait well before the budget, so CP stops early.
    expect(lines[0]).toMatch(/^CP ran \d+ simulated cycles \(idle\), \d+ dispatches$/);
    const cycles = Number(/^CP ran (\d+)/.exec(lines[0]!)![1]);
    expect(cycles).toBeLessThan(10_000_000);
    const ratios: number[] = [];
    for (const [user, n] of [
      ['ALICE', 20_000],
      ['BOB', 60_000],
    ] as const) {
      const from = lines.findIndex((l) => l.startsWith(`${user}: `));
      expect(from, `${user}'s report`).toBeGreaterThan(0);
      const [state, userid, dasd, counts, overhead] = lines.slice(from, from + 5);
      // 1 + 2 + ... + n, as the guest's AR loop computes it (fits in 31 bits for both n).
      expect(state).toBe(`${user}: disabled-wait, SUM = ${(n * (n + 1)) / 2}`);
      // QUERY USERID answers with the VM's own user ID; QUERY VIRTUAL DASD shows its minidisk on the real volume.
      expect(userid).toBe(`  console: ${user} AT STRACHEY`);
      expect(dasd).toMatch(
        /^ {2}console: DASD 0191 3390 USR001 R\/W +10 CYL ON DASD [0-9A-F]{4} SUBCHANNEL = [0-9A-F]{4}$/,
      );
      // BALR L SR, n × (AR BCT), ST, 2 × (LA LA DIAG), LPSW; the two DIAGNOSEs and the LPSW trap to CP.
      expect(counts).toBe(
        `  ${2 * n + 11} guest instructions, 3 interceptions, emulated {"DIAG":2,"DIAG 008":2,"LPSW":1}`,
      );
      const ratio = Number(/= (\d+\.\d{3})$/.exec(overhead ?? '')?.[1]);
      expect(ratio).toBeGreaterThan(1);
      ratios.push(ratio);
    }
    // The same three traps weigh less against three times the guest work.
    expect(ratios[0]).toBeGreaterThan(ratios[1]!);
    // Simulated figures are deterministic, so the output the README shows is the output.
    const shown = readme().find((b) => b.info === '' && b.content.startsWith('CP ran '));
    expect(shown?.content, 'the README shows the example output in a plain block').toBe(run.stdout);
  });
});
