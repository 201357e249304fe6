// Every value the stack takes from shared/pipeline.json equals the config (stage `test`), and the
// rules between values hold: queue visibility vs consumer timeout, Firehose limits (docs/contracts.md).
import { describe, expect, it } from 'vitest';
import { config, type QueueName } from '#shared/config.js';
import { columnsArgument, curatedColumns } from '#shared/contract/table-schemas.js';
import { roleStatements } from './policies.js';
import { packagedCustom, props, resourcesOfType, template } from './template.js';

const t = template();
const prefix = `${config.service}-test`;
const bucketName = (bucket: string) => ({ 'Fn::Sub': `${prefix}-${bucket}-\${AWS::AccountId}` });

const queues: [QueueName, string, string][] = [
  ['rawObjects', 'RawObjectsQueue', 'raw-objects'],
  ['curatedRuns', 'CuratedRunsQueue', 'curated-runs'],
  ['reportResults', 'ReportResultsQueue', 'report-results'],
];

describe('buckets', () => {
  it('are named <service>-<stage>-<bucket>-<account>', () => {
    expect(props(t, 'IngestBucket').BucketName).toEqual(bucketName(config.buckets.ingest));
    expect(props(t, 'LakeBucket').BucketName).toEqual(bucketName(config.buckets.lake));
    expect(props(t, 'ReportingBucket').BucketName).toEqual(bucketName(config.buckets.reporting));
  });

  it('expire and tier objects as the lifecycle config says', () => {
    const rules = (id: string) =>
      Object.fromEntries(props(t, id).LifecycleConfiguration.Rules.map((r: { Id: string }) => [r.Id, r]));
    const { lifecycle, prefixes } = config;
    const ingest = rules('IngestBucket');
    for (const id of ['raw-events', 'late-events']) {
      expect(ingest[id].ExpirationInDays).toBe(lifecycle.rawExpirationDays);
      expect(ingest[id].Transitions).toEqual([
        { StorageClass: 'STANDARD_IA', TransitionInDays: lifecycle.rawInfrequentAccessDays },
      ]);
    }
    expect([ingest['raw-events'].Prefix, ingest['late-events'].Prefix]).toEqual([prefixes.events, prefixes.late]);
    expect(ingest['failed-events']).toMatchObject({
      Prefix: prefixes.failed,
      ExpirationInDays: lifecycle.failedExpirationDays,
    });
    expect(ingest['processing-failed']).toMatchObject({
      Prefix: prefixes.processingFailed,
      ExpirationInDays: lifecycle.failedExpirationDays,
    });
    expect(rules('ReportingBucket')['athena-results']).toMatchObject({
      Prefix: prefixes.reportResults,
      ExpirationInDays: lifecycle.athenaResultsExpirationDays,
    });
    for (const id of ['IngestBucket', 'LakeBucket', 'ReportingBucket']) {
      expect(rules(id)['abort-incomplete-multipart'].AbortIncompleteMultipartUpload).toEqual({
        DaysAfterInitiation: lifecycle.abortIncompleteMultipartDays,
      });
      for (const rule of Object.values(rules(id))) expect(rule, id).toMatchObject({ Status: 'Enabled' });
    }
    // Curated Parquet and run markers are never expired.
    expect(Object.values(rules('LakeBucket')).map((r) => r.Prefix)).not.toContain(prefixes.curated);
  });

  it('notify the hand-off queues for exactly the configured prefixes and suffixes', () => {
    const notification = (id: string) => props(t, id).NotificationConfiguration.QueueConfigurations;
    const rule = (prefixValue: string, suffix?: string) => ({
      S3Key: {
        Rules: [{ Name: 'prefix', Value: prefixValue }, ...(suffix ? [{ Name: 'suffix', Value: suffix }] : [])],
      },
    });
    expect(notification('IngestBucket')).toEqual([
      {
        Event: 's3:ObjectCreated:*',
        Filter: rule(config.prefixes.events),
        Queue: { 'Fn::GetAtt': ['RawObjectsQueue', 'Arn'] },
      },
    ]);
    expect(notification('LakeBucket')).toEqual([
      {
        Event: 's3:ObjectCreated:*',
        Filter: rule(config.prefixes.runMarkers, '.json'),
        Queue: { 'Fn::GetAtt': ['CuratedRunsQueue', 'Arn'] },
      },
    ]);
    expect(notification('ReportingBucket')).toEqual([
      {
        Event: 's3:ObjectCreated:*',
        Filter: rule(config.prefixes.reportResults, '.csv'),
        Queue: { 'Fn::GetAtt': ['ReportResultsQueue', 'Arn'] },
      },
    ]);
  });
});

describe('queues', () => {
  it.each(queues)('%s: name, visibility, retention and redrive from the config', (key, id, name) => {
    const q = config.queues[key];
    expect(props(t, id)).toMatchObject({
      QueueName: `${prefix}-${name}`,
      VisibilityTimeout: q.visibilityTimeoutSeconds,
      MessageRetentionPeriod: config.queues.messageRetentionSeconds,
      RedrivePolicy: { maxReceiveCount: q.maxReceiveCount },
    });
    expect(props(t, `${id.replace(/Queue$/, '')}DeadLetterQueue`).MessageRetentionPeriod).toBe(
      config.queues.messageRetentionSeconds,
    );
    // docs/contracts.md §3, on the config itself.
    expect(q.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * q.consumerTimeoutSeconds + q.batchingWindowSeconds);
  });

  it.each(queues)('%s: its consumer matches the config and fits in the visibility timeout', (key, id) => {
    const mappings = resourcesOfType(t, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => JSON.stringify(m.Properties?.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
    );
    expect(mappings.length, `no consumer of ${id}`).toBe(1);
    for (const [, m] of mappings) {
      const q = config.queues[key];
      const mapping = m.Properties as {
        BatchSize: number;
        MaximumBatchingWindowInSeconds: number;
        FunctionName: unknown;
      };
      expect(m.Properties).toMatchObject({
        BatchSize: q.batchSize,
        MaximumBatchingWindowInSeconds: q.batchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const functionId = (mapping.FunctionName as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const fn = props(t, functionId);
      expect(fn.Timeout).toBe(q.consumerTimeoutSeconds);
      expect(props(t, id).VisibilityTimeout).toBeGreaterThanOrEqual(
        6 * fn.Timeout + mapping.MaximumBatchingWindowInSeconds,
      );
      // The function's own role must be able to poll the queue.
      const role = fn.Role['Fn::GetAtt'][0] as string;
      const consume = roleStatements(t, role).find((s) => s.actions.includes('sqs:ReceiveMessage'));
      expect(consume?.resources).toEqual([{ 'Fn::GetAtt': [id, 'Arn'] }]);
    }
  });
});

describe('Firehose', () => {
  const { firehose } = config;

  it.each([
    ['DirectDeliveryStream', firehose.directStream, 'DirectPut'],
    ['DeviceDeliveryStream', firehose.deviceStream, 'KinesisStreamAsSource'],
  ])('%s: destination, partitioning, buffering and processor from the config', (id, name, type) => {
    const p = props(t, id);
    expect(p.DeliveryStreamName).toBe(`${prefix}-${name}`);
    expect(p.DeliveryStreamType).toBe(type);
    const s3 = p.ExtendedS3DestinationConfiguration;
    expect(s3).toMatchObject({
      BucketARN: { 'Fn::GetAtt': ['IngestBucket', 'Arn'] },
      Prefix: firehose.prefix,
      ErrorOutputPrefix: firehose.errorOutputPrefix,
      CompressionFormat: firehose.compression,
      FileExtension: '.gz',
      BufferingHints: { SizeInMBs: firehose.s3BufferSizeMB, IntervalInSeconds: firehose.s3BufferIntervalSeconds },
      DynamicPartitioningConfiguration: {
        Enabled: true,
        RetryOptions: { DurationInSeconds: packagedCustom().stack.firehose.dynamicPartitioningRetrySeconds },
      },
      CloudWatchLoggingOptions: { Enabled: true },
    });
    expect(s3.Prefix).toContain('!{partitionKeyFromLambda:zone}/');
    expect(s3.ErrorOutputPrefix).toContain('!{firehose:error-output-type}');
    // Dynamic partitioning needs at least 64 MiB buffers.
    expect(s3.BufferingHints.SizeInMBs).toBeGreaterThanOrEqual(64);
    const [processor] = s3.ProcessingConfiguration.Processors;
    expect(s3.ProcessingConfiguration.Enabled).toBe(true);
    expect(processor.Type).toBe('Lambda');
    const parameters = Object.fromEntries(
      processor.Parameters.map((p: { ParameterName: string; ParameterValue: unknown }) => [
        p.ParameterName,
        p.ParameterValue,
      ]),
    );
    expect(parameters).toEqual({
      LambdaArn: { 'Fn::GetAtt': ['TransformLambdaFunction', 'Arn'] },
      BufferSizeInMBs: firehose.processorBufferSizeMB,
      BufferIntervalInSeconds: firehose.processorBufferIntervalSeconds,
      NumberOfRetries: firehose.processorRetries,
    });
    // docs/contracts.md §1: the processor buffer must leave room in Lambda's 6 MB synchronous payload.
    expect(Number(parameters.BufferSizeInMBs)).toBeLessThanOrEqual(3);
  });

  it('the transform runs within Firehose’s 5-minute limit, with the configured timeout', () => {
    expect(props(t, 'TransformLambdaFunction').Timeout).toBe(config.transform.timeoutSeconds);
    expect(config.transform.timeoutSeconds).toBeLessThanOrEqual(300);
  });
});

describe('Glue job and Athena workgroup', () => {
  it('the Parquet job is configured from the pipeline config', () => {
    const { glue, prefixes } = config;
    const job = props(t, 'ParquetJob');
    expect(job).toMatchObject({
      Name: `${prefix}-${glue.jobName}`,
      GlueVersion: glue.glueVersion,
      Command: { Name: 'glueetl', PythonVersion: '3' },
      WorkerType: glue.workerType,
      NumberOfWorkers: glue.numberOfWorkers,
      Timeout: glue.timeoutMinutes,
      MaxRetries: glue.maxRetries,
      ExecutionProperty: { MaxConcurrentRuns: glue.maxConcurrentRuns },
    });
    expect(job.DefaultArguments).toMatchObject({
      '--job-bookmark-option': 'job-bookmark-disable',
      '--enable-metrics': 'true',
      '--columns': columnsArgument(curatedColumns),
      '--TempDir': { 'Fn::Join': ['', ['s3://', bucketName(config.buckets.lake), `/${prefixes.glueTemp}`]] },
      '--destination': { 'Fn::Join': ['', ['s3://', bucketName(config.buckets.lake), `/${prefixes.curated}`]] },
      '--run_marker_prefix': {
        'Fn::Join': ['', ['s3://', bucketName(config.buckets.lake), `/${prefixes.runMarkers}`]],
      },
      '--source_bucket': bucketName(config.buckets.ingest),
    });
  });

  it('the workgroup enforces the scan cutoff, metrics, engine v3 and encrypted results', () => {
    const { athena, prefixes } = config;
    expect(props(t, 'AthenaWorkGroup')).toMatchObject({
      Name: `${prefix}-${athena.workgroup}`,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: packagedCustom().stack.athena.enforceWorkGroupConfiguration,
        BytesScannedCutoffPerQuery: athena.bytesScannedCutoffPerQuery,
        PublishCloudWatchMetricsEnabled: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: {
            'Fn::Join': ['', ['s3://', bucketName(config.buckets.reporting), `/${prefixes.reportResults}`]],
          },
          EncryptionConfiguration: { EncryptionOption: { 'Fn::If': ['UseS3Kms', 'SSE_KMS', 'SSE_S3'] } },
        },
      },
    });
    expect(athena.bytesScannedCutoffPerQuery).toBeGreaterThanOrEqual(10_000_000);
  });

  it('the database is named <service>_<stage>_<database>', () => {
    expect(props(t, 'GlueDatabase').DatabaseInput.Name).toBe(`${config.service}_test_${config.athena.database}`);
  });
});
