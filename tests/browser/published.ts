// What the published CSVs say, read straight from the reporting bucket: the browser test's oracle,
// computed here independently of the page's own code.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../../local/dashboard/client/csv.js';

export type CsvRow = Record<string, string>;

export function publishedRows(reportsRoot: string, report: string): CsvRow[] {
  const dir = path.join(reportsRoot, report);
  return readdirSync(dir)
    .filter((d) => d.startsWith('dt='))
    .sort()
    .flatMap((d) => {
      const [header = [], ...lines] = parseCsv(readFileSync(path.join(dir, d, `${report}.csv`), 'utf8'));
      return lines.map((line) => Object.fromEntries(header.map((c, i) => [c, line[i] ?? ''])));
    });
}

export interface Selection {
  from: string | null;
  to: string | null;
  where?: Record<string, string>;
}

export const select = (rows: CsvRow[], s: Selection): CsvRow[] =>
  rows.filter(
    (r) =>
      (!s.from || (r.dt ?? '') >= s.from) &&
      (!s.to || (r.dt ?? '') <= s.to) &&
      Object.entries(s.where ?? {}).every(([c, v]) => r[c] === v),
  );

/** `series|x` → summed y, zero cells left out: the shape both sides are compared in. */
export function cells(rows: CsvRow[], x: string, series: string, y: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    const key = `${r[series]}|${r[x]}`;
    out[key] = Math.round(((out[key] ?? 0) + Number(r[y])) * 1000) / 1000;
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== 0));
}

export interface DrawnChart {
  x: string[];
  series: { name: string; values: number[] }[];
}

export function drawnCells(chart: DrawnChart | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of chart?.series ?? []) {
    s.values.forEach((v, i) => {
      if (v !== 0) out[`${s.name}|${chart?.x[i]}`] = v;
    });
  }
  return out;
}

export const total = (values: Record<string, number>): number =>
  Math.round(Object.values(values).reduce((a, b) => a + b, 0) * 1000) / 1000;
