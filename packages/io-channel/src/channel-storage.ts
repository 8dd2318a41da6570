/**
 * How the channel subsystem reaches main storage: absolute addresses (no DAT,
 * no prefixing), the ORB key checked against the storage key of every frame
 * touched (POP 3-"Key-Controlled Protection", applied to channel-program
 * references in 15-"Protection Check"), and addressing checks against the
 * installed storage size and the address limit. Violations are channel
 * status values, never exceptions.
 */
import { type AbsoluteAddress, FRAME_SHIFT, KEY_ACC, KEY_FETCH, type StoragePort } from '@strachey/isa-core';
import { SS_PROGRAM_CHECK, SS_PROTECTION_CHECK } from './status';

/** Address-limit check set up by SET ADDRESS LIMIT and the PMCW limit mode with the ORB A bit. */
export interface AddressLimit {
  /** 0 none, 1 addresses at or above `limit` are invalid, 2 addresses below `limit` are invalid. */
  mode: number;
  limit: number;
}

const NO_LIMIT: AddressLimit = { mode: 0, limit: 0 };

/**
 * Check `length` bytes at absolute `address` for a channel access with `key`.
 * Returns 0, SS_PROGRAM_CHECK (address not installed, beyond 31 bits, or
 * outside the address limit) or SS_PROTECTION_CHECK (store into a frame of
 * another key, or fetch from a fetch-protected one). Key 0 matches every frame.
 */
export function checkChannelAccess(storage: StoragePort, address: number, length: number, key: number, store: boolean, limit: AddressLimit = NO_LIMIT): number {
  if (length <= 0) return 0;
  const last = address + length - 1;
  if (address < 0 || last >= storage.size || last > 0x7fffffff) return SS_PROGRAM_CHECK;
  if (limit.mode === 1 && last >= limit.limit) return SS_PROGRAM_CHECK;
  if (limit.mode === 2 && address < limit.limit) return SS_PROGRAM_CHECK;
  if (key === 0) return 0;
  const k = key << 4;
  for (let f = address >>> FRAME_SHIFT; f <= last >>> FRAME_SHIFT; f++) {
    const sk = storage.getKey((f << FRAME_SHIFT) as AbsoluteAddress);
    if ((sk & KEY_ACC) !== k && (store || (sk & KEY_FETCH) !== 0)) return SS_PROTECTION_CHECK;
  }
  return 0;
}

/** Fetch a big-endian word at an absolute address (caller has checked it). */
export function fetchWord(storage: StoragePort, address: number): number {
  return storage.read32(address as AbsoluteAddress) >>> 0;
}
