// Reports on the real local pipeline with the workgroup enforcing its one result location: results
// land as athena-results/<queryId>.csv and are mapped back by their marker line; concurrent
// publish-report invocations keep every reports/index.json entry; a second run over an unchanged date
// answers from the reused result (0 bytes scanned, no new CSV).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { parseS3Uri, reportIndexKey, runMarkerKey } from '#shared/lake/keys.js';
import type { ReportIndex } from '#shared/reports/index-file.js';
import { parseReportQueryMarker } from '#shared/reports/query-marker.js';
import { makePublishReportHandler } from '../../functions/publish-report.js';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { s3EventBody } from '../../local/s3/s3-event.js';
import { newMessage, sqsRecord } from '../../local/sqs/sqs-event.js';
import { bucketDir, newDataDir, removeDataDir, sendItems, startE2ePipeline, trafficItems } from './harness.js';
import { curatedRows } from './lake.js';

let dataDir: string;
let p: LocalPipeline;
const reporting = localBucketNames.reporting;

beforeAll(async () => {
  dataDir = await newDataDir();
  p = await startE2ePipeline(dataDir);
  await sendItems(p, trafficItems(47, 900));
  await settle(p);
}, 90_000);

afterAll(async () => {
  await p?.close();
  await removeDataDir(dataDir);
});

const resultRecord = (key: string, n: number): SQSRecord => {
  const body = s3EventBody(
    { bucket: reporting, key, size: 1, eTag: 'e', sequencer: String(n), eventName: 'ObjectCreated:Put' },
    { region: config.region, configurationId: 'report-results', eventTime: Date.now() },
  );
  return sqsRecord(newMessage(body, Date.now()), { name: 'report-results', region: config.region, accountId: '0' });
};

const readIndex = async (): Promise<ReportIndex> =>
  JSON.parse(Buffer.from(await p.s3.getObject({ bucket: reporting, key: reportIndexKey() })).toString('utf8'));

describe('an enforced workgroup', () => {
  it('writes every report result to athena-results/<queryId>.csv, one folder for all', () => {
    const files = readdirSync(path.join(bucketDir(dataDir, 'reporting'), config.prefixes.reportResults));
    const csvs = files.filter((f) => f.endsWith('.csv'));
    expect(csvs.length).toBeGreaterThan(0);
    for (const { queryExecutionId } of p.startedQueries) {
      const e = p.athena.getQueryExecution(queryExecutionId);
      if (e.Status.State !== 'SUCCEEDED') continue;
      expect(e.ResultConfiguration.OutputLocation).toBe(`s3://${reporting}/athena-results/${queryExecutionId}.csv`);
      expect(csvs).toContain(`${queryExecutionId}.csv`);
    }
  });
});

describe('concurrent publishes', () => {
  it('keep every reports/index.json entry when each result is published by its own invocation at once', async () => {
    // The latest successful query per report and date, as publish-report would see them.
    const latest = new Map<string, string>();
    for (const { queryExecutionId, report, dt } of p.startedQueries) {
      if (p.athena.getQueryExecution(queryExecutionId).Status.State === 'SUCCEEDED')
        latest.set(`${report} ${dt}`, queryExecutionId);
    }
    expect(latest.size).toBeGreaterThanOrEqual(2 * p.catalogue.length);
    const handler = makePublishReportHandler({
      ...p.s3.ports(),
      getQueryExecution: async (id) => p.athena.getQueryExecution(id),
      reportingBucket: reporting,
      now: () => new Date(),
      indexWriteAttempts: 50,
    });
    await p.s3.putObject(
      { bucket: reporting, key: reportIndexKey() },
      '{"updatedAt":null,"reports":[]}',
      'application/json',
    );
    const ids = [...latest.values()];
    const responses = await Promise.all(
      ids.map((id, n) => handler({ Records: [resultRecord(`athena-results/${id}.csv`, n)] })),
    );
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    const index = await readIndex();
    const entries = index.reports.flatMap((r) => r.dates.map((d) => [`${r.name} ${d.dt}`, d.queryExecutionId]));
    expect(new Map(entries as [string, string][])).toEqual(latest);
  }, 60_000);
});

describe('result reuse', () => {
  it('a second run over an unchanged date is answered from the reused result: 0 bytes scanned, no new CSV', async () => {
    const dates = [...new Set((await curatedRows(p.instance, dataDir)).map((r) => r.dt))].sort();
    const dt = dates.at(-1) as string;
    const before = p.startedQueries.length;
    const csvsBefore = readdirSync(path.join(bucketDir(dataDir, 'reporting'), 'athena-results')).length;
    const indexBefore = await readIndex();
    // A Glue run that touched the date but added no rows: its reports cannot have changed.
    const marker = { job_run_id: 'jr_unchanged_rerun', partitions: [{ event_type: 'page_view', dt, rows: 0 }] };
    await p.s3.putObject(
      { bucket: localBucketNames.lake, key: runMarkerKey('jr_unchanged_rerun') },
      JSON.stringify(marker),
      'application/json',
    );
    await settle(p);

    const rerun = p.startedQueries.slice(before).map((q) => p.athena.getQueryExecution(q.queryExecutionId));
    expect(rerun).toHaveLength(p.catalogue.length);
    const eventsReports = new Set(p.catalogue.filter((r) => r.source === 'events').map((r) => r.name));
    let reused = 0;
    for (const e of rerun) {
      const report = parseReportQueryMarker(e.Query)?.report as string;
      expect(e.Status.State, report).toBe('SUCCEEDED');
      if (!eventsReports.has(report)) continue;
      reused += 1;
      expect(e.Statistics.ResultReuseInformation, report).toEqual({ ReusedPreviousResult: true });
      expect(e.Statistics.DataScannedInBytes, report).toBe(0);
      expect(parseS3Uri(e.ResultConfiguration.OutputLocation).key).not.toBe(`athena-results/${e.QueryExecutionId}.csv`);
    }
    expect(reused).toBe(eventsReports.size);
    const csvsAfter = readdirSync(path.join(bucketDir(dataDir, 'reporting'), 'athena-results')).length;
    // Only the failed_events reports (never reused) wrote a CSV and its .metadata.
    expect(csvsAfter - csvsBefore).toBe(2 * (p.catalogue.length - eventsReports.size));
    const after = await readIndex();
    for (const name of eventsReports) {
      expect(after.reports.find((r) => r.name === name)).toEqual(indexBefore.reports.find((r) => r.name === name));
    }
  }, 60_000);
});
