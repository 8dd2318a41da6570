/**
 * CMS as a saved system: the nucleus (cms/cms.asm, pure code and constants
 * from X'2000') defined once as the named system `CMS`, every page of it
 * shared, entered at its IPL PSW. What VM/370's `IPL 190` followed by
 * `SAVESYS CMS` produced; `IPL CMS` then maps these pages instead of
 * reading the 190 disk. CMS's writable state (NUCON, page 0) is built by the
 * nucleus itself at entry, so no non-shared page needs saving.
 */
import { readFileSync } from 'node:fs';
import type { SavedSystem, SavedSystemError, SavedSystems } from '../saved-systems';
import { assembleCmsNucleus, CMS_NUCLEUS_ORIGIN, cmsSourcePath } from './disk';

/**
 * Storage of the small CMS virtual machines of the scale runs. VM/370's CMS
 * ran in 256K-320K virtual machines; this CMS fits in 128K (a MODULE needs
 * 192K), which lets 10,000 users' windows and CP's 64K work area each fit
 * below 2 GB of CP real storage, the most an ESA/390 channel program can
 * address (31-bit CCW and data addresses).
 */
export const CMS_SMALL_STORAGE = 128 * 1024;

/**
 * Assemble the shipped cms.asm (or `source`) and save it as the named system
 * `name` (default `CMS`) in `table`.
 */
export function saveCmsSystem(
  table: SavedSystems,
  options: { source?: string; name?: string } = {},
): { ok: true; system: SavedSystem } | { ok: false; error: SavedSystemError } {
  let text = options.source;
  if (text === undefined) {
    const path = cmsSourcePath();
    if (path === undefined)
      return {
        ok: false,
        error: { code: 'NO_SOURCE', message: 'cms/cms.asm is not installed with @strachey/hypervisor-cp' },
      };
    text = readFileSync(path, 'utf8');
  }
  const n = assembleCmsNucleus(text);
  if (!n.ok) return { ok: false, error: { code: 'ASSEMBLY', message: n.error } };
  return table.defineImage(options.name ?? 'CMS', {
    origin: CMS_NUCLEUS_ORIGIN,
    bytes: n.image,
    psw: [0x00080000, (0x80000000 | n.entry) >>> 0],
  });
}
