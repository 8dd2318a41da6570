import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { herculesAvailable, runHerculesSettled } from '@strachey/hercules-oracle';
import { assemble } from '@strachey/isa-core';
import { type CommandIo, runAsm } from '../src/commands/asm';

const HELLO = fileURLToPath(new URL('../../../packages/isa-core/examples/hello.asm', import.meta.url));

function capture(): CommandIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
  };
  return io;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strachey-cli-asm-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const BAD = ['T        START 0', '         LR    16,1', '         AR    1,2', '         L     1,FOO(0,1)', '         END', ''].join('\n');

describe('strachey asm', () => {
  it('writes the flat image from the lowest address and says how to load it', () => {
    const io = capture();
    const out = join(dir, 'hello.bin');
    expect(runAsm(HELLO, { output: out }, io)).toBe(0);
    const expected = assemble(readFileSync(HELLO, 'utf8'));
    expect(new Uint8Array(readFileSync(out))).toEqual(expected.image);
    expect(io.err).toContain(`loadcore ${out} 0`);
    expect(io.err).toContain("616 bytes of object code at X'000000', entry X'000200'");
    // No temporary file is left behind.
    expect(readdirSync(dir)).toEqual(['hello.bin']);
  });

  it('writes r ADDR=HEX commands of at most 32 bytes that reproduce every chunk', () => {
    const io = capture();
    const rc = join(dir, 'hello.rc');
    expect(runAsm(HELLO, { rc }, io)).toBe(0);
    const lines = readFileSync(rc, 'utf8').trimEnd().split('\n');
    const storage = new Map<number, number>();
    for (const line of lines) {
      const m = /^r ([0-9A-F]+)=([0-9A-F]+)$/.exec(line);
      expect(m, line).not.toBeNull();
      expect(m![2]!.length).toBeLessThanOrEqual(64);
      const at = Number.parseInt(m![1]!, 16);
      for (let i = 0; i < m![2]!.length / 2; i++) storage.set(at + i, Number.parseInt(m![2]!.slice(2 * i, 2 * i + 2), 16));
    }
    const expected = assemble(readFileSync(HELLO, 'utf8'));
    for (const c of expected.chunks) {
      for (const [i, b] of c.bytes.entries()) expect(storage.get(c.address + i)).toBe(b);
    }
    expect(storage.size).toBe(expected.chunks.reduce((n, c) => n + c.bytes.length, 0));
  });

  it('prints the listing, or writes it to a file', () => {
    const io = capture();
    expect(runAsm(HELLO, { listing: true }, io)).toBe(0);
    expect(io.out).toMatch(/^000200 0DC0 {2,}23 {2}BEGIN {4}BASR {2}R12,0/m);
    expect(io.out).toContain('SYMBOL CROSS-REFERENCE');
    const file = join(dir, 'hello.lst');
    const io2 = capture();
    expect(runAsm(HELLO, { listing: file }, io2)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(io.out);
    expect(io2.out).toBe('');
  });

  it('reports errors as file:line:column with the source line and a caret, exits 1 and writes nothing', () => {
    const src = join(dir, 'bad.asm');
    writeFileSync(src, BAD);
    const out = join(dir, 'bad.bin');
    writeFileSync(out, 'the user had this');
    const io = capture();
    expect(runAsm(src, { output: out, rc: join(dir, 'bad.rc') }, io)).toBe(1);
    expect(io.err).toContain(
      `${src}:2:16: error REGISTER_RANGE: register 16 out of range 0..15\n         LR    16,1\n               ^\n`,
    );
    expect(io.err).toContain(`${src}:4:18: error UNDEFINED_SYMBOL: undefined symbol FOO\n         L     1,FOO(0,1)\n                 ^\n`);
    expect(readFileSync(out, 'utf8')).toBe('the user had this');
    expect(existsSync(join(dir, 'bad.rc'))).toBe(false);
  });

  it('prints a JSON report with symbols and errors', () => {
    const src = join(dir, 'bad.asm');
    writeFileSync(src, BAD);
    const io = capture();
    expect(runAsm(src, { json: true }, io)).toBe(1);
    const report = JSON.parse(io.out);
    expect(report.ok).toBe(false);
    expect(report.errors.map((e: { line: number; column: number; code: string }) => [e.line, e.column, e.code])).toEqual([
      [2, 16, 'REGISTER_RANGE'],
      [4, 18, 'UNDEFINED_SYMBOL'],
    ]);
    const ok = capture();
    expect(runAsm(HELLO, { json: true }, ok)).toBe(0);
    const good = JSON.parse(ok.out);
    expect(good).toMatchObject({ ok: true, origin: 0, entry: 0x200, section: 'HELLO' });
    expect(good.symbols.find((s: { name: string }) => s.name === 'SCAN')).toMatchObject({ value: 0x21a, type: 'I' });
  });

  it('refuses to overwrite the source and reports an unreadable source', () => {
    const src = join(dir, 'prog.asm');
    writeFileSync(src, BAD);
    const io = capture();
    expect(runAsm(src, { output: src }, io)).toBe(1);
    expect(io.err).toContain('error OVERWRITE_SOURCE');
    expect(readFileSync(src, 'utf8')).toBe(BAD);
    const io2 = capture();
    expect(runAsm(join(dir, 'missing.asm'), {}, io2)).toBe(2);
    expect(io2.err).toMatch(/missing\.asm: error READ: cannot read the source/);
  });

  it('names the output file it cannot write, not the source or its temporary file', () => {
    const out = join(dir, 'no-such-folder', 'hello.bin');
    const io = capture();
    expect(runAsm(HELLO, { output: out }, io)).toBe(2);
    expect(io.err).toBe(`${out}: error WRITE: cannot write: ENOENT: no such file or directory\n`);
  });

  it('runs as a subcommand of the strachey binary', () => {
    const cli = fileURLToPath(new URL('..', import.meta.url));
    const out = join(dir, 'h.bin');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=@strachey/source', 'src/main.ts', 'asm', HELLO, '-o', out],
      { cwd: cli, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).toContain('loadcore');
    expect(run.status).toBe(0);
    expect(readFileSync(out).length).toBe(616);
    const bad = join(dir, 'bad.asm');
    writeFileSync(bad, BAD);
    const fail = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@strachey/source', 'src/main.ts', 'asm', bad], {
      cwd: cli,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(fail.status).toBe(1);
    expect(fail.stderr).toContain(`${bad}:2:16: error REGISTER_RANGE`);
  });

  it.skipIf(!herculesAvailable())('the --rc script runs the program on Hercules 3.13', { timeout: 60_000 }, async () => {
    const rc = join(dir, 'hello.rc');
    expect(runAsm(HELLO, { rc }, capture())).toBe(0);
    // `pause` is wall-clock time: the oracle retries with longer pauses until
    // Hercules printed the disabled wait before the registers were displayed.
    const run = await runHerculesSettled({ script: `${readFileSync(rc, 'utf8')}restart\npause 1\ngpr\nquit\n` });
    const output = `${run.raw}${run.stderr}`;
    expect(run.complete, output.slice(-3000)).toBe(true);
    expect(output).toContain('GR02=C8C5D3D3');
    expect(output).toContain('GR04=00000005');
    expect(output).toContain('GR05=00000409');
  });
});
