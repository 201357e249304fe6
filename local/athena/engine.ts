// The DuckDB side of the local Athena: one connection (Trino macros, UTC session, the database's
// schema as default), queries run one at a time so each scan measurement and view refresh is its own.
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ident } from '../pipeline/duckdb-sql.js';
import { localBucketNames } from '../s3/buckets.js';
import { type ResultTable, resultTable } from './results.js';
import { bytesReadSinceReset, enableScanLog, resetScanLog } from './scan.js';
import { type EventsSource, makeCatalog, tableViews } from './tables.js';
import { installTrinoCompat } from './trino-compat.js';

export interface EngineOptions {
  instance: DuckDBInstance;
  dataDir: string;
  database: string;
  eventsSource: EventsSource;
}

export type EngineRun =
  | { ok: true; table: ResultTable; dataScannedInBytes: number; engineMillis: number }
  | { ok: false; error: Error; dataScannedInBytes: number; engineMillis: number };

interface Session {
  connection: DuckDBConnection;
  refresh: () => Promise<void>;
}

export interface QueryEngine {
  /** Queues the SQL behind earlier ones; `onStart` is called when it begins to run. Never rejects for SQL errors. */
  run(sql: string, onStart?: () => void): Promise<EngineRun>;
  /** Settles when every queued query has run. */
  idle(): Promise<void>;
}

export function makeQueryEngine(options: EngineOptions): QueryEngine {
  let session: Promise<Session> | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  // Only reads of table data count, not DuckDB's own spill or database files.
  const dataFolders = [localBucketNames.lake, localBucketNames.ingest].map(
    (bucket) => path.join(options.dataDir, bucket) + path.sep,
  );

  async function open(): Promise<Session> {
    const connection = await options.instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    await installTrinoCompat(connection);
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${ident(options.database)}`);
    await connection.run(`USE ${ident(options.database)}`);
    await enableScanLog(connection);
    const views = tableViews(options.dataDir, options.eventsSource);
    return { connection, refresh: makeCatalog(connection, options.database, views) };
  }

  async function execute(sql: string): Promise<EngineRun> {
    session ??= open();
    const { connection, refresh } = await session;
    await refresh();
    await resetScanLog(connection);
    const started = performance.now();
    let outcome: { table: ResultTable } | { error: Error };
    try {
      outcome = { table: resultTable(await connection.runAndReadAll(sql)) };
    } catch (error) {
      outcome = { error: error instanceof Error ? error : new Error(String(error)) };
    }
    const engineMillis = Math.round(performance.now() - started);
    const dataScannedInBytes = await bytesReadSinceReset(connection, dataFolders);
    return 'table' in outcome
      ? { ok: true, table: outcome.table, dataScannedInBytes, engineMillis }
      : { ok: false, error: outcome.error, dataScannedInBytes, engineMillis };
  }

  return {
    run(sql, onStart) {
      const result = tail.then(() => {
        onStart?.();
        return execute(sql);
      });
      tail = result.catch(() => undefined);
      return result;
    },
    async idle() {
      let seen: Promise<unknown>;
      do {
        seen = tail;
        await seen;
      } while (seen !== tail);
    },
  };
}
