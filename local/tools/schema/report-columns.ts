// Which curated columns each report reads: the identifiers of its SQL (comments and string literals
// removed) that name a column, for the reports whose `-- source:` is the curated `events` table.
// Identifier-level on purpose: an alias that happens to share a column's name counts as a read,
// which can only make the check stricter, never let a breaking removal through.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface ReportColumns {
  report: string;
  /** Every identifier of the SQL, lower case. */
  identifiers: Set<string>;
}

const SOURCE = /^--\s*source:\s*(\S+)/m;

/** Identifiers of a SQL text, without comments and string literals. */
export function sqlIdentifiers(sql: string): Set<string> {
  const code = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, ' ');
  const names = code.match(/"[^"]+"|[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  return new Set(names.map((name) => name.replace(/^"|"$/g, '').toLowerCase()));
}

/** The reports over the curated events table (`-- source: events`, the default). */
export function curatedReports(reportsDir: string): ReportColumns[] {
  return readdirSync(reportsDir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .flatMap((file) => {
      const sql = readFileSync(path.join(reportsDir, file), 'utf8');
      const source = SOURCE.exec(sql)?.[1] ?? 'events';
      return source === 'events' ? [{ report: file.slice(0, -'.sql'.length), identifiers: sqlIdentifiers(sql) }] : [];
    });
}

/** The reports that read `column`. */
export const readersOf = (reports: readonly ReportColumns[], column: string): string[] =>
  reports.filter((r) => r.identifiers.has(column.toLowerCase())).map((r) => r.report);
