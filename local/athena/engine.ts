// The DuckDB side of the local Athena: one connection (Trino macros, UTC session, the database's
// schema as default), queries run one at a time so each scan measurement and view refresh is its own.
// User SQL runs sandboxed (sandbox.ts) on a DuckDB instance of its own: it can read the catalog's
// tables and nothing else on the machine, and every byte it reads is under a counted data folder.
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import { ident } from '../pipeline/duckdb-sql.js';
import { localBucketNames } from '../s3/buckets.js';
import { type ResultTable, resultTable } from './results.js';
import { checkUserSql, lockDown } from './sandbox.js';
import { bytesReadSinceReset, enableScanLog, resetScanLog } from './scan.js';
import { type EventsSource, makeCatalog, tableViews } from './tables.js';
import { installTrinoCompat } from './trino-compat.js';

export interface EngineOptions {
  /** The pipeline's instance; user SQL does not run on it (external access stays on there for Glue). */
  instance: DuckDBInstance;
  dataDir: string;
  database: string;
  eventsSource: EventsSource;
}

export type EngineRun =
  | { ok: true; table: ResultTable; dataScannedInBytes: number; engineMillis: number }
  | { ok: false; error: Error; dataScannedInBytes: number; engineMillis: number };

interface Session {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  refresh: () => Promise<void>;
}

export interface QueryEngine {
  /** Queues the SQL behind earlier ones; `onStart` is called when it begins to run. Never rejects for SQL errors. */
  run(sql: string, onStart?: () => void): Promise<EngineRun>;
  /** Settles when every queued query has run. */
  idle(): Promise<void>;
  /** Waits for queued queries, then closes the engine's own DuckDB instance. */
  close(): Promise<void>;
}

export function makeQueryEngine(options: EngineOptions): QueryEngine {
  let session: Promise<Session> | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  // Only reads of table data count, not DuckDB's own spill or database files.
  const dataDir = path.resolve(options.dataDir);
  const dataFolders = [localBucketNames.lake, localBucketNames.ingest].map(
    (bucket) => path.join(dataDir, bucket) + path.sep,
  );
  // The catalog's schema files (tables.ts) live outside the buckets; they hold no rows.
  const catalogFolder = path.join(dataDir, '_glue', 'catalog') + path.sep;

  async function open(): Promise<Session> {
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: config.local.duckdbMemoryLimit,
      temp_directory: path.join(dataDir, '.duckdb-spill', 'athena'),
    });
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    await installTrinoCompat(connection);
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${ident(options.database)}`);
    await connection.run(`USE ${ident(options.database)}`);
    await enableScanLog(connection);
    await lockDown(connection, [...dataFolders, catalogFolder]);
    const views = tableViews(dataDir, options.eventsSource);
    return { instance, connection, refresh: makeCatalog(connection, options.database, views) };
  }

  async function execute(sql: string): Promise<EngineRun> {
    session ??= open();
    const { connection, refresh } = await session;
    await refresh();
    await resetScanLog(connection);
    const started = performance.now();
    let outcome: { table: ResultTable } | { error: Error };
    try {
      await checkUserSql(connection, sql);
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
    async close() {
      await this.idle();
      const opened = session;
      session = undefined;
      if (opened) (await opened.catch(() => undefined))?.instance.closeSync();
    },
  };
}
