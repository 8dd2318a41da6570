/**
 * IBM 3390 count-key-data DASD on a 3990 storage control.
 *
 * Commands (3990 Storage Control Reference, GA32-0099; as Hercules
 * `ckddasd.c` emulates them): SEEK X'07', SEEK CYLINDER X'0B', SEEK HEAD
 * X'1B', RECALIBRATE X'13', SET FILE MASK X'1F', SEARCH ID EQUAL/HIGH/EQUAL
 * OR HIGH X'31'/X'51'/X'71' (status modifier when satisfied, so the channel
 * skips the TIC that loops back), SEARCH HOME ADDRESS EQUAL X'39', READ DATA
 * X'06', READ KEY AND DATA X'0E', READ COUNT X'12', READ R0 X'16', READ HOME
 * ADDRESS X'1A', READ COUNT KEY AND DATA X'1E', READ IPL X'02', WRITE DATA
 * X'05', WRITE COUNT KEY AND DATA X'1D', WRITE R0 X'15', ERASE X'11', SENSE
 * X'04' (32 bytes), SENSE ID X'E4', READ DEVICE CHARACTERISTICS X'64', NOP
 * X'03'. Anything else is a command reject.
 *
 * Timing on the simulated clock, per command:
 * - seek: t(d) = a + b·√d for a move of d cylinders, with b chosen so that a
 *   seek over a third of the volume takes the 3390-1/2's published average
 *   seek of 9.5 ms (IBM 3390 announcement figures, as commonly quoted — not
 *   re-checked against the manual here), a = 2 ms (model choice);
 * - rotation: one revolution is 14.2 ms, twice the 7.1 ms average rotational
 *   delay IBM gives for the 3390's initial models (CERN heritage note on the
 *   3390 platter, CERN-OBJ-IT-012; 4260 rpm); the angular position follows
 *   the simulated time, records sit at their cell offsets on the 1729-cell
 *   track, so sequential reads find the next record under the head and
 *   random ones wait on average half a turn;
 * - transfer: 4.2 MB/s (same announcement figures) for count, key and data.
 * Seeks and rotational waits are disconnected time (rotational position
 * sensing): the channel path is free for other devices until the record
 * comes under the head; only the transfer holds it.
 */
import { type CommandRequest, type CommandResponse, type Device, senseIdBytes } from '../device';
import { CE_DE, DS_STATUS_MODIFIER, DS_UNIT_CHECK, SENSE0_COMMAND_REJECT, SENSE1_FILE_PROTECTED, SENSE1_NO_RECORD_FOUND } from '../status';
import { type DasdImageFormat, type ImageError, loadVolume, saveVolume } from './ckd-image';
import { CELLS_PER_TRACK_3390, type CkdRecord, type CkdTrackStore, CkdVolume, recordCells3390, trackFits } from './ckd-volume';
import { base64ToBytes, bytesToBase64 } from './snapshot-bytes';

/** Timing figures of the 3390 model (microseconds, bytes per microsecond). */
export interface Dasd3390Timing {
  readonly revolutionUs: number;
  /** Seek time for a one-cylinder move, the constant part of the seek curve. */
  readonly seekBaseUs: number;
  /** Average seek (over a third of the volume's cylinders). */
  readonly averageSeekUs: number;
  readonly bytesPerUs: number;
}

/** The 3390-1/2 figures described in the module comment. */
export const DASD_3390_TIMING: Dasd3390Timing = { revolutionUs: 14200, seekBaseUs: 2000, averageSeekUs: 9500, bytesPerUs: 4.2 };

const EMPTY = new Uint8Array(0);

/** Where the device is along the track after the last command: just after the index point / home address, after the count field of record `index`, or after its data area. */
const Area = { Index: 0, Count: 1, Data: 2 } as const;
type Area = (typeof Area)[keyof typeof Area];

/** A 3390 DASD on a 3990 storage control, backed by a `CkdVolume` (see the module comment for commands and timing). */
export class Dasd3390 implements Device {
  readonly deviceType = 0x3390;
  readonly deviceModel: number;
  readonly controlUnitType = 0x3990;
  readonly controlUnitModel = 0xc2;
  /** The medium: a whole volume, or an extent of one (`minidisk`). */
  readonly volume: CkdTrackStore;
  readonly timing: Dasd3390Timing;
  /** Host file the volume came from (for `flush`), and its format. */
  file: string | null = null;
  format: DasdImageFormat = 'strachey';
  /** Counters for reports: seeks, cylinders travelled, microseconds spent seeking and waiting for rotation. */
  readonly stats = { seeks: 0, cylindersMoved: 0, seekUs: 0, rotationUs: 0, transferUs: 0 };

  private cc = 0;
  private hh = 0;
  private armCylinder = 0;
  private index = -1;
  private area: Area = Area.Index;
  /** After a seek or at the start of a channel program the device does not know where it is on the track: the next count is whichever comes under the head. */
  private unoriented = true;
  private indexPasses = 0;
  private fileMask = 0;
  private fileMaskSet = false;
  /**
   * What the previous command established, which the write commands require
   * (3990 reference; Hercules `ckddasd.c`): a SEARCH ID EQUAL that compared
   * equal, a SEARCH HOME ADDRESS EQUAL that compared equal, a WRITE R0/CKD.
   */
  private idEqual = false;
  private haEqual = false;
  private wroteCkd = false;
  private previous = { idEqual: false, haEqual: false, wroteCkd: false };
  private sense = new Uint8Array(32);
  private readonly seekCoefficient: number;

  constructor(volume: CkdTrackStore, timing: Dasd3390Timing = DASD_3390_TIMING) {
    this.volume = volume;
    this.timing = timing;
    this.deviceModel = volume.geometry.modelCode;
    const third = Math.max(1, volume.geometry.cylinders / 3);
    this.seekCoefficient = (timing.averageSeekUs - timing.seekBaseUs) / Math.sqrt(third);
  }

  /** Open a volume image file (Strachey or Hercules format, recognised by its magic). */
  static open(file: string, timing?: Dasd3390Timing): { ok: true; device: Dasd3390 } | { ok: false; error: ImageError } {
    const r = loadVolume(file);
    if (!r.ok) return r;
    const d = new Dasd3390(r.volume, timing);
    d.file = file;
    d.format = r.format;
    return { ok: true, device: d };
  }

  /** Write the volume back to its file (atomically) if anything changed. */
  flush(): void {
    if (this.file !== null && this.volume instanceof CkdVolume && this.volume.dirty) saveVolume(this.file, this.volume, this.format);
  }

  immediate(command: number): boolean {
    return command === 0x03 || command === 0x13;
  }

  startProgram(): void {
    this.fileMask = 0;
    this.fileMaskSet = false;
    this.indexPasses = 0;
    this.index = -1;
    this.area = Area.Index;
    this.unoriented = true;
    this.idEqual = false;
    this.haEqual = false;
    this.wroteCkd = false;
  }

  reset(): void {
    this.startProgram();
    this.sense.fill(0);
  }

  takeSense(): Uint8Array {
    const s = this.sense;
    this.sense = new Uint8Array(32);
    return s;
  }

  /** The mechanism's state (arm, orientation, file mask, sense, counters); the volume is not in it. */
  snapshot(): unknown {
    return {
      cc: this.cc,
      hh: this.hh,
      arm: this.armCylinder,
      index: this.index,
      area: this.area,
      unoriented: this.unoriented,
      indexPasses: this.indexPasses,
      fileMask: this.fileMask,
      fileMaskSet: this.fileMaskSet,
      sense: bytesToBase64(this.sense),
      idEqual: this.idEqual,
      haEqual: this.haEqual,
      wroteCkd: this.wroteCkd,
      previous: { ...this.previous },
      stats: { ...this.stats },
    };
  }

  restore(state: unknown): void {
    const o = state as Record<string, unknown>;
    const num = (k: string): number => Number(o[k]) || 0;
    this.cc = num('cc');
    this.hh = num('hh');
    this.armCylinder = num('arm');
    this.index = Number(o.index ?? -1);
    this.area = num('area') as Area;
    this.unoriented = o.unoriented === true;
    this.indexPasses = num('indexPasses');
    this.fileMask = num('fileMask');
    this.fileMaskSet = o.fileMaskSet === true;
    const sense = base64ToBytes(o.sense);
    this.sense = sense.length === 32 ? sense : new Uint8Array(32);
    this.idEqual = o.idEqual === true;
    this.haEqual = o.haEqual === true;
    this.wroteCkd = o.wroteCkd === true;
    const p = (o.previous ?? {}) as Record<string, unknown>;
    this.previous = { idEqual: p.idEqual === true, haEqual: p.haEqual === true, wroteCkd: p.wroteCkd === true };
    Object.assign(this.stats, o.stats ?? {});
  }

  /** Seek time for a move of `distance` cylinders. */
  seekTimeUs(distance: number): number {
    return distance === 0 ? 0 : this.timing.seekBaseUs + this.seekCoefficient * Math.sqrt(distance);
  }

  execute(req: CommandRequest): CommandResponse {
    const cmd = req.command;
    if (cmd !== 0x04) this.sense.fill(0);
    this.previous = { idEqual: this.idEqual, haEqual: this.haEqual, wroteCkd: this.wroteCkd };
    this.idEqual = false;
    this.haEqual = false;
    this.wroteCkd = false;
    switch (cmd) {
      case 0x03:
        return { status: CE_DE, immediate: true, serviceUs: 0 };
      case 0x13:
        return this.seekTo(0, 0, req, 0, true);
      case 0x07:
      case 0x0b:
      case 0x1b:
        return this.seek(cmd, req);
      case 0x1f:
        return this.setFileMask(req);
      case 0x31:
      case 0x51:
      case 0x71:
        return this.searchId(cmd, req);
      case 0x39:
        return this.searchHomeAddress(req);
      case 0x06:
        return this.readRecord(req, false, false);
      case 0x0e:
        return this.readRecord(req, true, false);
      case 0x1e:
        return this.readRecord(req, true, true);
      case 0x12:
        return this.readCount(req);
      case 0x16:
        return this.readR0(req);
      case 0x1a:
        return this.readHomeAddress(req);
      case 0x02:
        return this.readIpl(req);
      case 0x05:
        return this.writeData(req);
      case 0x1d:
        return this.writeCkd(req, false);
      case 0x15:
        return this.writeCkd(req, true);
      case 0x11:
        return this.erase(req);
      case 0x04: {
        const s = this.sense;
        this.sense = new Uint8Array(32);
        return { status: CE_DE, input: s, serviceUs: 0 };
      }
      case 0xe4:
        return { status: CE_DE, input: senseIdBytes(this, [0x40fa0100]), serviceUs: 0 };
      case 0x64:
        return { status: CE_DE, input: this.deviceCharacteristics(), serviceUs: 0 };
      default:
        return this.reject(0);
    }
  }

  private reject(sense1: number, accepted?: number): CommandResponse {
    this.sense.fill(0);
    this.sense[0] = SENSE0_COMMAND_REJECT;
    this.sense[1] = sense1;
    return accepted === undefined ? { status: CE_DE | DS_UNIT_CHECK, serviceUs: 0 } : { status: CE_DE | DS_UNIT_CHECK, accepted, serviceUs: 0 };
  }

  private transferUs(bytes: number): number {
    const us = bytes / this.timing.bytesPerUs;
    this.stats.transferUs += us;
    return us;
  }

  // ------------------------------------------------------------ positioning

  private seek(cmd: number, req: CommandRequest): CommandResponse {
    const d = req.data ?? EMPTY;
    if (d.length < 6) return this.reject(0, 6);
    const seekControl = (this.fileMask >>> 3) & 3;
    if (seekControl === 3 || (seekControl === 2 && cmd !== 0x1b)) return this.reject(SENSE1_FILE_PROTECTED, 6);
    const bb = (d[0]! << 8) | d[1]!;
    const cc = (d[2]! << 8) | d[3]!;
    const hh = (d[4]! << 8) | d[5]!;
    if (bb !== 0 || !this.volume.hasTrack(cc, hh)) return this.reject(0, 6);
    if (cmd === 0x1b && cc !== this.cc) return this.reject(0, 6);
    return this.seekTo(cc, hh, req, 6, false);
  }

  private seekTo(cc: number, hh: number, _req: CommandRequest, accepted: number, immediate: boolean): CommandResponse {
    const distance = Math.abs(cc - this.armCylinder);
    const us = this.seekTimeUs(distance);
    if (distance > 0) {
      this.stats.seeks++;
      this.stats.cylindersMoved += distance;
      this.stats.seekUs += us;
    }
    this.armCylinder = cc;
    this.cc = cc;
    this.hh = hh;
    this.index = -1;
    this.area = Area.Index;
    this.unoriented = true;
    this.indexPasses = 0;
    // The arm moves without the channel: all of a seek is disconnected time.
    return immediate ? { status: CE_DE, immediate: true, serviceUs: us, disconnectUs: us } : { status: CE_DE, accepted, serviceUs: us, disconnectUs: us };
  }

  private setFileMask(req: CommandRequest): CommandResponse {
    const d = req.data ?? EMPTY;
    if (d.length < 1 || this.fileMaskSet) return this.reject(0, 1);
    // Bits 2 and 5-7 of the mask are reserved (3990 reference, "Set File Mask").
    if ((d[0]! & 0x27) !== 0) return this.reject(0, 1);
    this.fileMask = d[0]!;
    this.fileMaskSet = true;
    return { status: CE_DE, accepted: 1, serviceUs: 0 };
  }

  /** Cell offset of record `i` on the current track (R0 at 0, then each record after the previous). */
  private cellOffset(records: readonly CkdRecord[], i: number): number {
    if (i <= 0) return 0;
    let cells = 10;
    for (let j = 1; j < i && j < records.length; j++) cells += recordCells3390(records[j]!.key.length, records[j]!.data.length);
    return cells;
  }

  /** Microseconds until cell `cell` of the track comes under the head at time `nowUs`. */
  private rotationalWaitUs(cell: number, nowUs: number): number {
    const rev = this.timing.revolutionUs;
    const position = ((nowUs % rev) / rev) * CELLS_PER_TRACK_3390;
    let delta = cell - position;
    if (delta < 0) delta += CELLS_PER_TRACK_3390;
    const us = (delta / CELLS_PER_TRACK_3390) * rev;
    this.stats.rotationUs += us;
    return us;
  }

  /**
   * Advance to the count field of the next record (R0 only straight after
   * the home address when `includeR0`). Returns its index, or -1 when the
   * index point has been passed twice in this command chain (no record found).
   */
  private nextRecord(includeR0: boolean, nowUs: number): { index: number; waitFrom: number } | null {
    const records = this.volume.track(this.cc, this.hh);
    let i = this.index + 1;
    if (this.unoriented) {
      // The first count field at or after the head's angular position.
      this.unoriented = false;
      const rev = this.timing.revolutionUs;
      const position = ((nowUs % rev) / rev) * CELLS_PER_TRACK_3390;
      i = includeR0 ? 0 : 1;
      while (i < records.length && this.cellOffset(records, i) < position) i++;
    }
    if (i === 0 && !includeR0) i = 1;
    if (i >= records.length) {
      this.indexPasses++;
      if (this.indexPasses >= 2) return null;
      i = includeR0 ? 0 : 1;
      if (i >= records.length) {
        this.indexPasses++;
        return null;
      }
    }
    return { index: i, waitFrom: this.cellOffset(records, i) };
  }

  /** No record found: the device stops before taking any search argument (residual = count, as Hercules reports it). */
  private noRecordFound(): CommandResponse {
    this.sense.fill(0);
    this.sense[1] = SENSE1_NO_RECORD_FOUND;
    return { status: CE_DE | DS_UNIT_CHECK, accepted: 0, serviceUs: 2 * this.timing.revolutionUs, disconnectUs: 2 * this.timing.revolutionUs };
  }

  // ------------------------------------------------------------ searches

  private searchId(cmd: number, req: CommandRequest): CommandResponse {
    const d = req.data ?? EMPTY;
    if (d.length < 5) return this.reject(0, 5);
    // Searches see R0 too (only the reads skip it).
    const next = this.nextRecord(true, req.nowUs);
    if (next === null) return this.noRecordFound();
    const records = this.volume.track(this.cc, this.hh);
    const r = records[next.index]!;
    const wait = this.rotationalWaitUs(next.waitFrom, req.nowUs);
    this.index = next.index;
    this.area = Area.Count;
    const have = r.cc * 0x1000000 + r.hh * 0x100 + r.r;
    const want = ((d[0]! << 8) | d[1]!) * 0x1000000 + ((d[2]! << 8) | d[3]!) * 0x100 + d[4]!;
    const ok = cmd === 0x31 ? have === want : cmd === 0x51 ? have > want : have >= want;
    this.idEqual = ok && have === want;
    return { status: ok ? CE_DE | DS_STATUS_MODIFIER : CE_DE, accepted: 5, serviceUs: wait + this.transferUs(8), disconnectUs: wait };
  }

  private searchHomeAddress(req: CommandRequest): CommandResponse {
    const d = req.data ?? EMPTY;
    if (d.length < 4) return this.reject(0, 4);
    const wait = this.rotationalWaitUs(0, req.nowUs);
    this.index = -1;
    this.area = Area.Index;
    this.unoriented = false;
    const ok = ((d[0]! << 8) | d[1]!) === this.cc && ((d[2]! << 8) | d[3]!) === this.hh;
    this.haEqual = ok;
    return { status: ok ? CE_DE | DS_STATUS_MODIFIER : CE_DE, accepted: 4, serviceUs: wait + this.transferUs(5), disconnectUs: wait };
  }

  // ------------------------------------------------------------ reads

  private countField(r: CkdRecord): Uint8Array {
    return Uint8Array.of(r.cc >>> 8, r.cc, r.hh >>> 8, r.hh, r.r, r.key.length, r.data.length >>> 8, r.data.length);
  }

  private readRecord(req: CommandRequest, withKey: boolean, withCount: boolean): CommandResponse {
    let wait = 0;
    const records = this.volume.track(this.cc, this.hh);
    if (withCount || this.area !== Area.Count) {
      const next = this.nextRecord(false, req.nowUs);
      if (next === null) return this.noRecordFound();
      wait = this.rotationalWaitUs(next.waitFrom, req.nowUs);
      this.index = next.index;
    }
    const r = records[this.index]!;
    this.area = Area.Data;
    const parts = [withCount ? this.countField(r) : EMPTY, withKey ? r.key : EMPTY, r.data];
    const out = new Uint8Array(parts[0]!.length + parts[1]!.length + parts[2]!.length);
    out.set(parts[0]!, 0);
    out.set(parts[1]!, parts[0]!.length);
    out.set(parts[2]!, parts[0]!.length + parts[1]!.length);
    return { status: CE_DE, input: out, serviceUs: wait + this.transferUs(out.length + (withCount ? 0 : 8)), disconnectUs: wait };
  }

  private readCount(req: CommandRequest): CommandResponse {
    const next = this.nextRecord(false, req.nowUs);
    if (next === null) return this.noRecordFound();
    const r = this.volume.track(this.cc, this.hh)[next.index]!;
    const wait = this.rotationalWaitUs(next.waitFrom, req.nowUs);
    this.index = next.index;
    this.area = Area.Count;
    return { status: CE_DE, input: this.countField(r), serviceUs: wait + this.transferUs(8), disconnectUs: wait };
  }

  private readR0(req: CommandRequest): CommandResponse {
    const r = this.volume.track(this.cc, this.hh)[0]!;
    const wait = this.rotationalWaitUs(0, req.nowUs);
    this.index = 0;
    this.area = Area.Data;
    this.unoriented = false;
    const out = new Uint8Array(8 + r.key.length + r.data.length);
    out.set(this.countField(r), 0);
    out.set(r.key, 8);
    out.set(r.data, 8 + r.key.length);
    return { status: CE_DE, input: out, serviceUs: wait + this.transferUs(out.length), disconnectUs: wait };
  }

  private readHomeAddress(req: CommandRequest): CommandResponse {
    const wait = this.rotationalWaitUs(0, req.nowUs);
    this.index = -1;
    this.area = Area.Index;
    this.unoriented = false;
    return { status: CE_DE, input: Uint8Array.of(0, this.cc >>> 8, this.cc, this.hh >>> 8, this.hh), serviceUs: wait + this.transferUs(5), disconnectUs: wait };
  }

  private readIpl(req: CommandRequest): CommandResponse {
    const seek = this.seekTo(0, 0, req, 0, true);
    const read = this.readRecord({ ...req, nowUs: req.nowUs + seek.serviceUs }, false, false);
    return { ...read, serviceUs: seek.serviceUs + read.serviceUs, disconnectUs: seek.serviceUs + (read.disconnectUs ?? 0) };
  }

  // ------------------------------------------------------------ writes

  /**
   * File-mask write control (bits 0-1): 11 allows every write, 00 inhibits
   * WRITE R0/HA only, 01 inhibits all writes, 10 inhibits format writes
   * (WRITE CKD, ERASE) but allows update writes.
   */
  private writeAllowed(kind: 'r0' | 'format' | 'update'): boolean {
    const perm = this.fileMask >>> 6;
    if (kind === 'r0') return perm === 3;
    if (kind === 'format') return perm === 3 || perm === 0;
    return perm !== 1;
  }

  private writeData(req: CommandRequest): CommandResponse {
    if (!this.writeAllowed('update')) return this.reject(SENSE1_FILE_PROTECTED);
    // WRITE DATA updates the record a SEARCH ID EQUAL just found.
    if (!this.previous.idEqual || this.area !== Area.Count || this.index < 0) return this.reject(0);
    const records = [...this.volume.track(this.cc, this.hh)];
    const r = records[this.index]!;
    const d = req.data ?? EMPTY;
    const data = new Uint8Array(r.data.length);
    data.set(d.subarray(0, r.data.length));
    records[this.index] = { ...r, data };
    this.volume.setTrack(this.cc, this.hh, records);
    this.area = Area.Data;
    return { status: CE_DE, accepted: r.data.length, serviceUs: this.transferUs(r.data.length) };
  }

  private writeCkd(req: CommandRequest, r0: boolean): CommandResponse {
    if (!this.writeAllowed(r0 ? 'r0' : 'format')) return this.reject(SENSE1_FILE_PROTECTED);
    const d = req.data ?? EMPTY;
    if (d.length < 8) return this.reject(0, 8);
    const kl = d[5]!;
    const dl = (d[6]! << 8) | d[7]!;
    const want = 8 + kl + dl;
    // WRITE R0 follows a SEARCH HOME ADDRESS EQUAL that matched; WRITE CKD a matching SEARCH ID EQUAL or another WRITE R0/CKD.
    const p = this.previous;
    if (r0 ? !p.haEqual : !(p.idEqual || p.wroteCkd) || this.index < 0) return this.reject(0, want);
    const rec: CkdRecord = {
      cc: (d[0]! << 8) | d[1]!,
      hh: (d[2]! << 8) | d[3]!,
      r: d[4]!,
      key: d.slice(8, 8 + kl),
      data: new Uint8Array(dl),
    };
    rec.data.set(d.subarray(8 + kl, 8 + kl + dl));
    const old = this.volume.track(this.cc, this.hh);
    const records = r0 ? [rec] : [...old.slice(0, this.index + 1), rec];
    if (!trackFits(records)) return this.reject(0, want);
    this.volume.setTrack(this.cc, this.hh, records);
    this.index = r0 ? 0 : this.index + 1;
    this.area = Area.Data;
    this.wroteCkd = true;
    return { status: CE_DE, accepted: want, serviceUs: this.transferUs(want) };
  }

  private erase(req: CommandRequest): CommandResponse {
    if (!this.writeAllowed('format')) return this.reject(SENSE1_FILE_PROTECTED);
    const d = req.data ?? EMPTY;
    const want = d.length >= 8 ? 8 + d[5]! + ((d[6]! << 8) | d[7]!) : 8;
    const p = this.previous;
    if (!(p.idEqual || p.wroteCkd) || this.index < 0) return this.reject(0, want);
    const records = this.volume.track(this.cc, this.hh).slice(0, this.index + 1);
    this.volume.setTrack(this.cc, this.hh, records);
    return { status: CE_DE, accepted: want, serviceUs: this.transferUs(want) };
  }

  // ------------------------------------------------------------ characteristics

  /** READ DEVICE CHARACTERISTICS: the 64-byte RDC data of a 3390 on a 3990 (layout as Hercules' `dasdtab.c` builds it). */
  private deviceCharacteristics(): Uint8Array {
    const b = new Uint8Array(64);
    const g = this.volume.geometry;
    const put16 = (o: number, v: number): void => {
      b[o] = v >>> 8;
      b[o + 1] = v;
    };
    put16(0, 0x3990);
    b[2] = 0xc2;
    put16(3, 0x3390);
    b[5] = g.modelCode;
    b[6] = 0xd0;
    b[10] = 0x20;
    const code = g.modelCode === 0x02 ? 0x26 : g.modelCode === 0x06 ? 0x27 : g.modelCode === 0x0a ? 0x24 : 0x32;
    b[11] = code;
    put16(12, g.cylinders);
    put16(14, g.heads);
    b[16] = 224;
    put16(18, g.trackLength);
    put16(20, 1428);
    b[22] = 2;
    b[23] = 34;
    b[24] = 19;
    b[25] = 9;
    b[26] = 6;
    b[27] = 116;
    b[40] = code;
    b[41] = code;
    b[42] = 0x10;
    b[43] = 0x02;
    put16(44, 57326);
    b[47] = 0x01;
    b[48] = 6;
    put16(49, 0x7708);
    b[57] = 0xff;
    return b;
  }
}
