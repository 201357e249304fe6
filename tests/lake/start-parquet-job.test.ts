import { GlueClient, StartJobRunCommand } from '@aws-sdk/client-glue';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeStartJobRun } from '#shared/aws/glue.js';
import { makePutObject } from '#shared/aws/s3.js';
import { columnsArgument, curatedColumns } from '#shared/contract/table-schemas.js';
import { type ParquetJobPorts, startParquetRuns } from '#shared/lake/parquet-job-batch.js';
import { PermanentFailure, RetryLater } from '#shared/lake/sqs-errors.js';
import { makeStartParquetJobHandler } from '../../functions/start-parquet-job.js';
import { loadEvent } from '../helpers/events.js';
import { awsError, buckets, failedIds, s3Message, sqsEvent } from './sqs-fixtures.js';

const glueMock = mockClient(GlueClient);
const s3Mock = mockClient(S3Client);
const ports: ParquetJobPorts = {
  startJobRun: makeStartJobRun(new GlueClient({ region: 'eu-west-1' }), 'eventlake-dev-parquet'),
  putObject: makePutObject(new S3Client({ region: 'eu-west-1' })),
  lakeBucket: buckets.lake,
};
const handler = makeStartParquetJobHandler(ports, () => undefined);
const rawObjects = () => loadEvent<SQSEvent>('sqs-s3-raw-objects');
const carriers = [
  '0b6a5f0e-1c7d-4e0a-8d2b-111111111111',
  '0b6a5f0e-1c7d-4e0a-8d2b-222222222222',
  '0b6a5f0e-1c7d-4e0a-8d2b-333333333333',
  '0b6a5f0e-1c7d-4e0a-8d2b-555555555555',
];

beforeEach(() => {
  glueMock.reset();
  s3Mock.reset();
  glueMock.on(StartJobRunCommand).resolves({ JobRunId: 'jr_1' });
  s3Mock.on(PutObjectCommand).resolves({});
});

describe('start-parquet-job', () => {
  it('starts one run for the whole batch with the exact arguments and acknowledges every message', async () => {
    await expect(handler(rawObjects())).resolves.toEqual({ batchItemFailures: [] });
    expect(glueMock.commandCalls(StartJobRunCommand).map((c) => c.args[0].input)).toEqual([
      {
        JobName: 'eventlake-dev-parquet',
        Arguments: {
          '--columns': columnsArgument(curatedColumns),
          '--source_bucket': buckets.ingest,
          '--source_keys': JSON.stringify([
            'events/type=app_open/dt=2025-11-21/replay 2025-11-22+fixé.gz',
            'events/type=page_view/dt=2025-11-21/devices-1-2025-11-22-10-16-00-9e8d7c6b-5a49-4838-b271-605f4e3d2c1b.gz',
            'events/type=page_view/dt=2025-11-22/direct-1-2025-11-22-10-15-00-6f1c2b7e-0c4d-4b8a-9a57-2f3d9e1c0a11.gz',
          ]),
          '--partitions':
            '[{"event_type":"app_open","dt":"2025-11-21"},{"event_type":"page_view","dt":"2025-11-21"},{"event_type":"page_view","dt":"2025-11-22"}]',
          '--destination': `s3://${buckets.lake}/curated/events/`,
          '--run_marker_prefix': `s3://${buckets.lake}/_runs/`,
        },
      },
    ]);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('acknowledges the S3 test event without starting a run', async () => {
    await expect(handler(loadEvent<SQSEvent>('sqs-s3-test-event'))).resolves.toEqual({ batchItemFailures: [] });
    expect(glueMock.commandCalls(StartJobRunCommand)).toHaveLength(0);
  });

  it.each(['ConcurrentRunsExceededException', 'ThrottlingException', 'OperationTimeoutException'])(
    'on %s fails exactly the messages whose objects were in the run',
    async (name) => {
      glueMock.on(StartJobRunCommand).rejects(awsError(name));
      const response = await handler(rawObjects());
      expect(failedIds(response)).toEqual(carriers);
    },
  );

  it('fails the carriers on a non-retryable Glue error too, so they reach the DLQ', async () => {
    glueMock.on(StartJobRunCommand).rejects(awsError('EntityNotFoundException'));
    expect(failedIds(await handler(rawObjects()))).toEqual(carriers);
  });

  it('fails a malformed message alone and still starts the run for the others', async () => {
    const event = sqsEvent([
      { ...s3Message('bad', buckets.ingest, []), body: 'not json' },
      s3Message('good', buckets.ingest, ['events/type%3Da/dt%3D2025-11-22/x.gz']),
    ]);
    expect(failedIds(await handler(event))).toEqual(['bad']);
    expect(glueMock.commandCalls(StartJobRunCommand)).toHaveLength(1);
  });

  it('moves a long key list into a manifest the run points at, rewriting the same object on redelivery', async () => {
    const records = Array.from({ length: 51 }, (_, i) =>
      s3Message(`m${i}`, buckets.ingest, [`events/type%3Da/dt%3D2025-11-22/${String(i).padStart(2, '0')}.gz`]),
    );
    await handler(sqsEvent(records));
    await handler(sqsEvent([...records].reverse()));
    const puts = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(2);
    expect(puts[1]).toEqual(puts[0]);
    const manifest = puts[0] as { Bucket: string; Key: string; Body: string; ContentType: string };
    expect(manifest.Bucket).toBe(buckets.lake);
    expect(manifest.Key).toMatch(/^_manifests\/[0-9a-f]{64}\.json$/);
    expect(manifest.ContentType).toBe('application/json');
    expect(JSON.parse(manifest.Body)).toEqual({
      keys: Array.from({ length: 51 }, (_, i) => `events/type=a/dt=2025-11-22/${String(i).padStart(2, '0')}.gz`),
    });
    const args = glueMock.commandCalls(StartJobRunCommand)[0]?.args[0].input.Arguments ?? {};
    expect(args['--source_manifest']).toBe(`s3://${buckets.lake}/${manifest.Key}`);
    expect(args['--source_keys']).toBeUndefined();
  });

  it('does not start the run when the manifest cannot be written', async () => {
    s3Mock.on(PutObjectCommand).rejects(awsError('SlowDown'));
    const records = Array.from({ length: 51 }, (_, i) =>
      s3Message(`m${i}`, buckets.ingest, [`events/type%3Da/dt%3D2025-11-22/${i}.gz`]),
    );
    expect(failedIds(await handler(sqsEvent(records)))).toHaveLength(51);
    expect(glueMock.commandCalls(StartJobRunCommand)).toHaveLength(0);
  });
});

describe('startParquetRuns with the local runtime’s plain errors', () => {
  const withError = (error: Error): ParquetJobPorts => ({
    ...ports,
    startJobRun: async () => {
      throw error;
    },
  });

  it('classifies by error name: a plain ConcurrentRunsExceededException is RetryLater', async () => {
    const { failures, started } = await startParquetRuns(
      rawObjects().Records,
      withError(awsError('ConcurrentRunsExceededException')),
    );
    expect(started).toEqual([]);
    expect([...failures.keys()].sort()).toEqual(carriers);
    for (const failure of failures.values()) expect(failure).toBeInstanceOf(RetryLater);
  });

  it('classifies an unknown error as PermanentFailure, keeping the cause', async () => {
    const cause = awsError('InvalidInputException');
    const { failures } = await startParquetRuns(rawObjects().Records, withError(cause));
    const failure = failures.values().next().value;
    expect(failure).toBeInstanceOf(PermanentFailure);
    expect((failure as Error).cause).toBe(cause);
  });
});
