/**
 * @module @starmodel/knex/commands/table-print
 * Rows as a plain-text table, for `starmodel db shell`.
 */

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\r?\n/g, '\\n');
}

/** Formats rows under their column names, with a row count line. */
export function formatRows(rows: readonly Record<string, unknown>[], columns: readonly string[] = Object.keys(rows[0] ?? {})): string {
  if (columns.length === 0) return `(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})\n`;
  const cells = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, index) => Math.min(60, Math.max(column.length, ...cells.map((line) => line[index]!.length))));
  const fit = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));
  const line = (values: readonly string[]) => ` ${values.map((value, index) => fit(value, widths[index]!)).join(' | ')}`.trimEnd();
  const rule = `-${widths.map((width) => '-'.repeat(width)).join('-+-')}-`;
  return `${[line(columns), rule, ...cells.map(line)].join('\n')}\n(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})\n`;
}
