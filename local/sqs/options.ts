// The options, results and errors of a local SQS queue and its Lambda event source mapping.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Clock } from '../pipeline/clock.js';
import type { QueueMessage } from './sqs-event.js';

// biome-ignore lint/suspicious/noConfusingVoidType: the aws-lambda SQSHandler result type, so handlers fit unchanged
export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface LocalQueueOptions {
  name: string;
  visibilityTimeoutSeconds: number;
  /** Redrive policy: after this many receives the next receive moves the message to the DLQ. */
  maxReceiveCount?: number;
  deadLetterQueue?: RedriveTarget;
  /** Messages held (visible + in flight) before sendMessage rejects with OverLimit. Default 100,000. */
  maxMessages?: number;
  region?: string;
  accountId?: string;
  clock?: Clock;
  /** Multiplies every configured duration (0.001: 210 s visibility timeout → 210 ms). Default 1. */
  timeScale?: number;
}

export interface ConsumerOptions {
  batchSize: number;
  maximumBatchingWindowInSeconds?: number;
  /** FunctionResponseTypes: [ReportBatchItemFailures]. Default true (as serverless.yml wires it). */
  reportBatchItemFailures?: boolean;
  /** Batches processed at once. Default 1. */
  maxConcurrency?: number;
  /** Observes thrown handler errors (the batch is failed either way). */
  onError?: (error: unknown) => void;
}

export interface QueueStats {
  sent: number;
  visible: number;
  inFlight: number;
  deleted: number;
  inDlq: number;
  receives: number;
}

export class OverLimit extends Error {
  override name = 'OverLimit';
}

export interface Consumer extends Required<Omit<ConsumerOptions, 'onError'>> {
  handler: SqsHandler;
  onError: (error: unknown) => void;
}

/** Where the redrive policy moves messages: another LocalQueue. */
export interface RedriveTarget {
  acceptRedriven(message: QueueMessage): void;
}

/** Lambda's CreateEventSourceMapping error for settings SQS mappings do not allow. */
export class InvalidParameterValueException extends Error {
  override name = 'InvalidParameterValueException';
}

/** The mapping with Lambda's defaults, checked as CreateEventSourceMapping checks an SQS source. */
export function consumerWithDefaults(handler: SqsHandler, options: ConsumerOptions): Consumer {
  const { batchSize } = options;
  const window = options.maximumBatchingWindowInSeconds ?? 0;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000 || window < 0 || window > 300) {
    throw new InvalidParameterValueException(`BatchSize ${batchSize} / MaximumBatchingWindowInSeconds ${window}`);
  }
  if (batchSize > 10 && window < 1) {
    throw new InvalidParameterValueException('BatchSize above 10 needs MaximumBatchingWindowInSeconds of at least 1');
  }
  return {
    handler,
    batchSize,
    maximumBatchingWindowInSeconds: window,
    reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    maxConcurrency: options.maxConcurrency ?? 1,
    onError: options.onError ?? (() => {}),
  };
}
