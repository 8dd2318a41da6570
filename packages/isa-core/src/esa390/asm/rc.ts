/**
 * Hercules console commands that load assembled code: `r ADDR=HEX` alters
 * real storage (Hercules 3.x console, "r" command), so the same program can
 * be run on Hercules and on `strachey run` from one script.
 */
import type { AsmChunk } from './types';

/** Most bytes written by one `r` command; keeps console lines short. */
export const HERCULES_ALTER_MAX_BYTES = 32;

/** `r ADDR=HEX` lines (at most 32 bytes each) that put `chunks` into real storage. */
export function herculesAlterCommands(chunks: readonly AsmChunk[], maxBytes = HERCULES_ALTER_MAX_BYTES): string[] {
  const out: string[] = [];
  for (const c of chunks) {
    for (let o = 0; o < c.bytes.length; o += maxBytes) {
      let hex = '';
      for (let i = o; i < Math.min(o + maxBytes, c.bytes.length); i++) hex += c.bytes[i]!.toString(16).toUpperCase().padStart(2, '0');
      out.push(`r ${((c.address + o) >>> 0).toString(16).toUpperCase()}=${hex}`);
    }
  }
  return out;
}
