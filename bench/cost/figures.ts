// Figures read off a simulated day: event → published-report freshness, files per closed
// partition and their sizes, and the SQS requests the three queues were billed for.
import { config } from '#shared/config.js';
import { assumptions as A } from './assumptions.js';
import { DAY_S } from './firehose-day.js';
import type { LakeDay } from './lake-day.js';
import type { Measured } from './model.js';

/** Weighted quantile of (value, weight) pairs. */
export function quantile(points: readonly [number, number][], q: number): number {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, w]) => sum + w, 0);
  let seen = 0;
  for (const [value, weight] of sorted) {
    seen += weight;
    if (seen >= q * total) return value;
  }
  return sorted.at(-1)?.[0] ?? 0;
}

/**
 * Seconds from an event's arrival to the publication of the reports its run recomputed, over the
 * events that arrived on `day`. An object's events arrived evenly between its first and last
 * arrival; five points stand for them. A run not published by the horizon counts as published then.
 */
export function freshness(lake: LakeDay, day: number, horizon: number): { p50: number; p95: number } {
  const points: [number, number][] = [];
  for (const run of lake.runs) {
    for (const o of run.objects) {
      if (Math.floor(o.firstArrival / DAY_S) !== day) continue;
      const published = run.publishedAt ?? horizon;
      for (let k = 0; k < 5; k++) {
        const arrival = o.firstArrival + ((k + 0.5) / 5) * (o.lastArrival - o.firstArrival);
        points.push([published - arrival, o.events / 5]);
      }
    }
  }
  return { p50: quantile(points, 0.5), p95: quantile(points, 0.95) };
}

/** Files of the partitions of day 0 (closed: their last events arrived on day 1), and curated bytes a day. */
export function lakeFigures(lake: LakeDay, measured: Measured) {
  const sizes: number[] = [];
  let maxFiles = 0;
  let rowsOfDay1 = 0;
  for (const [id, p] of lake.state.curated) {
    if (id.endsWith('|0')) {
      maxFiles = Math.max(maxFiles, p.files.length);
      sizes.push(...p.files);
    }
    if (id.endsWith('|1')) rowsOfDay1 += p.rows;
  }
  sizes.sort((a, b) => a - b);
  return {
    maxFiles,
    medianFileBytes: sizes[Math.floor(sizes.length / 2)] ?? 0,
    curatedBytesPerDay: rowsOfDay1 * measured.parquetBytesPerRow,
  };
}

/**
 * SQS requests a day: S3's SendMessage per message, the pollers' ReceiveMessage (up to 10 messages
 * each, and a 20 s long poll when idle) and one DeleteMessageBatch per 10 messages, per queue.
 */
export function sqsRequestsPerDay(lake: LakeDay, day = 1): number {
  const idlePolls = A.pollersPerQueue * (DAY_S / A.longPollSeconds);
  let requests = 0;
  for (const name of Object.keys(config.queues).filter((q) => q !== 'messageRetentionSeconds')) {
    const messages = lake.state.dayCount(day, `sqs.${name}.messages`);
    const batches = lake.state.dayCount(day, `sqs.${name}.batches`);
    requests += messages + Math.max(batches, messages / 10) + Math.ceil(messages / 10) + idlePolls;
  }
  return requests;
}
