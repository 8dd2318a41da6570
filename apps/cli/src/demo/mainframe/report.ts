/**
 * What the composed mainframe did, read from the running system's own
 * counters: PR/SM's per-partition cycles, dispatches and release reasons,
 * the partitions' storage layouts, CP's per-user interception counts and
 * cycles, the channel subsystem's counters, the guests' consoles and
 * storage. No figure is computed from the scenario's inputs alone; the
 * weights appear only beside the shares they are compared with.
 */
import type { Prsm, StorageLayout } from '@strachey/prsm';
import type { AbsoluteAddress } from '@strachey/isa-core';
import { GuestView, readTasks, type TaskReport } from '../bare-metal';
import { duration, grouped, hex, table } from '../format';
import { collatzRecords, primesBelow } from '../reference';
import type { HostFigures, ScenarioCheck, ScenarioReport } from '../scenario';
import { outcomeOf } from '../scenario';
import type { MainframeConfig } from './config';
import { BATCH_COUNT, type BuiltPartition, CONSOLE, type MainframeSystem } from './system';

/** A partition's storage as the report shows it. */
export interface StorageFacts {
  readonly mode: 'zone' | 'blocks';
  readonly bytes: number;
  /** Zone: the origin; blocks: each 64 MB block's physical origin, in the order the partition sees them. */
  readonly origins: readonly string[];
}

/** One partition. */
export interface PartitionFacts {
  readonly name: string;
  /** What was IPLed: 'CP', 'MINIKERN', 'supervisor', 'batch'. */
  readonly runs: string;
  readonly weight: number;
  /** weight / Σ weights, percent: the share PR/SM guarantees when every partition wants the CPs. */
  readonly weightShare: number;
  /** Cycles its logical CPs ran / (elapsed × physical CPs), percent. */
  readonly share: number;
  readonly logicalCps: number;
  readonly capped: boolean;
  readonly storage: StorageFacts;
  readonly cycles: number;
  readonly instructions: number;
  readonly dispatches: number;
  /** Why its logical CPs gave their physical CPs back. */
  readonly releases: Readonly<Record<'slice' | 'wait' | 'cap' | 'stop', number>>;
  /** PR/SM's cycles dispatching its logical CPs (firmware path and cache reload). */
  readonly prsmCycles: number;
  /** SSCHs its channel-subsystem image accepted. */
  readonly ioStarts: number;
  /** Logical CP states at the end. */
  readonly state: readonly string[];
  /** Its 3215 console (bare partitions). */
  readonly console: readonly string[];
}

/** One user of a CP. */
export interface UserFacts {
  readonly userid: string;
  readonly guest: 'cms' | 'minikern';
  readonly state: string;
  readonly instructions: number;
  readonly guestCycles: number;
  readonly cpCycles: number;
  /** CP cycles / (guest + CP cycles), percent. */
  readonly cpOverhead: number;
  readonly interceptions: number;
  /** What CP intercepted, by type: emulated instructions by mnemonic, reflected program interruptions, SVCs, external and I/O interruptions delivered. */
  readonly intercepted: Readonly<Record<string, number>>;
  /** Virtual I/O: SSCHs, CCWs translated, real starts, simulated CCWs. */
  readonly io: Readonly<Record<string, number>>;
  readonly commands: readonly string[];
  /** The terminal transcript (CMS users: after LOGON; MINIKERN: its console). */
  readonly transcript: readonly string[];
}

/** One CP. */
export interface CpFacts {
  readonly partition: string;
  readonly style: string;
  readonly dispatches: number;
  readonly realIo: { readonly starts: number; readonly completions: number };
  readonly guestCycles: number;
  readonly cpCycles: number;
  /** CP cycles / (guest + CP cycles) of all its users, percent. */
  readonly overhead: number;
  readonly users: readonly UserFacts[];
}

/** The time-sharing supervisor's partition. */
export interface SupervisorFacts {
  readonly partition: string;
  readonly stop: string;
  readonly tasks: readonly TaskReport[];
}

/** The composed mainframe's report. */
export interface MainframeReport extends ScenarioReport {
  readonly scenario: 'mainframe';
  readonly title: string;
  readonly source: string;
  readonly machine: {
    readonly physicalCps: number;
    readonly storage: number;
    readonly hsa: number;
    readonly sliceMicros: number;
    readonly costModel: string;
    readonly mhz: number;
    readonly consoleCharactersPerSecond: number;
    readonly preemptOnWake: boolean;
  };
  readonly simulatedMicros: number;
  readonly partitions: readonly PartitionFacts[];
  readonly storageMap: readonly { readonly from: string; readonly to: string; readonly owner: string }[];
  readonly prsm: {
    readonly dispatches: number;
    readonly decisions: number;
    readonly busyCycles: number;
    readonly idleCycles: number;
    readonly overheadCycles: number;
    /** Overhead / (busy + overhead), percent. */
    readonly overhead: number;
  };
  readonly cp: readonly CpFacts[];
  readonly supervisors: readonly SupervisorFacts[];
  readonly batch: readonly { readonly partition: string; readonly iterations: readonly number[] }[];
  readonly io: {
    readonly starts: number;
    readonly completions: number;
    readonly ccws: number;
    readonly bytes: number;
    readonly interruptions: number;
  };
  /** Simulated overhead per layer, percent (PR/SM of the machine's busy time; CP of its virtual machines' time). */
  readonly overhead: { readonly prsm: number; readonly cp: number };
}

const pct = (part: number, whole: number): number =>
  whole > 0 ? Math.round((10000 * part) / whole) / 100 : 0;
const hex8 = (n: number): string => `0x${hex(n, 8)}`;

function storageFacts(l: StorageLayout): StorageFacts {
  return l.mode === 'zone'
    ? { mode: 'zone', bytes: l.size, origins: [hex8(l.origin)] }
    : { mode: 'blocks', bytes: l.size, origins: l.blocks.map(hex8) };
}

/** What PR/SM's storage map holds: every partition's extents, the HSA, and the free gaps, by address. */
function storageMap(prsm: Prsm): { from: string; to: string; owner: string }[] {
  const rows: { at: number; end: number; owner: string }[] = [];
  for (const name of prsm.partitionNames) {
    const lay = prsm.partition(name)?.layout;
    if (lay == null) continue;
    if (lay.mode === 'zone') rows.push({ at: lay.origin, end: lay.origin + lay.size, owner: name });
    else {
      lay.blocks.forEach((b, i) => {
        rows.push({ at: b, end: b + 64 * 2 ** 20, owner: `${name} block ${i}` });
      });
    }
  }
  rows.push({ at: prsm.hsaBase, end: prsm.storage.size, owner: 'HSA' });
  rows.sort((a, b) => a.at - b.at);
  const out: { from: string; to: string; owner: string }[] = [];
  let at = 0;
  for (const r of rows) {
    if (r.at > at) out.push({ from: hex8(at), to: hex8(r.at - 1), owner: '(free)' });
    out.push({ from: hex8(r.at), to: hex8(r.end - 1), owner: r.owner });
    at = r.end;
  }
  if (at < prsm.storage.size) out.push({ from: hex8(at), to: hex8(prsm.storage.size - 1), owner: '(free)' });
  return out;
}

function userFacts(b: BuiltPartition): UserFacts[] {
  const cp = b.cp!;
  return b.users.map((u) => {
    const vm = cp.vm(u.userid);
    const c = vm?.counters;
    const intercepted: Record<string, number> = {};
    if (c !== undefined) {
      for (const [k, v] of Object.entries(c.emulated)) intercepted[k] = v;
      for (const [k, v] of Object.entries(c.reflectedProgram)) intercepted[`program ${k}`] = v;
      if (c.svcReflected > 0) intercepted.SVC = c.svcReflected;
      if (c.externalDelivered > 0) intercepted['external interruption'] = c.externalDelivered;
      if (c.ioDelivered > 0) intercepted['I/O interruption'] = c.ioDelivered;
    }
    const sorted = Object.fromEntries(
      Object.entries(intercepted).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)),
    );
    const guest = c?.guestCycles ?? 0;
    const cpc = c?.cpCycles ?? 0;
    return {
      userid: u.userid,
      guest: u.guest,
      state: vm?.runState(0) ?? 'logged off',
      instructions: c?.instructions ?? 0,
      guestCycles: guest,
      cpCycles: cpc,
      cpOverhead: pct(cpc, guest + cpc),
      interceptions: c?.interceptions ?? 0,
      intercepted: sorted,
      io: { ...(c?.io ?? {}) },
      commands: u.commands,
      transcript: u.transcript.map((l) => l.trimEnd()),
    };
  });
}

/** A disabled wait's code, or what the CPU is doing. */
function cpuState(prsm: Prsm, name: string): string {
  const l = prsm.logicalCps(name)[0];
  if (l === undefined) return 'inactive';
  const [hi, lo] = l.cpu.getPsw();
  const wait = ((hi >>> 16) & 0x2) !== 0;
  const enabled = (hi >>> 24) & 0x3;
  if (wait && enabled === 0) return `disabled wait, code X'${hex(lo & 0x7fffffff, 3)}'`;
  return l.state;
}

/** Read everything back and check what can be checked. */
export function collectReport(
  config: MainframeConfig,
  system: MainframeSystem,
  host: HostFigures,
): MainframeReport {
  const { prsm } = system;
  const counters = prsm.counters();
  const elapsed = counters.time;
  const capacity = elapsed * prsm.physicalCps;
  const weights = config.partitions.reduce((n, p) => n + p.weight, 0);
  const checks: ScenarioCheck[] = [];
  const check = (
    name: string,
    expected: string | number | boolean,
    actual: string | number | boolean | null,
  ) => checks.push({ name, expected, actual, ok: expected === actual });
  const css = prsm.channelSubsystem(config.partitions[0]!.name)!;

  const partitions: PartitionFacts[] = system.partitions.map((b) => {
    const r = prsm.partition(b.config.name)!;
    return {
      name: r.name,
      runs: b.config.runs === 'cp' ? 'CP' : b.config.runs === 'minikern' ? 'MINIKERN' : b.config.runs,
      weight: r.weight,
      weightShare: pct(r.weight, weights),
      share: pct(r.counters.cycles, capacity),
      logicalCps: r.logicalCps.length,
      capped: r.capped,
      storage: storageFacts(r.layout!),
      cycles: r.counters.cycles,
      instructions: r.counters.instructions,
      dispatches: r.counters.dispatches,
      releases: { ...r.counters.releases },
      prsmCycles: r.counters.overheadCycles,
      ioStarts: css.startsFor(r.mifId),
      state: r.logicalCps.map((l) => l.state),
      console: prsm.consoleLines(r.name, CONSOLE).map((l) => l.trimEnd()),
    };
  });

  const cps: CpFacts[] = [];
  const supervisors: SupervisorFacts[] = [];
  const batch: { partition: string; iterations: number[] }[] = [];
  let kernelUnderCp: readonly string[] | null = null;
  for (const b of system.partitions) {
    const name = b.config.name;
    const p = b.config;
    if (p.runs === 'cp' && b.cp !== null) {
      const users = userFacts(b);
      const c = b.cp.counters();
      const guest = users.reduce((n, u) => n + u.guestCycles, 0);
      const cpc = users.reduce((n, u) => n + u.cpCycles, 0);
      cps.push({
        partition: name,
        style: p.style,
        dispatches: c.dispatches,
        realIo: { starts: c.realIoStarts, completions: c.realIoCompletions },
        guestCycles: guest,
        cpCycles: cpc,
        overhead: pct(cpc, guest + cpc),
        users,
      });
      for (const u of users) {
        if (u.guest === 'cms') {
          const typed = u.transcript.filter((l) => l.startsWith('> ')).length;
          const last = u.transcript.lastIndexOf(u.transcript.filter((l) => l.startsWith('> ')).at(-1) ?? '');
          const answered = last >= 0 && u.transcript.length > last + 1;
          check(
            `${name} ${u.userid}: CMS came up and answered ${u.commands.length === 1 ? 'the command' : `all ${u.commands.length} commands`} typed at the terminal`,
            true,
            u.transcript.some((l) => l.startsWith('CMS VERSION')) &&
              typed === u.commands.length &&
              (u.commands.length === 0 || answered),
          );
        } else {
          kernelUnderCp = u.transcript;
          check(
            `${name} ${u.userid}: MINIKERN under CP ran both tasks to ALL TASKS DONE`,
            true,
            u.transcript.includes('ALL TASKS DONE'),
          );
        }
      }
      check(
        `CP in ${name} intercepted the guests' privileged operations`,
        true,
        users.some((u) => u.interceptions > 0),
      );
    } else if (p.runs === 'minikern') {
      const lines = prsm.consoleLines(name, CONSOLE).map((l) => l.trimEnd());
      check(
        `${name}: MINIKERN bare in the partition ran both tasks to ALL TASKS DONE`,
        true,
        lines.includes('ALL TASKS DONE'),
      );
      if (kernelUnderCp !== null)
        check(
          `${name}: the same console output bare as under CP (Popek and Goldberg's equivalence)`,
          kernelUnderCp.join('|'),
          lines.join('|'),
        );
    } else if (p.runs === 'supervisor' && b.supervisor !== null) {
      const view = new GuestView(prsm.partitionStorage(name)!, b.supervisor);
      const tasks = readTasks(view);
      const stop = cpuState(prsm, name);
      supervisors.push({ partition: name, stop, tasks });
      const primes = primesBelow(p.sieve);
      const records = collatzRecords(p.collatz);
      const best = records[records.length - 1] ?? { start: 0, steps: 0 };
      const result = (task: string, slot: number) => {
        const t = tasks.find((x) => x.name === task);
        return t?.status === 'ended' ? (t.results[slot] ?? null) : null;
      };
      check(`${name}: the supervisor ended every task and stopped`, "disabled wait, code X'000'", stop);
      check(`${name}: primes below ${grouped(p.sieve)}`, primes.count, result('SIEVE', 0));
      check(
        `${name}: longest Collatz chain below ${grouped(p.collatz)} starts at`,
        best.start,
        result('COLLATZ', 0),
      );
      check(
        `${name}: ROGUE ended by a protection exception`,
        'abended',
        tasks.find((t) => t.name === 'ROGUE')?.status ?? null,
      );
    } else if (p.runs === 'batch') {
      const st = prsm.partitionStorage(name)!;
      batch.push({
        partition: name,
        iterations: prsm
          .logicalCps(name)
          .map((_, i) => st.read32((BATCH_COUNT + 4 * i) as AbsoluteAddress) >>> 0),
      });
    }
  }

  const busy = counters.busyCycles;
  const cpGuest = cps.reduce((n, c) => n + c.guestCycles, 0);
  const cpCycles = cps.reduce((n, c) => n + c.cpCycles, 0);
  const title =
    'a mainframe under PR/SM: CP with CMS users and a guest kernel, the kernel bare, a time-sharing supervisor, batch';
  return {
    scenario: 'mainframe',
    title,
    source: config.file,
    outcome: outcomeOf(checks, 'finished'),
    machine: {
      physicalCps: prsm.physicalCps,
      storage: prsm.storage.size,
      hsa: prsm.storage.size - prsm.hsaBase,
      sliceMicros: prsm.sliceCycles / prsm.costModel.mhz,
      costModel: prsm.costModel.name,
      mhz: prsm.costModel.mhz,
      consoleCharactersPerSecond: config.consoleCps,
      preemptOnWake: config.preemptOnWake,
    },
    simulatedMicros: elapsed / prsm.costModel.mhz,
    partitions,
    storageMap: storageMap(prsm),
    prsm: {
      dispatches: counters.dispatches,
      decisions: counters.decisions,
      busyCycles: busy,
      idleCycles: counters.idleCycles,
      overheadCycles: counters.overheadCycles,
      overhead: pct(counters.overheadCycles, busy + counters.overheadCycles),
    },
    cp: cps,
    supervisors,
    batch,
    io: { ...css.counters },
    overhead: {
      prsm: pct(counters.overheadCycles, busy + counters.overheadCycles),
      cp: pct(cpCycles, cpGuest + cpCycles),
    },
    checks,
    host,
  };
}

const mark = (ok: boolean) => (ok ? '✓' : '✗');
const mb = (bytes: number) => `${grouped(bytes / 2 ** 20)}M`;

/** The report as text for a terminal. */
export function renderMainframe(r: MainframeReport): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`strachey demo: ${r.title}`);
  out.push(
    `  machine   ${m.physicalCps} shared physical CP${m.physicalCps === 1 ? '' : 's'}, ${mb(m.storage)} storage (HSA ${mb(m.hsa)}), cost model ${m.costModel} at ${m.mhz} MHz`,
  );
  out.push(
    `  PR/SM     time slice ${duration(m.sliceMicros)}${m.preemptOnWake ? ', a logical CP woken by I/O or a timer preempts one that selects after it' : ''}; ran ${duration(r.simulatedMicros)} of simulated time${r.source === '<default>' ? '' : ` (scenario ${r.source})`}`,
  );
  out.push('');

  out.push(
    'Partitions: weights and the shares they got (PR/SM guarantees weight / Σ weights; what a waiting partition leaves flows to the ready ones)',
  );
  const rows: string[][] = [
    [
      'name',
      'runs',
      'weight',
      '→ share',
      'used',
      'LCPs',
      'dispatches',
      'slice',
      'wait',
      'stop',
      'I/O starts',
      'state',
    ],
  ];
  for (const p of r.partitions) {
    rows.push([
      p.name,
      p.runs,
      String(p.weight),
      `${p.weightShare.toFixed(1)}%`,
      `${p.share.toFixed(1)}%`,
      String(p.logicalCps),
      grouped(p.dispatches),
      grouped(p.releases.slice),
      grouped(p.releases.wait),
      grouped(p.releases.stop),
      grouped(p.ioStarts),
      p.state.join(','),
    ]);
  }
  out.push(table(rows, 'llrrrrrrrrrl'));
  out.push('');

  out.push(
    'Storage map (physical storage, by address; zone partitions are one range, block-table partitions 64 MB blocks)',
  );
  out.push(
    table(
      r.storageMap.map((s) => [`${s.from}-${s.to}`, s.owner]),
      'll',
    ),
  );
  for (const p of r.partitions) {
    out.push(
      `  ${p.name.padEnd(8)} ${p.storage.mode === 'zone' ? `zone origin ${p.storage.origins[0]}, limit ${mb(p.storage.bytes)}` : `block table ${p.storage.origins.join(' ')} (${mb(p.storage.bytes)}, contiguous from 0 as the partition sees it)`}`,
    );
  }
  out.push('');

  for (const c of r.cp) {
    out.push(
      `Virtual machines under CP in ${c.partition} (${c.style}; CP dispatched virtual CPUs ${grouped(c.dispatches)} times)`,
    );
    const vrows: string[][] = [
      [
        'user',
        'guest',
        'state',
        'instructions',
        'guest cycles',
        'CP cycles',
        'CP share',
        'intercepted (by type)',
      ],
    ];
    for (const u of c.users) {
      const top = Object.entries(u.intercepted)
        .slice(0, 6)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      vrows.push([
        u.userid,
        u.guest === 'cms' ? 'CMS' : 'MINIKERN',
        u.state,
        grouped(u.instructions),
        grouped(u.guestCycles),
        grouped(u.cpCycles),
        `${u.cpOverhead.toFixed(1)}%`,
        `${grouped(u.interceptions)}: ${top}`,
      ]);
    }
    out.push(table(vrows, 'lllrrrrl'));
    out.push(
      `  real I/O: ${grouped(c.realIo.starts)} starts, ${grouped(c.realIo.completions)} completions on the partition's 3390s`,
    );
    out.push('');
    out.push(`Terminals in ${c.partition}`);
    for (const u of c.users) {
      out.push(`  ${u.userid}${u.guest === 'minikern' ? ' (MINIKERN console)' : ''}`);
      for (const l of u.transcript.filter((x) => x.trim() !== '')) out.push(`    ${l}`);
    }
    out.push('');
  }

  const bare = r.partitions.filter((p) => p.runs === 'MINIKERN');
  for (const p of bare) {
    out.push(`${p.name}: MINIKERN bare in the partition`);
    for (const l of p.console) out.push(`    ${l}`);
    out.push('');
  }
  for (const s of r.supervisors) {
    out.push(`${s.partition}: the time-sharing supervisor (${s.stop})`);
    const trows: string[][] = [['task', 'status', 'dispatches', 'SVCs', 'CPU time', 'results']];
    for (const t of s.tasks)
      trows.push([
        t.name,
        t.abend ? `${t.status}: ${t.abend.name}` : t.status,
        grouped(t.dispatches),
        grouped(t.svcs),
        duration(t.cpuMicros),
        t.results.map(grouped).join(' '),
      ]);
    out.push(table(trows, 'llrrrl'));
    out.push('');
  }
  for (const b of r.batch)
    out.push(`${b.partition}: batch loop iterations per logical CP: ${b.iterations.map(grouped).join(', ')}`);
  if (r.batch.length > 0) out.push('');

  out.push("I/O (the machine's channel subsystem, all partitions)");
  out.push(
    `  ${grouped(r.io.starts)} starts, ${grouped(r.io.completions)} completions, ${grouped(r.io.ccws)} CCWs, ${grouped(r.io.bytes)} bytes, ${grouped(r.io.interruptions)} I/O interruptions`,
  );
  out.push('');

  out.push('Simulated overhead per layer');
  out.push(
    `  PR/SM  ${grouped(r.prsm.overheadCycles)} cycles dispatching logical CPs (${grouped(r.prsm.dispatches)} dispatches: firmware path + cache reload) = ${r.overhead.prsm.toFixed(2)}% of the CPs' busy time`,
  );
  if (r.cp.length > 0) {
    const cpCycles = r.cp.reduce((n, c) => n + c.cpCycles, 0);
    out.push(
      `  CP     ${grouped(cpCycles)} cycles handling interceptions = ${r.overhead.cp.toFixed(2)}% of its virtual machines' time`,
    );
  }
  out.push('');
  out.push('Host (wall clock; not part of the simulation)');
  out.push(
    `  ${r.host.wallSeconds.toFixed(2)} s, ${r.host.mips.toFixed(1)} million guest instructions per second (Node ${r.host.node})`,
  );
  out.push('');
  for (const c of r.checks)
    out.push(
      `  ${mark(c.ok)} ${c.name}${c.ok ? '' : ` (expected ${String(c.expected)}, got ${String(c.actual)})`}`,
    );
  const failed = r.checks.filter((c) => !c.ok).length;
  out.push(
    r.outcome === 'ok'
      ? `all ${r.checks.length} checks passed`
      : `${r.outcome}: ${failed} of ${r.checks.length} checks failed`,
  );
  return `${out.join('\n')}\n`;
}
