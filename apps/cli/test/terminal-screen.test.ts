import { toEbcdic } from '@strachey/io-channel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Aid,
  CODE_TABLE,
  Command,
  decodeAddress,
  encodeAddress,
  eraseWrite,
  FieldAttr,
  LocalTerminal,
  Order,
  pfAid,
  Screen3270,
  type TerminalModel,
  write,
} from '../src/terminal/index';

const E = (s: string) => Array.from(toEbcdic(s));
const rec = (...parts: (number | number[])[]) => Uint8Array.from(parts.flat());
const addr = (a: number) => encodeAddress(a);

describe('3270 buffer addresses', () => {
  it('encode the published examples: row 2 column 1 is X\'C150\', the last 24×80 position X\'5D7F\'', () => {
    expect(encodeAddress(80)).toEqual([0xc1, 0x50]);
    expect(encodeAddress(1919)).toEqual([0x5d, 0x7f]);
    expect(encodeAddress(0)).toEqual([0x40, 0x40]);
    expect(decodeAddress(0xc1, 0x50)).toBe(80);
  });

  it('round-trip in the 12-bit code-table form for every address below 4096', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4095 }), (a) => {
        const [b1, b2] = encodeAddress(a, 12);
        expect(CODE_TABLE).toContain(b1);
        expect(CODE_TABLE).toContain(b2);
        expect((b1 & 0xc0) !== 0).toBe(true);
        return decodeAddress(b1, b2) === a;
      }),
    );
  });

  it('round-trip in the 14-bit binary form for every address below 16384', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16383 }), (a) => {
        const [b1, b2] = encodeAddress(a, 14);
        expect(b1 & 0xc0).toBe(0);
        return decodeAddress(b1, b2) === a;
      }),
    );
  });
});

describe('Screen3270 outbound commands and orders', () => {
  it('Erase/Write with SF, SBA, text and IC builds fields and places the cursor', () => {
    const s = new Screen3270(2);
    const r = s.apply(
      eraseWrite({ restore: true })
        .sf({ protected: true, intensified: true })
        .text('NAME:')
        .sf({})
        .at(0, 20)
        .sf({ protected: true })
        .at(0, 7)
        .ic()
        .build(),
    );
    expect(r.ok).toBe(true);
    expect(s.rows).toBe(24);
    expect(s.cols).toBe(80);
    expect(s.text()[0]!.slice(0, 7)).toBe(' NAME: ');
    expect(s.cursor).toBe(7);
    expect(s.keyboardLocked).toBe(false);
    const fields = s.fields();
    expect(fields.map((f) => [f.attributeAddress, f.start, f.length, f.protected, f.intensified])).toEqual([
      [0, 1, 5, true, true],
      [6, 7, 13, false, false],
      [20, 21, 1919 - 20, true, false],
    ]);
  });

  it('Erase/Write Alternate selects the model\'s alternate size; Erase/Write the default 24×80', () => {
    const sizes: [TerminalModel, number, number][] = [
      [2, 24, 80],
      [3, 32, 80],
      [4, 43, 80],
      [5, 27, 132],
    ];
    for (const [model, rows, cols] of sizes) {
      const s = new Screen3270(model);
      expect(s.apply(rec(Command.SNA_ERASE_WRITE_ALTERNATE, 0xc3, Order.SBA, addr(rows * cols - 1), E('Z'))).ok).toBe(true);
      expect([s.rows, s.cols]).toEqual([rows, cols]);
      expect(s.text()[rows - 1]!.at(-1)).toBe('Z');
      expect(s.apply(rec(Command.ERASE_WRITE, 0xc3)).ok).toBe(true);
      expect([s.rows, s.cols]).toEqual([24, 80]);
      // 1920 is beyond the default screen: an SBA there is a located error.
      const bad = s.apply(rec(Command.WRITE, 0xc3, Order.SBA, addr(1920)));
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error).toMatchObject({ code: 'DS_ADDRESS', offset: 3 });
    }
  });

  it('Write starts at the cursor address', () => {
    const s = new Screen3270();
    s.apply(rec(Command.SNA_ERASE_WRITE, 0x40, Order.SBA, addr(100), Order.IC));
    s.apply(rec(Command.SNA_WRITE, 0x40, E('AB')));
    expect(s.chars[100]).toBe(0xc1);
    expect(s.chars[101]).toBe(0xc2);
    expect(s.cursor).toBe(100);
  });

  it('WCC reset-MDT acts before the orders, so an attribute written with its MDT keeps it', () => {
    const s = new Screen3270();
    s.apply(rec(Command.SNA_ERASE_WRITE, 0x40, Order.SF, 0xc1, Order.SBA, addr(10), Order.SF, 0xc1));
    s.apply(rec(Command.SNA_WRITE, 0xc1, Order.SBA, addr(10), Order.SF, 0xc1));
    expect(s.attribute[0]! & FieldAttr.MDT).toBe(0);
    expect(s.attribute[10]! & FieldAttr.MDT).toBe(FieldAttr.MDT);
  });

  it('WCC sound alarm counts; without keyboard restore a locked keyboard stays locked', () => {
    const s = new Screen3270();
    s.keyboardLocked = true;
    s.apply(rec(Command.SNA_WRITE, 0xc4));
    expect(s.alarms).toBe(1);
    expect(s.keyboardLocked).toBe(true);
    s.apply(rec(Command.SNA_WRITE, 0xc2));
    expect(s.keyboardLocked).toBe(false);
  });

  it('RA repeats a character up to the stop address; a stop equal to the start fills the whole buffer', () => {
    const s = new Screen3270();
    s.apply(rec(Command.SNA_ERASE_WRITE, 0x40, Order.SBA, addr(5), Order.RA, addr(9), E('*'), E('X')));
    expect(s.text()[0]!.slice(0, 11)).toBe('     ****X ');
    s.apply(rec(Command.SNA_ERASE_WRITE, 0x40, Order.SBA, addr(7), Order.RA, addr(7), E('-')));
    expect(s.text().every((l) => l === '-'.repeat(80))).toBe(true);
  });

  it('EUA nulls unprotected positions only and leaves the buffer address at the stop address', () => {
    const s = new Screen3270();
    s.apply(
      rec(Command.SNA_ERASE_WRITE, 0x40, Order.SF, 0x60, E('PROT'), Order.SF, 0x40, E('open'), Order.SF, 0x60, E('P2')),
    );
    s.apply(rec(Command.SNA_WRITE, 0x40, Order.SBA, addr(0), Order.EUA, addr(12), E('Q')));
    expect(s.text()[0]!.slice(0, 15)).toBe(' PROT      PQ  ');
  });

  it('PT goes to the next unprotected field; after data it nulls the rest of the field first', () => {
    const s = new Screen3270();
    s.apply(
      rec(Command.SNA_ERASE_WRITE, 0x40, Order.SF, 0x60, E('LABEL'), Order.SF, 0x40, E('xxxxx'), Order.SF, 0x60, Order.SF, 0x40),
    );
    // From the protected label PT lands on position 7, the first of the unprotected field.
    s.apply(rec(Command.SNA_WRITE, 0x40, Order.SBA, addr(1), Order.PT, E('ab'), Order.PT, E('Z')));
    expect(s.text()[0]!.slice(0, 16)).toBe(' LABEL ab     Z ');
    expect(s.chars[9]).toBe(0);
  });

  it('SFE takes its basic attribute from the X\'C0\' pair; MF changes an attribute in place and steps past it', () => {
    const s = new Screen3270();
    s.apply(rec(Command.SNA_ERASE_WRITE, 0x40, Order.SFE, 2, 0xc0, 0x60, 0x42, 0xf2, E('RED')));
    expect(s.isAttribute[0]).toBe(1);
    expect(s.attribute[0]).toBe(0x20);
    expect(s.foreground[0]).toBe(0xf2);
    s.apply(rec(Command.SNA_WRITE, 0x40, Order.SBA, addr(0), Order.MF, 1, 0xc0, 0x40, E('!')));
    expect(s.attribute[0]).toBe(0);
    expect(s.foreground[0]).toBe(0xf2);
    expect(s.text()[0]!.slice(0, 4)).toBe(' !ED');
  });

  it('GE stores a character of the alternate set that Read Buffer returns with its GE', () => {
    const s = new Screen3270();
    s.apply(rec(Command.SNA_ERASE_WRITE, 0x40, Order.GE, 0xc5));
    expect(s.graphicEscape[0]).toBe(1);
    expect(Array.from(s.readBuffer().slice(3, 5))).toEqual([Order.GE, 0xc5]);
  });

  it('Erase All Unprotected nulls input fields, resets their MDTs, homes the cursor and restores the keyboard', () => {
    const s = new Screen3270();
    s.apply(rec(Command.SNA_ERASE_WRITE, 0xc2, Order.SF, 0x60, E('ID'), Order.SF, 0x40, Order.IC, Order.SBA, addr(20), Order.SF, 0x60));
    expect(s.type('JOE')).toBe(true);
    s.keyboardLocked = true;
    s.apply(rec(Command.SNA_ERASE_ALL_UNPROTECTED));
    expect(s.text()[0]!.slice(0, 8)).toBe(' ID     ');
    expect(s.attribute[3]! & FieldAttr.MDT).toBe(0);
    expect(s.cursor).toBe(4);
    expect(s.keyboardLocked).toBe(false);
  });

  it('malformed records give located errors, never exceptions', () => {
    const s = new Screen3270();
    const cases: [number[], string, number][] = [
      [[], 'DS_EMPTY', 0],
      [[0x99], 'DS_COMMAND', 0],
      [[Command.SNA_WRITE], 'DS_TRUNCATED', 1],
      [[Command.SNA_WRITE, 0x40, Order.SBA, 0x40], 'DS_TRUNCATED', 4],
      [[Command.SNA_WRITE, 0x40, E('AB'), 0x07].flat(), 'DS_ORDER', 4],
      [[Command.SNA_WRITE, 0x40, Order.SFE, 3, 0xc0, 0x40], 'DS_TRUNCATED', 6],
      [[Command.SNA_WRITE, 0x40, Order.RA, 0x40, 0x40, Order.SBA], 'DS_ORDER', 5],
      [[Command.SNA_WRITE_STRUCTURED_FIELD, 0, 5], 'DS_UNSUPPORTED', 0],
    ];
    for (const [bytes, code, offset] of cases) {
      const r = s.apply(Uint8Array.from(bytes));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe(code);
        expect(r.error.offset).toBe(offset);
        expect(r.error.message).toContain('expected');
      }
    }
    // What preceded the bad order stayed applied, as on a real 3270.
    expect(s.text()[0]!.startsWith('AB')).toBe(true);
  });
});

describe('Screen3270 inbound: the operator and the read commands', () => {
  const form = () => {
    const s = new Screen3270();
    s.apply(
      eraseWrite({ restore: true })
        .sf({ protected: true })
        .text('USERID')
        .sf({})
        .ic()
        .at(0, 20)
        .sf({ protected: true })
        .text('PASSWORD')
        .sf({ nondisplay: true })
        .at(0, 45)
        .sf({ protected: true })
        .at(1, 0)
        .sf({ numeric: true })
        .at(1, 6)
        .sf({ protected: true })
        .build(),
    );
    return s;
  };

  it('Read Modified sends AID, cursor and only the modified fields, nulls suppressed', () => {
    const s = form();
    expect(s.type('MAINT')).toBe(true);
    s.moveCursor(0, 30);
    expect(s.type('SECRET')).toBe(true);
    const inbound = s.press(Aid.ENTER);
    expect(s.keyboardLocked).toBe(true);
    expect(Array.from(inbound)).toEqual([
      Aid.ENTER,
      ...encodeAddress(36),
      Order.SBA,
      ...encodeAddress(8),
      ...E('MAINT'),
      Order.SBA,
      ...encodeAddress(30),
      ...E('SECRET'),
    ]);
    expect(s.text()[0]).not.toContain('SECRET');
  });

  it('CLEAR and PA1-PA3 are short reads: the AID alone; PF keys send data like ENTER', () => {
    for (const aid of [Aid.PA1, Aid.PA2, Aid.PA3, Aid.CLEAR]) {
      const s = form();
      s.type('X');
      expect(Array.from(s.press(aid))).toEqual([aid]);
    }
    const s = form();
    s.type('X');
    expect(s.press(pfAid(3)).length).toBe(7);
    expect(pfAid(3)).toBe(0xf3);
    expect(pfAid(12)).toBe(0x7c);
    expect(pfAid(24)).toBe(0x4c);
  });

  it('CLEAR erases the screen to the default size', () => {
    const s = new Screen3270(5);
    s.apply(rec(Command.SNA_ERASE_WRITE_ALTERNATE, 0xc2, E('HELLO')));
    s.press(Aid.CLEAR);
    expect([s.rows, s.cols]).toEqual([24, 80]);
    expect(s.text()[0]!.trim()).toBe('');
  });

  it('typing is inhibited in protected fields and for letters in numeric fields', () => {
    const s = form();
    s.moveCursor(0, 2);
    expect(s.type('A')).toBe(false);
    s.moveCursor(1, 1);
    expect(s.type('12')).toBe(true);
    expect(s.type('A')).toBe(false);
  });

  it('Read Modified of an unformatted screen sends every non-null character without SBA', () => {
    const s = new Screen3270();
    s.apply(rec(Command.SNA_ERASE_WRITE, 0xc2, Order.SBA, addr(3), E('HI'), Order.SBA, addr(90), E('YO'), Order.IC));
    expect(Array.from(s.press(Aid.ENTER))).toEqual([Aid.ENTER, ...encodeAddress(92), ...E('HIYO')]);
  });

  it('Read Buffer returns AID, cursor and every position with attributes as SF', () => {
    const s = new Screen3270();
    s.apply(rec(Command.SNA_ERASE_WRITE, 0xc2, Order.SF, 0x60, E('A'), Order.IC));
    const r = s.apply(rec(Command.SNA_READ_BUFFER));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.command).toBe('read-buffer');
    const reply = r.reply!;
    expect(Array.from(reply.slice(0, 6))).toEqual([Aid.NONE, ...encodeAddress(2), Order.SF, 0x60, 0xc1]);
    expect(reply.length).toBe(3 + 2 + 1919);
  });

  it('the host mirror takes the same field data from the inbound record the terminal sent', () => {
    const terminal = form();
    const mirror = form();
    terminal.type('OPERATOR');
    const result = mirror.applyInbound(terminal.press(Aid.ENTER));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.record.fields.map((f) => [f.address, f.text])).toEqual([[8, 'OPERATOR']]);
    expect(mirror.text()[0]).toBe(terminal.text()[0]);
    expect(mirror.cursor).toBe(terminal.cursor);
  });

  it('malformed inbound records are located errors', () => {
    const s = form();
    const r = s.applyInbound(Uint8Array.of(Aid.ENTER, 0x40));
    expect(r.ok).toBe(false);
    const r2 = s.applyInbound(Uint8Array.of(Aid.ENTER, 0x40, 0x40, Order.SBA, 0x40));
    expect(!r2.ok && r2.error.code).toBe('DS_TRUNCATED');
  });
});

/** A random well-formed write for a screen of `size` positions: a list of orders and characters. */
function arbitraryOrders(size: number): fc.Arbitrary<number[]> {
  const address = fc.integer({ min: 0, max: size - 1 }).map((a) => encodeAddress(a));
  const graphic = fc.integer({ min: 0x40, max: 0xfe });
  const item = fc.oneof(
    fc.array(graphic, { minLength: 1, maxLength: 12 }),
    fc.integer({ min: 0, max: 255 }).map((a) => [Order.SF, a]),
    address.map((a) => [Order.SBA, ...a]),
    fc.constant([Order.IC]),
    fc.constant([Order.PT]),
    fc.constant([0x00]),
    fc.tuple(address, graphic).map(([a, c]) => [Order.RA, ...a, c]),
    fc.tuple(address, fc.integer({ min: 0, max: 255 })).map(([a, c]) => [Order.RA, ...a, Order.GE, c]),
    address.map((a) => [Order.EUA, ...a]),
    fc.integer({ min: 0, max: 255 }).map((c) => [Order.GE, c]),
    fc.array(fc.tuple(fc.constantFrom(0xc0, 0x41, 0x42, 0x45), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }).map((pairs) => [Order.SFE, pairs.length, ...pairs.flat()]),
    fc.array(fc.tuple(fc.constantFrom(0xc0, 0x41, 0x42), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }).map((pairs) => [Order.MF, pairs.length, ...pairs.flat()]),
    fc.tuple(fc.constantFrom(0x00, 0x41, 0x42), fc.integer({ min: 0, max: 255 })).map(([t, v]) => [Order.SA, t, v]),
  );
  return fc.array(item, { maxLength: 40 }).map((items) => items.flat());
}

const models = fc.constantFrom<TerminalModel>(2, 3, 4, 5);

describe('Screen3270 properties', () => {
  it('random well-formed writes never fail, never throw and keep the buffer and screen size', () => {
    fc.assert(
      fc.property(models, fc.boolean(), fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 1 << 20 }), (model, alternate, wccBits, seed) => {
        const s = new Screen3270(model);
        const size = alternate ? s.alternateRows * s.alternateCols : 1920;
        const lengths = [s.chars.length, s.isAttribute.length];
        for (const orders of fc.sample(arbitraryOrders(size), { numRuns: 5, seed })) {
          const command = alternate ? Command.SNA_ERASE_WRITE_ALTERNATE : Command.SNA_ERASE_WRITE;
          expect(s.apply(Uint8Array.from([command, CODE_TABLE[wccBits]!, ...orders])).ok).toBe(true);
          expect(s.apply(Uint8Array.from([Command.SNA_WRITE, CODE_TABLE[wccBits]!, ...orders])).ok).toBe(true);
          expect([s.chars.length, s.isAttribute.length]).toEqual(lengths);
          expect(s.size).toBe(size);
          expect(s.text().length).toBe(s.rows);
          expect(s.cursor).toBeLessThan(size);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('check() reports what apply() would, without touching the screen', () => {
    fc.assert(
      fc.property(models, fc.uint8Array({ maxLength: 120 }), (model, bytes) => {
        const s = new Screen3270(model);
        s.apply(rec(Command.SNA_ERASE_WRITE, 0x40, E('KEEP'), Order.SF, 0x60));
        const before = s.readBuffer();
        const checked = s.check(bytes);
        expect(Array.from(s.readBuffer())).toEqual(Array.from(before));
        const applied = s.apply(bytes);
        expect(checked.ok).toBe(applied.ok);
        if (!checked.ok && !applied.ok) expect(checked.error).toEqual(applied.error);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes never throw: every record is applied or rejected with a located error', () => {
    fc.assert(
      fc.property(models, fc.uint8Array({ maxLength: 200 }), (model, bytes) => {
        const s = new Screen3270(model);
        const r = s.apply(bytes);
        if (!r.ok) {
          expect(r.error.offset).toBeGreaterThanOrEqual(0);
          expect(r.error.offset).toBeLessThanOrEqual(bytes.length);
        }
        const inbound = s.applyInbound(bytes);
        if (!inbound.ok) expect(inbound.error.offset).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 500 },
    );
  });

  it('Read Buffer after a write, replayed as Erase/Write, reproduces the screen', () => {
    fc.assert(
      fc.property(models, fc.boolean(), fc.integer({ min: 0, max: 1 << 20 }), (model, alternate, seed) => {
        const a = new Screen3270(model);
        const size = alternate ? a.alternateRows * a.alternateCols : 1920;
        const orders = fc.sample(arbitraryOrders(size), { numRuns: 1, seed })[0]!;
        a.apply(Uint8Array.from([alternate ? Command.SNA_ERASE_WRITE_ALTERNATE : Command.SNA_ERASE_WRITE, 0x40, ...orders]));
        const rb = a.readBuffer();
        const b = new Screen3270(model);
        const replay = [
          alternate ? Command.SNA_ERASE_WRITE_ALTERNATE : Command.SNA_ERASE_WRITE,
          0x40,
          ...rb.slice(3),
          Order.SBA,
          rb[1]!,
          rb[2]!,
          Order.IC,
        ];
        expect(b.apply(Uint8Array.from(replay)).ok).toBe(true);
        expect(b.text()).toEqual(a.text());
        expect(Array.from(b.isAttribute.subarray(0, size))).toEqual(Array.from(a.isAttribute.subarray(0, size)));
        expect(Array.from(b.attribute.subarray(0, size))).toEqual(Array.from(a.attribute.subarray(0, size)));
        expect(Array.from(b.chars.subarray(0, size))).toEqual(Array.from(a.chars.subarray(0, size)));
        expect(Array.from(b.graphicEscape.subarray(0, size))).toEqual(Array.from(a.graphicEscape.subarray(0, size)));
        expect(b.cursor).toBe(a.cursor);
      }),
      { numRuns: 150 },
    );
  });

  it('what the operator types into an input field reaches the host unchanged', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9 ,.;:!?()=+*/-]{1,60}$/), (text) => {
        const t = new LocalTerminal(2);
        t.write(write({ restore: true }).at(5, 0).sf({}).ic().at(6, 0).sf({ protected: true }).build());
        let got = '';
        t.onInput((input) => {
          got = input.fields[0]?.text ?? '';
        });
        expect(t.type(text)).toBe(true);
        expect(t.press(Aid.ENTER)).toBe(true);
        // Trailing blanks are data a 3270 sends; leading/trailing nulls are not.
        expect(got).toBe(text);
      }),
      { numRuns: 100 },
    );
  });
});
