// The hostile corpus for the three SQS consumers (start-parquet-job, start-reports, publish-report),
// as data: message bodies and, per stage, whether the contract fails the message (towards the DLQ)
// or lets it pass (skipped: a test event, records of another source, keys outside the layout).
import { localBucketNames } from '../../local/s3/buckets.js';
import { marker, nestedArrayText } from './payloads.js';

export type Stage = 'parquet' | 'reports' | 'publish';
export type Outcome = 'failed' | 'passed';

/** Where each stage's objects live, before and after the part a case makes hostile. */
export const stageObjects: Record<Stage, { bucket: string; prefix: string; suffix: string }> = {
  parquet: { bucket: localBucketNames.ingest, prefix: 'events/type%3Dpage_view/dt%3D2025-11-22/', suffix: '.gz' },
  reports: { bucket: localBucketNames.lake, prefix: '_runs/', suffix: '.json' },
  publish: {
    bucket: localBucketNames.reporting,
    prefix: 'athena-results/daily_events/dt%3D2025-11-22/',
    suffix: '.csv',
  },
};

export interface SqsCase {
  name: string;
  mark: string;
  body: (stage: Stage) => string;
  outcome: Record<Stage, Outcome>;
}

const all = (outcome: Outcome): Record<Stage, Outcome> => ({ parquet: outcome, reports: outcome, publish: outcome });

/** An S3 notification body for one object of the stage, `middle` (already URL-encoded) between prefix and suffix. */
export function s3Body(stage: Stage, middle: string, record: Record<string, unknown> = {}): string {
  const { bucket, prefix, suffix } = stageObjects[stage];
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'eu-west-1',
        eventTime: '2025-11-22T10:20:00.000Z',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key: `${prefix}${middle}${suffix}`, size: 1, sequencer: '01' } },
        ...record,
      },
    ],
  });
}

function build(name: string, body: (mark: string, stage: Stage) => string, outcome: Record<Stage, Outcome>): SqsCase {
  const mark = marker(name);
  return { name, mark, body: (stage) => body(mark, stage), outcome };
}

export function sqsCorpus(): SqsCase[] {
  return [
    build('a body that is not JSON', (m) => `not json ${m}`, all('failed')),
    build('a 250 KB JSON string', (m) => JSON.stringify(`${'x'.repeat(250_000)}${m}`), all('failed')),
    build('100k nested arrays', (m) => nestedArrayText(100_000, `"${m}"`), all('failed')),
    build('Records that are not a list', (m) => JSON.stringify({ Records: { [m]: 1 } }), all('failed')),
    build('Records of nested arrays', (m) => `{"Records":[${nestedArrayText(10_000, `"${m}"`)}]}`, all('passed')),
    build(
      'an S3 test event',
      (m) => JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: m }),
      all('passed'),
    ),
    build('a record from another source', (m, stage) => s3Body(stage, m, { eventSource: 'aws:sns' }), all('passed')),
    build('eventVersion 3.0', (m, stage) => s3Body(stage, m, { eventVersion: '3.0' }), all('failed')),
    build('a malformed percent-encoding in the key', (m, stage) => s3Body(stage, `${m}%E0%A4%A`), all('failed')),
    // Decoded, the key climbs out of the stage's prefix: outside the raw layout (skipped), outside the
    // result layout (ignored), but under _runs/ by prefix: the read is refused (locally: "escapes its bucket").
    build('a key with ../ segments', (m, stage) => s3Body(stage, `..%2F..%2F..%2Fetc%2F${m}`), {
      parquet: 'passed',
      reports: 'failed',
      publish: 'passed',
    }),
    // A NUL byte is a legal S3 key character: the raw object is handed to Glue as it is; reading it fails.
    build('a key with %00', (m, stage) => s3Body(stage, `a%00${m}`), {
      parquet: 'passed',
      reports: 'failed',
      publish: 'failed',
    }),
    build('a 100 KB key', (m, stage) => s3Body(stage, `${'k'.repeat(100_000)}${m}`), {
      parquet: 'passed',
      reports: 'failed',
      publish: 'failed',
    }),
  ];
}
