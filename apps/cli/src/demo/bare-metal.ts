/**
 * The bare-metal ESA/390 scenario: one CPU, no hypervisor, and a small
 * time-sharing supervisor written in ESA/390 assembler (guest/supervisor.asm)
 * that runs three problem-state tasks under CPU-timer preemption, serves
 * their SVCs, ends one of them on a protection exception and stops in a
 * disabled wait. The host loads it, presses restart, runs the machine for a
 * bounded number of instructions, reads the results back from guest storage
 * and checks them against TypeScript references.
 *
 * Interruption counts come from two sides that must agree: the supervisor
 * counts what its handlers saw (in its own storage), and the host counts the
 * SVC and program interruptions the CPU delivered, through an interception
 * policy that watches and never intercepts.
 */
import { basename } from 'node:path';
import {
  absoluteAddress,
  createEsa390Machine,
  type Esa390Machine,
  type Esa390MachineExit,
  ebcdicToAscii,
  type InterceptionPolicy,
  LOWCORE,
  type StoragePort,
  unsignedWordsToMicros,
} from '@strachey/isa-core';
import { UserError } from '../diagnostics';
import { duration, grouped, hex, millions, table } from './format';
import { type AssembledGuest, assembleGuest, defaultGuestSource, type GuestSymbol } from './guest';
import { collatzRecords, primesBelow } from './reference';
import {
  type HostFigures,
  outcomeOf,
  type Scenario,
  type ScenarioCheck,
  type ScenarioContext,
  type ScenarioReport,
} from './scenario';

/** Workload of the guest's tasks; each overrides the DC value in the source when given. */
export interface BareMetalParameters {
  /** SIEVE counts the primes below this (2 … 16,000,000; its byte array starts at 1 MB). */
  readonly sieveLimit?: number;
  /** COLLATZ looks for the longest chain below this (2 … 159,487, where 3n+1 still fits in 32 bits). */
  readonly collatzLimit?: number;
  /** ROGUE loops this many times before its attack (0 … 2^31−1). */
  readonly rogueSpins?: number;
  /** CPU-timer time slice in microseconds (1 … 1,000,000). */
  readonly sliceMicros?: number;
}

/** How the run ended. */
export type BareMetalStop =
  /** The supervisor loaded a disabled-wait PSW; its address field is the wait code. */
  | { readonly kind: 'disabled-wait'; readonly waitCode: number; readonly meaning: string }
  /** An enabled wait nothing can end, or the CPU stopped. */
  | { readonly kind: 'enabled-wait' | 'stopped' }
  | { readonly kind: 'check-stop'; readonly why: string }
  /** The instruction budget ran out first. */
  | { readonly kind: 'budget' }
  /** The CPU exited to the host (a breakpoint or interception: not expected on a bare machine). */
  | { readonly kind: 'host-exit'; readonly detail: string };

/** A program-interruption or SVC abend of a task. */
export interface TaskAbend {
  /** Program-interruption code (X'0004' protection, …), or the undefined SVC number. */
  readonly code: number;
  /** What the code means. */
  readonly name: string;
  /** Instruction-length code stored with the interruption (halfwords). */
  readonly ilc: number;
  /** The old PSW the supervisor saved, 16 hex digits. */
  readonly psw: string;
}

/** One task as its task control block (TCB) shows it at the end. */
export interface TaskReport {
  readonly number: number;
  readonly name: string;
  /** PSW key the task runs under (storage-protection key). */
  readonly key: number;
  readonly status: 'ready' | 'ended' | 'abended';
  readonly dispatches: number;
  readonly svcs: number;
  /** CPU time charged by the supervisor from the CPU timer, microseconds. */
  readonly cpuMicros: number;
  /** The four result slots SVC 1 writes. */
  readonly results: readonly number[];
  readonly abend: TaskAbend | null;
}

/** The bare-metal scenario's report. */
export interface BareMetalReport extends ScenarioReport {
  readonly scenario: 'bare-metal';
  readonly title: string;
  readonly machine: {
    readonly architecture: 'ESA/390';
    readonly cpus: number;
    readonly mainsize: number;
    readonly costModel: string;
    readonly mhz: number;
  };
  readonly guest: {
    readonly file: string;
    readonly bytes: number;
    readonly entry: number;
    readonly parameters: Required<BareMetalParameters>;
  };
  readonly budget: number;
  readonly stop: BareMetalStop;
  /** Final PSW, 16 hex digits. */
  readonly psw: string;
  readonly instructions: number;
  readonly cycles: number;
  /** Simulated time: cycles / MHz. */
  readonly simulatedMicros: number;
  /** TOD-clock time between the supervisor's first and last STCK (null before it finished). */
  readonly guestTodMicros: number | null;
  /** Interruptions by class, as the supervisor counted them (restart: the host's one restart). */
  readonly interruptions: {
    readonly restart: number;
    readonly external: number;
    readonly svc: number;
    readonly program: number;
  };
  /** SVC and program interruptions as the host saw the CPU deliver them. */
  readonly observed: { readonly svc: number; readonly program: number };
  /**
   * Simulated cycles the interruptions themselves cost (count × the cost
   * model's event figure: PSW swap and interruption-code stores), apart
   * from the handlers' instructions.
   */
  readonly interruptionCycles: {
    readonly external: number;
    readonly svc: number;
    readonly program: number;
    readonly total: number;
  };
  readonly tasks: readonly TaskReport[];
  /** The SVC 2 log: (task number, R0, R1). */
  readonly log: readonly { readonly task: number; readonly r0: number; readonly r1: number }[];
}

/** Options of `runBareMetal`. */
export interface BareMetalOptions extends ScenarioContext {
  readonly parameters?: BareMetalParameters;
}

/** Instructions per call of machine.run between two progress updates. */
const SLICE_INSTRUCTIONS = 1_000_000;
/** Default budget: the default workload needs about 100 million. */
export const DEFAULT_BUDGET = 400_000_000;
const MB = 1024 * 1024;

/** Program-interruption codes (POP "Program-Interruption Conditions") a task can meet here. */
const PROGRAM_CODES: ReadonlyMap<number, string> = new Map([
  [0x01, 'operation'],
  [0x02, 'privileged operation'],
  [0x03, 'execute'],
  [0x04, 'protection'],
  [0x05, 'addressing'],
  [0x06, 'specification'],
  [0x07, 'data'],
  [0x08, 'fixed-point overflow'],
  [0x09, 'fixed-point divide'],
  [0x0a, 'decimal overflow'],
  [0x0b, 'decimal divide'],
  [0x10, 'segment translation'],
  [0x11, 'page translation'],
  [0x12, 'translation specification'],
  [0x13, 'special operation'],
]);

/** Wait codes of supervisor.asm: the address field of the disabled-wait PSW. */
const WAIT_CODES: ReadonlyMap<number, string> = new Map([
  [0x000, 'every task ended'],
  [0xe58, 'unexpected external interruption'],
  [0xe68, 'program check in the supervisor'],
  [0xe70, 'machine check'],
  [0xe78, 'I/O interruption'],
  [0xbad0, 'the rogue task took the machine over'],
]);

/** Where a value came from when it is out of range: the DC in the guest source, or an option. */
interface ValueOrigin {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

function checkRange(name: string, value: number, min: number, max: number, origin?: ValueOrigin): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError(
      {
        code: 'DEMO_PARAMETER',
        message: `${name} must be an integer from ${grouped(min)} to ${grouped(max)}, got ${value}`,
        ...origin,
      },
      2,
    );
  }
  return value;
}

/** Watches SVC and program interruptions as the CPU takes them; routes nothing to the host. */
class InterruptionObserver implements InterceptionPolicy {
  readonly name = 'observe';
  svcs = 0;
  programs = 0;
  program(): boolean {
    this.programs++;
    return false;
  }
  svc(): boolean {
    this.svcs++;
    return false;
  }
  instruction(): boolean {
    return false;
  }
}

/** Guest storage reads at the addresses the assembly gives. */
export class GuestView {
  constructor(
    private readonly storage: StoragePort,
    private readonly guest: AssembledGuest,
  ) {}
  sym(name: GuestSymbol): number {
    return this.guest.symbols[name];
  }
  u8(address: number): number {
    return this.storage.read8(absoluteAddress(address));
  }
  u32(address: number): number {
    return this.storage.read32(absoluteAddress(address)) >>> 0;
  }
  /** An unsigned 64-bit doubleword as a number (exact below 2^53). */
  u64(address: number): number {
    return this.u32(address) * 2 ** 32 + this.u32(address + 4);
  }
  micros(address: number): number {
    return unsignedWordsToMicros(this.u32(address), this.u32(address + 4));
  }
  psw(address: number): string {
    return hex(this.u32(address), 8) + hex(this.u32(address + 4), 8);
  }
  write32(address: number, value: number): void {
    this.storage.write32(absoluteAddress(address), value);
  }
}

function describeStop(exit: Esa390MachineExit, machine: Esa390Machine): BareMetalStop {
  if (exit.reason === 'budget') return { kind: 'budget' };
  if (exit.reason === 'cpu') return { kind: 'host-exit', detail: JSON.stringify(exit.exit) };
  const last = exit.exits[0];
  if (last === undefined) return { kind: 'stopped' };
  if (last.reason === 'check-stop') return { kind: 'check-stop', why: last.why };
  if (last.reason === 'wait' && !last.enabled) {
    const waitCode = machine.cpus[0]!.getPsw()[1] & 0x7fffffff;
    return {
      kind: 'disabled-wait',
      waitCode,
      meaning: WAIT_CODES.get(waitCode) ?? 'a wait code the supervisor does not define',
    };
  }
  return { kind: last.reason === 'wait' ? 'enabled-wait' : 'stopped' };
}

/** The tasks as their TCBs show them, read from the supervisor's storage. */
export function readTasks(view: GuestView): TaskReport[] {
  const tasks: TaskReport[] = [];
  const len = view.sym('TCBLEN');
  for (let tcb = view.sym('TCBS'); tcb + len <= view.sym('TCBEND'); tcb += len) {
    const name = ebcdicToAscii(
      Array.from({ length: 8 }, (_, i) => view.u8(tcb + view.sym('TCBNAME') + i)),
    ).trim();
    const status = view.u8(tcb + view.sym('TCBSTAT'));
    const abendWord = view.u32(tcb + view.sym('TCBABEND'));
    let abend: TaskAbend | null = null;
    if (status === 2) {
      const svc = (abendWord & 0x80000000) !== 0;
      const code = abendWord & 0xffff;
      abend = {
        code,
        name: svc ? `undefined SVC ${code}` : `${PROGRAM_CODES.get(code) ?? 'program'} exception`,
        ilc: svc ? 1 : ((abendWord >>> 16) & 0xff) >>> 1,
        psw: view.psw(tcb + view.sym('TCBABPSW')),
      };
    }
    tasks.push({
      number: view.u8(tcb + view.sym('TCBNUM')),
      name,
      key: (view.u32(tcb + view.sym('TCBPSW')) >>> 20) & 0xf,
      status: status === 0 ? 'ready' : status === 1 ? 'ended' : 'abended',
      dispatches: view.u32(tcb + view.sym('TCBDISP')),
      svcs: view.u32(tcb + view.sym('TCBSVC')),
      cpuMicros: view.u64(tcb + view.sym('TCBCPU')) / 4096,
      results: [0, 1, 2, 3].map((i) => view.u32(tcb + view.sym('TCBRES') + 4 * i)),
      abend,
    });
  }
  return tasks;
}

function check(
  name: string,
  expected: string | number | boolean,
  actual: string | number | boolean | null,
): ScenarioCheck {
  return { name, expected, actual, ok: expected === actual };
}

/**
 * Run the bare-metal scenario: assemble the supervisor, load it at absolute
 * 0 of a fresh machine, apply the parameters, restart CPU 0 and run until the
 * supervisor stops the machine or the budget ends; then read back and check.
 */
export async function runBareMetal(options: BareMetalOptions): Promise<BareMetalReport> {
  const guest = assembleGuest(options.guestSource ?? defaultGuestSource());
  const budget = checkRange('the budget', options.budget ?? DEFAULT_BUDGET, 1, Number.MAX_SAFE_INTEGER);
  const p = options.parameters ?? {};

  // Parameters default to what the source says, so editing a DC there is enough.
  const { symbols, assembly } = guest;
  const fromSource = (name: GuestSymbol, offset = 0): { value: number; origin: ValueOrigin } => {
    const address = symbols[name] + offset;
    const chunk = assembly.chunks.find(
      (c) => address >= c.address && address + 4 <= c.address + c.bytes.length,
    );
    const b = chunk
      ? chunk.bytes.subarray(address - chunk.address, address - chunk.address + 4)
      : new Uint8Array(4);
    const line = assembly.symbols.find((x) => x.name === name)?.line ?? 1;
    return {
      value: ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0,
      origin: { file: guest.source.file, line, column: 1 },
    };
  };
  const parameter = (
    name: string,
    given: number | undefined,
    symbol: GuestSymbol,
    min: number,
    max: number,
  ) => {
    if (given !== undefined) return checkRange(name, given, min, max);
    const { value, origin } = fromSource(symbol);
    return checkRange(name, value, min, max, origin);
  };
  const slice = fromSource('SLICE', 4);
  const sliceUnits = fromSource('SLICE').value * 2 ** 32 + slice.value;
  const parameters: Required<BareMetalParameters> = {
    sieveLimit: parameter('the sieve limit (SIEVEN)', p.sieveLimit, 'SIEVEN', 2, 16_000_000),
    collatzLimit: parameter('the Collatz limit (COLLATZN)', p.collatzLimit, 'COLLATZN', 2, 159_487),
    rogueSpins: parameter('the rogue spin count (ROGUEN)', p.rogueSpins, 'ROGUEN', 0, 0x7fffffff),
    sliceMicros:
      p.sliceMicros !== undefined
        ? checkRange('the time slice in µs', p.sliceMicros, 1, 1_000_000)
        : checkRange(
            'the time slice in µs (SLICE)',
            Math.round(sliceUnits / 4096),
            1,
            1_000_000,
            slice.origin,
          ),
  };
  const mainsize = Math.max(2 * MB, Math.ceil((symbols.ARRAY + parameters.sieveLimit) / MB) * MB);

  const observer = new InterruptionObserver();
  const machine = createEsa390Machine({ mainsize, policy: observer });
  const cpu = machine.cpus[0]!;
  for (const c of assembly.chunks) machine.storage.writeFrom(absoluteAddress(c.address), c.bytes);
  const view = new GuestView(machine.storage, guest);
  view.write32(symbols.SIEVEN, parameters.sieveLimit);
  view.write32(symbols.COLLATZN, parameters.collatzLimit);
  view.write32(symbols.ROGUEN, parameters.rogueSpins);
  view.write32(symbols.SLICE, 0);
  view.write32(symbols.SLICE + 4, parameters.sliceMicros * 4096);
  const extNewPsw = view.psw(symbols.EXTNEW);

  // Wall-clock time only feeds the host section and the status line.
  const started = performance.now();
  const status = () => {
    const seconds = (performance.now() - started) / 1000;
    return `demo bare-metal: ${millions(cpu.instructions)} instructions · ${duration(machine.now() / machine.costModel.mhz)} simulated · ${seconds > 0 ? (cpu.instructions / seconds / 1e6).toFixed(0) : '–'} MIPS`;
  };
  machine.restart(0);
  let exit: Esa390MachineExit = { reason: 'budget' };
  let left = budget;
  while (left > 0) {
    const before = cpu.instructions;
    exit = machine.run(Math.min(SLICE_INSTRUCTIONS, left));
    left -= cpu.instructions - before;
    options.progress.update(status);
    if (exit.reason !== 'budget') break;
  }
  const wallSeconds = (performance.now() - started) / 1000;
  options.progress.done();

  const stop = describeStop(exit, machine);
  const finished = stop.kind === 'disabled-wait';
  const tasks = readTasks(view);
  const logCount = Math.min(view.u32(symbols.LOGCOUNT), symbols.LOGCAP);
  const log = Array.from({ length: logCount }, (_, i) => {
    const at = symbols.LOG + 12 * i;
    return { task: view.u32(at), r0: view.u32(at + 4), r1: view.u32(at + 8) };
  });
  const interruptions = {
    restart: 1,
    external: view.u32(symbols.NEXT),
    svc: view.u32(symbols.NSVC),
    program: view.u32(symbols.NPGM),
  };
  const observed = { svc: observer.svcs, program: observer.programs };
  const events = machine.costModel.events;
  const interruptionCycles = {
    external: interruptions.external * events['external-interruption'].cycles,
    svc: observed.svc * events['svc-interruption'].cycles,
    program: observed.program * events['program-interruption'].cycles,
    total: 0,
  };
  interruptionCycles.total =
    interruptionCycles.external + interruptionCycles.svc + interruptionCycles.program;

  const checks = referenceChecks(parameters, tasks, log, interruptions, observed);
  checks.push(
    check(
      `external new PSW at X'${hex(LOWCORE.EXTERNAL_NEW_PSW, 2)}' unchanged`,
      extNewPsw,
      view.psw(symbols.EXTNEW),
    ),
  );
  checks.push(
    check(
      'machine stopped in a disabled wait, wait code 0',
      'disabled wait 0',
      stop.kind === 'disabled-wait' ? `disabled wait ${hex(stop.waitCode)}` : stop.kind,
    ),
  );

  const [pswHigh, pswLow] = cpu.getPsw();
  const host: HostFigures = {
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    mips: wallSeconds > 0 ? Math.round(cpu.instructions / wallSeconds / 1e5) / 10 : 0,
    node: process.version,
  };
  return {
    scenario: 'bare-metal',
    title: bareMetalScenario.title,
    outcome: outcomeOf(checks, stop.kind === 'check-stop' || stop.kind === 'budget' ? stop.kind : 'finished'),
    machine: {
      architecture: 'ESA/390',
      cpus: machine.cpus.length,
      mainsize,
      costModel: machine.costModel.name,
      mhz: machine.costModel.mhz,
    },
    guest: {
      file: basename(guest.source.file),
      bytes: assembly.image.length,
      entry: assembly.entry ?? 0,
      parameters,
    },
    budget,
    stop,
    psw: hex(pswHigh, 8) + hex(pswLow, 8),
    instructions: cpu.instructions,
    cycles: cpu.cycles,
    simulatedMicros: machine.now() / machine.costModel.mhz,
    guestTodMicros: finished ? view.micros(symbols.TODEND) - view.micros(symbols.TODSTART) : null,
    interruptions,
    observed,
    interruptionCycles,
    tasks,
    log,
    checks,
    host,
  };
}

/**
 * Compare what the tasks reported with the references, and the interruption
 * counts with what the program issues by design: SIEVE and COLLATZ make two
 * REPORTs and an EXIT each, COLLATZ one LOG per record; ROGUE makes none and
 * takes the one program interruption.
 */
export function referenceChecks(
  parameters: Required<BareMetalParameters>,
  tasks: readonly TaskReport[],
  log: BareMetalReport['log'],
  interruptions: BareMetalReport['interruptions'],
  observed: BareMetalReport['observed'],
): ScenarioCheck[] {
  const task = (name: string) => tasks.find((t) => t.name === name);
  const sieve = task('SIEVE');
  const collatz = task('COLLATZ');
  const rogue = task('ROGUE');
  const primes = primesBelow(parameters.sieveLimit);
  const records = collatzRecords(parameters.collatzLimit);
  const best = records[records.length - 1] ?? { start: 0, steps: 0 };
  const n = grouped(parameters.sieveLimit);
  const m = grouped(parameters.collatzLimit);
  const result = (t: TaskReport | undefined, slot: number) =>
    t?.status === 'ended' ? (t.results[slot] ?? null) : null;
  const recordText = (list: readonly { start: number; steps: number }[]) =>
    list.map((r) => `${r.start}/${r.steps}`).join(' ');
  const logged = log.filter((e) => e.task === collatz?.number).map((e) => ({ start: e.r0, steps: e.r1 }));
  return [
    check(`primes below ${n}`, primes.count, result(sieve, 0)),
    check(`largest prime below ${n}`, primes.largest, result(sieve, 1)),
    check(`longest Collatz chain below ${m}: start`, best.start, result(collatz, 0)),
    check(`longest Collatz chain below ${m}: steps`, best.steps, result(collatz, 1)),
    check(
      'Collatz records logged with SVC 2 (start/steps)',
      recordText(records),
      collatz ? recordText(logged) : null,
    ),
    check(
      'ROGUE ended by a protection exception',
      'abended: protection exception',
      rogue ? `${rogue.status}${rogue.abend ? `: ${rogue.abend.name}` : ''}` : null,
    ),
    check('SVC interruptions: issued by the tasks = taken by the CPU', 6 + records.length, observed.svc),
    check('SVC interruptions: taken by the CPU = counted by the supervisor', observed.svc, interruptions.svc),
    check(
      'program interruptions: taken by the CPU = counted by the supervisor',
      observed.program,
      interruptions.program,
    ),
  ];
}

function renderStop(stop: BareMetalStop): string {
  switch (stop.kind) {
    case 'disabled-wait':
      return `disabled wait, wait code X'${hex(stop.waitCode, 3)}' (${stop.meaning})`;
    case 'check-stop':
      return `check-stop: ${stop.why}`;
    case 'budget':
      return 'still running when the instruction budget ran out (raise --budget)';
    case 'host-exit':
      return `unexpected exit to the host: ${stop.detail}`;
    default:
      return stop.kind === 'enabled-wait' ? 'enabled wait with nothing left to end it' : 'CPU stopped';
  }
}

const mark = (ok: boolean) => (ok ? '✓' : '✗');

/** A check value for the text report: numbers grouped, PSWs as two words. */
function showValue(v: string | number | boolean | null): string {
  if (typeof v === 'number') return grouped(v);
  if (typeof v === 'string' && /^[0-9A-F]{16}$/.test(v)) return `${v.slice(0, 8)} ${v.slice(8)}`;
  return String(v);
}

/** The report as text for a terminal. */
export function renderBareMetal(r: BareMetalReport): string {
  const out: string[] = [];
  const p = r.guest.parameters;
  out.push(`strachey demo: ${r.title}`);
  out.push(
    `  machine  ${r.machine.architecture}, ${r.machine.cpus} CPU, ${r.machine.mainsize / MB} MB, cost model ${r.machine.costModel} at ${r.machine.mhz} MHz`,
  );
  out.push(
    `  guest    ${r.guest.file}: ${grouped(r.guest.bytes)} bytes assembled at run time, entry X'${hex(r.guest.entry, 6)}', time slice ${grouped(p.sliceMicros)} µs`,
  );
  out.push('');

  out.push('What the guest computed (read from guest storage, checked against a TypeScript reference)');
  const rows: string[][] = [];
  for (const c of r.checks) {
    const shown = showValue(c.actual);
    if (c.name.startsWith('Collatz records')) {
      const count = typeof c.actual === 'string' && c.actual !== '' ? c.actual.split(' ').length : 0;
      rows.push([c.name.replace(' (start/steps)', ''), `${count} records`, mark(c.ok)]);
    } else if (
      c.name.startsWith('SVC') ||
      c.name.startsWith('program') ||
      c.name.startsWith('machine stopped')
    ) {
      continue;
    } else {
      rows.push([c.name, shown, mark(c.ok)]);
    }
    if (!c.ok) rows.push(['  expected', showValue(c.expected), '']);
  }
  out.push(table(rows, 'lrl'));
  out.push('');

  out.push('Tasks (problem state; CPU time charged by the supervisor from the CPU timer)');
  const taskRows: string[][] = [['task', 'key', 'status', 'dispatches', 'SVCs', 'CPU time', 'share', '']];
  const share = (micros: number) => `${((100 * micros) / Math.max(1e-9, r.simulatedMicros)).toFixed(1)}%`;
  let taskMicros = 0;
  for (const t of r.tasks) {
    taskMicros += t.cpuMicros;
    const abend = t.abend
      ? `${t.abend.name} (X'${hex(t.abend.code, 4)}'), PSW ${t.abend.psw.slice(0, 8)} ${t.abend.psw.slice(8)}`
      : '';
    taskRows.push([
      t.name,
      String(t.key),
      t.status,
      grouped(t.dispatches),
      grouped(t.svcs),
      duration(t.cpuMicros),
      share(t.cpuMicros),
      abend,
    ]);
  }
  taskRows.push([
    'supervisor',
    '0',
    '',
    '',
    '',
    duration(Math.max(0, r.simulatedMicros - taskMicros)),
    share(Math.max(0, r.simulatedMicros - taskMicros)),
    'handlers and dispatcher',
  ]);
  out.push(table(taskRows, 'lrlrrrrl'));
  out.push('');

  out.push('Interruptions');
  const i = r.interruptions;
  out.push(
    `  restart ${grouped(i.restart)} · external (CPU timer) ${grouped(i.external)} · SVC ${grouped(i.svc)} · program ${grouped(i.program)}`,
  );
  const events = r.interruptionCycles;
  out.push(
    `  their cost: ${grouped(events.total)} cycles (external ${grouped(events.external)}, SVC ${grouped(events.svc)}, program ${grouped(events.program)}; cost-model events), ${((100 * events.total) / Math.max(1, r.cycles)).toFixed(2)}% of the run`,
  );
  for (const c of r.checks) {
    if (c.name.startsWith('SVC') || c.name.startsWith('program')) {
      out.push(`  ${c.name}: ${String(c.expected)}${c.ok ? '' : ` ≠ ${String(c.actual)}`} ${mark(c.ok)}`);
    }
  }
  out.push('');

  out.push('Machine');
  const stopCheck = r.checks.find((c) => c.name.startsWith('machine stopped'));
  out.push(`  stop          ${renderStop(r.stop)}${stopCheck ? ` ${mark(stopCheck.ok)}` : ''}`);
  out.push(`  final PSW     ${r.psw.slice(0, 8)} ${r.psw.slice(8)}`);
  out.push(`  instructions  ${grouped(r.instructions)} (budget ${grouped(r.budget)})`);
  out.push(
    `  cycles        ${grouped(r.cycles)} simulated (${(r.cycles / Math.max(1, r.instructions)).toFixed(2)} per instruction)`,
  );
  out.push(`  time          ${duration(r.simulatedMicros)} simulated at ${r.machine.mhz} MHz`);
  if (r.guestTodMicros !== null)
    out.push(`  TOD clock     ${duration(r.guestTodMicros)} between the guest's first and last STCK`);
  out.push('');

  out.push('Host (wall clock; not part of the simulation)');
  out.push(
    `  ${r.host.wallSeconds.toFixed(2)} s, ${r.host.mips.toFixed(1)} million guest instructions per second (Node ${r.host.node})`,
  );
  out.push('');
  const failed = r.checks.filter((c) => !c.ok).length;
  out.push(
    r.outcome === 'ok'
      ? `all ${r.checks.length} checks passed`
      : `${r.outcome}: ${failed} of ${r.checks.length} checks failed`,
  );
  return `${out.join('\n')}\n`;
}

/** The bare-metal ESA/390 scenario. */
export const bareMetalScenario: Scenario<BareMetalReport> = {
  name: 'bare-metal',
  title: 'bare-metal ESA/390, a time-sharing supervisor with three tasks',
  run: (context) => runBareMetal(context),
  renderText: renderBareMetal,
};
