// Transform throughput on 3 MB batches of ~1 KB events, against a floor measured on the same
// batch in the same run: base64 decode + JSON.parse + JSON.stringify + base64 encode, nothing else.
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { transformBatch } from '#shared/transform/firehose-batch.js';
import type { Bench, BenchResult } from './types.js';

const BATCH_BYTES = 3 * 1024 * 1024;
const ARRIVAL_MS = Date.parse('2025-11-22T12:00:00.000Z');

function purchase(i: number): object {
  const items = Array.from({ length: 6 }, (_, k) => ({
    sku: `SKU-${(i * 7 + k) % 9973}-BLUE-M`,
    quantity: 1 + (k % 3),
    unit_price: 9.99 + k,
  }));
  return {
    event_id: `${(0x10000000 + i).toString(16)}-6f1a-4f4e-9a53-${(0x100000000000 + i).toString(16)}`,
    event_type: 'purchase',
    event_version: 1,
    event_time: new Date(ARRIVAL_MS - (i % 3_600_000)).toISOString().replace('Z', '+00:00'),
    sent_at: ARRIVAL_MS - (i % 3_600_000) + 200,
    app_id: `app-${i % 20}`,
    user_id: `user-${i % 50_000}`,
    session_id: `session-${i % 80_000}-${'s'.repeat(20)}`,
    server_received_at: ARRIVAL_MS - 50,
    request_id: `req-${i}-c6e8f1d2-3b4a-4c5d-8e9f-0a1b2c3d4e5f`,
    attributes: { order_id: `order-${i}`, amount: 123.45, currency: 'EUR', payment_method: 'card', items },
  };
}

function invalid(i: number): string {
  const kinds = [
    () => JSON.stringify({ ...purchase(i), attributes: { order_id: 'x', amount: -1, currency: 'eur', items: [] } }),
    () => JSON.stringify({ ...purchase(i), event_type: 'coupon_redeemed' }),
    () => `${JSON.stringify(purchase(i)).slice(0, 500)}`,
  ];
  return (kinds[i % kinds.length] as () => string)();
}

export function transformBenchBatch(invalidShare: number): FirehoseTransformationEvent {
  const records: FirehoseTransformationEvent['records'] = [];
  let bytes = 0;
  for (let i = 0; bytes < BATCH_BYTES; i++) {
    const text = (i * invalidShare) % 1 >= 1 - invalidShare - 1e-9 ? invalid(i) : JSON.stringify(purchase(i));
    bytes += Buffer.byteLength(text);
    records.push({
      recordId: `record-${i}`,
      approximateArrivalTimestamp: ARRIVAL_MS,
      data: Buffer.from(text).toString('base64'),
    });
  }
  return {
    invocationId: 'bench',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:0:deliverystream/bench',
    region: 'eu-west-1',
    records,
  };
}

export function floor(event: FirehoseTransformationEvent): unknown[] {
  return event.records.map((r) => {
    const value = JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'));
    return { recordId: r.recordId, result: 'Ok', data: Buffer.from(`${JSON.stringify(value)}\n`).toString('base64') };
  });
}

/** The floor for a batch with invalid records: text that does not parse is carried as a string. */
export const floorOrInvalidParse = (event: FirehoseTransformationEvent) =>
  event.records.map((r) => {
    const text = Buffer.from(r.data, 'base64').toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    return Buffer.from(`${JSON.stringify(value)}\n`).toString('base64');
  });

function timeBest(fn: () => unknown, rounds: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best;
}

function measure(
  name: string,
  event: FirehoseTransformationEvent,
  floorFn: (e: FirehoseTransformationEvent) => unknown,
): BenchResult {
  const mb = event.records.reduce((sum, r) => sum + Buffer.byteLength(r.data, 'base64'), 0) / 1024 / 1024;
  for (let i = 0; i < 3; i++) {
    // warm up both paths
    transformBatch(event);
    floorFn(event);
  }
  let floorSeconds = Number.POSITIVE_INFINITY;
  let transformSeconds = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    floorSeconds = Math.min(
      floorSeconds,
      timeBest(() => floorFn(event), 3),
    );
    transformSeconds = Math.min(
      transformSeconds,
      timeBest(() => transformBatch(event), 3),
    );
  }
  const n = event.records.length;
  return {
    name,
    figures: {
      records: n,
      'records/s': Math.round(n / transformSeconds),
      'MB/s': Number((mb / transformSeconds).toFixed(1)),
      'floor records/s': Math.round(n / floorSeconds),
      ratio_to_floor: Number((floorSeconds / transformSeconds).toFixed(3)),
    },
    targets: { 'records/s': 100_000, ratio_to_floor: 0.75 },
  };
}

/** Runs both measurements; importing this module for its batch builders runs nothing. */
const bench: Bench = async () => [
  measure('transform: 3 MB batch, ~1 KB events, all valid', transformBenchBatch(0), floor),
  measure('transform: 3 MB batch, ~1 KB events, 10% invalid', transformBenchBatch(0.1), floorOrInvalidParse),
];

export default bench;
