/**
 * The CMS guest (cms/cms.asm, ESA/390 assembler executed by isa-core) under
 * CP: a user logs on, IPLs CMS from the system disk 190, types commands on
 * the virtual 3215 console, and the A-disk 191 is read back afterwards with
 * the host-side reader.
 */
import { CkdVolume, geometry3390 } from '@strachey/io-channel';
import { assemble } from '@strachey/isa-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CmsFile, createCp, formatCmsDisk, installCms, readCmsDisk } from '../src/index';
const A_DISK = { start: 100, cylinders: 5 };
const SYSRES = { start: 10, cylinders: 1 };

/** HELLO MODULE: prints its first argument through CMS's TYPLIN service (R2), returns 0. */
function helloModule(): Uint8Array {
  const r = assemble(`
HELLO    START X'20000'
         USING HELLO,15
         STM   14,12,SAVE
         LR    12,15
         DROP  15
         USING HELLO,12
         MVC   MSG+16(8),8(1)
         LA    1,MSG
         LA    0,L'MSG
         BALR  14,2
         LM    14,12,SAVE
         LA    15,7
         BR    14
SAVE     DS    15F
MSG      DC    C'HELLO FROM CMS, ????????'
         END   HELLO`);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.image;
}

function system(files: CmsFile[]) {
  const volume = new CkdVolume(geometry3390(200));
  const installed = installCms(volume, SYSRES);
  if (!installed.ok) throw new Error(installed.error);
  const f = formatCmsDisk(volume, A_DISK, { label: 'CMS191', files });
  if (!f.ok) throw new Error(f.error.message);
  const directory = `USER ALICE SECRET 16M 16M G\n IPL 190\n CONSOLE 009 3215\n MDISK 190 3390 ${SYSRES.start} ${SYSRES.cylinders} VMRES1 RR\n MDISK 191 3390 ${A_DISK.start} ${A_DISK.cylinders} VMRES1 MR\n`;
  const r = createCp({ directory, volumes: [{ volser: 'VMRES1', volume }] });
  if (!r.ok) throw new Error('directory');
  const l = r.cp.logon('ALICE', 'SECRET');
  if (!l.ok) throw new Error(l.error.message);
  const ipl = r.cp.ipl('ALICE');
  if (!ipl.ok) throw new Error(ipl.error.message);
  const vm = l.vm;
  const session = (lines: string[]): string[] => {
    const before = vm.consoleLines.length;
    vm.consoleInput.push(...lines);
    for (let i = 0; i < 40 && vm.consoleInput.length > 0; i++) r.cp.run(50_000_000);
    r.cp.run(50_000_000);
    return vm.consoleLines.slice(before);
  };
  return { cp: r.cp, vm, volume, session, disk: () => { const d = readCmsDisk(volume, A_DISK); if (!d.ok) throw new Error(d.error.message); return d.disk; } };
}

const FILES: CmsFile[] = [
  { fn: 'PROFILE', ft: 'EXEC', recfm: 'V', lrecl: 80, records: ['/* PROFILE */', 'ACCESS 191 A'] },
  { fn: 'HELLO', ft: 'TEXT', recfm: 'F', lrecl: 80, records: ['LINE ONE', 'LINE TWO', 'LINE THREE'] },
];

const READY = /^Ready; T=\d+\.\d\d\/\d+\.\d\d \d\d:\d\d:\d\d$/;

describe('CMS under CP', () => {
  it('IPLs from 190: the banner, then a Ready prompt with CPU time and the time of day', () => {
    const s = system(FILES);
    s.session([]);
    expect(s.vm.consoleLines[0]).toBe('CMS VERSION 1.0 STRACHEY');
    expect(s.vm.consoleLines[1]).toMatch(READY);
    expect(s.vm.consoleLines).toHaveLength(2);
  });

  it('answers an unknown command as CMS does, with return code -3', () => {
    const s = system(FILES);
    s.session([]);
    const out = s.session(['frobnicate now']);
    expect(out[0]).toBe('Unknown CP/CMS command');
    expect(out[1]).toMatch(/^Ready\(-0003\); T=/);
  });

  it('LISTFILE lists the A-disk, with * and prefix* patterns; no match is DMSLST002E', () => {
    const s = system(FILES);
    s.session([]);
    expect(s.session(['LISTFILE']).slice(0, 2)).toEqual(['PROFILE  EXEC     A1', 'HELLO    TEXT     A1']);
    expect(s.session(['listfile * text'])[0]).toBe('HELLO    TEXT     A1');
    expect(s.session(['L PRO*'])[0]).toBe('PROFILE  EXEC     A1');
    const none = s.session(['LISTFILE NOSUCH * A']);
    expect(none[0]).toBe('DMSLST002E File not found');
    expect(none[1]).toMatch(/^Ready\(00028\);/);
  });

  it('TYPE shows F and V records; a missing file is "File FOO BAR A not found" with return code 28', () => {
    const s = system(FILES);
    s.session([]);
    const f = s.session(['TYPE HELLO TEXT A']);
    expect(f.slice(0, 3)).toEqual(['LINE ONE', 'LINE TWO', 'LINE THREE']);
    expect(f[3]).toMatch(READY);
    expect(s.session(['type profile exec']).slice(0, 2)).toEqual(['/* PROFILE */', 'ACCESS 191 A']);
    const missing = s.session(['TYPE FOO BAR A']);
    expect(missing[0]).toBe('DMSTYP002E File FOO BAR A not found');
    expect(missing[1]).toMatch(/^Ready\(00028\);/);
  });

  it('COPYFILE writes a new file on the A-disk, RENAME and ERASE change the directory; the host reader sees the result', () => {
    const s = system(FILES);
    s.session([]);
    s.session(['COPYFILE HELLO TEXT A COPY TEXT A']);
    let disk = s.disk();
    const copy = disk.files.find((f) => f.fn === 'COPY');
    expect(copy?.text.map((t) => t.trimEnd())).toEqual(['LINE ONE', 'LINE TWO', 'LINE THREE']);
    expect(copy?.firstBlock).not.toBe(disk.files.find((f) => f.fn === 'HELLO')?.firstBlock);
    expect(s.session(['TYPE COPY TEXT'])[1]).toBe('LINE TWO');
    const dup = s.session(['COPYFILE HELLO TEXT A COPY TEXT A']);
    expect(dup[0]).toBe('DMSCOP024E File COPY TEXT A already exists');
    s.session(['RENAME COPY TEXT A NEW = A']);
    disk = s.disk();
    expect(disk.files.map((f) => `${f.fn} ${f.ft}`).sort()).toEqual(['HELLO TEXT', 'NEW TEXT', 'PROFILE EXEC']);
    const used = disk.usedBlocks;
    s.session(['ERASE NEW TEXT']);
    disk = s.disk();
    expect(disk.files.map((f) => f.fn).sort()).toEqual(['HELLO', 'PROFILE']);
    expect(disk.usedBlocks).toBe(used - 1);
    expect(s.session(['TYPE NEW TEXT A'])[0]).toBe('DMSTYP002E File NEW TEXT A not found');
  });

  it('QUERY DISK prints the real header and the A-disk line', () => {
    const s = system(FILES);
    s.session([]);
    const out = s.session(['QUERY DISK']);
    expect(out[0]).toBe('LABEL  VDEV M  STAT   CYL TYPE BLKSIZE  FILES  BLKS USED-(%) BLKS LEFT  BLK TOTAL');
    // 5 cylinders = 75 blocks; used: label track, directory, map, one block per file.
    // Each number right-aligned under its heading: CYL ends in column 25, FILES in 45, USED in 57, LEFT in 70, TOTAL in 81.
    const expected = `${'CMS191 191  A  R/W'}${'5'.padStart(7)} 3390 4096${'2'.padStart(10)}${'5'.padStart(12)}-06${'70'.padStart(10)}${'75'.padStart(11)}`;
    expect(out[1]).toBe(expected);
    expect(out[1]!.length).toBe(out[0]!.length);
  });

  it('#CP passes the rest of the line to CP (DIAGNOSE X\'008\'), QUERY other than DISK goes to CP too', () => {
    const s = system(FILES);
    s.session([]);
    const out = s.session(['#CP QUERY TIME']);
    expect(out[0]).toMatch(/^TIME IS \d\d:\d\d:\d\d UTC( [A-Z]+DAY \d\d\/\d\d\/\d\d)?$/);
    expect(out[1]).toMatch(/^CONNECT= /);
    expect(out[2]).toMatch(READY);
    expect(s.session(['q userid'])[0]).toBe('ALICE AT STRACHEY');
  });

  it('runs a MODULE from the A-disk: loaded at X\'20000\', R1 -> arguments, returns with BR 14 and its R15', () => {
    const s = system([...FILES, { fn: 'HELLO', ft: 'MODULE', recfm: 'F', lrecl: 4096, records: [helloModule()] }]);
    s.session([]);
    const out = s.session(['hello world']);
    expect(out[0]).toBe('HELLO FROM CMS, WORLD   ');
    expect(out[1]).toMatch(/^Ready\(00007\);/);
    expect(s.session(['LISTFILE * MODULE'])[0]).toBe('HELLO    MODULE   A1');
  });

  it('a user program that fails (program check, unsupported SVC) ends in DMSABN148T and CMS carries on', () => {
    const r = assemble(`
BAD      START X'20000'
         USING BAD,15
         CLI   8(1),C'S'
         BE    SVC
         SR    2,2
         D     2,=F'0'
SVC      SVC   202
         LTORG
         END   BAD`);
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    const s = system([...FILES, { fn: 'BAD', ft: 'MODULE', recfm: 'F', lrecl: 4096, records: [r.image] }]);
    s.session([]);
    const divide = s.session(['BAD']);
    expect(divide[0]).toBe('DMSABN148T SYSTEM ABEND 0C9 CALLED FROM 02000E');
    expect(divide[1]).toMatch(/^Ready\(00148\);/);
    const svc = s.session(['BAD S']);
    expect(svc[0]).toMatch(/^DMSABN148T SYSTEM ABEND DCA CALLED FROM 0200[0-9A-F]{2}$/);
    expect(s.session(['LISTFILE * TEXT'])[0]).toBe('HELLO    TEXT     A1');
  });

  it('COPYFILE without a target fileid is DMSCOP054E', () => {
    const s = system(FILES);
    s.session([]);
    const out = s.session(['COPYFILE HELLO TEXT A']);
    expect(out[0]).toBe('DMSCOP054E Incomplete fileid specified');
    expect(out[1]).toMatch(/^Ready\(00024\);/);
  });

  it('TYPE and COPYFILE handle a file spanning several blocks (contiguous allocation, first fit)', () => {
    const lines = Array.from({ length: 120 }, (_, i) => `RECORD ${String(i + 1).padStart(4, '0')} ${'X'.repeat(i % 60)}`);
    const s = system([{ fn: 'BIG', ft: 'DATA', recfm: 'V', lrecl: 80, records: lines }]);
    s.session([]);
    const typed = s.session(['TYPE BIG DATA A']);
    // TYPE drops trailing blanks, as on a terminal.
    expect(typed.slice(0, 120)).toEqual(lines.map((l) => l.trimEnd()));
    s.session(['COPYFILE BIG DATA A BIG COPY A']);
    const disk = s.disk();
    const big = disk.files.find((f) => f.ft === 'DATA')!;
    const copy = disk.files.find((f) => f.ft === 'COPY')!;
    expect(big.blocks).toBeGreaterThan(1);
    expect(copy.blocks).toBe(big.blocks);
    expect(copy.firstBlock).toBe(big.firstBlock + big.blocks);
    expect(copy.text).toEqual(lines);
  });
});

describe('CMS A-disk host tools', () => {
  it('readCmsDisk returns what formatCmsDisk wrote (records, formats, block accounting)', () => {
    const record = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,'.split('')), maxLength: 80 });
    const file = fc.record({
      fn: fc.stringMatching(/^[A-Z][A-Z0-9]{0,7}$/),
      ft: fc.stringMatching(/^[A-Z][A-Z0-9]{0,7}$/),
      recfm: fc.constantFrom('F' as const, 'V' as const),
      records: fc.array(record, { maxLength: 200 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(file, { selector: (f) => `${f.fn} ${f.ft}`, maxLength: 6 }), (specs) => {
        const volume = new CkdVolume(geometry3390(60));
        const files: CmsFile[] = specs.map((f) => ({ ...f, lrecl: 80 }));
        const w = formatCmsDisk(volume, { start: 20, cylinders: 10 }, { label: 'PROP01', files });
        expect(w.ok).toBe(true);
        const r = readCmsDisk(volume, { start: 20, cylinders: 10 });
        if (!r.ok) throw new Error(r.error.message);
        expect(r.disk.label).toBe('PROP01');
        expect(r.disk.totalBlocks).toBe(150);
        expect(r.disk.files.map((f) => `${f.fn} ${f.ft} ${f.recfm}`)).toEqual(specs.map((f) => `${f.fn} ${f.ft} ${f.recfm}`));
        for (const [i, f] of r.disk.files.entries()) {
          const want = specs[i]!.records.map((t) => (f.recfm === 'F' ? t.padEnd(80, ' ') : t));
          expect(f.text).toEqual(want);
        }
        expect(r.disk.usedBlocks).toBe(3 + r.disk.files.reduce((n, f) => n + f.blocks, 0));
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('refuses a disk too small for its files, and a disk that was never formatted', () => {
    const volume = new CkdVolume(geometry3390(10));
    const w = formatCmsDisk(volume, { start: 0, cylinders: 1 }, { label: 'TINY', files: [{ fn: 'HUGE', ft: 'FILE', recfm: 'F', lrecl: 4096, records: Array.from({ length: 20 }, () => 'X') }] });
    expect(w).toMatchObject({ ok: false, error: { code: 'DISK_FULL' } });
    expect(readCmsDisk(volume, { start: 5, cylinders: 1 })).toMatchObject({ ok: false, error: { code: 'NOT_CMS' } });
  });
});
