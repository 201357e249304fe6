// Builds Firehose transformation events from payloads and reads the transform's answers back.
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';

export const ARRIVAL_MS = Date.parse('2025-11-22T10:00:00.000Z');

export function firehoseEvent(
  payloads: readonly (string | Uint8Array | object)[],
  arrivalMs = ARRIVAL_MS,
): FirehoseTransformationEvent {
  return {
    invocationId: 'test-invocation',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/eventlake-test-direct',
    region: 'eu-west-1',
    records: payloads.map((payload, i) => ({
      recordId: `record-${i}`,
      approximateArrivalTimestamp: arrivalMs,
      data: toBase64(payload),
    })),
  };
}

function toBase64(payload: string | Uint8Array | object): string {
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8').toString('base64');
  if (payload instanceof Uint8Array) return Buffer.from(payload).toString('base64');
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
}

export interface DecodedRecord {
  recordId: string;
  result: string;
  partitionKeys?: Record<string, string>;
  line: string;
  // biome-ignore lint/suspicious/noExplicitAny: test helper reads arbitrary output lines
  json: any;
}

export function decode(response: FirehoseTransformationResult): DecodedRecord[] {
  return response.records.map((r) => {
    const line = Buffer.from(r.data ?? '', 'base64').toString('utf8');
    return {
      recordId: r.recordId,
      result: r.result,
      partitionKeys: r.metadata?.partitionKeys,
      line,
      // A packed record's output holds several lines: `json` is the first.
      json: line === '' ? undefined : JSON.parse(line.slice(0, line.indexOf('\n') + 1 || undefined)),
    };
  });
}

export const validPurchase = (overrides: Record<string, unknown> = {}) => ({
  event_id: '0b9d3c2e-6f1a-4f4e-9a53-3c1b2f8d7e01',
  event_type: 'purchase',
  event_time: '2025-11-22T09:59:00.000Z',
  app_id: 'shop-web',
  attributes: { order_id: 'o-1', amount: 12.5, currency: 'EUR', items: [{ sku: 'A', quantity: 1, unit_price: 12.5 }] },
  ...overrides,
});
