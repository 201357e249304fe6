// The cost model's billing arithmetic (bench/cost/billing.ts): known usage → known dollars at the
// dated price table, including the 5 KB Firehose step, Glue's 1-minute and Athena's 10 MB minimums.
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import * as $ from '../../bench/cost/billing.js';

const GB = 2 ** 30;

describe('cost model billing', () => {
  it('bills a Firehose record in 5 KB steps: a 1-byte and a 5 KB record cost one step, 5 KB + 1 byte two', () => {
    expect(config.prices.firehose.recordIncrementBytes).toBe(5120);
    expect($.firehoseBilledBytes(1)).toBe(5120);
    expect($.firehoseBilledBytes(1024)).toBe(5120);
    expect($.firehoseBilledBytes(5120)).toBe(5120);
    expect($.firehoseBilledBytes(5121)).toBe(10_240);
    expect($.firehoseBilledBytes(0)).toBe(5120);
  });

  it('bills Firehose ingestion, dynamic partitioning bytes and delivered objects separately', () => {
    expect($.firehoseUsd(GB, 0, 0)).toBeCloseTo(0.029, 10);
    expect($.firehoseUsd(0, GB, 0)).toBeCloseTo(0.02, 10);
    expect($.firehoseUsd(0, 0, 1000)).toBeCloseTo(0.005, 10);
    // A million 1 KB events one per record bill 5 GB-ish of steps: 5x the bytes.
    expect($.firehoseUsd(1e6 * $.firehoseBilledBytes(1024), 0, 0)).toBeCloseTo((1e6 * 5120 * 0.029) / GB, 10);
  });

  it('bills a Glue run at least one minute of its DPUs, per second above it', () => {
    expect($.glueRunUsd(2, 10, 0.44)).toBeCloseTo((2 * 60 * 0.44) / 3600, 10);
    expect($.glueRunUsd(2, 60, 0.44)).toBeCloseTo(0.014_666_666_7, 8);
    expect($.glueRunUsd(2, 90, 0.44)).toBeCloseTo(0.022, 10);
    expect($.glueRunUsd(2, 90.2, 0.44)).toBeCloseTo((2 * 91 * 0.44) / 3600, 10);
    expect($.glueRunUsd(2, 90, config.prices.glue.flexPerDpuHour)).toBeCloseTo(0.0145, 10);
  });

  it('bills an Athena query at least 10 MB, at $5 per 10^12 bytes', () => {
    expect($.athenaQueryUsd(0)).toBeCloseTo((10_485_760 / 1e12) * 5, 15);
    expect($.athenaQueryUsd(1_000_000)).toBeCloseTo($.athenaQueryUsd(10_485_760), 15);
    expect($.athenaQueryUsd(1e12)).toBeCloseTo(5, 10);
    expect($.athenaQueryUsd(20_971_520)).toBeCloseTo(2 * $.athenaQueryUsd(0), 15);
  });

  it('bills Lambda arm64 GB-seconds of configured memory in 1 ms steps, plus requests', () => {
    expect($.lambdaUsd(1e6, 100, 1024)).toBeCloseTo(100_000 * 0.000_013_333_4 + 0.2, 8);
    expect($.lambdaUsd(1e6, 99.2, 1024)).toBeCloseTo($.lambdaUsd(1e6, 100, 1024), 10);
    expect($.lambdaUsd(1e6, 100, 256)).toBeCloseTo(25_000 * 0.000_013_333_4 + 0.2, 8);
  });

  it('bills Kinesis on-demand per stream-hour and GB, provisioned per shard-hour and 25 KB PUT unit', () => {
    expect($.kinesisOnDemandUsd(730, GB, GB)).toBeCloseTo(730 * 0.04 + 0.08 + 0.04, 10);
    expect($.kinesisProvisionedUsd(1, 730, 1e6)).toBeCloseTo(730 * 0.015 + 0.014, 10);
    expect($.steps(1024, config.prices.kinesis.putUnitBytes)).toBe(1);
    expect($.steps(25_601, config.prices.kinesis.putUnitBytes)).toBe(2);
    expect($.shardsFor(30, 30 * 1024, 2)).toBe(1);
    expect($.shardsFor(1500, 0, 1)).toBe(2);
    expect($.shardsFor(100, 3 * 2 ** 20, 1)).toBe(3);
  });

  it('counts an SQS request per started 64 KB and bills S3, API Gateway and CloudWatch at list price', () => {
    expect($.sqsRequests(10, 65_536)).toBe(10);
    expect($.sqsRequests(10, 65_537)).toBe(20);
    expect($.s3RequestsUsd(1000, 1000)).toBeCloseTo(0.0054, 10);
    expect($.s3StorageUsd(100)).toBeCloseTo(2.3, 10);
    expect($.apiGatewayUsd(1e6)).toBeCloseTo(3.5, 10);
    expect($.cloudWatchUsd(21, 26)).toBeCloseTo(2.1 + 7.8, 10);
  });

  it('bills CloudWatch Logs per GB ingested, and storage for what the retention keeps', () => {
    // A month's 10 GB kept 30 of 30.42 days: 10 GB ingested, 9.86 GB-months stored.
    expect($.cloudWatchLogsUsd(10 * GB, 30)).toBeCloseTo(10 * 0.5 + 10 * (30 / (730 / 24)) * 0.03, 10);
    // Kept longer than a month: the steady state stores a month's logs, not more.
    expect($.cloudWatchLogsUsd(10 * GB, 365)).toBeCloseTo(10 * 0.5 + 10 * 0.03, 10);
  });
});
