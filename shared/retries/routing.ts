// Which EventBridge state changes the retry λ acts on: the two rule patterns (infra/functions/retry.yml
// writes the same ones; a template test compares them) and the routing of an event to its retry.
import type { EventBridgeEvent } from 'aws-lambda';
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
} from './run-retry.js';

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
export async function retryFailedRun(
  event: EventBridgeEvent<string, unknown>,
  ports: RunRetryPorts,
): Promise<RetryOutcome> {
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
