// retry-failed-run λ (EventBridge, async invoke): a Glue Parquet run that FAILED or TIMED OUT, or a
// report query that FAILED transiently, is started again (shared/retries/run-retry.ts). Errors are thrown so
// Lambda's async retries and then the on-failure DLQ take over (infra/functions/retry.yml).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { makeGetQueryExecution, makeStartQueryExecution } from '#shared/aws/athena.js';
import { makeGetJobRun, makeStartJobRun } from '#shared/aws/glue.js';
import { wiredOnFirstCall } from '#shared/aws/lambda-entry.js';
import { config } from '#shared/config.js';
import { parseEnv, requiredString } from '#shared/env.js';
import { logger, metrics } from '#shared/observability.js';
import { retryFailedRun } from '#shared/retries/routing.js';
import type { RetryOutcome, RunRetryPorts } from '#shared/retries/run-retry.js';

export type StateChangeHandler = (event: EventBridgeEvent<string, unknown>) => Promise<RetryOutcome>;

export const makeRetryFailedRunHandler =
  (ports: RunRetryPorts, report: (outcome: RetryOutcome) => void = reportOutcome): StateChangeHandler =>
  async (event) => {
    const outcome = await retryFailedRun(event, ports);
    report(outcome);
    return outcome;
  };

function reportOutcome(outcome: RetryOutcome): void {
  if (outcome.action === 'retried') {
    logger.info('failed run restarted', { ...outcome });
    metrics.addMetric(outcome.target === 'glue' ? 'GlueRunsRetried' : 'ReportQueriesRetried', MetricUnit.Count, 1);
  } else {
    logger.info('state change not retried', { ...outcome });
  }
}

const glue = new GlueClient({});
const athena = new AthenaClient({});
const lambdaHandler: StateChangeHandler = wiredOnFirstCall(() => {
  const env = parseEnv({ GLUE_JOB_NAME: requiredString, ATHENA_WORKGROUP: requiredString });
  return makeRetryFailedRunHandler({
    getJobRun: makeGetJobRun(glue, env.GLUE_JOB_NAME),
    startJobRun: makeStartJobRun(glue, env.GLUE_JOB_NAME),
    getQueryExecution: makeGetQueryExecution(athena),
    startQueryExecution: makeStartQueryExecution(athena),
    jobName: env.GLUE_JOB_NAME,
    workgroup: env.ATHENA_WORKGROUP,
    maxRunRetries: config.glue.maxRunRetries,
    maxQueryRetries: config.athena.maxQueryRetries,
  });
});

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
