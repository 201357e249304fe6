// `eventlake query "<SQL>"`: ad-hoc SQL on the local lake through the local Athena (DuckDB), over an
// existing data directory with no pipeline running; prints the result, the bytes the scan read and
// what Athena would bill for it, so the cost of a query shape is visible before it runs in the cloud.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import { type AdHocResult, makeLocalAthena } from '../athena/athena.js';
import { QueryFailed } from '../athena/execution.js';
import { defaultDataDir } from '../s3/buckets.js';
import { formatTable } from './table-print.js';

const { pricePerTBScannedUSD, minimumBytesBilled, database, workgroup } = config.athena;

export const queryHelp = `eventlake query "<SQL>" [--data-dir DIR] [--json]

Runs ad-hoc SQL on the local lake with the local Athena (DuckDB, Trino-named functions as in the
reports). Database ${database}: events (curated Parquet), raw_events and failed_events (the ingest
bucket's NDJSON), partitioned by event_type/type and dt — filter on them to scan less.
Prints the result (at most 50 rows), the row count, the time, the bytes scanned and the Athena price
of that scan ($${pricePerTBScannedUSD} per TB, at least ${minimumBytesBilled / 1024 / 1024} MB billed per query).

  --data-dir DIR   the data directory (default $EVENTLAKE_DATA_DIR or ${config.local.dataDir})
  --json           print { columns, rows, statistics } as JSON instead

Exit code 0 on success, 1 when the query fails or the workgroup's scan cutoff stops it, 2 on bad usage.`;

export interface QueryIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: QueryIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export async function runQuery(argv: string[], io: QueryIo = processIo): Promise<number> {
  let parsed: ReturnType<typeof parseQueryArgs>;
  try {
    parsed = parseQueryArgs(argv);
  } catch (error) {
    io.stderr(`eventlake query: ${(error as Error).message}\n\n${queryHelp}\n`);
    return 2;
  }
  if (parsed === 'help') {
    io.stdout(`${queryHelp}\n`);
    return 0;
  }
  if (!existsSync(parsed.dataDir)) {
    io.stderr(`eventlake query: no data directory at ${parsed.dataDir} (run npm start or npm run dev first)\n`);
    return 1;
  }
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const athena = makeLocalAthena({
      dataDir: parsed.dataDir,
      instance,
      workgroup: { name: workgroup, bytesScannedCutoffPerQuery: config.athena.bytesScannedCutoffPerQuery },
      onObjectCreated: () => {},
    });
    const result = await athena.query(parsed.sql);
    io.stdout(parsed.json ? `${JSON.stringify(result)}\n` : formatResult(result));
    return 0;
  } catch (error) {
    io.stderr(`eventlake query: ${describeFailure(error)}\n`);
    return 1;
  } finally {
    instance.closeSync();
  }
}

function parseQueryArgs(argv: string[]): 'help' | { sql: string; dataDir: string; json: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) return 'help';
  const sql = positionals.join(' ').trim();
  if (sql === '') throw new Error('no SQL given');
  const dataDir = values['data-dir'] === undefined ? defaultDataDir() : path.resolve(values['data-dir']);
  return { sql, dataDir, json: values.json ?? false };
}

function describeFailure(error: unknown): string {
  if (error instanceof QueryFailed) {
    return `query ${error.state}: ${error.message} (${formatBytes(error.dataScannedInBytes)} scanned)`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** `1,234 bytes (1.2 KiB)` */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = '';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  return unit === '' ? exact : `${exact} (${value.toFixed(1)} ${unit})`;
}

export function formatResult(result: AdHocResult): string {
  const stats = result.statistics;
  const billed =
    stats.BilledBytes > stats.DataScannedInBytes
      ? `${stats.BilledBytes.toLocaleString('en-US')} bytes: the per-query minimum`
      : 'the bytes scanned';
  return [
    ...(result.columns.length > 0 ? [...formatTable(result), ''] : []),
    `rows     ${result.rows.length.toLocaleString('en-US')}`,
    `time     ${(stats.EngineExecutionTimeInMillis / 1000).toFixed(3)} s`,
    `scanned  ${formatBytes(stats.DataScannedInBytes)}`,
    `price    $${stats.CostUSD.toFixed(6)} at $${pricePerTBScannedUSD}/TB (billed ${billed})`,
    '',
  ].join('\n');
}
