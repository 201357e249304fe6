// Firehose records and billed bytes for the demo mix, one event per record against packed records.
// Firehose bills every record rounded up to 5 KB (taken as 5,120 bytes here; with 5,000 the figures
// move by under 3 %). App events go through the ingest λ's own prepareEvents as 500-event requests
// (the demo's batch) and as 25-event requests (a mobile app flushing often); device events are one
// record each either way (the Kinesis source is never packed). Counts, not timings: deterministic.
import { config } from '#shared/config.js';
import { prepareEvents } from '#shared/ingest/events.js';
import { demoTrafficMix, generateTraffic, type TrafficItem } from '../local/tools/traffic/traffic.js';
import type { Bench, BenchResult } from './types.js';

const EVENTS = 20_000;
const BILLING_STEP = 5 * 1024;
const billed = (bytes: number): number => Math.ceil(bytes / BILLING_STEP) * BILLING_STEP;

interface Tally {
  events: number;
  appEvents: number;
  appRecords: number;
  appBilledBytes: number;
  appBytes: number;
  records: number;
  bytes: number;
  billedBytes: number;
}

function demoItems(now: number): TrafficItem[] {
  const items: TrafficItem[] = [];
  const appIds = Object.values(config.local.apiKeys);
  for (const item of generateTraffic({ seed: 7, appIds, devices: 200, ...demoTrafficMix, now: () => now })) {
    if (items.length >= EVENTS) break;
    items.push(item);
  }
  return items;
}

function tally(items: readonly TrafficItem[], now: number, batch: number, packRecordBytes: number): Tally {
  const t: Tally = {
    events: 0,
    appEvents: 0,
    appRecords: 0,
    appBilledBytes: 0,
    appBytes: 0,
    records: 0,
    bytes: 0,
    billedBytes: 0,
  };
  const add = (record: Uint8Array) => {
    t.records += 1;
    t.bytes += record.byteLength;
    t.billedBytes += billed(record.byteLength);
  };
  const byApp = new Map<string, unknown[]>();
  const flush = (app: string) => {
    const candidates = byApp.get(app) ?? [];
    byApp.set(app, []);
    if (candidates.length === 0) return;
    const stamp = { appId: app, receivedAtMs: now, requestId: `req-${t.records}` };
    const prepared = prepareEvents(candidates, stamp, {
      maxRecordBytes: config.firehose.maxRecordBytes,
      packRecordBytes,
    });
    const events = prepared.indexes.reduce((n, e) => n + e.length, 0);
    t.events += events;
    t.appEvents += events;
    for (const record of prepared.records) {
      add(record);
      t.appRecords += 1;
      t.appBilledBytes += billed(record.byteLength);
      t.appBytes += record.byteLength;
    }
  };
  for (const item of items) {
    if (item.appId === undefined) {
      t.events += 1;
      add(Buffer.from(item.line));
      continue;
    }
    let candidate: unknown;
    try {
      candidate = JSON.parse(item.line);
    } catch {
      continue; // a malformed body is answered 400 and never reaches Firehose
    }
    const pending = byApp.get(item.appId) ?? [];
    pending.push(candidate);
    byApp.set(item.appId, pending);
    if (pending.length >= batch) flush(item.appId);
  }
  for (const app of [...byApp.keys()]) flush(app);
  return t;
}

function result(batch: number, items: readonly TrafficItem[], now: number): BenchResult {
  const before = tally(items, now, batch, 0);
  const after = tally(items, now, batch, config.firehose.packRecordBytes);
  const perMillion = (t: Tally) => Math.round((t.billedBytes / t.events) * 1e6) / 1e9;
  return {
    name: `packing: demo mix, ${batch}-event requests, ${before.events} events into Firehose`,
    figures: {
      records_per_event_unpacked: round(before.records / before.events),
      records_per_event_packed: round(after.records / after.events),
      billed_GB_per_M_unpacked: round(perMillion(before)),
      billed_GB_per_M_packed: round(perMillion(after)),
      padding_share_unpacked: round(1 - before.bytes / before.billedBytes),
      padding_share_packed: round(1 - after.bytes / after.billedBytes),
      billed_bytes_ratio: round(after.billedBytes / before.billedBytes),
      app_events_share: round(after.appEvents / after.events),
      app_records_per_event_packed: round(after.appRecords / after.appEvents),
      app_billed_bytes_ratio: round(after.appBilledBytes / before.appBilledBytes),
      app_padding_share_packed: round(1 - after.appBytes / after.appBilledBytes),
    },
  };
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

const bench: Bench = async () => {
  const now = Date.now();
  const items = demoItems(now);
  return [result(config.api.maxEventsPerRequest, items, now), result(25, items, now)];
};

export default bench;
