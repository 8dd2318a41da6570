/**
 * What `strachey dasd init|info` tell the user (src/dasd-tool.ts): counts in
 * the right number, errors that name the file the user gave, device types
 * in hexadecimal as they are written (3390).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dasdInfo, dasdInit } from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'io-channel-dasd-tool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lineOf(lines: readonly string[], prefix: string): string | undefined {
  return lines.find((l) => l.startsWith(prefix));
}

describe('dasd tool messages', () => {
  it('says "1 track" and "1 cylinder" in the singular, more in the plural', () => {
    const one = join(dir, 'one.img');
    const made = dasdInit({ file: one, type: '3390', cylinders: 1, volser: 'ONE' });
    expect(made.ok && made.lines).toEqual([`${one}: 3390 volume ONE, 1 cylinder × 15 tracks, strachey format`]);
    const info = dasdInfo(one);
    if (!info.ok) throw new Error(info.error.message);
    // A fresh volume: track 0 with R1-R3 (IPL records and the VOL1 label), 4 + 24 + 4 + 144 + 4 + 80 bytes.
    expect(lineOf(info.lines, 'written:')).toBe('written:     1 track, 3 records, 260 bytes of keys and data');
    expect(lineOf(info.lines, 'geometry:')).toBe('geometry:    1 cylinder × 15 tracks, 56664 bytes per track (max R1)');
    const ten = join(dir, 'ten.img');
    const made10 = dasdInit({ file: ten, type: '3390', cylinders: 10, volser: 'TEN' });
    expect(made10.ok && made10.lines[0]).toContain('10 cylinders × 15 tracks');
    const info10 = dasdInfo(ten);
    expect(info10.ok && lineOf(info10.lines, 'geometry:')).toBe('geometry:    10 cylinders × 15 tracks, 56664 bytes per track (max R1)');
  });

  it('a volume it cannot write names the file the user gave, not the temporary file of the atomic write', () => {
    const file = join(dir, 'no-such-directory', 'a.img');
    const r = dasdInit({ file, type: '3390', cylinders: 1, volser: 'A' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toEqual({ code: 'DASD_WRITE', message: 'cannot write: ENOENT: no such file or directory', file });
    expect(JSON.stringify(r.error)).not.toContain('.tmp');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it('a header with another device type names it in hexadecimal, as device types are written', () => {
    const file = join(dir, 'type.img');
    expect(dasdInit({ file, type: '3390', cylinders: 1, volser: 'T' }).ok).toBe(true);
    const bytes = readFileSync(file);
    // Bytes 8-9 of a Strachey image: the device type, X'3390'.
    expect([bytes[8], bytes[9]]).toEqual([0x33, 0x90]);
    bytes[8] = 0x10;
    bytes[9] = 0x5f;
    writeFileSync(file, bytes);
    const r = dasdInfo(file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('WRONG_GEOMETRY');
    expect(r.error.message).toBe('device type 105F, expected 3390 (at byte 8)');
    // Four hex digits, as a device type is written: X'0090' is 0090, not 90.
    bytes[8] = 0x00;
    bytes[9] = 0x90;
    writeFileSync(file, bytes);
    const small = dasdInfo(file);
    expect(small.ok === false && small.error.message).toBe('device type 0090, expected 3390 (at byte 8)');
  });
});
