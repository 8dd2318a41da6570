/**
 * Number and table formatting for the demo's text reports. Written out
 * rather than taken from Intl so the text is the same whatever locale the
 * terminal has.
 */

/** 1234567 → "1,234,567" (integers; fractions are rounded). */
export function grouped(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = Math.round(Math.abs(n)).toString();
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Upper-case hex, zero-padded to `width` digits, unsigned. */
export function hex(n: number, width = 1): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(width, '0');
}

/** A duration given in microseconds, in the unit that reads best (µs, ms, s). */
export function duration(micros: number): string {
  if (micros < 1000) return `${micros.toFixed(1)} µs`;
  if (micros < 1_000_000) return `${(micros / 1000).toFixed(3)} ms`;
  return `${(micros / 1_000_000).toFixed(3)} s`;
}

/** A count in millions with one decimal ("45.2M"), for status lines. */
export function millions(n: number): string {
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/**
 * Rows as aligned columns, two spaces apart. `align` gives each column's
 * alignment, 'l' or 'r' (columns beyond it are left-aligned).
 */
export function table(rows: readonly (readonly string[])[], align = 'lr', indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i] ?? 0, [...(row[i] ?? '')].length);
  }
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => {
            const pad = ' '.repeat((widths[i] ?? 0) - [...cell].length);
            return align[i] === 'r' ? pad + cell : cell + pad;
          })
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}
