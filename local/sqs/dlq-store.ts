// Dead-letter messages outlive the process: local queues live in memory, so when a pipeline stops,
// what its DLQs hold is kept in <dataDir>/_dlq/<queue>.jsonl (one message a line), from where
// `eventlake replay dlq` redrives it. Storing is idempotent by messageId: calling it twice is harmless.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { QueueName } from '#shared/config.js';
import type { PipelineQueues } from '../pipeline/queues.js';

export interface StoredDlqMessage {
  messageId: string;
  /** The S3 event notification body, exactly as the source queue received it. */
  body: string;
  receiveCount: number;
  storedAt: string;
}

export const dlqQueueNames: readonly QueueName[] = ['rawObjects', 'curatedRuns', 'reportResults'];

export const dlqFile = (dataDir: string, queue: QueueName): string => path.join(dataDir, '_dlq', `${queue}.jsonl`);

export async function readStoredDlq(dataDir: string, queue: QueueName): Promise<StoredDlqMessage[]> {
  let text: string;
  try {
    text = await readFile(dlqFile(dataDir, queue), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StoredDlqMessage);
}

/** Replaces the stored messages of one queue (an empty list removes the file). */
export async function writeStoredDlq(
  dataDir: string,
  queue: QueueName,
  messages: readonly StoredDlqMessage[],
): Promise<void> {
  const file = dlqFile(dataDir, queue);
  if (messages.length === 0) return rm(file, { force: true });
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  await rename(temporary, file);
}

/** Stores every message the pipeline's DLQs hold that is not stored yet; returns how many were added per queue. */
export async function persistDlqs(pipeline: {
  dataDir: string;
  queues: PipelineQueues;
}): Promise<Record<QueueName, number>> {
  const added = { rawObjects: 0, curatedRuns: 0, reportResults: 0 };
  const storedAt = new Date().toISOString();
  for (const queue of dlqQueueNames) {
    const held = pipeline.queues[queue].dlq.peekMessages();
    if (held.length === 0) continue;
    const stored = await readStoredDlq(pipeline.dataDir, queue);
    const known = new Set(stored.map((m) => m.messageId));
    const fresh = held.filter((m) => !known.has(m.messageId)).map((m) => ({ ...m, storedAt }));
    if (fresh.length === 0) continue;
    await writeStoredDlq(pipeline.dataDir, queue, [...stored, ...fresh]);
    added[queue] = fresh.length;
  }
  return added;
}
