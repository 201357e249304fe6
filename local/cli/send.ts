// `eventlake send`: generated traffic → an ingest endpoint (local runtime or a deployed stage),
// paced to a target rate, honouring 503 + Retry-After (re-send only the failed indexes) and 429.
import { type DeliveryResult, deliverBatch, MAX_REASONS } from '#shared/ingest/client.js';
import { generateTraffic, type TrafficItem } from '../tools/traffic/traffic.js';
import { sendCommand } from './commands/send.js';
import { type CliIo, processIo, runProgram } from './program.js';
import type { SendOptions } from './send-args.js';
import { explainFatal } from './send-causes.js';

export { generateTraffic, rejectedAtEdge, type TrafficItem, type TrafficOptions } from '../tools/traffic/traffic.js';
export type { SendOptions } from './send-args.js';

export interface SendIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: NodeJS.WriteStream | { write: (text: string) => unknown; isTTY?: boolean };
  fetch: typeof fetch;
}

export const processSendIo = (io: CliIo): SendIo => ({
  env: process.env,
  stdout: io.stdout,
  stderr: io === processIo ? process.stderr : { write: io.stderr },
  fetch: globalThis.fetch,
});

export interface SendSummary extends DeliveryResult {
  /** Events generated and offered to the endpoint. */
  generated: number;
  requests: number;
  seconds: number;
  events_per_second: number;
}

/** `eventlake send …` with `io` (the words after `send`); resolves with the exit code. */
export function runSend(argv: string[], io: SendIo): Promise<number> {
  const write = (text: string) => void io.stderr.write(text);
  return runProgram([sendCommand(io)], ['send', ...argv], { stdout: io.stdout, stderr: write });
}

export async function sendAndReport(plan: SendOptions, io: SendIo): Promise<number> {
  const summary = await sendTraffic(plan, io);
  io.stdout(plan.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
  if (summary.fatal !== undefined) io.stderr.write(`eventlake send: ${explainFatal(summary.fatal, plan.endpoint)}\n`);
  return summary.failed === 0 && summary.fatal === undefined ? 0 : 1;
}

/** Sends `events` generated events in batches, paced to the rate, `concurrency` requests at a time. */
export async function sendTraffic(plan: SendOptions, io: SendIo): Promise<SendSummary> {
  const started = performance.now();
  const totals: SendSummary = {
    generated: 0,
    accepted: 0,
    rejected: 0,
    retried: 0,
    failed: 0,
    requests: 0,
    seconds: 0,
    events_per_second: 0,
    reasons: [],
  };
  const progress = startProgress(io.stderr, totals, started);
  const inFlight = new Set<Promise<void>>();
  for (const { appId, lines } of batches(plan)) {
    if (plan.rate > 0) await pause(started + (totals.generated / plan.rate) * 1000 - performance.now());
    while (inFlight.size >= plan.concurrency) await Promise.race(inFlight);
    // Nothing listens or the key is refused: every further request would fail the same way.
    if (totals.fatal !== undefined) break;
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
    totals.generated += lines.length;
  }
  await Promise.all(inFlight);
  progress.stop();
  totals.seconds = Math.round(performance.now() - started) / 1000;
  totals.events_per_second = totals.seconds > 0 ? Math.round(totals.generated / totals.seconds) : totals.generated;
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
  totals.fatal ??= result.fatal;
  for (const reason of result.reasons) if (totals.reasons.length < MAX_REASONS) totals.reasons.push(reason);
}

const pause = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

/** A progress line on stderr: redrawn 4× a second on a terminal, one line every 5 s otherwise. */
function startProgress(stderr: SendIo['stderr'], totals: SendSummary, started: number): { stop: () => void } {
  const tty = stderr.isTTY === true;
  const line = () => {
    const seconds = (performance.now() - started) / 1000;
    return `generated ${totals.generated}  delivered ${totals.accepted}  rejected ${totals.rejected}  retried ${totals.retried}  not delivered ${totals.failed}  ${Math.round(totals.generated / Math.max(seconds, 0.001))} ev/s`;
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
    ['generated', summary.generated],
    ['delivered', summary.accepted],
    ['rejected', summary.rejected],
    ['not delivered', summary.failed],
    ['retried', summary.retried],
    ['requests', summary.requests],
    ['seconds', summary.seconds],
    ['events/s', summary.events_per_second],
  ];
  const table = rows.map(([name, value]) => `  ${String(name).padEnd(14)} ${value}`).join('\n');
  const reasons = summary.reasons.map((reason) => `\n    ${reason}`).join('');
  return [
    `eventlake send summary\n${table}`,
    reasons === '' ? '' : `\n  first rejection reasons:${reasons}`,
    summary.lastError ? `\n  last error     ${summary.lastError}` : '',
    '\n',
  ].join('');
}
