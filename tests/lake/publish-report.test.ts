import { AthenaClient, GetQueryExecutionCommand } from '@aws-sdk/client-athena';
import {
  CopyObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeGetQueryExecution } from '#shared/aws/athena.js';
import { makeCopyObject, makeGetObject, makeGetObjectWithETag, makePutObject } from '#shared/aws/s3.js';
import type { ReportIndex } from '#shared/reports/index-file.js';
import { makePublishReportHandler } from '../../functions/publish-report.js';
import { loadEvent } from '../helpers/events.js';
import { awsError, buckets, failedIds, s3Message, sqsEvent } from './sqs-fixtures.js';

const qid = '3c1f4b7a-9d2e-4e8f-a1b0-c2d3e4f5a6b7';
const now = '2025-11-22T10:32:15.000Z';
const s3 = new S3Client({ region: 'eu-west-1' });
const s3Mock = mockClient(S3Client);
const athenaMock = mockClient(AthenaClient);
const handler = makePublishReportHandler({
  getObject: makeGetObject(s3),
  getObjectWithETag: makeGetObjectWithETag(s3),
  getQueryExecution: makeGetQueryExecution(new AthenaClient({ region: 'eu-west-1' })),
  putObject: makePutObject(s3),
  copyObject: makeCopyObject(s3),
  reportingBucket: buckets.reporting,
  now: () => new Date(now),
  sleep: async () => {},
});
const execution = (id: string, query: string) => ({
  QueryExecution: { QueryExecutionId: id, Query: query, WorkGroup: 'wg', Status: { State: 'SUCCEEDED' as const } },
});
const athenaResults = () => loadEvent<SQSEvent>('sqs-s3-athena-result');
const puts = () => s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
const putBody = (key: string) => {
  const put = puts().find((p) => p.Key === key);
  return put ? JSON.parse(put.Body as string) : undefined;
};
const bodyOf = (text: string) => ({ transformToByteArray: async () => new TextEncoder().encode(text) }) as never;
const precondition = () =>
  new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 } });
const indexKey = 'reports/index.json';
const csvKey = 'reports/daily_events/dt=2025-11-22/daily_events.csv';
/** The reporting bucket's objects by key: GetObject, conditional PutObject and CopyObject act on them. */
let objects: Map<string, { body: string; eTag: string }>;
let writes = 0;
const write = (key: string, body: string, input: { IfNoneMatch?: string; IfMatch?: string }) => {
  const current = objects.get(key);
  if ((input.IfNoneMatch && current) || (input.IfMatch && current?.eTag !== input.IfMatch)) throw precondition();
  objects.set(key, { body, eTag: `"v${++writes}"` });
  return {};
};
const storedIndex = (index: ReportIndex) => objects.set(indexKey, { body: JSON.stringify(index), eTag: '"etag-1"' });
const publishedDate = (dt: string, queryExecutionId: string, resultTime: string) => ({
  dt,
  key: `reports/daily_events/dt=${dt}/daily_events.csv`,
  queryExecutionId,
  resultTime,
  publishedAt: resultTime,
});

beforeEach(() => {
  s3Mock.reset();
  athenaMock.reset();
  objects = new Map();
  athenaMock
    .on(GetQueryExecutionCommand)
    .resolves(execution(qid, '-- eventlake:report=daily_events dt=2025-11-22\nSELECT 1'));
  s3Mock.on(GetObjectCommand).callsFake(async (input) => {
    const object = objects.get(input.Key);
    if (!object) throw awsError('NoSuchKey', 'The specified key does not exist.');
    return { Body: bodyOf(object.body), ETag: object.eTag };
  });
  s3Mock.on(PutObjectCommand).callsFake(async (input) => write(input.Key, input.Body, input));
  s3Mock.on(CopyObjectCommand).callsFake(async (input) => write(input.Key, `copy of ${input.CopySource}`, input));
});

const copies = () => s3Mock.commandCalls(CopyObjectCommand).map((c) => c.args[0].input);

describe('publish-report', () => {
  it('maps athena-results/<queryId>.csv to its report and date by the query marker, ignoring .metadata', async () => {
    await expect(handler(athenaResults())).resolves.toEqual({ batchItemFailures: [] });
    expect(athenaMock.commandCalls(GetQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: qid },
    ]);
    expect(copies()).toEqual([
      {
        Bucket: buckets.reporting,
        Key: csvKey,
        CopySource: `${buckets.reporting}/athena-results/${qid}.csv`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/csv',
        IfNoneMatch: '*',
      },
    ]);
    expect(objects.get(csvKey)?.body).toBe(`copy of ${buckets.reporting}/athena-results/${qid}.csv`);
  });

  it('writes the QuickSight manifest over the dated CSVs only', async () => {
    await handler(athenaResults());
    const manifest = puts().find((p) => p.Key === 'reports/daily_events/manifest.json');
    expect(manifest).toMatchObject({ Bucket: buckets.reporting, ContentType: 'application/json' });
    const expected = {
      fileLocations: [{ URIPrefixes: [`s3://${buckets.reporting}/reports/daily_events/dt=`] }],
      globalUploadSettings: { format: 'CSV', delimiter: ',', textqualifier: '"', containsHeader: 'true' },
    };
    expect(manifest?.Body).toBe(JSON.stringify(expected, null, 2));
  });

  it('creates reports/index.json when there is none yet, only if still absent (If-None-Match)', async () => {
    await handler(athenaResults());
    expect(puts().find((p) => p.Key === 'reports/index.json')).toMatchObject({ IfNoneMatch: '*' });
    expect(putBody('reports/index.json')).toEqual({
      updatedAt: now,
      reports: [
        {
          name: 'daily_events',
          manifestKey: 'reports/daily_events/manifest.json',
          updatedAt: now,
          dates: [
            {
              dt: '2025-11-22',
              key: 'reports/daily_events/dt=2025-11-22/daily_events.csv',
              queryExecutionId: qid,
              resultTime: '2025-11-22T10:32:10.500Z',
              resultKey: `athena-results/${qid}.csv`,
              publishedAt: now,
            },
          ],
        },
      ],
    });
  });

  it('replaces an older result for the same date and keeps the other dates and reports', async () => {
    const other = { name: 'aaa', manifestKey: 'reports/aaa/manifest.json', updatedAt: 'x', dates: [] };
    storedIndex({
      updatedAt: '2025-11-22T09:00:00.000Z',
      reports: [
        other,
        {
          name: 'daily_events',
          manifestKey: 'reports/daily_events/manifest.json',
          updatedAt: '2025-11-22T09:00:00.000Z',
          dates: [
            publishedDate('2025-11-23', 'q-23', '2025-11-22T09:00:00.000Z'),
            publishedDate('2025-11-22', 'q-old', '2025-11-22T09:00:00.000Z'),
          ],
        },
      ],
    });
    objects.set(csvKey, { body: 'q-old', eTag: '"csv-1"' });
    await handler(athenaResults());
    expect(puts().find((p) => p.Key === 'reports/index.json')).toMatchObject({ IfMatch: '"etag-1"' });
    // Read after the index write, the CSV's ETag conditions the copy of the result the index names.
    expect(copies().map((c) => [c.CopySource, c.IfMatch, c.IfNoneMatch])).toEqual([
      [`${buckets.reporting}/athena-results/${qid}.csv`, '"csv-1"', undefined],
    ]);
    const index = putBody('reports/index.json') as ReportIndex;
    expect(index.reports.map((r) => r.name)).toEqual(['aaa', 'daily_events']);
    expect(index.reports[1]?.dates.map((d) => [d.dt, d.queryExecutionId])).toEqual([
      ['2025-11-22', qid],
      ['2025-11-23', 'q-23'],
    ]);
  });

  it('does not let an older result (late redelivery) overwrite a newer published one', async () => {
    storedIndex({
      updatedAt: now,
      reports: [
        {
          name: 'daily_events',
          manifestKey: 'reports/daily_events/manifest.json',
          updatedAt: now,
          dates: [publishedDate('2025-11-22', 'q-newer', '2025-11-22T11:00:00.000Z')],
        },
      ],
    });
    await expect(handler(athenaResults())).resolves.toEqual({ batchItemFailures: [] });
    expect(s3Mock.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(puts()).toHaveLength(0);
  });

  it('fails the message when the copy fails, after the index names the result; the retry copies it', async () => {
    s3Mock.on(CopyObjectCommand).rejects(awsError('InternalError'));
    const response = await handler(athenaResults());
    expect(failedIds(response)).toEqual(['5e6f7a8b-9c0d-4e1f-a2b3-000000000201']);
    expect(
      (JSON.parse(objects.get(indexKey)?.body ?? '{}') as ReportIndex).reports[0]?.dates[0]?.queryExecutionId,
    ).toBe(qid);
    expect(objects.has(csvKey)).toBe(false);
    s3Mock.on(CopyObjectCommand).callsFake(async (input) => write(input.Key, `copy of ${input.CopySource}`, input));
    await expect(handler(athenaResults())).resolves.toEqual({ batchItemFailures: [] });
    expect(objects.get(csvKey)?.body).toBe(`copy of ${buckets.reporting}/athena-results/${qid}.csv`);
  });

  it('fails the message when the index cannot be read for another reason than its absence', async () => {
    s3Mock.on(GetObjectCommand).rejects(awsError('AccessDenied'));
    expect(failedIds(await handler(athenaResults()))).toEqual(['5e6f7a8b-9c0d-4e1f-a2b3-000000000201']);
    expect(s3Mock.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  it('ignores other buckets, keys outside the layout and queries without a report marker', async () => {
    athenaMock.on(GetQueryExecutionCommand, { QueryExecutionId: 'adhoc' }).resolves(execution('adhoc', 'SELECT 1'));
    const event = sqsEvent([
      s3Message('other-bucket', buckets.lake, [`athena-results/${qid}.csv`]),
      s3Message('ad-hoc', buckets.reporting, [
        'athena-results/adhoc.csv',
        'athena-results/Bad-Name/dt%3D2025-11-22/q.csv',
      ]),
    ]);
    await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });
    expect(s3Mock.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  it('still publishes a result in the older per-report layout without asking Athena', async () => {
    const event = sqsEvent([
      s3Message('legacy', buckets.reporting, [`athena-results/daily_events/dt%3D2025-11-21/${qid}.csv`]),
    ]);
    await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });
    expect(athenaMock.commandCalls(GetQueryExecutionCommand)).toHaveLength(0);
    expect((putBody('reports/index.json') as ReportIndex).reports[0]?.dates[0]?.dt).toBe('2025-11-21');
  });

  it('re-reads and retries with If-Match when a concurrent publish created the index first', async () => {
    const rival: ReportIndex = {
      updatedAt: now,
      reports: [{ name: 'aaa', manifestKey: 'reports/aaa/manifest.json', updatedAt: now, dates: [] }],
    };
    // The rival's index lands between this publisher's read and its If-None-Match write.
    s3Mock.on(PutObjectCommand, { Key: indexKey, IfNoneMatch: '*' }).callsFake(async () => {
      objects.set(indexKey, { body: JSON.stringify(rival), eTag: '"rival"' });
      throw precondition();
    });
    await expect(handler(athenaResults())).resolves.toEqual({ batchItemFailures: [] });
    const writes = puts().filter((p) => p.Key === indexKey);
    expect(writes.map((w) => [w.IfNoneMatch, w.IfMatch])).toEqual([
      ['*', undefined],
      [undefined, '"rival"'],
    ]);
    const index = JSON.parse(writes[1]?.Body as string) as ReportIndex;
    expect(index.reports.map((r) => r.name)).toEqual(['aaa', 'daily_events']);
    expect(copies()).toHaveLength(1);
  });
});
