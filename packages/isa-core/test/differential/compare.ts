/**
 * Comparison of one case's displays on Hercules 3.13 and on isa-core: the
 * PSW, the 16 general registers, the data area, and the low-core fields an
 * interruption stores (old PSWs, interruption codes). Both logs are read by
 * the same parser (@strachey/hercules-oracle), so a layout difference shows
 * up as a divergence too.
 */
import type { CommandOutput } from '@strachey/hercules-oracle';
import { COMPARED_LOW_CORE, DATA, DATA_SIZE, EDGE, EDGE_SIZE } from './generator';

/** What one side showed at the end of a case. */
export interface CaseState {
  readonly psw: string | null;
  readonly gpr: readonly number[] | null;
  /** Real address → byte, for every byte the `r` displays showed. */
  readonly storage: ReadonlyMap<number, number>;
}

/** One difference between Hercules and isa-core. */
export interface Divergence {
  /** 'psw', 'GR03', 'storage 1004', … */
  readonly what: string;
  readonly hercules: string;
  readonly isaCore: string;
}

const hex = (n: number, w: number): string => (n >>> 0).toString(16).toUpperCase().padStart(w, '0');

/**
 * Read the end state from a case's commands: what the last `psw` and `gpr`
 * commands and every `r` display printed (registers a program-check message
 * shows are not a `gpr` display, whichever command they interleaved with).
 */
export function caseState(commands: readonly CommandOutput[]): CaseState {
  let psw: string | null = null;
  let gpr: readonly number[] | null = null;
  const storage = new Map<number, number>();
  for (const c of commands) {
    for (const item of c.items) {
      if (item.kind === 'psw' && c.text === 'psw') psw = item.hex;
      else if (item.kind === 'gpr' && c.text === 'gpr') gpr = item.values;
      else if (item.kind === 'storage' && c.text.startsWith('r ') && !c.text.includes('=')) {
        for (let i = 0; i < item.bytes.length; i++) storage.set(item.address + i, item.bytes[i]!);
      }
    }
  }
  return { psw, gpr, storage };
}

function compareRange(h: CaseState, o: CaseState, start: number, length: number, out: Divergence[]): void {
  for (let a = start; a < start + length; a++) {
    const hb = h.storage.get(a);
    const ob = o.storage.get(a);
    if (hb !== ob) out.push({ what: `storage ${hex(a, 4)}`, hercules: hb === undefined ? 'not shown' : hex(hb, 2), isaCore: ob === undefined ? 'not shown' : hex(ob, 2) });
  }
}

/** Every difference between the two end states. */
export function compareStates(h: CaseState, o: CaseState): Divergence[] {
  const out: Divergence[] = [];
  if (h.psw !== o.psw) out.push({ what: 'psw', hercules: h.psw ?? 'not shown', isaCore: o.psw ?? 'not shown' });
  for (let r = 0; r < 16; r++) {
    const hv = h.gpr?.[r];
    const ov = o.gpr?.[r];
    if (hv !== ov) {
      out.push({
        what: `GR${String(r).padStart(2, '0')}`,
        hercules: hv === undefined ? 'not shown' : hex(hv, 8),
        isaCore: ov === undefined ? 'not shown' : hex(ov, 8),
      });
    }
  }
  for (const [start, length] of COMPARED_LOW_CORE) compareRange(h, o, start, length, out);
  compareRange(h, o, DATA, DATA_SIZE, out);
  compareRange(h, o, EDGE, EDGE_SIZE, out);
  return out;
}

/** Group byte divergences into runs for a readable report (addresses up to 6 hex digits). */
export function describeDivergences(list: readonly Divergence[]): string {
  const lines: string[] = [];
  let i = 0;
  while (i < list.length) {
    const d = list[i]!;
    if (d.what.startsWith('storage ')) {
      const start = Number.parseInt(d.what.slice(8), 16);
      const w = d.what.length - 8;
      let j = i + 1;
      while (j < list.length && list[j]!.what === `storage ${hex(start + (j - i), w)}`) j++;
      const run = list.slice(i, j);
      lines.push(`  storage ${hex(start, w)}-${hex(start + run.length - 1, w)}: hercules ${run.map((x) => x.hercules).join('')}  isa-core ${run.map((x) => x.isaCore).join('')}`);
      i = j;
      continue;
    }
    lines.push(`  ${d.what}: hercules ${d.hercules}  isa-core ${d.isaCore}`);
    i++;
  }
  return lines.join('\n');
}
