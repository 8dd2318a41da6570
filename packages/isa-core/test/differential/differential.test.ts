/**
 * Differential test: 1,000 random programs (seeded, from the instruction
 * table) and a few targeted ones, each one console script run unchanged on
 * Debian's Hercules 3.13 and on isa-core; the PSW, the general registers,
 * the data area and the interruption fields of low core must agree, except
 * for the divergences listed, with reasons, in explained.ts.
 *
 * A failure writes a report (listing, script, differences per case) to the
 * file named in the message; re-run one case with
 * `strachey run --arch esa390 --script CASE.rc` and on Hercules with the
 * same script.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommandOutput,
  endsInWait,
  herculesAvailable,
  type HerculesCaseResult,
  parseHerculesOutput,
  runHerculesCases,
} from '@strachey/hercules-oracle';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConsoleScript, runConsoleScript } from '../../src/esa390/console/index';
import { caseState, compareStates, describeDivergences, type Divergence } from './compare';
import { AWAITING_FIX, type DivergenceRule, EXPLAINED } from './explained';
import { type DifferentialCase, END_IA, GENERATED_ROWS, generateCase, PROGRAM_NEW_IA } from './generator';

const SEED = 390;
const COUNT = 1000;
/** Far more than any generated program executes (no backward branches). */
const BUDGET = 100_000;

const cases: DifferentialCase[] = Array.from({ length: COUNT }, (_, i) => generateCase(SEED, i));

/** The case's script on isa-core, its log read back with the oracle's parser. */
function runOnIsaCore(c: { id: string; script: string }): { commands: readonly CommandOutput[]; stop: string } {
  const r = runConsoleScript(c.script, `${c.id}.rc`, { echo: true, budget: BUDGET });
  if (!r.ok) throw new Error(`${c.id}: ${r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('; ')}`);
  if (r.error) throw new Error(`${c.id}: ${r.error.message}`);
  return { commands: parseHerculesOutput(r.output.join('\n'), c.script).commands, stop: r.state.stop };
}

describe('the program generator', () => {
  it('is deterministic: the same seed gives the same scripts', () => {
    expect(generateCase(SEED, 17).script).toBe(cases[17]!.script);
    expect(generateCase(SEED + 1, 17).script).not.toBe(cases[17]!.script);
  });

  it('writes scripts the console parser accepts, each ending in LPSW to a disabled wait', () => {
    for (const c of cases) {
      const p = parseConsoleScript(c.script, c.id);
      expect(p.ok, c.id).toBe(true);
      expect(c.listing).toMatch(/LPSW +2112\(0\)/);
    }
  });

  it('draws every instruction of the generated subset in 1,000 programs', () => {
    const seen = new Set(cases.flatMap((c) => c.mnemonics.map((m) => m.replace(/^EX:/, ''))));
    const undrawn = GENERATED_ROWS.map((r) => r.mnemonic).filter((m) => !seen.has(m));
    // Each row with a recipe is drawn about a hundred times in 1,000 programs,
    // so an undrawn row is one added to the table after the generator: it is
    // named here, and the rest of the suite keeps running.
    if (undrawn.length > 0) console.warn(`differential generator: no recipe yet for ${undrawn.join(', ')} (generator.ts)`);
    expect(undrawn.length).toBeLessThanOrEqual(Math.floor(GENERATED_ROWS.length / 10));
    for (const m of ['L', 'AR', 'MVC', 'MVCL', 'CLCL', 'EX', 'TRT', 'CVB', 'CS', 'CDS', 'BXH', 'BRXLE', 'BSM', 'BASSM', 'PACK', 'UNPK']) {
      expect(seen.has(m), m).toBe(true);
    }
  });

  it('starts programs in supervisor state, problem state and with a nonzero key, and puts privileged instructions only in problem state', () => {
    const starts = new Map<string, number>();
    for (const c of cases) starts.set(c.start, (starts.get(c.start) ?? 0) + 1);
    expect(starts.get('supervisor')).toBeGreaterThan(600);
    expect(starts.get('problem')).toBeGreaterThan(100);
    expect(starts.get('supervisor-key')).toBeGreaterThan(100);
    const traps = cases.filter((c) => c.mnemonics.some((m) => m.startsWith('trap:')));
    expect(traps.every((c) => c.start === 'problem')).toBe(true);
    expect(new Set(traps.flatMap((c) => c.mnemonics.filter((m) => m.startsWith('trap:')))).size).toBeGreaterThan(20);
  });
});

describe('the programs on isa-core alone', () => {
  it('every program stops in one of its disabled waits, without a host exception', () => {
    for (const c of cases) {
      const { commands, stop } = runOnIsaCore(c);
      const state = caseState(commands);
      expect(stop, c.id).toBe('disabled-wait');
      const ia = Number.parseInt(state.psw!.slice(8), 16) & 0x7fffffff;
      expect([END_IA, PROGRAM_NEW_IA], `${c.id} ended at ${state.psw}`).toContain(ia);
    }
  });
});

/**
 * A Hercules case counts only when it ended in a wait and every display
 * command printed under its own echo (a log garbled by interleaving threads
 * is run again).
 */
function wholeCase(commands: readonly CommandOutput[]): boolean {
  if (!endsInWait(commands)) return false;
  if (!commands.some((c) => c.text === 'gpr' && c.items.some((i) => i.kind === 'gpr'))) return false;
  for (const c of commands) {
    // `r S.L` / `r S-E` prints one line per 16 bytes (the compared areas never end a line at a page end).
    const m = /^r ([0-9A-F]+)([.-])([0-9A-F]+)$/.exec(c.text);
    if (!m) continue;
    const start = Number.parseInt(m[1]!, 16);
    const end = m[2] === '.' ? start + Number.parseInt(m[3]!, 16) - 1 : Number.parseInt(m[3]!, 16);
    if (c.items.filter((i) => i.kind === 'storage').length !== Math.floor((end - start) / 16) + 1) return false;
  }
  return true;
}

const live = herculesAvailable();
if (!live) console.warn('isa-core differential: `hercules` not found on PATH (apt-get install hercules): differential comparison skipped');

interface Finding {
  readonly c: DifferentialCase;
  readonly divergences: readonly Divergence[];
  /** Per divergence, the rule that covers it, or null. */
  readonly rules: readonly (DivergenceRule | null)[];
}

function report(findings: readonly Finding[]): string {
  const parts: string[] = [];
  for (const f of findings) {
    const names = [...new Set(f.rules.map((r) => r?.name ?? 'UNEXPLAINED'))];
    parts.push(
      `=== case ${f.c.id} (${names.join('; ')})`,
      'differences:',
      describeDivergences(f.divergences),
      'listing:',
      f.c.listing,
      'script:',
      f.c.script,
    );
  }
  return parts.join('\n');
}

describe.skipIf(!live)('1,000 random programs: Hercules 3.13 and isa-core agree', () => {
  let hercules: HerculesCaseResult[] = [];
  beforeAll(async () => {
    hercules = await runHerculesCases(cases, { parallel: 2, isComplete: wholeCase });
  }, 600_000);

  it('every case finished on Hercules', () => {
    expect(hercules.filter((h) => !h.complete).map((h) => h.id)).toEqual([]);
  });

  it('isa-core ends every case in the same state as Hercules (PSW, registers, data, interruption codes)', () => {
    const findings: Finding[] = [];
    for (const [i, c] of cases.entries()) {
      const h = hercules[i]!;
      if (!h.complete) continue;
      const hs = caseState(h.commands);
      const os = caseState(runOnIsaCore(c).commands);
      const divergences = compareStates(hs, os);
      if (divergences.length === 0) continue;
      const x = { c, hercules: hs, isaCore: os };
      const rules = divergences.map((d) => EXPLAINED.find((r) => r.covers(d, x)) ?? AWAITING_FIX.find((r) => r.covers(d, x)) ?? null);
      findings.push({ c, divergences, rules });
    }
    const file = join(tmpdir(), 'strachey-differential-report.txt');
    if (findings.length > 0) writeFileSync(file, report(findings));
    for (const rule of [...EXPLAINED, ...AWAITING_FIX]) {
      const n = findings.filter((f) => f.rules.includes(rule)).length;
      const kind = EXPLAINED.includes(rule) ? 'explained' : 'awaiting fix';
      if (n > 0) console.warn(`differential: ${n} case(s) show '${rule.name}' (${kind}); report: ${file}`);
      else if (kind === 'awaiting fix') console.warn(`differential: '${rule.name}' no longer matches any case: remove it from AWAITING_FIX`);
    }
    const unexplained = findings.filter((f) => f.rules.includes(null));
    const summary = unexplained
      .slice(0, 5)
      .map((f) => `case ${f.c.id}:\n${describeDivergences(f.divergences.filter((_, k) => f.rules[k] === null))}\n${f.c.listing}`)
      .join('\n\n');
    expect(unexplained.length, `${unexplained.length} of ${COUNT} cases diverge (report: ${file})\n${summary}`).toBe(0);
  });
});

describe.skipIf(!live)('targeted programs', () => {
  const targeted = [
    {
      // hercules-oracle.md: LA 1,5 / LA 2,7 / AR 1,2 / LPSW X'300'.
      id: 'oracle-sample',
      script: 'sysclear\nr 0=0008000000000200\nr 200=41100005412000071A1282000300\nr 300=000A000000000000\nrestart\npause 1\npsw\ngpr\nr 0-9F\n',
      expect: (gpr: readonly number[], _storage: ReadonlyMap<number, number>) => expect(gpr[1]).toBe(0x0c),
    },
    {
      // The hercules-oracle.md loop (L 2,X'300' / AR 1,3 / BCT 2,*-2 / LPSW X'308') with count 1000 and GR3 = 3.
      id: 'bct-loop',
      script: 'sysclear\nr 0=0008000000000200\nr 200=582003001A13462002048200030800000000\nr 300=000003E800000000000A000000000000\ngpr 3=3\nrestart\npause 1\npsw\ngpr\nr 0-9F\n',
      expect: (gpr: readonly number[], _storage: ReadonlyMap<number, number>) => expect([gpr[1], gpr[2]]).toEqual([3000, 0]),
    },
    {
      // SVC X'42' after LA 1,5: SVC old PSW at X'20', ILC 2 at X'89', code X'0042' at X'8A' (POP "SVC Interruption").
      id: 'svc',
      script: 'sysclear\nr 0=0008300000000200\nr 60=000A00000000E060\nr 200=411000050A42\nrestart\npause 1\npsw\ngpr\nr 0-9F\n',
      expect: (gpr: readonly number[], storage: ReadonlyMap<number, number>) => {
        expect(gpr[1]).toBe(5);
        expect([0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27].map((a) => storage.get(a))).toEqual([0, 8, 0x30, 0, 0, 0, 2, 6]);
        expect([0x89, 0x8a, 0x8b].map((a) => storage.get(a))).toEqual([2, 0, 0x42]);
      },
    },
  ];
  let results: HerculesCaseResult[] = [];
  beforeAll(async () => {
    results = await runHerculesCases(targeted, { parallel: 2, isComplete: wholeCase });
  }, 120_000);

  for (const [i, t] of targeted.entries()) {
    it(`${t.id}: same end state, with the architected result`, () => {
      const h = results[i]!;
      expect(h.complete).toBe(true);
      const hs = caseState(h.commands);
      const os = caseState(runOnIsaCore(t).commands);
      expect(describeDivergences(compareStates(hs, os))).toBe('');
      t.expect(os.gpr!, os.storage);
      expect(os.psw).toBe(hs.psw);
    });
  }
});
