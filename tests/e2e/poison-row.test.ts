// A poison row on the real local pipeline: a raw object whose one line cannot be cast lands in S3,
// the gate and the Glue job convert the rest of it, and the bad line is a queryable failed event.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { newDataDir, removeDataDir, startE2ePipeline } from './harness.js';
import { curatedRows } from './lake.js';

let dataDir: string;
let p: LocalPipeline;
const key = 'events/type=page_view/dt=2025-11-22/direct-1-2025-11-22-10-00-00-0000-poison.gz';
const event = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    event_id: id,
    event_type: 'page_view',
    event_version: 1,
    event_time: '2025-11-22T09:59:58.120Z',
    received_at: '2025-11-22T10:00:00.000Z',
    app_id: 'shop-web',
    ingest_source: 'direct',
    attributes: { url: 'https://shop.example.com/', duration_ms: 10 },
    ...extra,
  });
const poison = event('e-poison', { sent_at: '+10000-01-01T00:00:00Z' });

beforeAll(async () => {
  dataDir = await newDataDir();
  p = await startE2ePipeline(dataDir);
  const lines = [event('e-1'), poison, event('e-2'), event('e-3')].join('\n');
  await p.s3.putObject({ bucket: localBucketNames.ingest, key }, gzipSync(`${lines}\n`), 'application/gzip');
  await settle(p);
}, 90_000);

afterAll(async () => {
  await p?.close();
  await removeDataDir(dataDir);
});

describe('a poison row', () => {
  it('does not fail the run: the rest of its object lands in curated', async () => {
    expect(p.glue.runs().map((r) => r.state)).toEqual(['SUCCEEDED']);
    expect((await curatedRows(p.instance, dataDir)).map((r) => r.event_id).sort()).toEqual(['e-1', 'e-2', 'e-3']);
    expect(p.glue.runs()[0]?.marker).toMatchObject({ rows_read: 4, rows_written: 3, rows_quarantined: 1 });
  });

  it('is a failed event of type cast_error naming the column, with its raw line, queryable in Athena', async () => {
    const result = await p.athena.query(
      "SELECT failure_type, event_id, payload, type FROM failed_events WHERE type = 'cast_error'",
    );
    expect(result.rows).toEqual([['cast_error', 'e-poison', poison, 'cast_error']]);
  });
});
