// DataScannedInBytes, measured: the bytes DuckDB itself reads from the lake's files while running
// a query, taken from DuckDB's FileSystem log (every READ with its byte count and path). Parquet
// reads are the footers plus the column chunks of the row groups actually scanned; gzip NDJSON
// reads are whole compressed files. So partition pruning, column pruning and row-group skipping
// all show, and curated and raw data are measured the same way.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../pipeline/duckdb-sql.js';

/**
 * Instance-wide settings: the FileSystem log (filtered later by connection) and no external file
 * cache, which would serve repeated reads from memory and hide them (Athena re-reads every query).
 */
export async function enableScanLog(connection: DuckDBConnection): Promise<void> {
  await connection.run('SET GLOBAL enable_external_file_cache = false');
  await connection.run("CALL enable_logging('FileSystem')");
}

/** Starts a measurement: drops log entries so far (queries run one at a time on this connection). */
export async function resetScanLog(connection: DuckDBConnection): Promise<void> {
  await connection.run('CALL truncate_duckdb_logs()');
}

/** Bytes this connection read, since the last reset, from files under the given folders. */
export async function bytesReadSinceReset(connection: DuckDBConnection, folders: readonly string[]): Promise<number> {
  const underFolders = folders
    .map((folder) => `starts_with(json_extract_string(message, '$.path'), ${sqlString(folder)})`)
    .join(' OR ');
  const reader = await connection.runAndReadAll(
    `SELECT coalesce(sum(CAST(json_extract_string(message, '$.bytes') AS BIGINT)), 0)::BIGINT
       FROM duckdb_logs
      WHERE type = 'FileSystem' AND connection_id = current_connection_id()
        AND json_extract_string(message, '$.op') = 'READ' AND (${underFolders})`,
  );
  return Number(reader.getRows()[0]?.[0] ?? 0);
}
