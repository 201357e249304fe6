// Concurrent transform invocations on one delivery stream (concurrentInvocations): they start in
// dispatch order, at most that many at once, and their outcomes reach S3 in dispatch order.
import { afterEach, describe, expect, it } from 'vitest';
import type { TransformHandler } from '../../local/firehose/processor.js';
import { BUCKET, bytes, type Harness, harness, passThrough, readGzipObject } from './firehose-helpers.js';

let h: Harness;
afterEach(() => h.cleanup());

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('LocalDeliveryStream concurrentInvocations', () => {
  it('keeps at most that many invocations in flight and routes their outcomes in order', async () => {
    const started: string[] = [];
    const release: (() => void)[] = [];
    const gated: TransformHandler = async (event) => {
      started.push(Buffer.from(event.records[0]?.data ?? '', 'base64').toString('utf8'));
      await new Promise<void>((resolve) => release.push(resolve));
      return passThrough(event);
    };
    // A processor buffer smaller than one record: every record is its own invocation.
    h = await harness(gated, { concurrentInvocations: 2, settings: { processorBufferSizeMB: 0.0001 } });
    await h.stream.putRecordBatch(['a 1', 'a 2', 'a 3'].map(bytes));
    const flushed = h.stream.flush();
    await until(() => started.length === 2);
    expect(started).toEqual(['a 1', 'a 2']);

    release[1]?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started).toHaveLength(2);
    release[0]?.();
    await until(() => started.length === 3);
    release[2]?.();
    await flushed;

    const [key, ...others] = await h.s3.listKeys(BUCKET, 'events/');
    expect(others).toEqual([]);
    expect(await readGzipObject(h.s3, key as string)).toBe('a 1\na 2\na 3\n');
    expect(h.stream.stats()).toMatchObject({ invocations: 3, invocationAttempts: 3, deliveredRecords: 3 });
  });
});
