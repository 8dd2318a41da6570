/**
 * Host-side tools for the CMS guest (cms/cms.asm): build its IPL disk and
 * build / read its A-disk file system. The CMS commands themselves are guest
 * assembler executed by isa-core; nothing here runs inside a virtual machine.
 *
 * The A-disk format (cms/README.md has the full table): block n is record 1
 * (4096 bytes) of track n of the minidisk (cylinder n / 15, head n % 15 on a
 * 3390). Block 0 holds the volume label track, block 1 the directory, block
 * 2 the allocation map (one byte per block, 0 free), files occupy
 * contiguous blocks from block 3 on.
 */
import { type CkdRecord, type CkdVolume, fromEbcdic, standardR0, toEbcdic } from '@strachey/io-channel';
import { assemble } from '@strachey/isa-core';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Bytes in a CMS block (one record per 3390 track). */
export const CMS_BLOCK = 4096;
/** Directory entries in block 1 (64 bytes each after a 64-byte header). */
export const CMS_MAX_FILES = 63;
/** Most blocks the one-block allocation map describes. */
export const CMS_MAX_BLOCKS = 4096;
const HEADS = 15;
const MAGIC = 'CMSDIR01';
/** Where the IPL record reads the CMS nucleus (cms.asm's START address). */
export const CMS_NUCLEUS_ORIGIN = 0x2000;

/** A cylinder extent of a real volume: a minidisk as CP's directory places it. */
export interface CmsExtent {
  /** First real cylinder of the minidisk. */
  readonly start: number;
  /** Cylinders of the minidisk. */
  readonly cylinders: number;
}

/**
 * One CMS file: name, type and mode (the fileid), record format F (fixed,
 * every record LRECL bytes) or V (variable), and its records.
 */
export interface CmsFile {
  readonly fn: string;
  readonly ft: string;
  /** Filemode, `A1` by default. */
  readonly fm?: string;
  readonly recfm: 'F' | 'V';
  /** Record length (F: every record is padded with blanks to it; V: the longest record). */
  readonly lrecl: number;
  /** The records: text (EBCDIC-encoded) or raw bytes (e.g. a MODULE's image). */
  readonly records: readonly (string | Uint8Array)[];
}

/** A file as read back from a disk. */
export interface CmsDiskFile {
  readonly fn: string;
  readonly ft: string;
  readonly fm: string;
  readonly recfm: 'F' | 'V';
  readonly lrecl: number;
  readonly firstBlock: number;
  readonly blocks: number;
  readonly records: Uint8Array[];
  /** The records decoded from EBCDIC, trailing blanks kept. */
  readonly text: string[];
}

/** What `readCmsDisk` finds. */
export interface CmsDisk {
  readonly label: string;
  readonly totalBlocks: number;
  readonly usedBlocks: number;
  readonly files: CmsDiskFile[];
}

/** A host-side error (bad file spec, disk too small, not a CMS disk). */
export interface CmsDiskError {
  readonly code: 'BAD_FILE' | 'DISK_FULL' | 'TOO_MANY_FILES' | 'NOT_CMS' | 'BAD_EXTENT';
  readonly message: string;
}

function name8(s: string): Uint8Array {
  return toEbcdic(s.toUpperCase().padEnd(8, ' ').slice(0, 8));
}

function blockAddress(extent: CmsExtent, block: number): { cc: number; hh: number } {
  return { cc: extent.start + Math.floor(block / HEADS), hh: block % HEADS };
}

function writeBlock(volume: CkdVolume, extent: CmsExtent, block: number, data: Uint8Array): void {
  const { cc, hh } = blockAddress(extent, block);
  const record = new Uint8Array(CMS_BLOCK);
  record.set(data.subarray(0, CMS_BLOCK));
  // Count fields carry the real cylinder: CP relocates the guest's SEEK and SEARCH ID arguments.
  const r: CkdRecord[] = [standardR0(cc, hh), { cc, hh, r: 1, key: new Uint8Array(0), data: record }];
  volume.setTrack(cc, hh, r);
}

function readBlock(volume: CkdVolume, extent: CmsExtent, block: number): Uint8Array | undefined {
  const { cc, hh } = blockAddress(extent, block);
  return volume.track(cc, hh).find((r) => r.r === 1)?.data;
}

function fileBytes(f: CmsFile): Uint8Array | CmsDiskError {
  const recs = f.records.map((r) => (typeof r === 'string' ? toEbcdic(r) : r));
  if (!Number.isInteger(f.lrecl) || f.lrecl < 1 || f.lrecl > 65535) return { code: 'BAD_FILE', message: `${f.fn} ${f.ft}: LRECL ${f.lrecl} outside 1-65535` };
  const parts: Uint8Array[] = [];
  for (const r of recs) {
    if (r.length > f.lrecl) return { code: 'BAD_FILE', message: `${f.fn} ${f.ft}: a record of ${r.length} bytes exceeds LRECL ${f.lrecl}` };
    if (f.recfm === 'F') {
      const p = new Uint8Array(f.lrecl).fill(0x40);
      p.set(r);
      parts.push(p);
    } else {
      const p = new Uint8Array(2 + r.length);
      p[0] = r.length >>> 8;
      p[1] = r.length & 0xff;
      p.set(r, 2);
      parts.push(p);
    }
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Format a minidisk extent of `volume` as a CMS A-disk with `label` and
 * `files`: every track gets a 4096-byte record 1 (so CMS can later write
 * any block with WRITE DATA), then the directory, map and file blocks.
 */
export function formatCmsDisk(volume: CkdVolume, extent: CmsExtent, options: { label: string; files?: readonly CmsFile[] }): { ok: true; usedBlocks: number } | { ok: false; error: CmsDiskError } {
  if (extent.start < 0 || extent.cylinders < 1 || extent.start + extent.cylinders > volume.geometry.cylinders) {
    return { ok: false, error: { code: 'BAD_EXTENT', message: `${extent.cylinders} cylinders at ${extent.start} do not fit the volume` } };
  }
  const total = Math.min(extent.cylinders * HEADS, CMS_MAX_BLOCKS);
  const files = options.files ?? [];
  if (files.length > CMS_MAX_FILES) return { ok: false, error: { code: 'TOO_MANY_FILES', message: `${files.length} files; a CMS directory holds ${CMS_MAX_FILES}` } };
  const dir = new Uint8Array(CMS_BLOCK);
  const map = new Uint8Array(CMS_BLOCK);
  dir.set(toEbcdic(MAGIC), 0);
  dir.set(toEbcdic(options.label.toUpperCase().padEnd(6, ' ').slice(0, 6)), 8);
  const dv = new DataView(dir.buffer);
  dv.setUint32(16, total);
  map[0] = map[1] = map[2] = 1;
  const empty = new Uint8Array(CMS_BLOCK);
  for (let b = 0; b < total; b++) if (b !== 0) writeBlock(volume, extent, b, empty);
  let next = 3;
  for (const [i, f] of files.entries()) {
    const bytes = fileBytes(f);
    if (!(bytes instanceof Uint8Array)) return { ok: false, error: bytes };
    const blocks = Math.ceil(bytes.length / CMS_BLOCK);
    if (next + blocks > total) return { ok: false, error: { code: 'DISK_FULL', message: `${f.fn} ${f.ft} needs ${blocks} blocks; ${total - next} left` } };
    const e = 64 + i * 64;
    dir.set(name8(f.fn), e);
    dir.set(name8(f.ft), e + 8);
    dir.set(toEbcdic((f.fm ?? 'A1').toUpperCase().padEnd(2, '1').slice(0, 2)), e + 16);
    dir.set(toEbcdic(f.recfm), e + 18);
    dir[e + 19] = 0x80;
    dv.setUint32(e + 20, f.lrecl);
    dv.setUint32(e + 24, bytes.length);
    dv.setUint32(e + 28, f.records.length);
    dv.setUint32(e + 32, blocks === 0 ? 0 : next);
    dv.setUint32(e + 36, blocks);
    for (let k = 0; k < blocks; k++) {
      writeBlock(volume, extent, next + k, bytes.subarray(k * CMS_BLOCK, (k + 1) * CMS_BLOCK));
      map[next + k] = 1;
    }
    next += blocks;
  }
  writeBlock(volume, extent, 1, dir);
  writeBlock(volume, extent, 2, map);
  return { ok: true, usedBlocks: next };
}

/** Read a CMS A-disk back: label, block counts and every file with its records. */
export function readCmsDisk(volume: CkdVolume, extent: CmsExtent): { ok: true; disk: CmsDisk } | { ok: false; error: CmsDiskError } {
  const dir = readBlock(volume, extent, 1);
  const map = readBlock(volume, extent, 2);
  if (dir === undefined || map === undefined || fromEbcdic(dir.subarray(0, 8)) !== MAGIC) return { ok: false, error: { code: 'NOT_CMS', message: 'block 1 is not a CMS directory' } };
  const dv = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
  const total = dv.getUint32(16);
  let used = 0;
  for (let b = 0; b < total; b++) if (map[b] !== 0) used++;
  const files: CmsDiskFile[] = [];
  for (let i = 0; i < CMS_MAX_FILES; i++) {
    const e = 64 + i * 64;
    if (dir[e + 19] !== 0x80) continue;
    const recfm = fromEbcdic(dir.subarray(e + 18, e + 19)) === 'V' ? 'V' : 'F';
    const lrecl = dv.getUint32(e + 20);
    const length = dv.getUint32(e + 24);
    const count = dv.getUint32(e + 28);
    const first = dv.getUint32(e + 32);
    const blocks = dv.getUint32(e + 36);
    const bytes = new Uint8Array(blocks * CMS_BLOCK);
    for (let k = 0; k < blocks; k++) bytes.set(readBlock(volume, extent, first + k) ?? new Uint8Array(CMS_BLOCK), k * CMS_BLOCK);
    const records: Uint8Array[] = [];
    let o = 0;
    for (let r = 0; r < count && o < length; r++) {
      if (recfm === 'F') {
        records.push(bytes.slice(o, o + lrecl));
        o += lrecl;
      } else {
        const n = (bytes[o]! << 8) | bytes[o + 1]!;
        records.push(bytes.slice(o + 2, o + 2 + n));
        o += 2 + n;
      }
    }
    files.push({
      fn: fromEbcdic(dir.subarray(e, e + 8)).trimEnd(),
      ft: fromEbcdic(dir.subarray(e + 8, e + 16)).trimEnd(),
      fm: fromEbcdic(dir.subarray(e + 16, e + 18)),
      recfm,
      lrecl,
      firstBlock: first,
      blocks,
      records,
      text: records.map((r) => fromEbcdic(r)),
    });
  }
  return { ok: true, disk: { label: fromEbcdic(dir.subarray(8, 14)).trimEnd(), totalBlocks: total, usedBlocks: used, files } };
}

/** The CMS nucleus assembled from `source` (cms/cms.asm): bytes from CMS_NUCLEUS_ORIGIN and its entry. */
export function assembleCmsNucleus(source: string): { ok: true; image: Uint8Array; entry: number } | { ok: false; error: string } {
  const r = assemble(source);
  if (!r.ok) return { ok: false, error: r.errors.map((e) => `cms.asm:${e.line}:${e.column}: ${e.message}`).join('\n') };
  if (r.origin !== CMS_NUCLEUS_ORIGIN) return { ok: false, error: `cms.asm: origin ${r.origin.toString(16)} is not ${CMS_NUCLEUS_ORIGIN.toString(16)}` };
  return { ok: true, image: r.image, entry: r.entry ?? r.origin };
}

/**
 * Write a bootable CMS system disk (CP: `IPL 190`) on an extent: track 0
 * record 1 is the IPL record (IPL PSW to the nucleus entry, then a READ DATA
 * CCW of record 2 to X'2000'), record 2 the nucleus image.
 */
export function writeCmsSystemDisk(volume: CkdVolume, extent: CmsExtent, nucleus: { image: Uint8Array; entry: number }): void {
  const n = nucleus.image.length;
  const ipl = new Uint8Array(24);
  const dv = new DataView(ipl.buffer);
  dv.setUint32(0, 0x00080000);
  dv.setUint32(4, (0x80000000 | nucleus.entry) >>> 0);
  // Format-0 CCW: READ DATA, address X'002000', SLI, count = nucleus length.
  dv.setUint32(8, (0x06 << 24) | CMS_NUCLEUS_ORIGIN);
  dv.setUint32(12, (0x20 << 24) | n);
  volume.setTrack(extent.start, 0, [
    standardR0(extent.start, 0),
    { cc: extent.start, hh: 0, r: 1, key: new Uint8Array(0), data: ipl },
    { cc: extent.start, hh: 0, r: 2, key: new Uint8Array(0), data: nucleus.image.slice() },
  ]);
}

/**
 * The CMS source shipped with the package: `cms/cms.asm`, found from the
 * source tree (src/cms/) or the built bundle (dist/). Undefined when the
 * package was installed without its cms folder.
 */
export function cmsSourcePath(): string | undefined {
  for (const rel of ['../../cms/cms.asm', '../cms/cms.asm']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Install CMS on a minidisk extent (the 190 system disk): assemble the
 * shipped cms.asm (or `source`) and write the IPL record and nucleus.
 */
export function installCms(volume: CkdVolume, extent: CmsExtent, source?: string): { ok: true } | { ok: false; error: string } {
  let text = source;
  if (text === undefined) {
    const path = cmsSourcePath();
    if (path === undefined) return { ok: false, error: 'cms/cms.asm is not installed with @strachey/hypervisor-cp' };
    text = readFileSync(path, 'utf8');
  }
  const n = assembleCmsNucleus(text);
  if (!n.ok) return n;
  writeCmsSystemDisk(volume, extent, n);
  return { ok: true };
}
