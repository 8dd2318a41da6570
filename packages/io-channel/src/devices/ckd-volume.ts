/**
 * A count-key-data (CKD) volume in host memory: cylinders × tracks, each
 * track a home address and a list of records R0, R1, ... each with an 8-byte
 * count field (CC HH R KL DL), a key and data (IBM 3390 Reference Summary
 * GX26-4577; Hercules `ckddasd.c` for the emulated behaviour).
 */
import { toEbcdic } from '../ebcdic';

/** Geometry of a CKD device type and model. */
export interface CkdGeometry {
  readonly deviceType: number;
  /** Model byte as SENSE ID / RDC report it. */
  readonly modelCode: number;
  readonly cylinders: number;
  /** Tracks per cylinder (heads). */
  readonly heads: number;
  /** Largest data length of a single R1 on an empty track. */
  readonly maxRecordData: number;
  /** Raw track length in bytes (Hercules `dasdtab.c` "len"). */
  readonly trackLength: number;
}

/**
 * IBM 3390 geometry (Hercules `dasdtab.c`, which cites IBM's published
 * device capacities): 15 tracks per cylinder, 56 664 bytes max R1, raw
 * track 58 786 bytes; model 1 = 1113 cylinders, 2 = 2226, 3 = 3339, 9 = 10017.
 */
export function geometry3390(cylinders = 1113): CkdGeometry {
  const modelCode = cylinders <= 1113 ? 0x02 : cylinders <= 2226 ? 0x06 : cylinders <= 3339 ? 0x0a : 0x0c;
  return { deviceType: 0x3390, modelCode, cylinders, heads: 15, maxRecordData: 56664, trackLength: 58786 };
}

/** Largest cylinder count a 3390 volume may have here (3390-54). */
export const MAX_3390_CYLINDERS = 65520;

/** One record on a track. */
export interface CkdRecord {
  cc: number;
  hh: number;
  r: number;
  key: Uint8Array;
  data: Uint8Array;
}

/** 3390 track: 1729 cells of 34 bytes (58 786 / 34). */
export const CELLS_PER_TRACK_3390 = 1729;

const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);

/**
 * Cells a record R1..Rn occupies on a 3390 track, from the device's track
 * capacity formula (as the Linux kernel's `dasd_eckd.c` states it for 3390:
 * 10 + 9 + ⌈(DL + 6·n_d)/34⌉, n_d = ⌈(DL+6)/232⌉ + 1, plus 9 + ⌈(KL + 6·n_k)/34⌉
 * for a key). A track holds 1729 cells: one R1 of 56 664 bytes fills it,
 * twelve 4096-byte records fit, and 78 unkeyed 80-byte records.
 */
export function recordCells3390(keyLength: number, dataLength: number): number {
  const nd = ceilDiv(dataLength + 6, 232) + 1;
  let cells = 10 + 9 + ceilDiv(dataLength + 6 * nd, 34);
  if (keyLength > 0) {
    const nk = ceilDiv(keyLength + 6, 232) + 1;
    cells += 9 + ceilDiv(keyLength + 6 * nk, 34);
  }
  return cells;
}

/** Cells used by the user records of a track (every record after R0, which lives in the track's fixed overhead). */
export function trackCellsUsed(records: readonly CkdRecord[]): number {
  let cells = 0;
  for (let i = 1; i < records.length; i++) cells += recordCells3390(records[i]!.key.length, records[i]!.data.length);
  return cells;
}

/** Does a track's record list (R0 first) fit the 3390 track? */
export function trackFits(records: readonly CkdRecord[]): boolean {
  return trackCellsUsed(records) <= CELLS_PER_TRACK_3390;
}

/** The standard R0: key length 0, 8 data bytes of zeros. */
export function standardR0(cc: number, hh: number): CkdRecord {
  return { cc, hh, r: 0, key: new Uint8Array(0), data: new Uint8Array(8) };
}

/**
 * What a CKD device needs of its medium: the geometry and the tracks. A
 * whole volume is one; an extent of a volume (a VM minidisk) is another.
 */
export interface CkdTrackStore {
  readonly geometry: CkdGeometry;
  hasTrack(cc: number, hh: number): boolean;
  track(cc: number, hh: number): readonly CkdRecord[];
  setTrack(cc: number, hh: number, records: CkdRecord[]): void;
}

/**
 * A CKD volume. Tracks never written hold only the standard R0 and are not
 * materialised, so a 3390-3 costs what is written on it.
 */
export class CkdVolume implements CkdTrackStore {
  readonly geometry: CkdGeometry;
  private readonly tracks: (CkdRecord[] | undefined)[];
  /** Set by every change; cleared by whoever saves the volume. */
  dirty = false;

  constructor(geometry: CkdGeometry) {
    this.geometry = geometry;
    this.tracks = new Array<CkdRecord[] | undefined>(geometry.cylinders * geometry.heads);
  }

  get trackCount(): number {
    return this.geometry.cylinders * this.geometry.heads;
  }

  /** Is (cc, hh) a track of this volume? */
  hasTrack(cc: number, hh: number): boolean {
    return cc >= 0 && cc < this.geometry.cylinders && hh >= 0 && hh < this.geometry.heads;
  }

  /** The records of a track, R0 first (read-only view for empty tracks). */
  track(cc: number, hh: number): readonly CkdRecord[] {
    return this.tracks[cc * this.geometry.heads + hh] ?? [standardR0(cc, hh)];
  }

  /** Has the track ever been written (anything other than the standard R0)? */
  isWritten(cc: number, hh: number): boolean {
    return this.tracks[cc * this.geometry.heads + hh] !== undefined;
  }

  /** Replace a track's records (R0 first). */
  setTrack(cc: number, hh: number, records: CkdRecord[]): void {
    this.tracks[cc * this.geometry.heads + hh] = records;
    this.dirty = true;
  }

  /** Tracks that were written, in (cylinder, head) order. */
  *writtenTracks(): Generator<{ cc: number; hh: number; records: readonly CkdRecord[] }> {
    for (let i = 0; i < this.tracks.length; i++) {
      const t = this.tracks[i];
      if (t !== undefined) yield { cc: Math.floor(i / this.geometry.heads), hh: i % this.geometry.heads, records: t };
    }
  }

  /** The volume serial from the VOL1 label (cyl 0 head 0 R3), or null. */
  volser(): string | null {
    const r3 = this.track(0, 0).find((r) => r.r === 3);
    if (r3 === undefined || r3.data.length < 10) return null;
    const vol1 = toEbcdic('VOL1');
    for (let i = 0; i < 4; i++) if (r3.data[i] !== vol1[i]) return null;
    let s = '';
    for (let i = 4; i < 10; i++) {
      const c = r3.data[i]!;
      // Volsers are upper-case letters, digits and national characters.
      s += String.fromCharCode(c >= 0xc1 && c <= 0xc9 ? 65 + c - 0xc1 : c >= 0xd1 && c <= 0xd9 ? 74 + c - 0xd1 : c >= 0xe2 && c <= 0xe9 ? 83 + c - 0xe2 : c >= 0xf0 && c <= 0xf9 ? 48 + c - 0xf0 : 32);
    }
    return s.trimEnd();
  }
}

/**
 * Format a volume as a new IBM volume is initialised (the layout Hercules'
 * `dasdinit` writes): on cylinder 0 head 0, R1 "IPL1" (24 bytes: a wait PSW
 * and a NOP CCW), R2 "IPL2" (144 bytes), R3 "VOL1" (80-byte volume label with
 * the volser, VTOC pointer CCHHR 0000 0001 01 and owner), each keyed with its
 * 4-character EBCDIC name.
 */
export function formatVolume(volume: CkdVolume, volser: string, owner = 'STRACHEY'): void {
  const key = (s: string): Uint8Array => toEbcdic(s);
  const ipl1 = new Uint8Array(24);
  ipl1.set([0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]);
  const vol1 = new Uint8Array(80).fill(0x40);
  vol1.set(toEbcdic('VOL1'), 0);
  vol1.set(toEbcdic(volser.toUpperCase().padEnd(6, ' ').slice(0, 6)), 4);
  vol1.set([0x00, 0x00, 0x00, 0x01, 0x01], 11);
  vol1.set(toEbcdic(owner.toUpperCase().padEnd(14, ' ').slice(0, 14)), 41);
  volume.setTrack(0, 0, [
    standardR0(0, 0),
    { cc: 0, hh: 0, r: 1, key: key('IPL1'), data: ipl1 },
    { cc: 0, hh: 0, r: 2, key: key('IPL2'), data: new Uint8Array(144) },
    { cc: 0, hh: 0, r: 3, key: key('VOL1'), data: vol1 },
  ]);
}

/**
 * An extent of a real volume seen as a smaller volume of its own: a VM
 * minidisk (the seed's example: minidisk 191 on a real 3390 at cylinder 211,
 * 100 cylinders long). Virtual cylinder c is real cylinder origin + c; the
 * count fields are left as the guest wrote them (CP relocates seeks, not
 * record identifiers). Tracks outside the extent do not exist for the guest,
 * so a SEEK beyond it is a command reject and nothing outside is reachable.
 */
export function minidisk(volume: CkdVolume, originCylinder: number, cylinders: number): CkdTrackStore {
  const g = volume.geometry;
  if (!Number.isInteger(originCylinder) || !Number.isInteger(cylinders) || originCylinder < 0 || cylinders < 1 || originCylinder + cylinders > g.cylinders) {
    throw new RangeError(`extent of ${cylinders} cylinders at ${originCylinder} does not fit a ${g.cylinders}-cylinder volume`);
  }
  const geometry: CkdGeometry = { ...g, cylinders };
  const inside = (cc: number, hh: number): boolean => cc >= 0 && cc < cylinders && hh >= 0 && hh < g.heads;
  return {
    geometry,
    hasTrack: inside,
    // A track never written reads as a fresh R0 carrying the guest's own (virtual) cylinder number.
    track: (cc, hh) => (inside(cc, hh) && volume.isWritten(originCylinder + cc, hh) ? volume.track(originCylinder + cc, hh) : [standardR0(cc, hh)]),
    setTrack: (cc, hh, records) => {
      if (inside(cc, hh)) volume.setTrack(originCylinder + cc, hh, records);
    },
  };
}
