/**
 * The 3270 data-stream codec (GA23-0059) that Display3270 and the CLI's
 * terminals share, as properties: a screen described cell by cell and
 * encoded as orders (SBA in both address forms, SF, SFE, SA, GE, RA, IC)
 * reads back as exactly that buffer, through Screen3270.apply and through a
 * channel-attached Display3270 alike; arbitrary bytes never throw but end in
 * a located error value; and a write that fails leaves what its well-formed
 * prefix leaves, which is what Display3270 forwards to a terminal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Aid,
  CE_DE,
  DS_UNIT_CHECK,
  Command3270,
  type DataStreamError,
  type Display3270Model,
  Display3270,
  display3270AlternateSize,
  encodeBufferAddress,
  eraseWrite3270,
  type FieldOptions,
  Order3270,
  Screen3270,
  toEbcdic,
} from '../src/index';

/** One thing a write puts at a buffer address. */
type Cell =
  | {
      readonly kind: 'field';
      readonly at: number;
      readonly options: FieldOptions;
      readonly fg: number;
      readonly hl: number;
      readonly extended: boolean;
    }
  | { readonly kind: 'raw-field'; readonly at: number; readonly attributeByte: number }
  | {
      readonly kind: 'char';
      readonly at: number;
      readonly c: number;
      readonly ge: boolean;
      readonly fg: number;
    }
  | {
      readonly kind: 'run';
      readonly at: number;
      readonly stop: number;
      readonly c: number;
      readonly ge: boolean;
      readonly fg: number;
    };

/** The six attribute bits FieldOptions stand for (GA23-0059 "Field Attributes"), written out here rather than taken from the codec. */
function attributeBits(o: FieldOptions): number {
  return (
    (o.protected ? 0x20 : 0) |
    (o.numeric ? 0x10 : 0) |
    (o.nondisplay ? 0x0c : o.intensified ? 0x08 : 0) |
    (o.modified ? 0x01 : 0)
  );
}

const colour = fc.constantFrom(0, 0xf1, 0xf2, 0xf4, 0xf7);
const graphic = fc.integer({ min: 0x40, max: 0xfe });

function cells(size: number): fc.Arbitrary<Cell[]> {
  const at = fc.integer({ min: 0, max: size - 1 });
  const options: fc.Arbitrary<FieldOptions> = fc.record({
    protected: fc.boolean(),
    numeric: fc.boolean(),
    intensified: fc.boolean(),
    nondisplay: fc.boolean(),
    modified: fc.boolean(),
  });
  const cell: fc.Arbitrary<Cell> = fc.oneof(
    fc.record({
      kind: fc.constant('field' as const),
      at,
      options,
      fg: colour,
      hl: fc.constantFrom(0, 0xf1, 0xf2, 0xf4),
      extended: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('raw-field' as const),
      at,
      attributeByte: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({ kind: fc.constant('char' as const), at, c: graphic, ge: fc.boolean(), fg: colour }),
    fc.record({ kind: fc.constant('run' as const), at, stop: at, c: graphic, ge: fc.boolean(), fg: colour }),
  );
  return fc.array(cell, { maxLength: 60 });
}

/** The buffer a screen of `size` positions must hold after an Erase/Write of `list`: a plain per-position model. */
function expectedBuffer(size: number, list: readonly Cell[]) {
  const chars = new Uint8Array(size);
  const isAttribute = new Uint8Array(size);
  const attribute = new Uint8Array(size);
  const graphicEscape = new Uint8Array(size);
  const foreground = new Uint8Array(size);
  const highlighting = new Uint8Array(size);
  const put = (a: number, c: number, ge: boolean, fg: number) => {
    chars[a] = c;
    isAttribute[a] = 0;
    attribute[a] = 0;
    graphicEscape[a] = ge ? 1 : 0;
    foreground[a] = fg;
    highlighting[a] = 0;
  };
  const field = (a: number, bits: number, fg: number, hl: number) => {
    chars[a] = 0;
    isAttribute[a] = 1;
    attribute[a] = bits;
    graphicEscape[a] = 0;
    foreground[a] = fg;
    highlighting[a] = hl;
  };
  for (const cell of list) {
    switch (cell.kind) {
      case 'field':
        if (cell.extended) field(cell.at, attributeBits(cell.options), cell.fg, cell.hl);
        else field(cell.at, attributeBits(cell.options), 0, 0);
        break;
      case 'raw-field':
        field(cell.at, cell.attributeByte & 0x3f, 0, 0);
        break;
      case 'char':
        put(cell.at, cell.c, cell.ge, cell.fg);
        break;
      case 'run': {
        // RA to its own start address fills the whole buffer, starting there.
        let a = cell.at;
        do {
          put(a, cell.c, cell.ge, cell.fg);
          a = (a + 1) % size;
        } while (a !== cell.stop);
        break;
      }
    }
  }
  return { chars, isAttribute, attribute, graphicEscape, foreground, highlighting };
}

/**
 * Encode `list` as one Erase/Write (Alternate) record, each cell behind an
 * SBA in the 12- or 14-bit form, then SBA + IC to the cursor. The builder's
 * ra() repeats a plain character; a GE character is written with GE inside
 * the RA by hand.
 */
function encode(
  list: readonly Cell[],
  forms: readonly boolean[],
  alternate: boolean,
  rows: number,
  cols: number,
  cursor: number,
): Uint8Array {
  const b = eraseWrite3270({ restore: true, alternate, rows, cols });
  const mode = rows * cols > 4096 ? 14 : 12;
  list.forEach((cell, k) => {
    if (forms[k % forms.length] === true) b.raw([Order3270.SBA, ...encodeBufferAddress(cell.at, 14)]);
    else b.sba(cell.at);
    switch (cell.kind) {
      case 'field':
        if (cell.extended) {
          const extra = {
            ...(cell.fg !== 0 ? { foreground: cell.fg } : {}),
            ...(cell.hl !== 0 ? { highlighting: cell.hl } : {}),
          };
          b.sfe({ ...cell.options, ...extra });
        } else b.sf(cell.options);
        break;
      case 'raw-field':
        b.raw([Order3270.SF, cell.attributeByte]);
        break;
      case 'char':
      case 'run':
        // SA sets the colour of the characters that follow in this write; type X'00' resets it.
        b.raw(cell.fg === 0 ? [Order3270.SA, 0x00, 0x00] : [Order3270.SA, 0x42, cell.fg]);
        if (cell.kind === 'char') b.raw(cell.ge ? [Order3270.GE, cell.c] : [cell.c]);
        else if (cell.ge)
          b.raw([Order3270.RA, ...encodeBufferAddress(cell.stop, mode), Order3270.GE, cell.c]);
        else b.ra(cell.stop, cell.c);
        break;
    }
  });
  return b.sba(cursor).ic().build();
}

const models = fc.constantFrom<Display3270Model>(2, 3, 4, 5);

/** A screen layout: model, which size, the cells, the SBA forms and the cursor. */
const layouts = models.chain((model) =>
  fc.boolean().chain((alternate) => {
    const size = alternate
      ? display3270AlternateSize(model).rows * display3270AlternateSize(model).cols
      : 1920;
    return fc.record({
      model: fc.constant(model),
      alternate: fc.constant(alternate),
      list: cells(size),
      forms: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
      cursor: fc.integer({ min: 0, max: size - 1 }),
    });
  }),
);

function sizeOf(model: Display3270Model, alternate: boolean): { rows: number; cols: number } {
  return alternate ? display3270AlternateSize(model) : { rows: 24, cols: 80 };
}

function bufferOf(s: Screen3270) {
  const n = s.size;
  return {
    chars: s.chars.slice(0, n),
    isAttribute: s.isAttribute.slice(0, n),
    attribute: s.attribute.slice(0, n),
    graphicEscape: s.graphicEscape.slice(0, n),
    foreground: s.foreground.slice(0, n),
    highlighting: s.highlighting.slice(0, n),
  };
}

type Buffer3270 = ReturnType<typeof bufferOf>;

/** The first position where two buffers differ, named, or '' when they agree (cheaper than a deep equal of 3,564-byte arrays, and as telling). */
function difference(got: Buffer3270, want: Buffer3270): string {
  for (const key of Object.keys(want) as (keyof Buffer3270)[]) {
    const g = got[key];
    const w = want[key];
    if (g.length !== w.length) return `${key}: ${g.length} positions, expected ${w.length}`;
    for (let a = 0; a < w.length; a++) if (g[a] !== w[a]) return `${key}[${a}] = ${g[a]}, expected ${w[a]}`;
  }
  return '';
}

const ERROR_CODES: ReadonlySet<DataStreamError['code']> = new Set([
  'DS_EMPTY',
  'DS_COMMAND',
  'DS_TRUNCATED',
  'DS_ADDRESS',
  'DS_ORDER',
  'DS_UNSUPPORTED',
]);

function expectLocated(error: DataStreamError, length: number): void {
  expect(ERROR_CODES.has(error.code)).toBe(true);
  expect(error.offset).toBeGreaterThanOrEqual(0);
  expect(error.offset).toBeLessThanOrEqual(length);
  expect(error.message).toBe(`offset ${error.offset}: expected ${error.expected}, found ${error.found}`);
}

describe('encode orders, apply, same buffer (property)', () => {
  it('a screen described cell by cell and written as SBA/SF/SFE/SA/GE/RA/IC orders is the buffer Screen3270 holds', () => {
    fc.assert(
      fc.property(layouts, ({ model, alternate, list, forms, cursor }) => {
        const { rows, cols } = sizeOf(model, alternate);
        const record = encode(list, forms, alternate, rows, cols, cursor);
        const s = new Screen3270(model);
        s.keyboardLocked = true;
        const result = s.apply(record);
        expect(result).toEqual({ ok: true, command: alternate ? 'erase-write-alternate' : 'erase-write' });
        expect([s.rows, s.cols]).toEqual([rows, cols]);
        expect(difference(bufferOf(s), expectedBuffer(rows * cols, list))).toBe('');
        expect(s.cursor).toBe(cursor);
        expect(s.keyboardLocked).toBe(false);
      }),
      { numRuns: 150, seed: 3270 },
    );
  });

  it("the same record as a channel program writes it (CCW X'05'/X'0D' and the data after the command) leaves the same buffer in a Display3270", () => {
    fc.assert(
      fc.property(layouts, ({ model, alternate, list, forms, cursor }) => {
        const { rows, cols } = sizeOf(model, alternate);
        const record = encode(list, forms, alternate, rows, cols, cursor);
        const sent: number[][] = [];
        const d = new Display3270({ model, onOutbound: (_c, data) => sent.push(Array.from(data)) });
        const data = record.subarray(1);
        const res = d.execute({
          command: alternate ? 0x0d : 0x05,
          count: data.length,
          data,
          chained: false,
          previousCommand: -1,
          nowUs: 0,
        });
        expect(res.status).toBe(CE_DE);
        expect(sent).toEqual([Array.from(data)]);
        expect(difference(bufferOf(d.screenBuffer), expectedBuffer(rows * cols, list))).toBe('');
        expect(d.cursor).toBe(cursor);
      }),
      { numRuns: 60, seed: 0x3274 },
    );
  });

  it('what the operator types reaches a host mirror through Read Modified and applyInbound, field for field', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[A-Z0-9 ]{0,8}$/), { minLength: 1, maxLength: 6 }),
        (texts) => {
          // One unprotected 10-position input field per text, each behind a protected label.
          const b = eraseWrite3270({ restore: true });
          for (let k = 0; k < texts.length; k++)
            b.at(k, 0).sf({ protected: true }).text('IN').sf({}).at(k, 14).sf({ protected: true });
          const record = b.build();
          const terminal = new Screen3270();
          const mirror = new Screen3270();
          terminal.apply(record);
          mirror.apply(record);
          texts.forEach((t, k) => {
            terminal.moveCursor(k, 4);
            expect(terminal.type(t)).toBe(true);
          });
          const inbound = mirror.applyInbound(terminal.press(Aid.ENTER));
          expect(inbound.ok).toBe(true);
          if (!inbound.ok) return;
          const typed = texts.map((t, k) => [k * 80 + 4, t] as const).filter(([, t]) => t.length > 0);
          expect(inbound.record.fields.map((f) => [f.address, f.text])).toEqual(typed);
          expect(mirror.text()).toEqual(terminal.text());
          expect(Array.from(mirror.readModified())).toEqual(Array.from(terminal.readModified()));
        },
      ),
      { numRuns: 100, seed: 1576 },
    );
  });
});

describe('arbitrary bytes: never a throw, always a located error value (property)', () => {
  it('apply, applyCommand and applyInbound of random bytes on every model either succeed or return a located error', () => {
    fc.assert(
      fc.property(
        models,
        fc.constantFrom('reject' as const, 'store' as const),
        fc.uint8Array({ maxLength: 160 }),
        fc.integer({ min: 0, max: 255 }),
        (model, invalidCodes, bytes, command) => {
          const s = new Screen3270(model, { invalidCodes });
          const r = s.apply(bytes);
          if (!r.ok) {
            expectLocated(r.error, bytes.length);
            expect(r.applied).toBeGreaterThanOrEqual(0);
            expect(r.applied).toBeLessThanOrEqual(r.error.offset);
            if (invalidCodes === 'store') expect(r.error.code).not.toBe('DS_ORDER');
          }
          const c = s.applyCommand(command, bytes);
          if (!c.ok) expectLocated(c.error, bytes.length);
          const inbound = s.applyInbound(bytes);
          if (!inbound.ok) expectLocated(inbound.error, bytes.length);
          expect(s.cursor).toBeLessThan(s.size);
        },
      ),
      { numRuns: 600, seed: 0x59 },
    );
  });

  it('a write that fails leaves exactly what its prefix up to `applied` leaves (what Display3270 forwards)', () => {
    const nearlyOrders = fc.array(
      fc.oneof(
        fc.constantFrom(
          Order3270.SBA,
          Order3270.SF,
          Order3270.SFE,
          Order3270.RA,
          Order3270.EUA,
          Order3270.IC,
          Order3270.PT,
          Order3270.GE,
          Order3270.SA,
          Order3270.MF,
          0x07,
        ),
        fc.integer({ min: 0, max: 255 }),
        graphic,
      ),
      { maxLength: 80 },
    );
    fc.assert(
      fc.property(
        models,
        fc.constantFrom(
          Command3270.SNA_ERASE_WRITE,
          Command3270.SNA_WRITE,
          Command3270.ERASE_WRITE_ALTERNATE,
        ),
        nearlyOrders,
        (model, command, body) => {
          const record = Uint8Array.from([command, 0xc3, ...body]);
          const whole = new Screen3270(model);
          const result = whole.apply(record);
          if (result.ok) return;
          const applied = result.applied ?? -1;
          expect(applied).toBeGreaterThanOrEqual(2);
          const prefix = new Screen3270(model);
          expect(prefix.apply(record.subarray(0, applied)).ok).toBe(true);
          expect(difference(bufferOf(prefix), bufferOf(whole))).toBe('');
          expect(prefix.cursor).toBe(whole.cursor);
        },
      ),
      { numRuns: 300, seed: 0xc3 },
    );
  });

  it('Display3270 ends a malformed write in unit check and forwards only the prefix it carried out', () => {
    const sent: number[][] = [];
    const d = new Display3270({ onOutbound: (_c, data) => sent.push(Array.from(data)) });
    // RA with the stop address 4095 on a 1920-position screen: the RA and what follows are not carried out.
    const data = Uint8Array.from([
      0xc3,
      ...toEbcdic('OK'),
      Order3270.RA,
      0x7f,
      0x7f,
      0xc1,
      ...toEbcdic('NO'),
    ]);
    const res = d.execute({
      command: 0x05,
      count: data.length,
      data,
      chained: false,
      previousCommand: -1,
      nowUs: 0,
    });
    expect(res.status).toBe(CE_DE | DS_UNIT_CHECK);
    expect(sent).toEqual([[0xc3, ...toEbcdic('OK')]]);
    expect(d.screen()[0]!.slice(0, 4)).toBe('OK  ');
  });
});
