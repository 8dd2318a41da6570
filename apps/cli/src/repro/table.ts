/** Plain-text tables for reproduction reports. */

/** Align rows under a header; numbers right-aligned, text left-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: readonly (string | number)[]): string =>
    r
      .map((c, i) => {
        const s = String(c);
        return numeric[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

/** Up to three decimals, no trailing zeros; NaN as "never". */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'never';
  return String(Math.round(n * 1000) / 1000);
}
