/**
 * What the composed mainframe did, read from the running system's own
 * counters: PR/SM's per-partition cycles, dispatches and release reasons,
 * the partitions' storage layouts, CP's per-user interception counts and
 * cycles, the channel subsystem's counters, the guests' consoles and
 * storage. No figure is computed from the scenario's inputs alone; the
 * weights appear only beside the shares they are compared with.
 */
import type { Prsm, StorageLayout } from '@strachey/prsm';
import { type AbsoluteAddress, Access, createTranslationStatus, TRANSLATION_FAULT } from '@strachey/isa-core';
import type { ControlProgram } from '@strachey/hypervisor-cp';
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
  /** How CP ran it: trap-and-emulate (every privileged operation exits to CP) or SIE (only interceptions reach CP). */
  readonly style: 'trap-and-emulate' | 'sie';
  /** CMS users: what the directory's IPL names, `CMS` (the saved system) or `190` (the system disk); null for MINIKERN. */
  readonly ipl: string | null;
  /** Pages of a saved system mapped shared into its storage now (CP's saved-system table). */
  readonly sharedFrames: number;
  /** Host page frames its storage holds for it alone (allocated, not shared), counted in the machine's storage. */
  readonly privateFrames: number;
  /** Of those, the frames in the saved system's pages (CMS's nucleus): a user who IPLed the disk holds its own copy there. */
  readonly ownSystemFrames: number;
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

/** CP's named saved systems and what sharing them saved, from CP's saved-system table and the machine storage. */
export interface SavedSystemFacts {
  /** Each saved system: its pages and shared pages (hexadecimal guest addresses) and the users mapping it. */
  readonly systems: readonly {
    readonly name: string;
    readonly pages: number;
    readonly sharedPages: number;
    readonly range: string;
    readonly users: readonly string[];
  }[];
  /** IPLs by name. */
  readonly ipls: number;
  /** Shared frames mapped into virtual machines now (one per user per shared page). */
  readonly mappedFrames: number;
  /** Distinct host page frames behind them (the same frame object in every user's storage counts once). */
  readonly hostFrames: number;
  /** Shared pages a user replaced with a private copy by storing into them. */
  readonly privateCopies: number;
  /** MAINT's terminal: LOGON, DEFSYS, IPL 190, SAVESYS and CP's answers, LOGOFF. */
  readonly operator: readonly string[];
}

/** The same guest under each execution style, against itself bare. */
export interface StyleFacts {
  readonly style: 'trap-and-emulate' | 'sie';
  readonly users: number;
  readonly interceptions: number;
  readonly guestCycles: number;
  readonly cpCycles: number;
  /** CP cycles / (guest + CP cycles) of the users run in this style, percent. */
  readonly overhead: number;
}

/** One CP. */
export interface CpFacts {
  readonly partition: string;
  /** The default style (a CMS user at a terminal gets it; a MINIKERN user may have its own). */
  readonly style: string;
  readonly dispatches: number;
  readonly realIo: { readonly starts: number; readonly completions: number };
  readonly guestCycles: number;
  readonly cpCycles: number;
  /** CP cycles / (guest + CP cycles) of all its users, percent. */
  readonly overhead: number;
  /** The users' figures summed per execution style. */
  readonly byStyle: readonly StyleFacts[];
  readonly savedSystems: SavedSystemFacts;
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

/**
 * Frames of `userid`'s storage that hold bytes of its own (all of them, and
 * those in guest pages `from`…`to`): walked through CP's relocation into the
 * machine's storage, so they are what the machine really holds. The shared
 * frames it maps go into `shared` (by identity: one host frame counts once).
 */
function privateFrames(
  cp: ControlProgram,
  userid: string,
  from: number,
  to: number,
  shared: Set<Uint8Array>,
): { all: number; inRange: number } {
  const vm = cp.vm(userid);
  if (vm === undefined) return { all: 0, inRange: 0 };
  const storage = cp.realStorage;
  const status = createTranslationStatus();
  let all = 0;
  let inRange = 0;
  for (let page = 0; page < vm.storage.size / 4096; page++) {
    const real = vm.storage.origin + page * 4096;
    const abs = cp.realLayer === null ? real : cp.realLayer.translate(real, Access.Read, status);
    if (abs === TRANSLATION_FAULT) continue;
    const f = Math.floor(abs / 4096);
    const frame = storage.frames[f];
    if (frame === undefined) continue;
    if (storage.shared[f] !== 0) shared.add(frame);
    else {
      all++;
      if (page >= from && page <= to) inRange++;
    }
  }
  return { all, inRange };
}

function userFacts(b: BuiltPartition, sharedHostFrames: Set<Uint8Array>): UserFacts[] {
  const cp = b.cp!;
  const shared = new Map(cp.savedSystems.users().map((x) => [x.userid, x.sharedFrames]));
  const system = cp.savedSystems.list()[0];
  const range = system?.shared ?? { from: 1, to: 0 };
  return b.users.map((u) => {
    const own = privateFrames(cp, u.userid, range.from, range.to, sharedHostFrames);
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
      style: vm?.style ?? u.style,
      ipl: u.ipl,
      sharedFrames: shared.get(u.userid) ?? 0,
      privateFrames: own.all,
      ownSystemFrames: own.inRange,
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

/**
 * The saved-system table's figures, and how many distinct host frames stand
 * behind the frames it maps shared (`sharedHostFrames`, collected from this
 * CP's users' storage by identity: what the machine's storage really holds).
 */
function savedSystemFacts(b: BuiltPartition, sharedHostFrames: ReadonlySet<Uint8Array>): SavedSystemFacts {
  const cp = b.cp!;
  const table = cp.savedSystems;
  const c = table.counters();
  const users = table.users();
  const page = (n: number) => hex(n * 4096, 6);
  return {
    systems: table.list().map((s) => ({
      name: s.name,
      pages: s.pages.length,
      sharedPages: s.shared === null ? 0 : s.shared.to - s.shared.from + 1,
      range: s.shared === null ? 'none' : `${page(s.shared.from)}-${hex((s.shared.to + 1) * 4096 - 1, 6)}`,
      users: users.filter((u) => u.system === s.name).map((u) => u.userid),
    })),
    ipls: c.ipls,
    mappedFrames: c.mappedFrames,
    hostFrames: sharedHostFrames.size,
    privateCopies: c.privateCopies,
    operator: (b.operator?.transcript ?? []).map((l) => l.trimEnd()),
  };
}

/** The users' figures per execution style, the styles in a fixed order. */
function styleFacts(users: readonly UserFacts[]): StyleFacts[] {
  const out: StyleFacts[] = [];
  for (const style of ['trap-and-emulate', 'sie'] as const) {
    const us = users.filter((u) => u.style === style);
    if (us.length === 0) continue;
    const guest = us.reduce((n, u) => n + u.guestCycles, 0);
    const cpc = us.reduce((n, u) => n + u.cpCycles, 0);
    out.push({
      style,
      users: us.length,
      interceptions: us.reduce((n, u) => n + u.interceptions, 0),
      guestCycles: guest,
      cpCycles: cpc,
      overhead: pct(cpc, guest + cpc),
    });
  }
  return out;
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
  const kernelsUnderCp: { partition: string; userid: string; style: string; lines: readonly string[] }[] = [];
  for (const b of system.partitions) {
    const name = b.config.name;
    const p = b.config;
    if (p.runs === 'cp' && b.cp !== null) {
      const sharedHostFrames = new Set<Uint8Array>();
      const users = userFacts(b, sharedHostFrames);
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
        byStyle: styleFacts(users),
        savedSystems: savedSystemFacts(b, sharedHostFrames),
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
          kernelsUnderCp.push({ partition: name, userid: u.userid, style: u.style, lines: u.transcript });
          check(
            `${name} ${u.userid}: MINIKERN under CP (${u.style === 'sie' ? 'SIE' : u.style}) ran both tasks to ALL TASKS DONE`,
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
      const byName = users.filter(
        (u) => u.guest === 'cms' && u.ipl !== null && !/^[0-9A-F]{1,4}$/.test(u.ipl),
      );
      if (byName.length > 0) {
        const ss = cps.at(-1)!.savedSystems;
        const sharedPages = ss.systems.reduce((n, s) => n + s.sharedPages, 0);
        check(
          byName.length === 1
            ? `${name}: 1 CMS user IPLed the saved system by name: it maps its ${sharedPages} shared pages on the saved system's host frames`
            : `${name}: ${byName.length} CMS users IPLed the saved system by name: each maps its ${sharedPages} shared pages, the same host frames for all`,
          `${byName.length * sharedPages} mappings of ${sharedPages} host frames`,
          `${ss.mappedFrames} mappings of ${ss.hostFrames} host frames`,
        );
        check(`${name}: running CMS made no private copy of a shared page`, 0, ss.privateCopies);
      }
    } else if (p.runs === 'minikern') {
      const lines = prsm.consoleLines(name, CONSOLE).map((l) => l.trimEnd());
      check(
        `${name}: MINIKERN bare in the partition ran both tasks to ALL TASKS DONE`,
        true,
        lines.includes('ALL TASKS DONE'),
      );
      for (const k of kernelsUnderCp)
        check(
          `${name}: the same console output bare as under CP by ${k.style === 'sie' ? 'SIE' : k.style} (${k.partition} ${k.userid}; Popek and Goldberg's equivalence)`,
          k.lines.join('|'),
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
      check(
        `${name}: ${grouped(primes.count)} primes below ${grouped(p.sieve)}, as the TypeScript reference counts`,
        primes.count,
        result('SIEVE', 0),
      );
      check(
        `${name}: the longest Collatz chain below ${grouped(p.collatz)} starts at ${grouped(best.start)}, as the reference finds`,
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
  // The default installation has its own one-line summary; a scenario file's says what that file configured.
  const title = config.file === '<default>' ? DEFAULT_TITLE : scenarioTitle(config);
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

/** The default installation's one-line summary (the scenario's title in `strachey demo --help`). */
export const DEFAULT_TITLE =
  'a mainframe under PR/SM: CP with CMS users on a saved system and a guest kernel in both execution styles, the kernel bare, a time-sharing supervisor, batch';

/** A scenario file's title: each partition and what it runs (CP with how many CMS and MINIKERN users). */
function scenarioTitle(config: MainframeConfig): string {
  const runs = config.partitions.map((p) => {
    if (p.runs === 'cp') {
      const cms = p.users.filter((u) => u.guest === 'cms').length;
      const kernels = p.users.length - cms;
      const users = [
        cms > 0 ? `${cms} CMS user${cms === 1 ? '' : 's'}` : '',
        kernels > 0 ? `${kernels} MINIKERN user${kernels === 1 ? '' : 's'}` : '',
      ]
        .filter((x) => x !== '')
        .join(' and ');
      return `${p.name} runs CP${users === '' ? '' : ` with ${users}`}`;
    }
    return `${p.name} runs ${p.runs === 'minikern' ? 'MINIKERN bare' : p.runs === 'supervisor' ? 'the time-sharing supervisor' : 'a batch loop'}`;
  });
  return `a mainframe under PR/SM: ${runs.join(', ')}`;
}

const mark = (ok: boolean) => (ok ? '✓' : '✗');

/** The seed gives PR/SM's time slice as 12.5-25 ms; a slice outside that says so. */
const sliceNote = (micros: number): string =>
  micros >= 12_500 && micros <= 25_000
    ? " (the seed's 12.5-25 ms)"
    : ` (outside the seed's 12.5-25 ms, as the scenario asks)`;

/** What the saved system saved: mappings, host frames, private copies; and why a user IPLs 190 instead. */
function savedSystemLines(c: CpFacts): string[] {
  const out: string[] = [];
  const ss = c.savedSystems;
  for (const s of ss.systems) {
    const n = s.users.length;
    out.push(
      `  saved system ${s.name}: ${s.pages} pages, ${s.sharedPages} shared (${s.range}); IPL ${s.name} by ${n} user${n === 1 ? '' : 's'} (${s.users.join(', ')}): ${grouped(ss.mappedFrames)} frames mapped shared on ${grouped(ss.hostFrames)} host frames, ${grouped(ss.privateCopies)} private copies`,
    );
  }
  const byName = c.users.filter((u) => u.sharedFrames > 0);
  const fromDisk = c.users.filter(
    (u) => u.guest === 'cms' && u.ipl !== null && /^[0-9A-F]{1,4}$/.test(u.ipl),
  );
  const one = fromDisk.length === 1;
  if (byName.length > 0 && fromDisk.length > 0)
    out.push(
      `  ${fromDisk.map((u) => u.userid).join(', ')} IPL${one ? 's' : ''} 190 for the contrast: CMS read from the system disk into ${fromDisk.map((u) => u.ownSystemFrames).join(', ')} frame${one && fromDisk[0]!.ownSystemFrames === 1 ? '' : 's'} of ${one ? 'its' : 'their'} own at those pages, where ${byName.map((u) => u.userid).join(', ')} hold ${byName.map((u) => u.ownSystemFrames).join(', ')} and share the saved system's`,
    );
  return out;
}

/** Each execution style's interceptions and CP share; the same guest under both when there is one. */
function styleLines(c: CpFacts): string[] {
  const out: string[] = [];
  const kernels = c.users.filter((u) => u.guest === 'minikern');
  const tae = kernels.find((u) => u.style === 'trap-and-emulate');
  const sie = kernels.find((u) => u.style === 'sie');
  if (tae === undefined || sie === undefined) return out;
  const one = (u: UserFacts) =>
    `${u.style === 'sie' ? 'SIE' : u.style} (${u.userid}) ${grouped(u.interceptions)} interceptions, CP ${grouped(u.cpCycles)} cycles = ${u.cpOverhead.toFixed(1)}%`;
  out.push(`  MINIKERN both ways: ${one(tae)}; ${one(sie)}`);
  const only = Object.keys(tae.intercepted).filter((k) => !(k in sie.intercepted));
  if (only.length > 0)
    out.push(
      `    under SIE ${only.slice(0, 6).join(', ')} never reached CP (the guest ran in its own supervisor state); CP saw only ${Object.keys(sie.intercepted).slice(0, 6).join(', ')}`,
    );
  return out;
}
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
    `  PR/SM     time slice ${duration(m.sliceMicros)}${sliceNote(m.sliceMicros)}${m.preemptOnWake ? '; a logical CP woken by I/O or a timer preempts one that selects after it (an assumption for interactive partitions, not a documented PR/SM rule)' : ''}; ran ${duration(r.simulatedMicros)} of simulated time${r.source === '<default>' ? '' : ` (scenario ${r.source})`}`,
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
      `Virtual machines under CP in ${c.partition} (CP dispatched virtual CPUs ${grouped(c.dispatches)} times; users at terminals get CP's default style, ${c.style})`,
    );
    const vrows: string[][] = [
      [
        'user',
        'guest',
        'style',
        'IPL',
        'frames (own + shared)',
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
        u.style === 'sie' ? 'SIE' : u.style,
        u.ipl ?? 'loaded',
        `${grouped(u.privateFrames)}${u.sharedFrames > 0 ? ` + ${u.sharedFrames} shared` : ''}`,
        u.state,
        grouped(u.instructions),
        grouped(u.guestCycles),
        grouped(u.cpCycles),
        `${u.cpOverhead.toFixed(1)}%`,
        `${grouped(u.interceptions)}: ${top}`,
      ]);
    }
    out.push(table(vrows, 'llllrlrrrrl'));
    out.push(
      `  real I/O: ${grouped(c.realIo.starts)} starts, ${grouped(c.realIo.completions)} completions on the partition's 3390s`,
    );
    out.push(...savedSystemLines(c));
    out.push(...styleLines(c));
    out.push('');
    out.push(`Terminals in ${c.partition}`);
    if (c.savedSystems.operator.length > 0) {
      out.push('  MAINT (the operator, privilege class E: saves CMS once)');
      for (const l of c.savedSystems.operator.filter((x) => x.trim() !== '')) out.push(`    ${l}`);
    }
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
    for (const c of r.cp)
      for (const s of c.byStyle)
        out.push(
          `         ${c.partition} ${s.style === 'sie' ? 'SIE' : s.style}: ${grouped(s.cpCycles)} cycles for ${grouped(s.interceptions)} interceptions of ${s.users} user${s.users === 1 ? '' : 's'} = ${s.overhead.toFixed(2)}%`,
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
