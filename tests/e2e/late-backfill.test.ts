// Late data cannot flood: a backfill over 600 distinct past dates shares the direct stream with
// other apps' valid events and none of them lands in activePartitionExceeded/ (late/ is partitioned
// by receive date). In a contrived stream allowed 6 open partitions, what overflows is landed by
// the replay, in waves that open few partitions at a time — where one burst fails the same way again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { startIngestServer } from '../../local/apigateway/ingest-server.js';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { errorRecordPayload } from '../../local/tools/replay/records.js';
import { replayObjects } from '../../local/tools/replay/run.js';
import { E2E_TIME_SCALE, newDataDir, removeDataDir } from './harness.js';
import { curatedRows } from './lake.js';

const DAY_MS = 86_400_000;
const keyOf = (app: string): string => Object.entries(config.local.apiKeys).find(([, id]) => id === app)?.[0] as string;

let serial = 0;
const uuid = (): string => `5e1a7c00-0000-4000-8000-${(++serial).toString(16).padStart(12, '0')}`;
const pageView = (eventTime: number) => ({
  event_id: uuid(),
  event_type: 'page_view',
  event_time: new Date(eventTime).toISOString(),
  attributes: { url: 'https://shop.example.com/' },
});
const addToCart = (eventTime: number) => ({
  event_id: uuid(),
  event_type: 'add_to_cart',
  event_time: new Date(eventTime).toISOString(),
  attributes: { sku: 'A-1', quantity: 1, unit_price: 3.5, currency: 'EUR' },
});

async function post(url: string, app: string, events: object[]): Promise<{ accepted: number }> {
  const response = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': keyOf(app) },
    body: JSON.stringify({ events }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { accepted: number };
}

const listIngest = (p: LocalPipeline, prefix: string): Promise<string[]> =>
  p.s3.listKeys(localBucketNames.ingest, prefix);

describe('a late backfill over 600 dates beside live traffic', () => {
  let dataDir: string;
  let p: LocalPipeline;
  const now = Date.now();
  const backfill = Array.from({ length: 600 }, (_, i) => pageView(now - (40 + i) * DAY_MS));
  const live = Array.from({ length: 300 }, (_, i) => (i % 2 ? pageView : addToCart)(now - (i % 50) * 60_000));
  const same = pageView(now - 120_000);
  const shouted = { ...same, event_id: same.event_id.toUpperCase() };

  beforeAll(async () => {
    dataDir = await newDataDir();
    p = await startLocalPipeline({ dataDir, timeScale: E2E_TIME_SCALE });
    const server = await startIngestServer(p, 0);
    try {
      await Promise.all([
        post(server.url, 'shop-web', backfill.slice(0, 300)),
        post(server.url, 'shop-ios', live.slice(0, 150)),
        post(server.url, 'shop-web', backfill.slice(300)),
        post(server.url, 'kiosk-app', [...live.slice(150), same, shouted]),
      ]);
    } finally {
      await server.close();
    }
    await settle(p);
  }, 120_000);

  afterAll(async () => {
    await p?.close();
    await removeDataDir(dataDir);
  });

  it('opens one late partition per type and receive day, and no record exceeds the partition limit', async () => {
    expect(await listIngest(p, 'activePartitionExceeded/')).toEqual([]);
    expect(await listIngest(p, 'processing-failed/')).toEqual([]);
    const latePartitions = new Set((await listIngest(p, config.prefixes.late)).map((k) => k.replace(/[^/]+$/, '')));
    expect(latePartitions.size).toBeGreaterThanOrEqual(1);
    expect(latePartitions.size).toBeLessThanOrEqual(2); // 2 only when the run straddles midnight UTC
    for (const partition of latePartitions) expect(partition).toMatch(/^late\/type=page_view\/dt=\d{4}-\d{2}-\d{2}\/$/);
  });

  it('lands every live event in curated, and one UUID in two cases as one row', async () => {
    const rows = await curatedRows(p.instance, dataDir);
    const ids = rows.map((r) => r.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...live.map((e) => e.event_id), same.event_id].sort());
  });
});

describe('activePartitionExceeded in a stream allowed 6 open partitions', () => {
  let dataDir: string;
  let p: LocalPipeline;
  const now = Date.now();
  // 24 event dates inside the freshness window: 24 partitions at once, 4 times the limit.
  const events = Array.from({ length: 24 * 5 }, (_, i) => pageView(now - Math.floor(i / 5) * DAY_MS - 3_600_000));

  beforeAll(async () => {
    dataDir = await newDataDir();
    p = await startLocalPipeline({ dataDir, timeScale: E2E_TIME_SCALE, maxActivePartitions: 6 });
    const server = await startIngestServer(p, 0);
    try {
      await post(server.url, 'shop-web', events);
    } finally {
      await server.close();
    }
    await settle(p);
  }, 120_000);

  afterAll(async () => {
    await p?.close();
    await removeDataDir(dataDir);
  });

  it('is landed by a replay in waves, where a replay in one burst overflows again', async () => {
    const first = await listIngest(p, 'activePartitionExceeded/');
    expect(first.length).toBeGreaterThan(0);

    const burst = await replayObjects(p, first, errorRecordPayload, { partitionsPerWave: 100 });
    expect(burst.outcome.notAccepted).toBe(0);
    expect(burst.outcome.landed.processingFailed).toBeGreaterThan(0);

    const again = (await listIngest(p, 'activePartitionExceeded/')).filter((k) => !first.includes(k));
    const paced = await replayObjects(p, again, errorRecordPayload, { partitionsPerWave: 3 });
    expect(paced.outcome).toMatchObject({ notAccepted: 0, unreadable: 0 });
    expect(paced.outcome.landed.processingFailed).toBe(0);

    const ids = (await curatedRows(p.instance, dataDir)).map((r) => r.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(events.map((e) => e.event_id).sort());
  });
});
