// `eventlake send`: generated traffic → an ingest endpoint (local runtime or a deployed stage),
// paced to a target rate, honouring 503 + Retry-After (re-send only the failed indexes) and 429.
import { parseArgs } from 'node:util';
import { config } from '../shared/config.js';
import { type DeliveryResult, deliverBatch } from '../shared/ingest-client.js';
import { generateTraffic, type TrafficItem } from './traffic.js';

export { generateTraffic, rejectedAtEdge, type TrafficItem, type TrafficOptions } from './traffic.js';

export const sendHelp = `eventlake send — generate realistic events and send them to POST /v1/events

Usage: eventlake send [options]

  --endpoint <url>     API base URL (default http://127.0.0.1:${config.local.port}); /v1/events is appended
  --events <n>         events to send (default 1000)
  --rate <n>           target events per second, 0 = as fast as possible (default 500)
  --apps <n>           apps to spread events over (default 3)
  --devices <n>        devices to spread events over (default 10)
  --invalid <share>    share of invalid events, 0–1 (default 0.05)
  --duplicates <share> share of re-sent duplicates, 0–1 (default 0.02)
  --late <share>       share of events older than the freshness window, 0–1 (default 0.01)
  --batch <n>          events per request, at most ${config.api.maxEventsPerRequest} (default 100)
  --concurrency <n>    requests in flight (default 4)
  --seed <n>           seed of the generator (default 1)
  --ndjson             send application/x-ndjson instead of {"events": [...]}
  --gzip               gzip request bodies
  --json               print the summary as JSON on stdout
  --help               this text

Environment:
  EVENTLAKE_API_KEY    the API key (x-api-key); its app is stamped on every event
  EVENTLAKE_API_KEYS   instead, one key per app: "<app_id>=<key>,<app_id>=<key>"; --apps is then their count

Exit code 0 when every event was accepted or rejected, 1 when some could not be delivered, 2 on bad usage.`;

export interface SendIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: NodeJS.WriteStream | { write: (text: string) => unknown; isTTY?: boolean };
  fetch: typeof fetch;
}

const defaultIo = (): SendIo => ({
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: process.stderr,
  fetch: globalThis.fetch,
});

export interface SendSummary extends DeliveryResult {
  sent: number;
  requests: number;
  seconds: number;
  events_per_second: number;
}

export async function runSend(argv: string[], io: SendIo = defaultIo()): Promise<number> {
  let plan: SendPlan;
  try {
    plan = sendPlan(argv, io.env);
  } catch (error) {
    io.stderr.write(`eventlake send: ${(error as Error).message}\n\n${sendHelp}\n`);
    return 2;
  }
  if (plan === 'help') {
    io.stdout(`${sendHelp}\n`);
    return 0;
  }
  const summary = await sendTraffic(plan, io);
  io.stdout(plan.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
  return summary.failed === 0 ? 0 : 1;
}

export interface SendOptions {
  endpoint: string;
  events: number;
  rate: number;
  batch: number;
  concurrency: number;
  ndjson: boolean;
  gzip: boolean;
  json: boolean;
  /** app id → API key; a single key has app id '' (the server stamps its app). */
  keys: Map<string, string>;
  traffic: Parameters<typeof generateTraffic>[0];
}

type SendPlan = SendOptions | 'help';

function sendPlan(argv: string[], env: SendIo['env']): SendPlan {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  if (values.help) return 'help';
  const keys = apiKeys(env, positive(values.apps, 'apps', 3));
  const share = (name: keyof typeof values, fallback: number) =>
    fraction(values[name] as string | undefined, name, fallback);
  return {
    endpoint: (values.endpoint ?? `http://127.0.0.1:${config.local.port}`).replace(/\/+$/, ''),
    events: positive(values.events, 'events', 1000),
    rate: positive(values.rate, 'rate', 500, true),
    batch: Math.min(positive(values.batch, 'batch', 100), config.api.maxEventsPerRequest),
    concurrency: positive(values.concurrency, 'concurrency', 4),
    ndjson: values.ndjson === true,
    gzip: values.gzip === true,
    json: values.json === true,
    keys: keys.map,
    traffic: {
      seed: positive(values.seed, 'seed', 1, true),
      appIds: keys.appIds,
      devices: positive(values.devices, 'devices', 10, true),
      invalidShare: share('invalid', 0.05),
      duplicateShare: share('duplicates', 0.02),
      lateShare: share('late', 0.01),
    },
  };
}

const OPTIONS = {
  endpoint: { type: 'string' },
  events: { type: 'string' },
  rate: { type: 'string' },
  apps: { type: 'string' },
  devices: { type: 'string' },
  invalid: { type: 'string' },
  duplicates: { type: 'string' },
  late: { type: 'string' },
  batch: { type: 'string' },
  concurrency: { type: 'string' },
  seed: { type: 'string' },
  ndjson: { type: 'boolean' },
  gzip: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function positive(raw: string | undefined, name: string, fallback: number, zeroOk = false): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (zeroOk ? 0 : 1))
    throw new Error(`--${name} must be a whole number${zeroOk ? '' : ' ≥ 1'}, got "${raw}"`);
  return value;
}

function fraction(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new Error(`--${name} must be between 0 and 1, got "${raw}"`);
  return value;
}

function apiKeys(env: SendIo['env'], apps: number): { map: Map<string, string>; appIds: string[] } {
  const many = env.EVENTLAKE_API_KEYS?.trim();
  if (many) {
    const pairs = many.split(',').map((pair) => pair.trim().split('='));
    if (pairs.some((p) => p.length !== 2 || !p[0] || !p[1]))
      throw new Error('EVENTLAKE_API_KEYS must be "<app_id>=<key>,…"');
    const map = new Map(pairs as [string, string][]);
    return { map, appIds: [...map.keys()] };
  }
  const key = env.EVENTLAKE_API_KEY?.trim();
  if (!key) throw new Error('set EVENTLAKE_API_KEY (or EVENTLAKE_API_KEYS) to the API key to send with');
  // One key, one app: events go without app_id and the API stamps the key's app on them.
  return { map: new Map([['', key]]), appIds: Array.from({ length: apps }, (_, i) => `demo-app-${i + 1}`) };
}

/** Sends `events` generated events in batches, paced to the rate, `concurrency` requests at a time. */
export async function sendTraffic(plan: SendOptions, io: SendIo): Promise<SendSummary> {
  const started = performance.now();
  const totals: SendSummary = {
    sent: 0,
    accepted: 0,
    rejected: 0,
    retried: 0,
    failed: 0,
    requests: 0,
    seconds: 0,
    events_per_second: 0,
  };
  const progress = startProgress(io.stderr, totals, started);
  const inFlight = new Set<Promise<void>>();
  for (const { appId, lines } of batches(plan)) {
    if (plan.rate > 0) await pause(started + (totals.sent / plan.rate) * 1000 - performance.now());
    while (inFlight.size >= plan.concurrency) await Promise.race(inFlight);
    const target = {
      url: `${plan.endpoint}/v1/events`,
      apiKey: plan.keys.get(appId) as string,
      ...plan,
      fetch: io.fetch,
    };
    const request: Promise<void> = deliverBatch(lines, target)
      .then((result) => addUp(totals, result))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
    totals.sent += lines.length;
  }
  await Promise.all(inFlight);
  progress.stop();
  totals.seconds = Math.round(performance.now() - started) / 1000;
  totals.events_per_second = totals.seconds > 0 ? Math.round(totals.sent / totals.seconds) : totals.sent;
  return totals;
}

interface Batch {
  appId: string;
  lines: string[];
}

/** Groups generated events per API key; malformed lines go alone, as their 400 rejects the request. */
function* batches(plan: SendOptions): Generator<Batch> {
  const singleKey = plan.keys.has('');
  const open = new Map<string, string[]>();
  let count = 0;
  for (const item of generateTraffic(plan.traffic)) {
    if (count++ >= plan.events) break;
    const appId = singleKey ? '' : (item.appId ?? (plan.traffic.appIds[0] as string));
    if (item.kind === 'malformed_json') {
      yield { appId, lines: [item.line] };
      continue;
    }
    const lines = open.get(appId) ?? [];
    lines.push(singleKey ? withoutAppId(item) : item.line);
    open.set(appId, lines);
    if (lines.length >= plan.batch) {
      open.delete(appId);
      yield { appId, lines };
    }
  }
  for (const [appId, lines] of open) yield { appId, lines };
}

/** With one key the API stamps that key's app; a generated app id would only be rejected as a mismatch. */
function withoutAppId(item: TrafficItem): string {
  if (item.appId === undefined) return item.line;
  const { app_id: _, ...event } = JSON.parse(item.line) as Record<string, unknown>;
  return JSON.stringify(event);
}

function addUp(totals: SendSummary, result: DeliveryResult): void {
  totals.accepted += result.accepted;
  totals.rejected += result.rejected;
  totals.retried += result.retried;
  totals.failed += result.failed;
  totals.requests += result.requests;
  if (result.lastError !== undefined) totals.lastError = result.lastError;
}

const pause = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

/** A progress line on stderr: redrawn 4× a second on a terminal, one line every 5 s otherwise. */
function startProgress(stderr: SendIo['stderr'], totals: SendSummary, started: number): { stop: () => void } {
  const tty = stderr.isTTY === true;
  const line = () => {
    const seconds = (performance.now() - started) / 1000;
    return `sent ${totals.sent}  accepted ${totals.accepted}  rejected ${totals.rejected}  retried ${totals.retried}  failed ${totals.failed}  ${Math.round(totals.sent / Math.max(seconds, 0.001))} ev/s`;
  };
  const timer = setInterval(() => stderr.write(tty ? `\r${line()}\u001b[K` : `${line()}\n`), tty ? 250 : 5_000);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      if (tty) stderr.write(`\r${line()}\u001b[K\n`);
    },
  };
}

export function formatSummary(summary: SendSummary): string {
  const rows = [
    ['sent', summary.sent],
    ['accepted', summary.accepted],
    ['rejected', summary.rejected],
    ['retried', summary.retried],
    ['failed', summary.failed],
    ['requests', summary.requests],
    ['seconds', summary.seconds],
    ['events/s', summary.events_per_second],
  ];
  const table = rows.map(([name, value]) => `  ${String(name).padEnd(10)} ${value}`).join('\n');
  return `eventlake send summary\n${table}${summary.lastError ? `\n  last error ${summary.lastError}` : ''}\n`;
}
