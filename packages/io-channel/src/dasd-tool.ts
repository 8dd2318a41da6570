/**
 * What `strachey dasd init` and `strachey dasd info` do, as functions that
 * return values (the CLI only prints them): create and format a 3390 volume
 * image with its VOL1 label, and describe an existing image.
 */
import { existsSync, statSync } from 'node:fs';
import { type DasdImageFormat, loadVolume, saveVolume } from './devices/ckd-image';
import { CkdVolume, MAX_3390_CYLINDERS, formatVolume, geometry3390 } from './devices/ckd-volume';
import { fromEbcdic } from './ebcdic';

/** A problem for the user: code, message and (when known) the file. */
export interface DasdToolError {
  readonly code: string;
  readonly message: string;
  readonly file?: string;
}

/** What the dasd tool returns: lines to print, or an error for the user. */
export type DasdToolResult = { readonly ok: true; readonly lines: readonly string[] } | { readonly ok: false; readonly error: DasdToolError };

/** Arguments of `strachey dasd init`. */
export interface DasdInitOptions {
  readonly file: string;
  /** "3390" or "3390-1", "3390-2", "3390-3", "3390-9" (the model sets the default cylinder count). */
  readonly type: string;
  readonly cylinders?: number;
  readonly volser: string;
  readonly format?: DasdImageFormat;
  /** Overwrite an existing file. */
  readonly force?: boolean;
  /** Owner field of the VOL1 label (default STRACHEY). */
  readonly owner?: string;
}

/** Cylinders of the 3390 models (Hercules `dasdtab.c`). */
const MODELS: Readonly<Record<string, number>> = { '3390': 1113, '3390-1': 1113, '3390-2': 2226, '3390-3': 3339, '3390-9': 10017 };

/**
 * A file-system error without the path Node appends (`…, open '<path>'`):
 * the image is written through a temporary file (`<file>.<pid>.tmp`), a name
 * the user never gave; the error names the user's file instead.
 */
function fsErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, \w+ '[^']*'(?: -> '[^']*')?$/, '');
}

/** `1 track`, `3 tracks`. */
const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

const fail = (code: string, message: string, file?: string): DasdToolResult => ({ ok: false, error: file === undefined ? { code, message } : { code, message, file } });

/** Create and format a volume image (VOL1 label at cylinder 0, head 0, record 3). */
export function dasdInit(o: DasdInitOptions): DasdToolResult {
  const type = o.type.toUpperCase();
  const modelCylinders = MODELS[type];
  if (modelCylinders === undefined) return fail('DASD_TYPE', `device type "${o.type}" is not supported; expected one of ${Object.keys(MODELS).join(', ')}`);
  const cylinders = o.cylinders ?? modelCylinders;
  if (!Number.isInteger(cylinders) || cylinders < 1 || cylinders > MAX_3390_CYLINDERS) return fail('DASD_CYLINDERS', `--cylinders must be an integer 1-${MAX_3390_CYLINDERS}, got ${o.cylinders}`);
  const volser = o.volser.toUpperCase();
  if (!/^[A-Z0-9@#$]{1,6}$/.test(volser)) return fail('DASD_VOLSER', `volume serial "${o.volser}" must be 1-6 characters A-Z, 0-9, @, #, $`);
  const format = o.format ?? 'strachey';
  if (format !== 'strachey' && format !== 'hercules') return fail('DASD_FORMAT', `--format must be strachey or hercules, got "${String(format)}"`);
  if (existsSync(o.file) && o.force !== true) return fail('FILE_EXISTS', 'file exists; use --force to overwrite it', o.file);
  const volume = new CkdVolume(geometry3390(cylinders));
  formatVolume(volume, volser, o.owner ?? 'STRACHEY');
  try {
    saveVolume(o.file, volume, format);
  } catch (e) {
    return fail('DASD_WRITE', `cannot write: ${fsErrorText(e)}`, o.file);
  }
  return { ok: true, lines: [`${o.file}: ${type} volume ${volser}, ${count(cylinders, 'cylinder')} × 15 tracks, ${format} format`] };
}

/** Options of `dasdInfo`. */
export interface DasdInfoOptions {
  /** Also list every written track's records: CCHHR, key and data lengths, the data's first bytes as text. */
  readonly records?: boolean;
}

/** Describe a volume image: format, geometry, label, how much is written (and, on request, the records). */
export function dasdInfo(file: string, options: DasdInfoOptions = {}): DasdToolResult {
  const r = loadVolume(file);
  if (!r.ok) return fail(r.error.code, r.error.offset > 0 ? `${r.error.message} (at byte ${r.error.offset})` : r.error.message, file);
  const v = r.volume;
  const g = v.geometry;
  let tracks = 0;
  let records = 0;
  let bytes = 0;
  for (const t of v.writtenTracks()) {
    tracks++;
    for (const rec of t.records) {
      if (rec.r === 0) continue;
      records++;
      bytes += rec.key.length + rec.data.length;
    }
  }
  const listing: string[] = [];
  if (options.records === true) {
    const hex = (n: number, w: number): string => n.toString(16).toUpperCase().padStart(w, '0');
    for (const t of v.writtenTracks()) {
      listing.push(`cylinder ${t.cc} head ${t.hh}:`);
      for (const rec of t.records) {
        // Control codes (below X'40') as dots, the rest through code page 037.
        const text = Array.from(rec.data.subarray(0, 40), (b) => (b < 0x40 ? '.' : fromEbcdic(Uint8Array.of(b)))).join('');
        listing.push(`  ${hex(rec.cc, 4)}${hex(rec.hh, 4)}${hex(rec.r, 2)}  KL ${String(rec.key.length).padStart(3)}  DL ${String(rec.data.length).padStart(5)}  ${text}`);
      }
    }
  }
  return {
    ok: true,
    lines: [
      `file:        ${file} (${statSync(file).size} bytes)`,
      `format:      ${r.format === 'hercules' ? 'Hercules CKD (CKD_P370)' : 'Strachey CKD (STRCKD01)'}`,
      `device:      3390 model code X'${g.modelCode.toString(16).toUpperCase().padStart(2, '0')}'`,
      `geometry:    ${count(g.cylinders, 'cylinder')} × ${g.heads} tracks, ${g.maxRecordData} bytes per track (max R1)`,
      `capacity:    ${g.cylinders * g.heads * g.maxRecordData} bytes`,
      `volser:      ${v.volser() ?? '(no VOL1 label)'}`,
      `written:     ${count(tracks, 'track')}, ${count(records, 'record')}, ${count(bytes, 'byte')} of keys and data`,
      ...listing,
    ],
  };
}
