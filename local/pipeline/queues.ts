// The stack's three hand-off queues and their DLQs, with Lambda event source mappings, from the
// pipeline config (batch size, batching window, visibility timeout, maxReceiveCount). Given a data
// directory, every queue keeps its messages in a log there and starts with what a crash left in it.
import { config, type QueueName } from '#shared/config.js';
import { QueueLog, queueLogFile } from '../sqs/queue-log.js';
import { LocalQueue, type SqsHandler } from '../sqs/sqs.js';

export type PipelineQueues = Record<QueueName, { queue: LocalQueue; dlq: LocalQueue }>;

const queueNames: QueueName[] = ['rawObjects', 'curatedRuns', 'reportResults'];
const physicalName = (name: QueueName): string =>
  `${config.service}-local-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function makeQueues(timeScale: number, dataDir?: string): PipelineQueues {
  const persisted = (queue: string) =>
    dataDir === undefined ? undefined : QueueLog.open(queueLogFile(dataDir, queue), Date.now());
  const entries = queueNames.map((name) => {
    const settings = config.queues[name];
    const dlqName = `${physicalName(name)}-dlq`;
    const dlq = new LocalQueue(
      {
        name: dlqName,
        visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
        maxMessages: config.local.maxQueueMessages,
        timeScale,
      },
      persisted(dlqName),
    );
    const queue = new LocalQueue(
      {
        name: physicalName(name),
        visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
        maxReceiveCount: settings.maxReceiveCount,
        deadLetterQueue: dlq,
        maxMessages: config.local.maxQueueMessages,
        timeScale,
      },
      persisted(physicalName(name)),
    );
    return [name, { queue, dlq }] as const;
  });
  return Object.fromEntries(entries) as PipelineQueues;
}

export function startConsumers(queues: PipelineQueues, handlers: Record<QueueName, SqsHandler>): void {
  for (const name of queueNames) {
    const settings = config.queues[name];
    queues[name].queue.startConsumer(handlers[name], {
      batchSize: settings.batchSize,
      maximumBatchingWindowInSeconds: settings.batchingWindowSeconds,
    });
  }
}

export const queueEntries = (queues: PipelineQueues) => queueNames.map((name) => [name, queues[name]] as const);
