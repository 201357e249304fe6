// retry-failed-run λ (EventBridge, async invoke): a Glue Parquet run that FAILED or TIMED OUT, or a
// report query that FAILED transiently, is started again (shared/run-retry.ts). Errors are thrown so
// Lambda's async retries and then the on-failure DLQ take over (infra/functions/retry.yml).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { makeGetQueryExecution, makeStartQueryExecution } from '../shared/aws/athena.js';
import { makeGetJobRun, makeStartJobRun } from '../shared/aws/glue.js';
import { config } from '../shared/config.js';
import { parseEnv, requiredString } from '../shared/env.js';
import { wiredOnFirstCall } from '../shared/lambda-entry.js';
import { logger, metrics } from '../shared/observability.js';
import {
  ATHENA_QUERY_STATE_CHANGE,
  ATHENA_SOURCE,
  type AthenaQueryStateChangeDetail,
  GLUE_JOB_STATE_CHANGE,
  GLUE_SOURCE,
  type GlueJobStateChangeDetail,
  RETRIED_GLUE_STATES,
  type RetryOutcome,
  type RunRetryPorts,
  retryGlueRun,
  retryQuery,
} from '../shared/run-retry.js';

export type StateChangeHandler = (event: EventBridgeEvent<string, unknown>) => Promise<RetryOutcome>;

/** An EventBridge pattern of exact values (arrays are "any of"), as infra/functions/retry.yml writes it. */
export type EventPattern = {
  source: string[];
  'detail-type': string[];
  detail: Record<string, string[]>;
};

/** The two rules of this function; the template tests check retry.yml against these. */
export const glueRetryPattern = (jobName: string): EventPattern => ({
  source: [GLUE_SOURCE],
  'detail-type': [GLUE_JOB_STATE_CHANGE],
  detail: { jobName: [jobName], state: [...RETRIED_GLUE_STATES] },
});

export const athenaRetryPattern = (workgroup: string): EventPattern => ({
  source: [ATHENA_SOURCE],
  'detail-type': [ATHENA_QUERY_STATE_CHANGE],
  detail: { workgroupName: [workgroup], currentState: ['FAILED'] },
});

const hasStrings = (detail: unknown, names: readonly string[]): boolean =>
  typeof detail === 'object' &&
  detail !== null &&
  names.every((name) => typeof (detail as Record<string, unknown>)[name] === 'string');

/** Routes a Glue or Athena state change to its retry; any other event is skipped, never retried. */
async function retryFailedRun(event: EventBridgeEvent<string, unknown>, ports: RunRetryPorts): Promise<RetryOutcome> {
  const { source, 'detail-type': type, detail } = event;
  if (
    source === GLUE_SOURCE &&
    type === GLUE_JOB_STATE_CHANGE &&
    hasStrings(detail, ['jobName', 'jobRunId', 'state'])
  ) {
    const run = detail as GlueJobStateChangeDetail;
    if (RETRIED_GLUE_STATES.includes(run.state)) return retryGlueRun(run, ports);
    return { action: 'skipped', target: 'glue', failedId: run.jobRunId, reason: `run is ${run.state}` };
  }
  const queryFields = ['workgroupName', 'queryExecutionId', 'currentState'];
  if (source === ATHENA_SOURCE && type === ATHENA_QUERY_STATE_CHANGE && hasStrings(detail, queryFields)) {
    const query = detail as AthenaQueryStateChangeDetail;
    if (query.currentState === 'FAILED') return retryQuery(query, ports);
    const reason = `query is ${query.currentState}`;
    return { action: 'skipped', target: 'athena', failedId: query.queryExecutionId, reason };
  }
  return { action: 'skipped', target: 'unknown', reason: `not a state change to retry: ${source} ${type}` };
}

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
