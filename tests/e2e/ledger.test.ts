// A seeded run of a few thousand events through the whole local pipeline: the ledger balances, and
// each of its terms matches what the generator's items say it must be, read from the files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { readLedger } from '../../local/tools/traffic/demo-ledger.js';
import type { TrafficSent } from '../../local/tools/traffic/demo-traffic.js';
import type { TrafficItem } from '../../local/tools/traffic/traffic.js';
import {
  type Expected,
  expectedOutcome,
  newDataDir,
  removeDataDir,
  type Sent,
  sendItems,
  startE2ePipeline,
  trafficItems,
} from './harness.js';
import { curatedRows, failedByType, lateIds } from './lake.js';

const EVENTS = 3_000;

let dataDir: string;
let p: LocalPipeline;
let items: TrafficItem[];
let expected: Expected;
let sent: Sent;

beforeAll(async () => {
  dataDir = await newDataDir();
  p = await startE2ePipeline(dataDir);
  items = trafficItems(11, EVENTS);
  expected = expectedOutcome(items);
  sent = await sendItems(p, items);
  await settle(p);
}, 90_000);

afterAll(async () => {
  await p?.close();
  await removeDataDir(dataDir);
});

const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);
const sortedCounts = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).sort());

describe(`a seeded run of ${EVENTS} events`, () => {
  it('the traffic holds every kind the ledger accounts for', () => {
    expect(expected.curatedIds.size).toBeGreaterThan(EVENTS * 0.8);
    expect(expected.duplicates).toBeGreaterThan(0);
    expect(expected.lateIds.size).toBeGreaterThan(0);
    expect(expected.rejectedByApi).toBeGreaterThan(0);
    expect(sum(Object.values(expected.failedByType))).toBeGreaterThan(0);
  });

  it('every event was answered: accepted, or rejected at the edge with a reason, none given up on or re-sent', () => {
    expect(sent.failed).toBe(0);
    expect(sent.retried).toBe(0);
    expect(sent.rejected).toBe(expected.rejectedByApi);
    expect(sent.accepted + sent.published).toBe(expected.enteredPipeline);
    expect(sent.accepted + sent.published + sent.rejected).toBe(EVENTS);
  });

  it('balances: events in == curated + failed + late + duplicates removed + processing-failed', async () => {
    const curated = (await curatedRows(p.instance, dataDir)).length;
    const failed = sum(Object.values(await failedByType(p.instance, dataDir)));
    const late = (await lateIds(p.instance, dataDir)).length;
    const duplicatesRemoved = sum(p.glue.runs().map((r) => r.marker?.duplicates_removed ?? 0));
    const processingFailed = p.direct.stats().processingFailed + p.devices.stats().processingFailed;
    expect(curated + failed + late + duplicatesRemoved + processingFailed).toBe(sent.accepted + sent.published);
    const demoSent: TrafficSent = {
      generated: EVENTS,
      byKind: {},
      app: { sent: EVENTS - sent.published, ...sent },
      device: { published: sent.published, failed: 0 },
    };
    const ledger = await readLedger(p, demoSent);
    expect(ledger.balanced).toBe(true);
    expect(ledger.curatedRows).toBe(curated);
  });

  it('curated holds each valid event exactly once: the distinct valid event_ids the generator produced', async () => {
    const rows = await curatedRows(p.instance, dataDir);
    const ids = rows.map((r) => r.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(expected.curatedIds.size);
    expect(new Set(ids)).toEqual(expected.curatedIds);
  });

  it('each curated row sits in its event type partition, app events in the UTC date of their event_time', async () => {
    const byId = new Map(items.filter((i) => i.kind === 'valid').map((i) => [i.eventId, JSON.parse(i.line)]));
    const rows = await curatedRows(p.instance, dataDir);
    let appEvents = 0;
    for (const row of rows) {
      const event = byId.get(row.event_id) as { event_type: string; event_time: string | number; app_id?: string };
      expect(row.event_type).toBe(event.event_type);
      // Device events carry sent_at, so their time gets a clock-skew correction; app events do not.
      if (event.app_id === undefined) continue;
      appEvents += 1;
      expect(row.dt).toBe(new Date(event.event_time).toISOString().slice(0, 10));
    }
    expect(appEvents).toBeGreaterThan(rows.length / 2);
  });

  it('late holds exactly the events older than the freshness window', async () => {
    const late = await lateIds(p.instance, dataDir);
    expect(late.length).toBe(expected.lateIds.size);
    expect(new Set(late)).toEqual(expected.lateIds);
  });

  it('failed-event records match the invalid kinds the transform saw, by failure type', async () => {
    expect(sortedCounts(await failedByType(p.instance, dataDir))).toEqual(sortedCounts(expected.failedByType));
  });

  it('Glue removed exactly the generated duplicates; nothing is processing-failed, failed or dead-lettered', () => {
    const runs = p.glue.runs();
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.state === 'SUCCEEDED')).toBe(true);
    expect(sum(runs.map((r) => r.marker?.duplicates_removed ?? 0))).toBe(expected.duplicates);
    expect(p.direct.stats().processingFailed + p.devices.stats().processingFailed).toBe(0);
    for (const { dlq } of Object.values(p.queues)) expect(dlq.stats().visible).toBe(0);
  });
});
