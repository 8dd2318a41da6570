/**
 * PR/SM block-table relocation, as the seed describes it for the Intelligent
 * Resource Director's dynamic storage: machine storage is divided into
 * 64 MB blocks; a per-LPAR block table (kept in the HSA, designated by a
 * block-table address register instead of the zone-origin register) maps
 * the LPAR's contiguous real address space onto non-adjacent blocks. The low
 * 26 bits of an LPAR address are the offset within the block, the upper bits
 * index the block table. Every block of the LPAR has an entry, so there is
 * no fault mechanism: addresses beyond the LPAR's blocks take an addressing
 * exception, nothing else.
 *
 * Naming: the seed calls the blocks "logical memory blocks" (LMB). In IBM's
 * documentation LMB is the PowerVM/POWER term; PR/SM documents speak of
 * storage increments. Strachey keeps the seed's concept and says so.
 */
import type { Access, Translator, TranslationStatus } from '@strachey/isa-core';
import { addressingFault } from './table-walker';

/** Block size: 64 MB, 2^26 bytes. */
export const BLOCK_SHIFT = 26;
/** Bytes per block (64 MB). */
export const BLOCK_SIZE = 1 << BLOCK_SHIFT;
const OFFSET_MASK = BLOCK_SIZE - 1;
/** A 31-bit real address space holds at most 32 blocks of 64 MB. */
export const MAX_BLOCKS_PER_LPAR = 32;

/** Why a block-table change was refused. */
export interface BlockTableError {
  readonly ok: false;
  readonly code: 'BLOCK_MISALIGNED' | 'BLOCK_TABLE_FULL' | 'BLOCK_TABLE_EMPTY' | 'BLOCK_IN_USE' | 'BLOCK_OUTSIDE_STORAGE';
  readonly message: string;
}
/** Result of a block-table change: the block's machine origin, or why it was refused. */
export type BlockTableResult = { readonly ok: true; readonly origin: number } | BlockTableError;

/**
 * The machine's 64 MB blocks and who owns each: the allocator PR/SM uses so
 * that no block is ever in two LPARs' tables.
 */
export class BlockPool {
  readonly blocks: number;
  /** Owner id + 1 per block (0 = free). */
  private readonly owner: Int32Array;

  constructor(machineStorageSize: number) {
    this.blocks = Math.floor(machineStorageSize / BLOCK_SIZE);
    this.owner = new Int32Array(this.blocks);
  }

  /** Take the lowest free block for `ownerId`; its machine origin, or -1 when none is free. */
  allocate(ownerId: number): number {
    for (let b = 0; b < this.blocks; b++) {
      if (this.owner[b] === 0) {
        this.owner[b] = ownerId + 1;
        return b * BLOCK_SIZE;
      }
    }
    return -1;
  }

  /** Take a specific block; false when it is in use or outside the machine. */
  claim(origin: number, ownerId: number): boolean {
    const b = Math.floor(origin / BLOCK_SIZE);
    if (origin % BLOCK_SIZE !== 0 || b < 0 || b >= this.blocks || this.owner[b] !== 0) return false;
    this.owner[b] = ownerId + 1;
    return true;
  }

  /** Give a block back. */
  release(origin: number): void {
    const b = Math.floor(origin / BLOCK_SIZE);
    if (b >= 0 && b < this.blocks) this.owner[b] = 0;
  }

  /** The owner of the block holding machine address `address`, or -1 when free. */
  ownerOf(address: number): number {
    return (this.owner[Math.floor(address / BLOCK_SIZE)] ?? 0) - 1;
  }

  /** Free blocks left. */
  get free(): number {
    let n = 0;
    for (let b = 0; b < this.blocks; b++) if (this.owner[b] === 0) n++;
    return n;
  }
}

/** One LPAR's block table: LPAR absolute -> machine absolute in 64 MB blocks. */
export class BlockTable implements Translator {
  readonly name = 'block-table';
  /** Machine origin of each of the LPAR's blocks, in LPAR address order. */
  private readonly table = new Float64Array(MAX_BLOCKS_PER_LPAR);
  private count = 0;
  private readonly machineSize: number;

  /** `machineStorageSize` bounds the blocks the table may name. */
  constructor(machineStorageSize: number, initialBlocks: readonly number[] = []) {
    this.machineSize = machineStorageSize;
    for (const origin of initialBlocks) {
      const r = this.addBlock(origin);
      if (!r.ok) throw new RangeError(r.message);
    }
  }

  /** Blocks installed. */
  get blocks(): number {
    return this.count;
  }

  /** Size of the LPAR's storage in bytes (blocks × 64 MB). */
  get size(): number {
    return this.count * BLOCK_SIZE;
  }

  /** Machine origins of the installed blocks, LPAR order. */
  origins(): number[] {
    return Array.from(this.table.subarray(0, this.count));
  }

  /** Grow the LPAR by one block at its top: the new block backs LPAR addresses [size, size + 64 MB). */
  addBlock(machineOrigin: number): BlockTableResult {
    if (machineOrigin % BLOCK_SIZE !== 0 || machineOrigin < 0) {
      return { ok: false, code: 'BLOCK_MISALIGNED', message: `block origin ${hex(machineOrigin)} is not a multiple of 64 MB` };
    }
    if (machineOrigin + BLOCK_SIZE > this.machineSize) {
      return { ok: false, code: 'BLOCK_OUTSIDE_STORAGE', message: `block ${hex(machineOrigin)} lies beyond machine storage (${hex(this.machineSize)} bytes)` };
    }
    if (this.count >= MAX_BLOCKS_PER_LPAR) {
      return { ok: false, code: 'BLOCK_TABLE_FULL', message: `an LPAR holds at most ${MAX_BLOCKS_PER_LPAR} blocks (2 GB)` };
    }
    for (let i = 0; i < this.count; i++) {
      if (this.table[i] === machineOrigin) {
        return { ok: false, code: 'BLOCK_IN_USE', message: `block ${hex(machineOrigin)} is already in this table` };
      }
    }
    this.table[this.count++] = machineOrigin;
    return { ok: true, origin: machineOrigin };
  }

  /** Shrink the LPAR by its top block; returns the released block's machine origin. */
  removeBlock(): BlockTableResult {
    if (this.count === 0) return { ok: false, code: 'BLOCK_TABLE_EMPTY', message: 'the block table is empty' };
    const origin = this.table[--this.count]!;
    return { ok: true, origin };
  }

  translate(address: number, _access: Access, status: TranslationStatus): number {
    const b = address >>> BLOCK_SHIFT;
    if (address < 0 || b >= this.count) return addressingFault(status);
    return this.table[b]! + (address & OFFSET_MASK);
  }

  flush(): void {}
}

const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;
