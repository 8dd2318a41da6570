/**
 * Building the composed mainframe from a scenario: the IOCP deck and image
 * profiles PR/SM is configured with (real formats, generated from the
 * scenario), the DASD contents each partition finds (CMS installed on CP's
 * system volume, the users' A-disks, the MINIKERN disk), and what each
 * partition is IPLed with. Everything here is setup; the figures of the
 * report come from the running system's counters (report.ts).
 */
import { readFileSync } from 'node:fs';
import {
  assembleCmsNucleus,
  CMS_NUCLEUS_ORIGIN,
  type ControlProgram,
  type CpTerminalSession,
  CpTerminalSystem,
  type CmsFile,
  cmsSourcePath,
  formatCmsDisk,
  guestSource,
  installCms,
} from '@strachey/hypervisor-cp';
import { type AbsoluteAddress, assemble } from '@strachey/isa-core';
import { type CkdVolume, formatVolume, toEbcdic } from '@strachey/io-channel';
import { createPrsm, parseIocp, parseProfiles, type Prsm } from '@strachey/prsm';
import { UserError } from '../../diagnostics';
import { GuestView } from '../bare-metal';
import { type AssembledGuest, assembleGuest, defaultGuestSource } from '../guest';
import { type MainframeConfig, type PartitionConfig, SAVED_CMS, type UserConfig } from './config';
import { HostedCp } from './hosted-cp';

/**
 * Real device numbers: every partition's console at 0009; CP's system
 * volume at 0A80 (each of CP's users then has a volume of its own at the
 * next numbers, so their minidisks' I/O overlaps) and MINIKERN's disk at
 * 0191, both moved up by X'1000' for each partition before it in the deck,
 * because PR/SM keeps one volume per device number.
 */
export const CONSOLE = 0x0009;
export const CP_VOLUME = 0x0a80;
export const KERNEL_DISK = 0x0191;
const diskOf = (base: number, index: number): number => base + (index << 12);
/** CP's system residence volume, and where CMS and the minidisks are on it. */
export const CP_VOLSER = 'VMRES1';
const SYSRES = { start: 1, cylinders: 1 };
const USER_CYLINDERS = 1;
const KERNEL_CYLINDERS = 5;

/** A CMS user's terminal conversation. */
export interface UserSession {
  readonly userid: string;
  readonly guest: 'cms' | 'minikern';
  readonly style: 'trap-and-emulate' | 'sie';
  /** CMS users: what the directory's IPL statement names (`CMS` or `190`); null for MINIKERN. */
  readonly ipl: string | null;
  readonly commands: readonly string[];
  /** Everything the terminal showed after LOGON, in order. */
  readonly transcript: string[];
  readonly session: CpTerminalSession | null;
}

/** One partition as built. */
export interface BuiltPartition {
  readonly config: PartitionConfig;
  /** CP and its terminals when the partition runs CP. */
  cp: ControlProgram | null;
  terminals: CpTerminalSystem | null;
  readonly users: UserSession[];
  /** MAINT's terminal when CP saved CMS (DEFSYS, IPL 190 stopped at its IPL PSW, SAVESYS, LOGOFF); null otherwise. */
  operator: { readonly transcript: string[] } | null;
  /** The supervisor's assembly, to read its TCBs back. */
  supervisor: AssembledGuest | null;
}

/** The running system. */
export interface MainframeSystem {
  readonly prsm: Prsm;
  readonly partitions: readonly BuiltPartition[];
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

/**
 * One IOCP statement on as many card images as it needs: operands break
 * after a comma, continuation lines start in column 16, nothing passes
 * column 71 (column 72 is the continuation column).
 */
function card(op: string, operands: string): string[] {
  const lines: string[] = [];
  let line = `         ${op.padEnd(5)} `;
  let rest = operands;
  while (line.length + rest.length > 71) {
    const room = 71 - line.length;
    const cut = rest.lastIndexOf(',', room - 1);
    if (cut <= 0) break;
    lines.push(line + rest.slice(0, cut + 1));
    rest = rest.slice(cut + 1);
    line = ' '.repeat(15);
  }
  lines.push(line + rest);
  return lines;
}

/** The IOCP deck: each partition its own console; CP its system volume; MINIKERN its disk; one path each. */
export function iocpDeck(config: MainframeConfig): string {
  const ps = config.partitions;
  const lines = ['         ID    SYSTEM=(2064,1)'];
  lines.push(
    ...card(
      'RESOURCE',
      `PARTITION=(${ps.map((p, i) => `(${p.name},${(i + 1).toString(16).toUpperCase()})`).join(',')})`,
    ),
  );
  ps.forEach((p, i) => {
    const con = (0x10 + i).toString(16).toUpperCase();
    lines.push(`         CHPID PATH=(${con}),TYPE=CNC,PARTITION=(${p.name})`);
    lines.push(`         CNTLUNIT CUNUMBR=1${hex4(i).slice(1)},PATH=(${con}),UNIT=3215`);
    lines.push(`         IODEVICE ADDRESS=(${hex4(CONSOLE)},1),CUNUMBR=(1${hex4(i).slice(1)}),UNIT=3215`);
    const disk = p.runs === 'cp' ? diskOf(CP_VOLUME, i) : p.runs === 'minikern' ? diskOf(KERNEL_DISK, i) : -1;
    if (disk >= 0) {
      const fc = (0x40 + i).toString(16).toUpperCase();
      const count = p.runs === 'cp' ? 1 + p.users.length : 1;
      lines.push(`         CHPID PATH=(${fc}),TYPE=FC,PARTITION=(${p.name})`);
      lines.push(`         CNTLUNIT CUNUMBR=2${hex4(i).slice(1)},PATH=(${fc}),UNIT=2105`);
      lines.push(
        `         IODEVICE ADDRESS=(${hex4(disk)},${count}),CUNUMBR=(2${hex4(i).slice(1)}),UNIT=3390`,
      );
    }
  });
  return `${lines.join('\n')}\n`;
}

/** The image profiles: the CPC, then each partition's storage, mode, one logical CP, weight, capping. */
export function imageProfiles(config: MainframeConfig): string {
  const out = [
    `[CPC]`,
    `storage = ${config.storage >>> 20}M`,
    `cps = ${config.cps}`,
    `hsa = 64M`,
    `slice = ${config.sliceUs}us`,
  ];
  for (const p of config.partitions) {
    out.push(
      '',
      `[${p.name}]`,
      `storage = ${p.storage >>> 20}M`,
      `mode = ${p.mode}`,
      `cps = ${p.cps}`,
      `weight = ${p.weight}`,
      `capped = ${p.capped ? 'yes' : 'no'}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** The files every CMS user finds on the A-disk. */
function cmsFiles(user: UserConfig): CmsFile[] {
  return [
    { fn: 'PROFILE', ft: 'EXEC', recfm: 'V', lrecl: 80, records: ['/* PROFILE EXEC */', 'ACCESS 191 A'] },
    {
      fn: 'WELCOME',
      ft: 'TEXT',
      recfm: 'F',
      lrecl: 80,
      records: [
        `WELCOME, ${user.userid}, TO CMS UNDER CP IN AN LPAR.`,
        'THIS FILE LIVES ON YOUR 191 MINIDISK,',
        `ON VOLUME ${userVolser(user.userid)} OF THE PARTITION.`,
      ],
    },
  ];
}

/** MINIKERN's disk: its greeting on cylinder 1 record 1 and two blank records on cylinder 2 for its tasks (relocated by `start` cylinders). */
function writeKernelDisk(volume: CkdVolume, start: number): void {
  const rec = (cc: number, r: number, text: string) => ({
    cc: cc + start,
    hh: 0,
    r,
    key: new Uint8Array(0),
    data: toEbcdic(text.padEnd(80, ' ')),
  });
  const r0 = (cc: number) => volume.track(cc + start, 0).filter((r) => r.r === 0);
  volume.setTrack(start + 1, 0, [...r0(1), rec(1, 1, 'MINIKERN BOOTED FROM DISK')]);
  volume.setTrack(start + 2, 0, [...r0(2), rec(2, 1, ''), rec(2, 2, '')]);
}

/** The MINIKERN images: the kernel at its origin, the task in both address spaces' frames. */
export function minikernImages(): {
  readonly kernel: string;
  readonly chunks: { address: number; bytes: Uint8Array }[];
  readonly entry: number;
} {
  const kernelText = guestSource('minikern');
  const taskText = guestSource('task');
  if (kernelText === undefined || taskText === undefined) {
    throw new UserError(
      {
        code: 'GUEST_MISSING',
        message: '@strachey/hypervisor-cp is installed without its guests folder (minikern.asm, task.asm)',
      },
      70,
    );
  }
  const k = assemble(kernelText);
  const t = assemble(taskText);
  if (!k.ok || !t.ok)
    throw new UserError({ code: 'GUEST_ASSEMBLY', message: 'the shipped MINIKERN does not assemble' }, 70);
  const chunks = k.chunks.map((c) => ({ address: c.address, bytes: c.bytes }));
  for (const base of [0x20000, 0x30000])
    for (const c of t.chunks) chunks.push({ address: base + c.address, bytes: c.bytes });
  return { kernel: kernelText, chunks, entry: k.entry ?? k.origin };
}

/**
 * The batch job, on every logical CP of its partition: a divide-heavy loop
 * (three DR per iteration, as a number-crunching job would), counting its
 * iterations in the word at X'600' + 4 × its CPU address, for ever.
 */
export const BATCH_SOURCE = `
BATCH    START X'2000'
         BALR  12,0
         USING *,12
         STAP  CPUADDR
         LH    3,CPUADDR
         SLL   3,2
         LA    6,7
         SR    1,1
LOOP     LA    1,1(1)
         LR    5,1
         SR    4,4
         DR    4,6
         SR    4,4
         DR    4,6
         SR    4,4
         DR    4,6
         ST    1,X'600'(3)
         B     LOOP
CPUADDR  DS    H
         END   BATCH
`;
/** Where the batch job keeps its iteration counts (one word per logical CP). */
export const BATCH_COUNT = 0x600;

/** The volume a user's minidisk is on: one per user, after CP's system volume. */
const userVolser = (userid: string): string => `U${userid.slice(0, 5)}`;
const USER_START = 1;

/** MAINT's password in the demo's directory (MAINT logs on only to save CMS). */
const MAINT_PASSWORD = 'MAINTPW';

function cpDirectory(p: Extract<PartitionConfig, { runs: 'cp' }>): string {
  // MAINT owns the CMS system disk and has class E to save CMS; every CMS user links to 190 read-only, as on a real VM system.
  const lines: string[] = [
    `USER MAINT ${MAINT_PASSWORD} 1M 1M EG`,
    ' CONSOLE 009 3215',
    ` MDISK 190 3390 ${SYSRES.start} ${SYSRES.cylinders} ${CP_VOLSER} RR`,
  ];
  for (const u of p.users) {
    const mb = u.storage >>> 20;
    lines.push(`USER ${u.userid} ${u.password} ${mb}M ${Math.max(16, mb)}M G`);
    lines.push(' CONSOLE 009 3215');
    if (u.guest === 'cms') {
      lines.push(` IPL ${u.ipl ?? SAVED_CMS}`);
      lines.push(' LINK MAINT 190 190 RR');
      lines.push(` MDISK 191 3390 ${USER_START} ${USER_CYLINDERS} ${userVolser(u.userid)} MR`);
    } else {
      lines.push(` MDISK 191 3390 ${USER_START} ${KERNEL_CYLINDERS} ${userVolser(u.userid)} MR`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Build the machine: PR/SM from the generated deck and profiles, every partition activated and IPLed. */
export function buildMainframe(
  config: MainframeConfig,
  supervisorSource?: { readonly file: string; readonly text: string },
): MainframeSystem {
  // Volumes hold CMS, one cylinder per CMS user and five for each MINIKERN.
  const cylinders =
    USER_START + Math.max(SYSRES.start + SYSRES.cylinders, KERNEL_CYLINDERS, USER_CYLINDERS) + 2;
  const iocp = parseIocp(iocpDeck(config), 'demo.iocp');
  const profiles = parseProfiles(imageProfiles(config), 'demo.profiles');
  if (!iocp.ok)
    throw new UserError(
      {
        code: iocp.error.code,
        message: `the generated IOCP deck, line ${iocp.error.line}: ${iocp.error.message}`,
      },
      70,
    );
  if (!profiles.ok)
    throw new UserError(
      { code: profiles.error.code, message: `the generated image profiles: ${profiles.error.message}` },
      70,
    );
  const made = createPrsm({
    iocp: iocp.value,
    profiles: profiles.value,
    dasdCylinders: cylinders + 1,
    consoleCharactersPerSecond: config.consoleCps,
    preemptOnWake: config.preemptOnWake,
  });
  if (!made.ok)
    throw new UserError({ code: made.error.code, file: config.file, message: made.error.message }, 2);
  const prsm = made.value;
  const must = <T>(
    r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } },
    what: string,
  ): T => {
    if (!r.ok)
      throw new UserError(
        { code: r.error.code, file: config.file, message: `${what}: ${r.error.message}` },
        2,
      );
    return r.value;
  };
  const built: BuiltPartition[] = [];
  for (const [index, p] of config.partitions.entries()) {
    must(prsm.activate(p.name), `activating ${p.name}`);
    const b: BuiltPartition = {
      config: p,
      cp: null,
      terminals: null,
      users: [],
      operator: null,
      supervisor: null,
    };
    built.push(b);
    if (p.runs === 'cp') iplCp(prsm, p, b, diskOf(CP_VOLUME, index));
    else if (p.runs === 'minikern') {
      const mk = minikernImages();
      const vol = prsm.volume(diskOf(KERNEL_DISK, index))!;
      formatVolume(vol, 'MINI01');
      writeKernelDisk(vol, 0);
      must(prsm.ipl(p.name, { source: mk.kernel }), `IPL of ${p.name}`);
      const st = prsm.partitionStorage(p.name)!;
      for (const c of mk.chunks) st.writeFrom(c.address as AbsoluteAddress, c.bytes);
    } else if (p.runs === 'supervisor') {
      const guest = assembleGuest(supervisorSource ?? defaultGuestSource());
      b.supervisor = guest;
      must(prsm.ipl(p.name, { source: guest.source.text }), `IPL of ${p.name}`);
      const view = new GuestView(prsm.partitionStorage(p.name)!, guest);
      view.write32(guest.symbols.SIEVEN, p.sieve);
      view.write32(guest.symbols.COLLATZN, p.collatz);
    } else {
      must(prsm.ipl(p.name, { source: BATCH_SOURCE, start: 'all' }), `IPL of ${p.name}`);
    }
  }
  return { prsm, partitions: built };
}

/** Install the CP system volume, IPL CP into the partition, log the users on at their terminals. */
function iplCp(
  prsm: Prsm,
  p: Extract<PartitionConfig, { runs: 'cp' }>,
  b: BuiltPartition,
  sysres: number,
): void {
  const vol = prsm.volume(sysres)!;
  formatVolume(vol, CP_VOLSER);
  const installed = installCms(vol, SYSRES);
  if (!installed.ok) throw new UserError({ code: 'CMS_INSTALL', message: installed.error }, 70);
  const volumes = [{ volser: CP_VOLSER, devnum: sysres }];
  p.users.forEach((u, i) => {
    const devnum = sysres + 1 + i;
    const uv = prsm.volume(devnum)!;
    formatVolume(uv, userVolser(u.userid));
    volumes.push({ volser: userVolser(u.userid), devnum });
    if (u.guest === 'cms') {
      const f = formatCmsDisk(
        uv,
        { start: USER_START, cylinders: USER_CYLINDERS },
        { label: `${u.userid.slice(0, 3)}191`, files: cmsFiles(u) },
      );
      if (!f.ok) throw new UserError({ code: f.error.code, message: f.error.message }, 70);
    } else writeKernelDisk(uv, USER_START);
  });
  // Log everybody on once CP has saved CMS (if a user IPLs it by name): an IPL CMS before the SAVESYS would find no system.
  const byName = p.users.some((u) => u.guest === 'cms' && u.ipl === SAVED_CMS);
  let pending: (() => void) | null = null;
  const kernel = new HostedCp(
    {
      directory: cpDirectory(p),
      directoryFile: `${p.name} USER DIRECT`,
      volumes,
      style: p.style,
      // Between two runs of CP (never inside one), so LOGON and LOGOFF do not happen under CP's dispatcher.
      between: () => {
        const next = pending;
        pending = null;
        next?.();
      },
    },
    (cp) => {
      b.cp = cp;
      const terminals = new CpTerminalSystem(cp, { systemName: p.name });
      b.terminals = terminals;
      const logOn = () => logOnUsers(cp, terminals, p, b);
      if (!byName) {
        logOn();
        return;
      }
      b.operator = saveCms(cp, terminals, (finish) => {
        pending = () => {
          finish();
          logOn();
        };
      });
    },
  );
  const r = prsm.iplKernel(p.name, kernel);
  if (!r.ok) throw new UserError({ code: r.error.code, message: r.error.message }, 2);
}

/** The pages the CMS nucleus occupies, as DEFSYS names them (hexadecimal page numbers). */
function nucleusPages(): string {
  const path = cmsSourcePath();
  if (path === undefined)
    throw new UserError(
      { code: 'GUEST_MISSING', message: '@strachey/hypervisor-cp is installed without cms/cms.asm' },
      70,
    );
  const n = assembleCmsNucleus(readFileSync(path, 'utf8'));
  if (!n.ok) throw new UserError({ code: 'GUEST_ASSEMBLY', message: n.error }, 70);
  const page = (a: number) => (a >>> 12).toString(16).toUpperCase();
  return `${page(CMS_NUCLEUS_ORIGIN)}-${page(CMS_NUCLEUS_ORIGIN + n.image.length - 1)}`;
}

/**
 * The operator saves CMS, as on VM/370: MAINT (class E) logs on at a
 * terminal, DEFSYS names the nucleus pages shared read-only (SR), IPL 190
 * loads CMS from the system disk and CP stops MAINT at the IPL PSW (before
 * CMS's first instruction, so the saved PSW is the entry), SAVESYS captures
 * the pages, and MAINT logs off. `then` is called when the save is done,
 * with the LOGOFF to run between two runs of CP.
 */
function saveCms(
  cp: ControlProgram,
  terminals: CpTerminalSystem,
  then: (finish: () => void) => void,
): { transcript: string[] } {
  const transcript: string[] = [];
  const pages = nucleusPages();
  const session = terminals.connect();
  session.onOutput((line) => transcript.push(line));
  const type = (line: string) => {
    transcript.push(`> ${line}`);
    session.enter(line);
  };
  // Typed as the user would, shown without the password.
  transcript.push('> LOGON MAINT');
  session.enter(`LOGON MAINT ${MAINT_PASSWORD}`);
  type(`DEFSYS ${SAVED_CMS} ${pages} SR`);
  const vm = cp.vm('MAINT');
  if (vm === undefined) {
    // LOGON failed (CP said why on the terminal): the users still log on; their IPL CMS will say there is no CMS.
    then(() => {});
    return { transcript };
  }
  transcript.push('> IPL 190   (CP stops MAINT at the IPL PSW, before CMS runs)');
  const started = vm.ipl(0x190, (ok) => {
    cp.stop('MAINT');
    if (ok) type(`SAVESYS ${SAVED_CMS}`);
    then(() => type('LOGOFF'));
  });
  if (!started.ok) {
    transcript.push(started.message);
    then(() => type('LOGOFF'));
  }
  return { transcript };
}

/** Log CP's users on: MINIKERN users through CP's API (loaded into storage, in their style), CMS users at terminals. */
function logOnUsers(
  cp: ControlProgram,
  terminals: CpTerminalSystem,
  p: Extract<PartitionConfig, { runs: 'cp' }>,
  b: BuiltPartition,
): void {
  for (const u of p.users) {
    if (u.guest === 'minikern') {
      const r = cp.logon(u.userid, u.password, { style: u.style });
      if (!r.ok) throw new UserError({ code: r.error.code, message: r.error.message }, 70);
      const mk = minikernImages();
      for (const c of mk.chunks) r.vm.load(c.address, c.bytes);
      r.vm.start(0x00080000, (0x80000000 | mk.entry) >>> 0);
      b.users.push({
        userid: u.userid,
        guest: 'minikern',
        style: u.style,
        ipl: null,
        commands: [],
        transcript: r.vm.consoleLines,
        session: null,
      });
      continue;
    }
    const session = terminals.connect();
    const transcript: string[] = [];
    const pending = [...u.commands];
    // The user types the next command when CMS says Ready (a #CP command is answered by CP at
    // once, so the one after it follows straight away), as someone at the terminal would.
    session.onOutput((line) => {
      transcript.push(line);
      if (!/^Ready[;(]/.test(line)) return;
      for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
        transcript.push(`> ${next}`);
        session.enter(next);
        if (!/^#CP\b/i.test(next)) break;
      }
    });
    // LOGON; the directory's IPL statement (IPL CMS or IPL 190) brings CMS up.
    session.enter(`LOGON ${u.userid} ${u.password}`);
    b.users.push({
      userid: u.userid,
      guest: 'cms',
      style: u.style,
      ipl: u.ipl,
      commands: u.commands,
      transcript,
      session,
    });
  }
}
