// S3 event notifications as SQS delivers them: one message body → the ObjectCreated records a
// stage cares about. Test events and records for other buckets, prefixes or event names are not
// errors; a body that is not an S3 notification at all is (it fails the message towards the DLQ).

export interface S3ObjectCreated {
  bucket: string;
  /** Decoded key (`+` → space, percent-decoded). */
  key: string;
  size: number;
  eventName: string;
  /** ISO-8601 with milliseconds, UTC. */
  eventTime: string;
  /** Orders events for the same key only. */
  sequencer: string;
}

export interface NotificationFilter {
  prefix: string;
  suffix?: string;
  /** Only records for this bucket; any bucket when absent. */
  bucket?: string;
}

export class MalformedNotification extends Error {
  override readonly name = 'MalformedNotification';
}

export class UnsupportedEventVersion extends Error {
  override readonly name = 'UnsupportedEventVersion';
}

/** S3 URL-encodes keys in notifications, with `+` for a space. */
export const decodeS3Key = (raw: string): string => decodeURIComponent(raw.replace(/\+/g, ' '));

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new MalformedNotification('SQS message body is not JSON');
  }
}

function readRecord(record: unknown): S3ObjectCreated | undefined {
  if (!isObject(record) || record.eventSource !== 'aws:s3') return undefined;
  const version = String(record.eventVersion ?? '');
  // The value is sender-controlled and unbounded: name the problem, never echo it into logs.
  if (version.split('.')[0] !== '2')
    throw new UnsupportedEventVersion('unsupported S3 eventVersion (major version is not 2)');
  const s3 = isObject(record.s3) ? record.s3 : {};
  const bucket = isObject(s3.bucket) ? s3.bucket.name : undefined;
  const object = isObject(s3.object) ? s3.object : {};
  if (typeof bucket !== 'string' || typeof object.key !== 'string' || typeof record.eventName !== 'string') {
    throw new MalformedNotification('S3 record without bucket name, object key or eventName');
  }
  return {
    bucket,
    key: decodeS3Key(object.key),
    size: typeof object.size === 'number' ? object.size : 0,
    eventName: record.eventName,
    eventTime: typeof record.eventTime === 'string' ? record.eventTime : '',
    sequencer: typeof object.sequencer === 'string' ? object.sequencer : '',
  };
}

/** Every S3 record in one SQS body; none for the `s3:TestEvent` sent when a notification is set up. */
export function parseS3Notification(body: string): S3ObjectCreated[] {
  const parsed = parseBody(body);
  if (!isObject(parsed)) throw new MalformedNotification('SQS message body is not a JSON object');
  if (parsed.Event === 's3:TestEvent') return [];
  if (!Array.isArray(parsed.Records)) throw new MalformedNotification('S3 notification without Records');
  return parsed.Records.map(readRecord).filter((r): r is S3ObjectCreated => r !== undefined);
}

const matches = (record: S3ObjectCreated, filter: NotificationFilter): boolean =>
  record.eventName.startsWith('ObjectCreated:') &&
  record.key.startsWith(filter.prefix) &&
  (filter.suffix === undefined || record.key.endsWith(filter.suffix)) &&
  (filter.bucket === undefined || record.bucket === filter.bucket);

/** The ObjectCreated records of one SQS body that pass `filter`, each bucket/key once. */
export function objectsCreated(body: string, filter: NotificationFilter): S3ObjectCreated[] {
  const unique = new Map<string, S3ObjectCreated>();
  for (const record of parseS3Notification(body)) {
    if (matches(record, filter)) unique.set(`${record.bucket}/${record.key}`, record);
  }
  return [...unique.values()];
}
