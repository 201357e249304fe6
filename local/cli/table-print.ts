// Query results as an aligned text table for a terminal: numbers right-aligned, wide cells and
// long results cut short with a visible marker, so one stray JSON column cannot flood the screen.
import type { ResultTable } from '../athena/results.js';

export interface TableLimits {
  /** Widest cell shown, in characters; longer values end with `…`. */
  maxCellWidth: number;
  /** Rows shown; the rest are counted in a `… N more rows` line. */
  maxRows: number;
}

export const defaultTableLimits: TableLimits = { maxCellWidth: 40, maxRows: 50 };

const NUMERIC_TYPE =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

/** One line of display text: control characters become spaces, then the width limit applies. */
export function cellText(value: string | null, maxWidth: number): string {
  if (value === null) return 'NULL';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must not reach the terminal.
  const flat = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  const chars = [...flat];
  return chars.length <= maxWidth ? flat : `${chars.slice(0, Math.max(1, maxWidth - 1)).join('')}…`;
}

const widthOf = (text: string): number => [...text].length;

function pad(text: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - widthOf(text)));
  return right ? fill + text : text + fill;
}

/** The table as lines of text (header, rule, rows, and a `… N more rows` line when cut). */
export function formatTable(table: ResultTable, limits: TableLimits = defaultTableLimits): string[] {
  const shown = table.rows.slice(0, limits.maxRows);
  const header = table.columns.map((c) => cellText(c.name, limits.maxCellWidth));
  const body = shown.map((row) => table.columns.map((_, i) => cellText(row[i] ?? null, limits.maxCellWidth)));
  const widths = header.map((h, i) => Math.max(widthOf(h), ...body.map((cells) => widthOf(cells[i] ?? ''))));
  const numeric = table.columns.map((c) => NUMERIC_TYPE.test(c.type));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i] ?? 0, numeric[i] ?? false))
      .join(' │ ')
      .trimEnd();
  const lines = [line(header), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...body.map(line)];
  const hidden = table.rows.length - shown.length;
  if (hidden > 0) lines.push(`… ${hidden} more row${hidden === 1 ? '' : 's'}`);
  return lines;
}
