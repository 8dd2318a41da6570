/**
 * A Gantt chart of a schedule trace as a standalone SVG string: one row per
 * entity, a bar per run segment (hatched while BVT runs it warped), a red
 * triangle where work arrives for an entity that was blocked (an
 * interruption request), a black diamond where a job's service begins, a
 * time axis with round ticks, and a legend. Pure string generation, so it
 * works anywhere and diffs cleanly.
 */
import type { ScheduleTrace } from './trace';

/** Options of {@link renderGantt}. */
export interface GanttOptions {
  /** Chart title (default: the trace's label). */
  readonly title?: string;
  /** Overall width in pixels (default 900). */
  readonly width?: number;
  /** Height of one entity row (default 30). */
  readonly rowHeight?: number;
  /** Name of the time unit for the axis label (default `time units`). */
  readonly unit?: string;
  /** Right end of the time axis (default: the trace's end). */
  readonly end?: number;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#bab0ac'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function n(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** A round tick step giving about `target` ticks over `span`. */
function tickStep(span: number, target: number): number {
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/** Render the trace as an SVG document. */
export function renderGantt(trace: ScheduleTrace, options: GanttOptions = {}): string {
  const width = options.width ?? 900;
  const rowH = options.rowHeight ?? 30;
  const unit = options.unit ?? 'time units';
  const left = 120;
  const right = 24;
  const top = 48;
  const rows = trace.entities.length;
  const plotW = width - left - right;
  const plotH = Math.max(rows, 1) * rowH;
  const axisY = top + plotH;
  const height = axisY + 96;
  const end = Math.max(options.end ?? trace.end, 1e-9);
  const x = (t: number): number => left + (Math.min(t, end) / end) * plotW;
  const row = new Map(trace.entities.map((e, i) => [e.id, i]));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<defs><pattern id="warp" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      '<line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-opacity="0.45" stroke-width="2"/></pattern></defs>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(options.title ?? trace.label)}</text>`,
  );
  // Grid and axis.
  const step = tickStep(end, 10);
  out.push(`<line x1="${left}" y1="${axisY}" x2="${left + plotW}" y2="${axisY}" stroke="#333"/>`);
  for (let t = 0; t <= end + step * 1e-9; t += step) {
    const xt = n(x(t));
    out.push(
      `<line x1="${xt}" y1="${top}" x2="${xt}" y2="${axisY}" stroke="#ddd"/>`,
      `<line x1="${xt}" y1="${axisY}" x2="${xt}" y2="${axisY + 5}" stroke="#333"/>`,
      `<text x="${xt}" y="${axisY + 18}" text-anchor="middle">${n(t)}</text>`,
    );
  }
  out.push(
    `<text x="${left + plotW / 2}" y="${axisY + 36}" text-anchor="middle">${esc(`time (${unit})`)}</text>`,
  );
  // Rows.
  for (const [i, e] of trace.entities.entries()) {
    const y = top + i * rowH;
    out.push(
      `<text x="${left - 8}" y="${n(y + rowH / 2 + 4)}" text-anchor="end">${esc(e.name)}</text>`,
      `<line x1="${left}" y1="${y + rowH}" x2="${left + plotW}" y2="${y + rowH}" stroke="#eee"/>`,
    );
  }
  for (const s of trace.segments) {
    const i = row.get(s.id);
    if (i === undefined) continue;
    const y = top + i * rowH + 5;
    const x0 = x(s.start);
    const w = Math.max(x(s.end) - x0, 0.5);
    const fill = PALETTE[i % PALETTE.length]!;
    const tip = `${s.start}–${s.end} (${s.endReason}${s.warped ? ', warped' : ''})`;
    out.push(
      `<rect x="${n(x0)}" y="${y}" width="${n(w)}" height="${rowH - 10}" fill="${fill}" stroke="#222" stroke-width="0.5"><title>${esc(tip)}</title></rect>`,
    );
    if (s.warped)
      out.push(`<rect x="${n(x0)}" y="${y}" width="${n(w)}" height="${rowH - 10}" fill="url(#warp)"/>`);
  }
  // Arrivals that woke a blocked entity (interruption requests) and service starts.
  const wakes = new Set(trace.instants.filter((m) => m.kind === 'wake').map((m) => `${m.id}@${m.t}`));
  for (const m of trace.instants) {
    if (m.id === null) continue;
    const i = row.get(m.id);
    if (i === undefined) continue;
    const y = top + i * rowH;
    const xm = x(m.t);
    if (m.kind === 'arrival' && m.t > 0 && wakes.has(`${m.id}@${m.t}`)) {
      out.push(
        `<path d="M${n(xm - 5)},${y + 1} L${n(xm + 5)},${y + 1} L${n(xm)},${y + 9} Z" fill="#d62728"><title>${esc(`arrival at ${m.t}${m.label ? `: ${m.label}` : ''}`)}</title></path>`,
      );
    } else if (m.kind === 'service' && m.t > 0) {
      const cy = y + rowH - 5;
      out.push(
        `<path d="M${n(xm)},${cy - 5} L${n(xm + 4)},${cy} L${n(xm)},${cy + 5} L${n(xm - 4)},${cy} Z" fill="#000"><title>${esc(`service begins at ${m.t}${m.label ? `: ${m.label}` : ''}`)}</title></path>`,
      );
    }
  }
  // The wait of each job that arrived later: a dashed red line from arrival to service.
  for (const j of trace.jobs) {
    const i = row.get(j.entity);
    if (i === undefined || !(j.arrival > 0) || !(j.start > j.arrival)) continue;
    const y = top + i * rowH + 3;
    out.push(
      `<line x1="${n(x(j.arrival))}" y1="${y}" x2="${n(x(j.start))}" y2="${y}" stroke="#d62728" stroke-dasharray="3,2"><title>${esc(`waited ${n(j.start - j.arrival)}`)}</title></line>`,
    );
  }
  // Legend.
  const ly = axisY + 62;
  out.push(
    `<rect x="${left}" y="${ly - 10}" width="18" height="12" fill="${PALETTE[0]}" stroke="#222" stroke-width="0.5"/>`,
    `<text x="${left + 24}" y="${ly}">running</text>`,
    `<rect x="${left + 100}" y="${ly - 10}" width="18" height="12" fill="${PALETTE[0]}" stroke="#222" stroke-width="0.5"/>`,
    `<rect x="${left + 100}" y="${ly - 10}" width="18" height="12" fill="url(#warp)"/>`,
    `<text x="${left + 124}" y="${ly}">running warped (BVT)</text>`,
    `<path d="M${left + 275},${ly - 10} L${left + 285},${ly - 10} L${left + 280},${ly - 2} Z" fill="#d62728"/>`,
    `<text x="${left + 292}" y="${ly}">work arrives for a blocked entity (interruption)</text>`,
    `<path d="M${left + 590},${ly - 10} L${left + 594},${ly - 5} L${left + 590},${ly} L${left + 586},${ly - 5} Z" fill="#000"/>`,
    `<text x="${left + 600}" y="${ly}">service begins</text>`,
    `<line x1="${left}" y1="${ly + 16}" x2="${left + 18}" y2="${ly + 16}" stroke="#d62728" stroke-dasharray="3,2"/>`,
    `<text x="${left + 24}" y="${ly + 20}">waiting: from the arrival of work to the start of its service</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
