// What the chaos run observed in the pipeline (retries at every stage) and the ledger it prints:
// client account, lake account, recovery, faults by kind, and the verdict.

import type { LocalPipeline } from '../../pipeline/pipeline.js';
import { queueEntries } from '../../pipeline/queues.js';
import { type FaultCounts, faultKinds } from './faults.js';
import type { LakeIds, Verdict } from './ledger.js';
import type { Recovery } from './recover.js';
import type { ClientLedger } from './traffic.js';

export interface Observed {
  glue: { runs: number; failed: number; retries: number };
  athena: { queries: number; failed: number; retries: number; reasons: Record<string, number> };
  /** Lambda on-failure records of retry-failed-run (exhausted retries, the retry DLQ). */
  retryDlq: number;
  firehose: { invocations: number; attempts: number; processingFailed: number };
  /** Receives beyond the first, per queue, and messages moved to each DLQ. */
  sqs: Record<string, { sent: number; receives: number; toDlq: number }>;
}

export function observe(p: LocalPipeline): Observed {
  const runs = p.glue.runs();
  // A redelivered message asks again with the same ClientRequestToken and gets the same query back: count it once.
  const ids = new Set(p.startedQueries.map((q) => q.queryExecutionId));
  const queries = [...ids].map((id) => p.athena.getQueryExecution(id));
  const streams = [p.direct.stats(), p.devices.stats()];
  const sqs: Observed['sqs'] = {};
  for (const [name, { queue }] of queueEntries(p.queues)) {
    const { sent, receives, inDlq } = queue.stats();
    sqs[name] = { sent, receives, toDlq: inDlq };
  }
  return {
    glue: {
      runs: runs.length,
      failed: runs.filter((r) => r.state === 'FAILED').length,
      retries: runs.filter((r) => r.arguments['--retry_attempt'] !== undefined).length,
    },
    athena: {
      queries: queries.length,
      failed: queries.filter((q) => q.Status.State === 'FAILED').length,
      retries: queries.filter((q) => q.Query.startsWith('-- eventlake-retry')).length,
      reasons: failureReasons(queries.map((q) => q.Status)),
    },
    retryDlq: p.bus.failures().length,
    firehose: {
      invocations: streams.reduce((n, s) => n + s.invocations, 0),
      attempts: streams.reduce((n, s) => n + s.invocationAttempts, 0),
      processingFailed: streams.reduce((n, s) => n + s.processingFailed, 0),
    },
    sqs,
  };
}

/** Why queries FAILED, by reason: beside the injected internal errors, anything else is worth a look. */
function failureReasons(statuses: { State: string; StateChangeReason?: string }[]): Record<string, number> {
  const reasons: Record<string, number> = {};
  for (const { State, StateChangeReason = '' } of statuses) {
    if (State !== 'FAILED') continue;
    const reason = StateChangeReason.slice(0, 60);
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  return reasons;
}

export interface ChaosReport {
  seed: number;
  seconds: number;
  client: ClientLedger;
  lake: LakeIds;
  recovery: Recovery;
  faults: FaultCounts;
  observed: Observed;
  verdict: Verdict;
  /** Fault kinds with a non-zero rate that never fired. */
  silentFaults: string[];
}

const row = (label: string, value: number | string): string => `  ${label.padEnd(46)} ${String(value).padStart(12)}`;
const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);
const sample = (ids: string[]): string => (ids.length === 0 ? '' : `  ${ids.slice(0, 20).join(' ')}`);

export function ledgerLines(r: ChaosReport): string[] {
  const { client: c, lake, recovery, observed: o } = r;
  const lines = [`eventlake chaos — seed ${r.seed}, ${r.seconds.toFixed(1)} s`, '', 'client'];
  lines.push(row('events generated', c.generated));
  for (const [kind, n] of Object.entries(c.byKind).sort()) lines.push(row(`  ${kind}`, n));
  lines.push(row('event sends (incl. deliberate duplicate sends)', c.sent));
  lines.push(
    row('  duplicate client sends (batches / events)', `${c.duplicateSends.batches} / ${c.duplicateSends.events}`),
  );
  lines.push(
    row('accepted (distinct event ids)', c.accepted.size),
    row('accepted without an event_id', c.acceptedWithoutId),
  );
  for (const [reason, n] of Object.entries(c.rejectionsByReason).sort())
    lines.push(row(`rejected to the client: ${reason}`, n));
  lines.push(row('given up by the client (not accepted)', c.undelivered.size));
  lines.push(
    row('503 answers naming indexes / events re-sent', `${c.retries.partial503} / ${c.retries.resentAfter503}`),
  );
  lines.push(
    row('whole requests re-sent / device re-publishes', `${c.retries.wholeRequests} / ${c.retries.deviceRepublished}`),
  );
  lines.push('', 'lake');
  lines.push(row('in curated (rows / distinct ids)', `${lake.curatedRows} / ${lake.curated.size}`));
  for (const [type, n] of Object.entries(lake.failedByType)) lines.push(row(`failed records: ${type}`, n));
  lines.push(row('failed: distinct ids / records without an id', `${lake.failed.size} / ${lake.failedWithoutId}`));
  lines.push(row('late', sum(lake.late.values())));
  lines.push(row('duplicates removed by Glue (Σ run markers)', lake.duplicatesRemoved));
  lines.push('', 'recovery (eventlake replay processing-failed, eventlake replay dlq)');
  const replayed = sum(recovery.rounds.map((x) => x.processingFailed.replayed));
  const redriven = sum(recovery.rounds.flatMap((x) => x.dlq.map((d) => d.redriven)));
  lines.push(
    row('processing-failed records found → replayed', `${recovery.found.processingFailedRecords} → ${replayed}`),
  );
  lines.push(row('DLQ messages found → redriven', `${sum(Object.values(recovery.found.dlqMessages))} → ${redriven}`));
  lines.push(
    row(
      'rounds / left in error prefix / left in DLQs',
      `${recovery.rounds.length} / ${recovery.left.processingFailedObjects} / ${sum(Object.values(recovery.left.dlqMessages))}`,
    ),
  );
  lines.push('', 'faults injected (retries observed)');
  for (const kind of faultKinds) lines.push(row(kind, r.faults[kind]));
  lines.push(
    row(
      'Firehose invocations / attempts / records to error prefix',
      `${o.firehose.invocations} / ${o.firehose.attempts} / ${o.firehose.processingFailed}`,
    ),
  );
  for (const [queue, s] of Object.entries(o.sqs))
    lines.push(row(`SQS ${queue}: messages / receives / to DLQ`, `${s.sent} / ${s.receives} / ${s.toDlq}`));
  lines.push(row('Glue runs / FAILED / retry runs', `${o.glue.runs} / ${o.glue.failed} / ${o.glue.retries}`));
  lines.push(
    row('Athena queries / FAILED / retry queries', `${o.athena.queries} / ${o.athena.failed} / ${o.athena.retries}`),
  );
  for (const [reason, n] of Object.entries(o.athena.reasons)) lines.push(row(`  FAILED: ${reason}`, n));
  lines.push(row('retry-failed-run on-failure records', o.retryDlq));
  return [...lines, '', ...verdictLines(r)];
}

function verdictLines(r: ChaosReport): string[] {
  const v = r.verdict;
  return [
    row('lost', v.lost.length) + sample(v.lost),
    row('doubled', v.doubled.length) + sample(v.doubled),
    row('in more than one zone', v.misplaced.length) + sample(v.misplaced),
    row('rejected to the client, yet curated', v.rejectedButCurated.length) + sample(v.rejectedButCurated),
    row('accepted without an id, not a failed record', v.idlessUnaccounted),
    row('ingest answers breaking the contract', r.client.mismatches.length),
    ...r.silentFaults.map((kind) => `fault kind ${kind} never fired`),
  ];
}

/** The report as JSON: sets and maps become counts; the verdict keeps up to 20 ids per check. */
export function reportJson(r: ChaosReport): Record<string, unknown> {
  const { client: c, lake } = r;
  const ids = (list: string[]) => ({ count: list.length, ids: list.slice(0, 20) });
  return {
    seed: r.seed,
    seconds: r.seconds,
    client: { ...c, accepted: c.accepted.size, rejected: c.rejected.size, undelivered: c.undelivered.size },
    lake: { ...lake, curated: lake.curated.size, failed: lake.failed.size, late: sum(lake.late.values()) },
    recovery: r.recovery,
    faults: r.faults,
    observed: r.observed,
    verdict: {
      lost: ids(r.verdict.lost),
      doubled: ids(r.verdict.doubled),
      misplaced: ids(r.verdict.misplaced),
      rejectedButCurated: ids(r.verdict.rejectedButCurated),
      idlessUnaccounted: r.verdict.idlessUnaccounted,
    },
    silentFaults: r.silentFaults,
  };
}
