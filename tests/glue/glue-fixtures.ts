// Fixtures for the local Glue job tests: raw gzip NDJSON objects shaped like the transform's
// output, the job's arguments, and readers for what the job wrote.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DuckDBInstance } from '@duckdb/node-api';
import { columnsArgument, curatedColumns } from '#shared/contract/table-schemas.js';
import { glueArgs } from '#shared/lake/glue-run.js';
import { s3Uri } from '#shared/lake/keys.js';
import { currentCuratedFiles } from '../../local/glue/generations.js';
import { localBucketNames, objectPath } from '../../local/s3/buckets.js';

export const ingest = localBucketNames.ingest;
export const lake = localBucketNames.lake;

export interface RawEvent {
  event_id: string;
  event_type: string;
  event_time: string;
  received_at: string;
  [field: string]: unknown;
}

/** One valid event line as the transform writes it (undefined fields are simply absent). */
export function rawEvent(eventId: string, eventType: string, overrides: Partial<RawEvent> = {}): RawEvent {
  return {
    event_id: eventId,
    event_type: eventType,
    event_version: 1,
    event_time: '2025-11-22T09:59:58.120Z',
    received_at: '2025-11-22T10:00:00.000Z',
    app_id: 'shop-web',
    user_id: 'u-1842',
    ingest_source: 'direct',
    attributes: { url: 'https://shop.example.com/cart', duration_ms: 5400 },
    ...overrides,
  };
}

let objectCount = 0;

/** Writes `events/type=<t>/dt=<d>/direct-1-…-<n>.gz` in the ingest bucket; resolves its key. */
export async function writeRawObject(
  dataDir: string,
  eventType: string,
  dt: string,
  lines: readonly (object | string)[],
) {
  objectCount += 1;
  const name = `direct-1-${dt}-10-00-00-${String(objectCount).padStart(8, '0')}-0000-4000-8000-000000000000.gz`;
  const key = `events/type=${eventType}/dt=${dt}/${name}`;
  const text = lines.map((line) => (typeof line === 'string' ? line : `${JSON.stringify(line)}\n`)).join('');
  await writeObject(dataDir, ingest, key, gzipSync(text));
  return key;
}

export async function writeObject(dataDir: string, bucket: string, key: string, body: string | Uint8Array) {
  const file = objectPath(dataDir, { bucket, key });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
}

export const partitionsArg = (partitions: readonly [string, string][]): string =>
  JSON.stringify(partitions.map(([event_type, dt]) => ({ event_type, dt })));

/** Run arguments exactly as start-parquet-job passes them. */
export function runArguments(
  source: { keys: string[] } | { manifest: string },
  partitions: readonly [string, string][],
) {
  const args: Record<string, string> = {
    [glueArgs.columns]: columnsArgument(curatedColumns),
    [glueArgs.sourceBucket]: ingest,
    [glueArgs.partitions]: partitionsArg(partitions),
    [glueArgs.destination]: s3Uri({ bucket: lake, key: 'curated/events/' }),
    [glueArgs.runMarkerPrefix]: s3Uri({ bucket: lake, key: '_runs/' }),
  };
  if ('keys' in source) args[glueArgs.sourceKeys] = JSON.stringify(source.keys);
  else args[glueArgs.sourceManifest] = source.manifest;
  return args;
}

/** Every file under a directory, relative, sorted ([] when it does not exist). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

export const curatedDir = (dataDir: string): string => path.join(dataDir, lake, 'curated', 'events');

/** The curated table as Athena/DuckDB readers see it: hive partitions over the current generation's files. */
export async function readCurated(instance: DuckDBInstance, dataDir: string): Promise<Record<string, unknown>[]> {
  const files = currentCuratedFiles(dataDir, curatedDir(dataDir));
  if (files.length === 0) return [];
  const connection = await instance.connect();
  try {
    const list = files.map((f) => `'${f}'`).join(', ');
    const reader = await connection.runAndReadAll(
      `SELECT * EXCLUDE (dt, event_time, received_at), CAST(dt AS VARCHAR) AS dt,
         epoch_ms(event_time) AS event_time_ms, epoch_ms(received_at) AS received_at_ms
       FROM read_parquet([${list}], hive_partitioning = true) ORDER BY event_id, event_type`,
    );
    return reader.getRowObjectsJS().map((row) => ({
      ...row,
      event_time_ms: Number(row.event_time_ms),
      received_at_ms: Number(row.received_at_ms),
    }));
  } finally {
    connection.closeSync();
  }
}

/** Column name → DuckDB type of one Parquet file. */
export async function parquetSchema(instance: DuckDBInstance, file: string): Promise<[string, string][]> {
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`,
    );
    return reader.getRowObjectsJS().map((row) => [String(row.column_name), String(row.column_type)]);
  } finally {
    connection.closeSync();
  }
}
