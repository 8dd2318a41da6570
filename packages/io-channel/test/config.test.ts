/**
 * Hercules-style configuration files: the same h.cnf configures Hercules and
 * a Strachey machine (device lines in order become subchannels 0, 1, …).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '@strachey/isa-core';
import { CkdVolume, type Console3215, dasdInit, formatVolume, geometry3390, loadMachineConfig, loadVolume, parseMachineConfig, runScriptOnConfiguredMachine, saveVolume, toEbcdic } from '../src/index';
import { ccw1, enable, peek, poke, rig, runProgram } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'io-channel-cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('machine configuration files', () => {
  it('reads system statements and device lines; attach() numbers subchannels in file order; flush() writes output files', () => {
    const v = new CkdVolume(geometry3390(5));
    formatVolume(v, 'CFG001');
    saveVolume(join(dir, 'vol.3390'), v, 'hercules');
    writeFileSync(join(dir, 'cards.txt'), 'CARD ONE\nCARD TWO\n');
    const cnf = [
      '# the oracle configuration',
      'CPUSERIAL 000611',
      'CPUMODEL  3090',
      'MAINSIZE  16',
      'NUMCPU    2',
      'ARCHMODE  ESA/390',
      '0009 3215-C / noprompt',
      '000C 3505 cards.txt ascii eof',
      '000D 3525 punch.txt ascii',
      '000E 1403 print.txt',
      '0190 3390 vol.3390',
    ].join('\n');
    writeFileSync(join(dir, 'h.cnf'), cnf);
    const r0 = loadMachineConfig(join(dir, 'h.cnf'));
    if (!r0.ok) throw new Error(JSON.stringify(r0.errors));
    const c = r0.config;
    expect(c.mainsize).toBe(16 << 20);
    expect(c.cpus).toBe(2);
    expect(c.devices.map((d) => [d.deviceNumber, d.type])).toEqual([
      [0x0009, '3215-C'],
      [0x000c, '3505'],
      [0x000d, '3525'],
      [0x000e, '1403'],
      [0x0190, '3390'],
    ]);
    const r = rig();
    c.attach(r.css);
    expect(r.css.subchannelForDevice(0x0190)?.number).toBe(4);
    for (let i = 0; i < 5; i++) enable(r, i);
    poke(r, 0x1000, ccw1(0x02, 0x00, 80, 0x2000));
    expect(runProgram(r, 1, { ccwAddress: 0x1000 }).scsw.deviceStatus).toBe(0x0c);
    expect(Array.from(peek(r, 0x2000, 8))).toEqual(Array.from(toEbcdic('CARD ONE')));
    poke(r, 0x2100, toEbcdic('PRINTED'));
    poke(r, 0x1000, ccw1(0x09, 0x20, 7, 0x2100));
    runProgram(r, 3, { ccwAddress: 0x1000 });
    poke(r, 0x1000, ccw1(0x01, 0x20, 7, 0x2100));
    runProgram(r, 2, { ccwAddress: 0x1000 });
    c.flush();
    expect(readFileSync(join(dir, 'print.txt'), 'latin1')).toBe('PRINTED\n');
    expect(readFileSync(join(dir, 'punch.txt'), 'latin1')).toBe('PRINTED\n');
  });

  it('reports every problem with file, line and column, and attaches nothing', () => {
    const text = ['MAINSIZE lots', 'BOGUS 1', '0190 3390 missing.3390', '0009 3215', '0009 1403 p.txt', '000A 9999', '0100-0103 3215', 'ARCHMODE z/Arch'].join('\n');
    const r = parseMachineConfig(text, join(dir, 'bad.cnf'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.line, e.column])).toEqual([
      ['CONFIG_VALUE', 1, 10],
      ['CONFIG_STATEMENT', 2, 1],
      ['IMAGE_NOT_FOUND', 3, 11],
      ['CONFIG_DUPLICATE_DEVICE', 5, 1],
      ['CONFIG_DEVICE_TYPE', 6, 6],
      ['CONFIG_DEVICE_RANGE', 7, 1],
      ['CONFIG_VALUE', 8, 10],
    ]);
    expect(r.errors[0]!.file).toBe(join(dir, 'bad.cnf'));
  });
});

describe('a console script on a configured machine (what `strachey run -f h.cnf` needs)', () => {
  it('IPLs a card deck named in the configuration and writes the printer file afterwards', () => {
    // Card 1: PSW → X'2000', CCW1 reads card 2 to X'2000'. Card 2: the program writes a line on the 1403 (subchannel 1),
    // polls TSCH, stores 42 at X'300' and waits.
    const card1 = new Uint8Array(80);
    card1.set([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x20, 0x00, 0x02, 0x00, 0x20, 0x00, 0x20, 0x00, 0x00, 0x50]);
    // Card 2 (80 bytes at X'2000'): program, "HELLO" at X'202A', wait PSW X'2030', SSID X'2038', ORB X'203C', CCW X'2048'.
    const card2 = new Uint8Array(80);
    const prog = [
      0x05, 0xc0, // BALR 12,0 (R12 = X'2002')
      0x58, 0x10, 0xc0, 0x36, // L 1,SSID
      0xb2, 0x34, 0x03, 0x00, // STSCH X'300'
      0x96, 0x80, 0x03, 0x05, // OI X'305',X'80'
      0xb2, 0x32, 0x03, 0x00, // MSCH X'300'
      0xb2, 0x33, 0xc0, 0x3a, // SSCH ORB
      0xb2, 0x35, 0x04, 0x00, // T: TSCH X'400' (X'2016')
      0x47, 0x70, 0xc0, 0x14, // BNZ T
      0x41, 0x20, 0x00, 0x2a, // LA 2,42
      0x50, 0x20, 0x03, 0x00, // ST 2,X'300'
      0x82, 0x00, 0xc0, 0x2e, // LPSW X'2030'
    ];
    card2.set(prog, 0);
    card2.set(Array.from(toEbcdic('HELLO')), 0x2a);
    card2.set([0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x0a], 0x30);
    card2.set([0x00, 0x01, 0x00, 0x01], 0x38);
    card2.set([0, 0, 0, 0, 0x00, 0x80, 0x80, 0x00, 0, 0, 0x20, 0x48], 0x3c);
    card2.set([0x09, 0x20, 0x00, 0x05, 0x00, 0x00, 0x20, 0x2a], 0x48);
    writeFileSync(join(dir, 'deck.bin'), Buffer.concat([Buffer.from(card1), Buffer.from(card2)]));
    writeFileSync(join(dir, 'run.cnf'), 'MAINSIZE 1\n000C 3505 deck.bin ebcdic\n000E 1403 out.txt\n');
    const cfg = loadMachineConfig(join(dir, 'run.cnf'));
    if (!cfg.ok) throw new Error(JSON.stringify(cfg.errors));
    const r = runScriptOnConfiguredMachine('ipl 000c\npause 1\nr 300.4\npsw\n', 'boot.rc', cfg.config);
    if (!r.ok) throw new Error('script did not parse');
    expect(r.error).toBeNull();
    expect(r.output.find((l) => l.startsWith('R:00000300'))).toMatch(/=0000002A/);
    expect(r.output).toContain('PSW=000A0000 00000A0A');
    expect(readFileSync(join(dir, 'out.txt'), 'latin1')).toBe('HELLO\n');
  });
});

describe('examples/dasd-to-console.cnf and .rc', () => {
  it('run the example program through a configuration and a console script', () => {
    const exdir = join(dir, 'example');
    mkdirSync(exdir);
    const here = join(__dirname, '../examples');
    for (const f of ['dasd-to-console.cnf', 'dasd-to-console.rc']) copyFileSync(join(here, f), join(exdir, f));
    const program = assemble(readFileSync(join(here, 'dasd-to-console.asm'), 'utf8'));
    if (!program.ok) throw new Error('the example does not assemble');
    writeFileSync(join(exdir, 'dasdcon.bin'), program.image);
    expect(dasdInit({ file: join(exdir, 'vol001.3390'), type: '3390', cylinders: 10, volser: 'VOL001', format: 'hercules' }).ok).toBe(true);
    const cfg = loadMachineConfig(join(exdir, 'dasd-to-console.cnf'));
    if (!cfg.ok) throw new Error(JSON.stringify(cfg.errors));
    const con = cfg.config.devices[0]!.device as Console3215;
    const run = runScriptOnConfiguredMachine(readFileSync(join(exdir, 'dasd-to-console.rc'), 'utf8'), join(exdir, 'dasd-to-console.rc'), cfg.config, {
      loadFile: (f) => readFileSync(join(exdir, f)),
    });
    if (!run.ok) throw new Error(JSON.stringify(run.errors));
    expect(run.error).toBeNull();
    expect(con.lines.map((l) => l.trimEnd())).toEqual(['VOLUME VOL001', 'FIRST RECORD ON CYLINDER 1', 'SECOND RECORD', 'THIRD RECORD']);
    expect(run.output).toContain('PSW=000A0000 00000000');
    // flush() wrote the records into the image.
    const v = loadVolume(join(exdir, 'vol001.3390'));
    expect(v.ok && v.volume.track(1, 0).length).toBe(4);
  });
});
