// At-least-once everywhere: a redelivered S3 event, the same notification sent again, a Glue job
// re-run with the same arguments, even one that lost its bookmark — none adds a curated row.
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import {
  bucketDir,
  expectedOutcome,
  newDataDir,
  removeDataDir,
  sendItems,
  startE2ePipeline,
  trafficItems,
} from './harness.js';
import { curatedFiles, curatedRows, rawEventKeys, readText } from './lake.js';

let dataDir: string;
let p: LocalPipeline;
/** Every S3 notification body the ingest bucket sent for events/, as the raw-objects queue got it. */
const rawNotifications: string[] = [];
let validEvents: number;

beforeAll(async () => {
  dataDir = await newDataDir();
  p = await startE2ePipeline(dataDir);
  p.s3.addNotification({
    bucket: localBucketNames.ingest,
    prefix: config.prefixes.events,
    target: (body) => rawNotifications.push(body),
    sendTestEvent: false,
  });
  const items = trafficItems(37, 1_200);
  validEvents = expectedOutcome(items).curatedIds.size;
  await sendItems(p, items);
  await settle(p);
}, 90_000);

afterAll(async () => {
  await p?.close();
  await removeDataDir(dataDir);
});

const lakeState = async () => ({ rows: (await curatedRows(p.instance, dataDir)).length, files: curatedFiles(dataDir) });
const lastRun = () => p.glue.runs().at(-1);
const publishedCsv = (report: string) => {
  const dir = path.join(bucketDir(dataDir, 'reporting'), 'reports', report);
  const dt = readdirSync(dir).find((d) => d.startsWith('dt=')) as string;
  return readText(path.join(dir, dt, `${report}.csv`));
};

describe('redelivery and re-runs add no rows', () => {
  it('the first pass converted every valid event', async () => {
    expect((await lakeState()).rows).toBe(validEvents);
    expect(rawNotifications.length).toBe(rawEventKeys(dataDir).length);
  });

  it('a redelivered ObjectCreated event for an existing raw object: the gate knows it was claimed, no run', async () => {
    const before = await lakeState();
    const runs = p.glue.runs().length;
    const [key] = rawEventKeys(dataDir);
    await p.s3.notifyCreated({ bucket: localBucketNames.ingest, key: key as string }, 1);
    await settle(p);
    expect(await lakeState()).toEqual(before);
    expect(p.glue.runs()).toHaveLength(runs);
  });

  it('every original notification body sent again to the raw-objects queue', async () => {
    const before = await lakeState();
    const deleted = p.queues.rawObjects.queue.stats().deleted;
    for (const body of rawNotifications.slice()) await p.queues.rawObjects.queue.sendMessage(body);
    await settle(p);
    expect(await lakeState()).toEqual(before);
    expect(p.queues.rawObjects.queue.stats().deleted).toBe(deleted + rawNotifications.length);
    expect(p.queues.rawObjects.dlq.stats().visible).toBe(0);
  });

  it('StartJobRun again with the arguments of the first run', async () => {
    const before = await lakeState();
    const first = p.glue.runs()[0];
    expect(first?.marker?.rows_written).toBeGreaterThan(0);
    await p.glue.startJobRun({ ...first?.arguments });
    await settle(p);
    expect(await lakeState()).toEqual(before);
    expect(lastRun()).toMatchObject({ state: 'SUCCEEDED', marker: { rows_written: 0 } });
  });

  it('the same re-run after the bookmark is lost: the anti-join on event_id keeps every row once', async () => {
    const before = await lakeState();
    const reportBefore = publishedCsv('events_by_type_daily');
    const first = p.glue.runs()[0];
    const queries = p.startedQueries.length;
    await rm(path.join(dataDir, '_glue'), { recursive: true, force: true });
    await p.glue.startJobRun({ ...first?.arguments });
    await settle(p);
    expect(await lakeState()).toEqual(before);
    const run = lastRun();
    expect(run).toMatchObject({ state: 'SUCCEEDED', marker: { rows_written: 0 } });
    expect(run?.marker?.rows_read).toBeGreaterThan(0);
    expect(run?.marker?.duplicates_removed).toBe(run?.marker?.rows_read);
    // Its marker lists the partitions it read, so their reports were recomputed — to the same rows.
    expect(p.startedQueries.length).toBeGreaterThan(queries);
    expect(publishedCsv('events_by_type_daily')).toBe(reportBefore);
  });
});
