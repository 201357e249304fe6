// SQS message records as the Lambda event source mapping delivers them (docs/contracts.md §3), and the
// rules by which Lambda reads a ReportBatchItemFailures response.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';

export interface QueueMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** When the message is (or becomes again) visible to receivers. */
  visibleAt: number;
  /** The handle of the latest receive; only it can delete the message. */
  receiptHandle?: string;
}

export interface QueueIdentity {
  name: string;
  region: string;
  accountId: string;
}

const SENDER_ID = 'AIDAEVENTLAKELOCAL00000';

export function newMessage(body: string, now: number): QueueMessage {
  const md5OfBody = createHash('md5').update(body, 'utf8').digest('hex');
  return { messageId: randomUUID(), body, md5OfBody, sentTimestamp: now, receiveCount: 0, visibleAt: now };
}

export const queueArn = (q: QueueIdentity): string => `arn:aws:sqs:${q.region}:${q.accountId}:${q.name}`;

export const newReceiptHandle = (messageId: string): string =>
  `${Buffer.from(messageId).toString('base64')}${randomBytes(48).toString('base64')}`;

export function sqsRecord(message: QueueMessage, queue: QueueIdentity): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle ?? '',
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentTimestamp),
      SenderId: SENDER_ID,
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? message.sentTimestamp),
    },
    messageAttributes: {},
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn(queue),
    awsRegion: queue.region,
  };
}

/** What Lambda does with the batch: every message deleted, some returned, or the whole batch failed. */
export type BatchOutcome = { kind: 'success' } | { kind: 'partial'; failed: Set<string> } | { kind: 'failure' };

/**
 * Lambda's reading of a ReportBatchItemFailures response: null, {} or an empty/null list is full
 * success; a non-object response, a null, empty or unknown itemIdentifier, or a malformed entry
 * fails the whole batch.
 */
export function batchOutcome(response: unknown, messageIds: ReadonlySet<string>): BatchOutcome {
  if (response === undefined || response === null) return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) return { kind: 'failure' };
  const failures = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure' };
  const failed = new Set<string>();
  for (const entry of failures as unknown[]) {
    const id = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !messageIds.has(id)) return { kind: 'failure' };
    failed.add(id);
  }
  return failed.size === 0 ? { kind: 'success' } : { kind: 'partial', failed };
}
