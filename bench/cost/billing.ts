// What AWS bills, from usage counts: the price table is shared/pipeline.json `prices` (dated,
// us-east-1; Athena's price is the athena block). Pure arithmetic: usage in, dollars per service out.
import { config } from '#shared/config.js';

export type Prices = typeof config.prices;
export interface AthenaPrices {
  pricePerTBScannedUSD: number;
  minimumBytesBilled: number;
}

const GB = 2 ** 30;
/** Athena's TB is 10^12 bytes, as everywhere else in the project (local/athena/execution.ts). */
const TB = 1e12;
export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/** Bytes Firehose bills for one record: its size rounded up to the next 5 KB step. */
export const firehoseBilledBytes = (recordBytes: number, prices: Prices = config.prices): number =>
  steps(recordBytes, prices.firehose.recordIncrementBytes) * prices.firehose.recordIncrementBytes;

/** Glue: DPU × billed seconds, per second with the 1-minute minimum. */
export function glueRunUsd(dpu: number, seconds: number, perDpuHour: number, prices: Prices = config.prices): number {
  const billed = Math.max(prices.glue.minimumBilledSeconds, Math.ceil(seconds));
  return (dpu * billed * perDpuHour) / 3600;
}

/** Athena: bytes scanned, at least the 10 MB minimum per query. */
export const athenaQueryUsd = (scannedBytes: number, athena: AthenaPrices = config.athena): number =>
  (Math.max(scannedBytes, athena.minimumBytesBilled) / TB) * athena.pricePerTBScannedUSD;

/** Lambda arm64: GB-seconds of configured memory × billed duration (1 ms steps), plus requests. */
export function lambdaUsd(
  invocations: number,
  msEach: number,
  memoryMB: number,
  prices: Prices = config.prices,
): number {
  const gbSeconds = invocations * (Math.ceil(msEach) / 1000) * (memoryMB / 1024);
  return gbSeconds * prices.lambda.arm64PerGBSecond + (invocations / 1e6) * prices.lambda.perMillionRequests;
}

/** Steps of `step` bytes a record of `bytes` is billed as (at least one). */
export const steps = (bytes: number, step: number): number => Math.max(1, Math.ceil(bytes / step));

/** Kinesis on-demand: stream-hours, data in (each record rounded up to 1 KB) and data read out. */
export function kinesisOnDemandUsd(hours: number, billedInBytes: number, bytesOut: number, prices = config.prices) {
  const k = prices.kinesis;
  return (
    hours * k.onDemandPerStreamHour + (billedInBytes / GB) * k.onDemandPerGBIn + (bytesOut / GB) * k.onDemandPerGBOut
  );
}

/** Kinesis provisioned: shard-hours and PUT payload units (one per started 25 KB of a record). */
export const kinesisProvisionedUsd = (shards: number, hours: number, putUnits: number, prices = config.prices) =>
  shards * hours * prices.kinesis.provisionedPerShardHour +
  (putUnits / 1e6) * prices.kinesis.provisionedPerMillionPutUnits;

/** Shards provisioned mode needs: 1 MiB/s and 1,000 records/s of writes per shard, times a peak factor. */
export const shardsFor = (recordsPerSecond: number, bytesPerSecond: number, peakFactor: number): number =>
  Math.max(1, Math.ceil((peakFactor * recordsPerSecond) / 1000), Math.ceil((peakFactor * bytesPerSecond) / 2 ** 20));

/** SQS bills each request per started 64 KB of payload. */
export const sqsRequests = (calls: number, bytesEach: number, prices: Prices = config.prices): number =>
  calls * Math.max(1, Math.ceil(bytesEach / prices.sqs.requestChunkBytes));

export const s3RequestsUsd = (puts: number, gets: number, prices: Prices = config.prices): number =>
  (puts / 1000) * prices.s3.putCopyPostListPer1000 + (gets / 1000) * prices.s3.getPer1000;

export const s3StorageUsd = (gbMonths: number, prices: Prices = config.prices): number =>
  gbMonths * prices.s3.standardPerGBMonth;

export const firehoseUsd = (billedBytes: number, partitionedBytes: number, objects: number, prices = config.prices) =>
  (billedBytes / GB) * prices.firehose.ingestionPerGB +
  (partitionedBytes / GB) * prices.firehose.dynamicPartitioningPerGB +
  (objects / 1000) * prices.firehose.dynamicPartitioningPer1000Objects;

export const apiGatewayUsd = (requests: number, prices: Prices = config.prices): number =>
  (requests / 1e6) * prices.apiGateway.restPerMillionRequests;

export const cloudWatchUsd = (alarms: number, customMetrics: number, prices: Prices = config.prices): number =>
  alarms * prices.cloudwatch.perAlarmMonth + customMetrics * prices.cloudwatch.perCustomMetricMonth;

/** CloudWatch Logs: bytes ingested, and the steady-state stored bytes (a month's, kept `retentionDays`). */
export function cloudWatchLogsUsd(bytesPerMonth: number, retentionDays: number, prices: Prices = config.prices) {
  const c = prices.cloudwatch;
  const storedGb = (bytesPerMonth / GB) * Math.min(1, retentionDays / DAYS_PER_MONTH);
  return (bytesPerMonth / GB) * c.logsIngestionPerGB + storedGb * c.logsStoragePerGBMonth;
}

export const BYTES_PER_GB = GB;
