// The load generator of `eventlake load`, run as its own process so it does not share the server's
// event loop or CPU accounting: pre-generates realistic events per local API key, then steps through
// the stages, reporting each to the runner over IPC. Every event sent carries a fresh event_id.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { config } from '#shared/config.js';
import { generateTraffic } from '../traffic/traffic.js';
import type { ClientMessage, LoadPlan, RunnerMessage } from './plan.js';
import { type OutgoingRequest, runStage, type StageBudget } from './stage.js';

/** Distinct generated events per key; sends cycle through them with new ids. */
const POOL_PER_KEY = 2_000;
const ID_FIELD = '{"event_id":"';
const ID_END = ID_FIELD.length + 36;

/** UUIDv4-shaped ids, unique within the run: a random prefix and a counter. */
function idSource(): () => string {
  const hex = randomBytes(8).toString('hex');
  const prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-8${hex.slice(0, 3)}-`;
  let counter = 0;
  return () => `${prefix}${(counter++).toString(16).padStart(12, '0')}`;
}

export function requestSource(plan: LoadPlan): { next: () => OutgoingRequest; pooledEvents: number } {
  const keys = Object.entries(config.local.apiKeys).map(([apiKey, app], i) => {
    const traffic = generateTraffic({
      seed: plan.seed + i,
      appIds: [app],
      devices: 0,
      invalidShare: plan.invalidShare,
    });
    const lines: string[] = [];
    // A line that is not JSON makes the whole NDJSON request a 400: leave those to the unit tests.
    for (const item of traffic) if (item.kind !== 'malformed_json' && lines.push(item.line) >= POOL_PER_KEY) break;
    return { apiKey, lines, cursor: 0 };
  });
  const nextId = idSource();
  const stamp = (line: string) => (line.startsWith(ID_FIELD) ? `${ID_FIELD}${nextId()}${line.slice(ID_END)}` : line);
  let request = 0;
  const next = (): OutgoingRequest => {
    const key = keys[request++ % keys.length] as (typeof keys)[number];
    const lines = new Array<string>(plan.batch);
    for (let i = 0; i < plan.batch; i += 1) {
      lines[i] = stamp(key.lines[key.cursor] as string);
      key.cursor = (key.cursor + 1) % key.lines.length;
    }
    return { apiKey: key.apiKey, body: `${lines.join('\n')}\n`, events: plan.batch };
  };
  return { next, pooledEvents: keys.length * POOL_PER_KEY };
}

export async function driveStages(
  url: string,
  plan: LoadPlan,
  report: (message: ClientMessage) => void,
): Promise<void> {
  const source = requestSource(plan);
  report({ type: 'ready', pooledEvents: source.pooledEvents });
  const budget: StageBudget = { requestsLeft: plan.maxRequests, deadline: performance.now() + plan.maxSeconds * 1000 };
  for (const [index, offeredRps] of plan.stages.entries()) {
    if (budget.requestsLeft <= 0) return report({ type: 'done', stoppedBy: 'maxRequests' });
    if (performance.now() >= budget.deadline) return report({ type: 'done', stoppedBy: 'maxSeconds' });
    report({ type: 'stage-start', index });
    const stage = await runStage(url, offeredRps, plan, { next: source.next, budget });
    report({ type: 'stage-end', index, stage });
    if (!stage.health.ok || stage.timeouts > 0) return report({ type: 'done', stoppedBy: 'unresponsive' });
  }
  report({ type: 'done', stoppedBy: 'completed' });
}

// Run as a child process of the runner: one 'start' message, then reports until 'done'.
if (process.send !== undefined && process.argv[1]?.endsWith(path.join('load', 'client.ts'))) {
  let sending: Promise<void> = Promise.resolve();
  const reply = (message: ClientMessage) => {
    sending = new Promise<void>((resolve) => process.send?.(message, undefined, {}, () => resolve()));
  };
  process.once('message', (message: RunnerMessage) => {
    if (message.type !== 'start') return;
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(message.url)) throw new Error(`refusing to load ${message.url}`);
    driveStages(message.url, message.plan, reply)
      .catch((error: unknown) => {
        console.error('load client failed:', error);
        process.exitCode = 1;
      })
      .finally(() => sending.then(() => process.disconnect()));
  });
}
