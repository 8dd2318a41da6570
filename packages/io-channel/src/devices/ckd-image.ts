/**
 * DASD volume images on the host: the Strachey sparse CKD format (specified
 * in this package's README) and Hercules' uncompressed CKD format
 * ("CKD_P370", as `dasdinit` writes it), so volumes can be exchanged with
 * Hercules. Loading returns a precise error value for anything malformed;
 * saving writes a temporary file and renames it over the target, so a crash
 * never leaves half an image.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { CkdVolume, type CkdRecord, MAX_3390_CYLINDERS, geometry3390, standardR0, trackFits } from './ckd-volume';

/** Image formats this package reads and writes. */
export type DasdImageFormat = 'strachey' | 'hercules';

/** A problem with an image file: where, what was found, what was expected. */
export interface ImageError {
  readonly code:
    | 'IMAGE_NOT_FOUND'
    | 'IMAGE_IO'
    | 'BAD_MAGIC'
    | 'UNSUPPORTED_VERSION'
    | 'WRONG_GEOMETRY'
    | 'TRUNCATED'
    | 'TRACK_OUT_OF_RANGE'
    | 'DUPLICATE_TRACK'
    | 'TRACK_OVERFLOW'
    | 'BAD_TRACK'
    | 'BAD_CHECKSUM'
    | 'TRAILING_DATA';
  readonly file: string;
  /** Byte offset in the file where the problem was found. */
  readonly offset: number;
  readonly message: string;
}

/** A loaded volume and the format it was in, or the first problem found in the file. */
export type LoadResult = { readonly ok: true; readonly volume: CkdVolume; readonly format: DasdImageFormat } | { readonly ok: false; readonly error: ImageError };

/** Magic of a Strachey CKD image: ASCII "STRCKD" followed by the version byte pair "01". */
export const STRACHEY_MAGIC = 'STRCKD01';
const STRACHEY_TRAILER = 'STRCKEND';
const STRACHEY_HEADER = 64;
/** Magic of a Hercules uncompressed CKD image (single file, `CKD_P370`). */
export const HERCULES_MAGIC = 'CKD_P370';
const HERCULES_HEADER = 512;

// ---------------------------------------------------------------- CRC-32 (IEEE 802.3, as zlib and PNG use)

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `bytes[0..length)`. */
export function crc32(bytes: Uint8Array, length = bytes.length): number {
  let c = 0xffffffff;
  for (let i = 0; i < length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------- encoding

/** Store a record as count field (8 bytes), key and data at `o`; returns the offset after it. Both image formats lay records out this way. */
function putRecord(r: CkdRecord, out: Uint8Array, o: number): number {
  out[o] = r.cc >>> 8;
  out[o + 1] = r.cc;
  out[o + 2] = r.hh >>> 8;
  out[o + 3] = r.hh;
  out[o + 4] = r.r;
  out[o + 5] = r.key.length;
  out[o + 6] = r.data.length >>> 8;
  out[o + 7] = r.data.length;
  out.set(r.key, o + 8);
  out.set(r.data, o + 8 + r.key.length);
  return o + 8 + r.key.length + r.data.length;
}

/** Encode a volume in the Strachey sparse format. */
export function encodeStracheyImage(volume: CkdVolume): Uint8Array {
  const g = volume.geometry;
  let size = STRACHEY_HEADER + 12;
  let tracks = 0;
  for (const t of volume.writtenTracks()) {
    tracks++;
    size += 6;
    for (const r of t.records) size += 8 + r.key.length + r.data.length;
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = STRACHEY_MAGIC.charCodeAt(i);
  dv.setUint16(8, g.deviceType);
  out[10] = g.modelCode;
  out[11] = 1;
  dv.setUint32(12, g.cylinders);
  dv.setUint16(16, g.heads);
  dv.setUint32(20, g.maxRecordData);
  dv.setUint32(24, tracks);
  let o = STRACHEY_HEADER;
  for (const t of volume.writtenTracks()) {
    dv.setUint16(o, t.cc);
    dv.setUint16(o + 2, t.hh);
    dv.setUint16(o + 4, t.records.length);
    o += 6;
    for (const r of t.records) o = putRecord(r, out, o);
  }
  for (let i = 0; i < 8; i++) out[o + i] = STRACHEY_TRAILER.charCodeAt(i);
  dv.setUint32(o + 8, crc32(out, o + 8));
  return out;
}

/** Hercules track size for a geometry: HA + R0 + max R1 + end marker, rounded up to 512 (as `dasdinit` does). */
export function herculesTrackSize(maxRecordData: number): number {
  const raw = 5 + 8 + 8 + 8 + maxRecordData + 8;
  return Math.ceil(raw / 512) * 512;
}

/** Encode a volume in Hercules' uncompressed single-file CKD format. */
export function encodeHerculesImage(volume: CkdVolume): Uint8Array {
  const g = volume.geometry;
  const trackSize = herculesTrackSize(g.maxRecordData);
  const out = new Uint8Array(HERCULES_HEADER + trackSize * g.cylinders * g.heads);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = HERCULES_MAGIC.charCodeAt(i);
  dv.setUint32(8, g.heads, true);
  dv.setUint32(12, trackSize, true);
  out[16] = g.deviceType & 0xff;
  out[17] = 0;
  dv.setUint16(18, 0, true);
  for (let cc = 0; cc < g.cylinders; cc++) {
    for (let hh = 0; hh < g.heads; hh++) {
      let o = HERCULES_HEADER + (cc * g.heads + hh) * trackSize;
      out[o] = 0;
      out[o + 1] = cc >>> 8;
      out[o + 2] = cc;
      out[o + 3] = hh >>> 8;
      out[o + 4] = hh;
      o += 5;
      for (const r of volume.track(cc, hh)) o = putRecord(r, out, o);
      out.fill(0xff, o, o + 8);
    }
  }
  return out;
}

// ---------------------------------------------------------------- decoding

const err = (file: string, code: ImageError['code'], offset: number, message: string): LoadResult => ({ ok: false, error: { code, file, offset, message } });

function ascii(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && o + i < b.length; i++) s += String.fromCharCode(b[o + i]!);
  return s;
}

/** Decode an image from its bytes; `file` names it in errors. The format is recognised by its magic. */
export function decodeImage(bytes: Uint8Array, file: string): LoadResult {
  const magic = ascii(bytes, 0, 8);
  if (magic === STRACHEY_MAGIC) return decodeStrachey(bytes, file);
  if (magic === HERCULES_MAGIC) return decodeHercules(bytes, file);
  if (magic.startsWith('STRCKD')) return err(file, 'UNSUPPORTED_VERSION', 6, `image version "${magic.slice(6)}" is not supported (expected "01")`);
  if (bytes.length < 8) return err(file, 'TRUNCATED', bytes.length, `file is ${bytes.length} bytes, too short for an image header`);
  return err(file, 'BAD_MAGIC', 0, `found "${printable(magic)}", expected "${STRACHEY_MAGIC}" (Strachey) or "${HERCULES_MAGIC}" (Hercules CKD)`);
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '.');
}

function decodeStrachey(b: Uint8Array, file: string): LoadResult {
  if (b.length < STRACHEY_HEADER + 12) return err(file, 'TRUNCATED', b.length, `file is ${b.length} bytes; a Strachey image has at least ${STRACHEY_HEADER + 12}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const devType = dv.getUint16(8);
  const cylinders = dv.getUint32(12);
  const heads = dv.getUint16(16);
  const capacity = dv.getUint32(20);
  const trackCount = dv.getUint32(24);
  if (devType !== 0x3390) return err(file, 'WRONG_GEOMETRY', 8, `device type ${devType.toString(16).toUpperCase().padStart(4, '0')}, expected 3390`);
  if (heads !== 15) return err(file, 'WRONG_GEOMETRY', 16, `${heads} tracks per cylinder, a 3390 has 15`);
  if (cylinders < 1 || cylinders > MAX_3390_CYLINDERS) return err(file, 'WRONG_GEOMETRY', 12, `${cylinders} cylinders, expected 1-${MAX_3390_CYLINDERS}`);
  if (capacity !== 56664) return err(file, 'WRONG_GEOMETRY', 20, `track capacity ${capacity}, a 3390 track holds 56664`);
  const trailerAt = b.length - 12;
  if (ascii(b, trailerAt, 8) !== STRACHEY_TRAILER) return err(file, 'TRUNCATED', b.length, `no "${STRACHEY_TRAILER}" trailer at the end: the file was cut short or extended`);
  const stored = dv.getUint32(trailerAt + 8);
  const actual = crc32(b, trailerAt + 8);
  if (stored !== actual) return err(file, 'BAD_CHECKSUM', trailerAt + 8, `CRC-32 ${hex8(actual)} of the contents does not match the stored ${hex8(stored)}`);
  const volume = new CkdVolume(geometry3390(cylinders));
  let o = STRACHEY_HEADER;
  const seen = new Set<number>();
  for (let t = 0; t < trackCount; t++) {
    if (o + 6 > trailerAt) return err(file, 'TRUNCATED', o, `track entry ${t + 1} of ${trackCount} starts beyond the data`);
    const cc = dv.getUint16(o);
    const hh = dv.getUint16(o + 2);
    const n = dv.getUint16(o + 4);
    const at = o;
    o += 6;
    if (!volume.hasTrack(cc, hh)) return err(file, 'TRACK_OUT_OF_RANGE', at, `track cylinder ${cc} head ${hh} is outside ${cylinders} cylinders × 15 heads`);
    if (seen.has(cc * 15 + hh)) return err(file, 'DUPLICATE_TRACK', at, `track cylinder ${cc} head ${hh} appears twice`);
    seen.add(cc * 15 + hh);
    if (n < 1) return err(file, 'BAD_TRACK', at, `track cylinder ${cc} head ${hh} has no R0`);
    const records: CkdRecord[] = [];
    for (let i = 0; i < n; i++) {
      if (o + 8 > trailerAt) return err(file, 'TRUNCATED', o, `record ${i} of track ${cc}/${hh} is cut short`);
      const kl = b[o + 5]!;
      const dl = (b[o + 6]! << 8) | b[o + 7]!;
      if (o + 8 + kl + dl > trailerAt) return err(file, 'TRUNCATED', o, `record ${i} of track ${cc}/${hh} needs ${8 + kl + dl} bytes, the file ends first`);
      records.push({
        cc: (b[o]! << 8) | b[o + 1]!,
        hh: (b[o + 2]! << 8) | b[o + 3]!,
        r: b[o + 4]!,
        key: b.slice(o + 8, o + 8 + kl),
        data: b.slice(o + 8 + kl, o + 8 + kl + dl),
      });
      o += 8 + kl + dl;
    }
    if (records[0]!.r !== 0) return err(file, 'BAD_TRACK', at + 6, `first record of track ${cc}/${hh} is R${records[0]!.r}, expected R0`);
    if (!trackFits(records)) return err(file, 'TRACK_OVERFLOW', at, `records of track ${cc}/${hh} exceed the 3390 track capacity (1729 cells)`);
    volume.setTrack(cc, hh, records);
  }
  if (o !== trailerAt) return err(file, 'TRAILING_DATA', o, `${trailerAt - o} unexpected bytes after the last of ${trackCount} tracks`);
  volume.dirty = false;
  return { ok: true, volume, format: 'strachey' };
}

function decodeHercules(b: Uint8Array, file: string): LoadResult {
  if (b.length < HERCULES_HEADER) return err(file, 'TRUNCATED', b.length, `file is ${b.length} bytes, a Hercules CKD header is 512`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const heads = dv.getUint32(8, true);
  const trackSize = dv.getUint32(12, true);
  const devType = b[16]!;
  const fileSeq = b[17]!;
  if (devType !== 0x90) return err(file, 'WRONG_GEOMETRY', 16, `device type byte X'${devType.toString(16).toUpperCase()}', only 3390 (X'90') is supported`);
  if (heads !== 15) return err(file, 'WRONG_GEOMETRY', 8, `${heads} heads, a 3390 has 15`);
  if (trackSize !== herculesTrackSize(56664)) return err(file, 'WRONG_GEOMETRY', 12, `track size ${trackSize}, expected ${herculesTrackSize(56664)} for a 3390`);
  if (fileSeq !== 0) return err(file, 'WRONG_GEOMETRY', 17, `file sequence ${fileSeq}: multi-file Hercules volumes are not supported`);
  const body = b.length - HERCULES_HEADER;
  const cylSize = trackSize * heads;
  if (body === 0 || body % cylSize !== 0) return err(file, 'TRUNCATED', b.length, `${body} bytes of tracks is not a whole number of ${cylSize}-byte cylinders`);
  const cylinders = body / cylSize;
  if (cylinders > MAX_3390_CYLINDERS) return err(file, 'WRONG_GEOMETRY', 0, `${cylinders} cylinders, at most ${MAX_3390_CYLINDERS}`);
  const volume = new CkdVolume(geometry3390(cylinders));
  for (let cc = 0; cc < cylinders; cc++) {
    for (let hh = 0; hh < heads; hh++) {
      const base = HERCULES_HEADER + (cc * heads + hh) * trackSize;
      const end = base + trackSize;
      const tcc = (b[base + 1]! << 8) | b[base + 2]!;
      const thh = (b[base + 3]! << 8) | b[base + 4]!;
      if (b[base] !== 0 || tcc !== cc || thh !== hh) return err(file, 'BAD_TRACK', base, `home address says cylinder ${tcc} head ${thh}, expected cylinder ${cc} head ${hh}`);
      let o = base + 5;
      const records: CkdRecord[] = [];
      for (;;) {
        if (o + 8 > end) return err(file, 'TRACK_OVERFLOW', o, `track ${cc}/${hh} has no end-of-track marker within ${trackSize} bytes`);
        if (b[o] === 0xff && b[o + 1] === 0xff && b[o + 2] === 0xff && b[o + 3] === 0xff && b[o + 4] === 0xff && b[o + 5] === 0xff && b[o + 6] === 0xff && b[o + 7] === 0xff) break;
        const kl = b[o + 5]!;
        const dl = (b[o + 6]! << 8) | b[o + 7]!;
        if (o + 8 + kl + dl > end) return err(file, 'TRACK_OVERFLOW', o, `record R${b[o + 4]} of track ${cc}/${hh} runs beyond the ${trackSize}-byte track`);
        records.push({ cc: (b[o]! << 8) | b[o + 1]!, hh: (b[o + 2]! << 8) | b[o + 3]!, r: b[o + 4]!, key: b.slice(o + 8, o + 8 + kl), data: b.slice(o + 8 + kl, o + 8 + kl + dl) });
        o += 8 + kl + dl;
      }
      if (records.length === 0 || records[0]!.r !== 0) return err(file, 'BAD_TRACK', base + 5, `track ${cc}/${hh} does not start with R0`);
      if (!trackFits(records)) return err(file, 'TRACK_OVERFLOW', base, `records of track ${cc}/${hh} exceed the 3390 track capacity (1729 cells)`);
      const r0 = records[0]!;
      const standard = records.length === 1 && r0.key.length === 0 && r0.data.length === 8 && r0.data.every((x) => x === 0) && r0.cc === cc && r0.hh === hh;
      if (!standard) volume.setTrack(cc, hh, records);
    }
  }
  volume.dirty = false;
  return { ok: true, volume, format: 'hercules' };
}

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');

// ---------------------------------------------------------------- files

/** Load a volume image from a host file. */
export function loadVolume(file: string): LoadResult {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return err(file, 'IMAGE_NOT_FOUND', 0, 'no such file');
    return err(file, 'IMAGE_IO', 0, `cannot read: ${(e as Error).message}`);
  }
  return decodeImage(bytes, file);
}

/**
 * Write a volume image atomically: the bytes go to `<file>.<pid>.tmp`, are
 * flushed to disk, and the temporary file is renamed over `file`.
 */
export function saveVolume(file: string, volume: CkdVolume, format: DasdImageFormat = 'strachey'): void {
  const bytes = format === 'hercules' ? encodeHerculesImage(volume) : encodeStracheyImage(volume);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 24));
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  volume.dirty = false;
}

/** An empty (unformatted apart from R0) track list, for callers building volumes. */
export function emptyTrack(cc: number, hh: number): CkdRecord[] {
  return [standardR0(cc, hh)];
}
