import { describe, expect, it } from 'vitest';
import { createPrsm, formatPrsmError, parseIocp, parseProfiles } from '../src/index';
import { must } from './fixtures';

const GOOD = `
# the seed's example: MVS1 with two dedicated CPs, MVS2..MVS5 sharing eight
[CPC]
storage = 4G
cps     = 10
hsa     = 64M
slice   = 12.5ms

[MVS1]
storage   = 512M
cps       = 2
dedicated = yes

[MVS2]
storage  = 256M
reserved = 128M
mode     = blocks      ; IRD can add blocks
cps      = 4
weight   = 40
capped   = yes
`;

describe('image profiles', () => {
  it('reads the CPC and image sections with sizes, times and yes/no', () => {
    const p = must(parseProfiles(GOOD, 'good.prof'));
    expect(p.cpc).toEqual({ storage: 2 ** 32, cps: 10, saps: 2, hsa: 64 << 20, sliceUs: 12_500 });
    expect(p.images[0]).toMatchObject({ name: 'MVS1', storage: 512 << 20, mode: 'zone', cps: 2, dedicated: true });
    expect(p.images[1]).toMatchObject({ name: 'MVS2', storage: 256 << 20, reserved: 128 << 20, mode: 'blocks', cps: 4, weight: 40, capped: true });
  });

  const errors: [string, string, string, number, number, string | undefined, string | undefined][] = [
    ['a bad size', '[LP1]\nstorage = lots\n', 'BAD_VALUE', 2, 11, 'a number with K, M or G (e.g. 256M)', 'lots'],
    ['blocks not in 64M steps', '[LP1]\nstorage = 100M\nmode = blocks\n', 'BAD_VALUE', 2, 11, 'a multiple of 64M (one block)', '100M'],
    ['an unknown key', '[LP1]\nstorage = 64M\ncolour = blue\n', 'UNKNOWN_OPERAND', 3, 1, 'storage, reserved, mode, origin, cps, dedicated, weight, capped', 'colour'],
    ['weight out of range', '[LP1]\nstorage = 64M\nweight = 1000\n', 'BAD_VALUE', 3, 10, 'an integer 1-999', '1000'],
    ['weight on dedicated CPs', '[LP1]\nstorage = 64M\ndedicated = yes\nweight = 10\n', 'BAD_VALUE', 4, 1, 'dedicated = no', 'dedicated = yes'],
    ['origin in blocks mode', '[LP1]\nstorage = 64M\nmode = blocks\norigin = 0x0\n', 'STORAGE_MODE', 4, 1, 'mode = zone', 'mode = blocks'],
    ['a setting before any section', 'storage = 64M\n', 'SYNTAX', 1, 1, '[CPC] or [NAME] first', 'storage'],
    ['a missing storage', '[LP1]\ncps = 2\n', 'MISSING_OPERAND', 1, 2, 'storage = SIZE', 'no storage setting'],
    ['a bad slice', '[CPC]\nslice = 5 minutes\n', 'BAD_VALUE', 2, 9, 'e.g. 12.5ms or 500us', '5 minutes'],
    ['a bad section', '[LP-1]\n', 'SYNTAX', 1, 1, '[NAME] with a 1-8 character partition name or [CPC]', '[LP-1]'],
  ];
  for (const [what, text, code, line, column, expected, found] of errors) {
    it(`reports ${what} at file:line:column with expected and found`, () => {
      const r = parseProfiles(text, 'bad.prof');
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect({ code: r.error.code, line: r.error.line, column: r.error.column, expected: r.error.expected, found: r.error.found }).toEqual({ code, line, column, expected, found });
      expect(formatPrsmError(r.error).startsWith(`bad.prof:${line}:${column}: error ${code}`)).toBe(true);
    });
  }

  it('refuses a profile for a partition the deck does not define, pointing at the profile', () => {
    const iocp = must(parseIocp(' RESOURCE PARTITION=((MVS1,1))\n', 'd.iocp'));
    const profiles = must(parseProfiles(GOOD, 'good.prof'));
    const r = createPrsm({ iocp, profiles });
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.code, r.error.file, r.error.line, r.error.found]).toEqual(['UNDEFINED_PARTITION', 'good.prof', 14, 'MVS2']);
  });
});
