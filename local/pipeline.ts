// The whole pipeline on one machine, wired exactly as serverless.yml wires the cloud: the same
// handlers, real trigger payloads, the same keys — S3 folders, SQS queues with DLQs, Firehose
// delivery streams, a DuckDB Glue job and a DuckDB Athena.
import { DuckDBInstance } from '@duckdb/node-api';
import { makePublishReportHandler } from '../functions/publish-report.js';
import { makeStartParquetJobHandler } from '../functions/start-parquet-job.js';
import { makeStartReportsHandler } from '../functions/start-reports.js';
import { makeTransformHandler } from '../functions/transform.js';
import type { QueueName } from '../shared/config.js';
import { config } from '../shared/config.js';
import type { ObjectRef, PutRecords, StartJobRun, StartQuery } from '../shared/ports.js';
import { defaultReportsDir, loadReportCatalogue, type ReportDefinition } from '../shared/report-catalogue.js';
import { type AthenaFaults, type LocalAthena, makeLocalAthena } from './athena.js';
import { localBucketNames } from './buckets.js';
import { LocalDeliveryStream } from './firehose.js';
import type { TransformHandler } from './firehose-processor.js';
import { type LocalGlueFaults, type LocalGlueJob, makeLocalGlueJob } from './glue-job.js';
import { makeTopicRule } from './iot.js';
import { makeQueues, type PipelineQueues, startConsumers } from './pipeline-queues.js';
import { LocalS3 } from './s3.js';
import type { SqsHandler } from './sqs.js';

export interface LocalPipelineOptions {
  dataDir: string;
  /** Multiplies every configured wait (visibility timeouts, batching windows, buffer intervals). */
  timeScale?: number;
  /** Fault injection at every hand-off (the chaos run); absent, the pipeline runs clean. */
  faults?: PipelineFaults;
  /** How long Firehose waits for the transform (default: its Lambda timeout). */
  transformTimeoutMs?: number;
}

/** Wrappers around the hand-offs, each free to fail some calls the way the real service would. */
export interface PipelineFaults {
  putRecords?: (port: PutRecords) => PutRecords;
  startJobRun?: (port: StartJobRun) => StartJobRun;
  transform?: (handler: TransformHandler) => TransformHandler;
  consumer?: (queue: QueueName, handler: SqsHandler) => SqsHandler;
  notification?: (queue: QueueName, send: (body: string) => Promise<unknown>) => (body: string) => Promise<unknown>;
  glue?: LocalGlueFaults;
  athena?: AthenaFaults;
}

export interface StartedQuery {
  queryExecutionId: string;
  outputLocation: string;
}

export interface LocalPipeline {
  dataDir: string;
  instance: DuckDBInstance;
  s3: LocalS3;
  direct: LocalDeliveryStream;
  devices: LocalDeliveryStream;
  /** PutRecordBatch on the direct stream, as the ingest handler sees it (faults included). */
  putRecords: PutRecords;
  publishFromDevices: ReturnType<typeof makeTopicRule>;
  queues: PipelineQueues;
  glue: LocalGlueJob;
  athena: LocalAthena;
  catalogue: ReportDefinition[];
  /** Every report query start-reports started, in order. */
  startedQueries: StartedQuery[];
  close(): Promise<void>;
}

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { dataDir, faults = {} } = options;
  const timeScale = options.timeScale ?? config.local.timeScale;
  const instance = await DuckDBInstance.create(':memory:');
  const s3 = new LocalS3({ dataDir });
  const announce = (ref: ObjectRef, size: number) => s3.notifyCreated(ref, size);
  const glue = makeLocalGlueJob({
    dataDir,
    instance,
    jobName: `${config.service}-local-${config.glue.jobName}`,
    onObjectCreated: announce,
    ...(faults.glue ? { faults: faults.glue } : {}),
  });
  const workgroup = {
    name: config.athena.workgroup,
    bytesScannedCutoffPerQuery: config.athena.bytesScannedCutoffPerQuery,
  };
  const athena = makeLocalAthena({
    dataDir,
    instance,
    workgroup,
    onObjectCreated: announce,
    ...(faults.athena ? { faults: faults.athena } : {}),
  });
  const { direct, devices } = makeDeliveryStreams(
    s3,
    { timeScale, transformTimeoutMs: options.transformTimeoutMs },
    faults,
  );
  const queues = makeQueues(timeScale);
  const catalogue = loadReportCatalogue(defaultReportsDir());
  const startedQueries: StartedQuery[] = [];
  const startQuery: StartQuery = async (request) => {
    const queryExecutionId = await athena.startQuery(request);
    startedQueries.push({ queryExecutionId, outputLocation: request.outputLocation });
    return queryExecutionId;
  };
  const startJobRun = faults.startJobRun?.(glue.startJobRun) ?? glue.startJobRun;
  const handlers = lakeHandlers(s3, startJobRun, startQuery, catalogue);
  startConsumers(queues, {
    rawObjects: faults.consumer?.('rawObjects', handlers.rawObjects) ?? handlers.rawObjects,
    curatedRuns: faults.consumer?.('curatedRuns', handlers.curatedRuns) ?? handlers.curatedRuns,
    reportResults: faults.consumer?.('reportResults', handlers.reportResults) ?? handlers.reportResults,
  });
  wireNotifications(s3, queues, faults);
  return {
    dataDir,
    instance,
    s3,
    direct,
    devices,
    putRecords: faults.putRecords?.(direct.putRecordBatch) ?? direct.putRecordBatch,
    publishFromDevices: makeTopicRule(config.devices.topicFilter, devices),
    queues,
    glue,
    athena,
    catalogue,
    startedQueries,
    close: async () => {
      for (const { queue } of Object.values(queues)) queue.stop();
      instance.closeSync();
    },
  };
}

function makeDeliveryStreams(
  s3: LocalS3,
  timing: { timeScale: number; transformTimeoutMs: number | undefined },
  faults: PipelineFaults,
) {
  const real = makeTransformHandler();
  const transform = faults.transform?.(real) ?? real;
  const streamOptions = {
    putObject: s3.putObject,
    bucket: localBucketNames.ingest,
    transform,
    timeScale: timing.timeScale,
    ...(timing.transformTimeoutMs === undefined ? {} : { transformTimeoutMs: timing.transformTimeoutMs }),
  };
  const direct = new LocalDeliveryStream({
    ...streamOptions,
    name: `${config.service}-local-${config.firehose.directStream}`,
  });
  const devices = new LocalDeliveryStream({
    ...streamOptions,
    name: `${config.service}-local-${config.firehose.deviceStream}`,
    sourceKinesisStreamArn: `arn:aws:kinesis:${config.region}:000000000000:stream/${config.service}-local-device-events`,
  });
  return { direct, devices };
}

/** The three SQS-triggered λ, wired with local ports exactly as their entries wire AWS adapters. */
function lakeHandlers(s3: LocalS3, startJobRun: StartJobRun, startQuery: StartQuery, reports: ReportDefinition[]) {
  const s3Ports = { getObject: s3.getObject, putObject: s3.putObject, copyObject: s3.copyObject };
  const buckets = { lakeBucket: localBucketNames.lake, reportingBucket: localBucketNames.reporting };
  return {
    rawObjects: makeStartParquetJobHandler({
      startJobRun,
      putObject: s3.putObject,
      lakeBucket: buckets.lakeBucket,
    }),
    curatedRuns: makeStartReportsHandler({
      ...s3Ports,
      ...buckets,
      startQuery,
      reports,
      resultReuseMaxAgeMinutes: config.athena.resultReuseMaxAgeMinutes,
    }),
    reportResults: makePublishReportHandler({
      ...s3Ports,
      reportingBucket: buckets.reportingBucket,
      now: () => new Date(),
    }),
  };
}

/** The three bucket notifications of the stack (infra/resources/queues.yml), as S3 → SQS. */
function wireNotifications(s3: LocalS3, queues: PipelineQueues, faults: PipelineFaults): void {
  const send = (name: QueueName) => {
    const real = (body: string) => queues[name].queue.sendMessage(body);
    return faults.notification?.(name, real) ?? real;
  };
  s3.addNotification({ bucket: localBucketNames.ingest, prefix: config.prefixes.events, target: send('rawObjects') });
  s3.addNotification({
    bucket: localBucketNames.lake,
    prefix: config.prefixes.runMarkers,
    suffix: '.json',
    target: send('curatedRuns'),
  });
  s3.addNotification({
    bucket: localBucketNames.reporting,
    prefix: config.prefixes.reportResults,
    suffix: '.csv',
    target: send('reportResults'),
  });
}
