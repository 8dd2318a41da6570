import { Display3270, toEbcdic } from '@strachey/io-channel';
import { describe, expect, it } from 'vitest';
import { Aid, type DataStreamError, forwardOutbound, LocalTerminal, Order, routeInbound } from '../src/terminal/index';

const E = (s: string) => Array.from(toEbcdic(s));
const ccw = (command: number, data: number[] | null) => ({
  command,
  count: data?.length ?? 0,
  data: data === null ? null : Uint8Array.from(data),
  chained: false,
  previousCommand: -1,
  nowUs: 0,
});

describe('a guest-driven Display3270 on a terminal', () => {
  it('shows what the guest writes, raises attention on ENTER and reads back what the operator typed', () => {
    const terminal = new LocalTerminal(2);
    const errors: DataStreamError[] = [];
    const display = new Display3270({ onOutbound: forwardOutbound(terminal, (e) => errors.push(e)) });
    const attentions: number[] = [];
    display.setAttentionSink((status) => attentions.push(status));
    routeInbound(terminal, display);

    // ERASE/WRITE (CCW X'05'): WCC restore + reset MDT, a protected prompt, an input field with the cursor.
    display.execute(ccw(0x05, [0xc3, Order.SF, 0x60, ...E('LOGON'), Order.SF, 0x40, Order.IC]));
    expect(errors).toEqual([]);
    expect(terminal.text()[0]!.slice(0, 8)).toBe(' LOGON  ');
    expect(terminal.display.keyboardLocked).toBe(false);

    const sent: Uint8Array[] = [];
    terminal.onInput((i) => sent.push(i.raw));
    expect(terminal.type('MAINT')).toBe(true);
    expect(terminal.press(Aid.ENTER)).toBe(true);
    expect(attentions.length).toBe(1);
    expect(display.aid).toBe(Aid.ENTER);
    // READ MODIFIED (CCW X'06') on the device returns what the terminal sent.
    const read = display.execute(ccw(0x06, null));
    expect(Array.from(read.input!)).toEqual(Array.from(sent[0]!));
    expect(display.screen()[0]!.slice(7, 12)).toBe('MAINT');
  });

  it('reports a malformed guest stream instead of sending it', () => {
    const terminal = new LocalTerminal(2);
    const errors: DataStreamError[] = [];
    const display = new Display3270({ onOutbound: forwardOutbound(terminal, (e) => errors.push(e)) });
    display.execute(ccw(0x01, [0xc3, 0x07]));
    expect(errors.map((e) => [e.code, e.offset])).toEqual([['DS_ORDER', 2]]);
  });
});
