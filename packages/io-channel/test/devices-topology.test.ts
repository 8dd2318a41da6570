/**
 * Unit-record devices at the data-stream level, the dasd tool, and the
 * topology: path contention and FIFO versus priority queuing of start
 * functions (Channel Subsystem Priority Queuing).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CE_DE, CkdVolume, Console3215, DS_UNIT_CHECK, Dasd3390, Display3270, InternalLan, Printer1403, dasdInfo, dasdInit, formatVolume, fromEbcdic, geometry3390, toEbcdic } from '../src/index';
import { type Rig, ccw1, drain, enable, peek, poke, rig, runProgram, start, test } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'io-channel-dev-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('3215 console', () => {
  it('WRITE without carrier return accumulates; WRITE with CR ends the line; READ returns typed input', () => {
    const r = rig();
    const seen: string[] = [];
    const con = new Console3215({ onLine: (l) => seen.push(l) });
    r.css.attach(0x009, con);
    enable(r, 0);
    poke(r, 0x2000, toEbcdic('PART ONE, '));
    poke(r, 0x2100, toEbcdic('PART TWO'));
    poke(r, 0x1000, [...ccw1(0x01, 0x40, 10, 0x2000), ...ccw1(0x09, 0x00, 8, 0x2100)]);
    expect(runProgram(r, 0, { ccwAddress: 0x1000 }).scsw.deviceStatus).toBe(CE_DE);
    expect(seen).toEqual(['PART ONE, PART TWO']);
    con.type('logon maint');
    poke(r, 0x1000, ccw1(0x0a, 0x20, 130, 0x3000));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.count).toBe(130 - 11);
    expect(fromEbcdic(peek(r, 0x3000, 11))).toBe('logon maint');
    // Nothing typed: intervention required.
    const e = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(e.scsw.deviceStatus).toBe(CE_DE | DS_UNIT_CHECK);
  });
});

describe('1403 printer', () => {
  it('spacing and skipping as the command codes say; overprinting merges; lines are cut at 132', () => {
    const r = rig();
    const prt = new Printer1403();
    r.css.attach(0x00e, prt);
    enable(r, 0);
    poke(r, 0x2000, toEbcdic('LINE A'));
    poke(r, 0x2100, toEbcdic('LINE B'));
    poke(r, 0x2200, toEbcdic('X'.repeat(140)));
    poke(r, 0x2300, toEbcdic('      _'));
    poke(r, 0x1000, [
      ...ccw1(0x09, 0x60, 6, 0x2000), // write, space 1
      ...ccw1(0x11, 0x60, 6, 0x2100), // write, space 2
      ...ccw1(0x01, 0x60, 6, 0x2100), // write, no space
      ...ccw1(0x09, 0x60, 7, 0x2300), // overprint, space 1
      ...ccw1(0x89, 0x60, 140, 0x2200), // write 132 of 140, skip to channel 1
      ...ccw1(0x0b, 0x20, 1, 0), // space 1 immediately
    ]);
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.deviceStatus).toBe(CE_DE);
    expect(prt.output).toEqual(['LINE A', 'LINE B', '', 'LINE B_', 'X'.repeat(132), '\f', '']);
  });

  it('a write longer than 132 without SLI is incorrect length with the excess as residual', () => {
    const r = rig();
    r.css.attach(0x00e, new Printer1403());
    enable(r, 0);
    poke(r, 0x1000, ccw1(0x09, 0, 140, 0x2000));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(0x40);
    expect(t.scsw.count).toBe(8);
  });
});

describe('3270 display data stream', () => {
  it('ERASE/WRITE with SBA, SF and IC builds the screen; READ MODIFIED returns what the operator typed', () => {
    const r = rig();
    const d = new Display3270();
    r.css.attach(0x0c0, d);
    enable(r, 0);
    // WCC (restore keyboard, reset MDT), SBA row 0 col 0, SF protected, "NAME:", SF unprotected, IC, SBA row 0 col 30, SF protected.
    const ds = [0xc3, 0x11, 0x40, 0x40, 0x1d, 0x60, ...toEbcdic('NAME:'), 0x1d, 0x40, 0x13, 0x11, 0x40, 0x5e, 0x1d, 0x60];
    poke(r, 0x2000, ds);
    poke(r, 0x1000, ccw1(0x05, 0, ds.length, 0x2000));
    expect(runProgram(r, 0, { ccwAddress: 0x1000 }).scsw.deviceStatus).toBe(CE_DE);
    expect(d.screen()[0]!.slice(0, 12)).toBe(' NAME:      ');
    expect(d.cursor).toBe(7);
    d.key('JOHN');
    expect(test(r, 0).scsw.deviceStatus).toBe(0x80);
    poke(r, 0x1000, ccw1(0x06, 0x20, 100, 0x3000));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(t.scsw.subchannelStatus).toBe(0);
    // AID ENTER, cursor address (row 0 col 11 as 12-bit code), SBA to the field start (col 7), the data.
    expect(Array.from(peek(r, 0x3000, 10))).toEqual([0x7d, 0x40, 0x4b, 0x11, 0x40, 0xc7, ...toEbcdic('JOHN')]);
    expect(t.scsw.count).toBe(90);
    // READ BUFFER: AID, cursor, then all 1920 positions with SF orders for attributes.
    poke(r, 0x1000, ccw1(0x02, 0x20, 2000, 0x4000));
    const rb = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(rb.scsw.count).toBe(2000 - (3 + 1920 + 3));
    expect(Array.from(peek(r, 0x4000, 11))).toEqual([0x7d, 0x40, 0x4b, 0x1d, 0x60, ...toEbcdic('NAME:'), 0x1d]);
  });
});

describe('3270 for a TN3270 server', () => {
  it('hands each outbound data stream to the host side and takes an inbound one as the operator\'s input', () => {
    const r = rig();
    const sent: [number, number[]][] = [];
    const d = new Display3270({ onOutbound: (cmd, data) => sent.push([cmd, Array.from(data)]) });
    r.css.attach(0x0c0, d);
    enable(r, 0);
    const ds = [0xc3, 0x11, 0x40, 0x40, 0x1d, 0x60, ...toEbcdic('CMD'), 0x1d, 0x40, 0x13];
    poke(r, 0x2000, ds);
    poke(r, 0x1000, ccw1(0x05, 0, ds.length, 0x2000));
    runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(sent).toEqual([[0x05, ds]]);
    // The client typed "LOGON" into the field at position 5 and pressed ENTER (cursor after the text).
    d.inbound(Uint8Array.from([0x7d, 0x40, 0x4a, 0x11, 0x40, 0xc5, ...toEbcdic('LOGON')]));
    expect(test(r, 0).scsw.deviceStatus).toBe(0x80);
    poke(r, 0x1000, ccw1(0x06, 0x20, 100, 0x3000));
    runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(Array.from(peek(r, 0x3000, 11))).toEqual([0x7d, 0x40, 0x4a, 0x11, 0x40, 0xc5, ...toEbcdic('LOGON')]);
  });
});

describe('topology: path contention and queuing', () => {
  function twoDevicesOnePath(queuing: 'fifo' | 'priority') {
    const r = rig({ queuing });
    r.css.defineControlUnit(1, [0x10]);
    const a = new Console3215();
    const b = new Console3215();
    const c = new Console3215();
    r.css.attach(0x100, a, { controlUnit: 1 });
    r.css.attach(0x101, b, { controlUnit: 1 });
    r.css.attach(0x102, c, { controlUnit: 1 });
    for (let i = 0; i < 3; i++) enable(r, i);
    poke(r, 0x2000, toEbcdic('ABCDEFGHIJ'));
    poke(r, 0x1000, ccw1(0x09, 0x20, 10, 0x2000));
    return { r, a, b, c };
  }

  /**
   * Give subchannel 2 priority 10 (image 0), start the same program on
   * subchannels 0, 1 and 2 in that order, and return the order in which
   * their I/O interruptions arrived.
   */
  function startThreeInOrder(r: Rig): number[] {
    const order: number[] = [];
    r.css.setPendingListener(() => {
      const i = r.css.takeInterruption(0xff000000);
      if (i !== null) order.push(i.subsystemId & 0xffff);
    });
    r.css.setPriority(0, 2, 10);
    start(r, 0, { ccwAddress: 0x1000 });
    start(r, 1, { ccwAddress: 0x1000 });
    start(r, 2, { ccwAddress: 0x1000 });
    drain(r.clock);
    return order;
  }

  it('one channel path: programs wait for it (contention counted), FIFO serves them in SSCH order', () => {
    const { r } = twoDevicesOnePath('fifo');
    const order = startThreeInOrder(r);
    expect(order).toEqual([0, 1, 2]);
    expect(r.css.channelPath(0x10)!.starts).toBe(3);
    expect(r.css.channelPath(0x10)!.contentions).toBeGreaterThan(0);
  });

  it('priority queuing serves the waiting start with the higher priority first', () => {
    const { r } = twoDevicesOnePath('priority');
    const order = startThreeInOrder(r);
    // Subchannel 0 is dispatched in the same selection as the others; the path then goes to priority 10 first.
    expect(order[0]).toBe(2);
    expect(order).toHaveLength(3);
  });

  it('two paths (multipath CU): two programs run at once and finish together', () => {
    const r = rig();
    r.css.defineControlUnit(1, [0x10, 0x11]);
    r.css.attach(0x100, new Console3215(), { controlUnit: 1 });
    r.css.attach(0x101, new Console3215(), { controlUnit: 1 });
    enable(r, 0);
    enable(r, 1);
    poke(r, 0x2000, toEbcdic('ABCDEFGHIJ'));
    poke(r, 0x1000, ccw1(0x09, 0x20, 10, 0x2000));
    const times: number[] = [];
    r.css.setPendingListener(() => times.push(r.clock.now()));
    start(r, 0, { ccwAddress: 0x1000, lpm: 0xc0 });
    start(r, 1, { ccwAddress: 0x1000, lpm: 0xc0 });
    drain(r.clock);
    expect(times).toHaveLength(2);
    expect(times[0]).toBe(times[1]);
    expect(r.css.channelPath(0x10)!.starts + r.css.channelPath(0x11)!.starts).toBe(2);
  });
});

describe('disconnected seeks (rotational position sensing)', () => {
  it('two 3390s on one channel path overlap their seeks: the path is held only while data moves', () => {
    const r = rig();
    r.css.defineControlUnit(1, [0x20]);
    const mk = () => {
      const v = new CkdVolume(geometry3390(1113));
      formatVolume(v, 'D');
      v.setTrack(1000, 0, [...v.track(1000, 0), { cc: 1000, hh: 0, r: 1, key: new Uint8Array(0), data: new Uint8Array(4096) }]);
      return new Dasd3390(v);
    };
    const a = mk();
    const b = mk();
    r.css.attach(0x200, a, { controlUnit: 1 });
    r.css.attach(0x201, b, { controlUnit: 1 });
    enable(r, 0);
    enable(r, 1);
    poke(r, 0x1800, [0, 0, 0x03, 0xe8, 0, 0, 0x03, 0xe8, 0, 0, 1]);
    poke(r, 0x1000, [...ccw1(0x07, 0x40, 6, 0x1800), ...ccw1(0x31, 0x40, 5, 0x1806), ...ccw1(0x08, 0, 0, 0x1008), ...ccw1(0x06, 0x00, 4096, 0x10000)]);
    const done: number[] = [];
    r.css.setPendingListener(() => done.push(r.clock.now() / r.clock.cyclesPerMicrosecond));
    start(r, 0, { ccwAddress: 0x1000 });
    start(r, 1, { ccwAddress: 0x1000 });
    drain(r.clock);
    expect(test(r, 0).scsw.deviceStatus).toBe(CE_DE);
    expect(test(r, 1).scsw.deviceStatus).toBe(CE_DE);
    const seek = a.seekTimeUs(1000);
    // Both seeks ran at once: both programs end within one seek plus about a revolution, not two seeks.
    expect(Math.max(...done)).toBeLessThan(seek + a.timing.revolutionUs + 2 * (4096 / a.timing.bytesPerUs) + 100);
    expect(Math.max(...done)).toBeGreaterThan(seek);
    expect(b.stats.seeks).toBe(1);
  });
});

describe('dasd tool (strachey dasd init|info)', () => {
  it('creates a labelled volume, refuses to overwrite without force, describes it', () => {
    const f = join(dir, 'vol.dasd');
    const a = dasdInit({ file: f, type: '3390', cylinders: 20, volser: 'abc123' });
    expect(a.ok).toBe(true);
    const again = dasdInit({ file: f, type: '3390', volser: 'X' });
    expect(again.ok ? '' : again.error.code).toBe('FILE_EXISTS');
    expect(dasdInit({ file: f, type: '3390', volser: 'NEW', force: true }).ok).toBe(true);
    const info = dasdInfo(f);
    expect(info.ok && info.lines.join('\n')).toContain('volser:      NEW');
    expect(info.ok && info.lines.join('\n')).toContain('1113 cylinders');
    const listed = dasdInfo(f, { records: true });
    const tail = listed.ok ? listed.lines.slice(-5) : [];
    expect(tail.slice(0, 4)).toEqual(['cylinder 0 head 0:', '  0000000000  KL   0  DL     8  ........', '  0000000001  KL   4  DL    24  ........................', `  0000000002  KL   4  DL   144  ${'.'.repeat(40)}`]);
    expect(tail[4]).toBe(`  0000000003  KL   4  DL    80  VOL1NEW    .....${' '.repeat(24)}`);
  });

  it('rejects bad arguments and describes broken images precisely', () => {
    const code = (r: ReturnType<typeof dasdInit>) => (r.ok ? 'ok' : r.error.code);
    expect(code(dasdInit({ file: join(dir, 'x'), type: '3380', volser: 'A' }))).toBe('DASD_TYPE');
    expect(code(dasdInit({ file: join(dir, 'x'), type: '3390', volser: 'TOOLONG' }))).toBe('DASD_VOLSER');
    expect(code(dasdInit({ file: join(dir, 'x'), type: '3390', volser: 'A', cylinders: 0 }))).toBe('DASD_CYLINDERS');
    expect(existsSync(join(dir, 'x'))).toBe(false);
    const h = join(dir, 'h.3390');
    expect(dasdInit({ file: h, type: '3390-1', cylinders: 1, volser: 'H1', format: 'hercules' }).ok).toBe(true);
    const bytes = readFileSync(h);
    writeFileSync(h, bytes.subarray(0, bytes.length - 100));
    const bad = dasdInfo(h);
    expect(bad.ok ? '' : `${bad.error.code} ${bad.error.file}`).toBe(`TRUNCATED ${h}`);
  });
});

describe('internal LAN (HiperSockets-style) between two images', () => {
  it('image 0 sends a frame to image 1: attention there, READ gets source and payload, then unit exception', () => {
    const r = rig({ images: 2 });
    r.css.defineChannelPath(0xf0); // IQD CHPID shared by both images (MIF)
    const lan = new InternalLan('FC');
    const a = lan.port();
    const b = lan.port();
    expect(r.css.attach(0x7000, a, { chpids: [0xf0], images: [0] }).get(0)).toBe(0);
    expect(r.css.attach(0x7001, b, { chpids: [0xf0], images: [1] }).get(1)).toBe(0);
    enable(r, 0);
    // Enable image 1's subchannel 0 through image 1's own handler.
    const img1 = r.css.image(1);
    r.cpu.gpr[1] = 0x00010000;
    img1.execute('STSCH', 0x800, r.cpu);
    poke(r, 0x805, [peek(r, 0x805, 1)[0]! | 0x80]);
    expect(img1.execute('MSCH', 0x800, r.cpu)).toBe(0);
    poke(r, 0x2000, [0, 1, ...toEbcdic('HELLO LPAR2')]);
    poke(r, 0x1000, ccw1(0x01, 0x00, 13, 0x2000));
    const w = runProgram(r, 0, { ccwAddress: 0x1000 });
    expect(w.scsw.deviceStatus).toBe(CE_DE);
    expect(img1.hasPending()).toBe(true);
    expect(r.css.image(0).hasPending()).toBe(false);
    r.cpu.gpr[1] = 0x00010000;
    expect(img1.execute('TSCH', 0x900, r.cpu)).toBe(0);
    expect(peek(r, 0x908, 1)[0]).toBe(0x80);
    // READ on image 1: source port 0, the payload.
    poke(r, 0x1100, [...ccw1(0x02, 0x60, 64, 0x3000), ...ccw1(0x02, 0x20, 64, 0x3100)]);
    poke(r, 0x880, [0, 0, 0, 0, 0, 0x80, 0x80, 0, 0, 0, 0x11, 0]);
    r.cpu.gpr[1] = 0x00010000;
    expect(img1.execute('SSCH', 0x880, r.cpu)).toBe(0);
    drain(r.clock);
    r.cpu.gpr[1] = 0x00010000;
    expect(img1.execute('TSCH', 0x900, r.cpu)).toBe(0);
    expect(Array.from(peek(r, 0x3000, 13))).toEqual([0, 0, ...toEbcdic('HELLO LPAR2')]);
    // The second READ found the queue empty.
    expect(peek(r, 0x908, 1)[0]).toBe(CE_DE | 0x01);
    expect(lan.counters.delivered).toBe(1);
  });

  it('a frame to a port that does not exist is a command reject', () => {
    const r = rig();
    const lan = new InternalLan('FD');
    r.css.attach(0x7000, lan.port());
    enable(r, 0);
    poke(r, 0x2000, [0, 9, 1, 2, 3]);
    poke(r, 0x1000, ccw1(0x01, 0x00, 5, 0x2000));
    expect(runProgram(r, 0, { ccwAddress: 0x1000 }).scsw.deviceStatus).toBe(CE_DE | DS_UNIT_CHECK);
  });
});
