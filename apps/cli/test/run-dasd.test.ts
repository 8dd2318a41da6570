/**
 * Issue "io-channel": a bare-metal guest program reads records from a DASD
 * image through SSCH/TSCH and prints them on the 3215 console, run through
 * `strachey run -f h.cnf` — the same files Hercules 3.13 runs unchanged.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble } from '@strachey/isa-core';
import { dasdInfo, dasdInit } from '@strachey/io-channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunIo, runRun } from '../src/commands/run';

const EXAMPLES = fileURLToPath(new URL('../../../packages/io-channel/examples/', import.meta.url));

function capture(): RunIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
    status: { isTTY: false, columns: 80, write() {} },
  };
  return io;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strachey-run-dasd-'));
  // The example names its files relative to the working directory, as Hercules does; point them into
  // the test's folder (worker threads cannot chdir).
  for (const f of ['dasd-to-console.cnf', 'dasd-to-console.rc']) {
    const text = readFileSync(join(EXAMPLES, f), 'utf8')
      .replace(/^(0190 3390 )vol001\.3390$/m, `$1${join(dir, 'vol001.3390')}`)
      .replace(/^loadcore dasdcon\.bin /m, `loadcore ${join(dir, 'dasdcon.bin')} `);
    writeFileSync(join(dir, f), text);
  }
  const asm = assemble(readFileSync(join(EXAMPLES, 'dasd-to-console.asm'), 'utf8'));
  expect(asm.errors).toEqual([]);
  expect(asm.origin).toBe(0x2000);
  writeFileSync(join(dir, 'dasdcon.bin'), asm.image);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('strachey run -f: a guest reads a DASD image and prints on the console', () => {
  for (const format of ['strachey', 'hercules'] as const) {
    it(`prints the volser and the records it wrote and read back (${format} image), and they persist`, () => {
      const vol = join(dir, 'vol001.3390');
      const init = dasdInit({ file: vol, type: '3390', volser: 'VOL001', cylinders: 10, format });
      expect(init.ok).toBe(true);
      const io = capture();
      const code = runRun({ arch: 'esa390', script: join(dir, 'dasd-to-console.rc'), config: join(dir, 'dasd-to-console.cnf') }, io);
      expect(io.err).toBe('');
      expect(code).toBe(0);
      const lines = io.out.split('\n').map((l) => l.trimEnd());
      const volume = lines.indexOf('VOLUME VOL001');
      expect(volume).toBeGreaterThanOrEqual(0);
      expect(lines.slice(volume + 1, volume + 4)).toEqual(['FIRST RECORD ON CYLINDER 1', 'SECOND RECORD', 'THIRD RECORD']);
      // The program ends in the disabled wait with address 0 (X'BAD' would mean a failed I/O).
      expect(lines).toContain('PSW=000A0000 00000000');
      // The records were written to the image file, not only to a cache.
      expect(dasdInfo(vol).ok).toBe(true);
      const image = readFileSync(vol).toString('latin1');
      const ebcdicSecond = Buffer.from([0xe2, 0xc5, 0xc3, 0xd6, 0xd5, 0xc4, 0x40, 0xd9, 0xc5, 0xc3, 0xd6, 0xd9, 0xc4]).toString('latin1');
      expect(image.includes(ebcdicSecond)).toBe(true);
    });
  }

  it('with --json, stdout is only the final state and the console goes to stderr', () => {
    expect(dasdInit({ file: join(dir, 'vol001.3390'), type: '3390', volser: 'VOL001', cylinders: 10, format: 'strachey' }).ok).toBe(true);
    const io = capture();
    expect(runRun({ script: join(dir, 'dasd-to-console.rc'), config: join(dir, 'dasd-to-console.cnf'), json: true }, io)).toBe(0);
    const state = JSON.parse(io.out) as { stop: string; psw: string };
    expect(state.psw).toBe('000A000000000000');
    expect(io.err).toContain('VOLUME VOL001');
  });
});
