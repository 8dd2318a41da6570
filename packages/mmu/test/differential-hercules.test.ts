/**
 * Differential test against Hercules 3.13: random ESA/390 segment and page
 * tables, and programs that run LRA (31- and 24-bit addressing mode) and
 * DAT-on loads and stores through 48 addresses each. Hercules' condition
 * codes, R1 values, program-interruption codes and TEA must equal what
 * createEsa390Dat computes over the same storage contents.
 *
 * With `hercules` installed the programs run live; without it the test
 * compares against the recording made on Hercules 3.13 (record.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { herculesAvailable } from '@strachey/hercules-oracle';
import { describe, expect, it } from 'vitest';
import { fromHercules, fromMmu } from './hercules/compare';
import { generateScenario, isDatOn, runOnHercules } from './hercules/dat-programs';
import { DIFFERENTIAL_RUNS } from './hercules/runs';

const live = herculesAvailable();
const recorded = JSON.parse(readFileSync(join(import.meta.dirname, 'hercules', 'recorded-hercules-3.13.json'), 'utf8')) as Record<
  string,
  unknown
>;

describe(`ESA/390 DAT vs Hercules 3.13 (${live ? 'live' : 'recorded'})`, () => {
  for (const { seed, kind } of DIFFERENTIAL_RUNS) {
    // The settle ladder may need its longest pauses on a loaded machine.
    it.concurrent(`seed ${seed}, ${kind}: cc, R1, interruption codes and TEA agree`, { timeout: 60_000 }, async () => {
      const s = generateScenario(seed, { forDatOn: isDatOn(kind) });
      let hercules: unknown;
      if (live) {
        const results = await runOnHercules(s, kind);
        expect(results, 'Hercules finished the program and showed the result area').not.toBeNull();
        hercules = fromHercules(s, kind, results!);
      } else {
        hercules = recorded[`${seed}:${kind}`];
      }
      expect(fromMmu(s, kind)).toEqual(hercules);
    });
  }

  it('covers every outcome class (the generator is not degenerate)', () => {
    const outcomes = new Set<string>();
    for (const v of Object.values(recorded) as { outcome: string }[][]) {
      for (const o of v) outcomes.add(o.outcome.replace(/ [0-9a-f]{8}.*$/, '').replace(/ tea.*$/, ''));
    }
    for (const o of ['cc0', 'cc1', 'cc2', 'cc3', 'pgm 12', 'pgm 5', 'pgm 10', 'pgm 11', 'pgm 4', 'ok']) expect(outcomes).toContain(o);
  });
});
