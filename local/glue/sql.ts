// The DuckDB SQL of the local Parquet job: dedupe on event_id, write one Parquet file (reading,
// casting and quarantining raw lines is validate.ts).
import { ident, sqlList, sqlString } from '../pipeline/duckdb-sql.js';
import type { ColumnSpec } from './args.js';

export interface SourceFile {
  /** Local path of the raw object (what read_json reports as filename). */
  path: string;
  key: string;
  eventType: string;
  dt: string;
}

/**
 * Row order inside every curated file, as in glue/parquet_contract.py FILE_ORDER: by event time, then
 * arrival, then event_id so the order is total. Time-ordered files compress their time columns (and
 * columns that follow time) far better, and let readers skip row groups on event_time.
 */
export const FILE_ORDER: readonly string[] = ['event_time', 'received_at', 'event_id'];

/** The Parquet format version of curated files: v2 pages allow delta encoding of integers and instants. */
export const PARQUET_VERSION = 'V2';

/**
 * Rows per row group. DuckDB buffers a whole row group of a column before it writes it (and the
 * ORDER BY sorts in the same memory): at its default of 122,880 rows, ~1 KB events put 120 MB of
 * `attributes` in one allocation, and a 1M-event run fails against the instance's memory limit
 * (pipeline.json local.duckdbMemoryLimit). Spark writes pages as it goes, so the cloud job keeps
 * its default row groups (parquet.block.size, 128 MB).
 */
export const ROW_GROUP_ROWS = 32_768;

/**
 * One row per event_id (the earliest received_at; ties broken by source key), minus every event_id
 * already in the existing Parquet files of the touched partitions.
 */
export function dedupeSql(table: string, raw: string, existingFiles: readonly string[]): string {
  const antiJoin =
    existingFiles.length === 0
      ? ''
      : `ANTI JOIN (SELECT DISTINCT event_id FROM read_parquet(${sqlList(existingFiles)}, hive_partitioning = false)) e
  ON r.event_id = e.event_id`;
  return `CREATE TEMP TABLE ${ident(table)} AS
SELECT r.* EXCLUDE (src_key) FROM ${ident(raw)} r
${antiJoin}
QUALIFY row_number() OVER (PARTITION BY r.event_id ORDER BY r.received_at NULLS LAST, r.src_key) = 1`;
}

/**
 * Rows of one partition, exactly the curated columns (event_type and dt live in the path), in
 * FILE_ORDER, as Snappy Parquet v2 in row groups of ROW_GROUP_ROWS.
 */
export function copyPartitionSql(
  table: string,
  columns: readonly ColumnSpec[],
  partition: { eventType: string; dt: string },
  file: string,
): string {
  const order = FILE_ORDER.filter((name) => columns.some((c) => c.name === name))
    .map((name) => `${ident(name)} ASC NULLS LAST`)
    .join(', ');
  return `COPY (SELECT ${columns.map((c) => ident(c.name)).join(', ')} FROM ${ident(table)}
  WHERE event_type = ${sqlString(partition.eventType)} AND dt = ${sqlString(partition.dt)}
  ORDER BY ${order})
TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy, PARQUET_VERSION ${PARQUET_VERSION}, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`;
}
