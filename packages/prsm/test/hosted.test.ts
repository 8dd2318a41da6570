/**
 * Hosted kernels (hosted.ts): a partition IPLed with host code that runs
 * its own guests on CPUs it builds. The test kernel here is a one-guest
 * "control program": it runs a real ESA/390 program in a window of its
 * partition's storage on a CPU whose host layer is its window composed
 * with the partition's relocation, and can sleep on a timer or wait for
 * an I/O interruption on the partition's channel subsystem. (CP itself in
 * an LPAR is exercised by apps/cli's demo tests, which can depend on both
 * packages.)
 */
import {
  type AbsoluteAddress,
  assemble,
  Esa390Cpu,
  type IoOperandAccess,
  systemOf,
} from '@strachey/isa-core';
import { decodePmcw, encodeOrb, encodePmcw, toEbcdic } from '@strachey/io-channel';
import { compose, offsetTranslator } from '@strachey/mmu';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelRunResult, PartitionKernel, PartitionResources, Prsm, PrsmSnapshot } from '../src/index';
import { machineFrom, must, SPIN } from './fixtures';

/** The I/O instruction operand of the kernel (it is the program: key 0, real addresses). */
class Operand implements IoOperandAccess {
  readonly gpr = new Int32Array(16);
  readonly pswKey = 0;
  readonly cr6 = 0xff000000 | 0;
  readonly buffer = new Uint8Array(64);
  fetch(_a: number, target: Uint8Array, length: number): number {
    target.set(this.buffer.subarray(0, length));
    return 0;
  }
  store(_a: number, data: Uint8Array): number {
    this.buffer.set(data.subarray(0, Math.min(64, data.length)));
    return 0;
  }
}

type Mode =
  | { readonly kind: 'spin' }
  | { readonly kind: 'sleepy'; readonly work: number; readonly sleep: number }
  | { readonly kind: 'io'; readonly lines: number };

/** A one-guest kernel; see the file comment. */
class WindowKernel implements PartitionKernel {
  readonly name = 'WINDOWK';
  readonly logicalCps = 1;
  res: PartitionResources | null = null;
  cpu: Esa390Cpu | null = null;
  /** [start, end] of every run, in machine time. */
  readonly runs: [number, number][] = [];
  private wakeAt = Number.POSITIVE_INFINITY;
  private worked = 0;
  private readonly op = new Operand();
  private subchannel = -1;
  written = 0;
  private ioBusy = false;

  constructor(
    readonly source: string,
    readonly origin: number,
    readonly size: number,
    readonly mode: Mode,
  ) {}

  start(res: PartitionResources): string | null {
    if (this.origin + this.size > res.storage.size) return 'the window does not fit the partition';
    const asm = assemble(this.source);
    if (!asm.ok) return asm.errors[0]!.message;
    for (const c of asm.chunks) res.storage.writeFrom((this.origin + c.address) as AbsoluteAddress, c.bytes);
    const cpu = new Esa390Cpu({
      storage: res.machineStorage,
      hostLayer: compose(offsetTranslator('window', this.origin, this.size), res.relocation),
      costModel: res.costModel,
    });
    cpu.setPsw(0x00080000, (0x80000000 | (asm.entry ?? asm.origin)) >>> 0);
    cpu.state = 'operating';
    this.cpu = cpu;
    this.res = res;
    if (this.mode.kind === 'io') {
      const sch = res.subchannelOf(0x009);
      if (sch === undefined) return 'no console at 009';
      this.subchannel = sch;
      this.instruction('STSCH');
      const pmcw = decodePmcw(this.op.buffer, 0);
      pmcw.enabled = true;
      encodePmcw(pmcw, this.op.buffer, 0);
      this.instruction('MSCH');
    }
    return null;
  }

  private instruction(op: 'STSCH' | 'MSCH' | 'SSCH' | 'TSCH'): number {
    this.op.gpr[1] = 0x00010000 | this.subchannel;
    return this.res!.io.execute(op, 0, this.op);
  }

  /** Write "LINE n" on the console with a channel program in the kernel's own storage (below the window). */
  private startLine(): void {
    const st = this.res!.storage;
    const text = `LINE ${this.written + 1}`;
    const data = toEbcdic(text);
    st.writeFrom(0x1100 as AbsoluteAddress, data);
    // CCW format 1: WRITE with automatic carrier return (X'09'), flags 0, count, data address.
    st.write32(0x1000 as AbsoluteAddress, (0x09000000 | data.length) >>> 0);
    st.write32(0x1004 as AbsoluteAddress, 0x1100);
    encodeOrb(
      { interruptionParameter: 1, key: 0, format1: true, lpm: 0xff, ccwAddress: 0x1000 },
      this.op.buffer,
    );
    this.ioBusy = this.instruction('SSCH') === 0;
  }

  run(_cp: number, cycles: number): KernelRunResult {
    const clock = this.res!.clock;
    const cpu = this.cpu!;
    const start = clock.now();
    let instructions = 0;
    if (this.mode.kind === 'io') {
      if (this.ioBusy) {
        if (!this.res!.io.hasPending()) return { wait: true };
        this.res!.io.takeInterruption(0xff000000);
        this.instruction('TSCH');
        this.ioBusy = false;
        this.written++;
      }
      if (this.written >= this.mode.lines) return { wait: true, stopped: true };
      this.startLine();
      clock.advanceTo(start + 400);
      this.runs.push([start, clock.now()]);
      return { wait: true };
    }
    systemOf(cpu).skew = start - cpu.cycles;
    let budget = cycles;
    if (this.mode.kind === 'sleepy') budget = Math.min(budget, this.mode.work - this.worked);
    const before = cpu.cycles;
    const beforeI = cpu.instructions;
    cpu.run(Math.max(1, Math.floor(budget / 4)));
    const used = cpu.cycles - before;
    instructions = cpu.instructions - beforeI;
    clock.advanceTo(start + used);
    this.runs.push([start, clock.now()]);
    if (this.mode.kind === 'sleepy') {
      this.worked += used;
      if (this.worked >= this.mode.work) {
        this.worked = 0;
        this.wakeAt = clock.now() + this.mode.sleep;
        return { wait: true, instructions };
      }
    }
    return { wait: cpu.state !== 'operating', instructions };
  }

  ready(): boolean {
    if (this.mode.kind === 'io') return this.ioBusy && this.res!.io.hasPending();
    return this.res!.clock.now() >= this.wakeAt;
  }

  nextWake(): number {
    return this.mode.kind === 'sleepy' ? this.wakeAt : Number.POSITIVE_INFINITY;
  }
}

const DECK = `
         RESOURCE PARTITION=((HOST,1),(LPA,2),(LPB,3))
         CHPID PATH=(10),TYPE=CNC,PARTITION=(HOST)
         CNTLUNIT CUNUMBR=0010,PATH=(10),UNIT=3215
         IODEVICE ADDRESS=(0009,1),CUNUMBR=(0010),UNIT=3215
`;

function machine(
  weights: readonly [number, number, number],
  opts: { cps?: number; hostMode?: 'zone' | 'blocks' } = {},
): Prsm {
  const names = ['HOST', 'LPA', 'LPB'];
  let profiles = `[CPC]\nstorage = 1G\ncps = ${opts.cps ?? 1}\nhsa = 64M\nslice = 200us\n`;
  names.forEach((n, i) => {
    profiles += `\n[${n}]\nstorage = 64M\nmode = ${n === 'HOST' ? (opts.hostMode ?? 'zone') : 'zone'}\ncps = 1\nweight = ${weights[i]}\n`;
  });
  return machineFrom({ iocp: DECK, profiles }, { traceSegments: 100_000 });
}

describe('a hosted kernel in a partition', () => {
  it('gets the shares its weight gives, like a partition running guest code', () => {
    const m = machine([50, 30, 20]);
    for (const n of ['HOST', 'LPA', 'LPB']) must(m.activate(n));
    const k = new WindowKernel(SPIN, 1 << 20, 1 << 20, { kind: 'spin' });
    must(m.iplKernel('HOST', k));
    must(m.ipl('LPA', { source: SPIN }));
    must(m.ipl('LPB', { source: SPIN }));
    m.run({ ms: 20 });
    const c = m.counters().partitions;
    const total = c.HOST!.cycles + c.LPA!.cycles + c.LPB!.cycles;
    expect(c.HOST!.cycles / total).toBeGreaterThan(0.45);
    expect(c.HOST!.cycles / total).toBeLessThan(0.55);
    expect(c.LPB!.cycles / total).toBeGreaterThan(0.17);
    expect(c.LPB!.cycles / total).toBeLessThan(0.23);
    expect(c.HOST!.instructions).toBeGreaterThan(0);
    expect(m.partition('HOST')!.kernel).toBe('WINDOWK');
  });

  it('runs only while the dispatcher has given its logical CP a physical CP', () => {
    const m = machine([10, 10, 10], { cps: 2 });
    for (const n of ['HOST', 'LPA', 'LPB']) must(m.activate(n));
    const k = new WindowKernel(SPIN, 1 << 20, 1 << 20, { kind: 'sleepy', work: 30_000, sleep: 70_000 });
    must(m.iplKernel('HOST', k));
    must(m.ipl('LPA', { source: SPIN }));
    must(m.ipl('LPB', { source: SPIN }));
    m.run({ ms: 5 });
    const segments = m.dispatchTrace().segments.filter((s) => s.partition === 'HOST');
    expect(k.runs.length).toBeGreaterThan(10);
    for (const [start, end] of k.runs) {
      expect(segments.some((s) => s.start <= start && end <= s.end)).toBe(true);
    }
    // Segments never overlap: one logical CP is on at most one physical CP at a time.
    const sorted = [...segments].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
  });

  it('releases its logical CP while it waits and gets it back when its timer is due: the other partitions use the time', () => {
    const m = machine([10, 10, 10], { cps: 1 });
    for (const n of ['HOST', 'LPA', 'LPB']) must(m.activate(n));
    const k = new WindowKernel(SPIN, 1 << 20, 1 << 20, { kind: 'sleepy', work: 50_000, sleep: 450_000 });
    must(m.iplKernel('HOST', k));
    must(m.ipl('LPA', { source: SPIN }));
    must(m.ipl('LPB', { source: SPIN }));
    m.run({ ms: 20 });
    const c = m.counters().partitions;
    expect(c.HOST!.releases.wait).toBeGreaterThan(5);
    // It asked for 50k of every 500k cycles and the others are always ready: well below its third.
    const total = c.HOST!.cycles + c.LPA!.cycles + c.LPB!.cycles;
    expect(c.HOST!.cycles / total).toBeLessThan(0.2);
    expect(c.LPA!.cycles).toBeGreaterThan(2 * c.HOST!.cycles);
    // Every run after a sleep starts no earlier than the wake time it asked for.
    for (let i = 1; i < k.runs.length; i++) expect(k.runs[i]![0]).toBeGreaterThanOrEqual(k.runs[i - 1]![1]);
  });

  it("an I/O interruption on the partition's channel subsystem makes a waiting hosted kernel ready again", () => {
    const m = machine([10, 10, 10]);
    for (const n of ['HOST', 'LPA', 'LPB']) must(m.activate(n));
    // The 3215 prints 85 characters a second: each 6-character line keeps the kernel waiting about 70 ms.
    const k = new WindowKernel(SPIN, 1 << 20, 1 << 20, { kind: 'io', lines: 3 });
    must(m.iplKernel('HOST', k));
    must(m.ipl('LPA', { source: SPIN }));
    m.run({ ms: 240 });
    expect(k.written).toBe(3);
    expect(m.consoleLines('HOST', 0x009).map((l) => l.trimEnd())).toEqual(['LINE 1', 'LINE 2', 'LINE 3']);
    const host = m.partition('HOST')!;
    expect(host.counters.releases.wait).toBeGreaterThanOrEqual(3);
    // While the kernel waited for the console, LPA had the physical CP.
    expect(m.counters().partitions.LPA!.cycles).toBeGreaterThan(50 * host.counters.cycles);
    expect(host.logicalCps[0]!.state).toBe('stopped');
  });

  it("a kernel's own I/O pending listener is called, and PR/SM still wakes the kernel on the interruption", () => {
    const m = machine([10, 10, 10]);
    for (const n of ['HOST', 'LPA']) must(m.activate(n));
    const k = new WindowKernel(SPIN, 1 << 20, 1 << 20, { kind: 'io', lines: 2 });
    let heard = 0;
    const start = k.start.bind(k);
    k.start = (res) => {
      res.io.setPendingListener(() => {
        heard++;
      });
      return start(res);
    };
    must(m.iplKernel('HOST', k));
    must(m.ipl('LPA', { source: SPIN }));
    m.run({ ms: 200 });
    expect(k.written).toBe(2);
    expect(heard).toBe(2);
  });

  it('with wake-up preemption, a kernel woken by an I/O interruption gets a physical CP before the running slice ends', () => {
    // What preemption can promise under the wake-up rule: the kernel banks no credit while it waits for its
    // console, so on the I/O interruption it starts level with the runnable partitions, not ahead of them. It
    // takes the physical CP as soon as it selects before the running one by weight: at once when the running
    // one has used at least as much as the kernel since the kernel's last turn, otherwise when it has (the
    // running chunk ends where their virtual times cross). The kernel uses ~400 cycles per line at an equal
    // weight, so that is at most a few hundred cycles after the wake-up, against the rest of a 2 ms slice
    // without preemption. (Before the rule took effect the kernel woke with the credit of all its waiting and
    // preempted at once; the counts below were about the same, the gaps shorter by those few hundred cycles.)
    const run = (preemptOnWake: boolean) => {
      let profiles = '[CPC]\nstorage = 1G\ncps = 1\nhsa = 64M\nslice = 2ms\n';
      for (const n of ['HOST', 'LPA', 'LPB']) profiles += `\n[${n}]\nstorage = 64M\ncps = 1\nweight = 10\n`;
      const m = machineFrom(
        { iocp: DECK, profiles },
        { preemptOnWake, consoleCharactersPerSecond: 1_000_000 },
      );
      for (const n of ['HOST', 'LPA', 'LPB']) must(m.activate(n));
      const k = new WindowKernel(SPIN, 1 << 20, 1 << 20, { kind: 'io', lines: 1000 });
      must(m.iplKernel('HOST', k));
      must(m.ipl('LPA', { source: SPIN }));
      must(m.ipl('LPB', { source: SPIN }));
      m.run({ ms: 40 });
      const c = m.counters();
      // Machine time from the end of one kernel run (a line started) to the start of the next (its I/O interruption taken).
      const gaps = k.runs.slice(1).map((r, i) => r[0] - k.runs[i]![1]);
      return {
        written: k.written,
        preempted: c.partitions.LPA!.preempted + c.partitions.LPB!.preempted,
        overhead: c.overheadCycles,
        gaps: gaps.slice(3),
        slice: 2000 * m.costModel.mhz,
        dispatch: m.costs.dispatchCycles + m.costs.cacheReloadCycles,
      };
    };
    const without = run(false);
    const withIt = run(true);
    expect(without.preempted).toBe(0);
    expect(withIt.preempted).toBeGreaterThan(10);
    // Without preemption every line waits for a running slice to end; with it, for two dispatches (the
    // preempted one's and the kernel's) and the few hundred cycles the running one needs to draw level.
    expect(Math.min(...without.gaps)).toBeGreaterThanOrEqual(without.slice);
    expect(Math.max(...withIt.gaps)).toBeLessThan(2 * withIt.dispatch + 2000);
    // Each line's I/O takes microseconds; waiting for a 2 ms slice to end is what limits the kernel without preemption.
    expect(withIt.written).toBeGreaterThan(3 * without.written);
    // Every preemption is two more dispatches, each with its firmware path and cache reload: PR/SM pays for the latency.
    expect(withIt.overhead).toBeGreaterThan(without.overhead);
  });

  it('asks a waiting kernel ready() and nextWake() only when something concerns it, not at every decision or chunk', () => {
    for (const preemptOnWake of [false, true]) {
      // LPA's two logical CPs run on both physical CPs at once, so PR/SM runs them in fine chunks.
      let profiles = '[CPC]\nstorage = 1G\ncps = 2\nhsa = 64M\nslice = 200us\n';
      profiles +=
        '\n[HOST]\nstorage = 64M\ncps = 1\nweight = 10\n\n[LPA]\nstorage = 64M\ncps = 2\nweight = 20\n';
      profiles += '\n[LPB]\nstorage = 64M\ncps = 1\nweight = 10\n';
      const m = machineFrom({ iocp: DECK, profiles }, { preemptOnWake });
      for (const n of ['HOST', 'LPA', 'LPB']) must(m.activate(n));
      const k = new WindowKernel(SPIN, 1 << 20, 1 << 20, { kind: 'sleepy', work: 20_000, sleep: 300_000 });
      let asked = 0;
      const ready = k.ready.bind(k);
      const nextWake = k.nextWake.bind(k);
      k.ready = () => {
        asked++;
        return ready();
      };
      k.nextWake = () => {
        asked++;
        return nextWake();
      };
      must(m.iplKernel('HOST', k));
      must(m.ipl('LPA', { source: SPIN, start: 'all' }));
      must(m.ipl('LPB', { source: SPIN }));
      let chunks = 0;
      for (const l of [...m.logicalCps('LPA'), ...m.logicalCps('LPB')]) {
        const run = l.cpu.run.bind(l.cpu);
        l.cpu.run = (budget) => {
          chunks++;
          return run(budget);
        };
      }
      const runs = 20;
      for (let i = 0; i < runs; i++) m.run({ us: 500 });
      const waits = m.counters().partitions.HOST!.releases.wait;
      // It slept and woke on its timer again and again while the others ran.
      expect(waits).toBeGreaterThan(10);
      expect(k.runs.length).toBeGreaterThanOrEqual(waits);
      // Asked (ready, then nextWake) when it released to wait, and at the start and end of each run().
      expect(asked).toBeLessThanOrEqual(2 * waits + 4 * runs);
      // Asking once per chunk of the others would have been far more often.
      expect(chunks).toBeGreaterThan(10 * asked);
    }
  });

  it('refuses an IPL it cannot take, and a snapshot of the machine cannot be restored while a kernel is hosted', () => {
    const m = machine([10, 10, 10]);
    must(m.activate('HOST'));
    const tooBig = m.iplKernel('HOST', new WindowKernel(SPIN, 60 << 20, 8 << 20, { kind: 'spin' }));
    expect(tooBig.ok).toBe(false);
    if (!tooBig.ok) expect(tooBig.error.message).toContain('does not fit');
    must(m.iplKernel('HOST', new WindowKernel(SPIN, 1 << 20, 1 << 20, { kind: 'spin' })));
    m.run({ us: 100 });
    const snap = JSON.parse(JSON.stringify(m.snapshot())) as PrsmSnapshot;
    const r = machine([10, 10, 10]).restore(snap);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('SNAPSHOT');
      expect(r.error.message).toContain('WINDOWK');
    }
  });
});

/** Stores and moves at the given addresses, then random bytes as instructions, with a program-check new PSW that resumes. */
function hostile(addresses: readonly number[], noise: Uint8Array): string {
  const hex8 = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
  const lines = [
    "HOSTILE  START X'2000'",
    '         BALR  12,0',
    '         USING *,12',
    "         MVC   X'68'(8),PGMNEW",
    'AGAIN    DS    0H',
  ];
  addresses.forEach((_, i) => {
    lines.push(
      `         L     5,ADDR${i}`,
      "         MVC   0(4,5),=X'DEADBEEF'",
      '         MVC   0(64,5),0(12)',
      '         L     7,0(5)',
    );
  });
  lines.push('         B     NOISE', '         DS    0D', "PGMNEW   DC    X'00080000',A(X'80000000'+AGAIN)");
  addresses.forEach((a, i) => {
    lines.push(`ADDR${i}    DC    X'${hex8(a)}'`);
  });
  lines.push('NOISE    DS    0H');
  for (let i = 0; i < noise.length; i += 16) {
    lines.push(
      `         DC    X'${Array.from(noise.subarray(i, i + 16), (b) => b.toString(16).padStart(2, '0'))
        .join('')
        .toUpperCase()}'`,
    );
  }
  lines.push('         B     AGAIN', '         END   HOSTILE');
  return lines.join('\n');
}

describe('isolation with a hosted kernel', () => {
  for (const mode of ['zone', 'blocks'] as const) {
    it(`guest code run by a hosted kernel in a ${mode}-mode partition writes nothing outside the partition`, () => {
      const interesting = [
        0, 0x1000, 0xffffc, 0x100000, 0x1ffffc, 0x200000, 0x3fffffc, 0x4000000, 0x4000100, 0x7ffffffc,
      ];
      const arb = fc.record({
        window: fc.constantFrom(1 << 20, 8 << 20, 60 << 20),
        addresses: fc.array(
          fc.oneof(fc.constantFrom(...interesting), fc.integer({ min: 0, max: 0x7fffffff })),
          { minLength: 3, maxLength: 10 },
        ),
        noise: fc.uint8Array({ minLength: 16, maxLength: 96 }),
      });
      fc.assert(
        fc.property(arb, ({ window, addresses, noise }) => {
          const m = machine([10, 10, 10], { hostMode: mode });
          for (const n of ['HOST', 'LPA', 'LPB']) must(m.activate(n));
          const a = m.partitionStorage('LPA')!;
          for (let x = 0; x < 0x40000; x += 4096) a.write32(x as AbsoluteAddress, 0xaaaaaaaa);
          must(m.ipl('LPA', { source: SPIN }));
          const k = new WindowKernel(hostile(addresses, noise), window, 1 << 20, { kind: 'spin' });
          must(m.iplKernel('HOST', k));
          const inside = (addr: number): boolean => m.ownerOf(addr) === 'HOST';
          const before = new Map<number, Uint8Array>();
          m.storage.frames.forEach((f, i) => {
            if (f !== undefined && !inside(i * 4096)) before.set(i, f.slice());
          });
          m.run({ us: 400 });
          expect(k.cpu!.instructions).toBeGreaterThan(0);
          m.storage.frames.forEach((f, i) => {
            if (f === undefined || inside(i * 4096)) return;
            const old = before.get(i);
            // LPA's own CPU may write its own storage (its PSWs); nothing else may change outside HOST.
            if (
              m.ownerOf(i * 4096) === 'LPA' &&
              i * 4096 - (m.partition('LPA')!.layout as { origin: number }).origin < 0x2000
            )
              return;
            if (old === undefined) expect(f.every((b) => b === 0)).toBe(true);
            else expect(Buffer.compare(f, old)).toBe(0);
          });
          // Inside the partition, only the kernel's window (and nothing below or above it) was written by the guest.
          const host = m.partitionStorage('HOST')!;
          expect(host.read32((window - 4) as AbsoluteAddress) >>> 0).not.toBe(0xdeadbeef);
          expect(host.read32((window + (1 << 20)) as AbsoluteAddress) >>> 0).not.toBe(0xdeadbeef);
        }),
        { numRuns: 12, seed: 2026 },
      );
    });
  }
});
