// End-to-end harness: the real local pipeline in a temp data directory, seeded generator traffic
// sent the way clients send it (HTTP ingest + device topic), and what the generator's own items
// say should come out — so every expectation is computed independently of the pipeline's counters.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { config } from '#shared/config.js';
import { deliverBatch } from '#shared/ingest/client.js';
import { startIngestServer } from '../../local/apigateway/ingest-server.js';
import { type LocalPipeline, type PipelineFaults, startLocalPipeline } from '../../local/pipeline/pipeline.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { generateTraffic, rejectedAtEdge, type TrafficItem } from '../../local/tools/traffic/traffic.js';

/**
 * Every configured wait × 0.005: 210 s raw-objects visibility → 1.05 s, 185 s report-results
 * visibility → 0.9 s, Lambda's 60 s async retry delay → 0.3 s. Not smaller: on a loaded 2-core
 * machine a handler can outlast a visibility timeout of ~0.1 s (0.0005); its message is then
 * received again while still in progress, the first receipt handle can no longer delete it, and
 * a message that succeeded drifts towards the DLQ.
 */
export const E2E_TIME_SCALE = 0.005;

export const newDataDir = (): Promise<string> => mkdtemp(path.join(tmpdir(), 'eventlake-e2e-'));
export const removeDataDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });

export const startE2ePipeline = (dataDir: string, faults?: PipelineFaults): Promise<LocalPipeline> =>
  startLocalPipeline({ dataDir, timeScale: E2E_TIME_SCALE, ...(faults ? { faults } : {}) });

export const bucketDir = (dataDir: string, role: keyof typeof localBucketNames): string =>
  path.join(dataDir, localBucketNames[role]);

const appIds = Object.values(config.local.apiKeys);
const keyOfApp = new Map(Object.entries(config.local.apiKeys).map(([key, app]) => [app, key]));

/** The first `events` items of a seeded day of traffic with invalid, late and duplicate shares. */
export function trafficItems(seed: number, events: number, shares = { invalid: 0.04, duplicate: 0.02, late: 0.01 }) {
  const items: TrafficItem[] = [];
  const traffic = generateTraffic({
    seed,
    appIds,
    devices: 40,
    invalidShare: shares.invalid,
    duplicateShare: shares.duplicate,
    lateShare: shares.late,
    now: () => Date.now(),
  });
  for (const item of traffic) {
    if (items.length >= events) break;
    items.push(item);
  }
  return items;
}

const isDeviceItem = (item: TrafficItem): boolean => item.deviceId !== undefined && item.appId === undefined;

export interface Expected {
  /** Distinct event_ids that must end up in curated Parquet. */
  curatedIds: Set<string>;
  lateIds: Set<string>;
  duplicates: number;
  rejectedByApi: number;
  failedByType: Record<string, number>;
  enteredPipeline: number;
}

/** What the items must become, from the generator's kinds alone. */
export function expectedOutcome(items: readonly TrafficItem[]): Expected {
  const expected: Expected = {
    curatedIds: new Set(),
    lateIds: new Set(),
    duplicates: 0,
    rejectedByApi: 0,
    failedByType: {},
    enteredPipeline: 0,
  };
  const fail = (type: string) => {
    expected.failedByType[type] = (expected.failedByType[type] ?? 0) + 1;
  };
  for (const item of items) {
    if (!isDeviceItem(item) && rejectedAtEdge(item.kind)) {
      expected.rejectedByApi += 1;
      continue;
    }
    expected.enteredPipeline += 1;
    if (item.kind === 'valid') expected.curatedIds.add(item.eventId as string);
    else if (item.kind === 'duplicate') expected.duplicates += 1;
    else if (item.kind === 'late') expected.lateIds.add(item.eventId as string);
    else if (item.kind === 'unknown_type') fail('unknown_event_type');
    // The device topic has no edge check: its envelope problems surface in the transform.
    else if (item.kind === 'envelope_violation') fail('schema_violation');
    else fail(item.kind);
  }
  return expected;
}

export interface Sent {
  accepted: number;
  rejected: number;
  failed: number;
  retried: number;
  published: number;
}

/** App items as 500-event POST /v1/events (a malformed body alone), device items on the device topic. */
export async function sendItems(p: LocalPipeline, items: readonly TrafficItem[]): Promise<Sent> {
  const server = await startIngestServer(p, 0);
  const sent: Sent = { accepted: 0, rejected: 0, failed: 0, retried: 0, published: 0 };
  try {
    const byApp = new Map<string, string[][]>();
    for (const item of items.filter((i) => !isDeviceItem(i))) {
      const batches = byApp.get(item.appId as string) ?? [[]];
      if (item.kind === 'malformed_json') batches.unshift([item.line]);
      else {
        const last = batches.at(-1) as string[];
        if (last.length >= config.api.maxEventsPerRequest) batches.push([item.line]);
        else last.push(item.line);
      }
      byApp.set(item.appId as string, batches);
    }
    for (const [app, batches] of byApp) {
      const target = {
        url: `${server.url}/v1/events`,
        apiKey: keyOfApp.get(app) as string,
        ndjson: false,
        gzip: false,
      };
      for (const lines of batches.filter((b) => b.length > 0)) {
        const r = await deliverBatch(lines, { ...target, fetch });
        Object.assign(sent, { accepted: sent.accepted + r.accepted, rejected: sent.rejected + r.rejected });
        Object.assign(sent, { failed: sent.failed + r.failed, retried: sent.retried + r.retried });
      }
    }
  } finally {
    await server.close();
  }
  const devices = items.filter(isDeviceItem);
  for (let i = 0; i < devices.length; i += 500) {
    const messages = devices.slice(i, i + 500).map((item) => ({
      topic: config.devices.topicFilter.replace('+', item.deviceId as string),
      payload: item.line,
    }));
    const results = await p.publishFromDevices(messages);
    sent.published += results.filter((r) => r.ok).length;
    sent.failed += results.filter((r) => !r.ok).length;
  }
  return sent;
}

/** Polls until `condition` holds (the pipeline works on timers, not on our calls). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
