// The S3 event notification body S3 sends to SQS (docs/contracts.md §2), built for the local buckets:
// eventVersion 2.1, form-URL-encoded key (space → '+', '=' → '%3D', '/' kept), monotonic sequencer.
import { randomBytes } from 'node:crypto';

export type ObjectCreatedEvent = 'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectCreated:CompleteMultipartUpload';

export interface CreatedObject {
  bucket: string;
  key: string;
  size: number;
  eTag: string;
  sequencer: string;
  eventName: ObjectCreatedEvent;
}

export interface NotificationContext {
  region: string;
  configurationId: string;
  eventTime: number;
}

const LOCAL_PRINCIPAL = 'AWS:EVENTLAKELOCAL';
const OWNER_ID = 'EVENTLAKELOCALOWNER';

/** Encodes a key the way S3 does in notifications (Java URLEncoder style, slashes kept). */
export function encodeS3EventKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    )
    .join('/');
}

/** The inverse: what a consumer does with `s3.object.key` before GetObject. */
export const decodeS3EventKey = (encoded: string): string => decodeURIComponent(encoded.replace(/\+/g, ' '));

export function s3EventBody(object: CreatedObject, context: NotificationContext): string {
  const record = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: context.region,
    eventTime: new Date(context.eventTime).toISOString(),
    eventName: object.eventName,
    userIdentity: { principalId: LOCAL_PRINCIPAL },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': randomBytes(48).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: context.configurationId,
      bucket: { name: object.bucket, ownerIdentity: { principalId: OWNER_ID }, arn: `arn:aws:s3:::${object.bucket}` },
      object: { key: encodeS3EventKey(object.key), size: object.size, eTag: object.eTag, sequencer: object.sequencer },
    },
  };
  return JSON.stringify({ Records: [record] });
}

/** The message S3 sends once when a notification configuration is added; consumers must skip it. */
export function s3TestEventBody(bucket: string, eventTime: number): string {
  return JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: new Date(eventTime).toISOString(),
    Bucket: bucket,
    RequestId: randomBytes(8).toString('hex').toUpperCase(),
    HostId: randomBytes(48).toString('base64'),
  });
}

/** Sequencers grow with every event of a bucket host: 18 upper-case hex digits, ordered as strings. */
export class Sequencer {
  #last = 0n;

  next(now: number): string {
    const candidate = BigInt(now) << 12n;
    this.#last = candidate > this.#last ? candidate : this.#last + 1n;
    return this.#last.toString(16).toUpperCase().padStart(18, '0');
  }
}
