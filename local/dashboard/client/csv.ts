// CSV of the rows a report shows, in the published files' dialect: header, every field quoted.
import type { Row } from './model.js';

const quote = (value: unknown): string => `"${String(value ?? '').replaceAll('"', '""')}"`;

export const toCsv = (columns: string[], rows: Row[]): string =>
  [columns, ...rows.map((row) => columns.map((c) => row[c]))].map((line) => line.map(quote).join(',')).join('\n') +
  '\n';

/** Parses CSV as published (RFC 4180: quoted fields, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const lines: string[][] = [];
  let field = '';
  let line: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      line.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      line.push(field);
      lines.push(line);
      line = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || line.length > 0) lines.push([...line, field]);
  return lines;
}
