import { describe, expect, it } from 'vitest';
import { createProgress, SILENT_PROGRESS } from '../src/progress';

/** A terminal-like stream that records what was written. */
function terminal(columns = 40) {
  const stream = { isTTY: true, columns, text: '', write: (t: string) => (stream.text += t) };
  return stream;
}

describe('progress status line', () => {
  it('redraws one line in place on a terminal and erases it when done', () => {
    const tty = terminal();
    let now = 0;
    const p = createProgress({ stream: tty, intervalMs: 100, now: () => now });
    expect(p.live).toBe(true);
    p.update('first');
    now = 50;
    p.update('too soon');
    now = 150;
    p.update(() => 'second');
    p.done();
    expect(tty.text).toBe('\r\x1b[2Kfirst\r\x1b[2Ksecond\r\x1b[2K');
    expect(tty.text).not.toContain('\n');
    p.done();
    expect(tty.text.endsWith('second\r\x1b[2K')).toBe(true);
  });

  it('forces a redraw inside the interval when asked', () => {
    const tty = terminal();
    const p = createProgress({ stream: tty, intervalMs: 1000, now: () => 0 });
    p.update('a');
    p.update('b', true);
    expect(tty.text).toBe('\r\x1b[2Ka\r\x1b[2Kb');
  });

  it('cuts the line to the terminal width so it never wraps', () => {
    const tty = terminal(20);
    const p = createProgress({ stream: tty, now: () => 0 });
    p.update('x'.repeat(100));
    const line = tty.text.replace('\r\x1b[2K', '');
    expect([...line].length).toBeLessThanOrEqual(19);
    expect(line.endsWith('…')).toBe(true);
  });

  it('writes nothing off a terminal or when quiet, and never builds the text', () => {
    const pipe = { isTTY: false, text: '', write: (t: string) => (pipe.text += t) };
    const tty = terminal();
    let built = 0;
    const text = () => {
      built++;
      return 'status';
    };
    for (const p of [
      createProgress({ stream: pipe }),
      createProgress({ stream: tty, quiet: true }),
      SILENT_PROGRESS,
    ]) {
      expect(p.live).toBe(false);
      p.update(text, true);
      p.done();
    }
    expect(pipe.text).toBe('');
    expect(tty.text).toBe('');
    expect(built).toBe(0);
  });
});
