/**
 * Differential harness against Hercules 3.13: the same channel programs run
 * (a) on Hercules, driven by a small ESA/390 guest poked in with `r`
 * (STSCH → enable → MSCH → SSCH → TSCH until primary status, the V370
 * test 05 sequence), and (b) on this package's channel subsystem through its
 * IoHandler. Each case reports MSCH/SSCH condition codes, the SCSW TSCH
 * stored, and storage regions the program read into.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandOutput, type HerculesOutput, everyStartWaitedBeforeDisplays, runHerculesSettled, splitSections, storageBytes } from '@strachey/hercules-oracle';
import type { AbsoluteAddress } from '@strachey/isa-core';
import { CardPunch2540, CardReader2540, CkdVolume, Console3215, Dasd3390, type LoadResult, Printer1403, createChannelMachine, formatVolume, geometry3390, loadVolume, saveVolume } from '../src/index';
import { IRB_AT, drain, enable, io, rig } from './helpers';

/** One channel program to run on both. */
export interface DiffCase {
  readonly name: string;
  /** Subchannel (configuration order: 0 = 0009 3215, 1 = 000C reader, 2 = 000D punch, 3 = 000E 1403, 4 = 0190 3390). */
  readonly subchannel: number;
  /** 12-byte ORB. */
  readonly orb: number[];
  /** Storage to poke before the run: address → bytes. */
  readonly poke: readonly (readonly [number, readonly number[]])[];
  /** Storage key to set on a page before SSCH (SSKE in the guest), default none. */
  readonly key?: readonly [number, number];
  /** Regions to compare after the run. */
  readonly compare: readonly (readonly [number, number])[];
}

export interface DiffResult {
  readonly msch: number;
  readonly ssch: number;
  /** The 12 SCSW bytes of the IRB, hex. */
  readonly scsw: string;
  readonly regions: string[];
}

/**
 * Guest program at X'200': L 1,SSID; LM 3,4 / SSKE (storage key for the
 * case); STSCH; OI enable; MSCH; IPM/ST its cc; SSCH; IPM/ST its cc; if cc
 * is not 0 skip to the end; TSCH until cc 0 and primary status; MVI DONE;
 * LPSW a disabled wait at X'320'.
 */
const PROGRAM =
  '58100300' + '98340318' + 'B22B0034' + 'B2340400' + '96800405' + 'B2320400' + 'B2220020' + '50200310' + 'B2330500' + 'B2220020' + '50200314' + '47700240' + 'B2350600' + '47700230' + '91040603' + '47800230' + '92010330' + '82000320';
/** The guest sets this byte to 1 just before its final wait, so the harness knows Hercules finished the case. */
const DONE_AT = 0x330;

export const CARDS = ['FIRST CARD', 'SECOND CARD', 'THIRD CARD'];

const hex = (bytes: readonly number[] | Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();

/** Where the 3390 volume comes from: Hercules' dasdinit, or this package's Hercules-format encoder. */
export type VolumeSource = 'dasdinit' | 'strachey';

/** Create the 2-cylinder VOL001 volume both sides start from. */
export function makeVolume(file: string, source: VolumeSource): void {
  if (source === 'dasdinit') {
    execFileSync('dasdinit', [file, '3390', 'VOL001', '2'], { stdio: 'ignore' });
    return;
  }
  const v = new CkdVolume(geometry3390(2));
  formatVolume(v, 'VOL001', 'HERCULES');
  saveVolume(file, v, 'hercules');
}

/** The guest program and its PSWs, loaded once per session: address → bytes. */
const SESSION_STORAGE: readonly (readonly [number, readonly number[]])[] = [
  [0, [0, 8, 0, 0, 0, 0, 2, 0]],
  [0x200, Array.from(Buffer.from(PROGRAM, 'hex'))],
  [0x320, [0, 0x0a, 0, 0, 0, 0, 0, 0]],
];

/** What the guest reads for one case (subchannel, SSKE operands, ORB, a cleared IRB and DONE byte) and the case's own pokes. */
function caseStorage(c: DiffCase): (readonly [number, readonly number[]])[] {
  const [kaddr, kval] = c.key ?? [0x7000, 0];
  return [
    [0x300, [0, 1, 0, c.subchannel]],
    [0x310, [...new Array(8).fill(0xff), 0, 0, 0, kval, kaddr >>> 24, (kaddr >>> 16) & 255, (kaddr >>> 8) & 255, kaddr & 255]],
    [0x500, [...c.orb, ...new Array(20).fill(0)]],
    [0x600, new Array(64).fill(0)],
    [DONE_AT, [0]],
    ...c.poke,
  ];
}

/** What Hercules left: per-case results, output files, the log and the volume image. */
export interface HerculesSession {
  readonly results: DiffResult[];
  /** Cases whose DONE byte was not set when their displays were taken. */
  readonly unfinished: string[];
  /** Did an attempt finish every case before its displays, with a whole log and a clean shutdown? */
  readonly complete: boolean;
  readonly attempts: number;
  readonly print: string;
  readonly punch: string;
  readonly log: string;
  readonly volume: LoadResult;
}

/**
 * The console script of a session: each case after `* CASE i`, its storage
 * poked with `r` (Hercules 3.13 stores at most 32 bytes per command),
 * `restart`, a pause, and `r A.N` displays of the DONE byte, the stored
 * condition codes, the IRB and the case's compare regions.
 */
function sessionScript(cases: readonly DiffCase[]): string {
  const lines: string[] = [];
  const poke = (a: number, bytes: readonly number[]): void => {
    for (let o = 0; o < bytes.length; o += 32) lines.push(`r ${(a + o).toString(16)}=${hex(bytes.slice(o, o + 32))}`);
  };
  for (const [a, bytes] of SESSION_STORAGE) poke(a, bytes);
  cases.forEach((c, i) => {
    lines.push(`* CASE ${i}`);
    for (const [a, bytes] of caseStorage(c)) poke(a, bytes);
    lines.push('restart', 'pause 1');
    for (const [a, n] of [[DONE_AT, 1], [0x310, 8], [0x600, 16], ...c.compare] as const) lines.push(`r ${a.toString(16)}.${n.toString(16)}`);
  });
  lines.push('quit', '');
  return lines.join('\n');
}

const DISPLAY = /^r ([0-9a-f]+)\.([0-9a-f]+)$/i;

/** The N bytes from A that an `r A.N` command displayed (Hercules shows whole rows of 16; a missing byte ends the list). */
function displayed(cmd: CommandOutput): number[] {
  const m = DISPLAY.exec(cmd.text);
  if (m === null) return [];
  const a = Number.parseInt(m[1]!, 16);
  const n = Number.parseInt(m[2]!, 16);
  const bytes = storageBytes(cmd.items.flatMap((it) => (it.kind === 'storage' ? [it] : [])));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const b = bytes.get(a + i);
    if (b === undefined) break;
    out.push(b);
  }
  return out;
}

/** Read each case's displays (in the order `sessionScript` wrote them) from the parsed log. */
function sessionResults(run: HerculesOutput, cases: readonly DiffCase[]): { results: DiffResult[]; unfinished: string[] } {
  const sections = new Map(splitSections(run).map((s) => [s.title, s.commands]));
  const results: DiffResult[] = [];
  const unfinished: string[] = [];
  cases.forEach((c, i) => {
    const displays = (sections.get(`CASE ${i}`) ?? [])
      .filter((cmd) => DISPLAY.test(cmd.text))
      .map(displayed);
    const [done = [], cc = [], irb = [], ...regions] = displays;
    if (done[0] !== 1) unfinished.push(c.name);
    results.push({ msch: ((cc[0] ?? 0) >>> 4) & 3, ssch: ((cc[4] ?? 0) >>> 4) & 3, scsw: hex(irb.slice(0, 12)), regions: c.compare.map((_, k) => hex(regions[k] ?? [])) });
  });
  return { results, unfinished };
}

/**
 * Hercules' pause per case, tried in turn by the oracle's settle ladder: a
 * case is a handful of instructions and one channel program, so a quarter of
 * a second is ample on an idle machine; under load the longer ones take over.
 */
const SESSION_PAUSES: readonly number[] = [0.25, 1, 3];

/**
 * Run all cases on Hercules in one session (the reader and the DASD carry
 * state from case to case) through `runHerculesSettled`: an attempt counts
 * only when every case's disabled wait came before its displays and every
 * DONE byte was set; each attempt starts from fresh device files.
 */
export async function runOnHercules(cases: readonly DiffCase[], source: VolumeSource = 'dasdinit'): Promise<HerculesSession> {
  const dir = mkdtempSync(join(tmpdir(), 'io-channel-herc-'));
  const file = { volume: join(dir, 'vol.3390'), cards: join(dir, 'cards.txt'), punch: join(dir, 'punch.txt'), print: join(dir, 'print.txt') };
  try {
    const run = await runHerculesSettled({
      script: sessionScript(cases),
      devices: ['0009 3215-C / noprompt', `000C 3505 ${file.cards} ascii eof`, `000D 3525 ${file.punch} ascii`, `000E 1403 ${file.print}`, `0190 3390 ${file.volume}`],
      pauses: SESSION_PAUSES,
      beforeAttempt: () => {
        rmSync(file.punch, { force: true });
        rmSync(file.print, { force: true });
        rmSync(file.volume, { force: true });
        makeVolume(file.volume, source);
        writeFileSync(file.cards, `${CARDS.join('\n')}\n`);
      },
      isComplete: (r) => everyStartWaitedBeforeDisplays(r) && sessionResults(r, cases).unfinished.length === 0,
    });
    const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'latin1') : '');
    return { ...sessionResults(run, cases), complete: run.complete, attempts: run.attempts, print: read(file.print), punch: read(file.punch), log: run.raw, volume: loadVolume(file.volume) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the same cases on this package's channel subsystem, with the same devices in the same order. */
export function runOnStrachey(cases: readonly DiffCase[], source: VolumeSource = 'dasdinit'): { results: DiffResult[]; print: Printer1403; punch: CardPunch2540; console: Console3215; dasd: Dasd3390 } {
  const dir = mkdtempSync(join(tmpdir(), 'io-channel-ours-'));
  try {
    makeVolume(join(dir, 'vol.3390'), source);
    copyFileSync(join(dir, 'vol.3390'), join(dir, 'ours.3390'));
    const dasd = Dasd3390.open(join(dir, 'ours.3390'));
    if (!dasd.ok) throw new Error(dasd.error.message);
    const r = rig({}, 16 << 20);
    const con = new Console3215();
    const punch = new CardPunch2540();
    const print = new Printer1403();
    r.css.attach(0x0009, con);
    r.css.attach(0x000c, new CardReader2540(CARDS));
    r.css.attach(0x000d, punch);
    r.css.attach(0x000e, print);
    r.css.attach(0x0190, dasd.device);
    const results: DiffResult[] = [];
    for (const c of cases) {
      r.storage.writeFrom(0x600 as AbsoluteAddress, new Uint8Array(64));
      for (const [a, bytes] of c.poke) r.storage.writeFrom(a as AbsoluteAddress, Uint8Array.from(bytes));
      if (c.key !== undefined) r.storage.setKey(c.key[0] as AbsoluteAddress, c.key[1]);
      let msch = 0;
      try {
        enable(r, c.subchannel);
      } catch {
        msch = 1;
      }
      r.storage.writeFrom(0x500 as AbsoluteAddress, Uint8Array.from(c.orb));
      const ssch = io(r, 'SSCH', c.subchannel, 0x500);
      const irb = new Uint8Array(16);
      if (ssch === 0) {
        for (let i = 0; i < 50; i++) {
          drain(r.clock);
          if (io(r, 'TSCH', c.subchannel, IRB_AT) !== 0) continue;
          r.storage.readInto(IRB_AT as AbsoluteAddress, irb);
          if ((irb[3]! & 0x04) !== 0) break;
        }
      }
      const regions = c.compare.map(([a, n]) => {
        const b = new Uint8Array(n);
        r.storage.readInto(a as AbsoluteAddress, b);
        return hex(b);
      });
      results.push({ msch, ssch, scsw: hex(irb.slice(0, 12)), regions });
    }
    return { results, print, punch, console: con, dasd: dasd.device };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Devices as fast as a test wants: the differential compares status and data, not timing. */
const FAST_DASD = { revolutionUs: 20, seekBaseUs: 1, averageSeekUs: 2, bytesPerUs: 1000 };

/**
 * Run the same guest program as on Hercules (bytes at X'200', restart PSW at
 * 0) on isa-core's CPU with this channel subsystem: the third leg of the
 * differential, through the real I/O instructions.
 */
export function runOnIsaCore(cases: readonly DiffCase[], source: VolumeSource = 'dasdinit'): { results: DiffResult[]; console: Console3215 } {
  const dir = mkdtempSync(join(tmpdir(), 'io-channel-cpu-'));
  try {
    makeVolume(join(dir, 'vol.3390'), source);
    const loaded = loadVolume(join(dir, 'vol.3390'));
    if (!loaded.ok) throw new Error(loaded.error.message);
    const { machine, channels } = createChannelMachine({ mainsize: 16 << 20 });
    const con = new Console3215({ charactersPerSecond: 1e7 });
    channels.attach(0x0009, con);
    channels.attach(0x000c, new CardReader2540(CARDS, { cardsPerMinute: 6e7 }));
    channels.attach(0x000d, new CardPunch2540({ cardsPerMinute: 6e7 }));
    channels.attach(0x000e, new Printer1403({ linesPerMinute: 6e7 }));
    channels.attach(0x0190, new Dasd3390(loaded.volume, FAST_DASD));
    const st = machine.storage;
    const put = (a: number, bytes: readonly number[] | Uint8Array): void => st.writeFrom(a as AbsoluteAddress, Uint8Array.from(bytes));
    for (const [a, bytes] of SESSION_STORAGE) put(a, bytes);
    const results: DiffResult[] = [];
    for (const c of cases) {
      for (const [a, bytes] of caseStorage(c)) put(a, bytes);
      machine.restart(0);
      const exit = machine.run(5_000_000);
      if (exit.reason !== 'halted' || st.read8(DONE_AT as AbsoluteAddress) !== 1) throw new Error(`${c.name}: the guest did not reach its wait (${exit.reason})`);
      const read = (a: number, n: number): Uint8Array => {
        const b = new Uint8Array(n);
        st.readInto(a as AbsoluteAddress, b);
        return b;
      };
      const cc = read(0x310, 8);
      const irb = read(0x600, 12);
      results.push({ msch: (cc[0]! >>> 4) & 3, ssch: (cc[4]! >>> 4) & 3, scsw: hex(irb), regions: c.compare.map(([a, n]) => hex(read(a, n))) });
    }
    return { results, console: con };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
