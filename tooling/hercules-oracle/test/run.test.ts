/**
 * Live runs of Debian's Hercules 3.13. CI installs it; on a machine without
 * it these tests are skipped and say why.
 */
import { describe, expect, it } from 'vitest';
import {
  herculesAvailable,
  herculesConfig,
  parseHerculesOutput,
  rewritePauses,
  runHercules,
  runHerculesCases,
  runHerculesSettled,
  everyStartWaitedBeforeDisplays,
  waitedBeforeDisplays,
  withPause,
  logIsWhole,
  type HerculesRun,
  type HerculesRunOptions,
} from '../src/index';

const live = herculesAvailable();
if (!live) console.warn('hercules-oracle: `hercules` not found on PATH (apt-get install hercules): live Hercules tests skipped');

describe('herculesConfig', () => {
  it('describes the oracle machine', () => {
    const cnf = herculesConfig({ mainsize: 32, numcpu: 2 });
    expect(cnf).toContain('ARCHMODE  ESA/390');
    expect(cnf).toContain('CPUMODEL  3090');
    expect(cnf).toContain('CPUSERIAL 000611');
    expect(cnf).toContain('MAINSIZE  32');
    expect(cnf).toContain('NUMCPU    2');
    expect(cnf).toContain('0009 3215-C / noprompt');
  });
  it('rejects what Hercules 3.13 cannot configure', () => {
    expect(() => herculesConfig({ numcpu: 9 })).toThrow(RangeError);
    expect(() => herculesConfig({ mainsize: 1.5 })).toThrow(RangeError);
  });
});

describe('rewritePauses', () => {
  it('replaces only pause lines', () => {
    expect(rewritePauses('restart\npause 1\nPAUSE\n* pause\ngpr', 0.05)).toBe('restart\nsh sleep 0.05\nsh sleep 0.05\n* pause\ngpr');
  });
});

describe('withPause', () => {
  it('sets every pause line to the attempt\'s pause, sub-second ones as sh sleep', () => {
    expect(withPause('restart\npause 1\n  PAUSE\n* pause\ngpr', 3)).toBe('restart\npause 3\npause 3\n* pause\ngpr');
    expect(withPause('restart\npause 1\ngpr', 0.2)).toBe('restart\nsh sleep 0.2\ngpr');
    expect(() => withPause('pause 1', 0)).toThrow(RangeError);
  });
});

describe('waitedBeforeDisplays', () => {
  const script = 'restart\nsh sleep 0.2\ngpr\npsw\nquit\n';
  const wait = 'HHCCP011I CPU0000: Disabled wait state\n          PSW=000A0000 00000000\n';
  const gpr = 'GR00=00000000  GR01=00000000  GR02=00000000  GR03=00000000\n';
  it('accepts a disabled wait announced before the first display', () => {
    const log = `restart\n${wait}sh sleep 0.2\ngpr\n${gpr}psw\nquit\n`;
    expect(waitedBeforeDisplays(parseHerculesOutput(log, script))).toBe(true);
    const duringPause = `restart\nsh sleep 0.2\n${wait}gpr\n${gpr}psw\nquit\n`;
    expect(waitedBeforeDisplays(parseHerculesOutput(duringPause, script))).toBe(true);
  });
  it('rejects a wait announced only after a display was taken, and a run with no wait', () => {
    const late = `restart\nsh sleep 0.2\ngpr\n${gpr}${wait}psw\nquit\n`;
    expect(waitedBeforeDisplays(parseHerculesOutput(late, script))).toBe(false);
    const none = `restart\nsh sleep 0.2\ngpr\n${gpr}psw\nquit\n`;
    expect(waitedBeforeDisplays(parseHerculesOutput(none, script))).toBe(false);
  });
});

describe('everyStartWaitedBeforeDisplays', () => {
  // Two cases in one session: each restart must see its own wait before its displays.
  const script = 'restart\nsh sleep 0.2\nr 10.4\nrestart\nsh sleep 0.2\nr 10.4\nquit\n';
  const wait = 'HHCCP011I CPU0000: Disabled wait state\n          PSW=000A0000 00000000\n';
  const r10 = 'R:00000010:K:06=00000000                              ....\n';
  it('accepts a session where every restart waited before its displays', () => {
    const log = `restart\n${wait}sh sleep 0.2\nr 10.4\n${r10}restart\nsh sleep 0.2\n${wait}r 10.4\n${r10}quit\n`;
    const run = parseHerculesOutput(log, script);
    expect(everyStartWaitedBeforeDisplays(run)).toBe(true);
    expect(waitedBeforeDisplays(run)).toBe(true);
  });
  it('rejects a session where an earlier case waited late, which the last-start check misses', () => {
    const log = `restart\nsh sleep 0.2\nr 10.4\n${r10}${wait}restart\nsh sleep 0.2\n${wait}r 10.4\n${r10}quit\n`;
    const run = parseHerculesOutput(log, script);
    expect(everyStartWaitedBeforeDisplays(run)).toBe(false);
    expect(waitedBeforeDisplays(run)).toBe(true);
  });
  it('rejects a script with no start command', () => {
    expect(everyStartWaitedBeforeDisplays(parseHerculesOutput('gpr\nquit\n', 'gpr\nquit\n'))).toBe(false);
  });
});

// Hercules 3.13 can lose the tail of its console log (documented at
// `logIsWhole`); a single-shot check of what the log shows retries such a run
// rather than read a cut log as a result. A run that never comes out whole
// fails the test with its log.
async function runWhole(options: HerculesRunOptions, attempts = 3): Promise<HerculesRun> {
  let run: HerculesRun | undefined;
  for (let i = 0; i < attempts; i++) {
    run = await runHercules(options);
    if (!run.timedOut && logIsWhole(run)) return run;
  }
  throw new Error(`Hercules never gave a whole log in ${attempts} runs; last log:\n${run!.raw}\n${run!.stderr}`);
}

describe.skipIf(!live)('runHercules (live)', () => {
  it('runs the hercules-oracle.md sample: LA 1,5 / LA 2,7 / AR 1,2 / LPSW gives GR01=0000000C in a disabled wait', { timeout: 60_000 }, async () => {
    const run = await runHerculesSettled({
      script: 'r 0=0008000000000200\nr 200=41100005412000071A1282000300\nr 300=000A000000000000\nrestart\npause 1\ngpr\npsw\nquit\n',
      pauses: [0.2, 1, 3, 8],
    });
    expect(run.timedOut).toBe(false);
    expect(run.complete).toBe(true);
    expect(run.gprs[0]!.values.slice(0, 3)).toEqual([0, 0x0c, 0x07]);
    expect(run.psws[0]!.hex).toBe('000A000000000000');
    expect(run.disabledWaits).toEqual([{ cpu: 0, psw: [0x000a0000, 0] }]);
  });

  it('adds the missing quit so a script cannot leave Hercules running', async () => {
    const run = await runWhole({ script: 'pr\n', timeoutMs: 20_000 });
    expect(run.timedOut).toBe(false);
    expect(run.commands.map((c) => c.text)).toEqual(['pr', 'quit']);
  });

  it('loads a file given in `files` with loadcore', async () => {
    const run = await runWhole({
      script: 'loadcore core.bin 2000\nr 2000.8\n',
      files: { 'core.bin': new Uint8Array([0xc1, 0xc2, 0xc3, 1, 2, 3, 4, 5]) },
      timeoutMs: 20_000,
    });
    expect(run.storage[0]!.bytes.slice(0, 8)).toEqual([0xc1, 0xc2, 0xc3, 1, 2, 3, 4, 5]);
    expect(run.storage[0]!.chars.startsWith('ABC')).toBe(true);
  });

  it('reports a guest that never reaches its wait as incomplete after the whole ladder', async () => {
    // BC 15,0(0,2) with GR2=X'200': a tight loop that never loads a wait PSW.
    const run = await runHerculesSettled({
      script: 'r 0=0008000000000200\nr 200=4120020047F02000\nrestart\npause 1\ngpr\nquit\n',
      pauses: [0.05, 0.1],
    });
    expect(run.complete).toBe(false);
    expect(run.attempts).toBe(2);
    expect(run.script).toContain('sh sleep 0.1');
  });

  it('kills a run that exceeds its time limit', async () => {
    const run = await runHercules({ script: 'pause 30\nquit\n', timeoutMs: 1_500 });
    expect(run.timedOut).toBe(true);
  });

  // Generous limit: under load a case may climb the whole pause ladder (up to 8 s).
  it('runs many cases through two processes, each from a clean sysclear', { timeout: 120_000 }, async () => {
    const cases = Array.from({ length: 12 }, (_, i) => ({
      id: `c${i}`,
      // LA 1,i / LPSW 300: GR1 = i proves each case ran its own program.
      script: `sysclear\nr 0=0008000000000200\nr 200=4110${(0x10 + i).toString(16).padStart(4, '0')}82000300\nr 300=000A000000000000\nrestart\npause 1\npsw\ngpr\n`,
    }));
    const results = await runHerculesCases(cases, { parallel: 2 });
    expect(results.map((r) => r.id)).toEqual(cases.map((c) => c.id));
    for (const [i, r] of results.entries()) {
      expect(r.complete).toBe(true);
      const gpr = r.commands.find((c) => c.text === 'gpr')!.items[0]!;
      expect(gpr.kind === 'gpr' && gpr.values[1]).toBe(0x10 + i);
    }
  });
});
