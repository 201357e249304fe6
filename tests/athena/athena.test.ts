// The local Athena's contract: asynchronous states, idempotent tokens, result files at the output
// location, measured bytes scanned with partition pruning, the workgroup cutoff, faults.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportResultPrefix, s3Uri } from '#shared/lake/keys.js';
import type { ObjectRef, QueryRequest } from '#shared/ports.js';
import { type LocalAthena, type LocalAthenaOptions, makeLocalAthena } from '../../local/athena/athena.js';
import { localBucketNames, objectPath } from '../../local/s3/buckets.js';
import { forDate, loadReports } from './catalogue.js';
import { DAY, makeDataDir, PREVIOUS_DAY, writeFixtureLake } from './fixture.js';

const outputLocation = s3Uri({
  bucket: localBucketNames.reporting,
  key: reportResultPrefix('events_by_type_daily', DAY),
});
const eventsByType = loadReports().find((r) => r.name === 'events_by_type_daily');
const token = (n: number) => `events_by_type_daily-${DAY}-attempt-${String(n).padStart(4, '0')}`;
const request = (queryString: string, n: number): QueryRequest => ({
  queryString,
  outputLocation,
  clientRequestToken: token(n),
});

let dataDir: string;
let instance: DuckDBInstance;
let created: { ref: ObjectRef; size: number }[];
let athena: LocalAthena;

const makeAthena = (overrides: Partial<LocalAthenaOptions> = {}) =>
  makeLocalAthena({
    dataDir,
    instance,
    workgroup: { name: 'reports', bytesScannedCutoffPerQuery: 1_073_741_824 },
    onObjectCreated: (ref, size) => {
      created.push({ ref, size });
    },
    ...overrides,
  });

beforeAll(async () => {
  dataDir = makeDataDir();
  instance = await DuckDBInstance.create(':memory:');
  await writeFixtureLake(dataDir, instance);
  created = [];
  athena = makeAthena();
});

afterAll(async () => {
  await athena.idle();
  instance.closeSync();
  rmSync(dataDir, { recursive: true, force: true });
});

async function statesOf(engine: LocalAthena, id: string): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    const state = engine.getQueryExecution(id).Status.State;
    if (seen.at(-1) !== state) seen.push(state);
    if (state !== 'QUEUED' && state !== 'RUNNING') return seen;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('StartQueryExecution and GetQueryExecution', () => {
  it('answers a UUID at once, then the query goes QUEUED → RUNNING → SUCCEEDED', async () => {
    const id = await athena.startQuery(request(forDate(eventsByType?.query ?? '', DAY), 1));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const states = await statesOf(athena, id);
    expect(states[0]).toBe('QUEUED');
    expect(states.at(-1)).toBe('SUCCEEDED');
    expect(['QUEUED', 'RUNNING', 'SUCCEEDED']).toEqual(expect.arrayContaining(states));
    const execution = await athena.waitForQuery(id);
    expect(execution.QueryExecutionContext.Database).toBe('analytics');
    expect(execution.WorkGroup).toBe('reports');
    expect(execution.Statistics.DataScannedInBytes).toBeGreaterThan(0);
    expect(execution.Status.CompletionDateTime).toBeInstanceOf(Date);
  });

  it('gives the same QueryExecutionId for the same ClientRequestToken, and refuses it for another query', async () => {
    const sql = forDate(eventsByType?.query ?? '', DAY);
    const first = await athena.startQuery(request(sql, 2));
    expect(await athena.startQuery(request(sql, 2))).toBe(first);
    await expect(athena.startQuery(request('SELECT 1 AS one', 2))).rejects.toMatchObject({
      name: 'InvalidRequestException',
    });
    await expect(athena.startQuery({ ...request(sql, 2), clientRequestToken: 'short' })).rejects.toMatchObject({
      name: 'InvalidRequestException',
    });
    expect((await athena.waitForQuery(first)).Status.State).toBe('SUCCEEDED');
  });

  it('writes <OutputLocation><id>.csv like Athena (all fields quoted) plus .csv.metadata, and announces both', async () => {
    created.length = 0;
    const id = await athena.startQuery(request(forDate(eventsByType?.query ?? '', DAY), 3));
    const execution = await athena.waitForQuery(id);
    const csvRef = {
      bucket: localBucketNames.reporting,
      key: `athena-results/events_by_type_daily/dt=${DAY}/${id}.csv`,
    };
    expect(execution.ResultConfiguration.OutputLocation).toBe(s3Uri(csvRef));
    const csv = readFileSync(objectPath(dataDir, csvRef));
    expect(csv.toString('utf8')).toBe(
      `"dt","event_type","events"\n"${DAY}","page_view","4"\n"${DAY}","purchase","3"\n"${DAY}","session_start","2"\n`,
    );
    expect(csv[0]).toBe(0x22); // no BOM
    const metadataRef = { ...csvRef, key: `${csvRef.key}.metadata` };
    const metadata = JSON.parse(readFileSync(objectPath(dataDir, metadataRef), 'utf8'));
    expect(metadata).toMatchObject({
      queryExecutionId: id,
      rowCount: 3,
      columns: [{ name: 'dt' }, { name: 'event_type' }, { name: 'events' }],
    });
    await athena.idle();
    expect(created).toEqual([
      { ref: csvRef, size: statSync(objectPath(dataDir, csvRef)).size },
      { ref: metadataRef, size: statSync(objectPath(dataDir, metadataRef)).size },
    ]);
  });

  it('fails a query whose SQL is wrong, with the engine message, and writes no result', async () => {
    const id = await athena.startQuery(request('SELECT no_such_column FROM events', 4));
    const execution = await athena.waitForQuery(id);
    expect(execution.Status.State).toBe('FAILED');
    expect(execution.Status.StateChangeReason).toContain('no_such_column');
    expect(execution.Status.AthenaError).toMatchObject({ ErrorCategory: 2, Retryable: false });
    expect(
      existsSync(
        objectPath(dataDir, {
          bucket: localBucketNames.reporting,
          key: `athena-results/events_by_type_daily/dt=${DAY}/${id}.csv`,
        }),
      ),
    ).toBe(false);
  });

  it('binds ExecutionParameters to ? placeholders', async () => {
    const id = await athena.startQuery({
      ...request("SELECT count(*) AS n, '?' AS literal FROM events WHERE dt = ?", 5),
      executionParameters: [`'${DAY}'`],
    });
    const execution = await athena.waitForQuery(id);
    expect(execution.Status.State).toBe('SUCCEEDED');
    const csv = readFileSync(
      objectPath(dataDir, {
        bucket: localBucketNames.reporting,
        key: `athena-results/events_by_type_daily/dt=${DAY}/${id}.csv`,
      }),
      'utf8',
    );
    expect(csv).toBe('"n","literal"\n"9","?"\n');
  });

  it('rejects an unknown QueryExecutionId', async () => {
    expect(() => athena.getQueryExecution('00000000-0000-4000-8000-000000000000')).toThrow(/not found/);
    await expect(athena.waitForQuery('nope')).rejects.toMatchObject({ name: 'InvalidRequestException' });
  });
});

describe('bytes scanned', () => {
  const devices = (where: string) => `SELECT count(DISTINCT device_id) AS devices FROM events WHERE ${where}`;

  it('is measured from the files read: a one-day query scans less than a two-day one', async () => {
    const oneDay = await athena.query(devices(`dt = '${DAY}'`));
    const twoDays = await athena.query(devices(`dt IN ('${DAY}', '${PREVIOUS_DAY}')`));
    const everything = await athena.query(devices('true'));
    expect(oneDay.statistics.DataScannedInBytes).toBeGreaterThan(0);
    expect(twoDays.statistics.DataScannedInBytes).toBeGreaterThan(oneDay.statistics.DataScannedInBytes);
    expect(everything.statistics.DataScannedInBytes).toBeGreaterThan(twoDays.statistics.DataScannedInBytes);
  });

  it('prunes on event_type too, reads only referenced columns, and re-reads on every query', async () => {
    const onePartition = await athena.query(devices(`dt = '${DAY}' AND event_type = 'purchase'`));
    const day = await athena.query(devices(`dt = '${DAY}'`));
    const wider = await athena.query(
      `SELECT count(DISTINCT attributes || device_id) AS n FROM events WHERE dt = '${DAY}'`,
    );
    const again = await athena.query(devices(`dt = '${DAY}'`));
    expect(onePartition.statistics.DataScannedInBytes).toBeLessThan(day.statistics.DataScannedInBytes);
    expect(wider.statistics.DataScannedInBytes).toBeGreaterThan(day.statistics.DataScannedInBytes);
    expect(again.statistics.DataScannedInBytes).toBe(day.statistics.DataScannedInBytes);
  });

  it('bills at least 10 MB per query without changing the statistic', async () => {
    const { statistics } = await athena.query(devices(`dt = '${DAY}'`));
    expect(statistics.DataScannedInBytes).toBeLessThan(10_485_760);
    expect(statistics.BilledBytes).toBe(10_485_760);
    expect(statistics.CostUSD).toBeCloseTo((10_485_760 / 1e12) * 5, 12);
  });

  it("cancels a query over the workgroup's cutoff with Athena's reason, and writes no result", async () => {
    const small = makeAthena({ workgroup: { name: 'tight', bytesScannedCutoffPerQuery: 1_000 } });
    const id = await small.startQuery(request('SELECT count(DISTINCT attributes) AS n FROM events', 6));
    const execution = await small.waitForQuery(id);
    expect(execution.Status.State).toBe('CANCELLED');
    expect(execution.Status.StateChangeReason).toBe('Bytes scanned limit was exceeded');
    expect(execution.Statistics.DataScannedInBytes).toBeGreaterThan(1_000);
    const csv = objectPath(dataDir, {
      bucket: localBucketNames.reporting,
      key: `athena-results/events_by_type_daily/dt=${DAY}/${id}.csv`,
    });
    expect(existsSync(csv)).toBe(false);
    await expect(small.query('SELECT count(DISTINCT attributes) AS n FROM events')).rejects.toMatchObject({
      name: 'QueryFailed',
      state: 'CANCELLED',
      message: 'Bytes scanned limit was exceeded',
    });
  });
});

describe('Trino compatibility', () => {
  it('runs Trino-named functions with Trino semantics', async () => {
    const { rows } = await athena.query(`SELECT
      json_extract_scalar('{"a": {"b": 1}, "c": 59.9}', '$.a') AS object_value,
      json_extract_scalar('{"a": {"b": 1}, "c": 59.9}', '$.c') AS scalar_value,
      date_diff('day', TIMESTAMP '2025-01-01 23:00:00', TIMESTAMP '2025-01-02 01:00:00') AS whole_days,
      to_unixtime(from_iso8601_timestamp('2025-11-22T11:00:00.500+01:00')) AS unixtime,
      approx_distinct(device_id) AS devices,
      approx_percentile(CAST(event_version AS DOUBLE), 0.5) AS median_version
      FROM events WHERE dt = '${DAY}'`);
    expect(rows).toEqual([[null, '59.9', '0', '1763805600.5', '5', '1']]);
  });
});

describe('faults and an empty lake', () => {
  it('throttles StartQueryExecution with TooManyRequestsException; the retry with the same token starts it', async () => {
    let throttled = 0;
    const flaky = makeAthena({ faults: { throttleStart: () => throttled++ === 0 } });
    const sql = forDate(eventsByType?.query ?? '', DAY);
    await expect(flaky.startQuery(request(sql, 7))).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    const id = await flaky.startQuery(request(sql, 7));
    expect((await flaky.waitForQuery(id)).Status.State).toBe('SUCCEEDED');
  });

  it('fails an execution transiently when the fault hook says so, marked retryable', async () => {
    const flaky = makeAthena({ faults: { failExecution: () => true } });
    const id = await flaky.startQuery(request('SELECT 1 AS one', 8));
    const execution = await flaky.waitForQuery(id);
    expect(execution.Status.State).toBe('FAILED');
    expect(execution.Status.AthenaError).toMatchObject({ ErrorCategory: 1, Retryable: true });
  });

  it('answers every report with 0 rows on an empty lake, and sees data once it lands', async () => {
    const emptyDir = makeDataDir();
    const emptyInstance = await DuckDBInstance.create(':memory:');
    const empty = makeLocalAthena({
      dataDir: emptyDir,
      instance: emptyInstance,
      workgroup: { name: 'reports', bytesScannedCutoffPerQuery: 1_073_741_824 },
      onObjectCreated: () => {},
    });
    for (const report of loadReports()) {
      const result = await empty.query(forDate(report.query, DAY));
      expect(result.rows, report.name).toEqual([]);
      expect(result.statistics.DataScannedInBytes).toBe(0);
    }
    await writeFixtureLake(emptyDir, emptyInstance);
    const { rows } = await empty.query(`SELECT count(*) AS n FROM events WHERE dt = '${DAY}'`);
    expect(rows).toEqual([['9']]);
    await empty.idle();
    emptyInstance.closeSync();
    rmSync(emptyDir, { recursive: true, force: true });
  });
});
