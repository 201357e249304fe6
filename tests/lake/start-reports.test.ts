import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeStartQuery } from '#shared/aws/athena.js';
import { makeGetObject } from '#shared/aws/s3.js';
import type { RunMarker } from '#shared/lake/glue-run.js';
import { loadReportCatalogue } from '#shared/reports/catalogue.js';
import { InvalidRunMarker, parseRunMarker, planReportQueries, queryToken } from '#shared/reports/planning.js';
import { makeStartReportsHandler, type StartReportsPorts } from '../../functions/start-reports.js';
import { loadEvent } from '../helpers/events.js';
import { awsError, buckets, failedIds, s3Message, sqsEvent } from './sqs-fixtures.js';

const reports = loadReportCatalogue(path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/reports'));
const jobRunId = 'jr_0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4';
const markerKey = `_runs/${jobRunId}.json`;
const marker: RunMarker = {
  job_run_id: jobRunId,
  job_name: 'eventlake-dev-parquet',
  finished_at: '2025-11-22T10:30:59.000Z',
  source_objects: 3,
  rows_read: 130,
  rows_written: 120,
  duplicates_removed: 10,
  partitions: [
    { event_type: 'page_view', dt: '2025-11-22', rows: 120 },
    { event_type: 'app_open', dt: '2025-11-21', rows: 0 },
    { event_type: 'page_view', dt: '2025-11-21', rows: 0 },
  ],
};
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const body = (value: unknown) => ({ transformToByteArray: async () => encode(value) }) as never;

const athenaMock = mockClient(AthenaClient);
const s3Mock = mockClient(S3Client);
const ports: StartReportsPorts = {
  getObject: makeGetObject(new S3Client({ region: 'eu-west-1' })),
  startQuery: makeStartQuery(new AthenaClient({ region: 'eu-west-1' }), {
    workgroup: 'eventlake-dev-reports',
    database: 'eventlake_dev_analytics',
  }),
  reports,
  lakeBucket: buckets.lake,
  resultReuseMaxAgeMinutes: 60,
  concurrency: 1,
};
const handler = makeStartReportsHandler(ports);
const runMarkerEvent = () => loadEvent<SQSEvent>('sqs-s3-run-marker');
const startedQueries = () => athenaMock.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);

beforeEach(() => {
  athenaMock.reset();
  s3Mock.reset();
  s3Mock.on(GetObjectCommand, { Bucket: buckets.lake, Key: markerKey }).resolves({ Body: body(marker) });
  athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
});

describe('start-reports', () => {
  it('starts one query per report and date with the exact request: marker line, no OutputLocation', async () => {
    await expect(handler(runMarkerEvent())).resolves.toEqual({ batchItemFailures: [] });
    const common = {
      QueryExecutionContext: { Database: 'eventlake_dev_analytics' },
      WorkGroup: 'eventlake-dev-reports',
    };
    expect(startedQueries()).toEqual([
      {
        ...common,
        QueryString:
          "-- eventlake:report=daily_events dt=2025-11-21\nSELECT event_type, count(*) AS events\nFROM events\nWHERE dt = '2025-11-21'\nGROUP BY event_type\nORDER BY events DESC",
        ClientRequestToken: queryToken('daily_events', '2025-11-21', jobRunId),
        ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 60 } },
      },
      {
        ...common,
        QueryString: expect.stringMatching(
          /^-- eventlake:report=failure_types dt=2025-11-21\n[\s\S]*FROM failed_events\n/,
        ),
        ClientRequestToken: queryToken('failure_types', '2025-11-21', jobRunId),
      },
      {
        ...common,
        QueryString: expect.stringContaining("FROM events\nWHERE dt = '2025-11-22'\n"),
        ClientRequestToken: queryToken('daily_events', '2025-11-22', jobRunId),
      },
      {
        ...common,
        QueryString: expect.stringContaining("FROM failed_events\nWHERE dt = '2025-11-22'\n"),
        ClientRequestToken: queryToken('failure_types', '2025-11-22', jobRunId),
      },
    ]);
  });

  it('fails the message when Athena throttles, and the redelivery reuses the same tokens', async () => {
    athenaMock
      .on(StartQueryExecutionCommand)
      .resolvesOnce({ QueryExecutionId: 'q-1' })
      .rejectsOnce(awsError('TooManyRequestsException'))
      .resolves({ QueryExecutionId: 'q-n' });
    const messageId = (runMarkerEvent().Records[0] as SQSRecord).messageId;
    expect(failedIds(await handler(runMarkerEvent()))).toEqual([messageId]);
    expect(startedQueries()).toHaveLength(2);
    await expect(handler(runMarkerEvent())).resolves.toEqual({ batchItemFailures: [] });
    const tokens = startedQueries().map((q) => q.ClientRequestToken);
    expect(tokens.slice(2, 4)).toEqual(tokens.slice(0, 2));
  });

  it('fails only the message whose marker is unreadable', async () => {
    s3Mock.on(GetObjectCommand, { Bucket: buckets.lake, Key: '_runs/bad.json' }).resolves({ Body: body({ rows: 1 }) });
    const event = sqsEvent([
      s3Message('bad', buckets.lake, ['_runs/bad.json']),
      s3Message('good', buckets.lake, [markerKey]),
    ]);
    expect(failedIds(await handler(event))).toEqual(['bad']);
    expect(startedQueries()).toHaveLength(4);
  });

  it('ignores the test event, other buckets and other keys', async () => {
    const event = sqsEvent([
      ...loadEvent<SQSEvent>('sqs-s3-test-event').Records,
      s3Message('other-bucket', buckets.reporting, [markerKey]),
      s3Message('not-a-marker', buckets.lake, ['_runs/notes.txt', 'curated/events/x.parquet']),
    ]);
    await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });
    expect(startedQueries()).toHaveLength(0);
  });
});

describe('queryToken', () => {
  it('is 64 hex characters and differs for every report, date and run', () => {
    const token = queryToken('daily_events', '2025-11-22', 'jr_1');
    // Pinned: changing the derivation would make in-flight redeliveries start duplicate queries.
    expect(token).toBe('ed5af93a5de90edd05a3be3387e0c949dfd75386d96bb0da20de30685c213686');
    expect(queryToken('daily_events', '2025-11-22', 'jr_1')).toBe(token);
    const others = [
      queryToken('failure_types', '2025-11-22', 'jr_1'),
      queryToken('daily_events', '2025-11-21', 'jr_1'),
      queryToken('daily_events', '2025-11-22', 'jr_2'),
    ];
    expect(new Set([token, ...others]).size).toBe(4);
  });
});

describe('planReportQueries', () => {
  const plan = (partitions: RunMarker['partitions']) =>
    planReportQueries({ ...marker, partitions }, reports, { resultReuseMaxAgeMinutes: 60 });

  it('never reuses results for a date the run added rows to, even if another type added none', () => {
    const queries = plan([
      { event_type: 'a', dt: '2025-11-22', rows: 0 },
      { event_type: 'b', dt: '2025-11-22', rows: 5 },
    ]);
    expect(queries.map((q) => q.request.resultReuseMaxAgeMinutes)).toEqual([undefined, undefined]);
  });

  it('plans nothing for a run that touched no partition', () => {
    expect(plan([])).toEqual([]);
  });
});

describe('parseRunMarker', () => {
  it('accepts the Glue job marker', () => {
    expect(parseRunMarker(encode(marker))).toEqual(marker);
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{')],
    ['no job_run_id', encode({ ...marker, job_run_id: '' })],
    ['no partitions', encode({ ...marker, partitions: undefined })],
    ['a partition without rows', encode({ ...marker, partitions: [{ event_type: 'a', dt: '2025-11-22' }] })],
    [
      'a date that could inject SQL',
      encode({ ...marker, partitions: [{ event_type: 'a', dt: "x' OR 1=1", rows: 1 }] }),
    ],
  ])('refuses a marker with %s', (_, bytes) => {
    expect(() => parseRunMarker(bytes)).toThrow();
  });

  it('names structural problems InvalidRunMarker', () => {
    expect(() => parseRunMarker(encode({}))).toThrow(InvalidRunMarker);
  });
});
