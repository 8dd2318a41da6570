/**
 * `strachey cp sample DIR`: a small system to try `strachey cp` with, made
 * with io-channel's and hypervisor-cp's API: DIR/USER.DIRECT (four users)
 * and DIR/volumes/ with two 3390 images. CPRES1 holds MAINT's 190 minidisk
 * (cylinders 1-5), whose IPL record loads ECHOVM (a small guest that echoes
 * console lines) at X'2000', and MAINT's 290 (cylinder 10), the CMS system
 * disk; CPUSR1 holds the users' 191 disks, CMSUSER's formatted for CMS with
 * two files. The tests use the same system.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCmsDisk, guestSource, installCms } from '@strachey/hypervisor-cp';
import { CkdVolume, formatVolume, geometry3390, saveVolume } from '@strachey/io-channel';
import { assemble } from '@strachey/isa-core';
import type { Command } from 'commander';
import { UserError } from '../diagnostics';
import { makeDirectories } from '../fs-util';

/** The sample's user directory (USER DIRECT syntax). Passwords are USERID + PW (CMSUSER: CMSPW). */
export const SAMPLE_DIRECTORY = `* A small CP directory for strachey cp: ALICE IPLs the ECHOVM guest
* from MAINT's 190, BOB has no IPL statement, CMSUSER IPLs CMS (the
* system disk MAINT 290, linked as 190) with a CMS A-disk 191.
* Volumes: CPRES1 (system residence), CPUSR1 (user disks).
USER ALICE ALICEPW 1M 4M G
 IPL 190
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 LINK MAINT 190 190 RR
 MDISK 191 3390 1 5 CPUSR1 MR
USER BOB BOBPW 1M 4M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 LINK MAINT 190 190 RR
 MDISK 191 3390 6 5 CPUSR1 MR
USER CMSUSER CMSPW 4M 16M G
 IPL CMS
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 LINK MAINT 290 190 RR
 MDISK 191 3390 11 5 CPUSR1 MR
USER MAINT MAINTPW 2M 16M ABCDEFG
 CONSOLE 009 3215
 MDISK 190 3390 1 5 CPRES1 MR
 MDISK 290 3390 10 1 CPRES1 RR
`;


/** CPRES1: VOL1 label, then at cylinder 1 a minidisk whose track 0 is an IPL record and the ECHOVM image; CMS on cylinder 10. */
export function sampleSystemVolume(): CkdVolume {
  // ECHOVM, the guest ALICE IPLs from MAINT's 190: hypervisor-cp ships it (guests/echovm.asm). It echoes
  // each console line as "ECHO: line"; STOP ends it.
  const source = guestSource('echovm');
  if (source === undefined)
    throw new UserError({
      code: 'GUEST_MISSING',
      message: '@strachey/hypervisor-cp is installed without its guests folder (echovm.asm)',
    });
  const program = assemble(source);
  // A shipped source: an assembly error is a bug, not the user's.
  if (!program.ok)
    throw new Error(program.errors.map((e) => `echovm:${e.line}:${e.column}: ${e.message}`).join('\n'));
  const image = new Uint8Array(2048);
  for (const c of program.chunks) image.set(c.bytes, c.address - 0x2000);
  // IPL record 1: PSW (format ESA/390, address X'2000'), CCW READ DATA 2048 bytes (SLI) of record 2 into X'2000'.
  const ipl1 = Uint8Array.from([
    0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x20, 0x00, 0x06, 0x00, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0, 0, 0,
    0, 0, 0, 0, 0,
  ]);
  const v = new CkdVolume(geometry3390(20));
  formatVolume(v, 'CPRES1');
  const rec = (r: number, data: Uint8Array) => ({ cc: 1, hh: 0, r, key: new Uint8Array(0), data });
  v.setTrack(1, 0, [
    { cc: 1, hh: 0, r: 0, key: new Uint8Array(0), data: new Uint8Array(8) },
    rec(1, ipl1),
    rec(2, image),
  ]);
  const cms = installCms(v, { start: 10, cylinders: 1 });
  if (!cms.ok) throw new Error(cms.error);
  return v;
}

/** The files on CMSUSER's A-disk. */
export const SAMPLE_CMS_FILES = [
  {
    fn: 'HELLO',
    ft: 'TEXT',
    recfm: 'F' as const,
    lrecl: 80,
    records: ['Hello from the A-disk.', 'Second line.'],
  },
  { fn: 'NOTES', ft: 'TEXT', recfm: 'F' as const, lrecl: 80, records: ['Two files on this disk.'] },
];

/** CPUSR1: a labelled volume for the users' 191 minidisks; CMSUSER's (cylinders 11-15) is a CMS disk. */
export function sampleUserVolume(): CkdVolume {
  const v = new CkdVolume(geometry3390(20));
  formatVolume(v, 'CPUSR1');
  const r = formatCmsDisk(v, { start: 11, cylinders: 5 }, { label: 'CMS191', files: SAMPLE_CMS_FILES });
  if (!r.ok) throw new Error(r.error.message);
  return v;
}

/** The two volume images, saved in strachey format into `dir` (which must exist). */
export function writeSampleVolumes(dir: string): void {
  saveVolume(join(dir, 'cpres1.3390'), sampleSystemVolume());
  saveVolume(join(dir, 'cpusr1.3390'), sampleUserVolume());
}

/** What `strachey cp sample DIR` writes, relative to DIR. */
export const SAMPLE_FILES = ['USER.DIRECT', 'volumes/cpres1.3390', 'volumes/cpusr1.3390'] as const;

/**
 * Write the sample system into `dir`: USER.DIRECT and volumes/. Refuses to
 * replace an existing file unless `force`; every file is written atomically.
 */
export function writeSampleSystem(dir: string, force = false): void {
  const existing = SAMPLE_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f));
  if (existing.length > 0 && !force) {
    throw new UserError(
      existing.map((file) => ({
        code: 'FILE_EXISTS',
        file,
        message: 'file exists; use --force to overwrite it',
      })),
    );
  }
  // Built before anything is written: a failure here is a bug, and only file-system errors are the user's.
  const system = sampleSystemVolume();
  const user = sampleUserVolume();
  try {
    makeDirectories(join(dir, 'volumes'));
    const directory = join(dir, 'USER.DIRECT');
    const tmp = `${directory}.${process.pid}.tmp`;
    writeFileSync(tmp, SAMPLE_DIRECTORY);
    renameSync(tmp, directory);
    saveVolume(join(dir, 'volumes', 'cpres1.3390'), system);
    saveVolume(join(dir, 'volumes', 'cpusr1.3390'), user);
  } catch (error) {
    throw new UserError({
      code: 'FILE_NOT_WRITABLE',
      file: dir,
      message: `cannot write the sample system: ${(error as Error).message}`,
    });
  }
}

/** Register `strachey cp sample DIR` under the `cp` command. */
export function registerCpSample(cp: Command): void {
  cp.command('sample')
    .description(
      'write a sample system to try strachey cp with: DIR/USER.DIRECT (ALICE, BOB, CMSUSER with IPL CMS, MAINT) and DIR/volumes/ (two 3390 images, CMS installed)',
    )
    .argument('<dir>', 'directory to write into (created if missing)')
    .option('--force', 'overwrite the files of an earlier sample')
    .action((dir: string, o: { force?: boolean }) => {
      writeSampleSystem(dir, o.force === true);
      process.stdout.write(
        `wrote ${SAMPLE_FILES.map((f) => join(dir, f)).join(', ')}\n` +
          `start CP: strachey cp --directory ${join(dir, 'USER.DIRECT')} --volumes ${join(dir, 'volumes')} [--tn3270 3270]\n` +
          'log on:   LOGON CMSUSER CMSPW (IPL CMS; then LISTFILE, TYPE HELLO TEXT, #CP LOGOFF), ALICE ALICEPW (the ECHOVM guest), BOB BOBPW\n',
      );
    });
}
