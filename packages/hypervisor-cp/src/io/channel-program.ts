/**
 * Channel-program translation (VM/370's CCW translation, DMKCCW): a guest
 * builds its channel program with guest absolute addresses; the real channel
 * needs host addresses. On SSCH to a minidisk CP copies the guest's CCWs into
 * its own work area as format-1 CCWs and
 *
 * - translates every data address guest absolute → host, and where a data
 *   area crosses a page boundary describes it with an IDAW list (format-1
 *   IDAWs, 2 KB blocks, POP 15-"Indirect Data Addressing"), because in real CP
 *   consecutive guest pages are not consecutive real frames;
 * - relocates the cylinder of every SEEK, SEARCH ID/HOME ADDRESS argument and
 *   the count field of WRITE CKD / WRITE R0 by the minidisk's start cylinder,
 *   and bounds-checks it against the minidisk's size: a seek outside the
 *   extent becomes a seek the real device rejects (unit check, command
 *   reject), so the guest sees exactly what a too-small real volume shows;
 * - un-relocates cylinders the device returns (READ COUNT, READ R0, READ
 *   CKD, READ HOME ADDRESS) by reading them into a bounce buffer first;
 * - prefixes a SET FILE MASK inhibiting writes for read-only links;
 * - replaces a CCW it cannot translate (CCW or data outside guest storage,
 *   unsupported ECKD commands) by one the real channel answers with the same
 *   architected status: an invalid TIC for a program check, a rejected seek
 *   for a command reject. CP never guesses at status itself.
 *
 * TICs are followed in the guest's program and become TICs in the host copy,
 * so status-modifier skips (SEARCH … TIC *-8) work as on the guest's layout.
 */
import type { GuestStorage } from '../vm/guest-storage';

/** CCW flags (POP 15-"Channel-Command Word"). */
export const CCW = { CD: 0x80, CC: 0x40, SLI: 0x20, SKIP: 0x10, PCI: 0x08, IDA: 0x04, S: 0x02 } as const;

/** A minidisk as the translator needs it. */
export interface MinidiskExtent {
  readonly startCylinder: number;
  readonly cylinders: number;
  readonly readOnly: boolean;
}

/** Where the translated program lives in CP's work area, and how to read results back. */
export interface TranslatedProgram {
  /** Host address of the first host CCW. */
  readonly hostStart: number;
  /** Host CCW address → guest CCW address (for the SCSW CCW address the guest sees). */
  readonly hostToGuest: ReadonlyMap<number, number>;
  /** Input the device returns with real cylinders: copied back to the guest, cylinder un-relocated, after completion. */
  readonly bounces: readonly Bounce[];
  /** Guest CCWs copied. */
  readonly ccws: number;
  /** IDAWs built for page-crossing data areas. */
  readonly idaws: number;
}

interface Bounce {
  readonly hostCcw: number;
  readonly host: number;
  readonly guest: readonly Segment[];
  readonly length: number;
  readonly cylinderOffset: number;
}

/** A piece of guest absolute storage. */
interface Segment {
  readonly address: number;
  readonly length: number;
}

const MAX_CCWS = 200;
/** Format-1 IDAWs address 2 KB blocks. */
const IDAW_BLOCK = 2048;
/** A cylinder no 3390 has (the largest is 65520 cylinders), so a seek there is rejected by the device. */
const NO_CYLINDER = 0xffff;

const SEEKS = new Set([0x07, 0x0b, 0x1b]);
const SEARCH_ID = new Set([0x31, 0x51, 0x71, 0xb1, 0xd1, 0xf1]);
const SEARCH_HA = new Set([0x39, 0xb9]);
const WRITE_COUNT = new Set([0x1d, 0x15, 0x01]);
const READ_COUNT = new Set([0x12, 0x92, 0x16, 0x96, 0x1e, 0x9e]);
const READ_HA = new Set([0x1a, 0x9a]);
/** Commands CP does not let a guest issue to a minidisk: they address tracks without a relocatable seek. */
const REJECTED = new Set([0x02, 0x63, 0x47, 0x4b, 0xde, 0x5e, 0x19, 0x11]);

/**
 * Translate the guest channel program at guest absolute `ccwAddress` into
 * CP's area [area, area + areaSize) of host storage (a translator of its own;
 * CP keeps one per work area, `ChannelProgramTranslator`).
 */
export function translateChannelProgram(
  guest: GuestStorage,
  ccwAddress: number,
  format1: boolean,
  mdisk: MinidiskExtent,
  area: number,
  areaSize: number,
): TranslatedProgram {
  return new ChannelProgramTranslator().translate(guest, ccwAddress, format1, mdisk, area, areaSize);
}

/** Where a data area's host copy goes: a direct address, or an IDAW list (`ida`). */
const NO_DATA = -1;

/**
 * The translator of one CP work area. A work area holds one program at a
 * time, so its translation state (the CCW maps, the TIC and pending lists,
 * the bounce list, scratch bytes) is reused by every SSCH that gets the area
 * instead of being built anew: translation is on the path of every guest
 * SSCH to a minidisk. The program it describes stays valid until the next
 * `translate`.
 */
export class ChannelProgramTranslator implements TranslatedProgram {
  hostStart = 0;
  readonly hostToGuest = new Map<number, number>();
  readonly bounces: Bounce[] = [];
  ccws = 0;
  idaws = 0;

  private readonly guestToHost = new Map<number, number>();
  private readonly pending: number[] = [];
  private readonly ticHost: number[] = [];
  private readonly ticTarget: number[] = [];
  private readonly buf = new Uint8Array(8);
  /** Output arguments (seeks, searches, counts) are copied through here when they fit. */
  private readonly scratch = new Uint8Array(256);
  /** Guest data segments of the CCW being translated (IDAW lists), reused. */
  private segAddress: number[] = [];
  private segLength: number[] = [];
  private segCount = 0;
  /** IDA flag of the last `hostData` result. */
  private ida = false;
  private guest: GuestStorage | null = null;
  private area = 0;
  private ccwNext = 0;
  private dataNext = 0;
  private dataLimit = 0;

  translate(
    guest: GuestStorage,
    ccwAddress: number,
    format1: boolean,
    mdisk: MinidiskExtent,
    area: number,
    areaSize: number,
  ): TranslatedProgram {
    const host = guest.host;
    this.guest = guest;
    this.area = area;
    const ccwLimit = area + Math.min(MAX_CCWS * 8, areaSize >>> 1);
    this.ccwNext = area;
    this.dataNext = area + Math.min(MAX_CCWS * 8, areaSize >>> 1);
    this.dataLimit = area + areaSize;
    this.hostStart = area;
    this.hostToGuest.clear();
    this.guestToHost.clear();
    this.bounces.length = 0;
    this.ccws = 0;
    this.idaws = 0;
    const guestToHost = this.guestToHost;
    const buf = this.buf;

    // A SENSE first in the program must get the sense bytes of the previous program: no SET FILE MASK before it.
    const firstCommand = guest.inside(ccwAddress, 1) ? guest.read8(ccwAddress) : 0;
    if (mdisk.readOnly && firstCommand !== 0x04 && firstCommand !== 0xe4) {
      const mask = this.allocData(1);
      if (mask >= 0) {
        host.write8(mask as never, 0x40);
        this.emit(0x1f, CCW.CC, 1, mask, -1);
      }
    }

    const pending = this.pending;
    pending.length = 0;
    pending.push(ccwAddress);
    this.ticHost.length = 0;
    this.ticTarget.length = 0;
    for (let next = 0; next < pending.length; next++) {
      let g = pending[next]!;
      if (guestToHost.has(g)) continue;
      let prevChained = false;
      for (;;) {
        if (this.ccws >= MAX_CCWS || this.ccwNext + 16 > ccwLimit) {
          this.programCheck(g);
          break;
        }
        const existing = guestToHost.get(g);
        if (existing !== undefined) {
          // The run reached CCWs already copied: continue there.
          this.emit(0x08, 0, 0, existing, -1);
          break;
        }
        if ((g & 7) !== 0 || !guest.inside(g, 8)) {
          guestToHost.set(g, this.ccwNext);
          this.programCheck(g);
          break;
        }
        guest.readBytes(g, buf);
        this.ccws++;
        let cmd: number;
        let flags: number;
        let count: number;
        let address: number;
        if (format1) {
          cmd = buf[0]!;
          flags = buf[1]!;
          count = (buf[2]! << 8) | buf[3]!;
          address = ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
        } else {
          cmd = buf[0]!;
          address = (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!;
          flags = buf[4]!;
          count = (buf[6]! << 8) | buf[7]!;
        }
        const hostAt = this.ccwNext;
        guestToHost.set(g, hostAt);
        const isTic = format1 ? cmd === 0x08 : (cmd & 0x0f) === 0x08;
        if (isTic) {
          if (format1 && (flags !== 0 || count !== 0)) {
            this.programCheck(g);
            break;
          }
          this.emit(0x08, 0, 0, 0, g);
          this.ticHost.push(hostAt);
          this.ticTarget.push(address & 0x7fffffff);
          pending.push(address & 0x7fffffff);
          // The CCW after a TIC is reached only by a status-modifier skip of the CCW before it.
          if (!prevChained) break;
          g += 8;
          prevChained = false;
          continue;
        }
        const chained = (flags & (CCW.CC | CCW.CD)) !== 0;
        const outFlags = flags & (CCW.CD | CCW.CC | CCW.SLI | CCW.SKIP | CCW.PCI);
        if (REJECTED.has(cmd)) {
          this.commandReject(g, outFlags);
        } else if (cmd === 0x13) {
          // RECALIBRATE goes to cylinder 0 of the real volume: seek to the minidisk's cylinder 0 instead.
          const arg = this.allocData(6);
          if (arg < 0) this.programCheck(g);
          else {
            host.write16(arg as never, 0);
            host.write16((arg + 2) as never, mdisk.startCylinder);
            host.write16((arg + 4) as never, 0);
            this.emit(0x07, outFlags & ~(CCW.CD | CCW.SKIP), 6, arg, g);
          }
        } else if (count === 0 || commandKindIsImmediate(cmd)) {
          this.emit(cmd, outFlags, count, 0, g);
        } else {
          if (!this.dataSegments(flags, count, address)) {
            this.programCheck(g);
            break;
          }
          const ccOffset = SEEKS.has(cmd)
            ? 2
            : SEARCH_ID.has(cmd) || SEARCH_HA.has(cmd) || WRITE_COUNT.has(cmd)
              ? 0
              : -1;
          if (ccOffset >= 0 && count >= ccOffset + 2) {
            // Output argument with a cylinder: copy, relocate, bounds-check.
            const bytes =
              count <= this.scratch.length ? this.scratch.subarray(0, count) : new Uint8Array(count);
            this.gather(bytes);
            const cyl = (bytes[ccOffset]! << 8) | bytes[ccOffset + 1]!;
            const badBin = SEEKS.has(cmd) && ((bytes[0]! << 8) | bytes[1]!) !== 0;
            const real = cyl >= mdisk.cylinders || badBin ? NO_CYLINDER : cyl + mdisk.startCylinder;
            bytes[ccOffset] = real >>> 8;
            bytes[ccOffset + 1] = real & 0xff;
            const arg = this.allocData(count);
            if (arg < 0) {
              this.programCheck(g);
              break;
            }
            host.writeFrom(arg as never, bytes);
            this.emit(cmd, outFlags, count, arg, g);
          } else {
            const inOffset = READ_COUNT.has(cmd) ? 0 : READ_HA.has(cmd) ? 1 : -1;
            if (inOffset >= 0 && count >= inOffset + 2) {
              const buffer = this.allocData(count);
              if (buffer < 0) {
                this.programCheck(g);
                break;
              }
              const at = this.emit(cmd, outFlags, count, buffer, g);
              const segs: Segment[] = [];
              for (let i = 0; i < this.segCount; i++)
                segs.push({ address: this.segAddress[i]!, length: this.segLength[i]! });
              this.bounces.push({
                hostCcw: at,
                host: buffer,
                guest: segs,
                length: count,
                cylinderOffset: inOffset,
              });
            } else {
              const h = this.hostData();
              if (h === NO_DATA) {
                this.programCheck(g);
                break;
              }
              this.emit(cmd, outFlags | (this.ida ? CCW.IDA : 0), count, h, g);
            }
          }
        }
        if (!chained) break;
        prevChained = (flags & CCW.CC) !== 0;
        g += 8;
      }
    }
    // Resolve TIC targets to the host copies.
    for (let i = 0; i < this.ticHost.length; i++) {
      const target = guestToHost.get(this.ticTarget[i]!);
      host.write32((this.ticHost[i]! + 4) as never, target ?? area);
    }
    this.guest = null;
    return this;
  }

  private emit(cmd: number, flags: number, count: number, address: number, guestAddr: number): number {
    const at = this.ccwNext;
    this.ccwNext += 8;
    const host = this.guest!.host;
    host.write32(at as never, ((cmd & 0xff) << 24) | ((flags & 0xff) << 16) | (count & 0xffff));
    host.write32((at + 4) as never, address >>> 0);
    if (guestAddr >= 0) this.hostToGuest.set(at, guestAddr);
    return at;
  }

  private allocData(n: number): number {
    const at = (this.dataNext + 7) & ~7;
    if (at + n > this.dataLimit) return -1;
    this.dataNext = at + n;
    return at;
  }

  /** A CCW the real channel rejects with a program check: a format-1 TIC with a non-zero count. */
  private programCheck(guestAddr: number): void {
    this.emit(0x08, 0, 1, this.area, guestAddr);
  }

  /** A seek to a cylinder no volume has: the device answers unit check, command reject. */
  private commandReject(guestAddr: number, flags: number): void {
    const arg = this.allocData(6);
    if (arg < 0) {
      this.programCheck(guestAddr);
      return;
    }
    const host = this.guest!.host;
    host.write16(arg as never, 0);
    host.write16((arg + 2) as never, NO_CYLINDER);
    host.write16((arg + 4) as never, 0);
    this.emit(0x07, flags & ~(CCW.CD | CCW.IDA | CCW.S), 6, arg, guestAddr);
  }

  /** The guest data area of a CCW as segments of guest absolute storage; false if any byte is outside it. */
  private dataSegments(flags: number, count: number, address: number): boolean {
    const guest = this.guest!;
    this.segCount = 0;
    if ((flags & CCW.IDA) === 0) {
      if (!guest.inside(address, count)) return false;
      this.segment(address, count);
      return true;
    }
    // Guest IDAWs: the first may start anywhere, the rest on 2 KB boundaries.
    let left = count;
    let idaw = address;
    let first = true;
    while (left > 0) {
      if (!guest.inside(idaw, 4) || (idaw & 3) !== 0) return false;
      const a = guest.read32(idaw) >>> 0;
      if ((a & 0x80000000) !== 0 || (!first && (a & (IDAW_BLOCK - 1)) !== 0)) return false;
      const n = Math.min(left, IDAW_BLOCK - (a & (IDAW_BLOCK - 1)));
      if (!guest.inside(a, n)) return false;
      this.segment(a, n);
      left -= n;
      idaw += 4;
      first = false;
    }
    return true;
  }

  private segment(address: number, length: number): void {
    this.segAddress[this.segCount] = address;
    this.segLength[this.segCount] = length;
    this.segCount++;
  }

  /** The first `out.length` bytes of the current segments. */
  private gather(out: Uint8Array): void {
    const guest = this.guest!;
    let o = 0;
    for (let i = 0; i < this.segCount && o < out.length; i++) {
      const part = out.subarray(o, o + Math.min(this.segLength[i]!, out.length - o));
      guest.readBytes(this.segAddress[i]!, part);
      o += part.length;
    }
  }

  /** Host address (direct, or of an IDAW list: sets `ida`) of the current segments, or NO_DATA. */
  private hostData(): number {
    const guest = this.guest!;
    const origin = guest.origin;
    this.ida = false;
    if (this.segCount === 0) return origin;
    const firstAddress = this.segAddress[0]!;
    let total = 0;
    let blocks = 0;
    for (let i = 0; i < this.segCount; i++) {
      const len = this.segLength[i]!;
      total += len;
      let a = this.segAddress[i]!;
      let left = len;
      while (left > 0) {
        const n = Math.min(left, IDAW_BLOCK - (a & (IDAW_BLOCK - 1)));
        blocks++;
        a += n;
        left -= n;
      }
    }
    if (blocks === 0) return origin + firstAddress;
    const crossesPage = this.segCount > 1 || (firstAddress & 0xfff) + total > 0x1000;
    if (!crossesPage) return origin + firstAddress;
    const list = this.allocData(blocks * 4);
    if (list < 0) return NO_DATA;
    const host = guest.host;
    let at = list;
    for (let i = 0; i < this.segCount; i++) {
      let a = this.segAddress[i]!;
      let left = this.segLength[i]!;
      while (left > 0) {
        const n = Math.min(left, IDAW_BLOCK - (a & (IDAW_BLOCK - 1)));
        host.write32(at as never, origin + a);
        at += 4;
        a += n;
        left -= n;
      }
    }
    this.idaws += blocks;
    this.ida = true;
    return list;
  }
}

/** Control commands without data (NOP, RECALIBRATE handled apart, device reserve/release take data). */
function commandKindIsImmediate(cmd: number): boolean {
  return cmd === 0x03;
}

/**
 * After completion: copy bounce buffers back to the guest with cylinders
 * un-relocated. `lastHostCcw` is the CCW the SCSW names, `residual` its
 * residual count: CCWs before it transferred fully, it transferred
 * count - residual bytes, later ones nothing.
 */
export function completeBounces(
  guest: GuestStorage,
  program: TranslatedProgram,
  startCylinder: number,
  lastHostCcw: number,
  residual: number,
): void {
  for (const b of program.bounces) {
    if (b.hostCcw > lastHostCcw) continue;
    const n = b.hostCcw === lastHostCcw ? Math.max(0, b.length - residual) : b.length;
    if (n === 0) continue;
    const bytes = new Uint8Array(n);
    guest.host.readInto(b.host as never, bytes);
    if (n >= b.cylinderOffset + 2) {
      const cyl = (bytes[b.cylinderOffset]! << 8) | bytes[b.cylinderOffset + 1]!;
      const v = Math.max(0, cyl - startCylinder);
      bytes[b.cylinderOffset] = v >>> 8;
      bytes[b.cylinderOffset + 1] = v & 0xff;
    }
    let o = 0;
    for (const s of b.guest) {
      if (o >= n) break;
      const part = bytes.subarray(o, o + Math.min(s.length, n - o));
      guest.writeBytes(s.address, part);
      o += part.length;
    }
  }
}
