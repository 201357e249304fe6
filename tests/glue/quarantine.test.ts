// Poison-safe runs on DuckDB: the cast and line cases shared with the PySpark job's pure half
// (glue/tests/*.json), then a real local run where one poison line is quarantined and the rest lands.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseColumns } from '../../local/glue/args.js';
import { makeLocalGlueJob } from '../../local/glue/job.js';
import { castsSql, readLinesSql } from '../../local/glue/validate.js';
import { sqlString } from '../../local/pipeline/duckdb-sql.js';
import { ingest, rawEvent, readCurated, runArguments, writeRawObject } from './glue-fixtures.js';

const cases = (name: string) => JSON.parse(readFileSync(path.join('glue', 'tests', name), 'utf8'));

let instance: DuckDBInstance;
let dataDir: string;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
});
afterAll(() => instance.closeSync());
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-quarantine-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
}

describe('the shared cast cases on DuckDB', () => {
  const { cases: castCases } = cases('cast_cases.json') as {
    cases: { kind: string; text: string | null; ok: boolean }[];
  };
  it.each(castCases)('$kind $text → ok $ok', async ({ kind, text, ok }) => {
    const column =
      kind === 'event_id' ? { name: 'event_id', type: 'string' as const } : { name: 'v', type: kind as 'int' };
    const value = text === null ? 'CAST(NULL AS VARCHAR)' : sqlString(text);
    const [row] = await query(`SELECT ${castsSql(column, 'v')} AS ok FROM (SELECT ${value} AS v)`);
    expect(row?.ok).toBe(ok);
  });
});

describe('the shared poison lines on DuckDB', () => {
  const shared = cases('poison_lines.json') as {
    columns: string;
    cases: { name: string; line: string; failure: [string, string | null] | null }[];
  };
  it.each(shared.cases)('$name', async ({ line, failure }) => {
    const key = await writeRawObject(dataDir, 'page_view', '2025-11-22', [`${line}\n`]);
    const file = path.join(dataDir, ingest, key);
    const source = { path: file, key, eventType: 'page_view', dt: '2025-11-22' };
    const table = `lines_${Math.random().toString(36).slice(2)}`;
    const connection = await instance.connect();
    try {
      await connection.run(readLinesSql(table, parseColumns(shared.columns), [source]));
      const [row] = (
        await connection.runAndReadAll(`SELECT is_object, failure_column FROM ${table}`)
      ).getRowObjectsJS();
      const got = row?.is_object
        ? row.failure_column === null
          ? null
          : ['cast_error', row.failure_column]
        : ['malformed_json', null];
      expect(got).toEqual(failure);
    } finally {
      connection.closeSync();
    }
  });
});

describe('a poison line in a local run', () => {
  it('is quarantined with its type, column and raw text while the rest of its batch lands', async () => {
    const poison = JSON.stringify(rawEvent('e-2', 'page_view', { sent_at: '+10000-01-01T00:00:00Z' }));
    const key = await writeRawObject(dataDir, 'page_view', '2025-11-22', [
      rawEvent('e-1', 'page_view'),
      `${poison}\n`,
      '{"event_id": \n',
      rawEvent('e-3', 'page_view'),
    ]);
    const job = makeLocalGlueJob({ dataDir, instance, jobName: 'parquet', onObjectCreated: () => {} });
    const id = await job.startJobRun(runArguments({ keys: [key] }, [['page_view', '2025-11-22']]));
    await job.idle();
    const run = job.runs().find((r) => r.id === id);
    expect(run?.state).toBe('SUCCEEDED');
    expect((await readCurated(instance, dataDir)).map((r) => r.event_id)).toEqual(['e-1', 'e-3']);
    expect(run?.marker).toMatchObject({
      rows_read: 4,
      rows_written: 2,
      rows_quarantined: 2,
      duplicates_removed: 0,
      quarantined: [
        { failure_type: 'cast_error', dt: '2025-11-22', rows: 1 },
        { failure_type: 'malformed_json', dt: '2025-11-22', rows: 1 },
      ],
    });
    const quarantined = path.join(dataDir, ingest, `failed/type=cast_error/dt=2025-11-22/glue-${id}.gz`);
    const [record, ...rest] = gunzipSync(await readFile(quarantined))
      .toString('utf8')
      .trim()
      .split('\n');
    expect(rest).toEqual([]);
    expect(JSON.parse(record as string)).toEqual({
      failure_type: 'cast_error',
      errors: [{ path: '/sent_at', message: 'sent_at cannot be cast to its curated type' }],
      payload: poison,
      payload_encoding: 'text',
      event_id: 'e-2',
      event_type: 'page_view',
      received_at: '2025-11-22T10:00:00.000Z',
      column: 'sent_at',
      source_key: key,
      job_run_id: id,
    });
  });
});
