/**
 * Test helpers: assemble a guest, build the same machine bare (isa-core +
 * io-channel) and under CP, and place a bare volume's tracks on a real
 * volume as a minidisk (count fields relocated, as a minidisk's records are
 * on a real 3390).
 */
import { type AbsoluteAddress, assemble } from '@strachey/isa-core';
import { CkdVolume, formatVolume, geometry3390, toEbcdic } from '@strachey/io-channel';

export function assembleGuest(source: string): { chunks: { address: number; bytes: Uint8Array }[]; entry: number } {
  const r = assemble(source);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return { chunks: r.chunks.map((c) => ({ address: c.address, bytes: c.bytes })), entry: r.entry ?? r.origin };
}

export function loadBare(storage: { writeFrom(a: AbsoluteAddress, b: Uint8Array): void }, chunks: { address: number; bytes: Uint8Array }[]): void {
  for (const c of chunks) storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
}

/** The DASDCON volume: VOL1 label DEMO01 on cylinder 0, three records on cylinder 1 head 0. */
export function demoVolume(cylinders = 10): CkdVolume {
  const volume = new CkdVolume(geometry3390(cylinders));
  formatVolume(volume, 'DEMO01');
  const text = ['FIRST RECORD ON CYLINDER 1', 'SECOND RECORD', 'THIRD RECORD'];
  volume.setTrack(1, 0, [...volume.track(1, 0), ...text.map((t, i) => ({ cc: 1, hh: 0, r: i + 1, key: new Uint8Array(0), data: toEbcdic(t.padEnd(80, ' ')) }))]);
  return volume;
}

/** Copy every written track of `mini` onto `real` at cylinder offset `start`, relocating count fields. */
export function placeMinidisk(real: CkdVolume, start: number, mini: CkdVolume): void {
  for (const t of mini.writtenTracks()) {
    real.setTrack(t.cc + start, t.hh, t.records.map((r) => ({ ...r, cc: r.cc + start })));
  }
}

/** Relocate back: the minidisk's tracks as the guest sees them. */
export function readMinidisk(real: CkdVolume, start: number, cylinders: number): { cc: number; hh: number; records: { cc: number; hh: number; r: number; data: Uint8Array }[] }[] {
  const out: { cc: number; hh: number; records: { cc: number; hh: number; r: number; data: Uint8Array }[] }[] = [];
  for (const t of real.writtenTracks()) {
    if (t.cc < start || t.cc >= start + cylinders) continue;
    out.push({ cc: t.cc - start, hh: t.hh, records: t.records.map((r) => ({ cc: r.cc - start, hh: r.hh, r: r.r, data: r.data })) });
  }
  return out;
}

/** The MINIKERN disk: a greeting on cylinder 1 record 1, two blank 80-byte records on cylinder 2. */
export function kernelVolume(cylinders = 5): CkdVolume {
  const volume = new CkdVolume(geometry3390(cylinders));
  formatVolume(volume, 'MINI01');
  const rec = (cc: number, r: number, text: string) => ({ cc, hh: 0, r, key: new Uint8Array(0), data: toEbcdic(text.padEnd(80, ' ')) });
  volume.setTrack(1, 0, [...volume.track(1, 0), rec(1, 1, 'MINIKERN BOOTED FROM DISK')]);
  volume.setTrack(2, 0, [...volume.track(2, 0), rec(2, 1, ''), rec(2, 2, '')]);
  return volume;
}
