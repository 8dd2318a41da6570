import { SimClock } from '@strachey/isa-core';
import { describe, expect, it } from 'vitest';
import { Aid, clockTimers, LineConsole, LocalTerminal, startEchoApplication, type TerminalModel } from '../src/terminal/index';

const CYCLES_PER_US = 1000;
const seconds = (s: number) => s * 1_000_000 * CYCLES_PER_US;

function setup(model: TerminalModel = 2, options: { typeahead?: number } = {}) {
  const clock = new SimClock(CYCLES_PER_US);
  const t = new LocalTerminal(model);
  const console = new LineConsole(t, { timers: clockTimers(clock), systemName: 'VMTEST', ...options });
  return { clock, t, console };
}

// The status area is the last 20 positions of the last row (its attribute's neighbour onward).
const statusArea = (t: LocalTerminal) => t.text().at(-1)!.slice(-20).trimEnd();
const enter = (t: LocalTerminal, text: string) => {
  if (text.length > 0) expect(t.type(text)).toBe(true);
  expect(t.press(Aid.ENTER)).toBe(true);
};

describe('line console layout (VM style)', () => {
  it('puts the status at the bottom right, the cursor in the input area and unlocks the keyboard', () => {
    const { t, console } = setup();
    console.setState('CP READ');
    expect(statusArea(t)).toBe('CP READ   VMTEST');
    expect(t.display.cursor).toBe(22 * 80 + 1);
    expect(t.display.keyboardLocked).toBe(false);
    const fields = t.display.fields();
    // Output area protected, input area unprotected over the last two rows, status protected and intensified.
    expect(fields.map((f) => [f.attributeAddress, f.protected])).toEqual([
      [22 * 80, false],
      [24 * 80 - 21, true],
      [24 * 80 - 1, true],
    ]);
    expect(fields[1]!.intensified).toBe(true);
  });

  it('uses Erase/Write Alternate and the full alternate size on larger models', () => {
    for (const [model, rows, cols] of [
      [3, 32, 80],
      [4, 43, 80],
      [5, 27, 132],
    ] as const) {
      const { t, console } = setup(model);
      console.print('first line');
      console.setState('VM READ');
      expect([t.display.rows, t.display.cols]).toEqual([rows, cols]);
      expect(t.text()[0]!.startsWith('first line')).toBe(true);
      expect(t.text()[rows - 1]!.trimEnd().endsWith('VM READ   VMTEST')).toBe(true);
    }
  });

  it('wraps long lines at the screen width', () => {
    const { t, console } = setup();
    console.print('x'.repeat(100));
    expect(t.text()[0]).toBe('x'.repeat(80));
    expect(t.text()[1]!.trimEnd()).toBe('x'.repeat(20));
  });
});

describe('line console reads', () => {
  it('delivers an entered line to a posted read, echoes it, clears the input area and goes RUNNING', () => {
    const { t, console } = setup();
    const lines: string[] = [];
    console.onLine((l) => lines.push(l));
    console.setState('CP READ');
    enter(t, 'query time');
    expect(lines).toEqual(['query time']);
    expect(t.text()[0]!.trimEnd()).toBe('query time');
    expect(t.text()[22]!.trim()).toBe('');
    expect(console.status).toBe('RUNNING');
    expect(statusArea(t)).toBe('RUNNING   VMTEST');
    expect(t.display.keyboardLocked).toBe(false);
    expect(t.display.cursor).toBe(22 * 80 + 1);
  });

  it('queues lines typed ahead while RUNNING, locks the keyboard at the limit and unlocks when a read takes one', () => {
    const { t, console } = setup(2, { typeahead: 2 });
    const lines: string[] = [];
    console.onLine((l) => lines.push(l));
    enter(t, 'one');
    expect(t.display.keyboardLocked).toBe(false);
    enter(t, 'two');
    expect(t.display.keyboardLocked).toBe(true);
    expect(t.press(Aid.ENTER)).toBe(false);
    expect(lines).toEqual([]);
    console.setState('VM READ');
    expect(lines).toEqual(['one']);
    expect(t.display.keyboardLocked).toBe(false);
    console.setState('VM READ');
    expect(lines).toEqual(['one', 'two']);
  });

  it('hands PA1 and PF keys to the application', () => {
    const { t, console } = setup();
    const keys: string[] = [];
    console.onKey((k) => keys.push(k));
    t.press(Aid.PA1);
    t.press(0xf3);
    expect(keys).toEqual(['PA1', 'PF3']);
    expect(t.display.keyboardLocked).toBe(false);
  });
});

describe('MORE... and HOLDING', () => {
  const fill = (console: LineConsole, n: number) => {
    for (let i = 1; i <= n; i++) console.print(`line ${i}`);
  };

  it('shows MORE... when the output area is full and clears it after the MORE delay on the simulated clock', () => {
    const { t, console, clock } = setup();
    fill(console, 30);
    expect(t.text()[21]!.trimEnd()).toBe('line 22');
    expect(console.status).toBe('MORE...');
    expect(statusArea(t)).toBe('MORE...   VMTEST');
    clock.advanceTo(seconds(49));
    expect(console.status).toBe('MORE...');
    clock.advanceTo(seconds(50));
    expect(t.text()[0]!.trimEnd()).toBe('line 23');
    expect(t.text()[7]!.trimEnd()).toBe('line 30');
    expect(t.text()[8]!.trim()).toBe('');
    expect(console.status).toBe('RUNNING');
  });

  it('ENTER with nothing typed holds the screen; PA2 releases it', () => {
    const { t, console, clock } = setup();
    fill(console, 25);
    enter(t, '');
    expect(console.status).toBe('HOLDING');
    expect(statusArea(t)).toBe('HOLDING   VMTEST');
    clock.advanceTo(seconds(600));
    expect(t.text()[0]!.trimEnd()).toBe('line 1');
    t.press(Aid.PA2);
    expect(t.text()[0]!.trimEnd()).toBe('line 23');
    expect(console.status).toBe('RUNNING');
  });

  it('CLEAR during MORE... shows the next page at once on a repainted screen', () => {
    const { t, console } = setup();
    fill(console, 23);
    t.press(Aid.CLEAR);
    expect(t.text()[0]!.trimEnd()).toBe('line 23');
    expect(statusArea(t)).toBe('RUNNING   VMTEST');
    expect(t.display.keyboardLocked).toBe(false);
  });
});

describe('answers to ENTER', () => {
  it('arrive as one record, so the keyboard unlocks with the application\'s output already on the screen', () => {
    const t = new LocalTerminal(2);
    const seen: { locked: boolean; screen: string[] }[] = [];
    // Watch every record the console sends, as a client would see them one by one.
    const port = {
      get rows() {
        return t.rows;
      },
      get cols() {
        return t.cols;
      },
      get alternate() {
        return t.alternate;
      },
      get closed() {
        return t.closed;
      },
      write(record: Uint8Array) {
        const r = t.write(record);
        seen.push({ locked: t.display.keyboardLocked, screen: t.text().map((l) => l.trimEnd()) });
        return r;
      },
      onInput: t.onInput.bind(t),
      onClose: t.onClose.bind(t),
      close: t.close.bind(t),
    };
    startEchoApplication(port, { timers: clockTimers(new SimClock()) });
    seen.length = 0;
    enter(t, 'hello');
    expect(seen.length).toBe(1);
    expect(seen[0]!.locked).toBe(false);
    expect(seen[0]!.screen).toContain('ECHO: hello');
    expect(seen[0]!.screen[23]!.trim()).toBe('CP READ   STRACHEY');
  });
});

describe('echo application', () => {
  it('welcomes with Strachey ONLINE, echoes lines and disconnects on LOGOFF', () => {
    const t = new LocalTerminal(2);
    startEchoApplication(t, { timers: clockTimers(new SimClock()) });
    expect(t.text()[0]!.trimEnd()).toBe('Strachey ONLINE');
    expect(statusArea(t)).toBe('CP READ   STRACHEY');
    enter(t, 'hello');
    const screen = t.text().map((l) => l.trimEnd());
    expect(screen).toContain('hello');
    expect(screen).toContain('ECHO: hello');
    expect(statusArea(t)).toBe('CP READ   STRACHEY');
    enter(t, 'logoff');
    expect(t.closed).toBe(true);
  });
});
