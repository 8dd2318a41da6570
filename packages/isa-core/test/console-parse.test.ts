/**
 * The console-script parser: the Hercules 3.x command subset, with errors as
 * values located by file, line and column.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConsoleScript } from '../src/esa390/console/index';

const ok = (src: string) => {
  const r = parseConsoleScript(src, 't.rc');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.script.commands;
};
const errors = (src: string) => {
  const r = parseConsoleScript(src, 't.rc');
  if (r.ok) throw new Error('expected errors');
  return r.errors;
};

describe('parseConsoleScript', () => {
  it('reads the hercules-oracle.md sample', () => {
    const cmds = ok('r 0=0008000000000200\nr 200=41100005412000071A1282000300\nr 300=000A000000000000\nrestart\npause 1\ngpr\npsw\nquit\n');
    expect(cmds.map((c) => c.kind)).toEqual(['alter', 'alter', 'alter', 'restart', 'pause', 'gpr', 'psw', 'quit']);
    const first = cmds[0]!;
    expect(first.kind === 'alter' && [first.address, Array.from(first.bytes)]).toEqual([0, [0, 8, 0, 0, 0, 0, 2, 0]]);
  });

  it('handles comments and blanks as Hercules does', () => {
    const cmds = ok('# silent\n* loud comment\n\n   gpr   # registers\nPSW\n');
    expect(cmds.map((c) => [c.kind, c.text, c.at.line, c.at.column])).toEqual([
      ['comment', '* loud comment', 2, 1],
      ['gpr', 'gpr', 4, 4],
      ['psw', 'PSW', 5, 1],
    ]);
  });

  it('reads every display form: r ADDR (64 bytes), r ADDR.LEN, r ADDR-END', () => {
    const cmds = ok('r 7000\nr 88.10\nr 0-3F\n');
    expect(cmds.map((c) => c.kind === 'display' && [c.address, c.end])).toEqual([
      [0x7000, 0x703f],
      [0x88, 0x97],
      [0, 0x3f],
    ]);
  });

  it('accepts blanks between byte pairs, as Hercules does', () => {
    const c = ok('r 7000=01 02\t03')[0]!;
    expect(c.kind === 'alter' && Array.from(c.bytes)).toEqual([1, 2, 3]);
  });

  it('reads the other commands', () => {
    const cmds = ok('ipl 0a80\nloadcore core.bin 2000\nloadcore x.bin\ngpr 1=abc\ncr 0=00B00060\ncpu 1\narchmode esa/390\npause\nsysclear\nsysreset\nstop\nstart\npr\nexit\n');
    expect(cmds[0]).toMatchObject({ kind: 'ipl', device: 0x0a80 });
    expect(cmds[1]).toMatchObject({ kind: 'loadcore', file: 'core.bin', address: 0x2000 });
    expect(cmds[2]).toMatchObject({ kind: 'loadcore', file: 'x.bin', address: 0 });
    expect(cmds[3]).toMatchObject({ kind: 'gpr', alter: { register: 1, value: 0xabc } });
    expect(cmds[4]).toMatchObject({ kind: 'cr', alter: { register: 0, value: 0x00b00060 } });
    expect(cmds[5]).toMatchObject({ kind: 'cpu', cpu: 1 });
    expect(cmds.slice(6).map((c) => c.kind)).toEqual(['archmode', 'pause', 'sysclear', 'sysreset', 'stop', 'start', 'pr', 'quit']);
  });

  it('reports every bad line with file, line and column', () => {
    const errs = errors('r 200=4110000\nr 7000 = 01\nfoo bar\nr 200=GG\nr 7000.\nr 0=' + '00'.repeat(33) + '\npause soon\ngpr 16=1\n');
    expect(errs.map((e) => [e.line, e.column, e.message])).toEqual([
      [1, 13, 'odd number of hex digits'],
      [2, 7, "expected '=', '.' or '-' after the address"],
      [3, 1, "unknown command 'foo' (supported: r, restart, ipl, loadcore, gpr, cr, psw, pr, pause, cpu, stop, start, sysclear, sysreset, archmode, quit, exit)"],
      [4, 7, "expected a hexadecimal digit, found 'G'"],
      [5, 8, "expected a hexadecimal length after '.'"],
      [6, 69, "more than 32 bytes in one 'r' command (Hercules' limit)"],
      [7, 7, "expected a number of seconds after 'pause'"],
      [8, 5, 'register 16 does not exist (0-15)'],
    ]);
    expect(errs.every((e) => e.file === 't.rc')).toBe(true);
  });

  it('rejects other architectures and impossible ranges', () => {
    expect(errors('archmode z/Arch')[0]!.message).toBe("architecture mode 'z/Arch' is not supported (only ESA/390)");
    expect(errors('r 200-100')[0]!.code).toBe('CONSOLE_RANGE');
    expect(errors('r 80000000.10')[0]!.code).toBe('CONSOLE_RANGE');
  });

  it('round-trips any alteration written with blanks between pairs (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x7fffffe0 }),
        fc.uint8Array({ minLength: 1, maxLength: 32 }),
        fc.array(fc.constantFrom('', ' ', '\t'), { minLength: 32, maxLength: 32 }),
        (address, bytes, gaps) => {
          const hexBytes = Array.from(bytes, (b, i) => gaps[i] + b.toString(16).padStart(2, '0'));
          const cmd = ok(`r ${address.toString(16)}=${hexBytes.join('')}`)[0]!;
          expect(cmd.kind).toBe('alter');
          if (cmd.kind === 'alter') {
            expect(cmd.address).toBe(address);
            expect(Array.from(cmd.bytes)).toEqual(Array.from(bytes));
          }
        },
      ),
    );
  });
});
