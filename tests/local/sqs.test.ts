import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../local/pipeline/clock.js';
import { LocalQueue, type LocalQueueOptions } from '../../local/sqs/sqs.js';

const VISIBILITY_S = 210;

function setup(overrides: Partial<LocalQueueOptions> = {}) {
  const clock = new ManualClock();
  const dlq = new LocalQueue({ name: 'raw-objects-dlq', visibilityTimeoutSeconds: 30, clock });
  const queue = new LocalQueue({
    name: 'raw-objects',
    visibilityTimeoutSeconds: VISIBILITY_S,
    maxReceiveCount: 5,
    deadLetterQueue: dlq,
    clock,
    ...overrides,
  });
  const batches: SQSRecord[][] = [];
  return { clock, dlq, queue, batches };
}

const bodies = (records: SQSRecord[]): string[] => records.map((r) => r.body);
const sendAll = async (queue: LocalQueue, items: string[]) => {
  for (const body of items) await queue.sendMessage(body);
};

describe('LocalQueue delivery', () => {
  it('delivers real SQSEvent records in batches of at most batchSize', async () => {
    const { clock, queue, batches } = setup();
    queue.startConsumer(async (event: SQSEvent) => void batches.push(event.Records), { batchSize: 10 });
    await sendAll(
      queue,
      Array.from({ length: 25 }, (_, i) => `m${i}`),
    );
    await clock.advance(0);

    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    const record = batches[0]?.[0] as SQSRecord;
    expect(record).toMatchObject({
      body: 'm0',
      md5OfBody: createHash('md5').update('m0').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:raw-objects',
      awsRegion: 'eu-west-1',
      messageAttributes: {},
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(clock.now()),
        ApproximateFirstReceiveTimestamp: String(clock.now()),
        SenderId: expect.any(String),
      },
    });
    expect(record.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.receiptHandle.length).toBeGreaterThan(20);
    expect(queue.stats()).toMatchObject({ sent: 25, deleted: 25, visible: 0, inFlight: 0, receives: 25 });
  });

  it('waits for the batching window unless the batch fills first', async () => {
    const { clock, queue, batches } = setup();
    queue.startConsumer(async (event) => void batches.push(event.Records), {
      batchSize: 5,
      maximumBatchingWindowInSeconds: 30,
    });
    await sendAll(queue, ['a', 'b']);
    await clock.advance(29_000);
    expect(batches).toHaveLength(0);
    await clock.advance(1_000);
    expect(batches.map(bodies)).toEqual([['a', 'b']]);

    await sendAll(queue, ['c', 'd', 'e', 'f', 'g']);
    await clock.advance(0);
    expect(batches.map(bodies)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e', 'f', 'g'],
    ]);
  });
});

describe('LocalQueue failures', () => {
  it('returns only the messages listed in batchItemFailures, after the visibility timeout', async () => {
    const { clock, queue, batches } = setup();
    queue.startConsumer(
      async (event): Promise<SQSBatchResponse> => {
        batches.push(event.Records);
        const failed = event.Records.filter((r) => r.body === 'b' && r.attributes.ApproximateReceiveCount === '1');
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { batchSize: 10 },
    );
    await sendAll(queue, ['a', 'b', 'c']);
    await clock.advance(0);
    expect(queue.stats()).toMatchObject({ deleted: 2, inFlight: 1 });

    await clock.advance(VISIBILITY_S * 1000 - 1);
    expect(batches).toHaveLength(1);
    await clock.advance(1);
    expect(batches.map(bodies)).toEqual([['a', 'b', 'c'], ['b']]);
    expect(batches[1]?.[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect(batches[1]?.[0]?.messageId).toBe(batches[0]?.[1]?.messageId);
    expect(queue.stats()).toMatchObject({ deleted: 3, visible: 0, inFlight: 0 });
  });

  it.each([
    ['a thrown error', async (): Promise<SQSBatchResponse> => Promise.reject(new Error('boom'))],
    [
      'an unknown itemIdentifier',
      async (): Promise<SQSBatchResponse> => ({ batchItemFailures: [{ itemIdentifier: 'nope' }] }),
    ],
    [
      'an empty itemIdentifier',
      async (): Promise<SQSBatchResponse> => ({ batchItemFailures: [{ itemIdentifier: '' }] }),
    ],
  ])('fails the whole batch on %s', async (_, respond) => {
    const { clock, queue, batches } = setup();
    let calls = 0;
    queue.startConsumer(
      async (event) => {
        batches.push(event.Records);
        calls += 1;
        return calls === 1 ? respond() : undefined;
      },
      { batchSize: 10 },
    );
    await sendAll(queue, ['a', 'b']);
    await clock.advance(0);
    expect(queue.stats()).toMatchObject({ deleted: 0, inFlight: 2 });
    await clock.advance(VISIBILITY_S * 1000);
    expect(batches.map(bodies)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(batches[1]?.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
    expect(queue.stats().deleted).toBe(2);
  });

  it('ignores the response without ReportBatchItemFailures', async () => {
    const { clock, queue } = setup();
    queue.startConsumer(async () => ({ batchItemFailures: [{ itemIdentifier: 'x' }] }), {
      batchSize: 10,
      reportBatchItemFailures: false,
    });
    await sendAll(queue, ['a']);
    await clock.advance(0);
    expect(queue.stats()).toMatchObject({ deleted: 1, inFlight: 0 });
  });

  it('moves a message to the DLQ after maxReceiveCount receives', async () => {
    const { clock, queue, dlq, batches } = setup({ maxReceiveCount: 3 });
    queue.startConsumer(
      async (event) => {
        batches.push(event.Records);
        throw new Error('poison');
      },
      { batchSize: 10 },
    );
    const { messageId } = await queue.sendMessage('poison');
    await clock.advance(0);
    for (let i = 0; i < 3; i += 1) await clock.advance(VISIBILITY_S * 1000);

    expect(batches.flat().map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    expect(queue.stats()).toMatchObject({ visible: 0, inFlight: 0, inDlq: 1, receives: 3 });
    expect(dlq.peekMessages()).toEqual([{ messageId, body: 'poison', receiveCount: 0 }]);
    await expect(queue.drain()).resolves.toBeUndefined();
  });

  it('refuses event source mapping settings Lambda refuses', () => {
    const { queue } = setup();
    const handler = async () => undefined;
    expect(() => queue.startConsumer(handler, { batchSize: 100 })).toThrow(/MaximumBatchingWindowInSeconds/);
    expect(() => queue.startConsumer(handler, { batchSize: 0 })).toThrow(
      expect.objectContaining({ name: 'InvalidParameterValueException' }),
    );
    expect(() => queue.startConsumer(handler, { batchSize: 100, maximumBatchingWindowInSeconds: 30 })).not.toThrow();
  });

  it('rejects with OverLimit past the configured message bound', async () => {
    const { queue } = setup({ maxMessages: 2 });
    await sendAll(queue, ['a', 'b']);
    await expect(queue.sendMessage('c')).rejects.toMatchObject({ name: 'OverLimit' });
  });
});

describe('LocalQueue on the system clock with timeScale', () => {
  it('redelivers after a scaled visibility timeout and drains', async () => {
    const queue = new LocalQueue({ name: 'q', visibilityTimeoutSeconds: 210, timeScale: 0.0005 });
    const seen: number[] = [];
    queue.startConsumer(
      async () => {
        seen.push(Date.now());
        if (seen.length === 1) throw new Error('first attempt fails');
      },
      { batchSize: 10 },
    );
    await queue.sendMessage('x');
    await queue.drain();
    await queue.stop();

    expect(seen).toHaveLength(2);
    expect((seen[1] as number) - (seen[0] as number)).toBeGreaterThanOrEqual(95);
    expect(queue.stats()).toMatchObject({ deleted: 1, receives: 2 });
  });
});
