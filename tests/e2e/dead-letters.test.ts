// Poison messages end in the DLQ after maxReceiveCount receives, without holding up the good
// messages around them; a raw object that breaks the Glue job fails its run and leaves nothing behind.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import type { QueueStats } from '../../local/sqs/sqs.js';
import {
  bucketDir,
  expectedOutcome,
  newDataDir,
  removeDataDir,
  sendItems,
  startE2ePipeline,
  trafficItems,
} from './harness.js';
import { curatedRows, rawEventKeys, readText } from './lake.js';

let dataDir: string;
let p: LocalPipeline;
const items = trafficItems(53, 600);
/** The raw-objects queue once only the poison messages (and S3's test event) had gone through it. */
let poisonOnly: QueueStats;

const notAnS3Event = 'this is not an S3 event notification';
const unsupportedVersion = JSON.stringify({
  Records: [
    {
      eventVersion: '3.0',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: localBucketNames.ingest }, object: { key: 'events/type=page_view/dt=2025-11-22/x.gz' } },
    },
  ],
});

beforeAll(async () => {
  dataDir = await newDataDir();
  p = await startE2ePipeline(dataDir);
  await p.queues.rawObjects.queue.sendMessage(notAnS3Event);
  await p.queues.rawObjects.queue.sendMessage(unsupportedVersion);
  await settle(p);
  poisonOnly = p.queues.rawObjects.queue.stats();
  await sendItems(p, items);
  await p.s3.putObject({ bucket: localBucketNames.lake, key: '_runs/not-a-marker.json' }, '{"partitions": 3}', 'json');
  await settle(p);
}, 90_000);

afterAll(async () => {
  await p?.close();
  await removeDataDir(dataDir);
});

const { maxReceiveCount } = config.queues.rawObjects;

describe('poison messages', () => {
  it('raw-objects messages that are not S3 events end in its DLQ after maxReceiveCount receives', () => {
    const { queue, dlq } = p.queues.rawObjects;
    expect(dlq.stats().visible).toBe(2);
    expect(
      dlq
        .peekMessages()
        .map((m) => m.body)
        .sort(),
    ).toEqual([notAnS3Event, unsupportedVersion].sort());
    // S3's test event was received once and deleted; each poison message maxReceiveCount times.
    expect(poisonOnly).toMatchObject({ sent: 3, deleted: 1, inDlq: 2, receives: 1 + 2 * maxReceiveCount });
    const stats = queue.stats();
    expect(stats.inDlq).toBe(2);
    expect(stats.deleted + stats.inDlq).toBe(stats.sent);
  });

  it('the good messages around them were converted all the same', async () => {
    const ids = new Set((await curatedRows(p.instance, dataDir)).map((r) => r.event_id));
    expect(ids).toEqual(expectedOutcome(items).curatedIds);
  });

  it('a run marker start-reports cannot read ends in the curated-runs DLQ', () => {
    const { queue, dlq } = p.queues.curatedRuns;
    expect(dlq.stats().visible).toBe(1);
    expect(JSON.parse(dlq.peekMessages()[0]?.body ?? '{}').Records[0].s3.object.key).toBe('_runs/not-a-marker.json');
    expect(queue.stats().receives).toBe(queue.stats().deleted + config.queues.curatedRuns.maxReceiveCount);
    expect(p.queues.reportResults.dlq.stats().visible).toBe(0);
  });
});

describe('a raw object that breaks the Glue job', () => {
  const dt = new Date().toISOString().slice(0, 10);
  const key = `events/type=page_view/dt=${dt}/broken-object.gz`;

  it('fails its run and every retry of it: no rows, no run marker, not bookmarked', async () => {
    const rowsBefore = (await curatedRows(p.instance, dataDir)).length;
    const runsBefore = p.glue.runs().length;
    await p.s3.putObject({ bucket: localBucketNames.ingest, key }, 'not gzip, not NDJSON', 'application/gzip');
    await settle(p);
    // The first run, then retry-failed-run (EventBridge) starting it again up to glue.maxRunRetries times.
    const runs = p.glue.runs().slice(runsBefore);
    expect(runs).toHaveLength(1 + config.glue.maxRunRetries);
    for (const [attempt, run] of runs.entries()) {
      expect(run.state).toBe('FAILED');
      expect(run.error).toBeTruthy();
      expect(run.marker).toBeUndefined();
      if (attempt > 0)
        expect(run.arguments).toMatchObject({ '--retry_attempt': String(attempt), '--retry_of': runs[0]?.id });
    }
    expect((await curatedRows(p.instance, dataDir)).length).toBe(rowsBefore);
    const bookmark = path.join(dataDir, '_glue', `${config.service}-local-${config.glue.jobName}`, 'bookmark.json');
    expect(readText(bookmark)).not.toContain('broken-object');
  });

  it('ends, retries exhausted, as an on-failure record of the retry λ (its DLQ)', () => {
    const failures = p.bus.failures();
    expect(failures).toHaveLength(1);
    const [failure] = failures;
    expect(failure?.requestContext.condition).toBe('RetriesExhausted');
    expect(failure?.responsePayload.errorType).toBe('RetriesExhausted');
    expect(failure?.requestPayload.detail).toMatchObject({ jobRunId: p.glue.runs().at(-1)?.id, state: 'FAILED' });
  });

  it('a retry with the same arguments converts it once the object is readable', async () => {
    const failed = p.glue.runs().find((r) => r.state === 'FAILED' && r.arguments['--retry_attempt'] === undefined);
    // A line exactly as the transform wrote it, from a page_view object of the same date, under a new id.
    const source = rawEventKeys(dataDir).find((k) => k.startsWith(`events/type=page_view/dt=${dt}/`) && k !== key);
    const ingest = bucketDir(dataDir, 'ingest');
    const [line] = gunzipSync(readFileSync(path.join(ingest, ...(source as string).split('/'))))
      .toString('utf8')
      .split('\n');
    const eventId = '0b7e8f8e-51c1-4c43-9a3f-8d0a7f6f1a01';
    const repaired = { ...JSON.parse(line as string), event_id: eventId };
    await writeFile(path.join(ingest, ...key.split('/')), gzipSync(`${JSON.stringify(repaired)}\n`));
    await p.glue.startJobRun({ ...failed?.arguments });
    await settle(p);
    expect(p.glue.runs().at(-1)).toMatchObject({ state: 'SUCCEEDED', marker: { rows_written: 1 } });
    const ids = (await curatedRows(p.instance, dataDir)).map((r) => r.event_id);
    expect(ids.filter((id) => id === eventId)).toHaveLength(1);
  });
});
