// retry-failed-run λ (EventBridge, async invoke): a Glue Parquet run that FAILED or TIMED OUT, or a
// report query that FAILED transiently, is started again (shared/retries/run-retry.ts). Errors are thrown so
// Lambda's async retries and then the on-failure DLQ take over (infra/functions/retry.yml).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
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
import { type OutcomeSink, reportOutcome, reportThrown } from '#shared/retries/report.js';
import { retryFailedRun } from '#shared/retries/routing.js';
import { exhaustedError, type RetryOutcome, type RunRetryPorts } from '#shared/retries/run-retry.js';

export type StateChangeHandler = (event: EventBridgeEvent<string, unknown>) => Promise<RetryOutcome>;

/**
 * Restarts the failed run or query, logs the verdict (WARN restarted, ERROR abandoned) and counts it.
 * An exhausted chain is still thrown (RetriesExhausted) so its event reaches the on-failure DLQ; a
 * refused restart (RetryLater) is thrown for Lambda to retry. `onOutcome` sees every verdict (the local
 * runtime records its chains with it).
 */
export const makeRetryFailedRunHandler =
  (
    ports: RunRetryPorts,
    onOutcome: (outcome: RetryOutcome) => void = () => {},
    sink: OutcomeSink = { logger, metrics },
  ): StateChangeHandler =>
  async (event) => {
    let outcome: RetryOutcome;
    try {
      outcome = await retryFailedRun(event, ports);
    } catch (error) {
      reportThrown(event, error, sink);
      throw error;
    }
    reportOutcome(outcome, sink);
    onOutcome(outcome);
    if (outcome.action === 'abandoned' && outcome.exhausted) throw exhaustedError(outcome);
    return outcome;
  };

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
