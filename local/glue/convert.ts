// The DuckDB half of a local Parquet run: all raw objects in one query, dedupe, and one Snappy
// Parquet file per touched partition, written into a staging directory nobody reads.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Partition, partitionId } from '#shared/lake/keys.js';
import { sqlString } from '../pipeline/duckdb-sql.js';
import type { ColumnSpec } from './args.js';
import { JobRunFailed } from './errors.js';
import { copyPartitionSql, dedupeSql, type SourceFile } from './sql.js';
import { quarantineRowsSql, readLinesStatements, typedRowsSql } from './validate.js';

export interface ConvertInput {
  runId: string;
  columns: readonly ColumnSpec[];
  sources: readonly SourceFile[];
  /** Visible Parquet files already in the touched partitions: the anti-join side. */
  existingFiles: readonly string[];
  stagingDir: string;
  /** Called before each partition's file is written; may throw to simulate a crash. */
  beforePartitionWrite?: (partition: Partition, index: number) => void | Promise<void>;
}

export interface StagedPartition {
  partition: Partition;
  /** Rows this run adds to the partition (after dedupe); 0 means no file. */
  rows: number;
  /** The staged file, relative to the staging directory; absent when rows = 0. */
  file?: string;
}

/** Quarantined lines of one raw partition, staged as one gzip NDJSON file of failed-event records. */
export interface StagedQuarantine {
  failureType: string;
  dt: string;
  rows: number;
  /** Relative to the staging directory. */
  file: string;
}

export interface ConvertResult {
  /** Every line read, quarantined ones included. */
  rowsRead: number;
  rowsQuarantined: number;
  quarantine: StagedQuarantine[];
  rowsWritten: number;
  partitions: StagedPartition[];
}

export async function convertToParquet(instance: DuckDBInstance, input: ConvertInput): Promise<ConvertResult> {
  const connection = await instance.connect();
  // Temp tables belong to this connection; closing it frees them whatever happens.
  try {
    return await convertWith(connection, input);
  } finally {
    connection.closeSync();
  }
}

async function convertWith(connection: DuckDBConnection, input: ConvertInput): Promise<ConvertResult> {
  const lines = 'glue_raw_lines';
  const raw = 'glue_raw_rows';
  const fresh = 'glue_new_rows';
  for (const sql of readLinesStatements(lines, input.columns, input.sources)) {
    await runStep(connection, sql, 'reading raw objects');
  }
  await runStep(connection, typedRowsSql(raw, lines, input.columns), 'casting raw rows');
  const quarantine = await stageQuarantine(connection, lines, input);
  await runStep(connection, dedupeSql(fresh, raw, input.existingFiles), 'deduplicating on event_id');
  const rowsRead = await count(connection, `SELECT count(*) AS n FROM ${lines}`);
  const rowsQuarantined = quarantine.reduce((sum, q) => sum + q.rows, 0);
  const counts = await partitionCounts(connection, fresh);
  const partitions: StagedPartition[] = [];
  for (const [index, partition] of touchedPartitions(input.sources).entries()) {
    const rows = counts.get(partitionId(partition)) ?? 0;
    if (rows === 0) {
      partitions.push({ partition, rows });
      continue;
    }
    await input.beforePartitionWrite?.(partition, index);
    const file = path.join(partitionId(partition), `part-00000-${input.runId}.snappy.parquet`);
    await mkdir(path.dirname(path.join(input.stagingDir, file)), { recursive: true });
    const sql = copyPartitionSql(fresh, input.columns, partition, path.join(input.stagingDir, file));
    await runStep(connection, sql, `writing ${partitionId(partition)}`);
    partitions.push({ partition, rows, file });
  }
  const rowsWritten = partitions.reduce((sum, p) => sum + p.rows, 0);
  return { rowsRead, rowsQuarantined, quarantine, rowsWritten, partitions };
}

/** One gzip NDJSON file per (failure type, dt) of the quarantined lines, named after the run. */
async function stageQuarantine(
  connection: DuckDBConnection,
  lines: string,
  input: ConvertInput,
): Promise<StagedQuarantine[]> {
  const table = 'glue_quarantine';
  await runStep(connection, quarantineRowsSql(table, lines, input.runId), 'collecting quarantined lines');
  const reader = await connection.runAndReadAll(
    `SELECT failure_type, dt, count(*) AS n FROM ${table} GROUP BY ALL ORDER BY ALL`,
  );
  const staged: StagedQuarantine[] = [];
  for (const row of reader.getRowObjectsJS()) {
    const failureType = String(row.failure_type);
    const dt = String(row.dt);
    const file = path.join('_quarantine', `type=${failureType}`, `dt=${dt}`, `glue-${input.runId}.gz`);
    await mkdir(path.dirname(path.join(input.stagingDir, file)), { recursive: true });
    const sql = `COPY (SELECT * EXCLUDE (dt) FROM ${table} WHERE failure_type = ${sqlString(failureType)} AND dt = ${sqlString(dt)}
      ORDER BY source_key, payload) TO ${sqlString(path.join(input.stagingDir, file))} (FORMAT json, COMPRESSION gzip)`;
    await runStep(connection, sql, `quarantining ${failureType} lines of ${dt}`);
    staged.push({ failureType, dt, rows: Number(row.n), file });
  }
  return staged;
}

/** Partitions of the source objects, in a stable order. */
export function touchedPartitions(sources: readonly { eventType: string; dt: string }[]): Partition[] {
  const byId = new Map<string, Partition>();
  for (const s of sources) byId.set(partitionId(s), { eventType: s.eventType, dt: s.dt });
  return [...byId.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, p]) => p);
}

async function partitionCounts(connection: DuckDBConnection, table: string): Promise<Map<string, number>> {
  const reader = await connection.runAndReadAll(`SELECT event_type, dt, count(*) AS n FROM ${table} GROUP BY ALL`);
  const counts = new Map<string, number>();
  for (const row of reader.getRowObjectsJS()) {
    counts.set(partitionId({ eventType: String(row.event_type), dt: String(row.dt) }), Number(row.n));
  }
  return counts;
}

async function count(connection: DuckDBConnection, sql: string): Promise<number> {
  const reader = await connection.runAndReadAll(sql);
  return Number(reader.getRowObjectsJS()[0]?.n ?? 0);
}

/** Any engine error fails the run with what the step was doing: never drop rows and carry on. */
async function runStep(connection: DuckDBConnection, sql: string, step: string): Promise<void> {
  try {
    await connection.run(sql);
  } catch (error) {
    throw new JobRunFailed(`${step}: ${(error as Error).message}`);
  }
}
