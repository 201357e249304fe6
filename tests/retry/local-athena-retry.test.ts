// Issue 7, locally: a report query fails transiently; its FAILED state change reaches retry-failed-run
// through the bus and the retry writes the result CSV. A scan cutoff or a SQL error is not retried.
// The workgroup enforces its one result location: the retry names none and keeps the report marker.
import { readFileSync, rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryResultId, s3Uri } from '#shared/lake/keys.js';
import type { ObjectRef } from '#shared/ports.js';
import { defaultReportsDir, loadReportCatalogue, renderReportSql } from '#shared/reports/catalogue.js';
import { queryToken } from '#shared/reports/planning.js';
import { parseReportQueryMarker, reportQueryMarker } from '#shared/reports/query-marker.js';
import type { AthenaQueryStateChange } from '#shared/retries/run-retry.js';
import { type AthenaFaults, type LocalAthena, makeLocalAthena } from '../../local/athena/athena.js';
import { localBucketNames, objectPath } from '../../local/s3/buckets.js';
import { DAY, makeDataDir, writeFixtureLake } from '../athena/fixture.js';
import { retryLoop, settle } from './local-wiring.js';

const report = 'events_by_type_daily';
const definition = loadReportCatalogue(defaultReportsDir()).find((r) => r.name === report);
const outputLocation = s3Uri({ bucket: localBucketNames.reporting, key: 'athena-results/' });
const request = (sql: string) => ({
  queryString: `${reportQueryMarker(report, DAY)}${sql}`,
  clientRequestToken: queryToken(report, DAY, 'jr_1'),
});

let dataDir: string;
let instance: DuckDBInstance;

beforeAll(async () => {
  dataDir = makeDataDir();
  instance = await DuckDBInstance.create(':memory:');
  await writeFixtureLake(dataDir, instance);
});
afterAll(() => {
  instance.closeSync();
  rmSync(dataDir, { recursive: true, force: true });
});

function pipeline(faults: AthenaFaults, cutoff = 1_073_741_824) {
  let athena: LocalAthena | undefined;
  const loop = retryLoop({ jobName: 'parquet', workgroup: 'reports', glue: () => undefined, athena: () => athena });
  const stateChanges: AthenaQueryStateChange[] = [];
  const created: ObjectRef[] = [];
  athena = makeLocalAthena({
    dataDir,
    instance,
    workgroup: {
      name: 'reports',
      bytesScannedCutoffPerQuery: cutoff,
      enforceWorkGroupConfiguration: true,
      outputLocation,
    },
    faults,
    onObjectCreated: (ref) => void created.push(ref),
    onStateChange: (event) => {
      stateChanges.push(event);
      loop.bus.putEvent(event);
    },
  });
  return { athena, loop, stateChanges, created };
}

/** failExecution that fails the first execution only. */
const once = () => {
  let calls = 0;
  return () => {
    calls += 1;
    return calls === 1;
  };
};

describe('a report query that fails transiently', () => {
  it('is retried from its FAILED state change and the retry writes the result CSV', async () => {
    const p = pipeline({ failExecution: once() });
    const sql = renderReportSql(definition ?? expect.fail('no report'), DAY);
    const failedId = await p.athena.startQuery(request(sql));
    await settle(p.athena, p.loop);

    expect(p.athena.getQueryExecution(failedId).Status).toMatchObject({ State: 'FAILED' });
    const [outcome, ...more] = p.loop.outcomes;
    expect(more).toEqual([]);
    expect(outcome).toMatchObject({ action: 'retried', target: 'athena', failedId, attempt: 1 });
    const retryId = outcome?.action === 'retried' ? outcome.retryId : expect.fail('not retried');
    const retried = p.athena.getQueryExecution(retryId);
    expect(retried.Status.State).toBe('SUCCEEDED');
    expect(retried.Query).toBe(`-- eventlake-retry attempt=1 of=${failedId}\n${request(sql).queryString}`);
    expect(parseReportQueryMarker(retried.Query)).toEqual({ report, dt: DAY });
    const csv = p.created.find((ref) => ref.key.endsWith('.csv'));
    expect(csv?.key).toBe(`athena-results/${retryId}.csv`);
    expect(csv && queryResultId(csv.key)).toBe(retryId);
    const lines = readFileSync(objectPath(dataDir, csv as ObjectRef), 'utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('"dt","event_type","events"');
    expect(lines.length).toBeGreaterThan(1);

    expect(p.stateChanges.map((e) => [e.detail.queryExecutionId, e.detail.currentState])).toEqual([
      [failedId, 'FAILED'],
      [retryId, 'SUCCEEDED'],
    ]);
    expect(p.stateChanges[0]).toMatchObject({
      source: 'aws.athena',
      'detail-type': 'Athena Query State Change',
      detail: { workgroupName: 'reports', statementType: 'DML', athenaError: { errorCategory: 1, retryable: true } },
    });
  });

  it('starts no second retry when the same FAILED event is delivered again (idempotent token)', async () => {
    const p = pipeline({ failExecution: once() });
    const failedId = await p.athena.startQuery(request('SELECT 1 AS one'));
    await settle(p.athena, p.loop);
    const [failedEvent] = p.stateChanges;
    p.loop.bus.putEvent(failedEvent ?? expect.fail('no event'));
    await settle(p.athena, p.loop);
    const retryIds = p.loop.outcomes.map((o) => (o.action === 'retried' ? o.retryId : o.reason));
    expect(retryIds).toHaveLength(2);
    expect(new Set(retryIds).size).toBe(1);
    expect(p.stateChanges.filter((e) => e.detail.currentState === 'SUCCEEDED')).toHaveLength(1);
    expect(p.loop.outcomes[0]).toMatchObject({ failedId });
  });

  it('is not retried when the workgroup cutoff cancelled it or the SQL is wrong', async () => {
    const cut = pipeline({}, 1);
    await cut.athena.startQuery(request('SELECT count(*) AS n FROM events'));
    await settle(cut.athena, cut.loop);
    expect(cut.stateChanges.map((e) => e.detail.currentState)).toEqual(['CANCELLED']);

    const wrong = pipeline({});
    await wrong.athena.startQuery(request('SELECT no_such_column FROM events'));
    await settle(wrong.athena, wrong.loop);
    expect(wrong.stateChanges.map((e) => e.detail.currentState)).toEqual(['FAILED']);
    expect(wrong.loop.outcomes).toEqual([
      expect.objectContaining({ action: 'abandoned', target: 'athena', reason: 'not retryable', exhausted: false }),
    ]);
    expect([...cut.loop.bus.failures(), ...wrong.loop.bus.failures()]).toEqual([]);
  });
});
