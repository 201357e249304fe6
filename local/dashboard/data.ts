// What the local dashboard shows, read with DuckDB: every published report (all its dates, unioned
// like QuickSight unions the files under a manifest). Also the lake's own counts, which the demo and
// load ledgers print: the dashboard's tiles never use them (they come from the published reports).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import type { ReportDefinition } from '#shared/reports/catalogue.js';
import { currentCuratedFiles } from '../glue/generations.js';
import { sqlString } from '../pipeline/duckdb-sql.js';
import type { ReportData } from './client/model.js';

export type Row = Record<string, string | number | boolean | null>;

export interface LakeCounts {
  valid: number;
  late: number;
  failedByType: Record<string, number>;
  /** Latest received_at among curated events, ISO-8601, or null on an empty lake. */
  freshestEvent: string | null;
}

function filesUnder(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix) && !path.basename(f).startsWith('_') && !path.basename(f).startsWith('.'))
    .map((f) => path.join(dir, f));
}

const plain = (value: unknown): string | number | boolean | null => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return String(value);
};

async function readRows(connection: DuckDBConnection, sql: string): Promise<{ columns: string[]; rows: Row[] }> {
  const reader = await connection.runAndReadAll(sql);
  const columns = reader.columnNames();
  const rows = reader.getRowObjects().map((r) => Object.fromEntries(columns.map((c) => [c, plain(r[c])])));
  return { columns, rows };
}

/**
 * One report as the page gets it: its published CSVs (every date, unioned like QuickSight unions the
 * files under its manifest), read as text so the page shows and downloads exactly what was published.
 */
export async function readReportData(
  connection: DuckDBConnection,
  reportsRoot: string,
  report: ReportDefinition,
): Promise<ReportData> {
  const files = filesUnder(path.join(reportsRoot, report.name), `${report.name}.csv`).sort();
  const relative = (file: string) => path.relative(reportsRoot, file).split(path.sep).join('/');
  const dates = files.flatMap((f) => {
    const dt = /dt=(\d{4}-\d{2}-\d{2})/.exec(f)?.[1];
    return dt ? [{ dt, csv: relative(f) }] : [];
  });
  const { columns, rows } =
    files.length === 0
      ? { columns: [], rows: [] }
      : await readRows(
          connection,
          `SELECT * FROM read_csv([${files.map(sqlString).join(', ')}], header = true, union_by_name = true, all_varchar = true)`,
        );
  return {
    name: report.name,
    title: report.title,
    summary: report.summary ?? report.description,
    chart: report.chart,
    x: report.x,
    y: report.y,
    ...(report.series ? { series: report.series } : {}),
    manifest: relative(path.join(reportsRoot, report.name, 'manifest.json')),
    dates,
    columns,
    rows: rows as ReportData['rows'],
  };
}

export async function readLakeCounts(
  connection: DuckDBConnection,
  bucketDirs: { ingest: string; lake: string },
): Promise<LakeCounts> {
  // The current generation of each partition only: a compacted partition's superseded files hold the same rows.
  const curated = currentCuratedFiles(
    path.dirname(bucketDirs.lake),
    path.join(bucketDirs.lake, config.prefixes.curated),
  );
  const late = filesUnder(path.join(bucketDirs.ingest, config.prefixes.late), '.gz');
  const failed = filesUnder(path.join(bucketDirs.ingest, config.prefixes.failed), '.gz');
  const counts: LakeCounts = { valid: 0, late: 0, failedByType: {}, freshestEvent: null };
  if (curated.length > 0) {
    const { rows } = await readRows(
      connection,
      `SELECT count(*) AS n, strftime(max(received_at), '%Y-%m-%dT%H:%M:%S.%gZ') AS freshest FROM read_parquet([${curated.map(sqlString).join(', ')}])`,
    );
    counts.valid = Number(rows[0]?.n ?? 0);
    counts.freshestEvent = (rows[0]?.freshest as string | null) ?? null;
  }
  if (late.length > 0) {
    const { rows } = await readRows(
      connection,
      `SELECT count(*) AS n FROM read_json([${late.map(sqlString).join(', ')}], format = 'newline_delimited', columns = {event_id: 'VARCHAR'})`,
    );
    counts.late = Number(rows[0]?.n ?? 0);
  }
  if (failed.length > 0) {
    const { rows } = await readRows(
      connection,
      `SELECT failure_type, count(*) AS n FROM read_json([${failed.map(sqlString).join(', ')}], format = 'newline_delimited', columns = {failure_type: 'VARCHAR'}) GROUP BY 1 ORDER BY 1`,
    );
    counts.failedByType = Object.fromEntries(rows.map((r) => [String(r.failure_type), Number(r.n)]));
  }
  return counts;
}
