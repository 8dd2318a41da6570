/**
 * The reproductions' SVG charts (src/repro/chart.ts): round axis ticks,
 * x tick labels that never print on top of each other, a bar far beyond the
 * others drawn off scale with its figure, and well-formed SVG documents.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barChart, horizontalBarChart, lineChart, niceScale, tickLabel } from '../src/repro/chart';

/** Every element closes (or is self-closing) in order: the document is well-formed XML. */
function wellFormed(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return false;
    } else if (m[3] !== '/') stack.push(m[2]!);
  }
  return stack.length === 0 && svg.startsWith('<svg') && svg.endsWith('</svg>\n');
}

/** The x-axis tick labels: the texts centred on the row just under the x axis. */
function xTickLabels(svg: string): { x: number; text: string }[] {
  const axis = /<line x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="\1" stroke="#333"\/>/.exec(svg);
  const y = Number(axis![1]) + 19;
  return [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle">([^<]*)<\/text>/g)]
    .filter((m) => Number(m[2]) === y)
    .map((m) => ({ x: Number(m[1]), text: m[3]! }));
}

describe('niceScale', () => {
  it('covers the data with round, evenly spaced ticks (1, 2, 2.5 or 5 × 10^k apart)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        (lo, span) => {
          const hi = lo + span;
          const s = niceScale(lo, hi);
          expect(s.min).toBeLessThanOrEqual(lo + span * 1e-9);
          expect(s.max).toBeGreaterThanOrEqual(hi - span * 1e-9);
          const mantissa = s.step / 10 ** Math.floor(Math.log10(s.step));
          expect([1, 2, 2.5, 5].some((m) => Math.abs(m - mantissa) < 1e-9)).toBe(true);
          expect(s.ticks.length).toBeGreaterThanOrEqual(2);
          expect(s.ticks.length).toBeLessThanOrEqual(12);
          for (let i = 1; i < s.ticks.length; i++)
            expect(s.ticks[i]! - s.ticks[i - 1]!).toBeCloseTo(s.step, 6);
        },
      ),
    );
  });

  it('labels ticks with the decimals the step needs', () => {
    expect(niceScale(0, 5.5, 6).ticks).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(niceScale(0, 0.44).ticks).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(tickLabel(0.25, 0.25)).toBe('0.25');
    expect(tickLabel(2.5, 2.5)).toBe('2.5');
    expect(tickLabel(1500, 500)).toBe('1,500');
    expect(tickLabel(0.3, 0.1)).toBe('0.3');
  });
});

describe('lineChart', () => {
  it('uneven x values (0, 1, 2, 5 … 200) get round ticks that do not overlap; the y axis ends on a round value', () => {
    const xs = [0, 1, 2, 5, 10, 20, 50, 100, 200];
    const svg = lineChart('t', 'PTE remaps per 1000 accesses', 'cycles per access', [
      { name: 'shadow', points: xs.map((x) => [x, 58 + x / 2] as const) },
      { name: 'nested', points: xs.map((x) => [x, 78 + x / 20] as const), dashed: true },
    ]);
    expect(wellFormed(svg)).toBe(true);
    const ticks = xTickLabels(svg);
    expect(ticks.map((t) => t.text)).toEqual(['0', '50', '100', '150', '200']);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]!.x - ticks[i - 1]!.x).toBeGreaterThan(30);
    const yTicks = [...svg.matchAll(/text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(yTicks).toEqual(['0', '50', '100', '150', '200']);
    expect(svg).toContain('>PTE remaps per 1000 accesses</text>');
  });

  it('CPU counts that fit side by side are the ticks themselves; paired series share a colour', () => {
    const cpus = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16];
    const svg = lineChart('t', 'CPUs', 'throughput', [
      { name: 'measured', points: cpus.map((n) => [n, n / 2] as const), colour: '#123456' },
      { name: 'analytic', points: cpus.map((n) => [n, n / 3] as const), colour: '#123456', dashed: true },
    ]);
    expect(wellFormed(svg)).toBe(true);
    expect(xTickLabels(svg).map((t) => t.text)).toEqual(cpus.map(String));
    expect(svg.match(/stroke="#123456"/g)?.length).toBe(4);
  });
});

describe('barChart and horizontalBarChart', () => {
  it('a grouped bar chart has round y ticks and an x label', () => {
    const svg = barChart('shares', 'share', ['A', 'B'], [{ name: 'configured', values: [0.1, 0.4] }], {
      xLabel: 'partition',
    });
    expect(wellFormed(svg)).toBe(true);
    for (const t of ['0.0', '0.1', '0.2', '0.3', '0.4']) expect(svg).toContain(`>${t}</text>`);
    expect(svg).toContain('>partition</text>');
  });

  it("a series' expected values are black marks across its bars, with one legend entry", () => {
    const svg = barChart(
      'shares',
      'share',
      ['A', 'B'],
      [{ name: 'measured', values: [0.09, 0.41], expected: [0.1, 0.4] }],
      {
        expectedLabel: 'expected by weight',
      },
    );
    expect(wellFormed(svg)).toBe(true);
    expect(svg.match(/stroke="#000" stroke-width="2.5"><title>/g)?.length).toBe(2);
    expect(svg).toContain('<title>B, measured: expected by weight 0.4</title>');
    expect(svg).toContain('>expected by weight</text>');
  });

  it('a value far beyond the others is drawn off scale with its figure; the others keep a readable axis', () => {
    const svg = horizontalBarChart(
      'ladder',
      'overhead (%)',
      [
        { label: 'bare metal', value: 0 },
        { label: 'PR/SM', value: 0.717 },
        { label: 'CP with SIE', value: 0.069 },
        { label: 'trap-and-emulate', value: 3.091 },
        { label: 'full emulation', value: 2900 },
      ],
      '%',
    );
    expect(wellFormed(svg)).toBe(true);
    expect(svg).toContain('>2,900 % (off scale)</text>');
    for (const v of ['0 %', '0.717 %', '0.069 %', '3.091 %']) expect(svg).toContain(`>${v}</text>`);
    // The axis ends a round step above trap-and-emulate's 3.091, not at 2,900.
    expect(svg).toContain('>4</text>');
    expect(svg).not.toContain('>3,000</text>');
  });
});
