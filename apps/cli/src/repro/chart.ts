/**
 * The SVG charts the reproductions write with `--out DIR`: a line chart, a
 * grouped bar chart and a horizontal bar chart, each a standalone SVG
 * document with a white background (readable in a dark viewer too), a
 * title, labelled axes whose ticks are round numbers (1, 2, 2.5 or 5 × 10^k
 * apart) and a legend. Deterministic: the same figures give the same bytes,
 * which `repro merge` relies on.
 */

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
/** Width of a character of the 12 px sans-serif labels, for layout (generous: no label may touch another). */
const CHAR_PX = 7;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f1 = (n: number): string => String(Math.round(n * 10) / 10);

/** An axis scale: round tick values from `min` to `max` inclusive, `step` apart. */
export interface NiceScale {
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly ticks: readonly number[];
}

/**
 * Round ticks covering [lo, hi] in about `target` steps: the step is 1, 2,
 * 2.5 or 5 times a power of ten, and the scale's ends are multiples of it.
 */
export function niceScale(lo: number, hi: number, target = 5): NiceScale {
  let a = Math.min(lo, hi);
  let b = Math.max(lo, hi);
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    a = 0;
    b = 1;
  }
  if (b - a < 1e-12) b = a + (Math.abs(a) > 0 ? Math.abs(a) : 1);
  const raw = (b - a) / Math.max(1, target);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step =
    [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * magnitude;
  const clean = (n: number): number => Number(n.toPrecision(12));
  const min = clean(Math.floor(a / step + 1e-9) * step);
  const max = clean(Math.ceil(b / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step * 1e-9; i++) ticks.push(clean(min + i * step));
  return { min, max, step, ticks };
}

/** A figure as printed beside a bar: up to three decimals without trailing zeros, thousands separated. */
export function valueLabel(value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  const [whole, fraction] = String(Math.abs(rounded)).split('.') as [string, string | undefined];
  return `${rounded < 0 ? '−' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** A tick label with as many decimals as the step needs and thousands separators. */
export function tickLabel(value: number, step: number): string {
  // A 2.5 × 10^k step needs one decimal more than 10^k: 0.25, 0.5, 0.75.
  const mantissa = step / 10 ** Math.floor(Math.log10(step));
  const decimals = Math.max(
    0,
    Math.ceil(-Math.log10(step) - 1e-9) + (Math.abs(mantissa - 2.5) < 1e-9 ? 1 : 0),
  );
  const [whole, fraction] = Math.abs(value).toFixed(Math.min(decimals, 6)).split('.') as [
    string,
    string | undefined,
  ];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 && Number(value.toFixed(6)) !== 0 ? '−' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

function open(width: number, height: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
}

const close = (out: string[]): string => `${[...out, '</svg>'].join('\n')}\n`;

/** One line of a line chart; `colour` pairs lines that belong together (measured and analytic of one case). */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
  readonly colour?: string;
}

/**
 * A line chart. The x ticks are the data's own x values when they fit side
 * by side, otherwise round values; the y axis starts at 0 (or below, for
 * negative data) and ends at a round value above the largest.
 */
export function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: readonly ChartSeries[],
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const y = niceScale(Math.min(0, ...ys), Math.max(...ys), 6);
  const yLabels = y.ticks.map((t) => tickLabel(t, y.step));
  const legendWidth = 56 + CHAR_PX * Math.max(...series.map((s) => s.name.length));
  const W = 560 + legendWidth;
  const H = 440;
  const L = 44 + CHAR_PX * Math.max(...yLabels.map((l) => l.length));
  const R = legendWidth;
  const T = 48;
  const B = 58;
  const plotW = W - L - R;
  const dataX = [...new Set(xs)].sort((a, b) => a - b);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const spanOf =
    (lo: number, hi: number) =>
    (x: number): number =>
      L + ((x - lo) / (hi - lo || 1)) * plotW;
  // The data's x values are the best ticks (CPU counts) unless two of them would print on top of each other.
  const dataPx = spanOf(x0, x1);
  const widest = CHAR_PX * Math.max(...dataX.map((x) => String(x).length));
  const dataFits =
    dataX.length <= 20 && dataX.every((x, i) => i === 0 || dataPx(x) - dataPx(dataX[i - 1]!) >= widest + 10);
  const xs_ = dataFits ? null : niceScale(x0, x1);
  const px = xs_ === null ? dataPx : spanOf(xs_.min, xs_.max);
  const xTicks =
    xs_ === null
      ? dataX.map((x) => [x, String(x)] as const)
      : xs_.ticks.map((t) => [t, tickLabel(t, xs_.step)] as const);
  const py = (v: number): number => H - B - ((v - y.min) / (y.max - y.min)) * (H - T - B);
  const out = open(W, H, title);
  y.ticks.forEach((t, i) => {
    out.push(`<line x1="${L}" y1="${f1(py(t))}" x2="${W - R}" y2="${f1(py(t))}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 8}" y="${f1(py(t) + 4)}" text-anchor="end">${yLabels[i]}</text>`);
  });
  out.push(`<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/>`);
  out.push(`<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`);
  for (const [t, label] of xTicks) {
    out.push(`<line x1="${f1(px(t))}" y1="${H - B}" x2="${f1(px(t))}" y2="${H - B + 5}" stroke="#333"/>`);
    out.push(`<text x="${f1(px(t))}" y="${H - B + 19}" text-anchor="middle">${esc(label)}</text>`);
  }
  out.push(`<text x="${L + plotW / 2}" y="${H - 14}" text-anchor="middle">${esc(xLabel)}</text>`);
  const yMid = (T + H - B) / 2;
  out.push(
    `<text x="18" y="${yMid}" text-anchor="middle" transform="rotate(-90 18 ${yMid})">${esc(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const c = s.colour ?? PALETTE[i % PALETTE.length]!;
    const dash = s.dashed ? ' stroke-dasharray="6,4"' : '';
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${f1(px(p[0]))},${f1(py(p[1]))}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"${dash}/>`);
    for (const p of s.points) {
      out.push(
        `<circle cx="${f1(px(p[0]))}" cy="${f1(py(p[1]))}" r="3" fill="${c}"><title>${esc(s.name)}: ${p[0]}, ${p[1]}</title></circle>`,
      );
    }
    const ly = T + 10 + i * 20;
    out.push(
      `<line x1="${W - R + 14}" y1="${ly}" x2="${W - R + 40}" y2="${ly}" stroke="${c}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${W - R + 46}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  return close(out);
}

/** Options of a grouped bar chart. */
export interface BarChartOptions {
  /** The label under the categories. */
  readonly xLabel?: string;
  /** Print each bar's value above it. */
  readonly valueLabels?: boolean;
  /** The legend's name for the marks of series' `expected` values (default "expected"). */
  readonly expectedLabel?: string;
}

/** One series of a grouped bar chart; `expected` values are drawn as a black mark across each bar. */
export interface BarSeries {
  readonly name: string;
  readonly values: readonly number[];
  readonly expected?: readonly number[];
}

/** A grouped bar chart: one group per category, one bar per series, y from 0 to a round value. */
export function barChart(
  title: string,
  yLabel: string,
  categories: readonly string[],
  series: readonly BarSeries[],
  options: BarChartOptions = {},
): string {
  const y = niceScale(0, Math.max(0, ...series.flatMap((s) => [...s.values, ...(s.expected ?? [])])));
  const yLabels = y.ticks.map((t) => tickLabel(t, y.step));
  const expectedLabel = options.expectedLabel ?? 'expected';
  const marks = series.some((s) => s.expected !== undefined);
  const legendWidth =
    50 + CHAR_PX * Math.max(...series.map((s) => s.name.length), marks ? expectedLabel.length : 0);
  const W = 560 + legendWidth;
  const H = 440;
  const L = 44 + CHAR_PX * Math.max(...yLabels.map((l) => l.length));
  const R = legendWidth;
  const T = 48;
  const B = options.xLabel === undefined ? 40 : 58;
  const gw = (W - L - R) / categories.length;
  const bw = (gw * 0.8) / series.length;
  const py = (v: number): number => H - B - (v / y.max) * (H - T - B);
  const out = open(W, H, title);
  y.ticks.forEach((t, i) => {
    out.push(`<line x1="${L}" y1="${f1(py(t))}" x2="${W - R}" y2="${f1(py(t))}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 8}" y="${f1(py(t) + 4)}" text-anchor="end">${yLabels[i]}</text>`);
  });
  const yMid = (T + H - B) / 2;
  out.push(
    `<text x="18" y="${yMid}" text-anchor="middle" transform="rotate(-90 18 ${yMid})">${esc(yLabel)}</text>`,
  );
  categories.forEach((c, g) => {
    out.push(`<text x="${f1(L + gw * g + gw / 2)}" y="${H - B + 18}" text-anchor="middle">${esc(c)}</text>`);
    series.forEach((s, i) => {
      const v = s.values[g] ?? 0;
      const x = L + gw * g + gw * 0.1 + bw * i;
      const colour = PALETTE[i % PALETTE.length]!;
      out.push(
        `<rect x="${f1(x)}" y="${f1(py(v))}" width="${f1(bw - 1)}" height="${f1(H - B - py(v))}" fill="${colour}"><title>${esc(c)}, ${esc(s.name)}: ${v}</title></rect>`,
      );
      const e = s.expected?.[g];
      if (e !== undefined) {
        out.push(
          `<line x1="${f1(x - 2)}" y1="${f1(py(e))}" x2="${f1(x + bw + 1)}" y2="${f1(py(e))}" stroke="#000" stroke-width="2.5"><title>${esc(c)}, ${esc(s.name)}: ${esc(expectedLabel)} ${e}</title></line>`,
        );
      }
      if (options.valueLabels) {
        out.push(
          `<text x="${f1(x + bw / 2)}" y="${f1(py(v) - 4)}" text-anchor="middle" font-size="10">${valueLabel(v)}</text>`,
        );
      }
    });
  });
  out.push(`<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/>`);
  out.push(`<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`);
  if (options.xLabel !== undefined) {
    out.push(
      `<text x="${L + (W - L - R) / 2}" y="${H - 12}" text-anchor="middle">${esc(options.xLabel)}</text>`,
    );
  }
  series.forEach((s, i) => {
    out.push(
      `<rect x="${W - R + 14}" y="${T + 2 + i * 20}" width="14" height="12" fill="${PALETTE[i % PALETTE.length]}"/>`,
    );
    out.push(`<text x="${W - R + 34}" y="${T + 13 + i * 20}">${esc(s.name)}</text>`);
  });
  if (marks) {
    const ly = T + 8 + series.length * 20;
    out.push(
      `<line x1="${W - R + 12}" y1="${ly}" x2="${W - R + 30}" y2="${ly}" stroke="#000" stroke-width="2.5"/>`,
    );
    out.push(`<text x="${W - R + 34}" y="${ly + 5}">${esc(expectedLabel)}</text>`);
  }
  return close(out);
}

/** One bar of a horizontal bar chart. */
export interface HorizontalBar {
  readonly label: string;
  readonly value: number;
}

/**
 * Horizontal bars with their values printed beside them. A value more than
 * ten times the next largest would flatten the others to nothing, so it is
 * drawn to the axis end with a break mark and its value printed as off
 * scale: the small differences stay readable and the large one is still
 * stated.
 */
export function horizontalBarChart(
  title: string,
  xLabel: string,
  bars: readonly HorizontalBar[],
  unit: string,
): string {
  const sorted = bars.map((b) => b.value).sort((a, b) => b - a);
  const largest = sorted[0] ?? 0;
  const second = sorted[1] ?? 0;
  const clip = second > 0 && largest > 10 * second ? second : largest;
  const x = niceScale(0, clip * 1.15);
  const xLabels = x.ticks.map((t) => tickLabel(t, x.step));
  const L = 24 + CHAR_PX * Math.max(...bars.map((b) => b.label.length));
  const plotW = 460;
  const R = 150;
  const W = L + plotW + R;
  const T = 48;
  const row = 34;
  const B = 60;
  const H = T + row * bars.length + B;
  const px = (v: number): number => L + (Math.min(v, x.max) / x.max) * plotW;
  const out = open(W, H, title);
  x.ticks.forEach((t, i) => {
    out.push(
      `<line x1="${f1(px(t))}" y1="${T}" x2="${f1(px(t))}" y2="${T + row * bars.length}" stroke="#ddd"/>`,
    );
    out.push(
      `<text x="${f1(px(t))}" y="${T + row * bars.length + 18}" text-anchor="middle">${xLabels[i]}</text>`,
    );
  });
  bars.forEach((b, i) => {
    const top = T + i * row + 7;
    const h = row - 14;
    const off = b.value > x.max;
    const value = `${valueLabel(b.value)} ${unit}`;
    out.push(`<text x="${L - 10}" y="${top + h / 2 + 4}" text-anchor="end">${esc(b.label)}</text>`);
    out.push(
      `<rect x="${L}" y="${top}" width="${f1(px(b.value) - L)}" height="${h}" fill="${off ? '#7f7f7f' : PALETTE[0]}"><title>${esc(b.label)}: ${value}</title></rect>`,
    );
    if (off) {
      // The break: two white slashes across the bar near the axis end.
      const bx = L + plotW - 40;
      out.push(
        `<path d="M${bx},${top + h + 3} L${bx + 8},${top - 3} M${bx + 8},${top + h + 3} L${bx + 16},${top - 3}" stroke="#fff" stroke-width="4"/>`,
      );
    }
    out.push(
      `<text x="${f1(px(b.value) + 6)}" y="${top + h / 2 + 4}"${off ? ' font-weight="bold"' : ''}>${esc(value)}${off ? ' (off scale)' : ''}</text>`,
    );
  });
  out.push(`<line x1="${L}" y1="${T}" x2="${L}" y2="${T + row * bars.length}" stroke="#333"/>`);
  out.push(
    `<line x1="${L}" y1="${T + row * bars.length}" x2="${L + plotW}" y2="${T + row * bars.length}" stroke="#333"/>`,
  );
  out.push(`<text x="${L + plotW / 2}" y="${H - 14}" text-anchor="middle">${esc(xLabel)}</text>`);
  return close(out);
}
