/**
 * overhead-ladder — the simulated overhead of one guest workload under each
 * layer the seeds compare: bare metal, a PR/SM partition sharing its
 * physical CPs with busy partitions (the seed: about 1 %), CP with SIE
 * (under 5 %), CP by trap-and-emulate (more), and full emulation by an
 * interpreter (a factor of 10 or worse).
 *
 * The workload is guests/ladder.asm: a small supervisor and a problem-state
 * task with DAT on, a 1 ms CPU-timer tick, and disk reads overlapped with
 * the computation. The same binary runs on every rung. A rung's cost is the
 * CPU cycles the workload took there — the guest's own instructions plus
 * what the layer below spent on its behalf (PR/SM's dispatches and cache
 * reloads, CP's interceptions, SIE entries and exits, shadow-table fills),
 * all priced by isa-core's ESA390_REFERENCE_MACHINE and the layers' own
 * documented figures — against the bare run's cycles. Time spent waiting
 * for the disk is nobody's overhead and is not counted.
 *
 * Full emulation is the one rung that is a model, not a mechanism: no
 * interpreter runs here. It is priced as INTERPRETER below says.
 */
import { type AbsoluteAddress, ESA390_REFERENCE_MACHINE } from '@strachey/isa-core';
import { CkdVolume, createChannelMachine, Dasd3390, formatVolume, geometry3390 } from '@strachey/io-channel';
import { createCp, type ExecutionStyle } from '@strachey/hypervisor-cp';
import { createEsa390Dat } from '@strachey/mmu';
import { createPrsm, parseIocp, parseProfiles } from '@strachey/prsm';
import { createRoundRobin } from '@strachey/scheduler-bvt';
import { UserError } from '../diagnostics';
import { mustPrsm, SPIN_SOURCE } from '../prsm-input';
import { type AssembledGuest, loadGuest, word } from './guests';
import { horizontalBarChart } from './chart';
import { toCsv } from './smp-scaling';
import { formatNumber as num, formatTable } from './table';
import { defineSweep, type ReproResult, type Reproduction } from './types';

/**
 * Host instructions an interpreter executes per guest instruction: the cost
 * model's `interpreted-instruction` event, which prices them at one cycle
 * each. Here each host instruction is charged what an instruction of the
 * same workload costs on the reference machine (the bare run's cycles per
 * instruction): the interpreter runs on the machine it emulates.
 */
export const INTERPRETER = Object.freeze({
  hostInstructionsPerGuestInstruction: ESA390_REFERENCE_MACHINE.events['interpreted-instruction'].cycles,
  source: `${ESA390_REFERENCE_MACHINE.events['interpreted-instruction'].source} Host instructions priced at the bare run’s cycles per instruction.`,
});

/**
 * CP's time slice: 5 ms, the order of z/VM's dispatcher minor time slice.
 * A real CP leaves SIE when its slice ends or the guest needs it, not every
 * few thousand instructions; the simulator's default run() quantum (20,000
 * instructions, chosen for interleaving) is shown as a separate rung.
 */
const CP_SLICE_MS = 5;

/** How much work: ROUNDS rounds of PASSES passes over the working area, one disk read per round. */
export interface LadderSize {
  readonly rounds: number;
  readonly passes: number;
}

/** The full figure: about 100 ms of CPU work on the reference machine, 10 disk reads. */
export const FULL_LADDER: LadderSize = { rounds: 10, passes: 10_000 };

/** A fast look (`--quick`): a fifth of the work. With only a few PR/SM slices in it, the PR/SM rung is dominated by the redispatches after disk waits. */
export const QUICK_LADDER: LadderSize = { rounds: 4, passes: 5_000 };

/** What one rung measured. */
export interface Rung {
  readonly key: string;
  readonly label: string;
  /** Guest instructions executed. */
  readonly instructions: number;
  /** Cycles of the guest's own instructions. */
  readonly guestCycles: number;
  /** Cycles the layer below spent for the guest. */
  readonly layerCycles: number;
  readonly totalCycles: number;
  /** totalCycles / bare totalCycles − 1, in percent. */
  readonly overheadPercent: number;
  /** What the layer spent its cycles on. */
  readonly breakdown: Readonly<Record<string, number>>;
  /** The workload's own counts (same on every rung if the layer is faithful). */
  readonly ticks: number;
  readonly reads: number;
  readonly psw: readonly [number, number];
}

interface Measured {
  readonly instructions: number;
  readonly guestCycles: number;
  readonly layerCycles: number;
  readonly breakdown: Record<string, number>;
  readonly ticks: number;
  readonly reads: number;
  readonly psw: readonly [number, number];
}

const DASD = 0x0191;
const FINAL_PSW: readonly [number, number] = [0x000a0000, 0];

/** Guest storage image with the size words set. */
function image(g: AssembledGuest, size: LadderSize): { address: number; bytes: Uint8Array }[] {
  return [
    ...g.chunks,
    { address: g.symbol('ROUNDS'), bytes: word(size.rounds) },
    { address: g.symbol('PASSES'), bytes: word(size.passes) },
  ];
}

function formatted(volser: string, cylinders = 5): CkdVolume {
  const v = new CkdVolume(geometry3390(cylinders));
  formatVolume(v, volser);
  return v;
}

function runBare(g: AssembledGuest, size: LadderSize): Measured {
  const { machine, channels } = createChannelMachine({
    mainsize: 1 << 20,
    dat: (context, storage) => createEsa390Dat({ storage, context }),
  });
  channels.attach(DASD, new Dasd3390(formatted('LADDER')));
  for (const c of image(g, size)) machine.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
  const e = g.entry;
  machine.storage.writeFrom(
    0 as AbsoluteAddress,
    Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, e >>> 8, e & 0xff]),
  );
  machine.restart(0);
  machine.run(Number.MAX_SAFE_INTEGER);
  const cpu = machine.cpus[0]!;
  const read = (n: string): number => machine.storage.read32(g.symbol(n) as AbsoluteAddress) >>> 0;
  const psw = cpu.getPsw();
  return {
    instructions: cpu.instructions,
    guestCycles: cpu.cycles,
    layerCycles: 0,
    breakdown: {},
    ticks: read('TICKS'),
    reads: read('IOCOUNT'),
    psw: [psw[0]! >>> 0, psw[1]! >>> 0],
  };
}

const PRSM_DECK = `
 RESOURCE PARTITION=((CSS(0),(LP1,1),(LP2,2),(LP3,3)))
 CHPID PATH=(CSS(0),40),TYPE=FC,SHARED
 CNTLUNIT CUNUMBR=0100,PATH=((CSS(0),40)),UNIT=2105
 IODEVICE ADDRESS=(0191,1),CUNUMBR=(0100),UNIT=3390,PARTITION=(LP1)
`;
/** Two physical CPs, three partitions of one logical CP each: LP1 (the workload) is entitled to one CP, LP2 and LP3 spin. The seed's slice. */
const PRSM_PROFILES = `[CPC]\nstorage = 1G\ncps = 2\nhsa = 64M\nslice = 12.5ms\n\n[LP1]\nstorage = 64M\ncps = 1\nweight = 50\n\n[LP2]\nstorage = 64M\ncps = 1\nweight = 25\n\n[LP3]\nstorage = 64M\ncps = 1\nweight = 25\n`;

function runPrsm(g: AssembledGuest, size: LadderSize): Measured {
  const m = mustPrsm(
    createPrsm({
      iocp: mustPrsm(parseIocp(PRSM_DECK, 'overhead-ladder.iocp')),
      profiles: mustPrsm(parseProfiles(PRSM_PROFILES, 'overhead-ladder.profiles')),
    }),
  );
  for (const n of ['LP1', 'LP2', 'LP3']) mustPrsm(m.activate(n));
  const top = Math.max(...image(g, size).map((c) => c.address + c.bytes.length));
  const bytes = new Uint8Array(top);
  for (const c of image(g, size)) bytes.set(c.bytes, c.address);
  mustPrsm(m.ipl('LP1', { bytes, address: 0, psw: [0x00080000, (0x80000000 | g.entry) >>> 0] }));
  mustPrsm(m.ipl('LP2', { source: SPIN_SOURCE }));
  mustPrsm(m.ipl('LP3', { source: SPIN_SOURCE }));
  const lcp = (): { cpu: { getPsw(): readonly number[] } } => m.logicalCps('LP1')[0]!;
  // Run until the workload's final disabled wait (bounded: ten simulated seconds).
  for (let i = 0; i < 2000; i++) {
    const psw = lcp().cpu.getPsw();
    if (psw[0] === FINAL_PSW[0] && psw[1] === FINAL_PSW[1]) break;
    m.run({ ms: 5 });
  }
  const c = m.counters().partitions.LP1!;
  const view = m.partitionStorage('LP1')!;
  const read = (n: string): number => view.read32(g.symbol(n) as AbsoluteAddress) >>> 0;
  const psw = lcp().cpu.getPsw();
  return {
    instructions: c.instructions,
    guestCycles: c.cycles,
    layerCycles: c.overheadCycles,
    breakdown: {
      dispatches: c.dispatches,
      'dispatch + cache reload cycles': c.overheadCycles,
      'released at slice end': c.releases.slice,
      'released on wait': c.releases.wait,
    },
    ticks: read('TICKS'),
    reads: read('IOCOUNT'),
    psw: [psw[0]! >>> 0, psw[1]! >>> 0],
  };
}

function runCp(g: AssembledGuest, size: LadderSize, style: ExecutionStyle, fiveMsSlice: boolean): Measured {
  // The minidisk is cylinders 1-2 of a real 3390; its cylinder 0 holds the same label the bare disk has.
  const real = formatted('LADRES', 10);
  const label = formatted('LADDER');
  for (const t of label.writtenTracks())
    real.setTrack(
      t.cc + 1,
      t.hh,
      t.records.map((r) => ({ ...r, cc: r.cc + 1 })),
    );
  const sliceCycles = CP_SLICE_MS * 1000 * ESA390_REFERENCE_MACHINE.mhz;
  const rr = createRoundRobin({ slice: sliceCycles });
  if (!rr.ok) throw new UserError({ code: 'SCHEDULER', message: rr.error.message });
  const made = createCp({
    directory: 'USER LADDER LADDER 1M 16M G\n MDISK 191 3390 1 2 LADRES MR\n CONSOLE 009 3215\n',
    directoryFile: 'overhead-ladder.direct',
    volumes: [{ volser: 'LADRES', volume: real }],
    style,
    ...(fiveMsSlice ? { scheduler: rr.value, quantum: sliceCycles } : {}),
  });
  if (!made.ok) throw new UserError(made.errors.map((e) => ({ code: e.code, message: e.message })));
  const logon = made.cp.logon('LADDER', 'LADDER', { style });
  if (!logon.ok) throw new UserError({ code: logon.error.code, message: logon.error.message });
  const vm = logon.vm;
  for (const c of image(g, size)) vm.load(c.address, c.bytes);
  vm.start(0x00080000, (0x80000000 | g.entry) >>> 0);
  made.cp.run(Number.MAX_SAFE_INTEGER);
  const c = vm.counters;
  const shadows = vm.shadows[0]?.counters;
  const words = new Uint8Array(4);
  const read = (n: string): number => {
    vm.storage.readBytes(g.symbol(n), words);
    return ((words[0]! << 24) | (words[1]! << 16) | (words[2]! << 8) | words[3]!) >>> 0;
  };
  const psw = vm.cpus[0]!.getPsw();
  return {
    instructions: c.instructions,
    guestCycles: c.guestCycles,
    layerCycles: c.cpCycles,
    breakdown: {
      interceptions: c.interceptions,
      ...Object.fromEntries(Object.entries(c.cpCyclesByType).map(([k, v]) => [`${k} cycles`, v])),
      ...(style === 'sie'
        ? { 'SIE entries': made.cp.sie.facility.counters.entries }
        : { 'shadow fills': shadows?.fills ?? 0, 'shadow flushes': shadows?.flushes ?? 0 }),
    },
    ticks: read('TICKS'),
    reads: read('IOCOUNT'),
    psw: [psw[0]! >>> 0, psw[1]! >>> 0],
  };
}

function emulate(bare: Measured): Measured {
  const cpi = bare.guestCycles / bare.instructions;
  const total = bare.instructions * INTERPRETER.hostInstructionsPerGuestInstruction * cpi;
  return {
    ...bare,
    layerCycles: total - bare.guestCycles,
    breakdown: {
      'host instructions per guest instruction': INTERPRETER.hostInstructionsPerGuestInstruction,
      'reference cycles per instruction': Math.round(cpi * 1000) / 1000,
    },
  };
}

/** The measured rungs, in the table's order; full emulation is derived from the bare run. */
const RUNGS = [
  { key: 'bare', label: 'bare metal' },
  { key: 'prsm', label: 'PR/SM partition (2 busy partitions, 12.5 ms slice)' },
  { key: 'cp-sie', label: `CP with SIE (${CP_SLICE_MS} ms slice)` },
  { key: 'cp-sie-default-quantum', label: 'CP with SIE (simulator default quantum)' },
  { key: 'cp-trap-and-emulate', label: `CP trap-and-emulate (${CP_SLICE_MS} ms slice)` },
] as const;
const EMULATION = { key: 'full-emulation', label: 'full emulation (interpreter model)' } as const;

/** One point of the ladder sweep: a rung and the workload's size. */
export interface LadderPoint extends LadderSize {
  readonly rung: (typeof RUNGS)[number]['key'];
}

function measure(p: LadderPoint): Measured {
  const g = loadGuest('ladder.asm');
  switch (p.rung) {
    case 'bare': {
      const bare = runBare(g, p);
      if (bare.psw[0] !== FINAL_PSW[0] || bare.psw[1] !== FINAL_PSW[1]) {
        throw new UserError(
          {
            code: 'WORKLOAD_FAILED',
            file: g.file,
            message: `the workload ended bare metal with PSW ${bare.psw.map((w) => w.toString(16).padStart(8, '0')).join(' ')} instead of its final wait`,
          },
          70,
        );
      }
      return bare;
    }
    case 'prsm':
      return runPrsm(g, p);
    case 'cp-sie':
      return runCp(g, p, 'sie', true);
    case 'cp-sie-default-quantum':
      return runCp(g, p, 'sie', false);
    case 'cp-trap-and-emulate':
      return runCp(g, p, 'trap-and-emulate', true);
  }
}

const ladderPoints = (size: LadderSize): LadderPoint[] =>
  RUNGS.map((r) => ({ rung: r.key, rounds: size.rounds, passes: size.passes }));

function assembleLadder(
  points: readonly { readonly params: LadderPoint; readonly result: Measured }[],
): ReproResult {
  const size: LadderSize = { rounds: points[0]!.params.rounds, passes: points[0]!.params.passes };
  const bare = points.find((p) => p.params.rung === 'bare')!.result;
  const baseline = bare.guestCycles;
  const rung = (key: string, label: string, m: Measured): Rung => {
    const total = m.guestCycles + m.layerCycles;
    return { key, label, ...m, totalCycles: total, overheadPercent: (total / baseline - 1) * 100 };
  };
  const rungs: Rung[] = [
    ...RUNGS.map((r) => rung(r.key, r.label, points.find((p) => p.params.rung === r.key)!.result)),
    rung(EMULATION.key, EMULATION.label, emulate(bare)),
  ];
  const header = [
    'layer',
    'guest instr',
    'guest cycles',
    'layer cycles',
    'total cycles',
    'overhead %',
    'ticks',
    'reads',
  ];
  // The table and the CSV carry the same figures per rung, after its label or key.
  const figures = (r: Rung): number[] => [
    r.instructions,
    r.guestCycles,
    r.layerCycles,
    r.totalCycles,
    r.overheadPercent,
    r.ticks,
    r.reads,
  ];
  const rows = rungs.map((r) => [r.label, ...figures(r)]);
  const by = (k: string): Rung => rungs.find((r) => r.key === k)!;
  const sie = by('cp-sie');
  const te = by('cp-trap-and-emulate');
  const text = [
    `overhead-ladder — ${TITLE}`,
    `Workload: guests/ladder.asm, ${size.rounds} rounds × ${size.passes} passes over 64 pages with DAT on, a 1 ms CPU-timer tick, one overlapped 3390 read per round.`,
    '',
    formatTable(header, rows),
    '',
    'Where the layer cycles go:',
    ...rungs
      .filter((r) => r.key !== 'bare')
      .map(
        (r) =>
          `  ${r.label}: ${Object.entries(r.breakdown)
            .map(([k, v]) => `${k} ${num(v)}`)
            .join(', ')}`,
      ),
    '',
    "Guest cycles differ from bare metal where a layer changes what the guest's own instructions cost (TLB or shadow-table",
    `refills after the layer took the CPU): ${rungs
      .filter((r) => r.key !== 'bare' && r.key !== 'full-emulation')
      .map(
        (r) =>
          `${r.key} ${r.guestCycles - bare.guestCycles >= 0 ? '+' : ''}${num(r.guestCycles - bare.guestCycles)}`,
      )
      .join(', ')} cycles.`,
    `Trap-and-emulate runs DAT on shadow tables CP drops whenever the guest reloads a translation control or turns DAT on`,
    `(${num(Number(te.breakdown['shadow flushes'] ?? 0))} flushes, ${num(Number(te.breakdown['shadow fills'] ?? 0))} fills at ${num(ESA390_REFERENCE_MACHINE.events['shadow-fill'].cycles)} cycles each).`,
    `SIE: ${num(Number(sie.breakdown['SIE entries'] ?? 0))} entries at ${num(ESA390_REFERENCE_MACHINE.events['sie-entry'].cycles + ESA390_REFERENCE_MACHINE.events['sie-exit'].cycles)} cycles each (sie-entry + sie-exit); trap-and-emulate: ${num(Number(te.breakdown.interceptions ?? 0))} interceptions at`,
    `host-trap + host-resume = ${num(ESA390_REFERENCE_MACHINE.events['host-trap'].cycles + ESA390_REFERENCE_MACHINE.events['host-resume'].cycles)} cycles plus the emulation.`,
    ...rungs
      .filter((r) => r.key !== 'full-emulation' && Math.abs(r.ticks - bare.ticks) > 0.1 * bare.ticks)
      .map(
        (r) =>
          `${r.label} took ${r.ticks} CPU-timer interruptions for the work bare metal took ${bare.ticks} for: its virtual CPU timer fires late or early, so its interception count (and overhead) is off by that much.`,
      ),
    `Full emulation is a model: ${INTERPRETER.hostInstructionsPerGuestInstruction} host instructions per guest instruction at the bare run's cycles per instruction (${INTERPRETER.source})`,
  ].join('\n');
  const json = {
    reproduction: 'overhead-ladder',
    source: SOURCE,
    size,
    costModel: ESA390_REFERENCE_MACHINE.name,
    interpreter: INTERPRETER,
    rungs,
  };
  return {
    text,
    json,
    files: [
      { name: 'overhead-ladder.json', content: `${JSON.stringify(json, null, 2)}\n` },
      {
        name: 'overhead-ladder.csv',
        content: toCsv(
          [
            'layer',
            'guest_instructions',
            'guest_cycles',
            'layer_cycles',
            'total_cycles',
            'overhead_percent',
            'ticks',
            'reads',
          ],
          rungs.map((r) => [r.key, ...figures(r)]),
        ),
      },
      {
        name: 'overhead-ladder.svg',
        // Overhead in percent, bar by bar with its figure: emulation's thousands of percent are drawn off scale,
        // so the tenths of a percent between PR/SM, SIE and trap-and-emulate stay visible.
        content: horizontalBarChart(
          'Overhead of one workload over bare metal, by layer (simulated CPU cycles)',
          'extra CPU cycles over bare metal (%)',
          rungs.map((r) => ({ label: r.label, value: r.overheadPercent })),
          '%',
        ),
      },
    ],
  };
}

const TITLE =
  'simulated overhead of one workload: bare, PR/SM, CP with SIE, CP trap-and-emulate, full emulation';
const SOURCE =
  'Spruth, seed 004 (PR/SM about 1 %, VM with SIE a few %); Popek & Goldberg 1974 (trap-and-emulate); Gerstel 2005 (full emulation a factor of 10 or worse)';

/** Run every rung in this thread on a workload of `size`. */
export function overheadLadderResult(size: LadderSize = FULL_LADDER): ReproResult {
  return assembleLadder(ladderPoints(size).map((params) => ({ params, result: measure(params) })));
}

/** The sweep: each rung is a point (its own machine), so the rungs run side by side on worker threads. */
export const overheadLadderSweep = defineSweep<LadderPoint, Measured>({
  points: (scale) => ladderPoints(scale === 'full' ? FULL_LADDER : QUICK_LADDER),
  runPoint: (p) => measure(p),
  assemble: (points) => assembleLadder(points),
  describe: (p) => p.rung,
});

/** The reproduction. */
export const overheadLadder: Reproduction = {
  name: 'overhead-ladder',
  title: TITLE,
  source: SOURCE,
  sweep: overheadLadderSweep,
  run: () => overheadLadderResult(),
};
