import { describe, expect, it } from 'vitest';
import { formatDirectoryError, parseDirectory, validateDirectory } from '../src/index';

const SAMPLE = `* A small directory in z/VM syntax
DIRECTORY 6A1 3390 VMRES1
PROFILE IBMDFLT
 CONSOLE 009 3215 T
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
USER MAINT MAINTPW 32M 128M ABCDEFG
 INCLUDE IBMDFLT
 MACHINE ESA 2
 MDISK 190 3390 100 50 VMRES1 RR
 MDISK 191 3390 150 10 VMRES1 MR READ WRITE MULT
USER CMSUSER CMSUSER 16M 256M G
 INCLUDE IBMDFLT
 IPL CMS PARM AUTOCR
 LINK MAINT 190 190 RR
 MDISK 191 3390 211 100 VMUSR1 MR
`;
const VOLUMES = [
  { volser: 'VMRES1', cylinders: 1113 },
  { volser: 'VMUSR1', cylinders: 3339 },
];

describe('USER DIRECT parser', () => {
  it('reads users, merges INCLUDEd profiles and keeps statement order', () => {
    const r = parseDirectory(SAMPLE, 'USER DIRECT');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const cms = r.value.users.get('CMSUSER')!;
    expect(cms.storage).toBe(16 * 1024 * 1024);
    expect(cms.maxStorage).toBe(256 * 1024 * 1024);
    expect(cms.privilegeClasses).toBe('G');
    expect(cms.ipl).toEqual({ target: 'CMS', parm: 'AUTOCR' });
    expect(cms.devices.map((d) => [d.kind, d.vdev])).toEqual([
      ['console', 0x009],
      ['spool', 0x00c],
      ['spool', 0x00d],
      ['spool', 0x00e],
      ['link', 0x190],
      ['mdisk', 0x191],
    ]);
    const md = cms.devices.find((d) => d.kind === 'mdisk');
    expect(md).toMatchObject({ startCylinder: 211, cylinders: 100, volser: 'VMUSR1', mode: 'MR', line: 17, column: 2 });
    const maint = r.value.users.get('MAINT')!;
    expect(maint.machine).toEqual({ mode: 'ESA', maxCpus: 2 });
    expect(maint.devices.find((d) => d.vdev === 0x191)).toMatchObject({ passwords: { read: 'READ', write: 'WRITE', multi: 'MULT' } });
    const v = validateDirectory(r.value, VOLUMES);
    expect(v.ok).toBe(true);
  });

  it('reports file:line:column with expected and found', () => {
    const r = parseDirectory('USER BOB PW 16Q 32M G\n MDISK 191 3380 0 10 VOL1 MR\n LINK ALICE 191 zz1 RR\n FROB 1\n', 'bob.direct');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.line, e.column, e.found])).toEqual([
      ['BAD_OPERAND', 1, 13, '16Q'],
      ['BAD_OPERAND', 2, 12, '3380'],
      ['BAD_OPERAND', 3, 17, 'zz1'],
      ['UNKNOWN_STATEMENT', 4, 2, 'FROB'],
    ]);
    expect(formatDirectoryError(r.errors[0]!)).toMatch(/^bob\.direct:1:13: error BAD_OPERAND: bad storage size/);
    expect(r.errors[1]!.expected).toBe('3390');
  });

  it('rejects missing operands, statements outside an entry, duplicates and unknown profiles', () => {
    const r = parseDirectory('CONSOLE 009 3215\nUSER A X 1M 1M\n MDISK 191 3390 0\n CONSOLE 9 3215\n CONSOLE 009 3215\n INCLUDE NOPE\nUSER A X 1M 1M\n', 'd');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const codes = r.errors.map((e) => `${e.code}@${e.line}:${e.column}`);
    expect(codes).toContain('OUTSIDE_ENTRY@1:1');
    expect(codes).toContain('MISSING_OPERAND@3:18');
    expect(codes).toContain('DUPLICATE_VDEV@5:10');
    expect(codes).toContain('DUPLICATE_USER@7:6');
    expect(codes).toContain('UNKNOWN_PROFILE@6:10');
    expect(codes.filter((c) => c.startsWith('MISSING'))).toHaveLength(1);
    const dup = r.errors.find((e) => e.code === 'DUPLICATE_VDEV')!;
    expect(dup.related).toEqual({ file: 'd', line: 4, column: 2 });
  });

  it('rejects storage above the maximum and sizes that are not 4K multiples', () => {
    const r = parseDirectory('USER A X 64M 32M G\nUSER B X 6000 1M G\n', 'd');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.code)).toEqual(['STORAGE_RANGE', 'BAD_OPERAND']);
  });
});

describe('directory validation against volumes', () => {
  it('reports overlapping minidisks at both statements', () => {
    const r = parseDirectory('USER A X 1M 1M\n MDISK 191 3390 10 20 VOL1 W\nUSER B X 1M 1M\n MDISK 191 3390 29 5 VOL1 W\n MDISK 192 3390 34 5 VOL1 W\n');
    if (!r.ok) throw new Error('parse');
    const v = validateDirectory(r.value, [{ volser: 'VOL1', cylinders: 100 }]);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors).toHaveLength(1);
    expect(v.errors[0]).toMatchObject({ code: 'MDISK_OVERLAP', line: 4, column: 2, related: { line: 2, column: 2 } });
    expect(v.errors[0]!.message).toContain('cylinder');
  });

  it('reports minidisks beyond the volume, unknown volumes and bad links; END takes the rest', () => {
    const r = parseDirectory(
      'USER A X 1M 1M\n MDISK 191 3390 90 11 VOL1 W\n MDISK 192 3390 0 1 NOVOL W\n MDISK 193 3390 50 END VOL1 W\n LINK B 191 291 RR\n LINK A 999 292 RR\n',
    );
    if (!r.ok) throw new Error('parse');
    const v = validateDirectory(r.value, [{ volser: 'VOL1', cylinders: 100 }]);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors.map((e) => `${e.code}@${e.line}`)).toEqual([
      'MDISK_OUTSIDE_VOLUME@2',
      'UNKNOWN_VOLUME@3',
      'LINK_TARGET@5',
      'LINK_TARGET@6',
    ]);
    const ok = parseDirectory('USER A X 1M 1M\n MDISK 193 3390 50 END VOL1 W\n');
    if (!ok.ok) throw new Error('parse');
    const vv = validateDirectory(ok.value, [{ volser: 'VOL1', cylinders: 100 }]);
    expect(vv.ok && vv.value.get('A 403')?.cylinders).toBe(50);
  });
});

describe('createCp input checks', () => {
  it('two volumes with one volser are an error value, not an exception', async () => {
    const { createCp } = await import('../src/index');
    const { CkdVolume, geometry3390 } = await import('@strachey/io-channel');
    const r = createCp({
      directory: 'USER A A 1M 1M G\n',
      volumes: [
        { volser: 'VOL1', volume: new CkdVolume(geometry3390(10)) },
        { volser: 'vol1', volume: new CkdVolume(geometry3390(10)), devnum: 0x100 },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'volume VOL1 is given twice'],
      [2, 'real device number 100 is used twice or out of range'],
    ]);
  });
});

describe('OPTION SIE | TRAPEMULATE (a Strachey extension): the execution style per user', () => {
  const STYLES = `PROFILE FAST
 OPTION SIE
 CONSOLE 009 3215
USER A A 1M 4M G
 INCLUDE FAST
USER B B 1M 4M G
 INCLUDE FAST
 OPTION MAINTCCW TRAPEMULATE
USER C C 1M 4M G
 OPTION MAINTCCW
`;

  it('is parsed with the other options; the user’s own choice wins over its profile’s; none is null', () => {
    const r = parseDirectory(STYLES);
    if (!r.ok) throw new Error(r.errors.map(formatDirectoryError).join('\n'));
    const u = (id: string) => r.value.users.get(id)!;
    expect([u('A').executionStyle, u('B').executionStyle, u('C').executionStyle]).toEqual([
      'sie',
      'trap-and-emulate',
      null,
    ]);
    expect(u('B').options).toEqual(['SIE', 'MAINTCCW', 'TRAPEMULATE']);
    expect(u('C').options).toEqual(['MAINTCCW']);
  });

  it('a contradicting style in one entry, an empty OPTION and SIE with storage not in 64K units are errors at file:line:column', () => {
    const r = parseDirectory(
      'USER A A 1M 4M G\n OPTION SIE LNKNOPAS TRAPEMULATE\nUSER B B 1M 4M G\n OPTION\nUSER C C 96K 4M G\n OPTION  sie\nPROFILE P\n OPTION SIE\nUSER D D 100K 4M G\n INCLUDE P\n',
      'styles.direct',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatDirectoryError)).toEqual([
      'styles.direct:2:22: error BAD_OPERAND: OPTION TRAPEMULATE contradicts OPTION SIE: an entry has one execution style (see styles.direct:2:9)',
      'styles.direct:4:8: error MISSING_OPERAND: OPTION needs an option (e.g. SIE or TRAPEMULATE)',
      'styles.direct:6:10: error STORAGE_RANGE: OPTION SIE needs logon storage in 64K units; USER C has 96K (see styles.direct:5:1)',
      'styles.direct:8:9: error STORAGE_RANGE: OPTION SIE needs logon storage in 64K units; USER D has 100K (see styles.direct:9:1)',
    ]);
    expect(r.errors[0]).toMatchObject({ expected: 'SIE or neither', found: 'TRAPEMULATE' });
    expect(r.errors[2]).toMatchObject({
      found: 'sie',
      expected: 'a storage size that is a multiple of 64K, or OPTION TRAPEMULATE',
    });
  });
});
