/**
 * `strachey prsm --iocp FILE --profiles FILE [--budget 100ms] [--ipl NAME=FILE]... [--json] [--trace FILE]`
 * builds a PR/SM machine from an IOCP deck and image profiles, activates
 * every partition that has a profile, IPLs each one (the assembler program
 * given with --ipl, otherwise a CPU-bound loop), runs it for the budget of
 * simulated time and prints the partitions: storage layout, weights against
 * measured shares, dispatch counts and PR/SM's overhead. Errors in the deck,
 * the profiles or a guest program print as file:line:column and exit 1.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { dispatchTraceEvents, type PartitionReport, type Prsm } from '@strachey/prsm';
import type { Command } from 'commander';
import { UserError } from '../diagnostics';
import { iplPartitions, loadPrsm } from '../prsm-input';
import { formatNumber as num, formatTable } from '../repro/table';

/** Options of `strachey prsm`. */
export interface PrsmCommandOptions {
  readonly iocp: string;
  readonly profiles: string;
  /** Simulated time: 500us, 100ms, 2s. Default 100ms. */
  readonly budget?: string;
  /** NAME=FILE pairs: assembler source to IPL into partition NAME. */
  readonly ipl?: readonly string[];
  readonly json?: boolean;
  /** Write the dispatches as a Chrome/Perfetto trace-event file here. */
  readonly trace?: string;
}

/** Parse `500us`, `100ms`, `2s` into microseconds. */
export function parseBudget(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s)$/.exec(text.trim());
  if (!m) throw new UserError({ code: 'BAD_BUDGET', message: `--budget: expected a time such as 500us, 100ms or 2s, found '${text}'` });
  const v = Number(m[1]) * (m[2] === 's' ? 1e6 : m[2] === 'ms' ? 1e3 : 1);
  if (!(v > 0) || v > 60e6) throw new UserError({ code: 'BAD_BUDGET', message: `--budget: expected 1us-60s, found '${text}'` });
  return v;
}

/** What the command reports per partition. */
export interface PartitionRow {
  readonly name: string;
  readonly mode: string | null;
  readonly storageMb: number;
  readonly layout: string;
  readonly cps: number;
  readonly dedicated: boolean;
  readonly weight: number | null;
  readonly capped: boolean;
  readonly configuredShare: number | null;
  readonly measuredShare: number | null;
  readonly cpsUsed: number;
  readonly dispatches: number;
  readonly releases: PartitionReport['counters']['releases'];
  readonly overheadPercent: number;
  readonly console: readonly string[];
}

/** Build, run and report; returns the text or JSON to print. Throws UserError for bad input. */
export function runPrsmCommand(options: PrsmCommandOptions): { text: string; json: unknown } {
  const budgetUs = parseBudget(options.budget ?? '100ms');
  const consoles = new Map<string, string[]>();
  const loaded = loadPrsm(options, {
    ...(options.trace !== undefined ? { traceSegments: 500_000 } : {}),
    onConsoleLine: (p, dev, line) => {
      const list = consoles.get(p) ?? [];
      list.push(`${dev.toString(16).toUpperCase().padStart(4, '0')}: ${line}`);
      consoles.set(p, list);
    },
  });
  const m: Prsm = loaded.prsm;
  const active = iplPartitions(loaded, options);
  const before = m.counters();
  const result = m.run({ us: budgetUs });
  const after = m.counters();
  const elapsed = after.time - before.time;
  if (options.trace !== undefined) {
    const t = m.dispatchTrace();
    const tmp = `${options.trace}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(dispatchTraceEvents(t.segments, m.costModel.mhz, m.physicalCps))}\n`);
      renameSync(tmp, options.trace);
    } catch (error) {
      throw new UserError({ code: 'TRACE_UNWRITABLE', file: options.trace, message: `cannot write the trace: ${(error as Error).message}` });
    }
  }
  const shared = active.filter((n) => m.partition(n)?.dedicated === false);
  const weightSum = shared.reduce((s, n) => s + (m.partition(n)?.weight ?? 0), 0);
  const sharedCycles = shared.reduce((s, n) => s + after.partitions[n]!.cycles - before.partitions[n]!.cycles, 0);
  const rows: PartitionRow[] = active.map((n) => {
    const p = m.partition(n)!;
    const cycles = after.partitions[n]!.cycles - before.partitions[n]!.cycles;
    const overhead = after.partitions[n]!.overheadCycles - before.partitions[n]!.overheadCycles;
    const layout = p.layout === null ? '' : p.layout.mode === 'zone' ? `origin ${p.layout.origin >>> 20}M` : `blocks ${p.layout.blocks.map((b) => `${b >>> 20}M`).join(',')}`;
    return {
      name: n,
      mode: p.mode,
      storageMb: p.storage / (1 << 20),
      layout,
      cps: p.cps,
      dedicated: p.dedicated,
      weight: p.dedicated ? null : p.weight,
      capped: p.capped,
      configuredShare: p.dedicated || weightSum === 0 ? null : p.weight / weightSum,
      measuredShare: p.dedicated || sharedCycles === 0 ? null : cycles / sharedCycles,
      cpsUsed: cycles / elapsed,
      dispatches: after.partitions[n]!.dispatches - before.partitions[n]!.dispatches,
      releases: {
        slice: after.partitions[n]!.releases.slice - before.partitions[n]!.releases.slice,
        wait: after.partitions[n]!.releases.wait - before.partitions[n]!.releases.wait,
        cap: after.partitions[n]!.releases.cap - before.partitions[n]!.releases.cap,
        stop: after.partitions[n]!.releases.stop - before.partitions[n]!.releases.stop,
      },
      overheadPercent: cycles + overhead > 0 ? (100 * overhead) / (cycles + overhead) : 0,
      console: consoles.get(n) ?? [],
    };
  });
  let map = '';
  for (let a = 0; a < m.storage.size; a += 64 << 20) {
    const o = m.ownerOf(a);
    map += o === null ? '.' : o === 'HSA' ? 'H' : (active.indexOf(o) + 1).toString(36);
  }
  const cpc = loaded.profiles.cpc;
  const json = {
    cpc: { storageMb: cpc.storage / (1 << 20), cps: cpc.cps, sharedCps: m.sharedPhysicalCps, hsaMb: cpc.hsa / (1 << 20), sliceUs: cpc.sliceUs },
    budgetUs,
    reason: result.reason,
    partitions: rows,
    storageMap: map,
    dispatches: after.dispatches - before.dispatches,
    overheadPercent: (100 * (after.overheadCycles - before.overheadCycles)) / Math.max(1, after.busyCycles - before.busyCycles + after.overheadCycles - before.overheadCycles),
    lans: after.lans,
  };
  const table = formatTable(
    ['LPAR', 'mode', 'MB', 'storage', 'CPs', 'weight', 'capped', 'configured', 'measured', 'CPs used', 'dispatches', 'overhead %'],
    rows.map((r) => [
      r.name,
      r.mode ?? '',
      r.storageMb,
      r.layout,
      `${r.cps}${r.dedicated ? ' ded' : ''}`,
      r.weight === null ? '-' : String(r.weight),
      r.capped ? 'yes' : 'no',
      r.configuredShare === null ? '-' : num(r.configuredShare),
      r.measuredShare === null ? '-' : num(r.measuredShare),
      r.cpsUsed,
      r.dispatches,
      r.overheadPercent,
    ]),
  );
  const text = [
    `CPC: ${json.cpc.storageMb} MB storage (${json.cpc.hsaMb} MB HSA), ${cpc.cps} CPs (${m.sharedPhysicalCps} shared), slice ${cpc.sliceUs / 1000} ms; ran ${budgetUs / 1000} ms of simulated time`,
    '',
    table,
    '',
    `storage map (64 MB per character; 1-9, a-z = partitions in the order above, H = HSA, . = free): ${map}`,
    `PR/SM overhead: ${num(json.overheadPercent)} % of CP time, ${json.dispatches} dispatches`,
    ...rows.flatMap((r) => (r.console.length > 0 ? [`${r.name} console:`, ...r.console.map((l) => `  ${l}`)] : [])),
  ].join('\n');
  return { text, json };
}

/** Register `strachey prsm`. */
export function registerPrsm(program: Command): void {
  program
    .command('prsm')
    .description('run logical partitions from an IOCP deck and image profiles under PR/SM and report weights vs measured shares')
    .requiredOption('--iocp <file>', 'IOCP deck (RESOURCE, CHPID, CNTLUNIT, IODEVICE)')
    .requiredOption('--profiles <file>', 'image profiles ([CPC] and one [NAME] section per partition)')
    .option('--budget <time>', 'simulated time to run: 500us, 100ms, 2s', '100ms')
    .option('--ipl <name=file>', 'IPL this assembler program into partition NAME (repeatable; default a CPU-bound loop)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print the report as JSON')
    .option('--trace <file>', 'write every dispatch as a Chrome/Perfetto trace-event file (one track per physical CP)')
    .action((o: PrsmCommandOptions) => {
      const r = runPrsmCommand(o);
      process.stdout.write(o.json ? `${JSON.stringify(r.json, null, 2)}\n` : `${r.text}\n`);
    });
}
