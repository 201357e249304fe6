// One scenario of the cost model: a load and a configuration, simulated for two days (day 0 fills
// the pipeline, day 1 is the steady day that is billed) plus a drain, then billed per service.
import { config } from '#shared/config.js';
import { compactionSettings } from '#shared/lake/compaction.js';
import { assumptions as A } from './assumptions.js';
import * as $ from './billing.js';
import type { SampleShape } from './classes.js';
import { freshness, lakeFigures, sqsRequestsPerDay } from './figures.js';
import { DAY_S, simulateFirehose } from './firehose-day.js';
import { cadenceGate, type GateSettings, type LakeGate } from './gate.js';
import { type LakeDay, simulateLake } from './lake-day.js';

export interface Scenario {
  eventsPerSecond: number;
  /** undefined: the pre-gate baseline, one run per SQS batch; else the real cadence gate with this knob. */
  gate?: GateSettings;
  /** The project's compaction rules (shared/lake/compaction.ts, glue.compaction) applied by every run. */
  compaction?: boolean;
  packing: boolean;
  kinesis: 'on-demand' | 'provisioned';
  glueExecutionClass: 'STANDARD' | 'FLEX';
}

export interface Measured {
  gzipRatio: number;
  parquetBytesPerRow: number;
  alarms: number;
  customMetrics: number;
  /** provider.logRetentionInDays of the λ log groups. */
  logRetentionDays: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  lines: { service: string; usdPerMonth: number }[];
  usdPerMonth: number;
  usdPerMillionEvents: number;
  eventsPerMonth: number;
  glueRunsPerDay: number;
  maxFilesPerClosedPartition: number;
  medianFileMB: number;
  freshnessP50Minutes: number;
  freshnessP95Minutes: number;
  /** Runs still queued or running at the horizon (their events' freshness is a lower bound). */
  backlogRuns: number;
  kinesisOnDemandUsd: number;
  kinesisProvisionedUsd: number;
  /** Shards the devices' write rate needs (peak factor applied), and the shards billed. */
  kinesisShardsNeeded: number;
  kinesisShards: number;
  /** The event_id anti-join per run of the billed day: mean and largest bytes read. */
  antiJoinMBPerRun: { mean: number; max: number };
  /** Partition rewrites of the billed day (closed shape, open file count) and their Parquet GB read + written. */
  rewritesPerDay: { closed: number; fileCount: number; gb: number };
  counts: Record<string, number>;
}

const DAY = 1;
const HORIZON_S = 3 * DAY_S;

export interface Shapes {
  /** The sample with the ingest λ's packing on (firehose.packRecordBytes) and off. */
  packed: SampleShape;
  unpacked: SampleShape;
}

export async function runScenario(shapes: Shapes, measured: Measured, s: Scenario): Promise<ScenarioResult> {
  const shape = s.packing ? shapes.packed : shapes.unpacked;
  const firehose = simulateFirehose(shape, { eventsPerSecond: s.eventsPerSecond, seconds: 2 * DAY_S });
  const gate: LakeGate | undefined = s.gate ? cadenceGate(s.gate) : undefined;
  const lake = await simulateLake(firehose, {
    gate,
    compaction: s.compaction ? compactionSettings() : undefined,
    startDelaySeconds: s.glueExecutionClass === 'FLEX' ? A.flexStartDelaySeconds : 0,
    gzipRatio: measured.gzipRatio,
    parquetBytesPerRow: measured.parquetBytesPerRow,
    horizonSeconds: HORIZON_S,
  });
  return bill(s, shape, measured, firehose, lake);
}

function bill(
  s: Scenario,
  shape: SampleShape,
  measured: Measured,
  firehose: ReturnType<typeof simulateFirehose>,
  lake: LakeDay,
): ScenarioResult {
  const perDay = s.eventsPerSecond * DAY_S;
  const month = $.DAYS_PER_MONTH;
  const state = lake.state;
  const lines: ScenarioResult['lines'] = [];
  const line = (service: string, usdPerDay: number) => lines.push({ service, usdPerMonth: usdPerDay * month });

  const apiRequests = perDay * shape.appShare * shape.requestsPerAppEvent;
  line('API Gateway (REST)', $.apiGatewayUsd(apiRequests));
  const directRecordsPerEvent = shape.directRecordsPerEvent;
  const putCalls = Math.max(
    1,
    Math.ceil((directRecordsPerEvent * perDay) / apiRequests / config.firehose.putRecordBatchMaxRecords),
  );
  const ingestMs = shape.ingestMsPerRequest + putCalls * A.awsCallMs;
  let lambdaUsd = $.lambdaUsd(apiRequests, ingestMs, A.ingestMemoryMB);
  for (const stream of ['direct', 'devices'] as const) {
    const invocations = firehose.invocations[stream] / 2;
    const recordsEach = firehose.records[stream] / 2 / Math.max(1, invocations);
    lambdaUsd += $.lambdaUsd(invocations, recordsEach * shape.transformMsPerRecord + 5, config.transform.memorySize);
  }
  for (const { invocations, ms } of lake.lambda[DAY]?.values() ?? []) {
    lambdaUsd += $.lambdaUsd(invocations, ms / Math.max(1, invocations), A.smallMemoryMB);
  }
  line('Lambda (5 functions, arm64)', lambdaUsd);

  const billed = perDay * (shape.directBilledPerEvent + shape.devicesBilledPerEvent);
  const processed = perDay * shape.classes.reduce((sum, c) => sum + c.share * c.inBytes, 0);
  const objects = state.dayCount(DAY, 'firehoseObjects');
  line('Firehose (ingestion in 5 KB steps)', $.firehoseUsd(billed, 0, 0));
  line('Firehose dynamic partitioning', $.firehoseUsd(0, processed, objects));

  const deviceRecords = perDay * shape.deviceShare;
  const deviceBytes = deviceRecords * shape.meanDeviceRecordBytes;
  const onDemand = $.kinesisOnDemandUsd(24, perDay * shape.kinesisBilledInPerEvent, deviceBytes);
  const shardsNeeded = $.shardsFor(deviceRecords / DAY_S, deviceBytes / DAY_S, A.kinesisPeakFactor);
  // The stream has devices.shardCount shards; a load that needs more is billed the shards it needs.
  const shards = Math.max(config.devices.shardCount, shardsNeeded);
  const provisioned = $.kinesisProvisionedUsd(shards, 24, perDay * shape.kinesisPutUnitsPerEvent);
  line('Kinesis Data Streams (devices)', s.kinesis === 'provisioned' ? provisioned : onDemand);

  const workers = config.glue.numberOfWorkers * config.prices.glue.dpuPerWorker[config.glue.workerType as 'G.1X'];
  const perDpuHour =
    s.glueExecutionClass === 'FLEX' ? config.prices.glue.flexPerDpuHour : config.prices.glue.perDpuHour;
  // A day's runs: those submitted on day 1, with the rewrites they did (day 0's partitions close
  // at 02:00 of day 1: the first run after that rewrites those whose shape breaks the rule).
  const dayRuns = lake.runs.filter((r) => Math.floor(r.submittedAt / DAY_S) === DAY);
  line(
    'Glue Parquet job',
    dayRuns.reduce((sum, r) => sum + $.glueRunUsd(workers, r.seconds, perDpuHour), 0),
  );
  const queries = lake.athena.filter((q) => q.day === DAY);
  line(
    'Athena',
    queries.reduce((sum, q) => sum + $.athenaQueryUsd(q.scanned), 0),
  );

  const lakeOut = lakeFigures(lake, measured);
  const puts = state.dayCount(DAY, 's3Put') + state.dayCount(DAY, 's3List');
  line('S3 requests', $.s3RequestsUsd(puts, state.dayCount(DAY, 's3Get')));
  const storedPerDay = (processed * measured.gzipRatio + lakeOut.curatedBytesPerDay) / $.BYTES_PER_GB;
  // Superseded generations are held glue.compaction.retainSupersededMinutes before their deletion.
  const supersededGbMonths =
    (state.dayCount(DAY, 'supersededBytes') / $.BYTES_PER_GB) *
    (config.glue.compaction.retainSupersededMinutes / 60 / $.HOURS_PER_MONTH);
  line(
    'S3 storage (the month added, held half a month)',
    $.s3StorageUsd((storedPerDay * month) / 2) / month + $.s3StorageUsd(supersededGbMonths),
  );
  const sqs = sqsRequestsPerDay(lake);
  line('SQS', (sqs / 1e6) * config.prices.sqs.perMillionRequests);
  line('CloudWatch (alarms, custom metrics)', $.cloudWatchUsd(measured.alarms, measured.customMetrics) / month);
  const lambdaLine = A.lambdaPlatformLogBytes;
  const infoLine = A.powertoolsInfoLineBytes;
  let lakeInvocations = 0;
  for (const { invocations } of lake.lambda[DAY]?.values() ?? []) lakeInvocations += invocations;
  const transformInvocations = (firehose.invocations.direct + firehose.invocations.devices) / 2;
  const logBytesPerDay =
    apiRequests * (lambdaLine + infoLine) +
    transformInvocations * (lambdaLine + infoLine) +
    lakeInvocations * lambdaLine +
    dayRuns.length * (infoLine + A.glueLogBytesPerRun);
  line(
    'CloudWatch Logs (λ and Glue logs)',
    $.cloudWatchLogsUsd(logBytesPerDay * month, measured.logRetentionDays) / month,
  );

  const usdPerMonth = lines.reduce((sum, l) => sum + l.usdPerMonth, 0);
  const eventsPerMonth = perDay * month;
  const fresh = freshness(lake, DAY, HORIZON_S);
  return {
    scenario: s,
    lines,
    usdPerMonth,
    usdPerMillionEvents: usdPerMonth / (eventsPerMonth / 1e6),
    eventsPerMonth,
    glueRunsPerDay: dayRuns.length,
    maxFilesPerClosedPartition: lakeOut.maxFiles,
    medianFileMB: lakeOut.medianFileBytes / 2 ** 20,
    freshnessP50Minutes: fresh.p50 / 60,
    freshnessP95Minutes: fresh.p95 / 60,
    backlogRuns: lake.runs.filter((r) => r.finishedAt > HORIZON_S).length,
    kinesisOnDemandUsd: onDemand * month,
    kinesisProvisionedUsd: provisioned * month,
    kinesisShardsNeeded: shardsNeeded,
    kinesisShards: shards,
    antiJoinMBPerRun: {
      mean: dayRuns.reduce((n, r) => n + r.antiJoinBytes, 0) / Math.max(1, dayRuns.length) / 2 ** 20,
      max: Math.max(0, ...dayRuns.map((r) => r.antiJoinBytes)) / 2 ** 20,
    },
    rewritesPerDay: {
      closed: state.dayCount(DAY, 'rewrite.closed'),
      fileCount: state.dayCount(DAY, 'rewrite.file-count'),
      gb: dayRuns.reduce((n, r) => n + r.rewriteBytes, 0) / $.BYTES_PER_GB,
    },
    counts: {
      apiRequests,
      firehoseRecords: (firehose.records.direct + firehose.records.devices) / 2,
      transformInvocations: (firehose.invocations.direct + firehose.invocations.devices) / 2,
      s3Objects: objects,
      sqsMessages: Object.values(lake.queues).reduce((n, q) => n + q.counts.messages, 0) / 3,
      athenaQueries: queries.length,
      peakActivePartitions: firehose.peakActivePartitions,
    },
  };
}
