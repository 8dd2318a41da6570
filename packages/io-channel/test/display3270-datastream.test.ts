/**
 * The 3270 display's data stream as a guest's channel programs drive it
 * (IBM 3270 Data Stream Programmer's Reference, GA23-0059): the WCC's
 * reset-MDT bit acting before the orders, Read Modified of an unformatted
 * screen, the extended orders SFE/MF/SA/GE, an out-of-range buffer address
 * as an operation check, and the model's alternate screen size for
 * Erase/Write Alternate. Expected bytes are written by hand from the
 * reference: AID, 12-bit buffer addresses from the 3270 code table, SBA X'11',
 * SF X'1D', GE X'08'.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AID, CE_DE, DS_UNIT_CHECK, Display3270, toEbcdic } from '../src/index';
import { ccw1, enable, peek, poke, rig, runProgram, test } from './helpers';

/** The 3270 code table (GA23-0059 "Buffer Addressing"): 6-bit values as EBCDIC bytes. */
const CODE = [
  0x40, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0x5a, 0x5b,
  0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
  0xf8, 0xf9, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
];
/** A buffer address as its two 12-bit code-table bytes. */
const addr = (a: number): number[] => [CODE[(a >>> 6) & 0x3f]!, CODE[a & 0x3f]!];

const SBA = 0x11;
const SF = 0x1d;
const SFE = 0x29;
const MF = 0x2c;
const SA = 0x28;
const GE = 0x08;
const RA = 0x3c;
const EUA = 0x12;
const IC = 0x13;
/** WCC: keyboard restore (bit 6) with the code-table high bits. */
const WCC_RESTORE = 0xc2;
/** WCC: keyboard restore and reset MDT (bit 7). */
const WCC_RESTORE_RESET = 0xc3;
/** Sense byte 0 bit 7: operation check (GA23-0059, local 3274 sense). */
const SENSE_OPERATION_CHECK = 0x01;

/** A display on subchannel 0 of a fresh channel subsystem, with helpers that run one CCW. */
function station(display: Display3270) {
  const r = rig();
  r.css.attach(0x0c0, display);
  enable(r, 0);
  // An operator's AID key leaves attention pending; the program takes it (TSCH) before its next SSCH.
  const takeAttention = () => {
    if (r.css.hasPending()) expect(test(r, 0).scsw.deviceStatus).toBe(0x80);
  };
  const write = (command: number, data: number[]) => {
    takeAttention();
    poke(r, 0x2000, data);
    poke(r, 0x1000, ccw1(command, 0x20, data.length, 0x2000));
    return runProgram(r, 0, { ccwAddress: 0x1000 }).scsw;
  };
  const read = (command: number, count = 8000): number[] => {
    takeAttention();
    poke(r, 0x1000, ccw1(command, 0x20, count, 0x4000));
    const t = runProgram(r, 0, { ccwAddress: 0x1000 });
    return Array.from(peek(r, 0x4000, count - t.scsw.count));
  };
  const sense = (): number => read(0x04, 1)[0]!;
  return { r, write, read, sense };
}

describe('WCC reset MDT acts before the orders (GA23-0059 "Write Control Character")', () => {
  it('an SF whose attribute has the MDT on, in a write that resets MDTs, leaves that field modified', () => {
    const d = new Display3270();
    const s = station(d);
    // SF X'C1' = unprotected with the MDT bit on; the field reads back by Read Modified.
    expect(s.write(0x05, [WCC_RESTORE_RESET, SBA, ...addr(0), SF, 0xc1, ...toEbcdic('ABC')]).deviceStatus).toBe(CE_DE);
    expect(s.read(0x06)).toEqual([AID.NONE, ...addr(0), SBA, ...addr(1), ...toEbcdic('ABC')]);
  });

  it('a later write with reset MDT clears the tag set earlier (and one without it does not)', () => {
    const d = new Display3270();
    const s = station(d);
    s.write(0x05, [WCC_RESTORE, SBA, ...addr(0), SF, 0xc1, ...toEbcdic('ABC')]);
    s.write(0x01, [WCC_RESTORE]);
    expect(s.read(0x06)).toEqual([AID.NONE, ...addr(0), SBA, ...addr(1), ...toEbcdic('ABC')]);
    s.write(0x01, [WCC_RESTORE_RESET]);
    expect(s.read(0x06)).toEqual([AID.NONE, ...addr(0)]);
  });
});

describe('Read Modified of an unformatted screen (GA23-0059 "Read Modified Operation")', () => {
  it('returns the AID, the cursor address and every non-null character of the buffer', () => {
    const d = new Display3270();
    const s = station(d);
    s.write(0x05, [WCC_RESTORE, ...toEbcdic('HELLO'), SBA, ...addr(100), IC]);
    d.key('ABC');
    expect(s.read(0x06)).toEqual([AID.ENTER, ...addr(103), ...toEbcdic('HELLOABC')]);
  });

  it('keeps what a terminal sends for an unformatted screen (the TN3270 path) and reads it back unchanged', () => {
    const d = new Display3270();
    const s = station(d);
    s.write(0x05, [WCC_RESTORE, ...toEbcdic('OLD TEXT THAT WAS LONGER')]);
    // The client's record: AID, cursor, the whole buffer's characters with nulls suppressed (no SBA).
    const inbound = [AID.ENTER, ...addr(9), ...toEbcdic('LOGON BOB')];
    d.inbound(Uint8Array.from(inbound));
    expect(s.read(0x06)).toEqual(inbound);
  });

  it('CLEAR and the PA keys are short reads (the AID alone) on an unformatted screen too', () => {
    const d = new Display3270();
    const s = station(d);
    s.write(0x05, [WCC_RESTORE, ...toEbcdic('X')]);
    d.key('', AID.PA1);
    expect(s.read(0x06)).toEqual([AID.PA1]);
  });

  it('a formatted field sent by a terminal replaces the field (nulls were suppressed in transit)', () => {
    const d = new Display3270();
    const s = station(d);
    s.write(0x05, [WCC_RESTORE, SBA, ...addr(0), SF, 0x40, ...toEbcdic('LONGWORD'), SF, 0x60]);
    d.inbound(Uint8Array.from([AID.ENTER, ...addr(3), SBA, ...addr(1), ...toEbcdic('AB')]));
    expect(d.screen()[0]!.slice(0, 10)).toBe(' AB       ');
    expect(s.read(0x06)).toEqual([AID.ENTER, ...addr(3), SBA, ...addr(1), ...toEbcdic('AB')]);
  });
});

describe('extended orders SFE, MF, SA, GE (GA23-0059 chapter 4)', () => {
  it('SFE takes its count and type/value pairs; X\'C0\' is the field attribute; other pairs are not characters', () => {
    const d = new Display3270();
    const s = station(d);
    // Protected field (X'60') with a colour pair, then an unprotected SFE field with no X'C0' pair.
    const ds = [WCC_RESTORE, SFE, 2, 0xc0, 0x60, 0x42, 0xf2, ...toEbcdic('AB'), SFE, 1, 0x41, 0xf1, IC, ...toEbcdic('CD')];
    expect(s.write(0x05, ds).deviceStatus).toBe(CE_DE);
    expect(d.screen()[0]!.slice(0, 7)).toBe(' AB CD ');
    expect(d.cursor).toBe(4);
    // Read Buffer shows exactly two attributes (SF + attribute byte) and the four characters.
    expect(s.read(0x02).slice(0, 11)).toEqual([AID.NONE, ...addr(4), SF, 0x60, ...toEbcdic('AB'), SF, 0x40, ...toEbcdic('CD')]);
    // The second field is unprotected: the operator can type over CD; the first is protected.
    d.key('XY');
    expect(d.screen()[0]!.slice(0, 7)).toBe(' AB XY ');
    expect(s.read(0x06)).toEqual([AID.ENTER, ...addr(6), SBA, ...addr(4), ...toEbcdic('XY')]);
  });

  it('MF changes the field attribute at the buffer address and steps past it', () => {
    const d = new Display3270();
    const s = station(d);
    s.write(0x05, [WCC_RESTORE, SF, 0x40, ...toEbcdic('FIELD'), SF, 0x60]);
    // MF at address 0: make the field protected; the data after it lands at address 1.
    expect(s.write(0x01, [WCC_RESTORE, SBA, ...addr(0), MF, 1, 0xc0, 0x60, ...toEbcdic('W')]).deviceStatus).toBe(CE_DE);
    expect(d.screen()[0]!.slice(0, 7)).toBe(' WIELD ');
    expect(s.read(0x02).slice(3, 6)).toEqual([SF, 0x60, ...toEbcdic('W')]);
    d.cursor = 2;
    d.key('Z');
    // Protected now: the keystroke is refused and nothing is modified.
    expect(d.screen()[0]!.slice(0, 7)).toBe(' WIELD ');
    expect(s.read(0x06)).toEqual([AID.ENTER, ...addr(2)]);
  });

  it('SA\'s type/value pair is not stored as characters', () => {
    const d = new Display3270();
    const s = station(d);
    expect(s.write(0x05, [WCC_RESTORE, SA, 0x42, 0xf2, ...toEbcdic('RED'), SA, 0x00, 0x00, ...toEbcdic('!')]).deviceStatus).toBe(CE_DE);
    expect(d.screen()[0]!.slice(0, 5)).toBe('RED! ');
  });

  it('GE stores one character from the alternate set; reads return it after GE', () => {
    const d = new Display3270();
    const s = station(d);
    // X'AD' after GE is the APL left bracket; RA may repeat a GE character too.
    expect(s.write(0x05, [WCC_RESTORE, ...toEbcdic('A'), GE, 0xad, ...toEbcdic('B'), RA, ...addr(6), GE, 0xbd]).deviceStatus).toBe(CE_DE);
    expect(s.read(0x02).slice(0, 12)).toEqual([AID.NONE, ...addr(0), ...toEbcdic('A'), GE, 0xad, ...toEbcdic('B'), GE, 0xbd, GE, 0xbd, GE]);
    expect(s.read(0x06)).toEqual([AID.NONE, ...addr(0), ...toEbcdic('A'), GE, 0xad, ...toEbcdic('B'), GE, 0xbd, GE, 0xbd, GE, 0xbd]);
  });
});

describe('a buffer address beyond the buffer is an operation check (GA23-0059 "Sense": OC)', () => {
  it('SBA to 1920 on a 24×80 screen: unit check, sense operation check, the data before it stays, nothing wraps', () => {
    const sent: number[][] = [];
    const d = new Display3270({ onOutbound: (_c, data) => sent.push(Array.from(data)) });
    const s = station(d);
    const st = s.write(0x05, [WCC_RESTORE, ...toEbcdic('AB'), SBA, ...addr(1920), ...toEbcdic('CD')]);
    expect(st.deviceStatus).toBe(CE_DE | DS_UNIT_CHECK);
    expect(s.sense()).toBe(SENSE_OPERATION_CHECK);
    expect(d.screen()[0]!.slice(0, 4)).toBe('AB  ');
    // The terminal is sent what the display accepted, so it shows the same screen.
    expect(sent).toEqual([[WCC_RESTORE, ...toEbcdic('AB')]]);
    // The next command starts clean.
    expect(s.write(0x01, [WCC_RESTORE, ...toEbcdic('X')]).deviceStatus).toBe(CE_DE);
  });

  it('14-bit SBA, RA and EUA stop addresses beyond the buffer are operation checks as well', () => {
    for (const order of [
      [SBA, 0x07, 0x80], // 14-bit address 1920
      [RA, ...addr(2000), ...toEbcdic('*')],
      [EUA, ...addr(4095)],
    ]) {
      const d = new Display3270();
      const s = station(d);
      expect(s.write(0x05, [WCC_RESTORE, ...order]).deviceStatus).toBe(CE_DE | DS_UNIT_CHECK);
      expect(s.sense()).toBe(SENSE_OPERATION_CHECK);
      expect(d.screen().join('').trim()).toBe('');
    }
  });

  it('an order cut off by the end of the data is an operation check, not characters', () => {
    const d = new Display3270();
    const s = station(d);
    expect(s.write(0x05, [WCC_RESTORE, ...toEbcdic('OK'), SBA, 0x40]).deviceStatus).toBe(CE_DE | DS_UNIT_CHECK);
    expect(s.sense()).toBe(SENSE_OPERATION_CHECK);
    expect(d.screen()[0]!.slice(0, 4)).toBe('OK  ');
  });

  it('any write data stream ends in channel end + device end, with unit check at most, and never throws', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x01, 0x05, 0x0d), fc.uint8Array({ maxLength: 64 }), fc.constantFrom(2, 3, 4, 5), (command, data, model) => {
        const d = new Display3270({ model });
        const res = d.execute({ command, count: data.length, data, chained: false, previousCommand: -1, nowUs: 0 });
        expect(res.status & ~DS_UNIT_CHECK).toBe(CE_DE);
        expect(d.cursor).toBeLessThan(d.rows * d.cols);
        const rb = d.execute({ command: 0x02, count: 8000, data: null, chained: false, previousCommand: -1, nowUs: 0 });
        expect(rb.status).toBe(CE_DE);
      }),
      { numRuns: 300, seed: 3270 },
    );
  });
});

describe('display models 2-5: Erase/Write selects the default size, Erase/Write Alternate the alternate', () => {
  const models = [
    { model: 2, rows: 24, cols: 80 },
    { model: 3, rows: 32, cols: 80 },
    { model: 4, rows: 43, cols: 80 },
    { model: 5, rows: 27, cols: 132 },
  ] as const;
  for (const m of models) {
    it(`model ${m.model}: default 24×80, alternate ${m.rows}×${m.cols}`, () => {
      const d = new Display3270({ model: m.model });
      const s = station(d);
      const size = m.rows * m.cols;
      // The last position of the alternate screen, written by EWA.
      expect(s.write(0x0d, [WCC_RESTORE, SBA, ...addr(size - 1), ...toEbcdic('Z')]).deviceStatus).toBe(CE_DE);
      expect([d.rows, d.cols]).toEqual([m.rows, m.cols]);
      expect(d.screen().length).toBe(m.rows);
      expect(d.screen()[m.rows - 1]!.length).toBe(m.cols);
      expect(d.screen()[m.rows - 1]!.endsWith('Z')).toBe(true);
      expect(s.read(0x02).length).toBe(3 + size);
      // Erase/Write returns to 24×80, where that address is beyond the buffer unless the sizes agree.
      const st = s.write(0x05, [WCC_RESTORE, SBA, ...addr(size - 1), ...toEbcdic('Z')]);
      expect([d.rows, d.cols]).toEqual([24, 80]);
      expect(st.deviceStatus).toBe(size === 1920 ? CE_DE : CE_DE | DS_UNIT_CHECK);
      expect(s.read(0x02).length).toBe(3 + 1920);
    });
  }

  it('a Write keeps the size the last erase selected; a line wraps at the alternate width', () => {
    const d = new Display3270({ model: 5 });
    const s = station(d);
    s.write(0x0d, [WCC_RESTORE, SBA, ...addr(130), ...toEbcdic('WXYZ')]);
    s.write(0x01, [WCC_RESTORE, SBA, ...addr(134), ...toEbcdic('Q')]);
    expect(d.screen()[0]!.slice(128)).toBe('  WX');
    expect(d.screen()[1]!.slice(0, 3)).toBe('YZQ');
  });

  it('SENSE ID names the model; the default is model 2', () => {
    expect(new Display3270().deviceModel).toBe(2);
    const s = station(new Display3270({ model: 4 }));
    expect(s.read(0xe4, 7)).toEqual([0xff, 0x32, 0x74, 0x1d, 0x32, 0x70, 0x04]);
  });

  it('snapshot and restore keep the screen size', () => {
    const a = new Display3270({ model: 3 });
    const s = station(a);
    s.write(0x0d, [WCC_RESTORE, SBA, ...addr(32 * 80 - 1), ...toEbcdic('E')]);
    const b = new Display3270({ model: 3 });
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.rows).toBe(32);
    expect(b.screen()).toEqual(a.screen());
  });
});

describe('Erase All Unprotected, Program Tab and the operator side (GA23-0059 chapters 3-4)', () => {
  it('EAU nulls the unprotected fields, resets their MDTs and puts the cursor in the first unprotected field', () => {
    const d = new Display3270();
    const s = station(d);
    s.write(0x05, [WCC_RESTORE, SF, 0x60, ...toEbcdic('NAME'), SF, 0xc1, ...toEbcdic('JOE'), SF, 0x60, SBA, ...addr(100), IC]);
    expect(d.cursor).toBe(100);
    expect(s.write(0x0f, []).deviceStatus).toBe(CE_DE);
    expect(d.cursor).toBe(6);
    expect(d.screen()[0]!.slice(0, 10)).toBe(' NAME     ');
    expect(s.read(0x06)).toEqual([AID.NONE, ...addr(6)]);
  });

  it('EAU on an unformatted screen erases it and homes the cursor', () => {
    const d = new Display3270();
    const s = station(d);
    s.write(0x05, [WCC_RESTORE, ...toEbcdic('TEXT'), SBA, ...addr(500), IC]);
    s.write(0x0f, []);
    expect(d.cursor).toBe(0);
    expect(d.screen().join('').trim()).toBe('');
  });

  it('PT after data nulls the rest of the field; PT after an order only moves; PT at an unprotected attribute steps one', () => {
    const d = new Display3270();
    const s = station(d);
    // Field A (unprotected) at 0 holding XXXXXXXX, protected field at 10, field B (unprotected) at 20.
    s.write(0x05, [WCC_RESTORE, SF, 0x40, ...toEbcdic('XXXXXXXX'), SBA, ...addr(10), SF, 0x60, SBA, ...addr(20), SF, 0x40, ...toEbcdic('YYYY')]);
    // Data then PT: nulls from 3 to the end of field A, then the address is 21 (field B's first position).
    s.write(0x01, [WCC_RESTORE, SBA, ...addr(1), ...toEbcdic('AB'), 0x05, ...toEbcdic('C')]);
    expect(d.screen()[0]!.slice(0, 25)).toBe(` AB${' '.repeat(18)}CYYY`);
    // An order then PT: nothing is nulled.
    s.write(0x01, [WCC_RESTORE, SBA, ...addr(1), 0x05, ...toEbcdic('D')]);
    expect(d.screen()[0]!.slice(0, 25)).toBe(` AB${' '.repeat(18)}DYYY`);
    // PT at an unprotected field's attribute: to the next position of that field.
    s.write(0x01, [WCC_RESTORE, SBA, ...addr(0), 0x05, ...toEbcdic('E')]);
    expect(d.screen()[0]!.slice(0, 4)).toBe(' EB ');
  });

  it('PT stops at address 0 instead of wrapping to an earlier field', () => {
    const d = new Display3270();
    const s = station(d);
    s.write(0x05, [WCC_RESTORE, SBA, ...addr(10), SF, 0x40, SBA, ...addr(30), SF, 0x60, SBA, ...addr(40), 0x05, ...toEbcdic('Q')]);
    expect(d.screen()[0]!.slice(0, 12)).toBe('Q           ');
  });

  it('Read Buffer sends each attribute as its code-table byte, MDT included', () => {
    const d = new Display3270();
    const s = station(d);
    s.write(0x05, [WCC_RESTORE, SF, 0x40, IC]);
    d.key('A');
    // Attribute X'40' with the MDT on is the 6-bit value X'01', whose code-table byte is X'C1'.
    expect(s.read(0x02).slice(0, 6)).toEqual([AID.ENTER, ...addr(2), SF, 0xc1, ...toEbcdic('A')]);
  });

  it('a terminal\'s empty modified field (SBA naming the next attribute) tags its own field, not the next', () => {
    const d = new Display3270();
    const s = station(d);
    // Two adjacent attributes: field at 0 is empty, field at 1 holds AB.
    s.write(0x05, [WCC_RESTORE, SF, 0x40, SF, 0x40, ...toEbcdic('AB')]);
    const inbound = [AID.ENTER, ...addr(0), SBA, ...addr(1)];
    d.inbound(Uint8Array.from(inbound));
    expect(s.read(0x06)).toEqual(inbound);
    expect(d.screen()[0]!.slice(0, 4)).toBe('  AB');
  });

  it('CLEAR erases the screen to the default size; its read is the AID alone', () => {
    const d = new Display3270({ model: 5 });
    const s = station(d);
    s.write(0x0d, [WCC_RESTORE, ...toEbcdic('WIDE')]);
    d.inbound(Uint8Array.of(AID.CLEAR));
    expect([d.rows, d.cols]).toEqual([24, 80]);
    expect(d.screen().join('').trim()).toBe('');
    expect(s.read(0x06)).toEqual([AID.CLEAR]);
  });
});
