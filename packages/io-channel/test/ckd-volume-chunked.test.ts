/**
 * CkdVolume's track table (a directory of 16-cylinder chunks made on first
 * write) against a Map of tracks: any sequence of track writes and reads,
 * aimed at chunk edges, the last cylinder and just outside the volume, gives
 * the same records, the same written set in (cylinder, head) order, and
 * unwritten tracks read as the standard R0 of their own address.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CkdRecord, CkdVolume, geometry3390, minidisk, standardR0 } from '../src/index';

const HEADS = 15;

function cylinderArb(cylinders: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: 0, max: cylinders - 1 }),
    fc
      .integer({ min: 0, max: Math.ceil(cylinders / 16) })
      .chain((c) => fc.integer({ min: c * 16 - 1, max: c * 16 })),
    fc.integer({ min: cylinders - 2, max: cylinders + 1 }),
  );
}

type Op = { readonly write: boolean; readonly cc: number; readonly hh: number; readonly tag: number };

function check(cylinders: number, runs: number): void {
  const op = fc.record({
    write: fc.boolean(),
    cc: cylinderArb(cylinders),
    hh: fc.integer({ min: -1, max: HEADS }),
    tag: fc.integer({ min: 1, max: 255 }),
  });
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops: Op[]) => {
      const v = new CkdVolume(geometry3390(cylinders));
      const model = new Map<string, CkdRecord[]>();
      const inside = (cc: number, hh: number): boolean => cc >= 0 && cc < cylinders && hh >= 0 && hh < HEADS;
      for (const { write, cc, hh, tag } of ops) {
        expect(v.hasTrack(cc, hh)).toBe(inside(cc, hh));
        if (write) {
          const records = [
            standardR0(cc, hh),
            { cc, hh, r: 1, key: new Uint8Array(0), data: new Uint8Array([tag]) },
          ];
          v.setTrack(cc, hh, records);
          if (inside(cc, hh)) model.set(`${cc}/${hh}`, records);
        } else {
          const want = model.get(`${cc}/${hh}`);
          expect(v.isWritten(cc, hh)).toBe(want !== undefined);
          if (want !== undefined) expect(v.track(cc, hh)).toBe(want);
          else expect(v.track(cc, hh)).toEqual([standardR0(cc, hh)]);
        }
      }
      const written = [...v.writtenTracks()].map((t) => [t.cc, t.hh, t.records] as const);
      const expected = [...model.entries()]
        .map(([k, r]) => {
          const [cc, hh] = k.split('/').map(Number) as [number, number];
          return [cc, hh, r] as const;
        })
        .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(written).toEqual(expected);
      for (const [cc, hh, r] of expected) expect(written.find((w) => w[0] === cc && w[1] === hh)![2]).toBe(r);
    }),
    { numRuns: runs },
  );
}

describe('CkdVolume chunked track table against a Map of tracks', () => {
  it('agrees on a 5-cylinder volume (one partial chunk)', () => check(5, 200));
  it('agrees on a 3390-1 (1,113 cylinders, a partial last chunk)', () => check(1113, 200));
  it('agrees on a 3390-3 (3,339 cylinders)', () => check(3339, 100));
  it('agrees on the largest 3390 (65,520 cylinders)', () => check(65520, 50));

  it('a minidisk at a chunk edge reads and writes the real tracks behind it', () => {
    const v = new CkdVolume(geometry3390(1113));
    const md = minidisk(v, 15, 3);
    const rec = [standardR0(1, 4), { cc: 1, hh: 4, r: 1, key: new Uint8Array(0), data: new Uint8Array([9]) }];
    md.setTrack(1, 4, rec);
    expect(v.isWritten(16, 4)).toBe(true);
    expect(v.track(16, 4)).toBe(rec);
    expect(md.track(1, 4)).toBe(rec);
    expect(md.track(0, 4)).toEqual([standardR0(0, 4)]);
    expect([...v.writtenTracks()].map((t) => [t.cc, t.hh])).toEqual([[16, 4]]);
  });
});
