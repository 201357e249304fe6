// `eventlake send` options: the help text, and argv + environment → a send plan (or 'help').
import { parseArgs } from 'node:util';
import { config } from '#shared/config.js';
import type { generateTraffic } from '../tools/traffic/traffic.js';

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

export type SendPlan = SendOptions | 'help';

export function sendPlan(argv: string[], env: Record<string, string | undefined>): SendPlan {
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

function apiKeys(
  env: Record<string, string | undefined>,
  apps: number,
): { map: Map<string, string>; appIds: string[] } {
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
