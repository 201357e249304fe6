import type { FirehoseTransformationEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { BatchCounts } from '#shared/transform/firehose-batch.js';
import { makeTransformHandler } from '../../functions/transform.js';
import { loadEvent } from '../helpers/events.js';
import { decode } from '../helpers/firehose.js';

describe('transform handler on the sample Firehose events', () => {
  it('answers every DirectPut record once, with lines and partition keys per zone', async () => {
    const event = loadEvent<FirehoseTransformationEvent>('firehose-direct');
    const reported: BatchCounts[] = [];
    const out = decode(await makeTransformHandler((c) => reported.push(c))(event));

    expect(out.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
    expect(out.every((r) => r.result === 'Ok' && r.line.endsWith('\n') && !r.line.slice(0, -1).includes('\n'))).toBe(
      true,
    );
    expect(out.map((r) => r.partitionKeys)).toEqual([
      { zone: 'events', event_type: 'purchase', dt: '2025-11-22' },
      { zone: 'events', event_type: 'page_view', dt: '2025-11-22' },
      { zone: 'late', event_type: 'page_view', dt: '2025-11-22' },
      { zone: 'failed', event_type: 'schema_violation', dt: '2025-11-22' },
      { zone: 'failed', event_type: 'malformed_json', dt: '2025-11-22' },
      { zone: 'failed', event_type: 'unknown_event_type', dt: '2025-11-22' },
    ]);
    expect(reported).toEqual([
      {
        records: 6,
        events: 6,
        byZone: { events: 2, late: 1, failed: 3 },
        byFailureType: { schema_violation: 1, malformed_json: 1, unknown_event_type: 1 },
        overflow: 0,
        packRejected: 0,
        packRejections: [],
      },
    ]);
  });

  it('normalises a valid purchase to UTC milliseconds and stamps its source', async () => {
    const event = loadEvent<FirehoseTransformationEvent>('firehose-direct');
    const [purchase] = decode(await makeTransformHandler(() => {})(event));
    expect(purchase?.json).toEqual({
      event_id: '0b9d3c2e-6f1a-4f4e-9a53-3c1b2f8d7e01',
      event_type: 'purchase',
      event_version: 1,
      event_time: '2025-11-22T09:59:58.120Z',
      received_at: '2025-11-22T10:00:00.000Z',
      server_received_at: '2025-11-22T09:59:59.850Z',
      app_id: 'shop-web',
      user_id: 'u-1842',
      session_id: 's-77',
      request_id: 'req-3f2a',
      ingest_source: 'direct',
      attributes: {
        order_id: 'o-9001',
        amount: 59.9,
        currency: 'EUR',
        payment_method: 'card',
        items: [
          { sku: 'TSHIRT-M', quantity: 2, unit_price: 19.95 },
          { sku: 'MUG', quantity: 1, unit_price: 20 },
        ],
      },
    });
  });

  it('keeps readable errors and the original payload in a failed-event record', async () => {
    const event = loadEvent<FirehoseTransformationEvent>('firehose-direct');
    const out = decode(await makeTransformHandler(() => {})(event));
    const violation = out[3]?.json;
    expect(violation.failure_type).toBe('schema_violation');
    expect(violation.errors).toEqual([
      { path: '/attributes/amount', message: 'must be >= 0' },
      { path: '/attributes/currency', message: 'must match pattern "^[A-Z]{3}$"' },
      { path: '/attributes/items', message: 'must NOT have fewer than 1 items' },
    ]);
    expect(violation.payload).toBe(Buffer.from(event.records[3]?.data ?? '', 'base64').toString('utf8'));
    expect(violation).toMatchObject({
      payload_encoding: 'text',
      event_id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e04',
      event_type: 'purchase',
      received_at: '2025-11-22T10:00:00.003Z',
      ingest_source: 'direct',
      delivery_stream: 'eventlake-dev-direct',
      record_id: event.records[3]?.recordId,
    });
  });

  it('handles a Kinesis-source event: shard and partition key, skew and future corrections, bad UTF-8', async () => {
    const event = loadEvent<FirehoseTransformationEvent>('firehose-kinesis');
    const [skewed, future, binary] = decode(await makeTransformHandler(() => {})(event));
    expect(skewed?.json).toMatchObject({
      event_time: '2025-11-22T09:59:54.000Z',
      event_time_original: '2025-11-22T09:59:50Z',
      time_correction: 'clock_skew',
      sent_at: '2025-11-22T09:59:55.000Z',
      device_id: 'thermo-0042',
      ingest_source: 'kinesis',
      ingest_shard_id: 'shardId-000000000003',
      ingest_partition_key: 'thermo-0042',
    });
    expect(future?.json).toMatchObject({
      event_time: '2025-11-22T10:00:00.001Z',
      event_time_original: '2025-11-22T11:30:00Z',
      time_correction: 'future',
    });
    expect(binary?.partitionKeys).toEqual({ zone: 'failed', event_type: 'invalid_utf8', dt: '2025-11-22' });
    expect(binary?.json).toMatchObject({
      payload: event.records[2]?.data,
      payload_encoding: 'base64',
      ingest_source: 'kinesis',
    });
  });

  it('answers a packed DirectPut record with its lines under the shared keys, and one with a bad line ProcessingFailed', async () => {
    const event = loadEvent<FirehoseTransformationEvent>('firehose-direct-packed');
    const reported: BatchCounts[] = [];
    const out = await makeTransformHandler((c) => reported.push(c))(event);
    expect(out.records.map((r) => [r.recordId, r.result])).toEqual([
      [event.records[0]?.recordId, 'Ok'],
      [event.records[1]?.recordId, 'ProcessingFailed'],
    ]);
    expect(out.records[0]?.metadata?.partitionKeys).toEqual({
      zone: 'events',
      event_type: 'page_view',
      dt: '2025-11-22',
    });
    const lines = Buffer.from(out.records[0]?.data ?? '', 'base64')
      .toString('utf8')
      .split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l).event_id)).toEqual([
      '7a1c0e52-4b3d-4e6f-8a9b-0c1d2e3f4001',
      '7a1c0e52-4b3d-4e6f-8a9b-0c1d2e3f4002',
      '7a1c0e52-4b3d-4e6f-8a9b-0c1d2e3f4003',
    ]);
    expect(reported[0]).toMatchObject({ records: 2, events: 3, packRejected: 1 });
    expect(reported[0]?.packRejections[0]).toMatch(/^event 2 of 2: schema_violation/);
  });
});
