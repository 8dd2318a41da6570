/**
 * 3390 CKD DASD through channel programs (3990 reference semantics as
 * Hercules' ckddasd.c emulates them) and the volume image formats.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CE_DE,
  CkdVolume,
  DS_STATUS_MODIFIER,
  DS_UNIT_CHECK,
  Dasd3390,
  SENSE1_NO_RECORD_FOUND,
  SS_INCORRECT_LENGTH,
  decodeImage,
  encodeHerculesImage,
  encodeStracheyImage,
  formatVolume,
  geometry3390,
  loadVolume,
  minidisk,
  recordCells3390,
  saveVolume,
  toEbcdic,
} from '../src/index';
import { ccw1, drain, enable, peek, poke, rig, runProgram, start, test } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'io-channel-dasd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dasdRig(cylinders = 10) {
  const r = rig();
  const volume = new CkdVolume(geometry3390(cylinders));
  formatVolume(volume, 'VOL001');
  const dasd = new Dasd3390(volume);
  r.css.attach(0x0190, dasd);
  enable(r, 0, { concurrentSense: true });
  return { ...r, volume, dasd };
}

/** SEEK BBCCHH, SEARCH ID EQUAL CCHHR, TIC back, then `last` (the V370 test 10 chain). */
function searchChain(r: ReturnType<typeof dasdRig>, cc: number, hh: number, rec: number, last: number[]): void {
  poke(r, 0x1800, [0, 0, cc >> 8, cc & 0xff, hh >> 8, hh & 0xff]);
  poke(r, 0x1810, [cc >> 8, cc & 0xff, hh >> 8, hh & 0xff, rec]);
  poke(r, 0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1810), ...ccw1(0x08, 0, 0, 0x1008), ...last]);
}

describe('CKD commands', () => {
  it('SEEK, SEARCH ID EQUAL (status modifier skips the TIC), READ DATA: reads the VOL1 label', () => {
    const r = dasdRig();
    searchChain(r, 0, 0, 3, ccw1(0x06, 0x20, 80, 0x3000));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.deviceStatus).toBe(CE_DE);
    expect(t.scsw.subchannelStatus).toBe(0);
    expect(t.scsw.ccwAddress).toBe(0x1020);
    expect(Array.from(peek(r, 0x3000, 10))).toEqual(Array.from(toEbcdic('VOL1VOL001')));
  });

  it('searching walks the records: R1 and R2 do not match, the TIC loops, R3 matches', () => {
    const r = dasdRig();
    searchChain(r, 0, 0, 3, ccw1(0x12, 0, 8, 0x3000));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(0);
    // READ COUNT after the match reads the next record's count: there is none after R3, so it wraps to R1.
    expect(Array.from(peek(r, 0x3000, 8))).toEqual([0, 0, 0, 0, 1, 4, 0, 24]);
  });

  it('a record that is not there: unit check with no record found after two index points', () => {
    const r = dasdRig();
    searchChain(r, 0, 0, 9, ccw1(0x06, 0x20, 80, 0x3000));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.deviceStatus).toBe(CE_DE | DS_UNIT_CHECK);
    expect(t.irb[16]! & 0x01).toBe(0x01);
    expect(t.irb[32 + 1]! & SENSE1_NO_RECORD_FOUND).toBe(SENSE1_NO_RECORD_FOUND);
  });

  it('SEEK outside the volume is a command reject; SENSE returns it', () => {
    const r = dasdRig();
    enable(r, 0);
    poke(r, 0x1800, [0, 0, 0x10, 0, 0, 0]);
    poke(r, 0x1000, ccw1(0x07, 0, 6, 0x1800));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.deviceStatus).toBe(CE_DE | DS_UNIT_CHECK);
    poke(r, 0x1000, ccw1(0x04, 0x20, 32, 0x3000));
    runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(peek(r, 0x3000, 1)[0]).toBe(0x80);
  });

  it('WRITE CKD after a search adds records; WRITE DATA updates one; they read back after a fresh program', () => {
    const r = dasdRig();
    const rec = (n: number, dl: number): number[] => [0, 5, 0, 2, n, 0, dl >> 8, dl & 0xff];
    poke(r, 0x3000, [...rec(1, 16), ...Array.from({ length: 16 }, (_, i) => i)]);
    poke(r, 0x3100, [...rec(2, 4), 0xde, 0xad, 0xbe, 0xef]);
    poke(r, 0x1800, [0, 0, 0, 5, 0, 2]);
    poke(r, 0x1810, [0, 5, 0, 2, 0]);
    // Format write: SEEK, SET FILE MASK (allow all), SEARCH ID EQUAL R0, TIC, WRITE CKD R1, WRITE CKD R2.
    poke(r, 0x1000, [
      ...ccw1(0x07, 0x40, 6, 0x1800),
      ...ccw1(0x1f, 0x40, 1, 0x1820),
      ...ccw1(0x31, 0x40, 5, 0x1810),
      ...ccw1(0x08, 0, 0, 0x1010),
      ...ccw1(0x1d, 0x40, 24, 0x3000),
      ...ccw1(0x1d, 0x00, 12, 0x3100),
    ]);
    poke(r, 0x1820, [0xc0]);
    const w = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(w.scsw.deviceStatus).toBe(CE_DE);
    expect(w.scsw.subchannelStatus).toBe(0);
    expect(r.volume.track(5, 2).map((x) => x.r)).toEqual([0, 1, 2]);
    searchChain(r, 5, 2, 2, ccw1(0x05, 0, 4, 0x3200));
    poke(r, 0x3200, [1, 2, 3, 4]);
    expect(runProgram(r, 0, { ccwAddress: 0x1000 }).scsw.subchannelStatus).toBe(0);
    searchChain(r, 5, 2, 2, ccw1(0x06, 0, 4, 0x3300));
    const rd = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(rd.scsw.subchannelStatus).toBe(0);
    expect(Array.from(peek(r, 0x3300, 4))).toEqual([1, 2, 3, 4]);
  });

  it('READ DATA with a count larger than the record: incorrect length, residual = count - data length', () => {
    const r = dasdRig();
    searchChain(r, 0, 0, 1, ccw1(0x06, 0, 100, 0x3000));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(SS_INCORRECT_LENGTH);
    expect(t.scsw.count).toBe(76);
  });

  it('the default file mask forbids WRITE R0 (command reject, file protected)', () => {
    const r = dasdRig();
    poke(r, 0x1800, [0, 0, 0, 1, 0, 0]);
    poke(r, 0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x1a, 0x40, 5, 0x3000), ...ccw1(0x15, 0, 16, 0x3100)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.deviceStatus & DS_UNIT_CHECK).toBe(DS_UNIT_CHECK);
    expect(t.irb[33]! & 0x04).toBe(0x04);
  });

  it('SENSE ID reports a 3390 on a 3990; SEARCH that matches gives status modifier when it ends the chain', () => {
    const r = dasdRig();
    poke(r, 0x1000, ccw1(0xe4, 0x20, 12, 0x3000));
    runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(Array.from(peek(r, 0x3000, 7))).toEqual([0xff, 0x39, 0x90, 0xc2, 0x33, 0x90, 0x02]);
    poke(r, 0x1800, [0, 0, 0, 0, 0, 0]);
    // READ HOME ADDRESS orients the device at the index point: the next count is R0's, so a search for R0 is
    // satisfied (status modifier) and one for R1 is not yet.
    poke(r, 0x1810, [0, 0, 0, 0, 0]);
    poke(r, 0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x1a, 0x60, 5, 0x3100), ...ccw1(0x31, 0, 5, 0x1810)]);
    expect(runProgram(r, 0, { ccwAddress: 0x1000 }).scsw.deviceStatus).toBe(CE_DE | DS_STATUS_MODIFIER);
    poke(r, 0x1810, [0, 0, 0, 0, 1]);
    expect(runProgram(r, 0, { ccwAddress: 0x1000 }).scsw.deviceStatus).toBe(CE_DE);
  });

  it('WRITE CKD needs a preceding SEARCH ID EQUAL that matched (3990 rule): after READ R0 it is a command reject', () => {
    const r = dasdRig();
    poke(r, 0x1800, [0, 0, 0, 5, 0, 2]);
    poke(r, 0x3000, [0, 5, 0, 2, 1, 0, 0, 4, 1, 2, 3, 4]);
    // READ R0 does not license a WRITE CKD: command reject.
    poke(r, 0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x16, 0x40, 16, 0x3800), ...ccw1(0x1d, 0x00, 12, 0x3000)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.deviceStatus).toBe(CE_DE | DS_UNIT_CHECK);
    expect(t.irb[32]).toBe(0x80);
    expect(r.volume.isWritten(5, 2)).toBe(false);
  });
});

describe('3390 timing model', () => {
  it('seek time grows with distance and is zero for no move', () => {
    const d = new Dasd3390(new CkdVolume(geometry3390(1113)));
    expect(d.seekTimeUs(0)).toBe(0);
    expect(d.seekTimeUs(1)).toBeLessThan(d.seekTimeUs(100));
    expect(d.seekTimeUs(371)).toBeCloseTo(9500, 0);
  });

  it('after a seek the next count is the one under the head: sequential records cost a transfer, not a revolution', () => {
    const r = dasdRig(100);
    const recs = [0, 1, 2, 3, 4, 5].map((n) => ({ cc: 7, hh: 3, r: n, key: new Uint8Array(0), data: new Uint8Array(n === 0 ? 8 : 4096) }));
    r.volume.setTrack(7, 3, recs);
    const times: number[] = [];
    for (let n = 1; n <= 5; n++) {
      searchChain(r, 7, 3, n, ccw1(0x06, 0x20, 4096, 0x10000));
      start(r, 0, { ccwAddress: 0x1000 });
      const t0 = r.clock.now();
      drain(r.clock);
      times.push((r.clock.now() - t0) / r.clock.cyclesPerMicrosecond);
      expect(test(r, 0).scsw.deviceStatus).toBe(CE_DE);
    }
    const revolution = r.dasd.timing.revolutionUs;
    // The first read waits for the record to come round; the next ones find it right behind the previous one.
    for (const t of times.slice(1)) expect(t).toBeLessThan(revolution / 4);
    expect(Math.max(...times)).toBeLessThan(revolution * 1.2);
  });

  it('the same program on the same configuration completes at the same simulated time (determinism)', () => {
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = dasdRig(100);
      searchChain(r, 50, 7, 1, ccw1(0x06, 0x20, 80, 0x3000));
      start(r, 0, { ccwAddress: 0x1000 });
      drain(r.clock);
      times.push(r.clock.now());
      expect(test(r, 0).cc).toBe(0);
    }
    expect(times[0]).toBe(times[1]);
    expect(times[0]).toBeGreaterThan(0);
  });
});

describe('track capacity (3390 formula)', () => {
  it('one 56664-byte record fills a track; twelve 4096-byte and 78 80-byte records fit', () => {
    expect(recordCells3390(0, 56664)).toBe(1729);
    expect(Math.floor(1729 / recordCells3390(0, 4096))).toBe(12);
    expect(Math.floor(1729 / recordCells3390(0, 80))).toBe(78);
  });
});

describe('volume images', () => {
  it('Strachey format round-trips, and a DASD writes its changes back atomically', () => {
    const v = new CkdVolume(geometry3390(20));
    formatVolume(v, 'ABC123');
    const file = join(dir, 'a.dasd');
    saveVolume(file, v);
    const d = Dasd3390.open(file);
    if (!d.ok) throw new Error(d.error.message);
    expect((d.device.volume as CkdVolume).volser()).toBe("ABC123");
    expect(d.device.volume.geometry.cylinders).toBe(20);
    d.device.volume.setTrack(3, 4, [...d.device.volume.track(3, 4), { cc: 3, hh: 4, r: 1, key: new Uint8Array(0), data: Uint8Array.of(9, 9) }]);
    d.device.flush();
    const again = loadVolume(file);
    if (!again.ok) throw new Error(again.error.message);
    expect(Array.from(again.volume.track(3, 4)[1]!.data)).toEqual([9, 9]);
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });

  it('precise errors: bad magic, wrong geometry, truncation, checksum, record beyond track capacity', () => {
    const v = new CkdVolume(geometry3390(5));
    formatVolume(v, 'X');
    const good = encodeStracheyImage(v);
    const bad = (mut: (b: Uint8Array) => Uint8Array) => decodeImage(mut(good.slice()), 'v.dasd');
    const code = (r: ReturnType<typeof decodeImage>) => (r.ok ? 'ok' : r.error.code);
    const patch = (at: number, bytes: number[]) => (b: Uint8Array) => {
      b.set(bytes, at);
      return b;
    };
    expect(code(bad((b) => b))).toBe('ok');
    expect(code(bad(patch(0, [0x41])))).toBe('BAD_MAGIC');
    expect(code(bad(patch(16, [0, 14])))).toBe('WRONG_GEOMETRY');
    expect(code(bad((b) => b.subarray(0, b.length - 5)))).toBe('TRUNCATED');
    expect(code(bad(patch(70, [good[70]! ^ 1])))).toBe('BAD_CHECKSUM');
    const big = new CkdVolume(geometry3390(5));
    big.setTrack(1, 1, [
      { cc: 1, hh: 1, r: 0, key: new Uint8Array(0), data: new Uint8Array(8) },
      { cc: 1, hh: 1, r: 1, key: new Uint8Array(0), data: new Uint8Array(40000) },
      { cc: 1, hh: 1, r: 2, key: new Uint8Array(0), data: new Uint8Array(40000) },
    ]);
    const r = decodeImage(encodeStracheyImage(big), 'big.dasd');
    expect(code(r)).toBe('TRACK_OVERFLOW');
    if (!r.ok) expect(r.error.message).toContain('track 1/1');
    const missing = loadVolume(join(dir, 'nope.dasd'));
    expect(code(missing)).toBe('IMAGE_NOT_FOUND');
  });

  it('Hercules CKD format round-trips through our encoder', () => {
    const v = new CkdVolume(geometry3390(2));
    formatVolume(v, 'HERC01');
    const r = decodeImage(encodeHerculesImage(v), 'h.3390');
    expect(r.ok && r.format).toBe('hercules');
    if (r.ok) expect(r.volume.volser()).toBe('HERC01');
  });

  const hasDasdinit = (() => {
    try {
      execFileSync('dasdinit', ['-v'], { stdio: 'ignore' });
      return true;
    } catch {
      return existsSync('/usr/bin/dasdinit');
    }
  })();

  it.skipIf(!hasDasdinit)('reads a volume made by Hercules dasdinit, and Hercules-format output is byte-identical to it', () => {
    const file = join(dir, 'herc.3390');
    execFileSync('dasdinit', [file, '3390', 'HRC001', '2'], { stdio: 'ignore' });
    const r = loadVolume(file);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.format).toBe('hercules');
    expect(r.volume.volser()).toBe('HRC001');
    expect(r.volume.geometry.cylinders).toBe(2);
    expect(r.volume.track(0, 0).map((x) => x.r)).toEqual([0, 1, 2, 3]);
    const ours = encodeHerculesImage(r.volume);
    expect(Buffer.compare(Buffer.from(ours), readFileSync(file))).toBe(0);
  });

  it('a corrupt Hercules image (record running off the track) is TRACK_OVERFLOW', () => {
    const v = new CkdVolume(geometry3390(1));
    formatVolume(v, 'X');
    const b = encodeHerculesImage(v);
    // R1's data length at track 0: HA(5) + R0(16) + count bytes 6-7.
    b[512 + 5 + 16 + 6] = 0xff;
    b[512 + 5 + 16 + 7] = 0xff;
    const file = join(dir, 'bad.3390');
    writeFileSync(file, b);
    const r = loadVolume(file);
    expect(r.ok ? 'ok' : r.error.code).toBe('TRACK_OVERFLOW');
  });
});

describe('minidisks (extents of a real volume)', () => {
  it('a guest sees cylinders 0-99 of a minidisk at real cylinder 211; its writes land there; it cannot reach beyond', () => {
    const real = new CkdVolume(geometry3390(1113));
    formatVolume(real, 'VMRES1');
    const r = rig();
    const mdisk = new Dasd3390(minidisk(real, 211, 100));
    r.css.attach(0x0191, mdisk);
    enable(r, 0);
    expect(mdisk.volume.geometry.cylinders).toBe(100);
    // Format-write R1 on virtual cylinder 5 head 0 (search ID equal R0, then WRITE CKD).
    poke(r, 0x1800, [0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0]);
    poke(r, 0x3000, [0, 5, 0, 0, 1, 0, 0, 3, 0xc1, 0xc2, 0xc3]);
    poke(r, 0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1806), ...ccw1(0x08, 0, 0, 0x1008), ...ccw1(0x1d, 0x00, 11, 0x3000)]);
    const w = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(w.scsw.deviceStatus).toBe(CE_DE);
    expect(real.track(216, 0).map((x) => x.r)).toEqual([0, 1]);
    expect(real.isWritten(5, 0)).toBe(false);
    // Virtual cylinder 100 does not exist: command reject, nothing touched.
    poke(r, 0x1800, [0, 0, 0, 100, 0, 0]);
    poke(r, 0x1000, ccw1(0x07, 0x00, 6, 0x1800));
    expect(runProgram(r, 0, { ccwAddress: 0x1000 }).scsw.deviceStatus).toBe(CE_DE | DS_UNIT_CHECK);
    expect(() => minidisk(real, 1100, 100)).toThrow(RangeError);
  });
});
