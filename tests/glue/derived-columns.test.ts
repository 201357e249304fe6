// Derived curated columns in the local job: the argument text round-trips and is checked like the
// PySpark job checks it, the DuckDB rule answers the cases glue/tests answers in Python, and a run
// writes the derived values (NULL where an attribute is absent or of another type) in file order.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ColumnType, columnsArgument, curatedColumns } from '#shared/contract/table-schemas.js';
import { parseColumns } from '../../local/glue/args.js';
import { derivedValueSql } from '../../local/glue/derived.js';
import { makeLocalGlueJob } from '../../local/glue/job.js';
import { sqlString } from '../../local/pipeline/duckdb-sql.js';
import { curatedDir, filesUnder, rawEvent, readCurated, runArguments, writeRawObject } from './glue-fixtures.js';

interface JsonValueCase {
  case: string;
  attributes: string | null;
  path: string;
  type: ColumnType;
  expected: string | number | boolean | null;
}

const cases = JSON.parse(
  readFileSync(new URL('../../glue/tests/json_value_cases.json', import.meta.url), 'utf8'),
) as JsonValueCase[];

const RAW = 'event_id:string,event_time:timestamp,received_at:timestamp,attributes:string';

let instance: DuckDBInstance;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
});
afterAll(() => instance.closeSync());

describe('the --columns argument with derived columns', () => {
  it('round-trips the curated column list, derivations included', () => {
    const text = columnsArgument(curatedColumns);
    expect(text).toContain(',amount:double=json_value:attributes:$.amount,');
    expect(text).toMatch(/,ingestion_lag_ms:bigint=millis_between:event_time:received_at$/);
    expect(parseColumns(text)).toEqual(
      curatedColumns.map(({ name, type, derivedFrom }) => (derivedFrom ? { name, type, derivedFrom } : { name, type })),
    );
  });

  it.each([
    'x:double=json_value:nope:$.amount',
    'x:double=json_value:event_time:$.amount',
    'x:double=json_value:attributes:amount',
    'x:double=json_value:attributes:$.a[0]',
    'x:timestamp=json_value:attributes:$.at',
    'x:int=millis_between:event_time:received_at',
    'x:bigint=millis_between:event_time:attributes',
    'x:bigint=millis_between:event_time:amount',
    'x:bigint=median:event_time:received_at',
    'x:bigint=millis_between:event_time',
    'x:bigint=millis_between:event_time:received_at:extra',
    'x:bigint=millis_between:event_time:received_at=again',
  ])('rejects %s as InvalidInputException', (extra) => {
    expect(() => parseColumns(`${RAW},amount:double=json_value:attributes:$.amount,${extra}`)).toThrow(
      expect.objectContaining({ name: 'InvalidInputException' }),
    );
  });

  it('never derives the dedupe key or its ordering column', () => {
    expect(() =>
      parseColumns('event_id:string,event_time:timestamp,t:timestamp,received_at:bigint=millis_between:event_time:t'),
    ).toThrow(/must contain received_at:timestamp/);
  });
});

describe('json_value in DuckDB', () => {
  it.each(cases)('$case', async ({ attributes, path, type, expected }) => {
    const connection = await instance.connect();
    try {
      const value = derivedValueSql({ rule: 'json_value', source: 'attributes', path }, type, () => 'a');
      const literal = attributes === null ? 'NULL' : sqlString(attributes);
      const reader = await connection.runAndReadAll(`SELECT ${value} AS v FROM (SELECT ${literal}::VARCHAR AS a)`);
      const got = reader.getRowObjectsJS()[0]?.v;
      expect(typeof got === 'bigint' ? Number(got) : got).toEqual(expected);
    } finally {
      connection.closeSync();
    }
  });
});

describe('a local run', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-derived-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('writes amount, currency and ingestion_lag_ms, NULL where the attribute is absent or of another type', async () => {
    const event = (id: string, eventTime: string, attributes: object) =>
      rawEvent(id, 'purchase', { event_time: eventTime, received_at: '2025-11-22T10:00:00.000Z', attributes });
    const key = await writeRawObject(dataDir, 'purchase', '2025-11-22', [
      event('e-4', '2025-11-22T09:00:00.000Z', { amount: '12.50', currency: 978 }),
      event('e-1', '2025-11-22T09:59:58.120Z', { amount: 59.9, currency: 'EUR', items: [{ sku: 'MUG' }] }),
      event('e-3', '2025-11-22T08:00:00.000Z', { amount: null, currency: ['EUR'] }),
      event('e-2', '2025-11-22T09:59:59.000Z', { amount: 12, currency: 'USD' }),
      event('e-5', '2025-11-22T10:00:00.0015Z', {}),
    ]);
    const job = makeLocalGlueJob({ dataDir, instance, jobName: 'parquet', onObjectCreated: () => {} });
    await job.startJobRun(runArguments({ keys: [key] }, [['purchase', '2025-11-22']]));
    await job.idle();
    expect(job.runs()[0]).toMatchObject({ state: 'SUCCEEDED' });

    const rows = await readCurated(instance, dataDir);
    expect(rows.map((r) => [r.event_id, r.amount, r.currency, r.ingestion_lag_ms])).toEqual([
      ['e-1', 59.9, 'EUR', 1880n],
      ['e-2', 12, 'USD', 1000n],
      ['e-3', null, null, 7_200_000n],
      ['e-4', null, null, 3_600_000n],
      // 1.5 ms in the future of its arrival: whole milliseconds truncate toward zero, as Spark's `div`.
      ['e-5', null, null, -1n],
    ]);
  });

  it('writes Parquet v2, rows ordered by event_time, then received_at, then event_id', async () => {
    const at = (id: string, eventTime: string, receivedAt: string) =>
      rawEvent(id, 'page_view', { event_time: eventTime, received_at: receivedAt });
    const key = await writeRawObject(dataDir, 'page_view', '2025-11-22', [
      at('e-c', '2025-11-22T09:00:00.000Z', '2025-11-22T10:00:01.000Z'),
      at('e-b', '2025-11-22T09:00:00.000Z', '2025-11-22T10:00:00.000Z'),
      at('e-a', '2025-11-22T09:00:00.000Z', '2025-11-22T10:00:01.000Z'),
      at('e-d', '2025-11-22T08:00:00.000Z', '2025-11-22T10:00:02.000Z'),
    ]);
    const job = makeLocalGlueJob({ dataDir, instance, jobName: 'parquet', onObjectCreated: () => {} });
    await job.startJobRun(runArguments({ keys: [key] }, [['page_view', '2025-11-22']]));
    await job.idle();

    const [file] = await filesUnder(curatedDir(dataDir));
    const connection = await instance.connect();
    try {
      const parquet = `'${path.join(curatedDir(dataDir), file as string)}'`;
      const order = await connection.runAndReadAll(`SELECT event_id FROM read_parquet(${parquet})`);
      expect(order.getRows().map(([id]) => id)).toEqual(['e-d', 'e-b', 'e-a', 'e-c']);
      const encodings = await connection.runAndReadAll(
        `SELECT encodings FROM parquet_metadata(${parquet}) WHERE path_in_schema = 'ingestion_lag_ms'`,
      );
      expect(String(encodings.getRows()[0]?.[0])).toMatch(/DELTA_BINARY_PACKED|RLE_DICTIONARY/);
    } finally {
      connection.closeSync();
    }
  });
});
