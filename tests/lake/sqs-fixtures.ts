// Builders for SQS batches carrying S3 notifications, for cases the events/ fixtures do not cover.
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { loadEvent } from '../helpers/events.js';

export const buckets = {
  ingest: 'eventlake-dev-ingest-123456789012',
  lake: 'eventlake-dev-lake-123456789012',
  reporting: 'eventlake-dev-reporting-123456789012',
};

/** An SQS record shaped like the fixtures, whose body announces `keys` (already URL-encoded) in `bucket`. */
export function s3Message(
  messageId: string,
  bucket: string,
  keys: string[],
  eventTime = '2025-11-22T10:20:00.000Z',
): SQSRecord {
  const template = loadEvent<SQSEvent>('sqs-s3-raw-objects').Records[0] as SQSRecord;
  const records = keys.map((key) => ({
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'eu-west-1',
    eventTime,
    eventName: 'ObjectCreated:Put',
    s3: {
      s3SchemaVersion: '1.0',
      bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
      object: { key, size: 1, sequencer: '01' },
    },
  }));
  return { ...template, messageId, body: JSON.stringify({ Records: records }) };
}

export const sqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });

export const failedIds = (response: { batchItemFailures: { itemIdentifier: string }[] }): string[] =>
  response.batchItemFailures.map((f) => f.itemIdentifier).sort();

export const awsError = (name: string, message = name): Error => Object.assign(new Error(message), { name });
