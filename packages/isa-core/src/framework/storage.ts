import type { AbsoluteAddress } from './addresses';

/** Size of a storage frame (and of the storage-key block) in bytes. */
export const FRAME_SIZE = 4096;
export const FRAME_SHIFT = 12;

/**
 * Bits of a storage key as ISKE/ISK return it (Principles of Operation,
 * "Storage Key"): access-control bits ACC (4), fetch-protection F, reference R,
 * change C, one unused bit.
 */
export const KEY_ACC = 0xf0;
export const KEY_FETCH = 0x08;
export const KEY_REF = 0x04;
export const KEY_CHANGE = 0x02;

/**
 * The storage port: absolute main storage with one storage key per 4 KB frame.
 * This is what a CPU, a channel subsystem or a hypervisor reads and writes.
 * Implementations decide where the bytes live (a sparse frame array, a window
 * into a larger machine's storage through a zone relocator, ...).
 *
 * Multi-byte accessors are big-endian, as the architecture defines. Callers
 * check `size` (addressing exception) before they call; accessors do not
 * check bounds beyond what the backing store needs for safety.
 */
export interface StoragePort {
  /** Configured size in bytes; absolute addresses at or above it are not installed. */
  readonly size: number;
  read8(address: AbsoluteAddress): number;
  read16(address: AbsoluteAddress): number;
  /** Signed 32-bit result (`| 0`); use `>>> 0` for the unsigned value. */
  read32(address: AbsoluteAddress): number;
  write8(address: AbsoluteAddress, value: number): void;
  write16(address: AbsoluteAddress, value: number): void;
  write32(address: AbsoluteAddress, value: number): void;
  /** Copy `length` bytes starting at `address` into `target` at `offset`. */
  readInto(address: AbsoluteAddress, target: Uint8Array, offset?: number, length?: number): void;
  /** Copy `data` to storage starting at `address`. */
  writeFrom(address: AbsoluteAddress, data: Uint8Array): void;
  /** The storage key of the frame holding `address` (ACC, F, R, C bits). */
  getKey(address: AbsoluteAddress): number;
  setKey(address: AbsoluteAddress, key: number): void;
}

/** Longest in-frame copy `readInto`/`writeFrom` do in a loop rather than through a `subarray` view. */
const SHORT_COPY = 64;

/** Returned for frames never written: reads see zeros without allocating. */
const ZERO_FRAME = new Uint8Array(FRAME_SIZE);

/**
 * Sparse main storage: 4 KB frames allocated on first store, so a 2 GB guest
 * costs what it touches. The frame table grows to the highest frame mapped,
 * so the host's cost, collector work included, follows the storage touched
 * rather than the size configured.
 * Storage keys live beside the frames in a byte array (one byte per frame,
 * outside the collected heap). Every store sets the change bit and every
 * access the reference bit, as the architecture does for storage-key
 * maintenance.
 *
 * The fast path for CPUs is `frameForRead()` / `frameForWrite()`, which
 * hand out the frame's Uint8Array for direct indexing.
 */
export class SparseStorage implements StoragePort {
  readonly size: number;
  readonly frameCount: number;
  /**
   * Frames by frame number, allocated on first store (undefined where none).
   * The array is only as long as the highest frame ever mapped: building a
   * 4 GB storage costs nothing here, and the collector scans (and keeps in
   * its remembered sets) as many slots as the machine has used, not the
   * 1,048,576 a dense table of 4 GB had. Exposed read-only for snapshots,
   * counters and compiled blocks; never write it, and read past its length
   * as undefined.
   */
  readonly frames: (Uint8Array | undefined)[] = [];
  /**
   * One storage key per frame. A typed array holds no references, so its
   * length costs the collector nothing (1 MB of keys for 4 GB, and the
   * host's zero pages until written).
   */
  readonly keys: Uint8Array;
  private allocated = 0;
  /** Called with the frame index whenever a store hits a frame marked in `watched` (decoded-code invalidation). */
  onWatchedWrite: ((frame: number) => void) | null = null;
  /** Frames whose stores must call `onWatchedWrite` (e.g. frames holding decoded instructions). */
  readonly watched: Uint8Array;
  /**
   * Shared frames (saved systems, VM/370's shared segments): 1 where the
   * frame's Uint8Array is the same object as other frames' (`shareFrame`).
   * Such a frame is also `watched`, so every store path (the CPU's
   * accessors, compiled blocks, SS and long instructions, channel I/O) ends
   * in `frameForWrite`, which gives the frame a private copy first.
   */
  readonly shared: Uint8Array;
  /**
   * Called after a store made a shared frame private (copy-on-write), with
   * the frame index. Whoever caches a frame's bytes by identity (a CPU's
   * instruction-fetch frame) must drop that cache: the frame's array changed.
   */
  onFrameCopied: ((frame: number) => void) | null = null;
  private sharedCount = 0;
  private copies = 0;

  constructor(size: number) {
    if (!Number.isInteger(size) || size <= 0 || size % FRAME_SIZE !== 0 || size > 0x100000000) {
      throw new RangeError(`storage size must be a positive multiple of 4096 up to 4 GB, got ${size}`);
    }
    this.size = size;
    // Not `size >>> FRAME_SHIFT`: 4 GB (2^32) wraps to 0 in uint32, which left a
    // 4 GB storage without keys or watch flags, every store on the slow path.
    this.frameCount = size / FRAME_SIZE;
    // One allocation for the three byte tables.
    const bytes = new Uint8Array(3 * this.frameCount);
    this.keys = bytes.subarray(0, this.frameCount);
    this.watched = bytes.subarray(this.frameCount, 2 * this.frameCount);
    this.shared = bytes.subarray(2 * this.frameCount);
  }

  /** The bytes of frame `frame` if it holds any (allocated or shared), without touching its key. */
  frameAt(frame: number): Uint8Array | undefined {
    return this.frames[frame];
  }

  /** Call `visit` for every frame holding bytes (allocated or shared), in frame order. */
  forEachFrame(visit: (bytes: Uint8Array, frame: number) => void): void {
    const frames = this.frames;
    for (let f = 0; f < frames.length; f++) {
      const b = frames[f];
      if (b !== undefined) visit(b, f);
    }
  }

  /**
   * Map `bytes` at frame `frame` (in range, holding none), growing the
   * table to it with undefined slots, never holes: a hole far past the end
   * would turn V8's array into a dictionary, and every lookup slow.
   */
  private mapFrame(frame: number, bytes: Uint8Array): void {
    const frames = this.frames;
    while (frames.length < frame) frames.push(undefined);
    frames[frame] = bytes;
  }

  /** Frames currently mapped shared (`shareFrame`), not counted in `allocatedFrames`. */
  get sharedFrames(): number {
    return this.sharedCount;
  }

  /** Private copies made so far by stores into shared frames. */
  get copiesOnWrite(): number {
    return this.copies;
  }

  /**
   * Map `bytes` (a frame's array, typically one held by another frame of
   * this storage) at frame `frame`, shared: reads see `bytes`; the first
   * store into the frame gives it a private copy (copy-on-write) and calls
   * `onFrameCopied`. This is how a saved system's pages (VM/370 NSS) are the
   * same host memory in every virtual machine that IPLs it. Whatever the
   * frame held before is dropped. The storage key is left alone.
   */
  shareFrame(frame: number, bytes: Uint8Array): void {
    if (bytes.length !== FRAME_SIZE)
      throw new RangeError(`a shared frame is ${FRAME_SIZE} bytes, got ${bytes.length}`);
    this.dropFrame(frame);
    this.mapFrame(frame, bytes);
    this.shared[frame] = 1;
    this.watched[frame] = 1;
    this.sharedCount++;
  }

  /**
   * Forget a frame: unmap it if shared, release it if allocated; it reads as
   * zeros again. (LOGOFF uses this so a shared frame is never scrubbed in
   * place for everybody.)
   */
  dropFrame(frame: number): void {
    if (this.frames[frame] === undefined) return;
    if (this.shared[frame] !== 0) {
      this.shared[frame] = 0;
      this.sharedCount--;
    } else this.allocated--;
    this.frames[frame] = undefined;
  }

  /** Number of frames that have been allocated (bytes in use = allocatedFrames × 4096). */
  get allocatedFrames(): number {
    return this.allocated;
  }

  /** The frame for reading; an untouched frame reads as zeros and stays unallocated. */
  frameForRead(frame: number): Uint8Array {
    this.keys[frame]! |= KEY_REF;
    return this.frames[frame] ?? ZERO_FRAME;
  }

  /** The frame for writing; allocates on first store and sets reference and change bits. */
  frameForWrite(frame: number): Uint8Array {
    this.keys[frame]! |= KEY_REF | KEY_CHANGE;
    // `=== 1`, not `!== 0`: past the last frame the flags read undefined, and such a store must reach allocateFrame's check.
    if (this.watched[frame] === 1) {
      if (this.shared[frame] === 1) this.copyOnWrite(frame);
      if (this.onWatchedWrite !== null) this.onWatchedWrite(frame);
    }
    const f = this.frames[frame];
    if (f !== undefined) return f;
    return this.allocateFrame(frame);
  }

  /** The first store into a frame. */
  private allocateFrame(frame: number): Uint8Array {
    if (!(frame >= 0 && frame < this.frameCount)) {
      throw new RangeError(
        `frame ${frame} is outside ${this.frameCount} frames of storage (callers check the size first)`,
      );
    }
    const f = new Uint8Array(FRAME_SIZE);
    this.mapFrame(frame, f);
    this.allocated++;
    return f;
  }

  /** The first store into a shared frame: the writer gets its own copy, every other mapping keeps the original. */
  private copyOnWrite(frame: number): void {
    this.frames[frame] = this.frames[frame]!.slice();
    this.shared[frame] = 0;
    this.sharedCount--;
    this.allocated++;
    this.copies++;
    if (this.onFrameCopied !== null) this.onFrameCopied(frame);
  }

  read8(address: AbsoluteAddress): number {
    return this.frameForRead(address >>> FRAME_SHIFT)[address & 0xfff]!;
  }

  read16(address: AbsoluteAddress): number {
    const o = address & 0xfff;
    if (o <= FRAME_SIZE - 2) {
      const f = this.frameForRead(address >>> FRAME_SHIFT);
      return (f[o]! << 8) | f[o + 1]!;
    }
    return (this.read8(address) << 8) | this.read8(((address + 1) >>> 0) as AbsoluteAddress);
  }

  read32(address: AbsoluteAddress): number {
    const o = address & 0xfff;
    if (o <= FRAME_SIZE - 4) {
      const f = this.frameForRead(address >>> FRAME_SHIFT);
      return (f[o]! << 24) | (f[o + 1]! << 16) | (f[o + 2]! << 8) | f[o + 3]!;
    }
    return (this.read16(address) << 16) | this.read16(((address + 2) >>> 0) as AbsoluteAddress);
  }

  write8(address: AbsoluteAddress, value: number): void {
    this.frameForWrite(address >>> FRAME_SHIFT)[address & 0xfff] = value;
  }

  write16(address: AbsoluteAddress, value: number): void {
    this.write8(address, value >>> 8);
    this.write8(((address + 1) >>> 0) as AbsoluteAddress, value);
  }

  write32(address: AbsoluteAddress, value: number): void {
    const o = address & 0xfff;
    if (o <= FRAME_SIZE - 4) {
      const f = this.frameForWrite(address >>> FRAME_SHIFT);
      f[o] = value >>> 24;
      f[o + 1] = value >>> 16;
      f[o + 2] = value >>> 8;
      f[o + 3] = value;
      return;
    }
    this.write16(address, value >>> 16);
    this.write16(((address + 2) >>> 0) as AbsoluteAddress, value);
  }

  /**
   * Copies of up to `SHORT_COPY` bytes within a frame go byte by byte: a
   * CCW fetch (8 bytes) or a short record would otherwise allocate a
   * `subarray` view per call. `target` is assumed not to overlap the frames
   * read (it never does: callers pass their own buffers).
   */
  readInto(address: AbsoluteAddress, target: Uint8Array, offset = 0, length = target.length - offset): void {
    let a = address >>> 0;
    let o = offset;
    let left = length;
    while (left > 0) {
      const inFrame = Math.min(left, FRAME_SIZE - (a & 0xfff));
      const f = this.frameForRead(a >>> FRAME_SHIFT);
      const s = a & 0xfff;
      // Past the target's end the bulk path throws a RangeError, as it always did; the loop would drop bytes.
      if (inFrame <= SHORT_COPY && o >= 0 && o + inFrame <= target.length) {
        for (let i = 0; i < inFrame; i++) target[o + i] = f[s + i]!;
      } else target.set(f.subarray(s, s + inFrame), o);
      a = (a + inFrame) >>> 0;
      o += inFrame;
      left -= inFrame;
    }
  }

  writeFrom(address: AbsoluteAddress, data: Uint8Array): void {
    let a = address >>> 0;
    let o = 0;
    while (o < data.length) {
      const inFrame = Math.min(data.length - o, FRAME_SIZE - (a & 0xfff));
      const f = this.frameForWrite(a >>> FRAME_SHIFT);
      const d = a & 0xfff;
      if (inFrame <= SHORT_COPY) {
        for (let i = 0; i < inFrame; i++) f[d + i] = data[o + i]!;
      } else f.set(data.subarray(o, o + inFrame), d);
      a = (a + inFrame) >>> 0;
      o += inFrame;
    }
  }

  getKey(address: AbsoluteAddress): number {
    return this.keys[address >>> FRAME_SHIFT]!;
  }

  setKey(address: AbsoluteAddress, key: number): void {
    this.keys[address >>> FRAME_SHIFT] = key & 0xfe;
  }

  /** Release every frame and reset every key (system reset clear). */
  clear(): void {
    this.frames.length = 0;
    this.keys.fill(0);
    this.shared.fill(0);
    this.allocated = 0;
    this.sharedCount = 0;
  }
}
