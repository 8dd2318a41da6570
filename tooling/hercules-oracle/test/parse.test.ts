/**
 * The parser against console logs captured from real Hercules 3.13 runs
 * (test/fixtures/*.log, produced by running the .rc file beside each log
 * with `hercules -f h.cnf -d`, the oracle configuration).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHerculesOutput, scriptCommands, splitSections, storageBytes } from '../src/index';

const fixture = (name: string) => {
  const dir = join(import.meta.dirname, 'fixtures');
  const script = readFileSync(join(dir, `${name}.rc`), 'utf8');
  return { script, out: parseHerculesOutput(readFileSync(join(dir, `${name}.log`), 'latin1'), script) };
};

describe('scriptCommands', () => {
  it('follows the 3.13 script processor: # lines silent, * lines echoed, trailing # comments cut, pause not echoed', () => {
    const cmds = scriptCommands('# silent\n* loud\n\n  gpr   \nr 0=00 # note\npause 1\nquit\n');
    expect(cmds).toEqual([
      { text: '* loud', line: 2, pause: false },
      { text: 'gpr', line: 4, pause: false },
      { text: 'r 0=00', line: 5, pause: false },
      { text: 'pause 1', line: 6, pause: true },
      { text: 'quit', line: 7, pause: false },
    ]);
  });
});

describe('a program-check log (operation and fixed-point-divide exceptions)', () => {
  const { out } = fixture('program-check');

  it('attributes every echoed command in script order', () => {
    const texts = out.commands.map((c) => c.text);
    expect(texts[0]).toBe('r 0=0008000000000200');
    expect(texts).toContain('* divide check with program mask');
    expect(texts[texts.length - 1]).toBe('quit');
  });

  it('reads HHCCP014I with code, ILC, the old PSW and the registers that follow it', () => {
    expect(out.programChecks.map((p) => [p.name, p.code, p.ilc])).toEqual([
      ['Operation exception', 0x0001, 2],
      ['Fixed-point-divide exception', 0x0009, 2],
    ]);
    const first = out.programChecks[0]!;
    expect(first.cpu).toBe(0);
    expect(first.psw).toEqual([0x00080000, 0x00000206]);
    expect(first.instruction.startsWith('INST=0000')).toBe(true);
    expect(first.gpr?.[1]).toBe(5);
    // The registers shown inside the message are not a `gpr` command's block.
    expect(out.gprs).toHaveLength(1);
  });

  it('reads HHCCP011I disabled waits with their PSW', () => {
    expect(out.disabledWaits).toEqual([
      { cpu: 0, psw: [0x000a0000, 0x0000dead] },
      { cpu: 0, psw: [0x000a0000, 0x0000dead] },
    ]);
  });

  it('reads gpr, psw (with its field line), cr and r displays', () => {
    const gpr = out.commands.find((c) => c.text === 'gpr')!;
    expect(gpr.items[0]).toEqual({ kind: 'gpr', cpu: null, values: [0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
    expect(out.psws[0]).toMatchObject({ hex: '000A00000000DEAD', fields: { sm: 0, cmwp: 0xa, am: 24, ia: 0xdead } });
    expect(out.crs[0]!.values[0]).toBe(0xe0);
    expect(out.crs[0]!.values[14]).toBe(0xc2000000);
    const pgmCode = out.commands.filter((c) => c.text === 'r 88.10').map((c) => storageBytes(c.items.filter((i) => i.kind === 'storage')));
    expect([pgmCode[0]!.get(0x8d), pgmCode[0]!.get(0x8f)]).toEqual([2, 0x01]);
    expect([pgmCode[1]!.get(0x8d), pgmCode[1]!.get(0x8f)]).toEqual([2, 0x09]);
  });

  it('keeps error messages with the command that caused them', () => {
    const ipl = out.commands.find((c) => c.text === 'ipl 0500')!;
    expect(ipl.messages.map((m) => m.id)).toEqual(['HHCCP027E']);
    expect(ipl.messages[0]!.severity).toBe('E');
  });
});

describe('a storage-display log', () => {
  const { out } = fixture('storage-display');
  const lines = (cmd: string) => out.commands.find((c) => c.text === cmd)!.items;

  it('shows whole 16-byte lines from the start address whatever the length', () => {
    const l = lines('r 5001.5');
    expect(l).toHaveLength(1);
    expect(l[0]).toMatchObject({ kind: 'storage', address: 0x5001, key: 0 });
    expect(l[0]?.kind === 'storage' && l[0].bytes.length).toBe(16);
  });

  it('shows 64 bytes for an address alone and stops at the end of main storage', () => {
    expect(lines('r 7000')).toHaveLength(4);
    expect(lines('r FFFFF0.20').map((i) => i.kind)).toEqual(['storage', 'storage-invalid']);
  });

  it('reads the key field and the character column', () => {
    const l = lines('r 7000=C1C2C3F0F1818283404B4E5A7B7C7D7E7F')[0];
    expect(l).toMatchObject({ kind: 'storage', key: 0x06, chars: "ABC01abc .+!#@'=" });
  });

  it('keeps Hercules error messages for malformed operands', () => {
    expect(out.commands.find((c) => c.text === 'r 7000=ABC')!.messages[0]!.id).toBe('HHCPN143E');
    expect(out.commands.find((c) => c.text === 'r 7000 = 01')!.messages[0]!.id).toBe('HHCPN144E');
    expect(out.commands.find((c) => c.text === 'foo')!.messages[0]!.id).toBe('HHCPN139E');
  });
});

describe('a two-CPU log', () => {
  const { out } = fixture('two-cpus');
  it('reads CPU-prefixed register lines and the CPU of each block', () => {
    expect(out.gprs.map((g) => [g.cpu, g.values[1]])).toEqual([
      [0, 5],
      [1, 0],
    ]);
    expect(out.crs[0]!.cpu).toBe(0);
    expect(out.items.some((i) => i.kind === 'prefix' && i.value === 0)).toBe(true);
  });
});

describe('interleaved threads', () => {
  // Captured from a batch run: the CPU thread's wait message is written in
  // pieces, and the script thread's echo of `sh sleep 0.02` landed inside it.
  const script = '* CASE 1\nrestart\nsh sleep 0.02\npsw\n* CASE 2\npsw\n';
  const log = [
    '* CASE 1',
    'restart',
    'HHCPN038I Restart key depressed',
    'HHCCP011I CPU0000: Disabled wait state',
    '          sh sleep 0.02',
    'PSW=000A0000 0000AAAA',
    'psw',
    'psw sm=00 pk=0 cmwp=A as=pri cc=0 pm=0 am=24 ia=AAAA',
    'PSW=000A0000 0000AAAA',
    '* CASE 2',
    'psw',
    'psw sm=00 pk=0 cmwp=A as=pri cc=0 pm=0 am=24 ia=AAAA',
    'PSW=000A0000 0000AAAA',
  ].join('\n');

  it('still finds the echo and gives the split-off PSW to the wait message', () => {
    const out = parseHerculesOutput(log, script);
    expect(out.commands.map((c) => c.text)).toEqual(['* CASE 1', 'restart', 'sh sleep 0.02', 'psw', '* CASE 2', 'psw']);
    expect(out.disabledWaits).toEqual([{ cpu: 0, psw: [0x000a0000, 0xaaaa] }]);
    expect(out.psws).toHaveLength(2);
  });

  it('finds an echo written into the middle of a program-check message', () => {
    const out = parseHerculesOutput(
      [
        'restart',
        'HHCCP014I CPU0000: Fixed-point-overflow exception CODE=0008 ILC=4',
        'PSW=00083900 80000216 INST=8F600DE6     sh sleep 0.02',
        'SLDA  6,3558(0)              shift_left_double',
        'HHCCP011I CPU0000: Disabled wait state',
        '          PSW=000A0000 0000EEE0',
        'psw',
        'psw sm=00 pk=0 cmwp=A as=pri cc=0 pm=0 am=24 ia=EEE0',
        'PSW=000A0000 0000EEE0',
      ].join('\n'),
      'restart\nsh sleep 0.02\npsw\n',
    );
    expect(out.commands.map((c) => c.text)).toEqual(['restart', 'sh sleep 0.02', 'psw']);
    expect(out.programChecks[0]).toMatchObject({ code: 8, ilc: 4, psw: [0x00083900, 0x80000216] });
    expect(out.psws.map((p) => p.hex)).toEqual(['000A00000000EEE0']);
  });

  it('resynchronises at the next * marker when an echo is missing', () => {
    const out = parseHerculesOutput(log.replace('\nrestart\n', '\n'), script);
    expect(splitSections(out).map((s) => [s.title, s.commands.map((c) => c.text)])).toEqual([
      ['CASE 1', []],
      ['CASE 2', ['psw']],
    ]);
  });
});

describe('splitSections', () => {
  it('splits at * comments', () => {
    const { out } = fixture('program-check');
    const s = splitSections(out);
    expect(s.map((x) => x.title)).toEqual(['', 'divide check with program mask']);
    expect(s[1]!.commands[0]!.text).toBe('sysclear');
  });
});
