// The local pipeline's delivery streams with the transform λ on a worker thread write exactly what
// they write with it in process: same partitions, same lines, for both the direct and devices streams.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { startLocalPipeline } from '../../local/pipeline/pipeline.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { loadEvent } from '../helpers/events.js';

const records = (name: string) =>
  loadEvent<FirehoseTransformationEvent>(name).records.map((r) => Buffer.from(r.data, 'base64'));

/** A delivered line without what differs between two runs: the arrival time and the record id. */
function comparable(line: string): string {
  const { received_at: _, record_id: __, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** Every line the streams delivered to the ingest bucket, by partition folder. */
async function deliveredWith(transformWorkers: number): Promise<Record<string, string[]>> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-workers-'));
  const p = await startLocalPipeline({ dataDir, timeScale: 0.005, transformWorkers });
  try {
    await p.direct.putRecordBatch(records('firehose-direct'));
    await p.devices.putFromKinesis(records('firehose-kinesis').map((data) => ({ data, partitionKey: 'device-1' })));
    await p.direct.flush();
    await p.devices.flush();
    const lines: Record<string, string[]> = {};
    for (const key of await p.s3.listKeys(localBucketNames.ingest, '')) {
      const text = gunzipSync(await p.s3.getObject({ bucket: localBucketNames.ingest, key })).toString('utf8');
      const folder = path.posix.dirname(key);
      lines[folder] = [...(lines[folder] ?? []), ...text.trimEnd().split('\n').map(comparable)].sort();
    }
    return lines;
  } finally {
    await p.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('local pipeline with transform workers', () => {
  it('delivers what the in-process transform delivers, on both streams', async () => {
    const [inWorker, inProcess] = [await deliveredWith(1), await deliveredWith(0)];
    expect(Object.keys(inWorker).length).toBeGreaterThan(2);
    expect(inWorker).toEqual(inProcess);
  });
});
