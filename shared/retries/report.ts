// What retry-failed-run says about a failed run or query: a WARN line when it restarts it, an ERROR
// line when it gives up (retries exhausted, or a failure another attempt would not fix), and the EMF
// metrics the alarms read (infra/resources/alarms.yml). Reference: docs/retries.md "What is logged".
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RetryOutcome } from './run-retry.js';

/** The part of the Powertools logger and metrics this needs (tests pass their own). */
export interface OutcomeSink {
  logger: {
    info(message: string, extra: Record<string, unknown>): void;
    warn(message: string, extra: Record<string, unknown>): void;
    error(message: string, extra: Record<string, unknown>): void;
  };
  metrics: { addMetric(name: string, unit: typeof MetricUnit.Count, value: number): void };
}

/** Metric names per target: every failed run, each restart, each give-up. */
export const retryMetrics = {
  glue: { failed: 'GlueRunsFailed', retried: 'GlueRunsRetried', abandoned: 'GlueRunsAbandoned' },
  athena: { failed: 'ReportQueriesFailed', retried: 'ReportQueriesRetried', abandoned: 'ReportQueriesAbandoned' },
} as const;

const noun = { glue: 'Glue run', athena: 'report query' } as const;

/** The log lines' messages, one per verdict and target. */
export const retryMessages = {
  retried: (target: 'glue' | 'athena') => `failed ${noun[target]} restarted`,
  abandoned: (target: 'glue' | 'athena') => `failed ${noun[target]} abandoned`,
  deferred: (target: 'glue' | 'athena') => `failed ${noun[target]} not restarted yet`,
  failed: (target: 'glue' | 'athena') => `failed ${noun[target]} not handled`,
  skipped: 'state change not retried',
} as const;

/** Logs and counts one verdict of the λ. */
export function reportOutcome(outcome: RetryOutcome, sink: OutcomeSink): void {
  const { logger, metrics } = sink;
  if (outcome.action === 'skipped') {
    logger.info(retryMessages.skipped, { ...outcome });
    return;
  }
  const names = retryMetrics[outcome.target];
  metrics.addMetric(names.failed, MetricUnit.Count, 1);
  if (outcome.action === 'retried') {
    logger.warn(retryMessages.retried(outcome.target), { ...outcome });
    metrics.addMetric(names.retried, MetricUnit.Count, 1);
  } else {
    logger.error(retryMessages.abandoned(outcome.target), { ...outcome });
    metrics.addMetric(names.abandoned, MetricUnit.Count, 1);
  }
}

/**
 * The invocation threw before a verdict. A refused restart (RetryLater: a busy job, a throttle) is a
 * WARN line: Lambda runs the event again 1 and 2 minutes later, and a later attempt's verdict is what
 * counts. Anything else (GetJobRun on an unknown run, a missing job, a bug) is an ERROR line; Lambda
 * retries it too, then the on-failure record reaches the alarmed retry DLQ. Neither counts a metric.
 */
export function reportThrown(event: { source?: string; detail?: unknown }, error: unknown, sink: OutcomeSink): void {
  const target = event.source === 'aws.athena' ? 'athena' : 'glue';
  const detail = (event.detail ?? {}) as { jobRunId?: string; queryExecutionId?: string };
  const failedId = detail.jobRunId ?? detail.queryExecutionId;
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  const fields = { target, ...(failedId === undefined ? {} : { failedId }), errorType: name, error: message };
  if (name === 'RetryLater') sink.logger.warn(retryMessages.deferred(target), fields);
  else sink.logger.error(retryMessages.failed(target), fields);
}
