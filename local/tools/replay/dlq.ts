// SQS redrive, locally: the dead-letter messages stored in <dataDir>/_dlq/ go back into their source
// queue of a started pipeline (as `aws sqs start-message-move-task` moves them in the cloud), the
// pipeline settles, and whatever fails again is back in the DLQ — and stored again.
import type { QueueName } from '#shared/config.js';
import type { LocalPipeline } from '../../pipeline/pipeline.js';
import { settle } from '../../pipeline/settle.js';
import { persistDlqs, readStoredDlq, writeStoredDlq } from '../../sqs/dlq-store.js';

export interface RedriveOutcome {
  queue: QueueName;
  redriven: number;
  /** Messages of this queue in its DLQ after the pipeline settled (redriven ones that failed again). */
  backInDlq: number;
}

export async function redriveStoredDlqs(p: LocalPipeline, queues: readonly QueueName[]): Promise<RedriveOutcome[]> {
  const redriven = new Map<QueueName, number>();
  for (const queue of queues) {
    const stored = await readStoredDlq(p.dataDir, queue);
    for (const message of stored) await p.queues[queue].queue.sendMessage(message.body);
    redriven.set(queue, stored.length);
  }
  await settle(p);
  // Only now: a crash before this point leaves the stored messages in place for the next redrive.
  for (const queue of queues) await writeStoredDlq(p.dataDir, queue, []);
  await persistDlqs(p);
  return queues.map((queue) => ({
    queue,
    redriven: redriven.get(queue) ?? 0,
    backInDlq: p.queues[queue].dlq.stats().visible,
  }));
}
