/**
 * irdyn-storage — Spruth §12.4.1 (Abb. 12.4.1-12.4.3): with zone origin and
 * limit registers a partition's storage is one contiguous range of physical
 * storage, so it can only grow into adjacent storage (at a neighbour's
 * expense only by shutting the neighbour down); with IRD's block table in
 * the HSA it grows and shrinks in 64 MB blocks while it runs, the blocks need
 * not be adjacent, and its OS still sees contiguous real storage from 0.
 *
 * The same three partitions and requests are played on two machines: one
 * whose partitions use zone relocation, one whose partitions use block
 * tables. LP1 runs a guest that probes its storage in 64 MB steps (store at
 * 0, 64 MB, 128 MB, ... until the addressing exception) and records how much
 * contiguous storage it can address; that is the figure reported as "LP1
 * sees". Naming: the seed calls the 64 MB units "logical memory blocks"
 * (LMB); in IBM's documentation LMB is the PowerVM/POWER term, PR/SM
 * documents speak of storage increments.
 */
import { assemble } from '@strachey/isa-core';
import { createPrsm, formatPrsmError, parseIocp, parseProfiles, type Prsm, type PrsmResult, type StorageLayout } from '@strachey/prsm';
import { UserError } from '../diagnostics';
import { toCsv } from './smp-scaling';
import { formatTable } from './table';
import type { ReproResult, Reproduction } from './types';

const MB = 1 << 20;
const BLOCK = 64 * MB;

const PROBE = `
PROBE    START X'2000'
         BALR  12,0
         USING *,12
         MVC   X'68'(8),PGMNEW
AGAIN    SR    5,5
         SR    7,7
NEXT     ST    7,X'800'(5)
         LA    7,1(7)
         AL    5,BLOCK
         B     NEXT
PGM      ST    7,REACHED
         B     AGAIN
         DS    0D
PGMNEW   DC    X'00080000',A(X'80000000'+PGM)
BLOCK    DC    X'04000000'
REACHED  DC    F'0'
         END   PROBE
`;
const REACHED_AT = assemble(PROBE).symbols.find((s) => s.name === 'REACHED')?.value ?? 0;

const DECK = ' RESOURCE PARTITION=((LP1,1),(LP2,2),(LP3,3))\n';

function must<T>(r: PrsmResult<T>): T {
  if (!r.ok) throw new UserError({ code: r.error.code, message: formatPrsmError(r.error) });
  return r.value;
}

function machine(mode: 'zone' | 'blocks'): Prsm {
  let p = '[CPC]\nstorage = 1G\ncps = 3\nhsa = 64M\nslice = 1ms\n';
  ['LP1', 'LP2', 'LP3'].forEach((n, i) => {
    p += `[${n}]\nstorage = 256M\nreserved = 512M\nmode = ${mode}\n${mode === 'zone' ? `origin = 0x${(i * 256 * MB).toString(16)}\n` : ''}cps = 1\n`;
  });
  const m = must(createPrsm({ iocp: must(parseIocp(DECK, 'irdyn.iocp')), profiles: must(parseProfiles(p, 'irdyn.profiles')) }));
  for (const n of ['LP1', 'LP2', 'LP3']) must(m.activate(n));
  must(m.ipl('LP1', { source: PROBE }));
  must(m.ipl('LP2', { source: PROBE }));
  must(m.ipl('LP3', { source: PROBE }));
  return m;
}

/** Contiguous storage the guest in LP1 found by probing, in MB. */
function sees(m: Prsm, name = 'LP1'): number {
  m.run({ us: 400 });
  const v = m.partitionStorage(name);
  return v === null ? 0 : ((v.read32(REACHED_AT as never) >>> 0) * BLOCK) / MB;
}

/** One character per 64 MB of physical storage: 1/2/3 the owning partition, H the HSA, . free. */
function storageMap(m: Prsm): string {
  let s = '';
  for (let a = 0; a < m.storage.size; a += BLOCK) {
    const o = m.ownerOf(a);
    s += o === null ? '.' : o === 'HSA' ? 'H' : o.slice(2);
  }
  return s;
}

function describe(l: StorageLayout | null): string {
  if (l === null) return 'inactive';
  if (l.mode === 'zone') return `zone origin ${l.origin / MB} MB, limit ${l.size / MB} MB`;
  return `blocks at ${l.blocks.map((b) => b / MB).join(', ')} MB`;
}

interface StepResult {
  readonly step: string;
  readonly zone: { readonly ok: boolean; readonly how: string; readonly lp1Sees: number; readonly map: string };
  readonly blocks: { readonly ok: boolean; readonly how: string; readonly lp1Sees: number; readonly map: string };
}

/** Play the requests on both machines. */
export function irdynStorageResult(): ReproResult {
  const z = machine('zone');
  const b = machine('blocks');
  const steps: StepResult[] = [];
  const record = (step: string, zone: { ok: boolean; how: string }, blocks: { ok: boolean; how: string }): void => {
    steps.push({ step, zone: { ...zone, lp1Sees: sees(z), map: storageMap(z) }, blocks: { ...blocks, lp1Sees: sees(b), map: storageMap(b) } });
  };
  const outcome = (r: PrsmResult<StorageLayout>, okText: (l: StorageLayout) => string): { ok: boolean; how: string } =>
    r.ok ? { ok: true, how: okText(r.value) } : { ok: false, how: r.error.message };

  record('initial: LP1, LP2, LP3 with 256 MB each', { ok: true, how: describe(z.partition('LP1')!.layout) }, { ok: true, how: describe(b.partition('LP1')!.layout) });

  // 1. LP1 wants 64 MB more; free storage exists, but not next to LP1.
  record(
    'LP1 +64 MB while running (free storage only above LP3)',
    outcome(z.resizeZone('LP1', 320 * MB), describe),
    outcome(b.addStorageBlock('LP1'), (l) => `new block at ${(l.mode === 'blocks' ? l.blocks[l.blocks.length - 1]! : 0) / MB} MB (not adjacent)`),
  );
  // 2. LP3 shrinks by 64 MB; LP1 asks again (non-adjacent donor).
  const z3 = z.resizeZone('LP3', 192 * MB);
  const b3 = b.removeStorageBlock('LP3');
  record(
    'LP3 gives up 64 MB; LP1 +64 MB (non-adjacent donor)',
    z3.ok ? outcome(z.resizeZone('LP1', 320 * MB), describe) : { ok: false, how: z3.error.message },
    b3.ok ? outcome(b.addStorageBlock('LP1'), (l) => `LP3's block at ${(l.mode === 'blocks' ? l.blocks[l.blocks.length - 1]! : 0) / MB} MB`) : { ok: false, how: b3.error.message },
  );
  // 3. At the adjacent neighbour's expense. Zone: only by shutting LP2 down and reactivating it smaller, higher up.
  must(z.deactivate('LP2'));
  const zGrow = z.resizeZone('LP1', 320 * MB);
  let zHow = zGrow.ok ? `LP2 shut down; ${describe(zGrow.value)}` : zGrow.error.message;
  if (zGrow.ok) {
    const re = z.activate('LP2', { mode: 'zone', origin: 320 * MB, size: 192 * MB });
    zHow += re.ok ? '; LP2 reactivated at 320 MB with 192 MB and re-IPLed' : `; LP2 cannot come back: ${re.error.message}`;
    if (re.ok) must(z.ipl('LP2', { source: PROBE }));
  }
  const b2 = b.removeStorageBlock('LP2');
  record(
    'LP1 +64 MB at the adjacent LP2\'s expense',
    { ok: zGrow.ok, how: zHow },
    b2.ok ? outcome(b.addStorageBlock('LP1'), (l) => `LP2's top block, LP2 keeps running; LP1 ${describe(l)}`) : { ok: false, how: b2.error.message },
  );

  const rows = steps.map((s) => [s.step, s.zone.ok ? 'yes' : 'no', s.zone.lp1Sees, s.blocks.ok ? 'yes' : 'no', s.blocks.lp1Sees]);
  const header = ['request', 'zone: granted', 'zone: LP1 sees MB', 'blocks: granted', 'blocks: LP1 sees MB'];
  const text = [
    'IRD dynamic storage (seed §12.4.1): zone origin/limit vs a 64 MB block table, 1 GB machine, 64 MB HSA',
    '',
    formatTable(header, rows),
    '',
    'Physical storage, one character per 64 MB (1/2/3 = LPn, H = HSA, . = free):',
    ...steps.map((s) => `  zone   ${s.zone.map}   blocks ${s.blocks.map}   after: ${s.step}`),
    '',
    ...steps.slice(1).flatMap((s) => [`${s.step}:`, `  zone:   ${s.zone.how}`, `  blocks: ${s.blocks.how}`]),
    '',
    '"LP1 sees" is what the guest in LP1 found by storing at 0, 64 MB, 128 MB, ... until the addressing',
    'exception: with the block table its real storage stays contiguous from 0 however scattered the blocks are.',
    '(The seed calls the 64 MB units LMBs; in IBM documentation LMB is the PowerVM/POWER term.)',
  ].join('\n');
  const json = { steps };
  const mapSvg = mapChart(steps);
  return {
    text,
    json,
    files: [
      { name: 'irdyn-storage.json', content: `${JSON.stringify(json, null, 2)}\n` },
      { name: 'irdyn-storage.csv', content: toCsv(header.map((h) => h.replace(/[ :]+/g, '_')), rows.map((r) => r.map((c) => (typeof c === 'string' ? `"${c}"` : c)))) },
      { name: 'irdyn-storage.svg', content: mapSvg },
    ],
  };
}

/**
 * Physical storage after each step: the step on its own line, then the zone
 * machine's map and the block-table machine's, each row labelled with the
 * scheme and whether the request was granted; addresses in MB under the
 * maps and a legend for the cell colours.
 */
function mapChart(steps: readonly StepResult[]): string {
  const colour: Record<string, string> = { '1': '#1f77b4', '2': '#d62728', '3': '#2ca02c', H: '#555', '.': '#eee' };
  const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const cells = steps[0]?.zone.map.length ?? 16;
  const cell = 40;
  const left = 190;
  const stepHeight = 86;
  const top = 48;
  const width = left + cell * cells + 30;
  const mapsEnd = top + steps.length * stepHeight;
  const height = mapsEnd + 70;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">IRD grows LP1 by 64 MB: zone origin/limit vs 64 MB block table (physical storage, 1 GB)</text>`,
  ];
  steps.forEach((s, i) => {
    const y = top + i * stepHeight;
    out.push(`<text x="10" y="${y + 12}" font-weight="bold">${i + 1}. ${esc(s.step)}</text>`);
    const rows = [
      ['zone', s.zone],
      ['block table', s.blocks],
    ] as const;
    rows.forEach(([scheme, r], row) => {
      const ry = y + 20 + row * 26;
      const verdict = i === 0 ? '' : r.ok ? ': granted' : ': refused';
      out.push(`<text x="${left - 10}" y="${ry + 15}" text-anchor="end"${!r.ok ? ' fill="#b00" font-weight="bold"' : ''}>${scheme}${verdict}</text>`);
      for (let k = 0; k < r.map.length; k++) {
        const c = r.map[k]!;
        const x = left + k * cell;
        out.push(`<rect x="${x}" y="${ry}" width="${cell - 2}" height="22" fill="${colour[c] ?? '#999'}"><title>${k * 64}-${(k + 1) * 64} MB: ${c === 'H' ? 'HSA' : c === '.' ? 'free' : `LP${c}`}</title></rect>`);
        if (c !== '.') out.push(`<text x="${x + cell / 2 - 1}" y="${ry + 15}" text-anchor="middle" fill="white">${c === 'H' ? 'HSA' : `LP${c}`}</text>`);
      }
    });
  });
  // Addresses: a tick every 256 MB under the maps.
  for (let k = 0; k <= cells; k += 4) {
    const x = left + k * cell - 1;
    out.push(`<line x1="${x}" y1="${mapsEnd - 8}" x2="${x}" y2="${mapsEnd}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${mapsEnd + 14}" text-anchor="middle">${k * 64}</text>`);
  }
  out.push(`<text x="${left + (cells * cell) / 2}" y="${mapsEnd + 32}" text-anchor="middle">physical address (MB); one cell = 64 MB</text>`);
  const legend: [string, string][] = [
    ['LP1', colour['1']!],
    ['LP2', colour['2']!],
    ['LP3', colour['3']!],
    ['HSA', colour.H!],
    ['free', colour['.']!],
  ];
  legend.forEach(([name, c], i) => {
    const x = left + i * 90;
    out.push(`<rect x="${x}" y="${mapsEnd + 44}" width="14" height="12" fill="${c}" stroke="#999" stroke-width="0.5"/>`);
    out.push(`<text x="${x + 20}" y="${mapsEnd + 55}">${name}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export const irdynStorage: Reproduction = {
  name: 'irdyn-storage',
  title: 'Spruth §12.4.1: IRD grows an LPAR by non-adjacent 64 MB blocks; zones only by adjacent storage',
  source: 'Spruth, seed 004 §12.4.1 (Abb. 12.4.1-12.4.3)',
  run: () => irdynStorageResult(),
};
