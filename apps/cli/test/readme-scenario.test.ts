/**
 * apps/cli/README.md's scenario examples are files a user can run:
 * examples/scenario.yaml is the README's YAML block byte for byte and a valid
 * scenario; examples/bad-scenario.yaml gives exactly the diagnostics the
 * README shows. Parsing only: running a scenario is demo-mainframe.test.ts's.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMainframe } from '../src/demo/mainframe/config';
import { formatDiagnostic } from '../src/diagnostics';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const readme = readFileSync(here('../README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('\n### Your own scenario\n'),
  readme.indexOf('\n### JSON report\n'),
);

/** The fenced blocks of a Markdown text with their info strings. */
function blocks(markdown: string): { info: string; content: string }[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ info: m[1]!, content: m[2]! }));
}

describe('README: Your own scenario', () => {
  it('the YAML block is examples/scenario.yaml, and it is a valid scenario', () => {
    const yaml = blocks(section).find((b) => b.info === 'yaml');
    const file = readFileSync(here('../examples/scenario.yaml'), 'utf8');
    expect(yaml?.content).toBe(file);
    const r = parseMainframe(file, 'examples/scenario.yaml');
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it('examples/bad-scenario.yaml gives the diagnostics the README shows, located', () => {
    const shown = blocks(section).find((b) =>
      b.content.startsWith('$ strachey demo --scenario apps/cli/examples/bad-scenario.yaml'),
    );
    const file = 'apps/cli/examples/bad-scenario.yaml';
    const r = parseMainframe(readFileSync(here('../examples/bad-scenario.yaml'), 'utf8'), file);
    expect(r.ok).toBe(false);
    const lines = r.ok ? [] : r.errors.map((e) => formatDiagnostic(e));
    expect(shown?.content).toBe(`$ strachey demo --scenario ${file}\n${lines.join('\n')}\n`);
  });

  it('a YAML syntax error says what is wrong once, at its file:line:column', () => {
    const r = parseMainframe('partitions:\n  - name: A\n    runs: [oops\n', 'my.yaml');
    expect(r.ok).toBe(false);
    const e = r.ok ? null : r.errors[0]!;
    expect(e).toMatchObject({ code: 'SYNTAX', file: 'my.yaml', line: 4, column: 1 });
    expect(e!.message).not.toMatch(/at line \d+, column \d+/);
    expect(e!.message).not.toMatch(/:$/);
    expect(section.replace(/\s+/g, ' ')).toContain(`${formatDiagnostic(e!)}\``);
  });
});
