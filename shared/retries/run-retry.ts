// run-retry core: a Glue Parquet run that FAILED or TIMED OUT, or a report query that FAILED for a
// transient reason, is started again with the same inputs, up to a limit. Both are safe to repeat:
// the job dedupes by event_id and writes nothing visible before it succeeds; a report query rewrites
// its own (report, date) result (docs/retries.md).
import { createHash } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { config } from '../config.js';
import { parseS3Uri, queryResultId, reportResult, reportResultPrefix, s3Uri } from '../lake/keys.js';
import { classifyFailure, isRetryableAthenaError, isRetryableGlueError } from '../lake/sqs-errors.js';
import type {
  GetJobRun,
  GetQueryExecution,
  JobRunSummary,
  QueryExecutionRequest,
  QueryExecutionSummary,
  StartJobRun,
  StartQueryExecution,
} from '../ports.js';
import { parseReportQueryMarker } from '../reports/query-marker.js';

/** Run arguments a retry adds; the Parquet job never asks for them, so Glue's getResolvedOptions ignores them. */
export const retryArgs = { attempt: '--retry_attempt', retryOf: '--retry_of' } as const;

export const GLUE_SOURCE = 'aws.glue';
export const GLUE_JOB_STATE_CHANGE = 'Glue Job State Change';
export const ATHENA_SOURCE = 'aws.athena';
export const ATHENA_QUERY_STATE_CHANGE = 'Athena Query State Change';
/** Glue emits Job State Change for SUCCEEDED, FAILED, TIMEOUT and STOPPED; STOPPED is someone's decision. */
export const RETRIED_GLUE_STATES: readonly string[] = ['FAILED', 'TIMEOUT'];

export interface GlueJobStateChangeDetail {
  jobName: string;
  severity?: string;
  state: string;
  jobRunId: string;
  message?: string;
}

export interface AthenaQueryStateChangeDetail {
  versionId?: string;
  currentState: string;
  previousState?: string;
  statementType?: string;
  queryExecutionId: string;
  workgroupName: string;
  sequenceNumber?: string;
  athenaError?: { errorCategory?: number; errorType?: number; errorMessage?: string; retryable?: boolean };
}

export type GlueJobStateChange = EventBridgeEvent<typeof GLUE_JOB_STATE_CHANGE, GlueJobStateChangeDetail>;
export type AthenaQueryStateChange = EventBridgeEvent<typeof ATHENA_QUERY_STATE_CHANGE, AthenaQueryStateChangeDetail>;

/** Not ours to retry (another job, a run that did not fail, an ad-hoc query): nothing was given up. */
type Skip = { action: 'skip'; reason: string };
/** Ours, failed, and not worth another attempt: given up, like an exhausted chain. */
type Abandon = { action: 'abandon'; reason: string };
type Exhausted = { action: 'exhausted'; retries: number };
export type GlueRetryPlan =
  | { action: 'retry'; attempt: number; arguments: Record<string, string> }
  | Skip
  | Abandon
  | Exhausted;
export type QueryRetryPlan =
  | { action: 'retry'; attempt: number; request: QueryExecutionRequest }
  | Skip
  | Abandon
  | Exhausted;

const skip = (reason: string): Skip => ({ action: 'skip', reason });
const abandon = (reason: string): Abandon => ({ action: 'abandon', reason });
const attemptOf = (value: string | undefined): number | undefined =>
  value === undefined ? 0 : /^\d{1,4}$/.test(value) ? Number(value) : undefined;

/** The next run of a failed run's chain: same arguments, attempt + 1, and the chain's first run id. */
export function planGlueRetry(run: JobRunSummary, maxRetries: number): GlueRetryPlan {
  if (!RETRIED_GLUE_STATES.includes(run.JobRunState)) return skip(`run is ${run.JobRunState}`);
  const previous = attemptOf(run.Arguments[retryArgs.attempt]);
  if (previous === undefined) return abandon(`malformed ${retryArgs.attempt}`);
  if (previous >= maxRetries) return { action: 'exhausted', retries: previous };
  const attempt = previous + 1;
  const retryOf = run.Arguments[retryArgs.retryOf] ?? run.Id;
  return {
    action: 'retry',
    attempt,
    arguments: { ...run.Arguments, [retryArgs.attempt]: String(attempt), [retryArgs.retryOf]: retryOf },
  };
}

/**
 * Athena keeps no free-form data per query, so a retried query carries its place in the chain in a
 * leading SQL comment: `-- eventlake-retry attempt=<n> of=<first query id>`. Deterministic, needs no
 * storage and no extra permission, and it shows in the console's query history.
 */
const RETRY_MARKER = /^-- eventlake-retry attempt=(\d{1,4}) of=([A-Za-z0-9-]+)\n/;

export const retryMarker = (attempt: number, firstQueryId: string): string =>
  `-- eventlake-retry attempt=${attempt} of=${firstQueryId}\n`;

export function parseRetryMarker(query: string): { attempt: number; firstQueryId?: string; sql: string } {
  const match = RETRY_MARKER.exec(query);
  if (!match) return { attempt: 0, sql: query };
  return { attempt: Number(match[1]), firstQueryId: match[2] as string, sql: query.slice(match[0].length) };
}

/** sha256 hex (64 chars) of the failed query and the attempt: a duplicated event starts no second retry. */
export const retryToken = (failedQueryId: string, attempt: number): string =>
  createHash('sha256').update(`retry\n${failedQueryId}\n${attempt}`).digest('hex');

/** The workgroup's BytesScannedCutoffPerQuery stopped it: running it again would be stopped again. */
const SCAN_CUTOFF = /bytes scanned limit/i;

/** Athena's own verdict: Retryable, or a system error (category 1) rather than a user (2) or other (3) one. */
export const isTransientQueryFailure = (status: QueryExecutionSummary['Status']): boolean =>
  status.AthenaError?.Retryable === true || status.AthenaError?.ErrorCategory === 1;

/**
 * A report query's result configuration for the retry: none for a query in the enforced workgroup
 * location (its marker line says which report; the workgroup's location applies again), the same
 * `s3://…/athena-results/<report>/dt=<d>/` for one in the older per-report layout; undefined for any
 * other query.
 */
function reportOutputPrefix(q: QueryExecutionSummary): { outputLocation?: string } | undefined {
  const location = q.ResultConfiguration?.OutputLocation;
  if (!location?.startsWith('s3://')) return undefined;
  const { bucket, key } = parseS3Uri(location);
  const result = reportResult(key);
  if (result?.queryExecutionId === q.QueryExecutionId) {
    return { outputLocation: s3Uri({ bucket, key: reportResultPrefix(result.report, result.dt) }) };
  }
  const isReport = queryResultId(key) === q.QueryExecutionId && parseReportQueryMarker(q.Query) !== undefined;
  return isReport ? {} : undefined;
}

export function planQueryRetry(q: QueryExecutionSummary, workgroup: string, maxRetries: number): QueryRetryPlan {
  const { State, StateChangeReason = '' } = q.Status;
  if (q.WorkGroup !== workgroup) return skip(`workgroup ${q.WorkGroup}`);
  const output = reportOutputPrefix(q);
  if (!output) return skip('not a report query');
  if (SCAN_CUTOFF.test(StateChangeReason) || SCAN_CUTOFF.test(q.Status.AthenaError?.ErrorMessage ?? '')) {
    return abandon('scan cutoff');
  }
  if (State !== 'FAILED') return skip(`query is ${State}`);
  if (!isTransientQueryFailure(q.Status)) return abandon('not retryable');
  const { attempt: previous, firstQueryId = q.QueryExecutionId, sql } = parseRetryMarker(q.Query);
  if (previous >= maxRetries) return { action: 'exhausted', retries: previous };
  const attempt = previous + 1;
  const { Database, Catalog } = q.QueryExecutionContext ?? {};
  const request: QueryExecutionRequest = {
    queryString: `${retryMarker(attempt, firstQueryId)}${sql}`,
    ...output,
    clientRequestToken: retryToken(q.QueryExecutionId, attempt),
    workgroup: q.WorkGroup,
    ...(Database === undefined ? {} : { database: Database }),
    ...(Catalog === undefined ? {} : { catalog: Catalog }),
    ...(q.ExecutionParameters ? { executionParameters: q.ExecutionParameters } : {}),
  };
  return { action: 'retry', attempt, request };
}

/** Every retry of a chain failed too: thrown so the event ends in the on-failure destination (an alarmed DLQ). */
export class RetriesExhausted extends Error {
  override readonly name = 'RetriesExhausted';
}

export interface RunRetryPorts {
  getJobRun: GetJobRun;
  startJobRun: StartJobRun;
  getQueryExecution: GetQueryExecution;
  startQueryExecution: StartQueryExecution;
  jobName: string;
  workgroup: string;
  /** pipeline.json `glue.maxRunRetries`. */
  maxRunRetries?: number;
  /** pipeline.json `athena.maxQueryRetries`. */
  maxQueryRetries?: number;
}

type Target = 'glue' | 'athena';
/** Where a failed run or query stands in its chain: the chain's first id, and why it failed. */
interface Failure {
  target: Target;
  failedId: string;
  chainId: string;
  /** The error message of the failed run or query (the event's, else GetJobRun's / GetQueryExecution's). */
  error?: string;
}

export type RetryOutcome =
  | ({ action: 'retried'; retryId: string; attempt: number; maxRetries: number } & Failure)
  /** Given up: `exhausted` after `maxRetries` retries, or a failure not worth another attempt (`reason`). */
  | ({ action: 'abandoned'; retries: number; maxRetries: number; exhausted: boolean; reason: string } & Failure)
  | { action: 'skipped'; target: Target | 'unknown'; failedId?: string; reason: string };

const withError = (error: string | undefined) => (error ? { error } : {});

export async function retryGlueRun(detail: GlueJobStateChangeDetail, ports: RunRetryPorts): Promise<RetryOutcome> {
  const failedId = detail.jobRunId;
  if (detail.jobName !== ports.jobName) return { action: 'skipped', target: 'glue', failedId, reason: 'other job' };
  const run = await ports.getJobRun(failedId);
  const maxRetries = ports.maxRunRetries ?? config.glue.maxRunRetries;
  const plan = planGlueRetry(run, maxRetries);
  if (plan.action === 'skip') return { action: 'skipped', target: 'glue', failedId, reason: plan.reason };
  const failure: Failure = {
    target: 'glue',
    failedId,
    chainId: run.Arguments[retryArgs.retryOf] ?? failedId,
    ...withError(detail.message ?? run.ErrorMessage),
  };
  if (plan.action !== 'retry') return abandoned(failure, plan, attemptOf(run.Arguments[retryArgs.attempt]), maxRetries);
  try {
    const retryId = await ports.startJobRun(plan.arguments);
    return { action: 'retried', ...failure, retryId, attempt: plan.attempt, maxRetries };
  } catch (error) {
    throw classifyFailure(`StartJobRun retrying ${failedId}`, error, isRetryableGlueError);
  }
}

function abandoned(failure: Failure, plan: Abandon | Exhausted, retries = 0, maxRetries = 0): RetryOutcome {
  return plan.action === 'exhausted'
    ? {
        action: 'abandoned',
        ...failure,
        retries: plan.retries,
        maxRetries,
        exhausted: true,
        reason: 'retries exhausted',
      }
    : { action: 'abandoned', ...failure, retries, maxRetries, exhausted: false, reason: plan.reason };
}

export async function retryQuery(detail: AthenaQueryStateChangeDetail, ports: RunRetryPorts): Promise<RetryOutcome> {
  const failedId = detail.queryExecutionId;
  if (detail.workgroupName !== ports.workgroup) {
    return { action: 'skipped', target: 'athena', failedId, reason: 'other workgroup' };
  }
  const execution = await ports.getQueryExecution(failedId);
  const maxRetries = ports.maxQueryRetries ?? config.athena.maxQueryRetries;
  const plan = planQueryRetry(execution, ports.workgroup, maxRetries);
  if (plan.action === 'skip') return { action: 'skipped', target: 'athena', failedId, reason: plan.reason };
  const { attempt: previous, firstQueryId = failedId } = parseRetryMarker(execution.Query);
  const { AthenaError, StateChangeReason } = execution.Status;
  const failure: Failure = {
    target: 'athena',
    failedId,
    chainId: firstQueryId,
    ...withError(detail.athenaError?.errorMessage ?? AthenaError?.ErrorMessage ?? StateChangeReason),
  };
  if (plan.action !== 'retry') return abandoned(failure, plan, previous, maxRetries);
  try {
    const retryId = await ports.startQueryExecution(plan.request);
    return { action: 'retried', ...failure, retryId, attempt: plan.attempt, maxRetries };
  } catch (error) {
    throw classifyFailure(`StartQueryExecution retrying ${failedId}`, error, isRetryableAthenaError);
  }
}

/** The error an exhausted chain's invocation ends with (Lambda's on-failure record carries it to the DLQ). */
export const exhaustedError = (outcome: Extract<RetryOutcome, { action: 'abandoned' }>): RetriesExhausted =>
  new RetriesExhausted(
    `${outcome.target === 'glue' ? 'Glue run' : 'query'} ${outcome.failedId} failed after ${outcome.retries} retries`,
  );
