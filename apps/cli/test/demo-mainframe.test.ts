/**
 * `strachey demo`'s default: the composed mainframe. One run of the default
 * scenario (in-process, shared by the report tests), a second for
 * determinism, the JSON form from the command, and scenario files with
 * mistakes reported as file:line:column.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type MainframeReport,
  mainframeScenario,
  parseMainframe,
  runMainframe,
} from '../src/demo/mainframe/index';
import { renderJson } from '../src/demo/scenario';
import { type Progress, SILENT_PROGRESS } from '../src/progress';
import { README, REFRESH, SAMPLES, staleLines } from './readme-samples';

/** The report's JSON shape, as a consumer would check it. */
const count = z.number().int().nonnegative();
const percent = z.number().min(0).max(100);
const ReportSchema = z.strictObject({
  scenario: z.literal('mainframe'),
  title: z.string(),
  source: z.string(),
  outcome: z.enum(['ok', 'mismatch', 'incomplete', 'check-stop']),
  machine: z.strictObject({
    physicalCps: count,
    storage: count,
    hsa: count,
    sliceMicros: z.number().positive(),
    costModel: z.string(),
    mhz: z.number().positive(),
    consoleCharactersPerSecond: count,
    preemptOnWake: z.boolean(),
  }),
  simulatedMicros: z.number().positive(),
  partitions: z.array(
    z.strictObject({
      name: z.string(),
      runs: z.string(),
      weight: count,
      weightShare: percent,
      share: percent,
      logicalCps: count,
      capped: z.boolean(),
      storage: z.strictObject({
        mode: z.enum(['zone', 'blocks']),
        bytes: count,
        origins: z.array(z.string().regex(/^0x[0-9A-F]{8}$/)),
      }),
      cycles: count,
      instructions: count,
      dispatches: count,
      releases: z.strictObject({ slice: count, wait: count, cap: count, stop: count }),
      prsmCycles: count,
      ioStarts: count,
      state: z.array(z.enum(['stopped', 'ready', 'running', 'waiting'])),
      console: z.array(z.string()),
    }),
  ),
  storageMap: z.array(z.strictObject({ from: z.string(), to: z.string(), owner: z.string() })),
  prsm: z.strictObject({
    dispatches: count,
    decisions: count,
    busyCycles: count,
    idleCycles: count,
    overheadCycles: count,
    overhead: percent,
  }),
  cp: z.array(
    z.strictObject({
      partition: z.string(),
      style: z.string(),
      dispatches: count,
      realIo: z.strictObject({ starts: count, completions: count }),
      guestCycles: count,
      cpCycles: count,
      overhead: percent,
      byStyle: z.array(
        z.strictObject({
          style: z.enum(['trap-and-emulate', 'sie']),
          users: count,
          interceptions: count,
          guestCycles: count,
          cpCycles: count,
          overhead: percent,
        }),
      ),
      savedSystems: z.strictObject({
        systems: z.array(
          z.strictObject({
            name: z.string(),
            pages: count,
            sharedPages: count,
            range: z.string(),
            users: z.array(z.string()),
          }),
        ),
        ipls: count,
        mappedFrames: count,
        hostFrames: count,
        privateCopies: count,
        operator: z.array(z.string()),
      }),
      users: z.array(
        z.strictObject({
          userid: z.string(),
          guest: z.enum(['cms', 'minikern']),
          style: z.enum(['trap-and-emulate', 'sie']),
          ipl: z.string().nullable(),
          sharedFrames: count,
          privateFrames: count,
          ownSystemFrames: count,
          state: z.string(),
          instructions: count,
          guestCycles: count,
          cpCycles: count,
          cpOverhead: percent,
          interceptions: count,
          intercepted: z.record(z.string(), count),
          io: z.record(z.string(), count),
          commands: z.array(z.string()),
          transcript: z.array(z.string()),
        }),
      ),
    }),
  ),
  supervisors: z.array(
    z.strictObject({
      partition: z.string(),
      stop: z.string(),
      tasks: z.array(z.object({ name: z.string(), status: z.string(), results: z.array(z.number()) })),
    }),
  ),
  batch: z.array(z.strictObject({ partition: z.string(), iterations: z.array(count) })),
  io: z.strictObject({ starts: count, completions: count, ccws: count, bytes: count, interruptions: count }),
  overhead: z.strictObject({ prsm: percent, cp: percent }),
  checks: z.array(
    z.strictObject({
      name: z.string(),
      expected: z.union([z.string(), z.number(), z.boolean()]),
      actual: z.union([z.string(), z.number(), z.boolean(), z.null()]),
      ok: z.boolean(),
    }),
  ),
  host: z.strictObject({
    wallSeconds: z.number().nonnegative(),
    mips: z.number().nonnegative(),
    node: z.string(),
  }),
});

const cli = fileURLToPath(new URL('..', import.meta.url));
const strachey = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@strachey/source', 'src/main.ts', ...args], {
    cwd: cli,
    encoding: 'utf8',
    timeout: 120_000,
  });

/** The report without the wall-clock section (the only part allowed to differ between runs). */
const deterministic = (r: MainframeReport): string => {
  const { host: _host, ...rest } = r;
  return JSON.stringify(rest);
};

let report: MainframeReport;
beforeAll(async () => {
  report = await runMainframe({ progress: SILENT_PROGRESS });
}, 60_000);

describe('the default mainframe', () => {
  it('ran every partition of the installation and passed its checks', () => {
    expect(report.outcome).toBe('ok');
    expect(report.partitions.map((p) => `${p.name}:${p.runs}`)).toEqual([
      'VM1:CP',
      'KERN:MINIKERN',
      'TSO:supervisor',
      'BATCH1:batch',
      'BATCH2:batch',
      'BATCH3:batch',
    ]);
    expect(report.checks.length).toBeGreaterThanOrEqual(10);
    expect(report.simulatedMicros).toBe(300_000);
  });

  it('the CMS users logged on at terminals, CMS came up (by name or from 190) and answered their commands', () => {
    const users = report.cp[0]!.users.filter((u) => u.guest === 'cms');
    expect(users.map((u) => u.userid)).toEqual(['ALICE', 'BOB', 'CAROL', 'DAVE']);
    const alice = users[0]!.transcript;
    expect(alice).toContain('CMS VERSION 1.0 STRACHEY');
    // LISTFILE lists the A-disk; TYPE shows the file; QUERY DISK shows the 191 minidisk.
    const after = (cmd: string) => alice.slice(alice.indexOf(`> ${cmd}`) + 1);
    expect(after('LISTFILE').slice(0, 2)).toEqual(['PROFILE  EXEC     A1', 'WELCOME  TEXT     A1']);
    expect(after('TYPE WELCOME TEXT')[0]).toBe('WELCOME, ALICE, TO CMS UNDER CP IN AN LPAR.');
    expect(after('QUERY DISK')[1]).toMatch(/^ALI191 191\s+A\s+R\/W\s+1 3390 4096/);
    for (const u of users) {
      // Every command was typed, and CMS (or CP, for #CP) answered the last one.
      expect(u.transcript.filter((l) => l.startsWith('> '))).toEqual(u.commands.map((c) => `> ${c}`));
      expect(u.transcript.at(-1)!.startsWith('> ')).toBe(false);
    }
    // A #CP command goes to CP, not CMS.
    const dave = users.find((u) => u.userid === 'DAVE')!.transcript;
    expect(dave[dave.indexOf('> #CP QUERY VIRTUAL STORAGE') + 1]).toBe('STORAGE = 16M');
    // COPYFILE wrote a new file on CAROL's minidisk, which her next LISTFILE shows.
    const carol = users.find((u) => u.userid === 'CAROL')!.transcript;
    expect(carol.slice(carol.lastIndexOf('> LISTFILE'))).toContain('NOTES    TEXT     A1');
  });

  it('CP intercepted privileged operations of every guest, by type; MINIKERN under CP needed its DAT instructions emulated', () => {
    for (const u of report.cp[0]!.users) {
      expect(u.interceptions).toBeGreaterThan(0);
      const byType = Object.values(u.intercepted).reduce((n, v) => n + v, 0);
      expect(byType).toBeGreaterThan(0);
    }
    const cms = report.cp[0]!.users.find((u) => u.userid === 'ALICE')!;
    expect(cms.intercepted.SSCH).toBeGreaterThan(0);
    expect(cms.intercepted['DIAG 018']).toBeGreaterThan(0);
    const mini = report.cp[0]!.users.find((u) => u.guest === 'minikern')!;
    expect(mini.intercepted.PTLB).toBeGreaterThan(0);
    expect(mini.intercepted.LCTL).toBeGreaterThan(0);
    expect(mini.transcript).toContain('ALL TASKS DONE');
    // CP's real I/O went to the partition's own DASD through its channel-subsystem image.
    expect(report.cp[0]!.realIo.starts).toBeGreaterThan(10);
    expect(report.cp[0]!.realIo.completions).toBe(report.cp[0]!.realIo.starts);
    expect(report.partitions.find((p) => p.name === 'VM1')!.ioStarts).toBe(report.cp[0]!.realIo.starts);
  });

  it('MINIKERN printed the same lines bare in its partition as under CP', () => {
    const kern = report.partitions.find((p) => p.name === 'KERN')!;
    const kernels = report.cp[0]!.users.filter((u) => u.guest === 'minikern');
    expect(kern.console).toEqual([
      'MINIKERN BOOTED FROM DISK',
      'TASK A SUM=02001000',
      'TASK B SUM=09682200',
      'ALL TASKS DONE',
    ]);
    // Bare, under CP by trap-and-emulate and under SIE: the same lines (Popek and Goldberg's equivalence).
    expect(kernels.map((u) => u.style)).toEqual(['trap-and-emulate', 'sie']);
    for (const u of kernels) expect(u.transcript).toEqual(kern.console);
    const equivalence = report.checks.filter((c) => c.name.includes('the same console output bare'));
    expect(equivalence.map((c) => [c.name.includes('by SIE'), c.ok])).toEqual([
      [false, true],
      [true, true],
    ]);
  });

  it('CP saved CMS once (MAINT: DEFSYS, IPL 190 stopped at its IPL PSW, SAVESYS) and the CMS users IPLed it by name', () => {
    const cp = report.cp[0]!;
    const ss = cp.savedSystems;
    expect(ss.operator).toContain('> SAVESYS CMS');
    expect(
      ss.operator.some((l) => /^HCPNSS440I Named Saved System \(NSS\) CMS was successfully saved/.test(l)),
    ).toBe(true);
    expect(ss.operator.at(-1)!.startsWith('> LOGOFF') || ss.operator.includes('> LOGOFF')).toBe(true);
    expect(ss.systems).toHaveLength(1);
    const cms = ss.systems[0]!;
    expect(cms.name).toBe('CMS');
    expect(cms.sharedPages).toBeGreaterThan(0);
    const byName = cp.users.filter((u) => u.ipl === 'CMS');
    expect(byName.map((u) => u.userid)).toEqual(['ALICE', 'BOB', 'CAROL']);
    expect(cms.users).toEqual(byName.map((u) => u.userid));
    // Every user of the saved system maps each shared page; all of them are the same host frames.
    for (const u of byName) expect(u.sharedFrames).toBe(cms.sharedPages);
    expect(ss.ipls).toBe(byName.length);
    expect(ss.mappedFrames).toBe(byName.length * cms.sharedPages);
    expect(ss.hostFrames).toBe(cms.sharedPages);
    // CMS's nucleus is pure: running the users' commands stored into none of its pages.
    expect(ss.privateCopies).toBe(0);
    // DAVE read CMS from the system disk into storage of his own: nothing shared.
    const dave = cp.users.find((u) => u.userid === 'DAVE')!;
    expect(dave.ipl).toBe('190');
    expect(dave.sharedFrames).toBe(0);
    // His copy of the nucleus is frames of his own at the saved system's pages; the others hold none there.
    expect(dave.ownSystemFrames).toBe(cms.sharedPages);
    for (const u of byName) expect(u.ownSystemFrames).toBe(0);
    expect(dave.privateFrames).toBeGreaterThanOrEqual(dave.ownSystemFrames);
    expect(dave.transcript).toContain('CMS VERSION 1.0 STRACHEY');
  });

  it('the same MINIKERN under SIE reached CP only for interceptions; trap-and-emulate exited for every privileged operation', () => {
    const cp = report.cp[0]!;
    const mini = cp.users.find((u) => u.userid === 'MINI')!;
    const sie = cp.users.find((u) => u.userid === 'MINISIE')!;
    expect(mini.style).toBe('trap-and-emulate');
    expect(sie.style).toBe('sie');
    // DAT and timer management run in the guest's own supervisor state under SIE; I/O still goes to CP.
    for (const op of ['PTLB', 'LCTL', 'SPT', 'LPSW']) {
      expect(mini.intercepted[op]).toBeGreaterThan(0);
      expect(sie.intercepted[op]).toBeUndefined();
    }
    expect(sie.intercepted.SSCH).toBe(mini.intercepted.SSCH);
    expect(sie.interceptions).toBeLessThan(mini.interceptions);
    expect(sie.cpCycles).toBeLessThan(mini.cpCycles);
    // The per-style sums are the users' counters.
    expect(cp.byStyle.map((s) => s.style)).toEqual(['trap-and-emulate', 'sie']);
    for (const s of cp.byStyle) {
      const us = cp.users.filter((u) => u.style === s.style);
      expect(s.users).toBe(us.length);
      expect(s.cpCycles).toBe(us.reduce((n, u) => n + u.cpCycles, 0));
      expect(s.interceptions).toBe(us.reduce((n, u) => n + u.interceptions, 0));
    }
  });

  it("PR/SM's time slice is the seed's 12.5 ms, with wake-up preemption", () => {
    expect(report.machine.sliceMicros).toBe(12_500);
    expect(report.machine.preemptOnWake).toBe(true);
  });

  it('partitions that always wanted the CPs got shares in proportion to their weights; waiting ones left theirs to them', () => {
    const batch = report.partitions.filter((p) => p.runs === 'batch');
    // Always ready: never released for a wait.
    for (const p of batch) expect(p.releases.wait).toBe(0);
    const perWeight = batch.map((p) => p.share / p.weight);
    const mean = perWeight.reduce((a, b) => a + b, 0) / perWeight.length;
    for (const x of perWeight) expect(Math.abs(x - mean) / mean).toBeLessThan(0.1);
    // The interactive partitions waited and used less than their weight's share; the batch partitions more.
    for (const name of ['VM1', 'KERN']) {
      const p = report.partitions.find((x) => x.name === name)!;
      expect(p.releases.wait).toBeGreaterThan(0);
      expect(p.share).toBeLessThan(p.weightShare);
    }
    for (const p of batch) expect(p.share).toBeGreaterThan(p.weightShare);
    // Nothing is created: the shares add up to at most the machine.
    expect(report.partitions.reduce((n, p) => n + p.share, 0)).toBeLessThanOrEqual(100);
  });

  it('storage: each partition has its own storage, zone partitions one range, block-table ones 64 MB blocks, none overlapping', () => {
    const ranges = report.storageMap.map((s) => [Number(s.from), Number(s.to), s.owner] as const);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1);
    expect(ranges.at(-1)![1]).toBe(report.machine.storage - 1);
    expect(ranges.at(-1)![2]).toBe('HSA');
    const vm1 = report.partitions.find((p) => p.name === 'VM1')!;
    expect(vm1.storage.mode).toBe('blocks');
    expect(vm1.storage.origins).toHaveLength(4);
    expect(report.partitions.find((p) => p.name === 'KERN')!.storage.mode).toBe('zone');
  });

  it('overhead per layer: PR/SM dispatching costs less than CP emulating for its guests', () => {
    expect(report.overhead.prsm).toBeGreaterThan(0);
    expect(report.overhead.cp).toBeGreaterThan(0);
    expect(report.overhead.prsm).toBeLessThan(report.overhead.cp);
    // The figures are the counters': PR/SM's overhead is the sum of the partitions' dispatch cycles.
    expect(report.partitions.reduce((n, p) => n + p.prsmCycles, 0)).toBe(report.prsm.overheadCycles);
    const users = report.cp[0]!.users;
    expect(report.cp[0]!.cpCycles).toBe(users.reduce((n, u) => n + u.cpCycles, 0));
  });

  it('the time-sharing supervisor computed its results in its partition', () => {
    const tso = report.supervisors[0]!;
    expect(tso.stop).toBe("disabled wait, code X'000'");
    // π(200,000) = 17,984; the longest Collatz chain below 20,000 starts at 17,647 (OEIS A006877).
    expect(tso.tasks.find((t) => t.name === 'SIEVE')!.results[0]).toBe(17_984);
    expect(tso.tasks.find((t) => t.name === 'COLLATZ')!.results[0]).toBe(17_647);
  });

  it("apps/cli/README.md's sample output is this run's: every line it shows but the wall-clock one", () => {
    // The simulated figures are deterministic, so a README line that is not in the report is stale.
    const stale = staleLines(readFileSync(README, 'utf8'), SAMPLES.demo, mainframeScenario.renderText(report));
    expect(stale, REFRESH).toEqual([]);
  });

  it('the text report names the sections a reader looks for', () => {
    const text = mainframeScenario.renderText(report);
    // A passing check prints its name alone, so a name must be a whole statement, not "… starts at".
    for (const c of report.checks) expect(c.name).not.toMatch(/\b(at|of|to|by|below|is)$/);
    for (const heading of [
      'Partitions:',
      'Storage map',
      'Virtual machines under CP in VM1',
      'Terminals in VM1',
      'I/O',
      'Simulated overhead per layer',
      `all ${report.checks.length} checks passed`,
      'saved system CMS:',
      'MINIKERN both ways:',
      "time slice 12.500 ms (the seed's 12.5-25 ms)",
    ]) {
      expect(text).toContain(heading);
    }
    expect(text).toContain('> LISTFILE');
  });

  it('two runs give the same report, byte for byte, apart from the wall clock; the status line follows simulated time', async () => {
    const lines: string[] = [];
    const progress: Progress = {
      live: true,
      update: (text) => {
        lines.push(typeof text === 'function' ? text() : text);
      },
      done: () => {},
    };
    const again = await runMainframe({ progress });
    expect(deterministic(again)).toBe(deterministic(report));
    expect(lines.length).toBeGreaterThanOrEqual(50);
    expect(lines[0]).toMatch(/^demo: 5\.0 of 300 ms simulated · VM1 \d+% KERN \d+% /);
    expect(lines.at(-1)).toMatch(/^demo: 300\.0 of 300 ms simulated/);
  }, 60_000);
});

describe('strachey demo --json', () => {
  it('prints the report as JSON: every section, the checks, the host last', () => {
    const run = strachey('demo', '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as MainframeReport;
    const checked = ReportSchema.safeParse(json);
    expect(checked.success ? [] : checked.error.issues).toEqual([]);
    expect(Object.keys(json)).toEqual([
      'scenario',
      'title',
      'source',
      'outcome',
      'machine',
      'simulatedMicros',
      'partitions',
      'storageMap',
      'prsm',
      'cp',
      'supervisors',
      'batch',
      'io',
      'overhead',
      'checks',
      'host',
    ]);
    expect(json.scenario).toBe('mainframe');
    expect(typeof json.host.wallSeconds).toBe('number');
    // The same deterministic content as the in-process run.
    expect(deterministic(json)).toBe(deterministic(report));
    expect(JSON.parse(renderJson(report)).partitions).toEqual(json.partitions);
  });
});

describe('scenario files', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strachey-scenario-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('a small YAML scenario runs: its partitions, weights, users and commands', () => {
    const path = file(
      'small.yaml',
      `# two partitions on one CP
machine:
  cps: 1
  slice: 2ms
time: 150ms
partitions:
  - name: ZVM
    runs: cp
    weight: 60
    storage: 128M
    users:
      - userid: EVE
        commands: [LISTFILE, QUERY DISK]
  - name: CRUNCH
    runs: batch
    weight: 40
`,
    );
    const run = strachey('demo', '--scenario', path, '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const r = JSON.parse(run.stdout) as MainframeReport;
    expect(r.source).toBe(path);
    // The title says what this file configured, not the default installation's partitions.
    expect(r.title).toBe('a mainframe under PR/SM: ZVM runs CP with 1 CMS user, CRUNCH runs a batch loop');
    expect(r.machine.physicalCps).toBe(1);
    expect(r.simulatedMicros).toBe(150_000);
    expect(r.partitions.map((p) => [p.name, p.weight])).toEqual([
      ['ZVM', 60],
      ['CRUNCH', 40],
    ]);
    expect(r.checks.map((c) => c.name)).toContain(
      "ZVM: 1 CMS user IPLed the saved system by name: it maps its 2 shared pages on the saved system's host frames",
    );
    const eve = r.cp[0]!.users[0]!;
    expect(eve.userid).toBe('EVE');
    expect(eve.transcript).toContain('> QUERY DISK');
    expect(eve.transcript).toContain(
      'EVE191 191  A  R/W      1 3390 4096         2           5-33        10         15',
    );
  });

  it('mistakes are reported as file:line:column with what was expected, exit code 2, nothing printed on stdout', () => {
    const path = file(
      'bad.yaml',
      `machine:
  cps: 2
partitions:
  - name: VM1
    runs: cp
    weight: 1200
    users:
      - userid: ALICE
        colour: blue
  - name: KERN
    runs: minikern
    weight: 10
    storage: 65M
    mode: blocks
`,
    );
    const run = strachey('demo', '--scenario', path);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toContain(
      `${path}:6:13: error SCENARIO: partitions.0.weight: Too big: expected number to be <=999`,
    );
    expect(lines).toContain(`${path}:9:9: error SCENARIO: partitions.0.users.0: unknown key 'colour'`);
  });

  it('checks beyond the schema are located too: storage that is not whole 64 MB blocks, duplicate names', () => {
    const r = parseMainframe(
      `partitions:
  - { name: A, runs: batch, weight: 1, storage: 96M, mode: blocks }
  - { name: A, runs: batch, weight: 1 }
`,
      'two.yaml',
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toContainEqual(
        expect.objectContaining({ code: 'BAD_VALUE', file: 'two.yaml', line: 2, column: 49 }),
      );
      expect(r.errors).toContainEqual(
        expect.objectContaining({ code: 'DUPLICATE', file: 'two.yaml', line: 3, column: 13 }),
      );
    }
  });

  it('YAML syntax errors and JSON files get positions as well', () => {
    const syntax = parseMainframe('partitions:\n  - name: A\n   runs: batch\n', 's.yaml');
    expect(syntax.ok).toBe(false);
    if (!syntax.ok) expect(syntax.errors[0]).toMatchObject({ code: 'SYNTAX', file: 's.yaml', line: 3 });
    const json = parseMainframe(
      '{\n  "partitions": [\n    { "name": "A", "runs": "bach", "weight": 1 }\n  ]\n}\n',
      'j.json',
    );
    expect(json.ok).toBe(false);
    if (!json.ok)
      expect(json.errors[0]).toMatchObject({ code: 'SCENARIO', file: 'j.json', line: 3, column: 28 });
  });

  it('two CPs in two partitions (one running its guests by SIE) and two bare MINIKERNs each get their own disks', async () => {
    const parsed = parseMainframe(
      `machine: { cps: 2 }
time: 120ms
partitions:
  - { name: VMA, runs: cp, weight: 10, users: [ { userid: AL, commands: [LISTFILE] }, { userid: MK, guest: minikern }, { userid: MS, guest: minikern, style: sie } ] }
  - { name: VMB, runs: cp, weight: 10, style: sie, users: [ { userid: BE, commands: [QUERY DISK] }, { userid: CY, ipl: 190, commands: [LISTFILE] }, { userid: MK, guest: minikern } ] }
  - { name: K1, runs: minikern, weight: 5 }
  - { name: K2, runs: minikern, weight: 5 }
`,
      'two.yaml',
    );
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
    const r = await runMainframe({ progress: SILENT_PROGRESS }, parsed.config);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.cp.map((c) => c.style)).toEqual(['trap-and-emulate', 'sie']);
    // Under SIE the guest kernel's DAT and timer instructions are interpreted, not intercepted.
    const mk = r.cp.map((c) => c.users.find((u) => u.userid === 'MK')!);
    expect(mk[0]!.intercepted.PTLB).toBeGreaterThan(0);
    expect(mk[1]!.intercepted.PTLB).toBeUndefined();
    expect(mk[1]!.interceptions).toBeLessThan(mk[0]!.interceptions);
    const be = r.cp[1]!.users.find((u) => u.userid === 'BE')!;
    expect(be.transcript.some((l) => /^BE191\s+191\s+A/.test(l))).toBe(true);
    // A user's own style in a trap-and-emulate CP: MS ran by SIE beside MK.
    const ms = r.cp[0]!.users.find((u) => u.userid === 'MS')!;
    expect([mk[0]!.style, ms.style]).toEqual(['trap-and-emulate', 'sie']);
    expect(ms.intercepted.PTLB).toBeUndefined();
    expect(ms.transcript).toEqual(mk[0]!.transcript);
    // Each CP saved its own CMS; under SIE the users of the saved system share its frames just the same.
    for (const c of r.cp) {
      const sh = c.savedSystems.systems[0]!.sharedPages;
      const byName = c.users.filter((u) => u.ipl === 'CMS');
      expect(byName).toHaveLength(1);
      expect(c.savedSystems.mappedFrames).toBe(sh);
      expect(c.savedSystems.privateCopies).toBe(0);
    }
    const cy = r.cp[1]!.users.find((u) => u.userid === 'CY')!;
    expect([cy.ipl, cy.sharedFrames, cy.style]).toEqual(['190', 0, 'sie']);
    expect(cy.transcript.some((l) => /^PROFILE\s+EXEC\s+A1$/.test(l))).toBe(true);
  }, 60_000);

  it("a user's style and IPL are checked where they are written", () => {
    const r = parseMainframe(
      `partitions:
  - name: VM
    runs: cp
    weight: 10
    users:
      - { userid: A, ipl: 191 }
      - { userid: B, ipl: NOSUCH }
      - { userid: C, style: sie }
      - { userid: D, guest: minikern, style: fast }
      - { userid: E, guest: minikern, ipl: CMS }
      - { userid: F, ipl: 190, style: trap-and-emulate }
`,
      'u.yaml',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const at = (line: number) =>
      r.errors.filter((e) => e.line === line).map((e) => `${e.column}: ${e.message}`);
    // The schema's errors come first and alone (zod stops before the rules that need a whole scenario).
    expect(at(9)).toEqual([
      expect.stringMatching(
        /^\d+: partitions\.0\.users\.3\.style: expected one of "trap-and-emulate", "sie"$/,
      ),
    ]);
    expect(r.errors.some((e) => e.line === 10 && e.message.includes("unknown key 'ipl'"))).toBe(true);
    const fixed = parseMainframe(
      `partitions:
  - name: VM
    runs: cp
    weight: 10
    users:
      - { userid: A, ipl: 191 }
      - { userid: B, ipl: NOSUCH }
      - { userid: C, style: sie }
      - { userid: F, ipl: 190, style: trap-and-emulate }
`,
      'u.yaml',
    );
    expect(fixed.ok).toBe(false);
    if (fixed.ok) return;
    expect(fixed.errors.map((e) => [e.line, e.column, e.code])).toEqual([
      [6, 27, 'BAD_VALUE'],
      [7, 27, 'BAD_VALUE'],
      [8, 29, 'BAD_VALUE'],
    ]);
    expect(fixed.errors[0]!.message).toBe(
      'ipl: 191 is not an IPLable disk of A; CMS is on the system disk 190',
    );
    expect(fixed.errors[1]!.message).toBe('ipl: no saved system NOSUCH; CP in the demo saves only CMS');
    expect(fixed.errors[2]!.message).toMatch(
      /^a CMS user logs on at a terminal, where CP gives the partition's style/,
    );
  });

  it("any ipl and style a user writes either resolves to CMS or 190 in the partition's style, or is an error at its place", () => {
    const word = fc.oneof(
      fc.constantFrom('CMS', 'cms', '190', '0190', '191', 'A80', 'NOSUCH', 'CAFE', 'sie', 'trap-and-emulate'),
      fc.stringMatching(/^[A-Z0-9@#$]{1,8}$/),
      fc.integer({ min: 0, max: 0xffff }),
    );
    const user = fc.record(
      {
        userid: fc.constantFrom('U1', 'U2', 'U3'),
        ipl: word,
        style: fc.constantFrom('sie', 'trap-and-emulate', 'fast'),
        guest: fc.constantFrom('cms', 'minikern'),
      },
      { requiredKeys: ['userid'] },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('sie', 'trap-and-emulate', undefined),
        fc.array(user, { minLength: 1, maxLength: 3 }),
        (style, users) => {
          const flow = (u: Record<string, unknown>) =>
            `{ ${Object.entries(u)
              .map(([k, v]) => `${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`)
              .join(', ')} }`;
          const text = `partitions:\n  - name: VM\n    runs: cp\n    weight: 10\n${style === undefined ? '' : `    style: ${style}\n`}    users:\n${users.map((u) => `      - ${flow(u)}\n`).join('')}`;
          const r = parseMainframe(text, 'p.yaml');
          if (!r.ok) {
            const lines = text.split('\n');
            for (const e of r.errors) {
              expect(e.file).toBe('p.yaml');
              expect(e.line).toBeGreaterThanOrEqual(1);
              expect(e.line).toBeLessThanOrEqual(lines.length);
              expect(e.column).toBeGreaterThanOrEqual(1);
            }
            return;
          }
          const p = r.config.partitions[0]!;
          if (p.runs !== 'cp') throw new Error('not a CP partition');
          for (const u of p.users) {
            if (u.guest === 'cms') {
              expect(['CMS', '190']).toContain(u.ipl);
              expect(u.style).toBe(p.style);
            } else expect(u.ipl).toBeNull();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a missing file is a READ error naming it', () => {
    const run = strachey('demo', '--scenario', join(dir, 'nope.yaml'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${join(dir, 'nope.yaml')}: error READ: cannot read the scenario file`);
  });
});
