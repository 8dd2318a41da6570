/**
 * Channel-program semantics (POP SA22-7201 chapter 15, "Chaining",
 * "Incorrect Length", "Program Check", "Protection Check", "Indirect Data
 * Addressing"): what ends up in the SCSW and in storage.
 */
import type { AbsoluteAddress } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import {
  CE_DE,
  CardPunch2540,
  CardReader2540,
  Console3215,
  DS_UNIT_EXCEPTION,
  SC_ALERT,
  SC_INTERMEDIATE,
  SC_PENDING,
  SC_PRIMARY,
  SS_INCORRECT_LENGTH,
  SS_PCI,
  SS_PROGRAM_CHECK,
  SS_PROTECTION_CHECK,
  toEbcdic,
} from '../src/index';
import { ccw0, ccw1, drain, enable, io, peek, poke, rig, runProgram, start, test } from './helpers';

function readerRig(cards = ['FIRST CARD', 'SECOND CARD', 'THIRD CARD']) {
  const r = rig();
  const rdr = new CardReader2540(cards);
  const pun = new CardPunch2540();
  const con = new Console3215();
  r.css.attach(0x00c, rdr);
  r.css.attach(0x00d, pun);
  r.css.attach(0x009, con);
  enable(r, 0);
  enable(r, 1);
  enable(r, 2);
  return { ...r, rdr, pun, con };
}

const card = (s: string): number[] => Array.from(toEbcdic(s.padEnd(80, ' ')));

describe('command chaining', () => {
  it('chains commands with CC; the SCSW CCW address points past the last CCW executed', () => {
    const r = readerRig();
    poke(r, 0x1000, [...ccw1(0x02, 0x40, 80, 0x2000), ...ccw1(0x02, 0x40, 80, 0x2050), ...ccw1(0x02, 0x00, 80, 0x20a0)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.deviceStatus).toBe(CE_DE);
    expect(t.scsw.subchannelStatus).toBe(0);
    expect(t.scsw.ccwAddress).toBe(0x1018);
    expect(t.scsw.count).toBe(0);
    expect(Array.from(peek(r, 0x2050, 80))).toEqual(card('SECOND CARD'));
    expect(Array.from(peek(r, 0x20a0, 80))).toEqual(card('THIRD CARD'));
  });

  it('incorrect length ends the chain unless SLI; residual is the count left', () => {
    const r = readerRig();
    poke(r, 0x1000, [...ccw1(0x02, 0x40, 100, 0x2000), ...ccw1(0x02, 0x00, 80, 0x2100)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(SS_INCORRECT_LENGTH);
    expect(t.scsw.count).toBe(20);
    expect(t.scsw.ccwAddress).toBe(0x1008);
    expect(t.scsw.flag3 & SC_ALERT).toBe(SC_ALERT);
    expect(r.rdr.cardsLeft).toBe(2);
  });

  it('SLI suppresses incorrect length and chaining goes on (count shorter than the card: 10 bytes stored)', () => {
    const r = readerRig();
    poke(r, 0x2000, new Uint8Array(80).fill(0xee));
    poke(r, 0x1000, [...ccw1(0x02, 0x60, 10, 0x2000), ...ccw1(0x02, 0x20, 80, 0x2100)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(0);
    expect(t.scsw.ccwAddress).toBe(0x1010);
    expect(Array.from(peek(r, 0x2000, 11))).toEqual([...card('FIRST CARD').slice(0, 10), 0xee]);
  });

  it('format-0 CCWs work the same way (24-bit addresses)', () => {
    const r = readerRig();
    poke(r, 0x1000, [...ccw0(0x02, 0x2000, 0x40, 80), ...ccw0(0x02, 0x2050, 0x00, 80)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000, format1: false });
    expect(t.scsw.deviceStatus).toBe(CE_DE);
    expect(t.scsw.ccwAddress).toBe(0x1010);
    expect(Array.from(peek(r, 0x2000, 80))).toEqual(card('FIRST CARD'));
  });

  it('unit exception at end of file ends the chain with that status', () => {
    const r = readerRig(['ONLY']);
    poke(r, 0x1000, [...ccw1(0x02, 0x40, 80, 0x2000), ...ccw1(0x02, 0x20, 80, 0x2050)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.deviceStatus).toBe(CE_DE | DS_UNIT_EXCEPTION);
    expect(t.scsw.ccwAddress).toBe(0x1010);
  });
});

describe('data chaining', () => {
  it('scatters one card over three data-chained CCWs', () => {
    const r = readerRig();
    poke(r, 0x1000, [...ccw1(0x02, 0x80, 30, 0x2000), ...ccw1(0x00, 0x80, 30, 0x3000), ...ccw1(0x00, 0x00, 20, 0x4000)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(0);
    expect(t.scsw.count).toBe(0);
    expect(t.scsw.ccwAddress).toBe(0x1018);
    const c = card('FIRST CARD');
    expect(Array.from(peek(r, 0x2000, 30))).toEqual(c.slice(0, 30));
    expect(Array.from(peek(r, 0x3000, 30))).toEqual(c.slice(30, 60));
    expect(Array.from(peek(r, 0x4000, 20))).toEqual(c.slice(60, 80));
  });

  it('the device ending inside a data-chained CCW is incorrect length even with SLI (CD on)', () => {
    const r = readerRig();
    poke(r, 0x1000, [...ccw1(0x02, 0xa0, 60, 0x2000), ...ccw1(0x00, 0xa0, 60, 0x3000), ...ccw1(0x00, 0x20, 60, 0x4000)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(SS_INCORRECT_LENGTH);
    expect(t.scsw.count).toBe(40);
    expect(t.scsw.ccwAddress).toBe(0x1010);
  });

  it('gathers write data over data-chained CCWs (punch)', () => {
    const r = readerRig();
    poke(r, 0x2000, toEbcdic('HELLO '));
    poke(r, 0x3000, toEbcdic('WORLD'));
    poke(r, 0x1000, [...ccw1(0x01, 0xa0, 6, 0x2000), ...ccw1(0x00, 0x20, 5, 0x3000)]);
    const t = runProgram(r, 1, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(0);
    expect(r.pun.text()).toEqual(['HELLO WORLD']);
  });

  it('a format-1 CCW with count 0 and data chaining is a program check', () => {
    const r = readerRig();
    poke(r, 0x1000, [...ccw1(0x02, 0x80, 0, 0x2000), ...ccw1(0x00, 0x00, 80, 0x3000)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(SS_PROGRAM_CHECK);
    expect(t.scsw.deviceStatus).toBe(0);
    expect(t.scsw.ccwAddress).toBe(0x1008);
    expect(r.rdr.cardsLeft).toBe(3);
  });
});

describe('TIC', () => {
  it('transfers to another CCW', () => {
    const r = readerRig();
    poke(r, 0x1000, [...ccw1(0x02, 0x40, 80, 0x2000), ...ccw1(0x08, 0, 0, 0x1800)]);
    poke(r, 0x1800, ccw1(0x02, 0x00, 80, 0x2050));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.deviceStatus).toBe(CE_DE);
    expect(t.scsw.ccwAddress).toBe(0x1808);
  });

  it('TIC to TIC is a program check', () => {
    const r = readerRig();
    poke(r, 0x1000, [...ccw1(0x02, 0x40, 80, 0x2000), ...ccw1(0x08, 0, 0, 0x1800)]);
    poke(r, 0x1800, ccw1(0x08, 0, 0, 0x1000));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(SS_PROGRAM_CHECK);
    expect(t.scsw.ccwAddress).toBe(0x1808);
  });

  it('a TIC as the first CCW is a program check', () => {
    const r = readerRig();
    poke(r, 0x1000, ccw1(0x08, 0, 0, 0x1800));
    poke(r, 0x1800, ccw1(0x02, 0x00, 80, 0x2050));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(SS_PROGRAM_CHECK);
    expect(r.rdr.cardsLeft).toBe(3);
  });

  it('a format-1 TIC with flags or count is a program check; a TIC to an odd address is a program check reporting TIC+8', () => {
    const r = readerRig();
    poke(r, 0x1000, [...ccw1(0x02, 0x40, 80, 0x2000), ...ccw1(0x08, 0x40, 0, 0x1800)]);
    expect(runProgram(r, 0, { ccwAddress: 0x1000 }).scsw.subchannelStatus).toBe(SS_PROGRAM_CHECK);
    poke(r, 0x1000, [...ccw1(0x02, 0x40, 80, 0x2000), ...ccw1(0x08, 0, 0, 0x1804)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(SS_PROGRAM_CHECK);
    expect(t.scsw.ccwAddress).toBe(0x1010);
  });
});

describe('program checks', () => {
  const cases: [string, number[], number, boolean][] = [
    ['CCW address not on a doubleword', ccw1(0x02, 0, 80, 0x2000), 0x1004, true],
    ['invalid command code (low 4 bits zero)', ccw1(0x10, 0, 80, 0x2000), 0x1000, true],
    ['format-0 count zero', ccw0(0x02, 0x2000, 0, 0), 0x1000, false],
    ['format-1 data address bit 0', ccw1(0x02, 0, 80, 0x80002000), 0x1000, true],
    ['CCW flag bit 39 (reserved in ESA/390)', ccw1(0x02, 0x01, 80, 0x2000), 0x1000, true],
    ['data address beyond storage', ccw1(0x02, 0, 80, 0x000ffff0), 0x1000, true],
    ['CCW beyond storage', [], 0x00200000, true],
  ];
  for (const [name, bytes, at, f1] of cases) {
    it(`${name}: program check, no device status`, () => {
      const r = readerRig();
      if (bytes.length > 0) poke(r, at, bytes);
      const t = runProgram(r, 0, { ccwAddress: at, format1: f1 });
      expect(t.ssch).toBe(0);
      expect(t.scsw.subchannelStatus & SS_PROGRAM_CHECK).toBe(SS_PROGRAM_CHECK);
      expect(t.scsw.flag3 & (SC_PRIMARY | SC_ALERT)).toBe(SC_PRIMARY | SC_ALERT);
    });
  }

  it('a format-0 channel program above 16 MB is a program check', () => {
    const r = rig({}, 32 << 20);
    r.css.attach(0x00c, new CardReader2540(['X']));
    enable(r, 0);
    poke(r, 0x01000000, ccw0(0x02, 0x2000, 0, 80));
    expect(runProgram(r, 0, { ccwAddress: 0x01000000, format1: false }).scsw.subchannelStatus).toBe(SS_PROGRAM_CHECK);
  });
});

describe('protection check', () => {
  it('reading into a frame of another key with a nonzero ORB key: protection check, nothing stored', () => {
    const r = readerRig();
    r.storage.setKey(0x2000 as AbsoluteAddress, 0x30);
    poke(r, 0x2000, new Uint8Array(80).fill(0x11));
    poke(r, 0x1000, ccw1(0x02, 0, 80, 0x2000));
    const t = runProgram(r, 0, { ccwAddress: 0x1000, key: 2 });
    expect(t.scsw.subchannelStatus & SS_PROTECTION_CHECK).toBe(SS_PROTECTION_CHECK);
    expect(Array.from(peek(r, 0x2000, 80)).every((b) => b === 0x11)).toBe(true);
  });

  it('matching key or key 0 may store; fetch protection stops a write from another key', () => {
    const r = readerRig();
    r.storage.setKey(0x2000 as AbsoluteAddress, 0x30);
    poke(r, 0x1000, ccw1(0x02, 0, 80, 0x2000));
    expect(runProgram(r, 0, { ccwAddress: 0x1000, key: 3 }).scsw.subchannelStatus).toBe(0);
    expect(runProgram(r, 0, { ccwAddress: 0x1000, key: 0 }).scsw.subchannelStatus).toBe(0);
    r.storage.setKey(0x3000 as AbsoluteAddress, 0x58);
    poke(r, 0x1800, ccw1(0x01, 0, 80, 0x3000));
    const t = runProgram(r, 1, { ccwAddress: 0x1800, key: 4 });
    expect(t.scsw.subchannelStatus).toBe(SS_PROTECTION_CHECK);
    expect(r.pun.cards.length).toBe(0);
    r.storage.setKey(0x3000 as AbsoluteAddress, 0x50);
    expect(runProgram(r, 1, { ccwAddress: 0x1800, key: 4 }).scsw.subchannelStatus).toBe(0);
  });

  it('a CCW in a fetch-protected frame of another key: protection check', () => {
    const r = readerRig();
    r.storage.setKey(0x1000 as AbsoluteAddress, 0x68);
    poke(r, 0x1000, ccw1(0x02, 0, 80, 0x2000));
    expect(runProgram(r, 0, { ccwAddress: 0x1000, key: 2 }).scsw.subchannelStatus).toBe(SS_PROTECTION_CHECK);
  });
});

describe('SKIP, PCI, IDAWs', () => {
  it('SKIP reads the card but stores nothing', () => {
    const r = readerRig();
    poke(r, 0x2000, new Uint8Array(80).fill(0x77));
    poke(r, 0x1000, [...ccw1(0x02, 0x50, 80, 0x2000), ...ccw1(0x02, 0x00, 80, 0x2100)]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(0);
    expect(Array.from(peek(r, 0x2000, 80)).every((b) => b === 0x77)).toBe(true);
    expect(Array.from(peek(r, 0x2100, 80))).toEqual(card('SECOND CARD'));
  });

  it('PCI gives an intermediate interruption while the program goes on; the final status follows', () => {
    const r = readerRig();
    poke(r, 0x1000, [...ccw1(0x02, 0x48, 80, 0x2000), ...ccw1(0x02, 0x00, 80, 0x2100)]);
    start(r, 0, { ccwAddress: 0x1000 });
    r.clock.advanceTo(r.clock.now() + 10_000 * r.clock.cyclesPerMicrosecond);
    const mid = test(r, 0);
    expect(mid.cc).toBe(0);
    expect(mid.scsw.flag3 & (SC_INTERMEDIATE | SC_PENDING)).toBe(SC_INTERMEDIATE | SC_PENDING);
    expect(mid.scsw.flag3 & SC_PRIMARY).toBe(0);
    expect(mid.scsw.subchannelStatus).toBe(SS_PCI);
    drain(r.clock);
    const end = test(r, 0);
    expect(end.cc).toBe(0);
    expect(end.scsw.flag3 & SC_PRIMARY).toBe(SC_PRIMARY);
    expect(end.scsw.subchannelStatus).toBe(0);
  });

  it('format-1 IDAWs: the first may start anywhere, the rest on 2K boundaries', () => {
    const r = readerRig();
    poke(r, 0x1800, [0, 0, 0x27, 0xf0, 0, 0, 0x50, 0x00]);
    poke(r, 0x1000, ccw1(0x02, 0x04, 80, 0x1800));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(0);
    const c = card('FIRST CARD');
    expect(Array.from(peek(r, 0x27f0, 16))).toEqual(c.slice(0, 16));
    expect(Array.from(peek(r, 0x5000, 64))).toEqual(c.slice(16));
  });

  it('a second IDAW not on a 2K boundary, or an IDAW with bit 0, is a program check', () => {
    const r = readerRig();
    poke(r, 0x1800, [0, 0, 0x27, 0xf0, 0, 0, 0x50, 0x10]);
    poke(r, 0x1000, ccw1(0x02, 0x04, 80, 0x1800));
    expect(runProgram(r, 0, { ccwAddress: 0x1000 }).scsw.subchannelStatus).toBe(SS_PROGRAM_CHECK);
    poke(r, 0x1800, [0x80, 0, 0x20, 0x00]);
    expect(runProgram(r, 0, { ccwAddress: 0x1000 }).scsw.subchannelStatus).toBe(SS_PROGRAM_CHECK);
  });
});

describe('immediate commands and incorrect length', () => {
  it('NOP: format-0 never indicates IL; format-1 with a count and no SLI does unless ORB L', () => {
    const r = readerRig();
    poke(r, 0x1000, ccw0(0x03, 0, 0, 1));
    expect(runProgram(r, 2, { ccwAddress: 0x1000, format1: false }).scsw.subchannelStatus).toBe(0);
    poke(r, 0x1000, ccw1(0x03, 0, 1, 0));
    expect(runProgram(r, 2, { ccwAddress: 0x1000 }).scsw.subchannelStatus).toBe(SS_INCORRECT_LENGTH);
    expect(runProgram(r, 2, { ccwAddress: 0x1000, incorrectLengthSuppression: true }).scsw.subchannelStatus).toBe(0);
    poke(r, 0x1000, ccw1(0x03, 0x20, 1, 0));
    expect(runProgram(r, 2, { ccwAddress: 0x1000 }).scsw.subchannelStatus).toBe(0);
    poke(r, 0x1000, ccw1(0x03, 0, 0, 0));
    const t = runProgram(r, 2, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(0);
    expect(t.scsw.deviceStatus).toBe(CE_DE);
  });
});

describe('a channel program that never ends', () => {
  it('NOP + TIC back loops forever in simulated time, never in host time; HSCH ends it', () => {
    const r = readerRig();
    poke(r, 0x1000, [...ccw1(0x03, 0x60, 1, 0), ...ccw1(0x08, 0, 0, 0x1000)]);
    expect(start(r, 2, { ccwAddress: 0x1000 })).toBe(0);
    // Running the clock to a deadline returns although the program keeps going.
    r.clock.advanceTo(r.clock.now() + 1000 * r.clock.cyclesPerMicrosecond);
    expect(test(r, 2).cc).toBe(1);
    expect(r.css.counters.ccws).toBeGreaterThan(100);
    expect(io(r, 'HSCH', 2)).toBe(0);
    drain(r.clock);
    const t = test(r, 2);
    expect(t.cc).toBe(0);
    expect(t.scsw.flag2 & 0x60).toBe(0x60);
  });
});

describe('address-limit checking (SAL, PMCW limit mode, ORB A)', () => {
  it('with limit mode 01 and the ORB A bit, data at or above the limit is a program check; without the A bit it is fine', () => {
    const r = readerRig();
    r.cpu.gpr[1] = 0x00008000;
    expect(r.css.execute('SAL', 0, r.cpu)).toBe(0);
    // Set limit mode 01 (addresses at or above the limit are invalid) on subchannel 0.
    io(r, 'STSCH', 0, 0x800);
    poke(r, 0x805, [peek(r, 0x805, 1)[0]! | 0x20]);
    expect(io(r, 'MSCH', 0, 0x800)).toBe(0);
    poke(r, 0x1000, ccw1(0x02, 0x00, 80, 0x9000));
    expect(runProgram(r, 0, { ccwAddress: 0x1000, addressLimitChecking: true }).scsw.subchannelStatus).toBe(SS_PROGRAM_CHECK);
    expect(runProgram(r, 0, { ccwAddress: 0x1000 }).scsw.subchannelStatus).toBe(0);
    poke(r, 0x1000, ccw1(0x02, 0x00, 80, 0x4000));
    expect(runProgram(r, 0, { ccwAddress: 0x1000, addressLimitChecking: true }).scsw.subchannelStatus).toBe(0);
  });
});
