/**
 * Re-record what Hercules 3.13 does for the differential scenarios:
 * `npx tsx --conditions=@strachey/source test/hercules/record.ts`.
 * The recording lets the differential test check mmu where Hercules is not installed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateScenario, isDatOn, runOnHercules } from './dat-programs';
import { fromHercules } from './compare';
import { DIFFERENTIAL_RUNS } from './runs';

const recorded: Record<string, unknown> = {};
for (const { seed, kind } of DIFFERENTIAL_RUNS) {
  const s = generateScenario(seed, { forDatOn: isDatOn(kind) });
  const results = await runOnHercules(s, kind);
  if (results === null) throw new Error(`no results from Hercules for seed ${seed} ${kind}`);
  recorded[`${seed}:${kind}`] = fromHercules(s, kind, results);
}
writeFileSync(join(import.meta.dirname, 'recorded-hercules-3.13.json'), `${JSON.stringify(recorded, null, 1)}\n`);
