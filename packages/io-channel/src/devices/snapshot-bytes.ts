/**
 * Bytes in device snapshots. A snapshot is JSON-safe (it is written to state
 * files and compared in tests), so the byte arrays a device holds — queued
 * cards, operator input, LAN frames, sense bytes — travel as base64.
 */

/** A byte array as base64 text. */
export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Base64 text (as a snapshot holds it) back to bytes; a missing value is no bytes. */
export function base64ToBytes(text: unknown): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Buffer.from(String(text ?? ''), 'base64'));
}
