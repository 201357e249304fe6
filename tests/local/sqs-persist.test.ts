// Local queues outlive the process: a queue restarted from its log holds exactly the messages not
// deleted, with their receive counts (so the redrive policy keeps counting), and a message moved to
// the DLQ is in the DLQ's log, not the source's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../local/pipeline/clock.js';
import { QueueLog, queueLogFile } from '../../local/sqs/queue-log.js';
import { LocalQueue } from '../../local/sqs/sqs.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'eventlake-sqs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(clock: ManualClock) {
  const dlq = new LocalQueue(
    { name: 'q-dlq', visibilityTimeoutSeconds: 30, clock },
    QueueLog.open(queueLogFile(dir, 'q-dlq'), clock.now()),
  );
  const queue = new LocalQueue(
    { name: 'q', visibilityTimeoutSeconds: 10, maxReceiveCount: 2, deadLetterQueue: dlq, clock },
    QueueLog.open(queueLogFile(dir, 'q'), clock.now()),
  );
  return { queue, dlq };
}

const contents = (q: LocalQueue) => q.peekMessages().map((m) => [m.body, m.receiveCount]);

describe('persisted local queues', () => {
  it('restart with the undeleted messages and their receive counts', async () => {
    const clock = new ManualClock();
    const first = open(clock);
    for (const body of ['ok', 'fails', 'poison']) await first.queue.sendMessage(body);
    // 'ok' succeeds and is deleted; the other two fail (partial batch response) and stay.
    first.queue.startConsumer(
      async (event: SQSEvent): Promise<SQSBatchResponse> => ({
        batchItemFailures: event.Records.filter((r) => r.body !== 'ok').map((r) => ({ itemIdentifier: r.messageId })),
      }),
      { batchSize: 10 },
    );
    await clock.advance(0);
    await first.queue.stop();
    first.queue.closeLog(); // the process dies here: nothing else is written
    first.dlq.closeLog();

    const second = open(clock);
    expect(contents(second.queue)).toEqual([
      ['fails', 1],
      ['poison', 1],
    ]);
    // One more failed receive each reaches maxReceiveCount 2; the next receive moves them to the DLQ.
    second.queue.startConsumer(
      async (event: SQSEvent): Promise<SQSBatchResponse> => ({
        batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
      }),
      { batchSize: 10 },
    );
    await clock.advance(0);
    await clock.advance(10_000);
    await second.queue.stop();
    second.queue.closeLog();
    second.dlq.closeLog();

    const third = open(clock);
    expect(contents(third.queue)).toEqual([]);
    expect(contents(third.dlq).map(([body]) => body)).toEqual(['fails', 'poison']);
  });
});
