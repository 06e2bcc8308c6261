/**
 * @module bench/table
 * Plain-text tables with aligned columns (numbers right, text left).
 */

/** Renders rows under a header; a cell that looks like a number is right-aligned. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const numeric = (text: string) => /^[-+]?[\d.,]+(?:\s?(?:x|%|ms|KiB|B))?$/.test(text);
  const line = (cells: readonly string[]) => cells.map((cell, column) => (numeric(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** A number with a fixed count of decimals, or "n/a". */
export function fixed(value: number | undefined, digits = 0): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

/** A ratio as "0.87x". */
export function ratio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(2)}x`;
}
