import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  decodeS3Key,
  MalformedNotification,
  objectsCreated,
  parseS3Notification,
  UnsupportedEventVersion,
} from '#shared/lake/s3-notifications.js';
import { loadEvent } from '../helpers/events.js';
import { buckets } from './sqs-fixtures.js';

const rawBodies = () => loadEvent<SQSEvent>('sqs-s3-raw-objects').Records.map((r) => r.body);
const record = (overrides: Record<string, unknown>) =>
  JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventTime: '2025-11-22T10:00:00.000Z',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'b' }, object: { key: 'events/x', size: 3, sequencer: '0A' } },
        ...overrides,
      },
    ],
  });

describe('decodeS3Key', () => {
  it('turns + into a space before percent-decoding, so an encoded plus stays a plus', () => {
    expect(decodeS3Key('replay+2025-11-22%2Bfix%C3%A9.gz')).toBe('replay 2025-11-22+fixé.gz');
    expect(decodeS3Key('events/type%3Dpage_view/dt%3D2025-11-22/a.gz')).toBe(
      'events/type=page_view/dt=2025-11-22/a.gz',
    );
  });
});

describe('parseS3Notification', () => {
  it('reads the fixture record with its decoded key, size, time and sequencer', () => {
    expect(parseS3Notification(rawBodies()[0] as string)).toEqual([
      {
        bucket: buckets.ingest,
        key: 'events/type=page_view/dt=2025-11-22/direct-1-2025-11-22-10-15-00-6f1c2b7e-0c4d-4b8a-9a57-2f3d9e1c0a11.gz',
        size: 48213,
        eventName: 'ObjectCreated:Put',
        eventTime: '2025-11-22T10:20:01.123Z',
        sequencer: '0067A1B2C3D4E5F601',
      },
    ]);
  });

  it('returns nothing for the s3:TestEvent message', () => {
    const testEvent = loadEvent<SQSEvent>('sqs-s3-test-event').Records[0] as SQSRecord;
    expect(parseS3Notification(testEvent.body)).toEqual([]);
  });

  it('accepts any 2.x eventVersion and refuses another major version', () => {
    expect(parseS3Notification(record({ eventVersion: '2.3' }))).toHaveLength(1);
    expect(() => parseS3Notification(record({ eventVersion: '3.0' }))).toThrow(UnsupportedEventVersion);
  });

  it('skips records that are not from S3', () => {
    expect(parseS3Notification(record({ eventSource: 'aws:sns' }))).toEqual([]);
  });

  it.each([
    ['not JSON', 'not json {'],
    ['not an object', '"text"'],
    ['no Records', '{"Message":"hello"}'],
    [
      'a record without key',
      JSON.stringify({
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            eventName: 'ObjectCreated:Put',
            s3: { bucket: { name: 'b' }, object: {} },
          },
        ],
      }),
    ],
  ])('fails a body that is %s', (_, body) => {
    expect(() => parseS3Notification(body)).toThrow(MalformedNotification);
  });
});

describe('objectsCreated', () => {
  it('keeps only ObjectCreated records under the prefix, with the suffix, in the bucket', () => {
    const body = JSON.stringify({
      Records: [
        ...JSON.parse(record({})).Records,
        ...JSON.parse(record({ eventName: 'ObjectRemoved:Delete' })).Records,
        ...JSON.parse(record({ s3: { bucket: { name: 'b' }, object: { key: 'events/y.csv' } } })).Records,
        ...JSON.parse(record({ s3: { bucket: { name: 'other' }, object: { key: 'events/z.csv' } } })).Records,
        ...JSON.parse(record({ s3: { bucket: { name: 'b' }, object: { key: 'failed/w.csv' } } })).Records,
      ],
    });
    expect(objectsCreated(body, { prefix: 'events/' }).map((o) => o.key)).toEqual([
      'events/x',
      'events/y.csv',
      'events/z.csv',
    ]);
    expect(objectsCreated(body, { prefix: 'events/', suffix: '.csv', bucket: 'b' }).map((o) => o.key)).toEqual([
      'events/y.csv',
    ]);
  });

  it('coalesces the same bucket and key announced twice in one body', () => {
    const one = JSON.parse(record({})).Records[0];
    const body = JSON.stringify({ Records: [one, { ...one, eventTime: '2025-11-22T11:00:00.000Z' }] });
    expect(objectsCreated(body, { prefix: 'events/' })).toEqual([expect.objectContaining({ key: 'events/x' })]);
  });

  it('does not treat .csv.metadata as a .csv', () => {
    const bodies = loadEvent<SQSEvent>('sqs-s3-athena-result').Records.map((r) => r.body);
    const found = bodies.flatMap((b) => objectsCreated(b, { prefix: 'athena-results/', suffix: '.csv' }));
    expect(found.map((o) => o.key)).toEqual(['athena-results/3c1f4b7a-9d2e-4e8f-a1b0-c2d3e4f5a6b7.csv']);
  });
});
