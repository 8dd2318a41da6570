/**
 * The README's code examples run. Every ```ts block is a file under
 * examples/, byte for byte (its first line names the file), and runs to
 * the end with nothing on stderr; the plain ```text block that follows it
 * is its output, byte for byte (the figures are simulated, so they are
 * deterministic). Every ```iocp block parses as an IOCP deck and every
 * ```ini block as image profiles. (The ```sh block is the CLI's synopsis;
 * apps/cli's tests run the commands.)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// biome-ignore lint/correctness/noUnusedImports: type-only, so nothing runs here; it makes `tsc -p .` check the examples with the tests.
import type * as _hipersockets from '../examples/hipersockets';
// biome-ignore lint/correctness/noUnusedImports: as above.
import type * as _hosted from '../examples/hosted-kernel';
// biome-ignore lint/correctness/noUnusedImports: as above.
import type * as _ird from '../examples/ird';
// biome-ignore lint/correctness/noUnusedImports: as above.
import type * as _quickstart from '../examples/quickstart';
import { parseIocp, parseProfiles } from '../src/index';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The fenced blocks of a Markdown text in order: info string, content (with the final newline). */
function blocks(markdown: string): { info: string; content: string }[] {
  const out: { info: string; content: string }[] = [];
  let open: { info: string; lines: string[] } | null = null;
  for (const line of markdown.split('\n')) {
    if (open === null) {
      if (line.startsWith('```')) open = { info: line.slice(3).trim(), lines: [] };
    } else if (line === '```') {
      out.push({ info: open.info, content: `${open.lines.join('\n')}\n` });
      open = null;
    } else open.lines.push(line);
  }
  return out;
}

const all = blocks(readme);
const examples = all.flatMap((b, i) => {
  if (b.info !== 'ts') return [];
  const file = /^\/\/ (examples\/[a-z-]+\.ts)/.exec(b.content)?.[1] ?? '';
  const next = all[i + 1];
  return [{ file, content: b.content, output: next?.info === 'text' ? next.content : null }];
});

function run(file: string): { stdout: string; stderr: string; status: number | null } {
  return spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@strachey/source', file], {
    cwd: pkg,
    encoding: 'utf8',
    timeout: 110_000,
  });
}

describe('README examples', () => {
  it('has the examples this test knows, each naming its file', () => {
    expect(examples.map((e) => e.file)).toEqual([
      'examples/quickstart.ts',
      'examples/hosted-kernel.ts',
      'examples/ird.ts',
      'examples/hipersockets.ts',
    ]);
  });

  for (const e of examples) {
    it(`${e.file} is shown byte for byte, runs, and prints what the README shows`, {
      timeout: 120_000,
    }, () => {
      expect(e.content).toBe(readFileSync(new URL(`../${e.file}`, import.meta.url), 'utf8'));
      const r = run(e.file);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(e.output, `a \`\`\`text block with the output follows ${e.file}`).not.toBeNull();
      expect(r.stdout).toBe(e.output);
      if (e.file === 'examples/quickstart.ts') {
        // Shares of the shared CPs near the weights (10/20/30/40) within a slice's worth in 100 ms.
        const share = (name: string): number =>
          Number(new RegExp(`^${name} .*, ([0-9.]+) % of the shared CPs`, 'm').exec(r.stdout)?.[1]);
        for (const [name, w] of [
          ['MVS2', 10],
          ['MVS3', 20],
          ['MVS4', 30],
          ['MVS5', 40],
        ] as const) {
          expect(Math.abs(share(name) - w)).toBeLessThan(5);
        }
        expect(share('MVS5')).toBeGreaterThan(share('MVS4'));
        expect(share('MVS4')).toBeGreaterThan(share('MVS3'));
        expect(share('MVS3')).toBeGreaterThan(share('MVS2'));
      }
    });
  }

  it('every IOCP deck and image profile shown parses', () => {
    const decks = all.filter((b) => b.info === 'iocp');
    const profiles = all.filter((b) => b.info === 'ini');
    expect(decks.length).toBeGreaterThan(0);
    expect(profiles.length).toBeGreaterThan(0);
    for (const d of decks) expect(parseIocp(d.content, 'README.md').ok).toBe(true);
    for (const p of profiles) expect(parseProfiles(p.content, 'README.md').ok).toBe(true);
  });
});
