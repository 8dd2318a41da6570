/**
 * A StoragePort view through a translator: what a CPU or the channel
 * subsystem of an LPAR (or a guest) uses so that it sees its own storage from
 * address 0. Every access is translated; accesses that the translator
 * refuses read as zeros and stores are dropped, and are counted, because the
 * callers are required to check `size` first (StoragePort's contract) and
 * the translators used here fault only beyond `size`.
 */
import {
  type AbsoluteAddress,
  Access,
  FRAME_SHIFT,
  SparseStorage,
  type StoragePort,
  type Translator,
  createTranslationStatus,
} from '@strachey/isa-core';

/** Relocation never changes bytes within an aligned 4 KB frame, so multi-byte accesses split there. */
const FRAME = 4096;

/**
 * Up to this many bytes of one frame are copied byte by byte: a CCW fetch
 * (8 bytes) or a sense byte is cheaper as a loop than as `subarray` + `set`,
 * which allocates a view per call.
 */
const SHORT_COPY = 64;

/** A StoragePort whose every address goes through a translator first; see `relocatedStorage`. */
export class RelocatedStorage implements StoragePort {
  readonly machine: StoragePort;
  readonly translator: Translator;
  /** Accesses the translator refused. */
  refused = 0;
  private readonly status = createTranslationStatus();
  private readonly sizeOf: () => number;
  /**
   * The machine when it is exactly a SparseStorage (not a subclass that may
   * redefine its accessors): bulk reads and writes then take the frame's
   * bytes straight from `frameForRead` / `frameForWrite`, which is all its
   * own `readInto` / `writeFrom` do per frame (reference and change bits,
   * copy-on-write and watched frames included).
   */
  private readonly sparse: SparseStorage | null;

  /** `size` may be a function when the view grows and shrinks (block tables). */
  constructor(machine: StoragePort, translator: Translator, size: number | (() => number)) {
    this.machine = machine;
    this.translator = translator;
    this.sizeOf = typeof size === 'number' ? () => size : size;
    this.sparse =
      Object.getPrototypeOf(machine) === SparseStorage.prototype ? (machine as SparseStorage) : null;
  }

  get size(): number {
    return this.sizeOf();
  }

  private map(address: number, access: Access): number {
    const a = this.translator.translate(address >>> 0, access, this.status);
    if (a < 0) this.refused++;
    return a;
  }

  read8(address: AbsoluteAddress): number {
    const a = this.map(address, Access.Read);
    return a < 0 ? 0 : this.machine.read8(a as AbsoluteAddress);
  }

  read16(address: AbsoluteAddress): number {
    if ((address & (FRAME - 1)) > FRAME - 2)
      return (this.read8(address) << 8) | this.read8((address + 1) as AbsoluteAddress);
    const a = this.map(address, Access.Read);
    return a < 0 ? 0 : this.machine.read16(a as AbsoluteAddress);
  }

  read32(address: AbsoluteAddress): number {
    if ((address & (FRAME - 1)) > FRAME - 4) {
      return (this.read16(address) << 16) | this.read16((address + 2) as AbsoluteAddress);
    }
    const a = this.map(address, Access.Read);
    return a < 0 ? 0 : this.machine.read32(a as AbsoluteAddress);
  }

  write8(address: AbsoluteAddress, value: number): void {
    const a = this.map(address, Access.Write);
    if (a >= 0) this.machine.write8(a as AbsoluteAddress, value);
  }

  write16(address: AbsoluteAddress, value: number): void {
    if ((address & (FRAME - 1)) > FRAME - 2) {
      this.write8(address, value >>> 8);
      this.write8((address + 1) as AbsoluteAddress, value);
      return;
    }
    const a = this.map(address, Access.Write);
    if (a >= 0) this.machine.write16(a as AbsoluteAddress, value);
  }

  write32(address: AbsoluteAddress, value: number): void {
    if ((address & (FRAME - 1)) > FRAME - 4) {
      this.write16(address, value >>> 16);
      this.write16((address + 2) as AbsoluteAddress, value);
      return;
    }
    const a = this.map(address, Access.Write);
    if (a >= 0) this.machine.write32(a as AbsoluteAddress, value);
  }

  /** One translation per frame touched, then the frame's bytes in one copy. */
  readInto(address: AbsoluteAddress, target: Uint8Array, offset = 0, length = target.length - offset): void {
    let a = address >>> 0;
    let o = offset;
    let left = length;
    const sparse = this.sparse;
    while (left > 0) {
      const room = FRAME - (a & (FRAME - 1));
      const n = Math.min(left, room);
      const m = this.map(a, Access.Read);
      if (m < 0) target.fill(0, o, o + n);
      // A translator that moved the offset within the frame (none here does) gets the machine's own copy.
      else if (sparse === null || (m & (FRAME - 1)) + n > FRAME)
        this.machine.readInto(m as AbsoluteAddress, target, o, n);
      else {
        const frame = sparse.frameForRead(m >>> FRAME_SHIFT);
        const from = m & (FRAME - 1);
        if (n <= SHORT_COPY) for (let i = 0; i < n; i++) target[o + i] = frame[from + i]!;
        else target.set(frame.subarray(from, from + n), o);
      }
      a = (a + n) >>> 0;
      o += n;
      left -= n;
    }
  }

  /** One translation per frame touched, then the data for that frame in one copy. */
  writeFrom(address: AbsoluteAddress, data: Uint8Array): void {
    let a = address >>> 0;
    let o = 0;
    const sparse = this.sparse;
    while (o < data.length) {
      const room = FRAME - (a & (FRAME - 1));
      const n = Math.min(data.length - o, room);
      const m = this.map(a, Access.Write);
      if (m >= 0) {
        if (sparse === null || (m & (FRAME - 1)) + n > FRAME)
          this.machine.writeFrom(m as AbsoluteAddress, data.subarray(o, o + n));
        else {
          const frame = sparse.frameForWrite(m >>> FRAME_SHIFT);
          const to = m & (FRAME - 1);
          if (n <= SHORT_COPY) for (let i = 0; i < n; i++) frame[to + i] = data[o + i]!;
          else frame.set(data.subarray(o, o + n), to);
        }
      }
      a = (a + n) >>> 0;
      o += n;
    }
  }

  getKey(address: AbsoluteAddress): number {
    const a = this.map(address, Access.Read);
    return a < 0 ? 0 : this.machine.getKey(a as AbsoluteAddress);
  }

  setKey(address: AbsoluteAddress, key: number): void {
    const a = this.map(address, Access.Read);
    if (a >= 0) this.machine.setKey(a as AbsoluteAddress, key);
  }
}

/**
 * The storage an LPAR (or guest) sees: `relocatedStorage(machine, zone)`.
 * `size` defaults to the translator's own `size` (ZoneRelocator, BlockTable);
 * a BlockTable's view follows its size as blocks are added and removed.
 */
export function relocatedStorage(
  machine: StoragePort,
  translator: Translator & { readonly size?: number },
  size?: number,
): StoragePort {
  if (size !== undefined) return new RelocatedStorage(machine, translator, size);
  // A live size: block tables grow and shrink while the LPAR runs.
  if (translator.size !== undefined)
    return new RelocatedStorage(machine, translator, () => translator.size ?? 0);
  return new RelocatedStorage(machine, translator, machine.size);
}
