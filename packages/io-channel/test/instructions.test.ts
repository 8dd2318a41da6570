/**
 * The I/O instructions through the IoHandler interface: condition codes and
 * program-interruption codes as POP SA22-7201 chapter 14 defines them, and
 * the Hercules behaviours mainframe-facts §1.1 records (subchannels numbered
 * from 0 in configuration order, valid but not enabled, PAM X'80').
 */
import type { AbsoluteAddress } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import {
  AC_DEVICE_ACTIVE,
  AC_START_PENDING,
  AC_SUBCHANNEL_ACTIVE,
  AC_SUSPENDED,
  CE_DE,
  CardReader2540,
  Console3215,
  DS_ATTENTION,
  Display3270,
  FC_CLEAR,
  FC_HALT,
  FC_START,
  Printer1403,
  SC_ALERT,
  SC_INTERMEDIATE,
  SC_PENDING,
  SC_PRIMARY,
  SC_SECONDARY,
  SCSW1_Z,
  decodeSchib,
  toEbcdic,
} from '../src/index';
import { IRB_AT, ORB_AT, SCHIB_AT, ccw1, drain, enable, io, peek, poke, rig, runProgram, start, test } from './helpers';

function consoleRig() {
  const r = rig();
  const con = new Console3215();
  const prt = new Printer1403();
  r.css.attach(0x009, con);
  r.css.attach(0x00e, prt);
  return { ...r, con, prt };
}

/** A console rig with an 85-character write started on subchannel 0: a program still running for a while at console speed. */
function consoleWriting() {
  const r = consoleRig();
  enable(r, 0);
  poke(r, 0x2000, toEbcdic('X'.repeat(85)));
  poke(r, 0x1000, ccw1(0x09, 0, 85, 0x2000));
  start(r, 0, { ccwAddress: 0x1000 });
  return r;
}

describe('subchannel numbering and initial state (Hercules config.c)', () => {
  it('numbers subchannels from 0 in attach order and stores a valid, not enabled PMCW with PIM/PAM/LPM X80', () => {
    const r = consoleRig();
    expect(io(r, 'STSCH', 1, SCHIB_AT)).toBe(0);
    const { pmcw, scsw } = decodeSchib(peek(r, SCHIB_AT, 52));
    expect(pmcw.deviceNumber).toBe(0x00e);
    expect(pmcw.valid).toBe(true);
    expect(pmcw.enabled).toBe(false);
    expect(pmcw.pim).toBe(0x80);
    expect(pmcw.pam).toBe(0x80);
    expect(pmcw.lpm).toBe(0x80);
    expect(pmcw.pom).toBe(0xff);
    expect(pmcw.chpids[0]).toBe(0x00);
    expect(scsw.flag2 | scsw.flag3).toBe(0);
  });

  it('STSCH of a subchannel that does not exist is cc 3 and stores nothing', () => {
    const r = consoleRig();
    poke(r, SCHIB_AT, [0xaa]);
    expect(io(r, 'STSCH', 2, SCHIB_AT)).toBe(3);
    expect(peek(r, SCHIB_AT, 1)[0]).toBe(0xaa);
  });

  it('SSCH to a subchannel that is not enabled is cc 3 (the program must MSCH the E bit first)', () => {
    const r = consoleRig();
    poke(r, 0x1000, ccw1(0x03, 0, 1, 0));
    expect(start(r, 0, { ccwAddress: 0x1000 })).toBe(3);
  });

  it('SSCH with an ORB LPM that misses the PAM is cc 3', () => {
    const r = consoleRig();
    enable(r, 0);
    poke(r, 0x1000, ccw1(0x03, 0, 1, 0));
    expect(start(r, 0, { ccwAddress: 0x1000, lpm: 0x40 })).toBe(3);
  });
});

describe('operand checks the handler reports as program-interruption codes', () => {
  it('GR1 without X0001 in its high halfword: operand exception (X15)', () => {
    const r = consoleRig();
    r.cpu.gpr[1] = 0x00000000;
    expect(r.css.execute('STSCH', SCHIB_AT, r.cpu)).toBe(-0x15);
    r.cpu.gpr[1] = 0x00030000;
    expect(r.css.execute('TSCH', IRB_AT, r.cpu)).toBe(-0x15);
  });

  it('operands not on a word boundary: specification exception (X06)', () => {
    const r = consoleRig();
    expect(io(r, 'STSCH', 0, SCHIB_AT + 2)).toBe(-0x06);
    expect(io(r, 'TSCH', 0, IRB_AT + 1)).toBe(-0x06);
    expect(io(r, 'SSCH', 0, ORB_AT + 3)).toBe(-0x06);
    expect(io(r, 'MSCH', 0, SCHIB_AT + 2)).toBe(-0x06);
  });

  it('ORB reserved bits and CCW-address bit 0: operand exception', () => {
    const r = consoleRig();
    enable(r, 0);
    poke(r, ORB_AT, [0, 0, 0, 0, 0x00, 0x80, 0x80, 0x01, 0, 0, 0x10, 0]);
    expect(io(r, 'SSCH', 0, ORB_AT)).toBe(-0x15);
    poke(r, ORB_AT, [0, 0, 0, 0, 0x00, 0x80, 0x80, 0x00, 0x80, 0, 0x10, 0]);
    expect(io(r, 'SSCH', 0, ORB_AT)).toBe(-0x15);
  });

  it('MSCH with reserved PMCW bits (ISC byte, LM 11, word 6): operand exception', () => {
    const r = consoleRig();
    io(r, 'STSCH', 0, SCHIB_AT);
    const good = peek(r, SCHIB_AT, 28);
    for (const [at, v] of [
      [4, 0x01],
      [5, 0x60],
      [24, 0x01],
      [27, 0x02],
    ] as const) {
      const b = good.slice();
      b[at] = b[at]! | v;
      poke(r, SCHIB_AT, b);
      expect(io(r, 'MSCH', 0, SCHIB_AT)).toBe(-0x15);
    }
  });

  it('an access exception fetching the ORB is returned as that code', () => {
    const r = consoleRig();
    enable(r, 0);
    expect(io(r, 'SSCH', 0, r.storage.size)).toBe(-0x05);
  });
});

describe('condition codes of SSCH, TSCH, MSCH, HSCH, CSCH, RSCH, XSCH', () => {
  it('SSCH cc 0, busy cc 2 while start pending, TSCH cc 1 before completion, then status pending cc 1, TSCH cc 0 clears', () => {
    const r = consoleRig();
    enable(r, 0);
    poke(r, 0x2000, toEbcdic('HELLO'));
    poke(r, 0x1000, ccw1(0x09, 0x20, 5, 0x2000));
    expect(start(r, 0, { ccwAddress: 0x1000 })).toBe(0);
    expect(start(r, 0, { ccwAddress: 0x1000 })).toBe(2);
    expect(io(r, 'MSCH', 0, SCHIB_AT)).toBe(2);
    const early = test(r, 0);
    expect(early.cc).toBe(1);
    expect(early.scsw.flag2 & (FC_START | AC_START_PENDING)).toBe(FC_START | AC_START_PENDING);
    drain(r.clock);
    expect(start(r, 0, { ccwAddress: 0x1000 })).toBe(1);
    expect(io(r, 'MSCH', 0, SCHIB_AT)).toBe(1);
    const t = test(r, 0);
    expect(t.cc).toBe(0);
    expect(t.scsw.flag3).toBe(SC_PRIMARY | SC_SECONDARY | SC_PENDING);
    expect(t.scsw.deviceStatus).toBe(CE_DE);
    expect(t.scsw.subchannelStatus).toBe(0);
    expect(t.scsw.count).toBe(0);
    expect(t.scsw.ccwAddress).toBe(0x1008);
    expect(r.con.lines).toEqual(['HELLO']);
    expect(test(r, 0).cc).toBe(1);
    expect(start(r, 0, { ccwAddress: 0x1000 })).toBe(0);
  });

  it('the device is active between start and completion (subchannel and device active)', () => {
    const r = consoleWriting();
    r.clock.advanceTo(r.clock.now() + 10_000 * r.clock.cyclesPerMicrosecond);
    io(r, 'STSCH', 0, SCHIB_AT);
    const { scsw } = decodeSchib(peek(r, SCHIB_AT, 52));
    expect(scsw.flag3 & (AC_SUBCHANNEL_ACTIVE | AC_DEVICE_ACTIVE)).toBe(AC_SUBCHANNEL_ACTIVE | AC_DEVICE_ACTIVE);
    expect(scsw.flag2 & AC_START_PENDING).toBe(0);
  });

  it('HSCH of a running program: cc 0, then halt status pending; second HSCH cc 2 while halt pending', () => {
    const r = consoleWriting();
    r.clock.advanceTo(r.clock.now() + 100 * r.clock.cyclesPerMicrosecond);
    expect(io(r, 'HSCH', 0)).toBe(0);
    expect(io(r, 'HSCH', 0)).toBe(2);
    drain(r.clock);
    expect(io(r, 'HSCH', 0)).toBe(1);
    const t = test(r, 0);
    expect(t.cc).toBe(0);
    expect(t.scsw.flag2 & (FC_START | FC_HALT)).toBe(FC_START | FC_HALT);
    expect(t.scsw.flag3 & SC_PENDING).toBe(SC_PENDING);
    expect(t.scsw.deviceStatus).toBe(CE_DE);
  });

  it('HSCH of an idle subchannel: status pending alone with the halt function', () => {
    const r = consoleRig();
    enable(r, 0);
    expect(io(r, 'HSCH', 0)).toBe(0);
    drain(r.clock);
    const t = test(r, 0);
    expect(t.cc).toBe(0);
    expect(t.scsw.flag2).toBe(FC_HALT);
    expect(t.scsw.flag3).toBe(SC_PENDING);
  });

  it('CSCH: cc 0 even with status pending; clear status replaces it; PMCW POM X FF, LPUM 0', () => {
    const r = consoleRig();
    enable(r, 0);
    poke(r, 0x1000, ccw1(0x03, 0, 1, 0));
    start(r, 0, { ccwAddress: 0x1000 });
    drain(r.clock);
    expect(io(r, 'CSCH', 0)).toBe(0);
    drain(r.clock);
    const t = test(r, 0);
    expect(t.cc).toBe(0);
    expect(t.scsw.flag2).toBe(FC_CLEAR);
    expect(t.scsw.flag3).toBe(SC_PENDING);
    expect(t.scsw.deviceStatus).toBe(0);
    io(r, 'STSCH', 0, SCHIB_AT);
    const { pmcw } = decodeSchib(peek(r, SCHIB_AT, 52));
    expect(pmcw.pom).toBe(0xff);
    expect(pmcw.lpum).toBe(0);
  });

  it('RSCH: cc 2 when no suspended start function, cc 1 with status pending', () => {
    const r = consoleRig();
    enable(r, 0);
    expect(io(r, 'RSCH', 0)).toBe(2);
    poke(r, 0x1000, ccw1(0x03, 0, 1, 0));
    start(r, 0, { ccwAddress: 0x1000, suspendControl: true });
    drain(r.clock);
    expect(io(r, 'RSCH', 0)).toBe(1);
  });

  it('every instruction on a subchannel that is not enabled/valid gives cc 3 (TSCH, STSCH excepted as architected)', () => {
    const r = consoleRig();
    expect(io(r, 'HSCH', 0)).toBe(3);
    expect(io(r, 'CSCH', 0)).toBe(3);
    expect(io(r, 'RSCH', 0)).toBe(3);
    expect(io(r, 'XSCH', 0)).toBe(3);
    expect(io(r, 'TSCH', 5, IRB_AT)).toBe(3);
    expect(io(r, 'MSCH', 5, SCHIB_AT)).toBe(3);
    expect(io(r, 'TSCH', 0, IRB_AT)).toBe(1);
  });

  it('XSCH cancels a start function that is still start pending, without status', () => {
    const r = consoleRig();
    enable(r, 0);
    poke(r, 0x1000, ccw1(0x03, 0, 1, 0));
    start(r, 0, { ccwAddress: 0x1000 });
    expect(io(r, 'XSCH', 0)).toBe(0);
    drain(r.clock);
    expect(test(r, 0).cc).toBe(1);
    expect(r.css.hasPending()).toBe(false);
    expect(io(r, 'XSCH', 0)).toBe(2);
    // With status pending, XSCH is cc 1.
    start(r, 0, { ccwAddress: 0x1000 });
    drain(r.clock);
    expect(io(r, 'XSCH', 0)).toBe(1);
  });

  it('initial-status interruption (ORB I): intermediate status with Z flag first, then the final status', () => {
    const r = consoleRig();
    enable(r, 0);
    poke(r, 0x2000, toEbcdic('INITIAL STATUS'));
    poke(r, 0x1000, ccw1(0x09, 0, 14, 0x2000));
    start(r, 0, { ccwAddress: 0x1000, initialStatus: true });
    r.clock.advanceTo(r.clock.now() + 3 * r.clock.cyclesPerMicrosecond);
    const first = test(r, 0);
    expect(first.cc).toBe(0);
    expect(first.scsw.flag1 & SCSW1_Z).toBe(SCSW1_Z);
    expect(first.scsw.flag3 & (SC_INTERMEDIATE | SC_PENDING)).toBe(SC_INTERMEDIATE | SC_PENDING);
    drain(r.clock);
    const last = test(r, 0);
    expect(last.cc).toBe(0);
    expect(last.scsw.flag3 & SC_PRIMARY).toBe(SC_PRIMARY);
  });
});

describe('I/O interruptions, subclasses and TPI', () => {
  it('takeInterruption honours the CR6 subclass masks, subclass 0 first, and returns the SSID and parameter', () => {
    const r = consoleRig();
    enable(r, 0, { isc: 3 });
    enable(r, 1, { isc: 0 });
    poke(r, 0x1000, ccw1(0x03, 0, 1, 0));
    start(r, 0, { ccwAddress: 0x1000, interruptionParameter: 0x11111111 });
    start(r, 1, { ccwAddress: 0x1000, interruptionParameter: 0x22222222 });
    let listened = 0;
    r.css.setPendingListener(() => listened++);
    drain(r.clock);
    expect(listened).toBe(2);
    expect(r.css.hasPending()).toBe(true);
    expect(r.css.takeInterruption(0x00000000)).toBeNull();
    expect(r.css.takeInterruption(0x10000000)).toEqual({ subsystemId: 0x00010000, parameter: 0x11111111, isc: 3 });
    expect(r.css.takeInterruption(0xff000000)).toEqual({ subsystemId: 0x00010001, parameter: 0x22222222, isc: 0 });
    expect(r.css.hasPending()).toBe(false);
    // The interruption is gone but the status stays pending until TSCH.
    expect(test(r, 0).cc).toBe(0);
  });

  it('TPI stores the interruption code at the operand (cc 1) or at X B8 for operand 0; cc 0 when none', () => {
    const r = consoleRig();
    enable(r, 0, { parameter: 0xcafe });
    poke(r, 0x1000, ccw1(0x03, 0, 1, 0));
    start(r, 0, { ccwAddress: 0x1000, interruptionParameter: 0x12345678 });
    expect(r.css.execute('TPI', 0x3000, r.cpu)).toBe(0);
    drain(r.clock);
    expect(r.css.execute('TPI', 0, r.cpu)).toBe(1);
    expect(Array.from(peek(r, 0xb8, 8))).toEqual([0, 1, 0, 0, 0x12, 0x34, 0x56, 0x78]);
    expect(r.css.execute('TPI', 0x3000, r.cpu)).toBe(0);
    expect(r.css.execute('TPI', 0x3002, r.cpu)).toBe(-0x06);
  });

  it('TSCH clears a pending interruption (it is not presented again)', () => {
    const r = consoleRig();
    enable(r, 0);
    poke(r, 0x1000, ccw1(0x03, 0, 1, 0));
    start(r, 0, { ccwAddress: 0x1000 });
    drain(r.clock);
    expect(r.css.hasPending()).toBe(true);
    expect(test(r, 0).cc).toBe(0);
    expect(r.css.hasPending()).toBe(false);
    expect(r.css.takeInterruption(0xff000000)).toBeNull();
  });

  it('a 3270 ENTER raises attention: alert status pending with device status attention', () => {
    const r = rig();
    const d = new Display3270();
    r.css.attach(0x0c0, d);
    enable(r, 0);
    d.key('LOGON', 0x7d);
    const t = test(r, 0);
    expect(t.cc).toBe(0);
    expect(t.scsw.flag3).toBe(SC_ALERT | SC_PENDING);
    expect(t.scsw.deviceStatus).toBe(DS_ATTENTION);
  });
});

describe('MIF images and DCM', () => {
  it('each image has its own subchannel for a shared device; status and interruptions stay in their image', () => {
    const r = rig({ images: 2 });
    const rdr = new CardReader2540(['CARD ONE', 'CARD TWO']);
    r.css.attach(0x00c, rdr);
    const a = r.css.image(0);
    const b = r.css.image(1);
    enable(r, 0);
    poke(r, 0x1000, ccw1(0x02, 0x00, 80, 0x2000));
    expect(start(r, 0, { ccwAddress: 0x1000 })).toBe(0);
    drain(r.clock);
    expect(a.hasPending()).toBe(true);
    expect(b.hasPending()).toBe(false);
    r.cpu.gpr[1] = 0x00010000;
    // Image 1's subchannel 0 was never enabled: its SSCH is cc 3 even though image 0 used the device.
    expect(b.execute('SSCH', ORB_AT, r.cpu)).toBe(3);
    expect(b.execute('TSCH', IRB_AT, r.cpu)).toBe(1);
  });

  it('moving a CHPID away from an image takes it out of that image\'s PAM (SSCH then cc 3)', () => {
    const r = rig({ images: 2 });
    r.css.defineChannelPath(0x40, [0]);
    r.css.attach(0x0190, new Console3215(), { chpids: [0x40] });
    io(r, 'STSCH', 0, SCHIB_AT);
    expect(decodeSchib(peek(r, SCHIB_AT, 52)).pmcw.pam).toBe(0x80);
    r.css.moveChannelPath(0x40, 0, 1);
    enable(r, 0);
    poke(r, 0x1000, ccw1(0x03, 0, 1, 0));
    expect(start(r, 0, { ccwAddress: 0x1000 })).toBe(3);
    r.cpu.gpr[1] = 0x00010000;
    r.storage.writeFrom(SCHIB_AT as AbsoluteAddress, new Uint8Array(52));
    expect(r.css.image(1).execute('STSCH', SCHIB_AT, r.cpu)).toBe(0);
    expect(decodeSchib(peek(r, SCHIB_AT, 52)).pmcw.pam).toBe(0x80);
  });
});

describe('suspend and resume', () => {
  it('a CCW with the S flag suspends (intermediate status, suspended); RSCH after clearing S resumes to the end', () => {
    const r = consoleRig();
    enable(r, 0);
    poke(r, 0x2000, toEbcdic('ONE'));
    poke(r, 0x2010, toEbcdic('TWO'));
    poke(r, 0x1000, [...ccw1(0x09, 0x40, 3, 0x2000), ...ccw1(0x09, 0x02, 3, 0x2010)]);
    start(r, 0, { ccwAddress: 0x1000, suspendControl: true });
    drain(r.clock);
    const s = test(r, 0);
    expect(s.cc).toBe(0);
    expect(s.scsw.flag3 & (AC_SUSPENDED | SC_INTERMEDIATE | SC_PENDING)).toBe(AC_SUSPENDED | SC_INTERMEDIATE | SC_PENDING);
    expect(s.scsw.ccwAddress).toBe(0x1010);
    expect(r.con.lines).toEqual(['ONE']);
    poke(r, 0x1009, [0x00]);
    expect(io(r, 'RSCH', 0)).toBe(0);
    expect(io(r, 'RSCH', 0)).toBe(2);
    drain(r.clock);
    const e = test(r, 0);
    expect(e.cc).toBe(0);
    expect(e.scsw.flag3 & SC_PRIMARY).toBe(SC_PRIMARY);
    expect(e.scsw.deviceStatus).toBe(CE_DE);
    expect(r.con.lines).toEqual(['ONE', 'TWO']);
  });

  it('the S flag without ORB suspend control is a program check', () => {
    const r = consoleRig();
    enable(r, 0);
    poke(r, 0x1000, ccw1(0x03, 0x02, 1, 0));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(0x20);
  });
});
