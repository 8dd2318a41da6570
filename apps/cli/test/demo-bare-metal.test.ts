import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BareMetalParameters,
  type BareMetalReport,
  renderBareMetal,
  runBareMetal,
} from '../src/demo/bare-metal';
import { assembleGuest, defaultGuestSource } from '../src/demo/guest';
import { exitCodeOf } from '../src/demo/scenario';
import { UserError } from '../src/diagnostics';
import { createProgress, SILENT_PROGRESS } from '../src/progress';

/** A workload small enough for a unit test that still needs many time slices. */
const SMALL: Required<BareMetalParameters> = {
  sieveLimit: 20_000,
  collatzLimit: 3_000,
  rogueSpins: 40_000,
  sliceMicros: 20,
};

const run = (parameters: BareMetalParameters = SMALL, extra: { budget?: number; text?: string } = {}) =>
  runBareMetal({
    progress: SILENT_PROGRESS,
    parameters,
    ...(extra.budget !== undefined ? { budget: extra.budget } : {}),
    ...(extra.text !== undefined ? { guestSource: { file: 'edited.asm', text: extra.text } } : {}),
  });

/* References written differently from src/demo/reference.ts: trial division, and chain lengths by memo. */
function primesByTrialDivision(limit: number): { count: number; largest: number } {
  const primes: number[] = [];
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (const p of primes) {
      if (p * p > n) break;
      if (n % p === 0) {
        prime = false;
        break;
      }
    }
    if (prime) primes.push(n);
  }
  return { count: primes.length, largest: primes[primes.length - 1] ?? 0 };
}

function collatzRecordsByMemo(limit: number): { start: number; steps: number }[] {
  const memo = new Map<number, number>([[1, 0]]);
  const steps = (n: number): number => {
    const path: number[] = [];
    let x = n;
    while (!memo.has(x)) {
      path.push(x);
      x = x % 2 === 0 ? x / 2 : 3 * x + 1;
    }
    let s = memo.get(x)!;
    for (let i = path.length - 1; i >= 0; i--) memo.set(path[i]!, ++s);
    return memo.get(n)!;
  };
  const out: { start: number; steps: number }[] = [];
  for (let n = 1; n < limit; n++) {
    const s = steps(n);
    if (out.length === 0 || s > out[out.length - 1]!.steps) out.push({ start: n, steps: s });
  }
  return out;
}

const task = (r: BareMetalReport, name: string) => {
  const t = r.tasks.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no task ${name}`);
  return t;
};

const withoutHost = (r: BareMetalReport) => {
  const { host: _host, ...rest } = r;
  return rest;
};

const guest = assembleGuest(defaultGuestSource());
const symbol = (name: string) => {
  const s = guest.assembly.symbols.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no symbol ${name}`);
  return s.value;
};

describe('bare-metal ESA/390 demo', () => {
  it('leaves the results the references give in guest storage', async () => {
    const r = await run();
    const primes = primesByTrialDivision(SMALL.sieveLimit);
    const records = collatzRecordsByMemo(SMALL.collatzLimit);
    const best = records[records.length - 1]!;
    expect(task(r, 'SIEVE').status).toBe('ended');
    expect(task(r, 'SIEVE').results.slice(0, 2)).toEqual([primes.count, primes.largest]);
    expect(task(r, 'COLLATZ').status).toBe('ended');
    expect(task(r, 'COLLATZ').results.slice(0, 2)).toEqual([best.start, best.steps]);
    const collatz = task(r, 'COLLATZ').number;
    expect(r.log.filter((e) => e.task === collatz).map((e) => ({ start: e.r0, steps: e.r1 }))).toEqual(
      records,
    );
    expect(r.checks.every((c) => c.ok)).toBe(true);
    expect(r.outcome).toBe('ok');
    expect(exitCodeOf(r)).toBe(0);
  });

  it('takes one SVC interruption per SVC the tasks issue, and the supervisor counts each', async () => {
    const r = await run();
    const records = collatzRecordsByMemo(SMALL.collatzLimit).length;
    // SIEVE: REPORT, REPORT, EXIT. COLLATZ: one LOG per record, REPORT, REPORT, EXIT. ROGUE: none.
    expect(task(r, 'SIEVE').svcs).toBe(3);
    expect(task(r, 'COLLATZ').svcs).toBe(records + 3);
    expect(task(r, 'ROGUE').svcs).toBe(0);
    expect(r.observed.svc).toBe(records + 6);
    expect(r.interruptions.svc).toBe(r.observed.svc);
    expect(r.observed.program).toBe(1);
    expect(r.interruptions.program).toBe(1);
  });

  it('ends in the disabled wait with wait code 0', async () => {
    const r = await run();
    expect(r.stop).toEqual({ kind: 'disabled-wait', waitCode: 0, meaning: 'every task ended' });
    expect(r.psw).toBe('000A000000000000');
  });

  it('stops the rogue with a protection exception on its MVC and keeps the external new PSW', async () => {
    const r = await run();
    const rogue = task(r, 'ROGUE');
    expect(rogue.status).toBe('abended');
    expect(rogue.key).toBe(10);
    // Protection suppresses or terminates: the old PSW points past the 6-byte MVC (ILC 3).
    expect(rogue.abend?.code).toBe(0x0004);
    expect(rogue.abend?.ilc).toBe(3);
    expect(Number.parseInt(rogue.abend?.psw.slice(8) ?? '', 16) & 0x7fffffff).toBe(symbol('RGATTACK') + 6);
    // Problem state (P bit) under key 10 in the old PSW.
    expect(Number.parseInt(rogue.abend?.psw.slice(0, 8) ?? '', 16) & 0x00f10000).toBe(0x00a10000);
    const ext = r.checks.find((c) => c.name.startsWith('external new PSW'));
    expect(ext?.ok).toBe(true);
  });

  it('preempts on the CPU timer: dispatches and CPU time add up', async () => {
    const r = await run();
    const dispatches = r.tasks.reduce((s, t) => s + t.dispatches, 0);
    // Each task's first dispatch, then one more after every timer interruption, EXIT or abend but the last.
    expect(dispatches).toBe(r.interruptions.external + r.tasks.length);
    expect(r.interruptions.external).toBeGreaterThan(10);
    expect(task(r, 'COLLATZ').dispatches).toBeGreaterThan(1);
    const cpu = r.tasks.reduce((s, t) => s + t.cpuMicros, 0);
    // A slice ends only after the whole slice ran; none runs longer than a slice plus the interruption.
    expect(cpu).toBeGreaterThanOrEqual(r.interruptions.external * SMALL.sliceMicros);
    expect(cpu).toBeLessThanOrEqual(dispatches * (SMALL.sliceMicros + 1));
    expect(cpu).toBeLessThanOrEqual(r.simulatedMicros);
    // The guest's STCK interval is the machine's simulated time less a few instructions.
    expect(r.guestTodMicros).not.toBeNull();
    expect(r.simulatedMicros - r.guestTodMicros!).toBeGreaterThanOrEqual(0);
    expect(r.simulatedMicros - r.guestTodMicros!).toBeLessThan(1);
    expect(r.simulatedMicros).toBeCloseTo(r.cycles / r.machine.mhz, 6);
  });

  it('is deterministic: two runs give the same report apart from the host section', async () => {
    const a = await run();
    let tty = '';
    const b = await runBareMetal({
      progress: createProgress({
        stream: { isTTY: true, columns: 100, write: (t: string) => (tty += t) },
        intervalMs: 0,
      }),
      parameters: SMALL,
    });
    expect(tty).toContain('instructions');
    expect(JSON.stringify(withoutHost(b))).toBe(JSON.stringify(withoutHost(a)));
  });

  it('gets every workload right (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          sieveLimit: fc.integer({ min: 2, max: 6000 }),
          collatzLimit: fc.integer({ min: 2, max: 700 }),
          rogueSpins: fc.integer({ min: 0, max: 5000 }),
          sliceMicros: fc.integer({ min: 1, max: 40 }),
        }),
        async (p) => {
          const r = await run(p);
          const primes = primesByTrialDivision(p.sieveLimit);
          const records = collatzRecordsByMemo(p.collatzLimit);
          expect(r.outcome).toBe('ok');
          expect(task(r, 'SIEVE').results.slice(0, 2)).toEqual([primes.count, primes.largest]);
          expect(task(r, 'COLLATZ').results[0]).toBe(records[records.length - 1]!.start);
          expect(r.observed.svc).toBe(records.length + 6);
          expect(r.tasks.reduce((s, t) => s + t.dispatches, 0)).toBe(r.interruptions.external + 3);
        },
      ),
      { numRuns: 12, seed: 0x5eed },
    );
  });

  it('reports an incomplete run when the budget ends first', async () => {
    const r = await run(SMALL, { budget: 5000 });
    expect(r.stop.kind).toBe('budget');
    expect(r.instructions).toBe(5000);
    expect(r.outcome).toBe('incomplete');
    expect(r.guestTodMicros).toBeNull();
    expect(exitCodeOf(r)).toBe(1);
  });

  it('fails its checks when the guest computes something else', async () => {
    // An edited supervisor whose SIEVE reports one prime too many.
    const text = guest.source.text.replace(
      'SVREPORT SR    R0,R0',
      'SVREPORT AHI   R5,1\n         SR    R0,R0',
    );
    expect(text).not.toBe(guest.source.text);
    const r = await run(SMALL, { text });
    const c = r.checks.find((x) => x.name.startsWith('primes below'));
    expect(c?.ok).toBe(false);
    expect(c?.actual).toBe(primesByTrialDivision(SMALL.sieveLimit).count + 1);
    expect(r.outcome).toBe('mismatch');
    expect(exitCodeOf(r)).toBe(1);
    // The text report marks the failing check and shows what was expected.
    const report = renderBareMetal(r);
    const expected = primesByTrialDivision(SMALL.sieveLimit).count;
    expect(report).toMatch(
      new RegExp(
        `primes below 20,000 +${(expected + 1).toLocaleString('en-US')} +✗\\n +expected +${expected.toLocaleString('en-US')}`,
      ),
    );
    expect(report.trimEnd().split('\n').at(-1)).toBe(`mismatch: 1 of ${r.checks.length} checks failed`);
  });

  it('follows Collatz chains past 2^31 with logical arithmetic (ALR, SRL, CLR)', async () => {
    // Start COLLATZ at 113,383, the first start whose chain overflows a signed 32-bit word.
    const text = guest.source.text.replace(
      '         LHI   R3,1                   n\n',
      "         L     R3,=F'113383'          n\n",
    );
    expect(text).not.toBe(guest.source.text);
    let peak = 0;
    const steps = (n: number) => {
      let s = 0;
      for (let x = n; x !== 1; s++) {
        x = x % 2 === 0 ? x / 2 : 3 * x + 1;
        peak = Math.max(peak, x);
      }
      return s;
    };
    const expected: { start: number; steps: number }[] = [];
    for (let n = 113_383; n < 113_400; n++) {
      const s = steps(n);
      if (expected.length === 0 || s > expected[expected.length - 1]!.steps)
        expected.push({ start: n, steps: s });
    }
    expect(peak).toBeGreaterThan(2 ** 31);
    const r = await run({ ...SMALL, collatzLimit: 113_400 }, { text });
    const collatz = task(r, 'COLLATZ');
    expect(collatz.status).toBe('ended');
    expect(r.log.filter((e) => e.task === collatz.number).map((e) => ({ start: e.r0, steps: e.r1 }))).toEqual(
      expected,
    );
    expect(collatz.results.slice(0, 2)).toEqual([expected.at(-1)!.start, expected.at(-1)!.steps]);
  });

  it('reports a check-stop when the program new PSW is invalid', async () => {
    // PSW bit 0 must be zero: the rogue's protection exception loads an invalid program new PSW.
    const text = guest.source.text.replace("PGMNEW   DC    X'00080000'", "PGMNEW   DC    X'80080000'");
    expect(text).not.toBe(guest.source.text);
    const r = await run(SMALL, { text });
    expect(r.stop.kind).toBe('check-stop');
    expect(r.outcome).toBe('check-stop');
    expect(exitCodeOf(r)).toBe(3);
  });

  it('rejects a guest source that does not assemble, with file:line:column', async () => {
    const text = guest.source.text.replace('         LHI   R9,1\n', '         LHI   R99,1\n');
    const line = text.split('\n').findIndex((l) => l.includes('R99')) + 1;
    const error = await run(SMALL, { text }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).diagnostics[0]).toMatchObject({ file: 'edited.asm', line });
    expect((error as UserError).message).toMatch(new RegExp(`^edited\\.asm:${line}:\\d+: error `));
  });

  it('rejects parameters the guest cannot run with, naming the DC when it came from the source', async () => {
    await expect(run({ collatzLimit: 159_488 })).rejects.toThrow(/Collatz limit/);
    await expect(run({ sliceMicros: 0 })).rejects.toThrow(/time slice/);
    const text = guest.source.text.replace("SIEVEN   DC    F'1000000'", "SIEVEN   DC    F'1'      ");
    expect(text).not.toBe(guest.source.text);
    const line = text.split('\n').findIndex((l) => l.startsWith('SIEVEN ')) + 1;
    const error = await runBareMetal({
      progress: SILENT_PROGRESS,
      guestSource: { file: 'edited.asm', text },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      `edited.asm:${line}:1: error DEMO_PARAMETER: the sieve limit (SIEVEN) must be an integer from 2 to 16,000,000, got 1`,
    );
  });
});
