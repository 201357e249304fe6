// `eventlake send` options: declared on commander (each number bounded, --batch at most the API's
// limit), and the parsed options + environment → a send plan.
import type { Command } from 'commander';
import { config } from '#shared/config.js';
import type { generateTraffic } from '../tools/traffic/traffic.js';
import { integer, share } from './options.js';

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

/** What commander hands the action. */
export interface SendFlags {
  endpoint: string;
  events: number;
  rate: number;
  apps: number;
  devices: number;
  invalid: number;
  duplicates: number;
  late: number;
  batch: number;
  concurrency: number;
  seed: number;
  ndjson?: boolean;
  gzip?: boolean;
  json?: boolean;
}

export const sendEnvironmentHelp = `
Environment:
  EVENTLAKE_API_KEY    the API key (x-api-key); its app is stamped on every event
  EVENTLAKE_API_KEYS   instead, one key per app: "<app_id>=<key>,<app_id>=<key>"; --apps is then their count

Exit code 0 when every event was delivered or rejected, 1 when some could not be delivered (the
cause and its fix are printed), 2 on bad usage.`;

export function declareSendOptions(command: Command): Command {
  const max = config.api.maxEventsPerRequest;
  return command
    .option('--endpoint <url>', 'API base URL; /v1/events is appended', `http://127.0.0.1:${config.local.port}`)
    .option('--events <n>', 'events to send', integer(1, 100_000_000), 1000)
    .option('--rate <n>', 'target events per second, 0 = as fast as possible', integer(0, 10_000_000), 500)
    .option('--apps <n>', 'apps to spread events over', integer(1, 10_000), 3)
    .option('--devices <n>', 'devices to spread events over', integer(0, 10_000_000), 10)
    .option('--invalid <share>', 'share of invalid events, 0–1', share, 0.05)
    .option('--duplicates <share>', 'share of re-sent duplicates, 0–1', share, 0.02)
    .option('--late <share>', 'share of events older than the freshness window, 0–1', share, 0.01)
    .option('--batch <n>', `events per request, at most the API's ${max}`, integer(1, max), 100)
    .option('--concurrency <n>', 'requests in flight', integer(1, 1_024), 4)
    .option('--seed <n>', 'seed of the generator', integer(0, 2 ** 31 - 1), 1)
    .option('--ndjson', 'send application/x-ndjson instead of {"events": [...]}')
    .option('--gzip', 'gzip request bodies')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText('after', sendEnvironmentHelp);
}

/** The plan, or the message of a usage mistake (a missing or malformed key variable). */
export function sendPlan(flags: SendFlags, env: Record<string, string | undefined>): SendOptions | string {
  const keys = apiKeys(env, flags.apps);
  if (typeof keys === 'string') return keys;
  return {
    endpoint: flags.endpoint.replace(/\/+$/, ''),
    events: flags.events,
    rate: flags.rate,
    batch: flags.batch,
    concurrency: flags.concurrency,
    ndjson: flags.ndjson === true,
    gzip: flags.gzip === true,
    json: flags.json === true,
    keys: keys.map,
    traffic: {
      seed: flags.seed,
      appIds: keys.appIds,
      devices: flags.devices,
      invalidShare: flags.invalid,
      duplicateShare: flags.duplicates,
      lateShare: flags.late,
    },
  };
}

function apiKeys(env: Record<string, string | undefined>, apps: number) {
  const many = env.EVENTLAKE_API_KEYS?.trim();
  if (many) {
    const pairs = many.split(',').map((pair) => pair.trim().split('='));
    if (pairs.some((p) => p.length !== 2 || !p[0] || !p[1])) return 'EVENTLAKE_API_KEYS must be "<app_id>=<key>,…"';
    const map = new Map(pairs as [string, string][]);
    return { map, appIds: [...map.keys()] };
  }
  const key = env.EVENTLAKE_API_KEY?.trim();
  if (!key) {
    const local = Object.keys(config.local.apiKeys)[0] ?? '';
    return `set EVENTLAKE_API_KEY (or EVENTLAKE_API_KEYS) to the API key to send with (a local one: ${local})`;
  }
  // One key, one app: events go without app_id and the API stamps the key's app on them.
  return { map: new Map([['', key]]), appIds: Array.from({ length: apps }, (_, i) => `demo-app-${i + 1}`) };
}
