/**
 * Who owns each 1 MB storage increment of the physical machine: free, a
 * partition, or the HSA. PR/SM never lets two partitions share central
 * storage (mainframe-facts §6.2), so every allocation goes through here.
 */
import { BLOCK_BYTES, ZONE_INCREMENT } from './profiles';

const FREE = 0;
const HSA = 0xffff;
const PER_BLOCK = BLOCK_BYTES / ZONE_INCREMENT;

export class StorageMap {
  readonly increments: number;
  /** Owner partition index + 1 per increment; 0 free; 0xFFFF HSA. */
  private readonly owner: Uint16Array;

  constructor(storageBytes: number, hsaBytes: number) {
    this.increments = storageBytes / ZONE_INCREMENT;
    this.owner = new Uint16Array(this.increments);
    this.owner.fill(HSA, this.increments - hsaBytes / ZONE_INCREMENT);
  }

  /** Owner index of the increment holding `address`: -1 free, -2 HSA. */
  ownerOf(address: number): number {
    const o = this.owner[Math.floor(address / ZONE_INCREMENT)] ?? FREE;
    return o === FREE ? -1 : o === HSA ? -2 : o - 1;
  }

  isFree(origin: number, bytes: number): boolean {
    const a = origin / ZONE_INCREMENT;
    const n = bytes / ZONE_INCREMENT;
    if (a < 0 || a + n > this.increments) return false;
    for (let i = a; i < a + n; i++) if (this.owner[i] !== FREE) return false;
    return true;
  }

  claim(origin: number, bytes: number, ownerIndex: number): void {
    this.owner.fill(ownerIndex + 1, origin / ZONE_INCREMENT, (origin + bytes) / ZONE_INCREMENT);
  }

  release(origin: number, bytes: number): void {
    this.owner.fill(FREE, origin / ZONE_INCREMENT, (origin + bytes) / ZONE_INCREMENT);
  }

  /** Top-down first fit (PR/SM's placement when no origin is given); -1 when nothing fits. */
  findTopDown(bytes: number): number {
    const n = bytes / ZONE_INCREMENT;
    for (let top = this.increments; top - n >= 0; top--) {
      let fits = true;
      for (let i = top - n; i < top; i++) {
        if (this.owner[i] !== FREE) {
          fits = false;
          top = i + 1; // resume below the obstacle
          break;
        }
      }
      if (fits) return (top - n) * ZONE_INCREMENT;
    }
    return -1;
  }

  /** Lowest free 64 MB-aligned block; -1 when none. */
  findBlock(): number {
    for (let b = 0; b + PER_BLOCK <= this.increments; b += PER_BLOCK) {
      let free = true;
      for (let i = b; i < b + PER_BLOCK; i++) {
        if (this.owner[i] !== FREE) {
          free = false;
          break;
        }
      }
      if (free) return b * ZONE_INCREMENT;
    }
    return -1;
  }

  /** Free bytes in total. */
  get freeBytes(): number {
    let n = 0;
    for (let i = 0; i < this.increments; i++) if (this.owner[i] === FREE) n++;
    return n * ZONE_INCREMENT;
  }
}
