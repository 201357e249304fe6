// Pushes generated traffic the way it arrives in the cloud: app events as batched POST /v1/events
// with each app's key (re-sending exactly what a 503 names), device events one message each on the
// device topic (IoT rule → Kinesis → devices delivery stream).
import { config } from '#shared/config.js';
import { deliverBatch } from '#shared/ingest/client.js';
import type { LocalPipeline } from '../../pipeline/pipeline.js';
import { demoTrafficMix, generateTraffic, type TrafficItem } from './traffic.js';

export interface TrafficSent {
  generated: number;
  byKind: Record<string, number>;
  /** Answered by the API: accepted, rejected with a reason, or given up on after retries. */
  app: { sent: number; accepted: number; rejected: number; failed: number; retried: number };
  /** Published on the device topic and accepted by the devices stream. */
  device: { published: number; failed: number };
}

export interface TrafficPlan {
  events: number;
  seed: number;
  devices?: number;
  batch?: number;
  concurrency?: number;
}

export async function pushTraffic(p: LocalPipeline, endpoint: string, plan: TrafficPlan): Promise<TrafficSent> {
  const keyOfApp = new Map(Object.entries(config.local.apiKeys).map(([key, app]) => [app, key]));
  const sent: TrafficSent = {
    generated: 0,
    byKind: {},
    app: { sent: 0, accepted: 0, rejected: 0, failed: 0, retried: 0 },
    device: { published: 0, failed: 0 },
  };
  const traffic = generateTraffic({
    seed: plan.seed,
    appIds: [...keyOfApp.keys()],
    devices: plan.devices ?? 200,
    ...demoTrafficMix,
    now: () => Date.now(),
  });
  const batches = new Map<string, string[]>();
  const inFlight = new Set<Promise<void>>();
  const post = async (app: string, lines: string[]) => {
    while (inFlight.size >= (plan.concurrency ?? 4)) await Promise.race(inFlight);
    const target = {
      url: `${endpoint}/v1/events`,
      apiKey: keyOfApp.get(app) as string,
      ndjson: false,
      gzip: false,
      fetch,
    };
    const request = deliverBatch(lines, target).then((r) => {
      Object.assign(sent.app, { accepted: sent.app.accepted + r.accepted, rejected: sent.app.rejected + r.rejected });
      Object.assign(sent.app, { failed: sent.app.failed + r.failed, retried: sent.app.retried + r.retried });
    });
    const tracked: Promise<void> = request.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const devices: TrafficItem[] = [];
  for (const item of traffic) {
    if (sent.generated++ >= plan.events) break;
    sent.byKind[item.kind] = (sent.byKind[item.kind] ?? 0) + 1;
    if (item.deviceId !== undefined && item.appId === undefined) {
      devices.push(item);
      if (devices.length >= 500) await publishDevices(p, devices.splice(0), sent);
      continue;
    }
    const app = item.appId ?? (keyOfApp.keys().next().value as string);
    sent.app.sent += 1;
    // A malformed body fails its whole request, so it travels alone, as a real client's would.
    if (item.kind === 'malformed_json') {
      await post(app, [item.line]);
      continue;
    }
    const lines = batches.get(app) ?? [];
    lines.push(item.line);
    batches.set(app, lines);
    if (lines.length >= (plan.batch ?? config.api.maxEventsPerRequest))
      await post(app, batches.get(app)?.splice(0) ?? []);
  }
  sent.generated = Math.min(sent.generated, plan.events);
  for (const [app, lines] of batches) if (lines.length > 0) await post(app, lines);
  await publishDevices(p, devices, sent);
  await Promise.all(inFlight);
  return sent;
}

const deviceTopic = (deviceId: string): string => config.devices.topicFilter.replace('+', deviceId);

/** Publishes device messages; what the stream pushes back on (Slow down) is published again. */
async function publishDevices(p: LocalPipeline, items: TrafficItem[], sent: TrafficSent): Promise<void> {
  let pending = items.map((item) => ({ topic: deviceTopic(item.deviceId as string), payload: item.line }));
  for (let attempt = 0; pending.length > 0 && attempt < 50; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    const results = await p.publishFromDevices(pending);
    sent.device.published += results.filter((r) => r.ok).length;
    pending = pending.filter((_, i) => results[i]?.ok !== true);
  }
  sent.device.failed += pending.length;
}
