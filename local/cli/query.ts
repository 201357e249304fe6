// `eventlake query "<SQL>"`: ad-hoc SQL on the local lake through the local Athena (DuckDB), over an
// existing data directory with no pipeline running; prints the result, the bytes the scan read and
// what Athena would bill for it, so the cost of a query shape is visible before it runs in the cloud.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import { type AdHocResult, makeLocalAthena } from '../athena/athena.js';
import { QueryFailed } from '../athena/execution.js';
import { defaultDataDir } from '../s3/buckets.js';
import { register } from './commands/query.js';
import { type CliIo, processIo, runProgram } from './program.js';
import { formatTable } from './table-print.js';

const { pricePerTBScannedUSD, workgroup } = config.athena;

export type QueryIo = CliIo;

/** `eventlake query …` (the words after `query`); resolves with the exit code. */
export function runQuery(argv: string[], io: QueryIo = processIo): Promise<number> {
  return runProgram([register], ['query', ...argv], io);
}

export interface QueryRequest {
  sql: string;
  dataDir?: string | undefined;
  json: boolean;
}

export async function query(request: QueryRequest, io: QueryIo = processIo): Promise<number> {
  const dataDir = request.dataDir === undefined ? defaultDataDir() : path.resolve(request.dataDir);
  if (request.sql.trim() === '') {
    io.stderr('eventlake query: no SQL given (eventlake query --help)\n');
    return 2;
  }
  if (!existsSync(dataDir)) {
    io.stderr(`eventlake query: no data directory at ${dataDir} (run npm start or npm run dev first)\n`);
    return 1;
  }
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const athena = makeLocalAthena({
      dataDir,
      instance,
      workgroup: { name: workgroup, bytesScannedCutoffPerQuery: config.athena.bytesScannedCutoffPerQuery },
      onObjectCreated: () => {},
    });
    const result = await athena.query(request.sql);
    io.stdout(request.json ? `${JSON.stringify(result)}\n` : formatResult(result));
    return 0;
  } catch (error) {
    io.stderr(`eventlake query: ${describeFailure(error)}\n`);
    return 1;
  } finally {
    instance.closeSync();
  }
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
