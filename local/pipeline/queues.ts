// The stack's three hand-off queues and their DLQs, with Lambda event source mappings, from the
// pipeline config (batch size, batching window, visibility timeout, maxReceiveCount).
import { config, type QueueName } from '#shared/config.js';
import { LocalQueue, type SqsHandler } from '../sqs/sqs.js';

export type PipelineQueues = Record<QueueName, { queue: LocalQueue; dlq: LocalQueue }>;

const queueNames: QueueName[] = ['rawObjects', 'curatedRuns', 'reportResults'];
const physicalName = (name: QueueName): string =>
  `${config.service}-local-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function makeQueues(timeScale: number): PipelineQueues {
  const entries = queueNames.map((name) => {
    const settings = config.queues[name];
    const dlq = new LocalQueue({
      name: `${physicalName(name)}-dlq`,
      visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
      maxMessages: config.local.maxQueueMessages,
      timeScale,
    });
    const queue = new LocalQueue({
      name: physicalName(name),
      visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
      maxReceiveCount: settings.maxReceiveCount,
      deadLetterQueue: dlq,
      maxMessages: config.local.maxQueueMessages,
      timeScale,
    });
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
