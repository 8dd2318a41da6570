/**
 * The sample outputs apps/cli/README.md shows (`$ strachey demo`,
 * `$ strachey demo --scenario bare-metal`, `$ strachey repro overhead-ladder`)
 * against what the code prints now. Their figures are simulated and
 * deterministic, so a README line that is not in the output is stale: the
 * tests (demo-mainframe, demo-cli, repro-ladder) fail on it, and running this
 * file refreshes the README in place after a change that moves the figures:
 *
 *   pnpm --filter @strachey/cli exec tsx --conditions=@strachey/source test/readme-samples.ts
 *
 * Elisions (`…`) and the wall-clock line stay as they are; a changed line is
 * replaced by the output line with the same indentation and leading words.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderBareMetal, runBareMetal } from '../src/demo/bare-metal';
import { mainframeScenario, runMainframe } from '../src/demo/mainframe/index';
import { SILENT_PROGRESS } from '../src/progress';
import { overheadLadderResult } from '../src/repro/overhead-ladder';

/** apps/cli/README.md. */
export const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** The samples: the command line that opens each fenced block. */
export const SAMPLES = {
  demo: '$ strachey demo',
  bareMetal: '$ strachey demo --scenario bare-metal',
  ladder: '$ strachey repro overhead-ladder --out /tmp/x',
} as const;

/** The message of a failing README comparison: how to bring the README up to date. */
export const REFRESH =
  'apps/cli/README.md shows figures this code no longer prints; refresh them with: pnpm --filter @strachey/cli exec tsx --conditions=@strachey/source test/readme-samples.ts';

/** A line that is not simulated (wall-clock speed) or elided: never compared. */
const free = (line: string): boolean =>
  line.trim() === '…' || /million guest instructions per second/.test(line);

/** The lines of the block that opens with `command` (the command line itself excluded), and where they are. */
export function sampleLines(
  readme: string,
  command: string,
): { start: number; end: number; lines: string[] } {
  const open = readme.indexOf(`\`\`\`\n${command}\n`);
  if (open < 0) throw new Error(`README.md has no block opening with '${command}'`);
  const start = open + 4 + command.length + 1;
  const end = readme.indexOf('\n```', start);
  return { start, end, lines: readme.slice(start, end).split('\n') };
}

/** The sample's lines that the output does not have. */
export function staleLines(readme: string, command: string, output: string): string[] {
  const have = new Set(output.split('\n'));
  return sampleLines(readme, command).lines.filter((l) => !free(l) && !have.has(l));
}

/** Replace each stale line by the one output line with its indentation and first words; unmatched lines stay. */
export function refreshSample(
  readme: string,
  command: string,
  output: string,
): { readme: string; unmatched: string[] } {
  const { start, end, lines } = sampleLines(readme, command);
  const out = output.split('\n');
  const have = new Set(out);
  const unmatched: string[] = [];
  const refreshed = lines.map((line) => {
    if (free(line) || have.has(line)) return line;
    const indent = /^\s*/.exec(line)![0];
    const words = line.trim().split(/\s+/);
    for (let k = 1; k <= words.length; k++) {
      const key = words.slice(0, k).join(' ');
      const hits = out.filter(
        (o) =>
          o.startsWith(indent) &&
          !/^\s/.test(o.slice(indent.length)) &&
          o.trim().split(/\s+/).slice(0, k).join(' ') === key,
      );
      if (hits.length === 1) return hits[0]!;
    }
    unmatched.push(line);
    return line;
  });
  return { readme: readme.slice(0, start) + refreshed.join('\n') + readme.slice(end), unmatched };
}

/** What each sample's command prints now (the simulated parts). */
export async function currentOutputs(): Promise<Record<keyof typeof SAMPLES, string>> {
  return {
    demo: mainframeScenario.renderText(await runMainframe({ progress: SILENT_PROGRESS })),
    bareMetal: renderBareMetal(await runBareMetal({ progress: SILENT_PROGRESS })),
    ladder: overheadLadderResult().text,
  };
}

async function main(): Promise<void> {
  const outputs = await currentOutputs();
  let readme = readFileSync(README, 'utf8');
  let failed = false;
  for (const [name, command] of Object.entries(SAMPLES) as [keyof typeof SAMPLES, string][]) {
    const before = staleLines(readme, command, outputs[name]);
    const r = refreshSample(readme, command, outputs[name]);
    readme = r.readme;
    process.stdout.write(`${command}: ${before.length - r.unmatched.length} line(s) refreshed\n`);
    for (const l of r.unmatched) {
      failed = true;
      process.stdout.write(`  no output line to replace: ${l}\n`);
    }
  }
  writeFileSync(README, readme);
  if (failed) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
