import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GlueClient, StartJobRunCommand } from '@aws-sdk/client-glue';
import {
  CopyObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MissingQueryExecutionId, makeGetQueryExecution, makeStartQuery } from '#shared/aws/athena.js';
import { MissingJobRunId, makeStartJobRun } from '#shared/aws/glue.js';
import { copySource, makeCopyObject, makeGetObject, makeListKeys, makePutObject } from '#shared/aws/s3.js';
import { awsError } from './sqs-fixtures.js';

const glueMock = mockClient(GlueClient);
const athenaMock = mockClient(AthenaClient);
const s3Mock = mockClient(S3Client);
const region = { region: 'eu-west-1' };

beforeEach(() => {
  glueMock.reset();
  athenaMock.reset();
  s3Mock.reset();
});

describe('makeStartJobRun', () => {
  const start = makeStartJobRun(new GlueClient(region), 'job');

  it('sends the job name and arguments and resolves the JobRunId', async () => {
    glueMock.on(StartJobRunCommand).resolves({ JobRunId: 'jr_1' });
    await expect(start({ '--a': '1' })).resolves.toBe('jr_1');
    expect(glueMock.commandCalls(StartJobRunCommand)[0]?.args[0].input).toEqual({
      JobName: 'job',
      Arguments: { '--a': '1' },
    });
  });

  it('rejects a response without JobRunId and passes Glue errors through by name', async () => {
    glueMock.on(StartJobRunCommand).resolvesOnce({}).rejectsOnce(awsError('ConcurrentRunsExceededException'));
    await expect(start({})).rejects.toBeInstanceOf(MissingJobRunId);
    await expect(start({})).rejects.toMatchObject({ name: 'ConcurrentRunsExceededException' });
  });
});

describe('makeStartQuery', () => {
  const start = makeStartQuery(new AthenaClient(region), { workgroup: 'wg', database: 'db' });

  it('sends parameters and result reuse only when asked', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q' });
    const request = { queryString: 'SELECT ?', outputLocation: 's3://r/p/', clientRequestToken: 't'.repeat(32) };
    await start({ ...request, executionParameters: ["'x'"], resultReuseMaxAgeMinutes: 15 });
    await start(request);
    expect(athenaMock.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueryString: 'SELECT ?',
        QueryExecutionContext: { Database: 'db' },
        WorkGroup: 'wg',
        ResultConfiguration: { OutputLocation: 's3://r/p/' },
        ClientRequestToken: 't'.repeat(32),
        ExecutionParameters: ["'x'"],
        ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 15 } },
      },
      {
        QueryString: 'SELECT ?',
        QueryExecutionContext: { Database: 'db' },
        WorkGroup: 'wg',
        ResultConfiguration: { OutputLocation: 's3://r/p/' },
        ClientRequestToken: 't'.repeat(32),
      },
    ]);
    const second = athenaMock.commandCalls(StartQueryExecutionCommand)[1]?.args[0].input ?? {};
    expect(Object.keys(second)).not.toContain('ResultReuseConfiguration');
  });

  it('for an enforced workgroup sends reuse and no ResultConfiguration at all, so reuse really applies', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q' });
    const queryString = "-- eventlake:report=daily_events dt=2025-11-21\nSELECT 1 WHERE '2025-11-21' = ''";
    await start({ queryString, clientRequestToken: 't'.repeat(64), resultReuseMaxAgeMinutes: 60 });
    const input = athenaMock.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(input).toEqual({
      QueryString: queryString,
      QueryExecutionContext: { Database: 'db' },
      WorkGroup: 'wg',
      ClientRequestToken: 't'.repeat(64),
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 60 } },
    });
    expect(Object.keys(input ?? {})).not.toContain('ResultConfiguration');
  });

  it('rejects a response without QueryExecutionId', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({});
    await expect(
      start({ queryString: 'q', outputLocation: 's3://r/', clientRequestToken: 't'.repeat(32) }),
    ).rejects.toBeInstanceOf(MissingQueryExecutionId);
  });
});

describe('makeGetQueryExecution', () => {
  it('passes the bytes scanned and whether a previous result was reused', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        QueryExecutionId: 'q2',
        Query: 'SELECT 1',
        WorkGroup: 'wg',
        ResultConfiguration: { OutputLocation: 's3://r/athena-results/q1.csv' },
        Statistics: { DataScannedInBytes: 0, ResultReuseInformation: { ReusedPreviousResult: true } },
        Status: { State: 'SUCCEEDED' },
      },
    });
    await expect(makeGetQueryExecution(new AthenaClient(region))('q2')).resolves.toEqual({
      QueryExecutionId: 'q2',
      Query: 'SELECT 1',
      WorkGroup: 'wg',
      ResultConfiguration: { OutputLocation: 's3://r/athena-results/q1.csv' },
      Statistics: { DataScannedInBytes: 0, ResultReuseInformation: { ReusedPreviousResult: true } },
      Status: { State: 'SUCCEEDED' },
    });
  });
});

describe('S3 adapters', () => {
  const s3 = new S3Client(region);

  it('puts a body with its content type', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    await makePutObject(s3)({ bucket: 'b', key: 'k/x.json' }, '{}', 'application/json');
    expect(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'b',
      Key: 'k/x.json',
      Body: '{}',
      ContentType: 'application/json',
    });
  });

  it('gets the bytes and lets NoSuchKey through by name', async () => {
    const bytes = new TextEncoder().encode('hello');
    s3Mock
      .on(GetObjectCommand, { Bucket: 'b', Key: 'k' })
      .resolves({ Body: { transformToByteArray: async () => bytes } as never })
      .on(GetObjectCommand, { Bucket: 'b', Key: 'missing' })
      .rejects(awsError('NoSuchKey'));
    await expect(makeGetObject(s3)({ bucket: 'b', key: 'k' })).resolves.toEqual(bytes);
    await expect(makeGetObject(s3)({ bucket: 'b', key: 'missing' })).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('copies with an encoded CopySource and replaced metadata', async () => {
    s3Mock.on(CopyObjectCommand).resolves({});
    await makeCopyObject(s3)({ bucket: 'src', key: 'a b/dt=1+2é.csv' }, { bucket: 'dst', key: 'x/y.csv' }, 'text/csv');
    expect(s3Mock.commandCalls(CopyObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'dst',
      Key: 'x/y.csv',
      CopySource: 'src/a%20b/dt%3D1%2B2%C3%A9.csv',
      MetadataDirective: 'REPLACE',
      ContentType: 'text/csv',
    });
    expect(copySource('b', 'k')).toBe('b/k');
  });

  it('copies under a destination condition (IfNoneMatch / IfMatch) and names its failures', async () => {
    const failure = (name: string, status: number) =>
      new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status } });
    s3Mock
      .on(CopyObjectCommand, { Key: 'new.csv' })
      .rejects(failure('PreconditionFailed', 412))
      .on(CopyObjectCommand, { Key: 'busy.csv' })
      .rejects(failure('ConditionalRequestConflict', 409))
      .on(CopyObjectCommand, { Key: 'ok.csv' })
      .resolves({});
    const copy = makeCopyObject(s3);
    const from = { bucket: 'b', key: 'athena-results/q.csv' };
    await copy(from, { bucket: 'b', key: 'ok.csv' }, 'text/csv', { ifMatch: '"e1"' });
    await expect(copy(from, { bucket: 'b', key: 'new.csv' }, 'text/csv', { ifNoneMatch: '*' })).rejects.toMatchObject({
      name: 'PreconditionFailed',
      httpStatusCode: 412,
      message: 'At least one of the pre-conditions did not hold: s3://b/new.csv',
    });
    await expect(copy(from, { bucket: 'b', key: 'busy.csv' }, 'text/csv', { ifMatch: '"e1"' })).rejects.toMatchObject({
      name: 'ConditionalRequestConflict',
      httpStatusCode: 409,
    });
    const common = {
      Bucket: 'b',
      CopySource: 'b/athena-results/q.csv',
      MetadataDirective: 'REPLACE',
      ContentType: 'text/csv',
    };
    expect(s3Mock.commandCalls(CopyObjectCommand).map((c) => c.args[0].input)).toEqual([
      { ...common, Key: 'ok.csv', IfMatch: '"e1"' },
      { ...common, Key: 'new.csv', IfNoneMatch: '*' },
      { ...common, Key: 'busy.csv', IfMatch: '"e1"' },
    ]);
  });

  it('passes a failed unconditional copy through unchanged', async () => {
    s3Mock.on(CopyObjectCommand).rejects(awsError('NoSuchKey'));
    const copy = makeCopyObject(s3)({ bucket: 'b', key: 'gone' }, { bucket: 'b', key: 'x' }, 'text/csv');
    await expect(copy).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('lists every page of keys under a prefix', async () => {
    s3Mock
      .on(ListObjectsV2Command, { Bucket: 'b', Prefix: 'reports/' })
      .resolves({ Contents: [{ Key: 'reports/a' }], IsTruncated: true, NextContinuationToken: 'n1' })
      .on(ListObjectsV2Command, { Bucket: 'b', Prefix: 'reports/', ContinuationToken: 'n1' })
      .resolves({ Contents: [{ Key: 'reports/b' }], IsTruncated: false });
    await expect(makeListKeys(s3)('b', 'reports/')).resolves.toEqual(['reports/a', 'reports/b']);
  });
});
