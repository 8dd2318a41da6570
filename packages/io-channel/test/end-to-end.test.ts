/**
 * End to end: real ESA/390 guest programs, assembled with isa-core's
 * assembler and run on isa-core's CPU, doing their own I/O through this
 * channel subsystem (SSCH/TSCH polling, I/O interruptions through CR6 and
 * the I/O new PSW, IPL from a card reader).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AbsoluteAddress, assemble, executeConsoleScript, parseConsoleScript } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { CardReader2540, Console3215, Dasd3390, createChannelMachine, dasdInit, fromEbcdic, iplHandler, loadVolume, toEbcdic } from '../src/index';

function load(machine: { storage: { writeFrom(a: AbsoluteAddress, b: Uint8Array): void } }, source: string): number {
  const r = assemble(source);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  for (const c of r.chunks) machine.storage.writeFrom(c.address as AbsoluteAddress, c.bytes);
  return r.entry ?? r.origin;
}

describe('a bare-metal program reads a 3390 and prints on the 3215', () => {
  it('examples/dasd-to-console.asm on a fresh volume: prints the volser, writes three records, reads and prints them; they persist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'io-channel-e2e-'));
    try {
      const file = join(dir, 'demo01.dasd');
      expect(dasdInit({ file, type: '3390', cylinders: 10, volser: 'DEMO01' }).ok).toBe(true);
      const opened = Dasd3390.open(file);
      if (!opened.ok) throw new Error(opened.error.message);
      const { machine, channels } = createChannelMachine({ mainsize: 1 << 20 });
      const con = new Console3215();
      channels.attach(0x0009, con);
      channels.attach(0x0190, opened.device);
      const entry = load(machine, readFileSync(join(__dirname, '../examples/dasd-to-console.asm'), 'utf8'));
      machine.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, entry >>> 8, entry & 0xff]));
      machine.restart(0);
      const exit = machine.run(50_000_000);
      expect(exit.reason).toBe('halted');
      expect(machine.cpus[0]!.getPsw()).toEqual([0x000a0000, 0]);
      const text = ['FIRST RECORD ON CYLINDER 1', 'SECOND RECORD', 'THIRD RECORD'];
      expect(con.lines.map((l) => l.trimEnd())).toEqual(['VOLUME DEMO01', ...text]);
      // Simulated time includes the 3390 seeks and rotations and the 3215's printing.
      expect(machine.now()).toBeGreaterThan(0);
      opened.device.flush();
      const again = loadVolume(file);
      if (!again.ok) throw new Error(again.error.message);
      const track = again.volume.track(1, 0);
      expect(track.map((r) => r.r)).toEqual([0, 1, 2, 3]);
      expect(track.slice(1).map((r) => fromEbcdic(r.data).trimEnd())).toEqual(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const INTERRUPT_PROGRAM = `
*        Start a card read, then wait enabled for the I/O interruption.
INTR     START X'2000'
         BALR  12,0
         USING *,12
         L     1,=X'00010000'
         STSCH SCHIB
         OI    SCHIB+5,X'80'
         OI    SCHIB+4,X'18'           ISC 3
         MSCH  SCHIB
         LCTL  6,6,CR6                 enable subclass 3
         MVC   X'78'(8),IONEW
         SSCH  ORB
         LPSW  WAITIO                  enabled wait
GOTIO    TSCH  IRB
         ST    2,CC
         LPSW  DONE
         DS    0D
WAITIO   DC    X'020A0000',X'00000000'
IONEW    DC    X'00080000',A(GOTIO+X'80000000')
DONE     DC    X'000A0000',X'00000000'
CR6      DC    X'10000000'
ORB      DC    X'CAFEF00D',X'00808000',A(CCW)
         DS    0D
CCW      DC    X'02',X'00',AL2(80),A(CARD)
CC       DS    F
SCHIB    DS    XL52
IRB      DS    XL64
CARD     DS    CL80
         END   INTR
`;

describe('I/O interruption through CR6 and the I/O new PSW', () => {
  it('an enabled wait ends with the I/O interruption: X B8 holds the SSID, X BC the ORB parameter', () => {
    const { machine, channels } = createChannelMachine({ mainsize: 1 << 20 });
    channels.attach(0x000c, new CardReader2540(['INTERRUPT DRIVEN']));
    const entry = load(machine, INTERRUPT_PROGRAM);
    machine.storage.writeFrom(0 as AbsoluteAddress, Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, entry >>> 8, entry & 0xff]));
    machine.restart(0);
    const exit = machine.run(10_000_000);
    expect(exit.reason).toBe('halted');
    expect(machine.cpus[0]!.getPsw()).toEqual([0x000a0000, 0]);
    expect(machine.storage.read32(0xb8 as AbsoluteAddress) >>> 0).toBe(0x00010000);
    expect(machine.storage.read32(0xbc as AbsoluteAddress) >>> 0).toBe(0xcafef00d);
    const r = assemble(INTERRUPT_PROGRAM);
    const card = r.symbols.find((s) => s.name === 'CARD')!.value;
    const bytes = new Uint8Array(16);
    machine.storage.readInto(card as AbsoluteAddress, bytes);
    expect(Array.from(bytes)).toEqual(Array.from(toEbcdic('INTERRUPT DRIVEN')));
  });
});

describe('IPL (POP chapter 17)', () => {
  it('IPL from a card reader: 24 bytes to 0, CCWs at 8 and 16 read the program, the PSW at 0 starts it', () => {
    const { machine, channels } = createChannelMachine({ mainsize: 1 << 20 });
    // Card 1: PSW (start at X'2000'), CCW1 read card 2 to X'2000' (CC), CCW2 NOP.
    const card1 = Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x20, 0x00, 0x02, 0x00, 0x20, 0x00, 0x60, 0x00, 0x00, 0x50, 0x03, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x01]);
    // Card 2: LA 2,42 / BALR 12,0 / LPSW X'0A'(12) = X'2010' / disabled wait PSW at X'2010'.
    const card2 = new Uint8Array(80);
    card2.set([0x41, 0x20, 0x00, 0x2a, 0x05, 0xc0, 0x82, 0x00, 0xc0, 0x0a], 0);
    card2.set([0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xaa], 0x10);
    channels.attach(0x000c, new CardReader2540([card1, card2]));
    const ipl = iplHandler(channels);
    expect(ipl(machine, 0x000c, 0)).toBeNull();
    expect(machine.storage.read32(0xb8 as AbsoluteAddress) >>> 0).toBe(0x00010000);
    machine.run(1000);
    expect(machine.cpus[0]!.gpr[2]).toBe(42);
    expect(machine.cpus[0]!.getPsw()).toEqual([0x000a0000, 0x00000aaa]);
  });

  it('IPL from a device that is not there, or that fails, is an error message', () => {
    const { machine, channels } = createChannelMachine({ mainsize: 1 << 20 });
    channels.attach(0x000c, new CardReader2540([]));
    const ipl = iplHandler(channels);
    expect(ipl(machine, 0x0123, 0)).toMatch(/no device 0123/);
    expect(ipl(machine, 0x000c, 0)).toMatch(/unusual status.*device status X'0D'/);
  });
});

describe('console scripts (isa-core) with this channel subsystem', () => {
  it('`ipl 000C` in a console script loads and starts the card deck; `r` shows what the program stored', () => {
    const { machine, channels } = createChannelMachine({ mainsize: 1 << 20 });
    const card1 = Uint8Array.from([0x00, 0x08, 0x00, 0x00, 0x80, 0x00, 0x20, 0x00, 0x02, 0x00, 0x20, 0x00, 0x20, 0x00, 0x00, 0x50]);
    // Card 2: LA 2,42 / ST 2,X'300' / BALR 12,0 / LPSW X'0E'(12) with the wait PSW at X'2018' (a doubleword).
    const card2 = new Uint8Array(80);
    card2.set([0x41, 0x20, 0x00, 0x2a, 0x50, 0x20, 0x03, 0x00, 0x05, 0xc0, 0x82, 0x00, 0xc0, 0x0e], 0);
    card2.set([0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x0b], 0x18);
    channels.attach(0x000c, new CardReader2540([card1, card2]));
    const parsed = parseConsoleScript('ipl 000c\npause 1\nr 300.4\npsw\n', 'boot.rc');
    if (!parsed.ok) throw new Error('script did not parse');
    const run = executeConsoleScript(parsed.script, machine, { ipl: iplHandler(channels) });
    expect(run.error).toBeNull();
    expect(run.output.find((l) => l.startsWith('R:00000300'))).toMatch(/=0000002A/);
    expect(machine.cpus[0]!.getPsw()).toEqual([0x000a0000, 0x00000b0b]);
    expect(run.output).toContain('PSW=000A0000 00000B0B');
  });
});

describe('IPL resets the I/O system', () => {
  it('subchannels enabled and status pending before the IPL are disabled and idle after it', () => {
    const { machine, channels } = createChannelMachine({ mainsize: 1 << 20 });
    const card1 = Uint8Array.from([0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x01, 0x23, 0x03, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x01]);
    channels.attach(0x0009, new Console3215());
    channels.attach(0x000c, new CardReader2540([card1]));
    const con = channels.subchannelForDevice(0x0009)!;
    con.pmcw.enabled = true;
    con.pmcw.isc = 5;
    con.scsw.flag3 = 0x01;
    expect(iplHandler(channels)(machine, 0x000c, 0)).toBeNull();
    expect(con.pmcw.enabled).toBe(false);
    expect(con.pmcw.isc).toBe(0);
    expect(con.scsw.flag3).toBe(0);
    expect(channels.hasPending()).toBe(false);
    expect(machine.cpus[0]!.getPsw()).toEqual([0x000a0000, 0x00000123]);
  });
});
