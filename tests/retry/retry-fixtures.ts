// Shared by the handler tests: retry-failed-run over the real AWS adapters, with Glue and Athena
// clients mocked at the SDK boundary, and the failed run and query those mocks describe.
import { AthenaClient, type QueryExecution } from '@aws-sdk/client-athena';
import { GlueClient, type JobRunState } from '@aws-sdk/client-glue';
import type { EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { makeGetQueryExecution, makeStartQueryExecution } from '#shared/aws/athena.js';
import { makeGetJobRun, makeStartJobRun } from '#shared/aws/glue.js';
import { makeRetryFailedRunHandler } from '../../functions/retry-failed-run.js';
import { loadEvent } from '../helpers/events.js';

export type AnyEvent = EventBridgeEvent<string, Record<string, unknown>>;
export const glueMock = mockClient(GlueClient);
export const athenaMock = mockClient(AthenaClient);
export const jobName = 'eventlake-dev-parquet';
export const workgroup = 'eventlake-dev-reports';
const glue = new GlueClient({ region: 'eu-west-1' });
const athena = new AthenaClient({ region: 'eu-west-1' });
export const retry = (limits: { maxRunRetries?: number; maxQueryRetries?: number } = {}) =>
  makeRetryFailedRunHandler(
    {
      getJobRun: makeGetJobRun(glue, jobName),
      startJobRun: makeStartJobRun(glue, jobName),
      getQueryExecution: makeGetQueryExecution(athena),
      startQueryExecution: makeStartQueryExecution(athena),
      jobName,
      workgroup,
      ...limits,
    },
    () => {},
  );

export const glueEvent = () => loadEvent<AnyEvent>('eventbridge-glue-job-failed');
export const athenaEvent = () => loadEvent<AnyEvent>('eventbridge-athena-query-failed');
export const failedRunId = glueEvent().detail.jobRunId as string;
export const failedQueryId = athenaEvent().detail.queryExecutionId as string;
export const runArgs = { '--source_bucket': 'ingest', '--source_keys': '["events/type=a/dt=2025-11-22/o.gz"]' };
export const reportSql = "SELECT dt, count(*) AS n FROM events WHERE dt = '2025-11-22' GROUP BY dt";
export const resultPrefix = 's3://eventlake-dev-reporting-1/athena-results/events_by_type_daily/dt=2025-11-22/';

export const failedRun = (args: Record<string, string> = runArgs, state: JobRunState = 'FAILED') => ({
  JobRun: { Id: failedRunId, JobName: jobName, JobRunState: state, Arguments: args, ErrorMessage: 'Lost executor 1' },
});

export function failedQuery(overrides: Partial<QueryExecution> = {}, status: QueryExecution['Status'] = {}) {
  return {
    QueryExecution: {
      QueryExecutionId: failedQueryId,
      Query: reportSql,
      StatementType: 'DML' as const,
      WorkGroup: workgroup,
      QueryExecutionContext: { Database: 'eventlake_dev_analytics', Catalog: 'AwsDataCatalog' },
      ResultConfiguration: { OutputLocation: `${resultPrefix}${failedQueryId}.csv` },
      Status: {
        State: 'FAILED' as const,
        StateChangeReason: 'Query engine had an internal error',
        AthenaError: { ErrorCategory: 1, ErrorType: 200, Retryable: true, ErrorMessage: 'internal error' },
        ...status,
      },
      ...overrides,
    },
  };
}
