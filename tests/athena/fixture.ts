// A small lake on real files in a temp dir: raw gzip NDJSON (valid and failed events) written in the
// transform's line format, and curated Parquet built from the same lines with DuckDB COPY, in the
// hive layout of the cloud buckets.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DuckDBInstance } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import { type Column, curatedColumns, rawFieldColumns } from '#shared/contract/table-schemas.js';
import { derivedValueSql } from '../../local/glue/derived.js';
import { DUCKDB_TYPES } from '../../local/pipeline/duckdb-sql.js';
import { localBucketNames, objectPath } from '../../local/s3/buckets.js';

export const DAY = '2025-11-22';
export const PREVIOUS_DAY = '2025-11-21';
/** More than 90 days before DAY: outside the new-vs-returning window. */
export const LONG_AGO = '2025-08-01';

interface FixtureEvent {
  type: string;
  dt: string;
  app?: string;
  device?: string;
  user?: string;
  /** Seconds after 10:00:00 UTC on dt. */
  at: number;
  lagSeconds: number;
  attributes?: Record<string, unknown>;
}

const purchase = (orderId: string, amount: number, currency: string) => ({
  order_id: orderId,
  amount,
  currency,
  items: [{ sku: 'SKU-1', quantity: 1, unit_price: amount }],
});

export const fixtureEvents: readonly FixtureEvent[] = [
  {
    type: 'purchase',
    dt: DAY,
    app: 'shop-web',
    device: 'd1',
    user: 'u1',
    at: 0,
    lagSeconds: 2,
    attributes: purchase('o-1', 59.9, 'EUR'),
  },
  {
    type: 'purchase',
    dt: DAY,
    app: 'shop-web',
    device: 'd2',
    user: 'u2',
    at: 60,
    lagSeconds: 4,
    attributes: purchase('o-2', 20, 'EUR'),
  },
  {
    type: 'purchase',
    dt: DAY,
    app: 'shop-ios',
    device: 'd3',
    user: 'u3',
    at: 120,
    lagSeconds: 10,
    attributes: purchase('o-3', 15.5, 'USD'),
  },
  { type: 'page_view', dt: DAY, app: 'shop-web', device: 'd1', user: 'u1', at: 5, lagSeconds: 1.5 },
  { type: 'page_view', dt: DAY, app: 'shop-web', device: 'd1', user: 'u1', at: 6, lagSeconds: 1 },
  { type: 'page_view', dt: DAY, app: 'shop-web', device: 'd4', at: 7, lagSeconds: 3 },
  { type: 'page_view', dt: DAY, app: 'shop-ios', device: 'd3', user: 'u3', at: 8, lagSeconds: 6 },
  { type: 'session_start', dt: DAY, app: 'shop-ios', device: 'd3', user: 'u3', at: 9, lagSeconds: 5 },
  { type: 'session_start', dt: DAY, app: 'shop-web', device: 'd5', at: 10, lagSeconds: 8 },
  { type: 'page_view', dt: PREVIOUS_DAY, app: 'shop-web', device: 'd1', user: 'u1', at: 0, lagSeconds: 1 },
  {
    type: 'purchase',
    dt: PREVIOUS_DAY,
    app: 'shop-web',
    device: 'd2',
    user: 'u2',
    at: 0,
    lagSeconds: 1,
    attributes: purchase('o-0', 99, 'EUR'),
  },
  { type: 'page_view', dt: LONG_AGO, app: 'shop-web', device: 'd4', at: 0, lagSeconds: 1 },
];

const failedRecords = [
  { failure_type: 'malformed_json', dt: DAY },
  { failure_type: 'malformed_json', dt: DAY },
  { failure_type: 'schema_violation', dt: DAY },
  { failure_type: 'schema_violation', dt: PREVIOUS_DAY },
];

const iso = (dt: string, seconds: number) => new Date(Date.parse(`${dt}T10:00:00.000Z`) + seconds * 1000).toISOString();

let sequence = 0;
/** The NDJSON line the transform writes for a valid event (undefined fields dropped, attributes an object). */
function rawLine(e: FixtureEvent): string {
  sequence += 1;
  return `${JSON.stringify({
    event_id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    event_type: e.type,
    event_version: 1,
    event_time: iso(e.dt, e.at),
    received_at: iso(e.dt, e.at + e.lagSeconds),
    app_id: e.app,
    device_id: e.device,
    user_id: e.user,
    ingest_source: 'direct',
    attributes: e.attributes ?? { url: 'https://shop.example.com/' },
  })}\n`;
}

function failedLine(r: (typeof failedRecords)[number], n: number): string {
  return `${JSON.stringify({
    failure_type: r.failure_type,
    errors: [{ path: '', message: 'bad input' }],
    payload: '{"event_id": "broken',
    payload_encoding: 'text',
    received_at: iso(r.dt, n),
    ingest_source: 'direct',
    delivery_stream: 'direct',
    record_id: `rec-${n}`,
  })}\n`;
}

export const makeDataDir = (): string => mkdtempSync(path.join(tmpdir(), 'eventlake-athena-'));

function writeGzip(dataDir: string, key: string, lines: readonly string[]): void {
  const file = objectPath(dataDir, { bucket: localBucketNames.ingest, key });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, gzipSync(lines.join('')));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** Raw and failed NDJSON under the ingest bucket, curated Parquet (plus an `_`-named decoy) under the lake bucket. */
export async function writeFixtureLake(dataDir: string, instance: DuckDBInstance): Promise<void> {
  for (const [partition, events] of groupBy(fixtureEvents, (e) => `type=${e.type}/dt=${e.dt}`)) {
    writeGzip(dataDir, `${config.prefixes.events}${partition}/direct-1-2025-11-22-10-00-00-a.gz`, events.map(rawLine));
  }
  for (const [partition, records] of groupBy(failedRecords, (r) => `type=${r.failure_type}/dt=${r.dt}`)) {
    writeGzip(
      dataDir,
      `${config.prefixes.failed}${partition}/direct-1-2025-11-22-10-00-00-f.gz`,
      records.map(failedLine),
    );
  }
  await writeCuratedFromRaw(dataDir, instance);
}

/** A curated column of the fixture: cast from the raw text, or derived from the cast raw columns as the job does. */
const curatedValue = (c: Column): string =>
  c.derivedFrom === undefined
    ? `CAST("${c.name}" AS ${DUCKDB_TYPES[c.type]})`
    : `CAST(${derivedValueSql(c.derivedFrom, c.type, (name) => `CAST("${name}" AS ${DUCKDB_TYPES[typeOf(name)]})`)} AS ${DUCKDB_TYPES[c.type]})`;
const typeOf = (name: string) => curatedColumns.find((c) => c.name === name)?.type ?? 'string';

async function writeCuratedFromRaw(dataDir: string, instance: DuckDBInstance): Promise<void> {
  const connection = await instance.connect();
  const rawRoot = objectPath(dataDir, { bucket: localBucketNames.ingest, key: config.prefixes.events });
  for (const typeDir of readdirSync(rawRoot)) {
    for (const dtDir of readdirSync(path.join(rawRoot, typeDir))) {
      const from = path.join(rawRoot, typeDir, dtDir);
      const key = `${config.prefixes.curated}event_${typeDir}/${dtDir}/part-00000.parquet`;
      const to = objectPath(dataDir, { bucket: localBucketNames.lake, key });
      mkdirSync(path.dirname(to), { recursive: true });
      const columns = curatedColumns.map((c) => `${curatedValue(c)} AS "${c.name}"`);
      await connection.run(
        `COPY (SELECT ${columns.join(', ')} FROM read_json('${from}/*.gz', format = 'newline_delimited',
           columns = {${rawFieldColumns(curatedColumns)
             .map((c) => `"${c.name}": 'VARCHAR'`)
             .join(', ')}}))
         TO '${to}' (FORMAT parquet, COMPRESSION snappy)`,
      );
    }
  }
  connection.closeSync();
  // A writer's temporary file: Athena (and the local engine) must not read it.
  const purchaseDir = path.join(dataDir, localBucketNames.lake, 'curated/events/event_type=purchase', `dt=${DAY}`);
  writeFileSync(
    path.join(purchaseDir, '_tmp-part-00001.parquet'),
    readFileSync(path.join(purchaseDir, 'part-00000.parquet')),
  );
}
