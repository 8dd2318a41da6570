/**
 * The same Hercules programs on isa-core's ESA/390 CPU with this package's
 * DAT attached (`createEsa390Machine({ dat: createEsa390Dat })`): the CPU's
 * LRA, DAT-on loads and stores, program-interruption codes and TEA must end
 * in the storage state Hercules 3.13 left (the recording of
 * differential-hercules.test.ts, itself checked live against Hercules).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AbsoluteAddress, createEsa390Machine } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { createEsa390Dat } from '../src/index';
import { fromHercules } from './hercules/compare';
import { type ProbeResult, RESULTS_ADDRESS, generateScenario, herculesScript, isDatOn } from './hercules/dat-programs';
import { DIFFERENTIAL_RUNS } from './hercules/runs';

const recorded = JSON.parse(readFileSync(join(import.meta.dirname, 'hercules', 'recorded-hercules-3.13.json'), 'utf8')) as Record<
  string,
  unknown
>;

/** Run a Hercules console script's `r` and `restart` commands on an isa-core machine with mmu DAT. */
function runOnStrachey(script: string, probes: number): ProbeResult[] {
  const machine = createEsa390Machine({ mainsize: 16 * 1024 * 1024, dat: (context, storage) => createEsa390Dat({ storage, context }) });
  for (const line of script.split('\n')) {
    const m = /^r ([0-9A-F]+)=([0-9A-F]+)$/.exec(line);
    if (m) {
      const base = Number.parseInt(m[1]!, 16);
      for (let i = 0; i < m[2]!.length; i += 2) machine.storage.write8((base + i / 2) as AbsoluteAddress, Number.parseInt(m[2]!.slice(i, i + 2), 16));
    } else if (line === 'restart') {
      machine.restart();
      machine.run(1_000_000);
    }
  }
  const out: ProbeResult[] = [];
  for (let i = 0; i < probes; i++) {
    const a = RESULTS_ADDRESS + 12 * i;
    const w = (k: number) => machine.storage.read32((a + k) as AbsoluteAddress) >>> 0;
    out.push({ word0: w(0), word1: w(4), word2: w(8) });
  }
  return out;
}

describe('isa-core CPU + mmu DAT vs Hercules 3.13 (recorded)', () => {
  // The secondary- and home-space programs switch with SET ADDRESS SPACE CONTROL (B219).
  for (const { seed, kind } of DIFFERENTIAL_RUNS) {
    it(`seed ${seed}, ${kind}`, () => {
      const s = generateScenario(seed, { forDatOn: isDatOn(kind) });
      const got = fromHercules(s, kind, runOnStrachey(herculesScript(s, kind), s.addresses.length));
      const expected = recorded[`${seed}:${kind}`] as { address: string; outcome: string }[];
      // Protection outcomes include the TEA Hercules stores with suppression on protection (page | X'4' | space bits).
      expect(got).toEqual(expected);
    });
  }
});
