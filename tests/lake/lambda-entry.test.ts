// The Lambda entry points: importable without the Lambda environment (the local runtime imports the
// factories), failing fast on the first invocation when a variable is missing, wired to the SDK.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GlueClient, StartJobRunCommand } from '@aws-sdk/client-glue';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as publishReport } from '../../functions/publish-report.js';
import { handler as startParquetJob } from '../../functions/start-parquet-job.js';
import { handler as startReports } from '../../functions/start-reports.js';
import { loadEvent } from '../helpers/events.js';
import { awsError, buckets } from './sqs-fixtures.js';

const context = { functionName: 'fn', awsRequestId: 'req-1' } as Context;
const glueMock = mockClient(GlueClient);
const athenaMock = mockClient(AthenaClient);
const s3Mock = mockClient(S3Client);

afterEach(() => vi.unstubAllEnvs());

describe('Lambda entry points', () => {
  it('name every missing variable on the first invocation', async () => {
    vi.stubEnv('LAKE_BUCKET', '');
    vi.stubEnv('REPORTING_BUCKET', '');
    const event = loadEvent<SQSEvent>('sqs-s3-test-event');
    await expect(startParquetJob(event, context)).rejects.toThrow(/GLUE_JOB_NAME is missing; LAKE_BUCKET is missing/);
    await expect(startReports(event, context)).rejects.toThrow(/LAKE_BUCKET is missing; ATHENA_WORKGROUP is missing/);
    await expect(publishReport(event, context)).rejects.toThrow(/REPORTING_BUCKET is missing/);
  });

  it('start-parquet-job records the announced objects with a conditional S3 write, and its tick runs the gate', async () => {
    vi.stubEnv('GLUE_JOB_NAME', 'eventlake-dev-parquet');
    vi.stubEnv('LAKE_BUCKET', buckets.lake);
    s3Mock.on(GetObjectCommand).rejects(awsError('NoSuchKey'));
    s3Mock.on(PutObjectCommand).resolves({});
    await expect(startParquetJob(loadEvent<SQSEvent>('sqs-s3-raw-objects'), context)).resolves.toEqual({
      batchItemFailures: [],
    });
    const put = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ Bucket: buckets.lake, Key: '_gate/state.json', IfNoneMatch: '*' });
    expect(JSON.parse(String(put?.Body)).pending).toHaveLength(3);
    // Under the 30-minute delay and 128 MiB: pending, no run yet.
    expect(glueMock.commandCalls(StartJobRunCommand)).toHaveLength(0);
    await expect(startParquetJob(loadEvent('cadence-tick'), context)).resolves.toMatchObject({ started: [] });
    expect(s3Mock.commandCalls(GetObjectCommand).at(-1)?.args[0].input).toEqual({
      Bucket: buckets.lake,
      Key: '_gate/state.json',
    });
  });

  it('start-reports reads the catalogue under LAMBDA_TASK_ROOT', async () => {
    vi.stubEnv('LAMBDA_TASK_ROOT', path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures'));
    vi.stubEnv('LAKE_BUCKET', buckets.lake);
    vi.stubEnv('REPORTING_BUCKET', buckets.reporting);
    vi.stubEnv('ATHENA_WORKGROUP', 'wg');
    vi.stubEnv('ATHENA_DATABASE', 'db');
    const marker = { job_run_id: 'jr_1', partitions: [{ event_type: 'a', dt: '2025-11-22', rows: 1 }] };
    const bytes = new TextEncoder().encode(JSON.stringify(marker));
    s3Mock.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => bytes } as never });
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q' });
    await startReports(loadEvent<SQSEvent>('sqs-s3-run-marker'), context);
    expect(athenaMock.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.WorkGroup)).toEqual([
      'wg',
      'wg',
    ]);
  });

  it('publish-report copies into the configured reporting bucket', async () => {
    vi.stubEnv('REPORTING_BUCKET', buckets.reporting);
    s3Mock.reset();
    // The index reads back what was written (publish-report copies the result the index names).
    let index: string | undefined;
    s3Mock.on(GetObjectCommand).callsFake(async (input) => {
      if (input.Key !== 'reports/index.json' || index === undefined) throw awsError('NoSuchKey');
      const bytes = new TextEncoder().encode(index);
      return { Body: { transformToByteArray: async () => bytes } as never, ETag: '"i1"' };
    });
    s3Mock.on(CopyObjectCommand).resolves({});
    s3Mock.on(PutObjectCommand).callsFake(async (input) => {
      if (input.Key === 'reports/index.json') index = input.Body as string;
      return {};
    });
    athenaMock.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        QueryExecutionId: '3c1f4b7a-9d2e-4e8f-a1b0-c2d3e4f5a6b7',
        Query: '-- eventlake:report=daily_events dt=2025-11-22\nSELECT 1',
        WorkGroup: 'wg',
        Status: { State: 'SUCCEEDED' },
      },
    });
    await publishReport(loadEvent<SQSEvent>('sqs-s3-athena-result'), context);
    expect(s3Mock.commandCalls(CopyObjectCommand)[0]?.args[0].input.Bucket).toBe(buckets.reporting);
  });
});
