// The workgroup's BytesScannedCutoffPerQuery: a report that would scan more ends CANCELLED with
// Athena's "Bytes scanned limit was exceeded", and no result CSV is written or published.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { s3Uri } from '#shared/lake/keys.js';
import { renderReportSql } from '#shared/reports/catalogue.js';
import { parseReportQueryMarker } from '#shared/reports/query-marker.js';
import { makeStartReportsHandler } from '../../functions/start-reports.js';
import { type LocalAthena, makeLocalAthena } from '../../local/athena/athena.js';
import { BYTES_SCANNED_LIMIT_EXCEEDED } from '../../local/athena/execution.js';
import { resultRef } from '../../local/athena/results.js';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { s3EventBody } from '../../local/s3/s3-event.js';
import { newMessage, sqsRecord } from '../../local/sqs/sqs-event.js';
import { bucketDir, newDataDir, removeDataDir, sendItems, startE2ePipeline, trafficItems } from './harness.js';
import { curatedRows, readText } from './lake.js';

const CUTOFF = 2_000;
const items = trafficItems(61, 800);

let dataDir: string;
let p: LocalPipeline;

beforeAll(async () => {
  dataDir = await newDataDir();
  p = await startE2ePipeline(dataDir);
  await sendItems(p, items);
  await settle(p);
}, 90_000);

afterAll(async () => {
  await p?.close();
  await removeDataDir(dataDir);
});

describe('a report over the scan cutoff, on a lake the pipeline built', () => {
  let busiest: string;

  beforeAll(async () => {
    const perDate = new Map<string, number>();
    for (const { dt } of await curatedRows(p.instance, dataDir)) perDate.set(dt, (perDate.get(dt) ?? 0) + 1);
    busiest = [...perDate].sort((a, b) => b[1] - a[1])[0]?.[0] as string;
  });

  const cutoffAthena = (bytesScannedCutoffPerQuery: number) =>
    makeLocalAthena({
      dataDir,
      instance: p.instance,
      database: `analytics_cutoff_${bytesScannedCutoffPerQuery}`,
      workgroup: { name: 'tight', bytesScannedCutoffPerQuery },
      onObjectCreated: () => {},
    });

  it("every events report ends CANCELLED with Athena's reason, and writes no result", async () => {
    const athena = cutoffAthena(CUTOFF);
    for (const report of p.catalogue.filter((r) => r.source === 'events')) {
      const outputLocation = s3Uri({ bucket: localBucketNames.reporting, key: `cutoff/${report.name}/` });
      const id = await athena.startQuery({
        queryString: renderReportSql(report, busiest),
        outputLocation,
        clientRequestToken: `cutoff-${report.name}-${'x'.repeat(32)}`,
      });
      const execution = await athena.waitForQuery(id);
      expect(execution.Status.State, report.name).toBe('CANCELLED');
      expect(execution.Status.StateChangeReason).toBe('Bytes scanned limit was exceeded');
      expect(execution.Status.AthenaError).toMatchObject({
        ErrorMessage: BYTES_SCANNED_LIMIT_EXCEEDED,
        Retryable: false,
      });
      expect(execution.Statistics.DataScannedInBytes).toBeGreaterThan(CUTOFF);
      const csv = resultRef(outputLocation, id);
      expect(existsSync(path.join(dataDir, csv.bucket, ...csv.key.split('/')))).toBe(false);
    }
  });

  it('the same query under the configured cutoff succeeds, so it is the cutoff that stopped it', async () => {
    const report = p.catalogue.find((r) => r.name === 'events_by_type_daily');
    const sql = renderReportSql(report as NonNullable<typeof report>, busiest);
    await expect(cutoffAthena(CUTOFF).query(sql)).rejects.toThrow(BYTES_SCANNED_LIMIT_EXCEEDED);
    const ok = await cutoffAthena(config.athena.bytesScannedCutoffPerQuery).query(sql);
    expect(ok.statistics.DataScannedInBytes).toBeGreaterThan(CUTOFF);
    expect(ok.rows.length).toBeGreaterThan(0);
  });
});

describe('start-reports against a workgroup whose cutoff every report exceeds', () => {
  const started: string[] = [];
  let indexBefore: string;
  let response: unknown;

  beforeAll(async () => {
    indexBefore = readText(path.join(bucketDir(dataDir, 'reporting'), 'reports', 'index.json'));
    // A second workgroup with its own enforced result location: its results are announced to the real
    // pipeline, but only the pipeline's workgroup location (athena-results/) feeds publish-report, whose
    // GetQueryExecution would not know this workgroup's queries.
    const tight = makeLocalAthena({
      dataDir,
      instance: p.instance,
      database: 'analytics_tight',
      workgroup: {
        name: 'tight',
        bytesScannedCutoffPerQuery: 1,
        enforceWorkGroupConfiguration: true,
        outputLocation: s3Uri({ bucket: localBucketNames.reporting, key: 'athena-results-tight/' }),
      },
      onObjectCreated: (ref, size) => p.s3.notifyCreated(ref, size),
    });
    const handler = makeStartReportsHandler({
      getObject: p.s3.getObject,
      startQuery: async (request) => {
        const id = await tight.startQuery(request);
        started.push(id);
        return id;
      },
      reports: p.catalogue,
      lakeBucket: localBucketNames.lake,
      resultReuseMaxAgeMinutes: config.athena.resultReuseMaxAgeMinutes,
    });
    response = await handler({ Records: runMarkerKeys().map(markerRecord) });
    await tight.idle();
    await settle(p);
    executions = await Promise.all(started.map((id) => tight.waitForQuery(id)));
  }, 60_000);

  let executions: Awaited<ReturnType<LocalAthena['waitForQuery']>>[] = [];

  it('starts every report for every date of every run marker, without failing a message', () => {
    expect(response).toEqual({ batchItemFailures: [] });
    expect(started.length).toBeGreaterThanOrEqual(p.catalogue.length);
  });

  it("cancels each query that scans anything with Athena's reason, writing no result CSV", () => {
    const reporting = bucketDir(dataDir, 'reporting');
    const eventsReports = p.catalogue.filter((r) => r.source === 'events').map((r) => r.name);
    let cancelledEventsReports = 0;
    for (const execution of executions) {
      const location = execution.ResultConfiguration.OutputLocation;
      const report = parseReportQueryMarker(execution.Query)?.report as string;
      // A failed_events date without failed records scans nothing, so it stays under any cutoff.
      if (!eventsReports.includes(report) && execution.Statistics.DataScannedInBytes === 0) continue;
      expect(execution.Status, report).toMatchObject({
        State: 'CANCELLED',
        StateChangeReason: BYTES_SCANNED_LIMIT_EXCEEDED,
      });
      if (eventsReports.includes(report)) cancelledEventsReports += 1;
      const csv = location.replace(`s3://${localBucketNames.reporting}/`, '');
      expect(existsSync(path.join(reporting, ...csv.split('/')))).toBe(false);
    }
    expect(cancelledEventsReports).toBeGreaterThanOrEqual(eventsReports.length);
  });

  it('publishes none of the cancelled reports: their reports/index.json entries are unchanged', () => {
    type Index = { reports: { name: string }[] };
    const entries = (text: string) => new Map((JSON.parse(text) as Index).reports.map((r) => [r.name, r]));
    const before = entries(indexBefore);
    const after = entries(readText(path.join(bucketDir(dataDir, 'reporting'), 'reports', 'index.json')));
    for (const report of p.catalogue.filter((r) => r.source === 'events')) {
      expect(after.get(report.name), report.name).toEqual(before.get(report.name));
    }
    expect(p.queues.reportResults.dlq.stats().visible).toBe(0);
  });
});

const runMarkerKeys = (): string[] =>
  readdirSync(path.join(bucketDir(dataDir, 'lake'), '_runs'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `_runs/${f}`);

/** The SQS record S3 → SQS would deliver for an existing run marker. */
function markerRecord(key: string): SQSRecord {
  const body = s3EventBody(
    { bucket: localBucketNames.lake, key, size: 1, eTag: 'e', sequencer: '0', eventName: 'ObjectCreated:Put' },
    { region: config.region, configurationId: 'curated-runs', eventTime: Date.now() },
  );
  return sqsRecord(newMessage(body, Date.now()), { name: 'curated-runs', region: config.region, accountId: '0' });
}
