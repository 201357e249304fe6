// Whether curated Parquet files lack columns of their table (files written before a column was
// added): then the view reads with union_by_name, NULL for what a file lacks, as Athena reads by name.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlList, sqlString } from '../pipeline/duckdb-sql.js';
import type { TableView } from './tables.js';

/**
 * Whether a Parquet file of the table lacks one of its columns (curated files written before a
 * column was added). Reads every file's footer, so it is asked once, when the view is bound to files.
 */
export async function lacksColumns(
  connection: DuckDBConnection,
  view: TableView,
  files?: readonly string[],
): Promise<boolean> {
  if (files !== undefined && files.length === 0) return false;
  const names = view.columns.map((c) => sqlString(c.name)).join(', ');
  const source = files === undefined ? sqlString(view.glob) : sqlList(files);
  const reader = await connection.runAndReadAll(
    `SELECT count(*) FROM (SELECT file_name FROM parquet_schema(${source}) GROUP BY file_name
      HAVING count(*) FILTER (WHERE name IN (${names})) < ${view.columns.length})`,
  );
  return Number(reader.getRows()[0]?.[0] ?? 0) > 0;
}

/** Per file of the list, whether it lacks a column of the table: every footer read in one query. */
export async function filesLackingColumns(
  connection: DuckDBConnection,
  view: TableView,
  files: readonly string[],
): Promise<Map<string, boolean>> {
  const names = view.columns.map((c) => sqlString(c.name)).join(', ');
  const reader = await connection.runAndReadAll(
    `SELECT file_name, count(*) FILTER (WHERE name IN (${names})) FROM parquet_schema(${sqlList(files)}) GROUP BY file_name`,
  );
  const found = new Map(reader.getRows().map(([file, n]) => [String(file), Number(n) < view.columns.length]));
  return new Map(files.map((file) => [file, found.get(file) ?? true]));
}
