// The DuckDB half of a local Parquet run: all raw objects in one query, dedupe, and one Snappy
// Parquet file per touched partition, written into a staging directory nobody reads.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Partition, partitionId } from '#shared/lake/keys.js';
import type { ColumnSpec } from './args.js';
import { JobRunFailed } from './errors.js';
import { copyPartitionSql, dedupeSql, loadRawSql, type SourceFile } from './sql.js';

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

export interface ConvertResult {
  rowsRead: number;
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
  const raw = 'glue_raw_rows';
  const fresh = 'glue_new_rows';
  await runStep(connection, loadRawSql(raw, input.columns, input.sources), 'reading raw objects');
  await runStep(connection, dedupeSql(fresh, raw, input.existingFiles), 'deduplicating on event_id');
  const rowsRead = await count(connection, `SELECT count(*) AS n FROM ${raw}`);
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
  return { rowsRead, rowsWritten, partitions };
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
