// Shared set-up for the local Firehose tests: a temp data dir, a LocalS3, a manual clock and
// readers for the gzip objects the stream writes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { LocalDeliveryStream, type LocalDeliveryStreamOptions } from '../../local/firehose/firehose.js';
import type { TransformHandler } from '../../local/firehose/processor.js';
import { ManualClock } from '../../local/pipeline/clock.js';
import { LocalS3 } from '../../local/s3/s3.js';

export const BUCKET = 'eventlake-local-ingest';

export interface Harness {
  dataDir: string;
  s3: LocalS3;
  clock: ManualClock;
  stream: LocalDeliveryStream;
  events: FirehoseTransformationEvent[];
  responses: FirehoseTransformationResult[];
  cleanup(): Promise<void>;
}

export async function harness(
  transform: TransformHandler,
  options: Partial<LocalDeliveryStreamOptions> = {},
): Promise<Harness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-firehose-'));
  const clock = new ManualClock();
  const s3 = new LocalS3({ dataDir, clock });
  const events: FirehoseTransformationEvent[] = [];
  const responses: FirehoseTransformationResult[] = [];
  const recording: TransformHandler = async (event) => {
    events.push(structuredClone(event));
    const response = await transform(event);
    responses.push(response);
    return response;
  };
  const stream = new LocalDeliveryStream({
    name: 'direct',
    putObject: s3.putObject,
    bucket: BUCKET,
    transform: recording,
    clock,
    ...options,
  });
  return {
    dataDir,
    s3,
    clock,
    stream,
    events,
    responses,
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}

export async function readGzipObject(s3: LocalS3, key: string): Promise<string> {
  return gunzipSync(await s3.getObject({ bucket: BUCKET, key })).toString('utf8');
}

export const okRecord = (
  recordId: string,
  line: string,
  keys: Record<string, string>,
): FirehoseTransformationResultRecord => ({
  recordId,
  result: 'Ok',
  data: Buffer.from(line).toString('base64'),
  metadata: { partitionKeys: keys },
});

/** A transform that passes each payload through under zone events, type = the payload's first word. */
export const passThrough: TransformHandler = async (event) => ({
  records: event.records.map((r) => {
    const text = Buffer.from(r.data, 'base64').toString('utf8');
    return okRecord(r.recordId, `${text}\n`, {
      zone: 'events',
      event_type: text.split(' ')[0] ?? 'x',
      dt: '2025-11-22',
    });
  }),
});

export const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');
export const OBJECT_NAME = /direct-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$/;
