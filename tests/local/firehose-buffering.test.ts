import type { FirehoseTransformationEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUCKET,
  bytes,
  type Harness,
  harness,
  OBJECT_NAME,
  okRecord,
  passThrough,
  readGzipObject,
} from './firehose-helpers.js';

let h: Harness;
afterEach(() => h.cleanup());

const filler = (type: string, size: number): Uint8Array => bytes(`${type} ${'x'.repeat(size - type.length - 1)}`);

describe('PutRecordBatch limits', () => {
  it.each([
    ['501 records', Array.from({ length: 501 }, () => bytes('a'))],
    ['no records', []],
    ['a record over 1,000 KiB', [new Uint8Array(1_024_001)]],
    ['a call over 4 MiB', Array.from({ length: 5 }, () => new Uint8Array(1_000_000))],
  ])('rejects %s with InvalidArgumentException', async (_, records) => {
    h = await harness(passThrough);
    await expect(h.stream.putRecordBatch(records)).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    expect(h.stream.stats().recordsIn).toBe(0);
  });

  it('accepts exactly 500 records and a 1,000 KiB record', async () => {
    h = await harness(passThrough);
    expect(await h.stream.putRecordBatch(Array.from({ length: 500 }, () => bytes('a')))).toHaveLength(500);
    expect(await h.stream.putRecordBatch([new Uint8Array(1_024_000)])).toEqual([
      { ok: true, recordId: expect.any(String) },
    ]);
  });

  it('answers ServiceUnavailableException per entry while the backlog is full, then accepts again', async () => {
    h = await harness(passThrough, { maxBacklogBytes: 1_000 });
    const results = await h.stream.putRecordBatch([filler('a', 600), filler('a', 600)]);
    expect(results[0]).toMatchObject({ ok: true });
    expect(results[1]).toEqual({ ok: false, errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' });
    await h.stream.flush();
    expect((await h.stream.putRecordBatch([filler('a', 600)]))[0]).toMatchObject({ ok: true });
    expect(h.stream.stats().throttled).toBe(1);
  });
});

describe('processor buffering', () => {
  it('invokes the transform when the processor buffer fills, keeping each payload under it', async () => {
    h = await harness(passThrough, { settings: { processorBufferSizeMB: 0.01 } });
    await h.stream.putRecordBatch(Array.from({ length: 30 }, () => filler('a', 1000)));
    await h.stream.whenIdle();
    expect(h.events.length).toBeGreaterThanOrEqual(3);
    for (const event of h.events) {
      expect(event.records.reduce((sum, r) => sum + r.data.length, 0)).toBeLessThanOrEqual(0.01 * 1024 * 1024);
    }
  });

  it('invokes the transform when the processor interval passes', async () => {
    h = await harness(passThrough);
    await h.stream.putRecordBatch([bytes('a 1')]);
    await h.clock.advance(59_999);
    expect(h.events).toHaveLength(0);
    await h.clock.advance(1);
    await h.stream.whenIdle();
    expect(h.events).toHaveLength(1);
  });
});

describe('S3 buffering', () => {
  it('delivers a partition when its buffer reaches the size hint, the rest after the interval', async () => {
    h = await harness(passThrough, { settings: { s3BufferSizeMB: 1_000 / (1024 * 1024) }, timeScale: 0.01 });
    await h.stream.putRecordBatch([filler('a', 600), filler('a', 600), filler('a', 600)]);
    await h.clock.advance(600);
    await h.stream.whenIdle();
    const first = await h.s3.listKeys(BUCKET, 'events/type=a/');
    expect(first).toHaveLength(1);
    expect((await readGzipObject(h.s3, first[0] as string)).split('\n')).toHaveLength(3);

    await h.clock.advance(2_999);
    await h.stream.whenIdle();
    expect(await h.s3.listKeys(BUCKET, 'events/')).toHaveLength(1);
    await h.clock.advance(1);
    await h.stream.whenIdle();
    const all = await h.s3.listKeys(BUCKET, 'events/type=a/dt=2025-11-22/');
    expect(all).toHaveLength(2);
    for (const key of all) expect(key).toMatch(OBJECT_NAME);
  });

  it('sends records past the active partition limit to the error prefix', async () => {
    h = await harness(passThrough, { maxActivePartitions: 2 });
    await h.stream.putRecordBatch([bytes('a 1'), bytes('b 2'), bytes('c 3'), bytes('a 4')]);
    await h.stream.flush();
    expect((await h.s3.listKeys(BUCKET, 'events/')).map((k) => k.split('/')[1])).toEqual(['type=a', 'type=b']);
    const overflow = await h.s3.listKeys(BUCKET, 'activePartitionExceeded/');
    expect(overflow).toHaveLength(1);
    const record = JSON.parse(await readGzipObject(h.s3, overflow[0] as string));
    expect(record).toMatchObject({ errorCode: 'DynamicPartitioning.ActivePartitionExceeded' });
    expect(Buffer.from(record.rawData, 'base64').toString()).toBe('c 3\n');
    expect(h.stream.stats().partitioningFailed).toBe(1);
  });

  it('sends Ok records without the partition keys the prefix needs to partitioning-failed', async () => {
    h = await harness(async (event) => ({
      records: event.records.map((r) => okRecord(r.recordId, 'line\n', { zone: 'events' })),
    }));
    await h.stream.putRecordBatch([bytes('a')]);
    await h.stream.flush();
    expect(await h.s3.listKeys(BUCKET, 'partitioning-failed/dt=2025-11-22/')).toHaveLength(1);
  });
});

describe('Kinesis-sourced stream (devices)', () => {
  it('adds the source stream ARN and per-record Kinesis metadata, and refuses direct PUT', async () => {
    const sourceKinesisStreamArn = 'arn:aws:kinesis:eu-west-1:000000000000:stream/eventlake-local-devices';
    h = await harness(passThrough, { name: 'devices', sourceKinesisStreamArn });
    await expect(h.stream.putRecordBatch([bytes('a')])).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await h.stream.putFromKinesis([{ data: bytes('t 1'), partitionKey: 'thermo-0042' }]);
    await h.stream.flush();
    const event = h.events[0] as FirehoseTransformationEvent;
    expect(event.sourceKinesisStreamArn).toBe(sourceKinesisStreamArn);
    expect(event.records[0]?.kinesisRecordMetadata).toMatchObject({
      shardId: 'shardId-000000000000',
      partitionKey: 'thermo-0042',
      approximateArrivalTimestamp: h.clock.now(),
      sequenceNumber: expect.stringMatching(/^\d+$/),
    });
    expect((await h.s3.listKeys(BUCKET, 'events/type=t/'))[0]).toMatch(/\/devices-1-[\d-]+-[0-9a-f-]{36}\.gz$/);
  });
});
