import { describe, expect, it } from 'vitest';
import { glueArgs } from '#shared/lake/glue-run.js';
import {
  keysFitInArgument,
  MAX_INLINE_KEYS_BYTES,
  type PlannedRun,
  planParquetRuns,
  rawObjectsIn,
  runArguments,
  runManifestRef,
} from '#shared/lake/parquet-job-batch.js';
import { buckets, s3Message } from './sqs-fixtures.js';

const key = (type: string, dt: string, name: string) => `events/type=${type}/dt=${dt}/${name}`;

describe('rawObjectsIn', () => {
  it('keeps raw event objects with their size and drops keys outside the events/type=/dt= layout', () => {
    const body = s3Message('m', buckets.ingest, [
      'events/type%3Da/dt%3D2025-11-22/x.gz',
      'events/stray.txt',
      'late/type%3Da/dt%3D2025-01-01/y.gz',
    ]).body;
    expect(rawObjectsIn(body)).toEqual([{ bucket: buckets.ingest, key: key('a', '2025-11-22', 'x.gz'), size: 1 }]);
  });
});

describe('planParquetRuns', () => {
  it('dedupes keys and partitions, sorts them, and records every message that carried an object', () => {
    const runs = planParquetRuns([
      { messageId: 'm2', objects: [{ bucket: 'in', key: key('b', '2025-11-22', '2.gz') }] },
      { messageId: 'm1', objects: [{ bucket: 'in', key: key('a', '2025-11-21', '1.gz') }] },
      { messageId: 'm3', objects: [{ bucket: 'in', key: key('b', '2025-11-22', '2.gz') }] },
      { messageId: 'm4', objects: [] },
    ]);
    expect(runs).toEqual([
      {
        sourceBucket: 'in',
        messageIds: ['m1', 'm2', 'm3'],
        keys: [key('a', '2025-11-21', '1.gz'), key('b', '2025-11-22', '2.gz')],
        partitions: [
          { eventType: 'a', dt: '2025-11-21' },
          { eventType: 'b', dt: '2025-11-22' },
        ],
      },
    ]);
  });

  it('plans one run per source bucket and none for an empty batch', () => {
    const runs = planParquetRuns([
      { messageId: 'm1', objects: [{ bucket: 'in-1', key: key('a', '2025-11-21', '1.gz') }] },
      { messageId: 'm2', objects: [{ bucket: 'in-2', key: key('a', '2025-11-21', '1.gz') }] },
    ]);
    expect(runs.map((r) => [r.sourceBucket, r.messageIds])).toEqual([
      ['in-1', ['m1']],
      ['in-2', ['m2']],
    ]);
    expect(planParquetRuns([])).toEqual([]);
  });
});

describe('keysFitInArgument', () => {
  it('allows up to maxKeysInArgument short keys inline', () => {
    const keys = Array.from({ length: 50 }, (_, i) => key('a', '2025-11-22', `${i}.gz`));
    expect(keysFitInArgument(keys)).toBe(true);
    expect(keysFitInArgument([...keys, key('a', '2025-11-22', 'one-more.gz')])).toBe(false);
  });

  it('refuses few keys whose JSON is longer than the inline byte budget', () => {
    const long = Array.from({ length: 9 }, (_, i) => key('a', '2025-11-22', `${i}-${'x'.repeat(2000)}.gz`));
    expect(Buffer.byteLength(JSON.stringify(long))).toBeGreaterThan(MAX_INLINE_KEYS_BYTES);
    expect(keysFitInArgument(long)).toBe(false);
  });
});

describe('runArguments and runManifestRef', () => {
  const run: PlannedRun = {
    sourceBucket: 'in',
    messageIds: ['m1', 'm2'],
    keys: [key('a', '2025-11-22', '1.gz')],
    partitions: [{ eventType: 'a', dt: '2025-11-22' }],
  };

  it('passes either the inline keys or the manifest, never both', () => {
    const inline = runArguments(run, 'lake');
    expect(inline[glueArgs.sourceKeys]).toBe('["events/type=a/dt=2025-11-22/1.gz"]');
    expect(inline[glueArgs.sourceManifest]).toBeUndefined();
    const viaManifest = runArguments(run, 'lake', { bucket: 'lake', key: '_manifests/x.json' });
    expect(viaManifest[glueArgs.sourceManifest]).toBe('s3://lake/_manifests/x.json');
    expect(viaManifest[glueArgs.sourceKeys]).toBeUndefined();
  });

  it('derives the manifest key from the message ids only', () => {
    const ref = runManifestRef(run, 'lake');
    expect(ref.bucket).toBe('lake');
    expect(ref.key).toMatch(/^_manifests\/[0-9a-f]{64}\.json$/);
    expect(runManifestRef({ ...run, keys: [] }, 'lake')).toEqual(ref);
    expect(runManifestRef({ ...run, messageIds: ['m1', 'm3'] }, 'lake')).not.toEqual(ref);
  });
});
