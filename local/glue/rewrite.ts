// The DuckDB half of a rewrite: a partition's current generation plus this run's new rows, in
// FILE_ORDER, split into N Parquet files by ranges of that order (each file covers a time range),
// written into the staging directory. Rows are copied, never re-derived or deduplicated: a rewrite
// keeps exactly the rows it read.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DUCKDB_TYPES, ident, sqlList, sqlString } from '../pipeline/duckdb-sql.js';
import type { ColumnSpec } from './args.js';
import { JobRunFailed } from './errors.js';
import { FILE_ORDER, PARQUET_VERSION, ROW_GROUP_ROWS } from './sql.js';

export interface RewriteInput {
  columns: readonly ColumnSpec[];
  /** The current generation's files and this run's staged file of the partition (if any). */
  inputs: readonly string[];
  files: number;
  /** Staged files are `<outputDir>/part-<i>-<runId>.snappy.parquet`. */
  outputDir: string;
  runId: string;
  label: string;
}

export interface RewriteOutput {
  rows: number;
  /** Absolute paths of the staged files, in order. */
  files: string[];
}

const TABLE = 'glue_rewrite_rows';
const RANK = 'glue_rewrite_rank';

/** Writes the rewritten files of one partition; fewer than asked only when there are fewer rows. */
export async function rewritePartition(instance: DuckDBInstance, input: RewriteInput): Promise<RewriteOutput> {
  const connection = await instance.connect();
  try {
    return await rewriteWith(connection, input);
  } catch (error) {
    throw error instanceof JobRunFailed
      ? error
      : new JobRunFailed(`rewriting ${input.label}: ${(error as Error).message}`);
  } finally {
    connection.closeSync();
  }
}

async function rewriteWith(connection: DuckDBConnection, input: RewriteInput): Promise<RewriteOutput> {
  const source = `read_parquet(${sqlList(input.inputs)}, hive_partitioning = false, union_by_name = true)`;
  const present = new Set(
    (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`))
      .getRowObjectsJS()
      .map((r) => String(r.column_name)),
  );
  // A file written before a column existed has no such column: NULL, as the table reads it.
  const select = input.columns
    .map((c) => `CAST(${present.has(c.name) ? ident(c.name) : 'NULL'} AS ${DUCKDB_TYPES[c.type]}) AS ${ident(c.name)}`)
    .join(', ');
  const order = FILE_ORDER.filter((name) => input.columns.some((c) => c.name === name))
    .map((name) => `${ident(name)} ASC NULLS LAST`)
    .join(', ');
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${TABLE} AS SELECT *, row_number() OVER (ORDER BY ${order}) AS ${RANK} FROM (SELECT ${select} FROM ${source})`,
  );
  const rows = await scalar(connection, `SELECT count(*) FROM ${TABLE}`);
  const read = await scalar(connection, `SELECT sum(num_rows) FROM parquet_file_metadata(${sqlList(input.inputs)})`);
  if (rows !== read) throw new JobRunFailed(`rewriting ${input.label}: read ${rows} rows of ${read}`);
  const count = Math.max(1, Math.min(input.files, rows));
  await mkdir(input.outputDir, { recursive: true });
  const files: string[] = [];
  const columns = input.columns.map((c) => ident(c.name)).join(', ');
  for (let i = 0; i < count; i += 1) {
    const from = Math.floor((i * rows) / count);
    const to = Math.floor(((i + 1) * rows) / count);
    const file = path.join(input.outputDir, `part-${String(i).padStart(5, '0')}-${input.runId}.snappy.parquet`);
    await connection.run(
      `COPY (SELECT ${columns} FROM ${TABLE} WHERE ${RANK} > ${from} AND ${RANK} <= ${to} ORDER BY ${RANK})
TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy, PARQUET_VERSION ${PARQUET_VERSION}, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`,
    );
    files.push(file);
  }
  await connection.run(`DROP TABLE ${TABLE}`);
  // The footers of what was written must hold exactly the rows read: no row lost, none doubled.
  const written = await scalar(connection, `SELECT sum(num_rows) FROM parquet_file_metadata(${sqlList(files)})`);
  if (written !== rows) throw new JobRunFailed(`rewriting ${input.label}: wrote ${written} rows of ${rows}`);
  return { rows, files };
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  return Number((await connection.runAndReadAll(sql)).getRows()[0]?.[0] ?? 0);
}
