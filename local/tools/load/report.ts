// The results of `eventlake load`: one row per stage (client figures + server peaks), the summary
// with the bounds that must have held, the verdict, the printed table and bench/load-results.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadLedger } from './ledger.js';
import type { ClientStage, LoadPlan } from './plan.js';
import type { ServerPeaks } from './sampler.js';

export interface StageResult extends ClientStage {
  sentRps: number;
  completedRps: number;
  acceptedEventsPerSecond: number;
  server: ServerPeaks;
}

export interface Limits {
  backlogBytes: number;
  queueDepth: number;
  httpInFlight: number;
}

export interface LoadResults {
  startedAt: string;
  plan: Omit<LoadPlan, 'dataDir' | 'resultsPath'>;
  stages: StageResult[];
  stoppedBy: string;
  summary: {
    peakRssBytes: number;
    peaks: ServerPeaks;
    limits: Limits;
    /** Requests the server answered 503 at its in-flight limit. */
    shedAtInFlightLimit: number;
    settled: boolean;
    ledger: LoadLedger;
  };
  failures: string[];
  /** Not failures, but worth a look: events parked in a DLQ, client-side drops. */
  warnings: string[];
}

const rate = (n: number, seconds: number) => (seconds > 0 ? Math.round((n / seconds) * 10) / 10 : 0);

export function stageResult(stage: ClientStage, server: ServerPeaks): StageResult {
  const answered = stage.answered;
  return {
    ...stage,
    sentRps: rate(stage.sent, stage.sendSeconds),
    completedRps: rate(answered, stage.seconds),
    acceptedEventsPerSecond: Math.round(rate(stage.acceptedEvents, stage.seconds)),
    server,
  };
}

/** What makes the run fail: the server stopped answering, a bound broke, or acknowledged events went missing. */
export function failuresOf(results: Omit<LoadResults, 'failures' | 'warnings'>): string[] {
  const failures: string[] = [];
  for (const [i, s] of results.stages.entries()) {
    if (s.timeouts > 0) failures.push(`stage ${i + 1}: ${s.timeouts} requests unanswered within the timeout`);
    if (s.networkErrors > 0) failures.push(`stage ${i + 1}: ${s.networkErrors} requests failed at the network level`);
    if (!s.health.ok) failures.push(`stage ${i + 1}: health answered ${s.health.status || 'nothing'}`);
    const noRetryAfter = (s.byStatus['503'] ?? 0) - (s.retryAfter['503'] ?? 0);
    if (noRetryAfter > 0) failures.push(`stage ${i + 1}: ${noRetryAfter} answers 503 without Retry-After`);
  }
  const { peaks, limits, settled, ledger } = results.summary;
  if (peaks.backlogBytes > limits.backlogBytes) failures.push('delivery stream backlog passed its limit');
  if (peaks.queueDepth > limits.queueDepth) failures.push('a queue passed its message limit');
  if (peaks.httpInFlight > limits.httpInFlight) failures.push('HTTP requests in flight passed their limit');
  // Balanced means every acknowledged event already reached a final zone of the lake; what is still
  // running after the settle budget is report work, not data that could be lost.
  if (!settled && !ledger.balanced) failures.push('the pipeline did not settle in time');
  if (!ledger.balanced) failures.push(`ledger: ${ledger.acknowledged} acknowledged, ${ledger.landed} landed`);
  if (results.stoppedBy === 'unresponsive' || results.stoppedBy === 'client failed')
    failures.push(`the run stopped: ${results.stoppedBy}`);
  return failures;
}

export function warningsOf(results: Omit<LoadResults, 'failures' | 'warnings'>): string[] {
  const { ledger, settled } = results.summary;
  const warnings: string[] = [];
  if (!settled && ledger.balanced)
    warnings.push(
      'reports were still being computed when the settle budget ran out (every acknowledged event is in the lake)',
    );
  if (ledger.inDlq > 0)
    warnings.push(`${ledger.inDlq} messages in a DLQ (${ledger.strandedInDlq} events in raw, replayable)`);
  const dropped = results.stages.reduce((sum, s) => sum + s.dropped, 0);
  if (dropped > 0) warnings.push(`the client dropped ${dropped} sends at its in-flight cap (offered rate not reached)`);
  return warnings;
}

const MB = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const codes = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([status, n]) => `${status}:${n}`)
    .join(' ') || '-';

export function formatTable(results: LoadResults): string {
  const head = [
    'offered r/s',
    'sent r/s',
    'done r/s',
    'accepted ev/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'statuses',
    'Retry-After',
    'dropped',
    'RSS MB',
    'backlog MB',
    'in-flight',
    'loop lag ms',
    'health',
  ];
  const rows = results.stages.map((s) => [
    String(s.offeredRps),
    String(s.sentRps),
    String(s.completedRps),
    String(s.acceptedEventsPerSecond),
    String(s.latencyMs.p50),
    String(s.latencyMs.p99),
    String(s.latencyMs.max),
    codes(s.byStatus),
    codes(s.retryAfter),
    String(s.dropped),
    MB(s.server.rssBytes),
    MB(s.server.backlogBytes),
    String(s.server.httpInFlight),
    String(s.server.loopLagMs),
    s.health.ok ? `ok ${s.health.ms} ms` : `FAILED ${s.health.status}`,
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

export function formatSummary(results: LoadResults): string {
  const { peaks, limits, ledger, settled, shedAtInFlightLimit } = results.summary;
  const lines = [
    `peak RSS                  ${MB(results.summary.peakRssBytes)} MB`,
    `max backlog (direct)      ${MB(peaks.backlogBytes)} MB of ${MB(limits.backlogBytes)} MB limit; S3 buffers ≤ ${MB(peaks.bufferedBytes)} MB`,
    `max queue depth           ${peaks.queueDepth} of ${limits.queueDepth} messages`,
    `HTTP requests in flight   ≤ ${peaks.httpInFlight} of ${limits.httpInFlight} (server's own peak); ${shedAtInFlightLimit} answered 503 at the limit`,
    `max event-loop lag        ${peaks.loopLagMs} ms`,
    `events acknowledged       ${ledger.acknowledged} (+${ledger.unknownOutcome} of unknown outcome)`,
    `events landed             ${ledger.landed} = ${ledger.curated} curated + ${ledger.failed} failed + ${ledger.late} late + ${ledger.duplicatesRemoved} duplicates + ${ledger.processingFailed} processing-failed + ${ledger.strandedInDlq} in raw behind a DLQ`,
    `settled / balanced        ${settled ? 'yes' : 'NO'} / ${ledger.balanced ? 'yes' : 'NO'} (${ledger.inDlq} in a DLQ)`,
    `stopped by                ${results.stoppedBy}`,
    results.failures.length === 0 ? 'verdict                   PASS' : `verdict                   FAIL`,
    ...results.failures.map((f) => `  - ${f}`),
    ...results.warnings.map((w) => `  warning: ${w}`),
  ];
  return lines.join('\n');
}

export function writeResults(file: string, results: LoadResults): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${compactArrays(JSON.stringify(results, null, 2))}\n`);
}

/** Short arrays of plain values on one line, as the repository's formatter (biome) writes them. */
const compactArrays = (json: string): string =>
  json.replace(/^( *)("[^"\n]*": )?\[\n([^[\]{}]*?)\n *\]/gm, (whole, indent: string, key = '', items: string) => {
    const line = `${indent}${key}[${items
      .split(',\n')
      .map((item) => item.trim())
      .join(', ')}]`;
    return line.length < 120 ? line : whole;
  });
