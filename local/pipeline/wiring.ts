// How the local pipeline's parts connect, mirroring serverless.yml: engines, delivery streams,
// the SQS-triggered λ with local ports, bucket notifications and the EventBridge retry rules.
import type { DuckDBInstance } from '@duckdb/node-api';
import { config, type QueueName } from '#shared/config.js';
import { type CadenceSettings, cadenceSettings } from '#shared/lake/cadence.js';
import type { CompactionSettings } from '#shared/lake/compaction.js';
import type { GatePorts } from '#shared/lake/gate.js';
import { s3Uri } from '#shared/lake/keys.js';
import type { GetQueryExecution, ObjectRef, StartJobRun, StartQuery } from '#shared/ports.js';
import type { ReportDefinition } from '#shared/reports/catalogue.js';
import { makePublishReportHandler } from '../../functions/publish-report.js';
import { makeCadenceTickHandler, makeStartParquetJobHandler } from '../../functions/start-parquet-job.js';
import { makeStartReportsHandler } from '../../functions/start-reports.js';
import { makeTransformHandler } from '../../functions/transform.js';
import { type LocalAthena, makeLocalAthena } from '../athena/athena.js';
import type { RetryChains } from '../eventbridge/chains.js';
import type { LocalEventBus } from '../eventbridge/eventbridge.js';
import { wireRetryRules } from '../eventbridge/retry-rules.js';
import { LocalDeliveryStream } from '../firehose/firehose.js';
import type { Journal } from '../firehose/journal.js';
import { startTransformWorkers } from '../firehose/transform-workers.js';
import { type LocalGlueJob, makeLocalGlueJob } from '../glue/job.js';
import { localBucketNames } from '../s3/buckets.js';
import type { LocalS3 } from '../s3/s3.js';
import { scaledMs } from './clock.js';
import type { PipelineFaults } from './pipeline.js';
import type { PipelineQueues } from './queues.js';

export const localJobName = `${config.service}-local-${config.glue.jobName}`;
export const directStreamName = `${config.service}-local-${config.firehose.directStream}`;
export const devicesStreamName = `${config.service}-local-${config.firehose.deviceStream}`;

export interface EngineParts {
  dataDir: string;
  instance: DuckDBInstance;
  s3: LocalS3;
  bus: LocalEventBus;
  faults: PipelineFaults;
  /** Overrides of the compaction settings (tests and the crash run use small thresholds). */
  compaction?: Partial<CompactionSettings>;
}

/** The Glue job and the Athena workgroup: DuckDB underneath, S3 notifications and EventBridge out. */
export function makeEngines({ dataDir, instance, s3, bus, faults, compaction }: EngineParts) {
  const onObjectCreated = (ref: ObjectRef, size: number) => s3.notifyCreated(ref, size);
  const glue = makeLocalGlueJob({
    dataDir,
    instance,
    jobName: localJobName,
    onObjectCreated,
    onStateChange: bus.putEvent,
    ...(faults.glue ? { faults: faults.glue } : {}),
    ...(compaction ? { compaction } : {}),
  });
  const workgroup = {
    name: config.athena.workgroup,
    bytesScannedCutoffPerQuery: config.athena.bytesScannedCutoffPerQuery,
    enforceWorkGroupConfiguration: config.athena.enforceWorkGroupConfiguration,
    outputLocation: s3Uri({ bucket: localBucketNames.reporting, key: config.prefixes.reportResults }),
  };
  const athena = makeLocalAthena({
    dataDir,
    instance,
    workgroup,
    onObjectCreated,
    onStateChange: bus.putEvent,
    ...(faults.athena ? { faults: faults.athena } : {}),
  });
  return { glue, athena };
}

/** The two EventBridge rules of infra/functions/retry.yml, targeting the same retry λ (chains kept in the bus state). */
export function wireRetries(
  bus: LocalEventBus,
  parts: { glue: LocalGlueJob; athena: LocalAthena; startQuery: StartQuery; maxRunRetries: number; dataDir?: string },
): RetryChains {
  return wireRetryRules(bus, {
    ...parts,
    jobName: localJobName,
    workgroup: config.athena.workgroup,
    functionName: `${config.service}-local-retry-failed-run`,
    maxQueryRetries: config.athena.maxQueryRetries,
  });
}

export interface DeliverySettings {
  timeScale: number;
  transformTimeoutMs: number | undefined;
  /** Worker threads running the transform λ for both streams; 0 runs it in process. */
  transformWorkers: number;
  /** Partitions a stream may have open at once (default 500). */
  maxActivePartitions?: number;
  /** Each stream's write-ahead journal (durable acks); absent, acknowledged records live in memory only. */
  journals?: { direct: Journal; devices: Journal };
  onError?: (error: unknown) => void;
}

/** The two delivery streams, sharing one transform λ; closeTransform stops its worker threads. */
export function makeDeliveryStreams(
  s3: Pick<LocalS3, 'putObject'>,
  settings: DeliverySettings,
  faults: PipelineFaults,
) {
  const timeoutMs = settings.transformTimeoutMs ?? config.transform.timeoutSeconds * 1000;
  // A worker call outliving Firehose's timeout is hung: the pool replaces that worker.
  const workers =
    settings.transformWorkers > 0
      ? startTransformWorkers({ size: settings.transformWorkers, hungAfterMs: timeoutMs })
      : undefined;
  const real = workers?.transform ?? makeTransformHandler();
  const streamOptions = {
    putObject: s3.putObject,
    bucket: localBucketNames.ingest,
    transform: faults.transform?.(real) ?? real,
    timeScale: settings.timeScale,
    transformTimeoutMs: timeoutMs,
    // One invocation more than workers: a worker has its next batch while the main thread routes the last.
    concurrentInvocations: settings.transformWorkers + 1,
    ...(settings.maxActivePartitions === undefined ? {} : { maxActivePartitions: settings.maxActivePartitions }),
    ...(settings.onError ? { onError: settings.onError } : {}),
  };
  const direct = new LocalDeliveryStream({
    ...streamOptions,
    name: directStreamName,
    ...(settings.journals ? { journal: settings.journals.direct } : {}),
  });
  const devices = new LocalDeliveryStream({
    ...streamOptions,
    name: devicesStreamName,
    ...(settings.journals ? { journal: settings.journals.devices } : {}),
    sourceKinesisStreamArn: `arn:aws:kinesis:${config.region}:000000000000:stream/${config.service}-local-device-events`,
  });
  return { direct, devices, closeTransform: async () => workers?.close() };
}

/** The three SQS-triggered λ, wired with local ports exactly as their entries wire AWS adapters. */
export function lakeHandlers(
  s3: LocalS3,
  startJobRun: StartJobRun,
  startQuery: StartQuery,
  reports: ReportDefinition[],
  getQueryExecution: GetQueryExecution,
  timeScale: number = config.local.timeScale,
  cadence: Partial<CadenceSettings> = {},
) {
  const s3Ports = {
    getObject: s3.getObject,
    getObjectWithETag: s3.getObjectWithETag,
    putObject: s3.putObject,
    copyObject: s3.copyObject,
  };
  const buckets = { lakeBucket: localBucketNames.lake, reportingBucket: localBucketNames.reporting };
  // The cadence gate on the scaled clock: the same decision, delays shrunk like every configured wait.
  const gatePorts: GatePorts = {
    ...s3Ports,
    startJobRun,
    lakeBucket: buckets.lakeBucket,
    now: () => Date.now(),
    settings: { ...cadenceSettings(timeScale), ...cadence },
    staleClaimMs: scaledMs(config.glue.cadence.staleClaimMinutes * 60, timeScale),
  };
  return {
    rawObjects: makeStartParquetJobHandler(gatePorts),
    cadenceTick: makeCadenceTickHandler(gatePorts),
    curatedRuns: makeStartReportsHandler({
      ...s3Ports,
      ...buckets,
      startQuery,
      reports,
      resultReuseMaxAgeMinutes: config.athena.resultReuseMaxAgeMinutes,
    }),
    reportResults: makePublishReportHandler({
      ...s3Ports,
      getQueryExecution,
      reportingBucket: buckets.reportingBucket,
      now: () => new Date(),
    }),
  };
}

/** The three bucket notifications of the stack (infra/resources/queues.yml), as S3 → SQS. */
export function wireNotifications(s3: LocalS3, queues: PipelineQueues, faults: PipelineFaults): void {
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
