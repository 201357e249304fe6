// The whole pipeline on one machine, wired exactly as serverless.yml wires the cloud: the same
// handlers, real trigger payloads, the same keys — S3 folders, SQS queues with DLQs, Firehose
// delivery streams, a DuckDB Glue job and a DuckDB Athena.
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { config, type QueueName } from '#shared/config.js';
import type { CadenceSettings } from '#shared/lake/cadence.js';
import type { CompactionSettings } from '#shared/lake/compaction.js';
import type { PutObject, PutRecords, StartJobRun, StartQuery } from '#shared/ports.js';
import { defaultReportsDir, loadReportCatalogue, type ReportDefinition } from '#shared/reports/catalogue.js';
import { parseReportQueryMarker } from '#shared/reports/query-marker.js';
import type { AthenaFaults, LocalAthena } from '../athena/athena.js';
import { type LocalEventBus, makeLocalEventBus } from '../eventbridge/eventbridge.js';
import type { LocalDeliveryStream, StreamHealth } from '../firehose/firehose.js';
import type { JournalFiles } from '../firehose/journal-files.js';
import type { TransformHandler } from '../firehose/processor.js';
import { type CadenceTicker, startCadenceTicker } from '../glue/cadence-tick.js';
import type { LocalGlueFaults, LocalGlueJob } from '../glue/job.js';
import { makeTopicRule } from '../iot/iot.js';
import { LocalS3 } from '../s3/s3.js';
import { persistDlqs } from '../sqs/dlq-store.js';
import type { SqsHandler } from '../sqs/sqs.js';
import { withCrashHold } from './crash-hold.js';
import { checkDataDir, combinedHealth, openJournals } from './durability.js';
import { acquireDataDirLock } from './lock.js';
import { makeQueues, type PipelineQueues, startConsumers } from './queues.js';
import { type Reannounced, reannounce } from './recovery.js';
import {
  devicesStreamName,
  directStreamName,
  lakeHandlers,
  localJobName,
  makeDeliveryStreams,
  makeEngines,
  wireNotifications,
  wireRetries,
} from './wiring.js';

export interface LocalPipelineOptions {
  dataDir: string;
  /** Multiplies every configured wait (visibility timeouts, batching windows, buffer intervals). */
  timeScale?: number;
  /** Fault injection at every hand-off (the chaos run); absent, the pipeline runs clean. */
  faults?: PipelineFaults;
  /** How long Firehose waits for the transform (default: its Lambda timeout). */
  transformTimeoutMs?: number;
  /** Glue runs the retry λ restarts per failed run (default glue.maxRunRetries). */
  maxRunRetries?: number;
  /** Worker threads running the transform λ off the main thread; 0 runs it in process (default local.transformWorkers). */
  transformWorkers?: number;
  /** Overrides of the cadence gate's settings (default: glue.cadence on the scaled clock). */
  cadence?: Partial<CadenceSettings>;
  /**
   * Overrides of the compaction settings (default: glue.compaction on the scaled clock). Absent, the
   * JSON of EVENTLAKE_COMPACTION applies (the crash run sets it for its child processes).
   */
  compaction?: Partial<CompactionSettings>;
  /** Partitions a delivery stream may have open at once (Firehose's default: 500). */
  maxActivePartitions?: number;
  /** Acknowledge records only once journalled and fsync'd (default local.durableAcks). */
  durableAcks?: boolean;
  /** The command owning the data directory, named in its lock file (default 'pipeline'). */
  command?: string;
  /** Where ERROR lines go when a write fails (default stderr). */
  log?: (line: string) => void;
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
  /** The Firehose journal's file operations (a disk that fails writes). */
  journalFiles?: JournalFiles;
  /** Firehose's S3 object writes (a disk that fails writes). */
  deliveryPutObject?: (port: PutObject) => PutObject;
}

export interface StartedQuery {
  queryExecutionId: string;
  /** The report and date of its query marker (shared/reports/query-marker.ts). */
  report?: string;
  dt?: string;
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
  /** EventBridge: Glue and Athena state changes → retry-failed-run. */
  bus: LocalEventBus;
  glue: LocalGlueJob;
  /** The cadence gate's scheduled tick (start-parquet-job); `flush()` starts a run for everything pending. */
  gate: CadenceTicker;
  athena: LocalAthena;
  catalogue: ReportDefinition[];
  /** Every report query start-reports started, in order. */
  startedQueries: StartedQuery[];
  /** Records replayed from the journals and work announced again at start (crash recovery). */
  recovered: { journalRecords: number } & Reannounced;
  /** ok, or the first failing write named (journal, S3 delivery). */
  health(): StreamHealth;
  /** Stops everything and releases the data directory; undelivered records stay in the journals. */
  close(): Promise<void>;
}

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { dataDir } = options;
  const faults = withCrashHold(dataDir, options.faults ?? {});
  const timeScale = options.timeScale ?? config.local.timeScale;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  await checkDataDir(dataDir);
  const lock = acquireDataDirLock(dataDir, options.command ?? (process.argv.slice(2).join(' ') || 'pipeline'));
  try {
    return await start(options, { dataDir, faults, timeScale, log, release: lock.release });
  } catch (error) {
    lock.release();
    throw error;
  }
}

interface Started {
  dataDir: string;
  faults: PipelineFaults;
  timeScale: number;
  log: (line: string) => void;
  release: () => void;
}

async function start(options: LocalPipelineOptions, started: Started): Promise<LocalPipeline> {
  const { dataDir, faults, timeScale, log, release } = started;
  // EVENTLAKE_DURABLE_ACKS=false turns the journal off for a whole process tree (the crash run's baseline).
  const fromEnv = process.env.EVENTLAKE_DURABLE_ACKS;
  const durable = options.durableAcks ?? (fromEnv === undefined ? config.local.durableAcks : fromEnv !== 'false');
  const names = { direct: directStreamName, devices: devicesStreamName };
  const opened = durable ? await openJournals(dataDir, names, faults.journalFiles) : undefined;
  // DuckDB would take 80% of RAM by default; bounded, it spills to disk instead of growing the process.
  // It spills into the data directory, not `.tmp` in the working directory (two runs there would share it).
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: config.local.duckdbMemoryLimit,
    temp_directory: path.join(dataDir, '.duckdb-spill'),
  });
  const s3 = new LocalS3({ dataDir });
  const bus = makeLocalEventBus({ timeScale, dataDir });
  const compaction = options.compaction ?? compactionFromEnv();
  const { glue, athena } = makeEngines({ dataDir, instance, s3, bus, faults, ...(compaction ? { compaction } : {}) });
  let lastCause: string | undefined;
  const health = () => combinedHealth([() => streams.direct.health(), () => streams.devices.health()]);
  const onError = () => {
    const { cause } = health();
    if (cause !== undefined && cause !== lastCause) log(`ERROR ${new Date().toISOString()} ${cause}`);
    lastCause = cause;
  };
  const deliveryS3 = faults.deliveryPutObject ? { putObject: faults.deliveryPutObject(s3.putObject) } : s3;
  const { closeTransform, ...streams } = makeDeliveryStreams(
    deliveryS3,
    {
      timeScale,
      transformTimeoutMs: options.transformTimeoutMs,
      transformWorkers: options.transformWorkers ?? config.local.transformWorkers,
      ...(options.maxActivePartitions === undefined ? {} : { maxActivePartitions: options.maxActivePartitions }),
      onError,
      ...(opened ? { journals: opened.journals } : {}),
    },
    faults,
  );
  const queues = makeQueues(timeScale, durable ? dataDir : undefined);
  const catalogue = loadReportCatalogue(defaultReportsDir());
  const startedQueries: StartedQuery[] = [];
  const startQuery: StartQuery = async (request) => {
    const queryExecutionId = await athena.startQuery(request);
    startedQueries.push({ queryExecutionId, ...parseReportQueryMarker(request.queryString) });
    return queryExecutionId;
  };
  const startJobRun = faults.startJobRun?.(glue.startJobRun) ?? glue.startJobRun;
  const handlers = lakeHandlers(
    s3,
    startJobRun,
    startQuery,
    catalogue,
    async (id) => athena.getQueryExecution(id),
    timeScale,
    options.cadence,
  );
  const gate = startCadenceTicker(handlers.cadenceTick, { timeScale });
  startConsumers(queues, {
    rawObjects: faults.consumer?.('rawObjects', handlers.rawObjects) ?? handlers.rawObjects,
    curatedRuns: faults.consumer?.('curatedRuns', handlers.curatedRuns) ?? handlers.curatedRuns,
    reportResults: faults.consumer?.('reportResults', handlers.reportResults) ?? handlers.reportResults,
  });
  wireNotifications(s3, queues, faults);
  const maxRunRetries = options.maxRunRetries ?? config.glue.maxRunRetries;
  const chains = wireRetries(bus, { glue, athena, startQuery, maxRunRetries, dataDir });
  streams.direct.replay(opened?.replay.direct ?? []);
  streams.devices.replay(opened?.replay.devices ?? []);
  const journalRecords = (opened?.replay.direct.length ?? 0) + (opened?.replay.devices.length ?? 0);
  const queuedBodies = [queues.rawObjects.queue, queues.curatedRuns.queue].flatMap((q) =>
    q.peekMessages().map((m) => m.body),
  );
  const held = chains.heldObjects();
  const announced = await reannounce({ s3, jobName: localJobName, catalogue, queuedBodies, held });
  return {
    dataDir,
    instance,
    s3,
    ...streams,
    putRecords: faults.putRecords?.(streams.direct.putRecordBatch) ?? streams.direct.putRecordBatch,
    publishFromDevices: makeTopicRule(config.devices.topicFilter, streams.devices),
    queues,
    bus,
    glue,
    gate,
    athena,
    catalogue,
    startedQueries,
    recovered: { journalRecords, ...announced },
    health,
    close: async () => {
      await gate.stop();
      await bus.stop(); // pending retries stay in _eventbridge/state.json for the next start
      await Promise.all(Object.values(queues).map(({ queue }) => queue.stop()));
      // DLQ messages are data: they outlive the process, for `eventlake replay dlq`.
      await persistDlqs({ dataDir, queues });
      for (const { queue, dlq } of Object.values(queues)) {
        queue.closeLog();
        dlq.closeLog(true); // now in _dlq/, where `eventlake replay dlq` takes them from
      }
      streams.direct.stop();
      streams.devices.stop();
      await opened?.journals.direct.close();
      await opened?.journals.devices.close();
      instance.closeSync();
      await closeTransform();
      release();
    },
  };
}

/** EVENTLAKE_COMPACTION: a JSON object of compaction settings (e.g. `{"openMaxFiles":1}`), for a whole process tree. */
function compactionFromEnv(): Partial<CompactionSettings> | undefined {
  const text = process.env.EVENTLAKE_COMPACTION;
  if (text === undefined || text === '') return undefined;
  const value = JSON.parse(text) as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('EVENTLAKE_COMPACTION must be a JSON object of compaction settings');
  }
  return value as Partial<CompactionSettings>;
}
