// The local Athena's enforced workgroup and query result reuse (docs/contracts.md §5): one result
// location for every query when enforced; a query enabling reuse answers from the latest matching
// earlier result (same query string, parameters, workgroup, database, result configuration, within
// MaxAgeInMinutes, file still there) with 0 bytes scanned and no new result file.
import { rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseS3Uri, s3Uri } from '#shared/lake/keys.js';
import type { ObjectRef, QueryRequest } from '#shared/ports.js';
import { defaultReportsDir, loadReportCatalogue } from '#shared/reports/catalogue.js';
import { reportQueryString } from '#shared/reports/query-marker.js';
import { type LocalAthenaOptions, makeLocalAthena } from '../../local/athena/athena.js';
import { localBucketNames, objectPath } from '../../local/s3/buckets.js';
import { DAY, makeDataDir, PREVIOUS_DAY, writeFixtureLake } from './fixture.js';

const workgroupLocation = s3Uri({ bucket: localBucketNames.reporting, key: 'athena-results/' });
const report = loadReportCatalogue(defaultReportsDir()).find((r) => r.name === 'events_by_type_daily');
const query = (dt: string) => reportQueryString(report ?? expect.fail('no report'), dt);
let n = 0;
const request = (queryString: string, extra: Partial<QueryRequest> = {}): QueryRequest => ({
  queryString,
  clientRequestToken: `reuse-test-token-${String(++n).padStart(24, '0')}`,
  ...extra,
});

let dataDir: string;
let instance: DuckDBInstance;
let created: ObjectRef[];
let clockOffset = 0;

const makeAthena = (overrides: Partial<LocalAthenaOptions> = {}) =>
  makeLocalAthena({
    dataDir,
    instance,
    workgroup: {
      name: 'reports',
      bytesScannedCutoffPerQuery: 1_073_741_824,
      enforceWorkGroupConfiguration: true,
      outputLocation: workgroupLocation,
    },
    onObjectCreated: (ref) => void created.push(ref),
    now: () => Date.now() + clockOffset,
    ...overrides,
  });

beforeAll(async () => {
  dataDir = makeDataDir();
  instance = await DuckDBInstance.create(':memory:');
  await writeFixtureLake(dataDir, instance);
});
afterAll(() => {
  instance.closeSync();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an enforced workgroup', () => {
  it('writes every result to its own location, whatever OutputLocation the query names', async () => {
    created = [];
    const athena = makeAthena();
    const elsewhere = s3Uri({ bucket: localBucketNames.reporting, key: 'mine/' });
    const id = await athena.startQuery(request(query(DAY), { outputLocation: elsewhere }));
    const done = await athena.waitForQuery(id);
    await athena.idle();
    expect(done.ResultConfiguration.OutputLocation).toBe(`${workgroupLocation}${id}.csv`);
    expect(created.map((r) => r.key)).toEqual([`athena-results/${id}.csv`, `athena-results/${id}.csv.metadata`]);
  });

  it('refuses a query with no location anywhere, as Athena does', async () => {
    const athena = makeAthena({ workgroup: { name: 'bare', bytesScannedCutoffPerQuery: 1_073_741_824 } });
    await expect(athena.startQuery(request(query(DAY)))).rejects.toMatchObject({ name: 'InvalidRequestException' });
  });
});

describe('query result reuse', () => {
  it('answers an unchanged query from the earlier result: reused, 0 bytes, no new file', async () => {
    created = [];
    const athena = makeAthena();
    const first = await athena.waitForQuery(await athena.startQuery(request(query(DAY))));
    expect(first.Statistics.DataScannedInBytes).toBeGreaterThan(0);
    const second = await athena.waitForQuery(
      await athena.startQuery(request(query(DAY), { resultReuseMaxAgeMinutes: 60 })),
    );
    await athena.idle();
    expect(second.Status.State).toBe('SUCCEEDED');
    expect(second.Statistics.ResultReuseInformation).toEqual({ ReusedPreviousResult: true });
    expect(second.Statistics.DataScannedInBytes).toBe(0);
    expect(second.ResultConfiguration.OutputLocation).toBe(first.ResultConfiguration.OutputLocation);
    expect(created.filter((r) => r.key.endsWith('.csv'))).toHaveLength(1);
    expect(first.Statistics.ResultReuseInformation).toEqual({ ReusedPreviousResult: false });
  });

  it('runs again for another query string, without reuse enabled, past the age, or once the result is gone', async () => {
    const athena = makeAthena();
    const first = await athena.waitForQuery(await athena.startQuery(request(query(DAY))));
    const run = async (r: QueryRequest) => (await athena.waitForQuery(await athena.startQuery(r))).Statistics;
    const reused = (s: { ResultReuseInformation: { ReusedPreviousResult: boolean } }) =>
      s.ResultReuseInformation.ReusedPreviousResult;

    expect(reused(await run(request(query(PREVIOUS_DAY), { resultReuseMaxAgeMinutes: 60 })))).toBe(false);
    expect(reused(await run(request(query(DAY))))).toBe(false);
    clockOffset = 61 * 60_000;
    expect(reused(await run(request(query(DAY), { resultReuseMaxAgeMinutes: 60 })))).toBe(false);
    clockOffset = 0;
    // The latest result is the one reused; once its file is deleted, the query runs again.
    const latest = await athena.waitForQuery(
      await athena.startQuery(request(query(DAY), { resultReuseMaxAgeMinutes: 60 })),
    );
    expect(reused(latest.Statistics)).toBe(true);
    expect(latest.ResultConfiguration.OutputLocation).not.toBe(first.ResultConfiguration.OutputLocation);
    rmSync(objectPath(dataDir, parseS3Uri(latest.ResultConfiguration.OutputLocation)));
    const afterDelete = await run(request(query(DAY), { resultReuseMaxAgeMinutes: 60 }));
    expect(reused(afterDelete)).toBe(false);
    expect(afterDelete.DataScannedInBytes).toBeGreaterThan(0);
    await athena.idle();
  });

  it('is disabled for a query that overrides the result configuration of a workgroup that does not enforce it', async () => {
    const athena = makeAthena({
      workgroup: { name: 'reports', bytesScannedCutoffPerQuery: 1_073_741_824, outputLocation: workgroupLocation },
    });
    const own = s3Uri({ bucket: localBucketNames.reporting, key: 'own/' });
    await athena.waitForQuery(await athena.startQuery(request(query(DAY), { outputLocation: own })));
    const again = await athena.waitForQuery(
      await athena.startQuery(request(query(DAY), { outputLocation: own, resultReuseMaxAgeMinutes: 60 })),
    );
    expect(again.Statistics.ResultReuseInformation.ReusedPreviousResult).toBe(false);
    expect(again.Statistics.DataScannedInBytes).toBeGreaterThan(0);
    await athena.idle();
  });
});
