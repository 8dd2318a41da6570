/**
 * Differential tests against Hercules 3.13 (see hercules-diff.ts). Every
 * case compares MSCH/SSCH condition codes, the SCSW stored by TSCH (device
 * status, subchannel status, residual count, CCW address, flags) and the
 * bytes the channel program stored. Where this package follows the
 * Principles of Operation and Hercules 3.13 does not, the case says so and
 * asserts both values explicitly.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { herculesAvailable, runHerculesSettled } from '@strachey/hercules-oracle';
import { type AbsoluteAddress, assemble, herculesAlterCommands } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { Console3215, Dasd3390, createChannelMachine, dasdInit, toEbcdic } from '../src/index';
import { type DiffCase, runOnHercules, runOnIsaCore, runOnStrachey } from './hercules-diff';
import { ccw0, ccw1 } from './helpers';

const orb = (ccw: number, o: { format1?: boolean; key?: number; flags7?: number; flags5?: number } = {}): number[] => [
  0,
  0,
  0,
  0,
  (o.key ?? 0) << 4,
  (o.format1 ?? true ? 0x80 : 0) | (o.flags5 ?? 0),
  0x80,
  o.flags7 ?? 0,
  (ccw >>> 24) & 255,
  (ccw >>> 16) & 255,
  (ccw >>> 8) & 255,
  ccw & 255,
];
const text = (s: string): number[] => Array.from(toEbcdic(s));
const CON = 0;
const RDR = 1;
const PUN = 2;
const PRT = 3;
const DASD = 4;

/** Cases run in this order on both sides (the reader and DASD carry state from case to case). */
export const CASES: DiffCase[] = [
  { name: '3215 write with CR, SLI (V370 test 05)', subchannel: CON, orb: orb(0x1000), poke: [[0x1000, ccw1(0x09, 0x20, 14, 0x2000)], [0x2000, text('HELLO HERCULES')]], compare: [] },
  { name: '3215 write, exact count, no SLI', subchannel: CON, orb: orb(0x1000), poke: [[0x1000, ccw1(0x09, 0x00, 5, 0x2000)], [0x2000, text('ABCDE')]], compare: [] },
  { name: '3215 NOP format-0 count 1', subchannel: CON, orb: orb(0x1000, { format1: false }), poke: [[0x1000, ccw0(0x03, 0, 0, 1)]], compare: [] },
  { name: 'reader: read a card, 80 bytes', subchannel: RDR, orb: orb(0x1000), poke: [[0x1000, ccw1(0x02, 0x00, 80, 0x2000)]], compare: [[0x2000, 80]] },
  { name: 'reader: count 100, no SLI: incorrect length, residual 20', subchannel: RDR, orb: orb(0x1000), poke: [[0x1000, ccw1(0x02, 0x00, 100, 0x2100)]], compare: [[0x2100, 96]] },
  { name: 'reader: data chaining over three CCWs', subchannel: RDR, orb: orb(0x1000), poke: [[0x1000, [...ccw1(0x02, 0x80, 30, 0x2200), ...ccw1(0x02, 0x80, 30, 0x2300), ...ccw1(0x02, 0x00, 20, 0x2400)]]], compare: [[0x2200, 32], [0x2300, 32], [0x2400, 32]] },
  { name: 'reader at end of file: unit exception', subchannel: RDR, orb: orb(0x1000), poke: [[0x1000, ccw1(0x02, 0x20, 80, 0x2500)]], compare: [] },
  { name: 'punch: write a card', subchannel: PUN, orb: orb(0x1000), poke: [[0x1000, ccw1(0x01, 0x00, 80, 0x2000)], [0x2000, text('PUNCHED CARD'.padEnd(80, ' '))]], compare: [] },
  { name: '1403: UCS gate load chained to load UCS buffer (Hercules 1403.tst)', subchannel: PRT, orb: orb(0x1000, { format1: false }), poke: [[0x1000, [...ccw0(0xeb, 0, 0x60, 1), ...ccw0(0xfb, 0x2000, 0x20, 240)]]], compare: [] },
  { name: '1403: write and space one line', subchannel: PRT, orb: orb(0x1000), poke: [[0x1000, ccw1(0x09, 0x20, 11, 0x2000)], [0x2000, text('PRINTED ROW')]], compare: [] },
  {
    name: '3390: seek, search ID equal, TIC, read data of VOL1 (V370 test 10)',
    subchannel: DASD,
    orb: orb(0x1000),
    poke: [[0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1810), ...ccw1(0x08, 0, 0, 0x1008), ...ccw1(0x06, 0x20, 80, 0x3000)]], [0x1800, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]]],
    compare: [[0x3000, 80]],
  },
  {
    name: '3390: read data count 100 without SLI: incorrect length',
    subchannel: DASD,
    orb: orb(0x1000),
    poke: [[0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1810), ...ccw1(0x08, 0, 0, 0x1008), ...ccw1(0x06, 0x00, 100, 0x3100)]]],
    compare: [[0x3100, 112]],
  },
  {
    name: '3390: search for a record that is not there: unit check',
    subchannel: DASD,
    orb: orb(0x1000),
    poke: [[0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1820), ...ccw1(0x08, 0, 0, 0x1008), ...ccw1(0x06, 0x20, 80, 0x3000)]], [0x1820, [0, 0, 0, 0, 9]]],
    compare: [],
  },
  { name: '3390: sense after the unit check (no record found)', subchannel: DASD, orb: orb(0x1000), poke: [[0x1000, ccw1(0x04, 0x20, 32, 0x3200)]], compare: [[0x3200, 4]] },
  {
    name: '3390: read home address, then read count (the count of R1)',
    subchannel: DASD,
    orb: orb(0x1000),
    poke: [[0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x1a, 0x40, 5, 0x3340), ...ccw1(0x12, 0x00, 8, 0x3300)]]],
    compare: [[0x3300, 16], [0x3340, 16]],
  },
  { name: 'program check: invalid command code X00', subchannel: CON, orb: orb(0x1000), poke: [[0x1000, ccw1(0x00, 0x00, 1, 0x2000)]], compare: [] },
  { name: 'program check: CCW address not on a doubleword', subchannel: CON, orb: orb(0x1004), poke: [[0x1000, [0, 0, 0, 0, ...ccw1(0x03, 0x20, 1, 0)]]], compare: [] },
  { name: 'program check: TIC to TIC', subchannel: CON, orb: orb(0x1000), poke: [[0x1000, [...ccw1(0x03, 0x60, 1, 0), ...ccw1(0x08, 0, 0, 0x1010), ...ccw1(0x08, 0, 0, 0x1000)]]], compare: [] },
  { name: 'program check: format-1 count 0 with data chaining', subchannel: CON, orb: orb(0x1000), poke: [[0x1000, [...ccw1(0x09, 0x80, 0, 0x2000), ...ccw1(0x09, 0x00, 4, 0x2000)]]], compare: [] },
  { name: 'program check: data beyond main storage', subchannel: CON, orb: orb(0x1000), poke: [[0x1000, ccw1(0x09, 0x20, 80, 0x00fffff0)]], compare: [] },
  { name: 'program check: format-0 count zero', subchannel: CON, orb: orb(0x1000, { format1: false }), poke: [[0x1000, ccw0(0x09, 0x2000, 0x20, 0)]], compare: [] },
  { name: 'protection check: ORB key 2 writing from a fetch-protected key-3 page', subchannel: CON, orb: orb(0x1000, { key: 2 }), key: [0x4000, 0x38], poke: [[0x1000, ccw1(0x09, 0x20, 4, 0x4000)]], compare: [] },
  { name: 'IDAW: format-1 IDAWs for a 3390 read across a 2K boundary', subchannel: DASD, orb: orb(0x1000), poke: [[0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1810), ...ccw1(0x08, 0, 0, 0x1008), ...ccw1(0x06, 0x24, 80, 0x1900)]], [0x1900, [0, 0, 0x57, 0xe0, 0, 0, 0x58, 0]]], compare: [[0x57e0, 32], [0x5800, 48]] },
  { name: 'format-1 NOP with count 1 and no SLI (immediate command)', subchannel: CON, orb: orb(0x1000), poke: [[0x1000, ccw1(0x03, 0x00, 1, 0)]], compare: [] },
  { name: 'SSCH with an ORB LPM outside the PAM: cc 3', subchannel: CON, orb: [0, 0, 0, 0, 0, 0x80, 0x40, 0, 0, 0, 0x10, 0], poke: [[0x1000, ccw1(0x03, 0x20, 1, 0)]], compare: [] },
  { name: 'program check: suspend flag without ORB suspend control', subchannel: CON, orb: orb(0x1000), poke: [[0x1000, ccw1(0x03, 0x22, 1, 0)]], compare: [] },
  { name: 'program check: second IDAW not on a 2K boundary', subchannel: DASD, orb: orb(0x1000), poke: [[0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1810), ...ccw1(0x08, 0, 0, 0x1008), ...ccw1(0x06, 0x24, 80, 0x1900)]], [0x1900, [0, 0, 0x57, 0xe0, 0, 0, 0x58, 0x10]]], compare: [] },
  { name: '3215 SENSE ID', subchannel: CON, orb: orb(0x1000), poke: [[0x1000, ccw1(0xe4, 0x20, 16, 0x3400)], [0x3400, new Array(16).fill(0)]], compare: [[0x3400, 16]] },
  { name: '3390 SENSE ID', subchannel: DASD, orb: orb(0x1000), poke: [[0x1000, ccw1(0xe4, 0x20, 32, 0x3400)], [0x3400, new Array(32).fill(0)]], compare: [[0x3400, 32]] },
  { name: '3390 READ DEVICE CHARACTERISTICS', subchannel: DASD, orb: orb(0x1000), poke: [[0x1000, ccw1(0x64, 0x00, 64, 0x3400)]], compare: [[0x3400, 64]] },
  { name: '3390: read home address and read R0', subchannel: DASD, orb: orb(0x1000), poke: [[0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x1a, 0x40, 5, 0x3500), ...ccw1(0x16, 0x00, 16, 0x3510)]]], compare: [[0x3500, 32]] },
  { name: '3390: read count key and data of the record after R2 (VOL1)', subchannel: DASD, orb: orb(0x1000), poke: [[0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1830), ...ccw1(0x08, 0, 0, 0x1008), ...ccw1(0x1e, 0x20, 96, 0x3600)]], [0x1830, [0, 0, 0, 0, 2]]], compare: [[0x3600, 96]] },
  { name: '3390: search ID high (R1 high than R0 → modifier on R1)', subchannel: DASD, orb: orb(0x1000), poke: [[0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x1a, 0x40, 5, 0x3500), ...ccw1(0x51, 0x40, 5, 0x1838), ...ccw1(0x08, 0, 0, 0x1010), ...ccw1(0x12, 0x00, 8, 0x3700)]], [0x1838, [0, 0, 0, 0, 1]]], compare: [[0x3700, 16]] },
  { name: 'reader exhausted: skip flag read gives unit exception again', subchannel: RDR, orb: orb(0x1000), poke: [[0x1000, ccw1(0x02, 0x30, 80, 0x2600)]], compare: [] },
  { name: 'punch: data chaining gathers the card from two areas', subchannel: PUN, orb: orb(0x1000), poke: [[0x1000, [...ccw1(0x01, 0x80, 40, 0x2000), ...ccw1(0x01, 0x00, 40, 0x2100)]], [0x2000, text('LEFT HALF'.padEnd(40, ' '))], [0x2100, text('RIGHT HALF'.padEnd(40, ' '))]], compare: [] },
  { name: 'TIC as the first CCW', subchannel: CON, orb: orb(0x1000), poke: [[0x1000, [...ccw1(0x08, 0, 0, 0x1010), 0, 0, 0, 0, 0, 0, 0, 0, ...ccw1(0x03, 0x20, 1, 0)]]], compare: [] },
];

/**
 * Where the two may differ, and why:
 * - `count`: after a program or protection check found before any data
 *   moved, Hercules 3.13 stores a stale residual count (the variable is not
 *   set on that path; it showed X'0001' here); POP leaves the count
 *   unpredictable for such terminations. This package stores 0. All other
 *   SCSW bytes must match.
 * - `pop`: Hercules 3.13 differs from the Principles of Operation and this
 *   package follows POP; the expected SCSW of each side is asserted.
 */
export const DEVIATIONS: Record<string, { kind: 'count' } | { kind: 'pop'; strachey: string; hercules: string; why: string }> = {
  'program check: invalid command code X00': { kind: 'count' },
  'program check: CCW address not on a doubleword': { kind: 'count' },
  'program check: format-1 count 0 with data chaining': { kind: 'count' },
  'program check: data beyond main storage': { kind: 'count' },
  'program check: format-0 count zero': { kind: 'count' },
  'protection check: ORB key 2 writing from a fetch-protected key-3 page': { kind: 'count' },
  'program check: suspend flag without ORB suspend control': { kind: 'count' },
  'format-1 NOP with count 1 and no SLI (immediate command)': {
    kind: 'pop',
    // POP (SA22-7201 "Incorrect Length", as Hercules 4.x implements it): a format-1 immediate command with a
    // nonzero count and no SLI indicates incorrect length unless the ORB L bit is set. Hercules 3.13 never does.
    strachey: '00804017000010080C400001',
    hercules: '00804007000010080C000001',
    why: 'format-1 immediate command with nonzero count: incorrect length (POP), none (Hercules 3.13)',
  },
  'TIC as the first CCW': {
    kind: 'pop',
    // "The first CCW designated by the CAW may not specify transfer in channel" (S/370 POP GA22-7000-4,
    // "Transfer in Channel"): program check here; Hercules 3.13 follows the TIC.
    strachey: '008040170000100800200000',
    hercules: '00804007000010180C000001',
    why: 'TIC as the first CCW: program check (POP), executed (Hercules 3.13)',
  },
};

const withoutCount = (scsw: string): string => scsw.slice(0, 20);

/** Writes on a volume this package formatted in Hercules' format: Hercules must accept the image, and we must read what Hercules wrote. */
const WRITE_CASES: DiffCase[] = [
  {
    name: '3390: set file mask, search ID equal R0, write two records with WRITE CKD',
    subchannel: DASD,
    orb: orb(0x1000),
    poke: [
      [0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x1f, 0x40, 1, 0x1808), ...ccw1(0x31, 0x40, 5, 0x1810), ...ccw1(0x08, 0, 0, 0x1010), ...ccw1(0x1d, 0x40, 20, 0x3100), ...ccw1(0x1d, 0x00, 12, 0x3200)]],
      [0x1800, [0, 0, 0, 1, 0, 2, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0]],
      [0x3100, [0, 1, 0, 2, 1, 0, 0, 12, ...text('HELLO, HERC!')]],
      [0x3200, [0, 1, 0, 2, 2, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef]],
    ],
    compare: [],
  },
  {
    name: '3390: read the written record back (search ID equal, read data)',
    subchannel: DASD,
    orb: orb(0x1000),
    poke: [
      [0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1820), ...ccw1(0x08, 0, 0, 0x1008), ...ccw1(0x06, 0x00, 12, 0x3300)]],
      [0x1820, [0, 1, 0, 2, 1]],
    ],
    compare: [[0x3300, 16]],
  },
  {
    name: '3390: update a record in place with WRITE DATA',
    subchannel: DASD,
    orb: orb(0x1000),
    poke: [
      [0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1828), ...ccw1(0x08, 0, 0, 0x1008), ...ccw1(0x05, 0x00, 4, 0x3400)]],
      [0x1828, [0, 1, 0, 2, 2]],
      [0x3400, [1, 2, 3, 4]],
    ],
    compare: [],
  },
];

describe.skipIf(!herculesAvailable())('volume exchange with Hercules 3.13', () => {
  it('Hercules runs on an image this package wrote, writes records on it, and this package reads them back', { timeout: 120_000 }, async () => {
    const herc = await runOnHercules(WRITE_CASES, 'strachey');
    expect(herc.complete, herc.log.slice(-3000)).toBe(true);
    expect(herc.unfinished).toEqual([]);
    const ours = runOnStrachey(WRITE_CASES, 'strachey');
    WRITE_CASES.forEach((c, i) => {
      expect({ case: c.name, ...ours.results[i] }).toEqual({ case: c.name, ...herc.results[i] });
    });
    if (!herc.volume.ok) throw new Error(herc.volume.error.message);
    const track = herc.volume.volume.track(1, 2);
    expect(track.map((r) => r.r)).toEqual([0, 1, 2]);
    expect(Array.from(track[1]!.data)).toEqual(text('HELLO, HERC!'));
    expect(Array.from(track[2]!.data)).toEqual([1, 2, 3, 4]);
    // Our DASD made the same changes to its copy.
    expect(ours.dasd.volume.track(1, 2).map((r) => Array.from(r.data))).toEqual(track.map((r) => Array.from(r.data)));
  });
});

describe.skipIf(!herculesAvailable())('differential against Hercules 3.13', () => {
  // Worst case (a loaded machine needing every pause of the ladder) is about three minutes.
  it('the same channel programs give the same condition codes, SCSWs and data', { timeout: 240_000 }, async () => {
    const herc = await runOnHercules(CASES);
    expect(herc.complete, herc.log.slice(-3000)).toBe(true);
    expect(herc.unfinished).toEqual([]);
    const ours = runOnStrachey(CASES);
    const diffs: string[] = [];
    CASES.forEach((c, i) => {
      const h = herc.results[i]!;
      const o = ours.results[i]!;
      const dev = DEVIATIONS[c.name];
      let same = h.msch === o.msch && h.ssch === o.ssch && h.regions.join() === o.regions.join();
      if (dev === undefined) same &&= h.scsw === o.scsw;
      else if (dev.kind === 'count') same &&= withoutCount(h.scsw) === withoutCount(o.scsw);
      else same &&= h.scsw === dev.hercules && o.scsw === dev.strachey;
      if (!same) diffs.push(`${c.name}\n  hercules: msch ${h.msch} ssch ${h.ssch} scsw ${h.scsw} ${h.regions.join(' ')}\n  strachey: msch ${o.msch} ssch ${o.ssch} scsw ${o.scsw} ${o.regions.join(' ')}`);
    });
    expect(diffs).toEqual([]);
    // The unit-record output matches too: printed line and punched card.
    expect(herc.print.replace(/\r/g, '')).toContain('PRINTED ROW');
    expect(ours.print.output).toContain('PRINTED ROW');
    expect(herc.punch.split(/\r?\n/)[0]?.trimEnd()).toBe(ours.punch.text()[0]);
    expect(ours.console.lines).toEqual(['HELLO HERCULES', 'ABCDE']);
  });
});

describe('the same guest program on isa-core’s CPU', () => {
  it('gives what the channel subsystem gives when driven directly (SSCH/TSCH through the real I/O instructions)', { timeout: 60_000 }, () => {
    // Our encoder's image (same content as dasdinit's), so this leg needs no Hercules tools.
    const direct = runOnStrachey(CASES, 'strachey');
    const cpu = runOnIsaCore(CASES, 'strachey');
    CASES.forEach((c, i) => {
      expect({ case: c.name, ...cpu.results[i] }).toEqual({ case: c.name, ...direct.results[i] });
    });
    expect(cpu.console.lines).toEqual(['HELLO HERCULES', 'ABCDE']);
  });
});

describe.skipIf(!herculesAvailable())('examples/dasd-to-console.asm on Hercules 3.13 and here', () => {
  it('prints the same lines on both, on a volume made by dasdInit in Hercules format, and writes the same records', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'io-channel-example-'));
    try {
      const source = readFileSync(join(__dirname, '../examples/dasd-to-console.asm'), 'utf8');
      const program = assemble(source);
      if (!program.ok) throw new Error('the example does not assemble');
      // Hercules. Each attempt of the settle ladder starts from a fresh image;
      // only a run whose disabled wait came before `quit` and which shut down
      // cleanly (so the image was written back) is compared.
      const herc = join(dir, 'herc.3390');
      const run = await runHerculesSettled({
        script: [...herculesAlterCommands(program.chunks), 'r 0=0008000080002000', 'restart', 'pause 2', 'quit', ''].join('\n'),
        devices: ['0009 3215-C / noprompt', `0190 3390 ${herc}`],
        pauses: [2, 8, 20],
        beforeAttempt: () => {
          expect(dasdInit({ file: herc, type: '3390', cylinders: 10, volser: 'VOL001', format: 'hercules', force: true }).ok).toBe(true);
        },
      });
      expect(run.complete, run.raw.slice(-3000)).toBe(true);
      // The guest's console lines are what `restart` printed that is not a
      // Hercules message: the parser sets other threads' messages (under load
      // even the CPU thread's start message, HHCCP002I, lands after `restart`)
      // apart with their continuation lines.
      const restart = run.commands.find((c) => c.text === 'restart');
      const herculesLines = (restart?.items ?? []).flatMap((it) => (it.kind === 'text' ? [it.text.trimEnd()] : []));
      // Here.
      expect(dasdInit({ file: join(dir, 'ours.3390'), type: '3390', cylinders: 10, volser: 'VOL001', format: 'hercules' }).ok).toBe(true);
      const dasd = Dasd3390.open(join(dir, 'ours.3390'));
      if (!dasd.ok) throw new Error(dasd.error.message);
      const { machine, channels } = createChannelMachine({ mainsize: 16 << 20 });
      const con = new Console3215();
      channels.attach(0x0009, con);
      channels.attach(0x0190, dasd.device);
      for (const c of program.chunks) machine.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
      machine.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0, 8, 0, 0, 0x80, 0, 0x20, 0]));
      machine.restart(0);
      machine.run(50_000_000);
      dasd.device.flush();
      expect(herculesLines).toEqual(con.lines.map((l) => l.trimEnd()));
      expect(herculesLines[0]).toBe('VOLUME VOL001');
      // Both images now hold the same records; Hercules' is byte-identical to ours.
      expect(Buffer.compare(readFileSync(herc), readFileSync(join(dir, 'ours.3390')))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
