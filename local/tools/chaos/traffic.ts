// The chaos run's traffic, as `eventlake send` and the device topic deliver it, with the client's
// own account of every event id: app events as batched POSTs (some batches sent twice on purpose),
// device events on the device topic (entries the stream refuses are published again).
import { config } from '#shared/config.js';
import type { LocalPipeline } from '../../pipeline/pipeline.js';
import { demoTrafficMix, generateTraffic, seededRandom, type TrafficItem } from '../traffic/traffic.js';
import { type BatchDelivery, deliverTracked } from './client.js';

export interface ClientLedger {
  generated: number;
  byKind: Record<string, number>;
  /** Event sends, first sends and deliberate duplicate sends (not counting retries). */
  sent: number;
  duplicateSends: { batches: number; events: number };
  /** Event ids accepted at least once (a 2xx for their index, or taken by the device stream). */
  accepted: Set<string>;
  /** Accepted events that carry no event_id (untraceable by id; they can only become failed records). */
  acceptedWithoutId: number;
  /** Event id → the reason the API gave when rejecting it. */
  rejected: Map<string, string>;
  rejectionsByReason: Record<string, number>;
  /** Ids neither accepted nor rejected when the client gave up. */
  undelivered: Set<string>;
  retries: { partial503: number; resentAfter503: number; wholeRequests: number; deviceRepublished: number };
  mismatches: string[];
}

export interface ChaosTrafficPlan {
  events: number;
  seed: number;
  /** Share of app batches the client sends a second time after the first answer. */
  duplicateSendRate: number;
  batch?: number;
  concurrency?: number;
  devices?: number;
}

export const newClientLedger = (): ClientLedger => ({
  generated: 0,
  byKind: {},
  sent: 0,
  duplicateSends: { batches: 0, events: 0 },
  accepted: new Set(),
  acceptedWithoutId: 0,
  rejected: new Map(),
  rejectionsByReason: {},
  undelivered: new Set(),
  retries: { partial503: 0, resentAfter503: 0, wholeRequests: 0, deviceRepublished: 0 },
  mismatches: [],
});

export async function pushChaosTraffic(p: LocalPipeline, endpoint: string, plan: ChaosTrafficPlan) {
  const ledger = newClientLedger();
  const keyOfApp = new Map(Object.entries(config.local.apiKeys).map(([key, app]) => [app, key]));
  const duplicateDice = seededRandom(plan.seed ^ 0x5eed);
  const inFlight = new Set<Promise<void>>();
  const post = async (app: string, items: TrafficItem[]) => {
    while (inFlight.size >= (plan.concurrency ?? 6)) await Promise.race(inFlight);
    const target = { url: `${endpoint}/v1/events`, apiKey: keyOfApp.get(app) as string, fetch, maxAttempts: 8 };
    const twice = duplicateDice() < plan.duplicateSendRate;
    const lines = items.map((item) => item.line);
    const work = deliverTracked(lines, target).then(async (first) => {
      recordDelivery(ledger, items, first, true);
      if (!twice) return;
      ledger.duplicateSends.batches += 1;
      ledger.duplicateSends.events += items.length;
      recordDelivery(ledger, items, await deliverTracked(lines, target), false);
    });
    const tracked: Promise<void> = work.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  await feed(plan, ledger, keyOfApp, post, (devices) => publishDevices(p, devices, ledger));
  await Promise.all(inFlight);
  for (const id of ledger.accepted) ledger.undelivered.delete(id);
  return ledger;
}

/** Walks the generated traffic: app events into per-app batches, device events into publish rounds. */
async function feed(
  plan: ChaosTrafficPlan,
  ledger: ClientLedger,
  keyOfApp: Map<string, string>,
  post: (app: string, items: TrafficItem[]) => Promise<void>,
  publish: (items: TrafficItem[]) => Promise<void>,
): Promise<void> {
  const traffic = generateTraffic({
    seed: plan.seed,
    appIds: [...keyOfApp.keys()],
    devices: plan.devices ?? 200,
    ...demoTrafficMix,
  });
  const batches = new Map<string, TrafficItem[]>();
  const devices: TrafficItem[] = [];
  for (const item of traffic) {
    if (ledger.generated >= plan.events) break;
    ledger.generated += 1;
    ledger.byKind[item.kind] = (ledger.byKind[item.kind] ?? 0) + 1;
    if (item.deviceId !== undefined && item.appId === undefined) {
      if (devices.push(item) >= 500) await publish(devices.splice(0));
      continue;
    }
    const app = item.appId ?? (keyOfApp.keys().next().value as string);
    // A malformed body fails its whole request, so it travels alone, as a real client's would.
    if (item.kind === 'malformed_json') {
      await post(app, [item]);
      continue;
    }
    const batch = batches.get(app) ?? [];
    batches.set(app, batch);
    if (batch.push(item) >= (plan.batch ?? config.api.maxEventsPerRequest)) await post(app, batch.splice(0));
  }
  for (const [app, batch] of batches) if (batch.length > 0) await post(app, batch);
  await publish(devices);
}

function recordDelivery(ledger: ClientLedger, items: TrafficItem[], d: BatchDelivery, first: boolean): void {
  ledger.sent += items.length;
  ledger.retries.partial503 += d.partial503;
  ledger.retries.resentAfter503 += d.resentAfter503;
  ledger.retries.wholeRequests += d.wholeRetries;
  ledger.mismatches.push(...d.mismatches);
  d.outcomes.forEach((outcome, i) => {
    const id = idOf(items[i] as TrafficItem);
    if (outcome.kind === 'accepted') {
      if (id === undefined) ledger.acceptedWithoutId += first ? 1 : 0;
      else ledger.accepted.add(id);
    } else if (outcome.kind === 'rejected') {
      if (first) ledger.rejectionsByReason[outcome.reason] = (ledger.rejectionsByReason[outcome.reason] ?? 0) + 1;
      if (id !== undefined) ledger.rejected.set(id, outcome.reason);
    } else if (id !== undefined) ledger.undelivered.add(id);
  });
}

/** A malformed payload is not JSON: whatever id the generator gave it, nobody downstream can read it. */
const idOf = (item: TrafficItem): string | undefined => (item.kind === 'malformed_json' ? undefined : item.eventId);

const deviceTopic = (deviceId: string): string => config.devices.topicFilter.replace('+', deviceId);

/** Publishes device messages; entries the stream refuses are published again (bounded). */
async function publishDevices(p: LocalPipeline, items: TrafficItem[], ledger: ClientLedger): Promise<void> {
  let pending = items;
  for (let attempt = 0; pending.length > 0 && attempt < 50; attempt++) {
    if (attempt > 0) {
      ledger.retries.deviceRepublished += pending.length;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
    const messages = pending.map((item) => ({ topic: deviceTopic(item.deviceId as string), payload: item.line }));
    const results = await p.publishFromDevices(messages);
    ledger.sent += attempt === 0 ? pending.length : 0;
    pending.forEach((item, i) => {
      if (results[i]?.ok !== true) return;
      const id = idOf(item);
      if (id === undefined) ledger.acceptedWithoutId += 1;
      else ledger.accepted.add(id);
    });
    pending = pending.filter((_, i) => results[i]?.ok !== true);
  }
  for (const item of pending) {
    const id = idOf(item);
    if (id !== undefined) ledger.undelivered.add(id);
  }
}
