// retry-failed-run on an Athena Query State Change, over the real adapters with a mocked Athena
// client: the exact GetQueryExecution/StartQueryExecution calls, idempotent tokens, the attempt
// limit, and the failures (user errors, scan cutoffs, other workgroups) it must not retry.
import { GetQueryExecutionCommand, type QueryExecution, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { beforeEach, describe, expect, it } from 'vitest';
import { retryToken } from '#shared/retries/run-retry.js';
import {
  athenaEvent,
  athenaMock,
  failedQuery,
  failedQueryId,
  glueMock,
  reportSql,
  resultPrefix,
  retry,
  workgroup,
} from './retry-fixtures.js';

beforeEach(() => {
  glueMock.reset();
  athenaMock.reset();
});

describe('a failed report query', () => {
  it('is started again as it ran, under a token derived from the failed query and the attempt', async () => {
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolves(failedQuery())
      .on(StartQueryExecutionCommand)
      .resolves({ QueryExecutionId: 'q-2' });
    await expect(retry()(athenaEvent())).resolves.toEqual({
      action: 'retried',
      target: 'athena',
      failedId: failedQueryId,
      chainId: failedQueryId,
      error: 'Query engine had an internal error',
      retryId: 'q-2',
      attempt: 1,
      maxRetries: 3,
    });
    expect(athenaMock.commandCalls(GetQueryExecutionCommand)[0]?.args[0].input).toEqual({
      QueryExecutionId: failedQueryId,
    });
    expect(athenaMock.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toEqual({
      QueryString: `-- eventlake-retry attempt=1 of=${failedQueryId}\n${reportSql}`,
      QueryExecutionContext: { Database: 'eventlake_dev_analytics', Catalog: 'AwsDataCatalog' },
      WorkGroup: workgroup,
      ResultConfiguration: { OutputLocation: resultPrefix },
      ClientRequestToken: retryToken(failedQueryId, 1),
    });
  });

  it('asks for the same retry when EventBridge delivers the event twice (Athena starts it once)', async () => {
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolves(failedQuery())
      .on(StartQueryExecutionCommand)
      .resolves({ QueryExecutionId: 'q-2' });
    await retry()(athenaEvent());
    await retry()(athenaEvent());
    const [first, second] = athenaMock.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(second).toEqual(first);
    expect(first?.ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
  });

  it('passes execution parameters on and counts a retried query from its marker', async () => {
    const query = `-- eventlake-retry attempt=2 of=q-first\n${reportSql}`;
    const execution = failedQuery({ Query: query, ExecutionParameters: ["'x'"] });
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolves(execution)
      .on(StartQueryExecutionCommand)
      .resolves({ QueryExecutionId: 'q-4' });
    await expect(retry()(athenaEvent())).resolves.toMatchObject({ action: 'retried', attempt: 3 });
    expect(athenaMock.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toMatchObject({
      QueryString: `-- eventlake-retry attempt=3 of=q-first\n${reportSql}`,
      ExecutionParameters: ["'x'"],
      ClientRequestToken: retryToken(failedQueryId, 3),
    });
    athenaMock.on(GetQueryExecutionCommand).resolves(failedQuery({ Query: query }));
    await expect(retry({ maxQueryRetries: 2 })(athenaEvent())).rejects.toMatchObject({ name: 'RetriesExhausted' });
  });

  it.each([
    ['a user error', {}, { AthenaError: { ErrorCategory: 2, Retryable: false, ErrorMessage: 'COLUMN_NOT_FOUND' } }],
    ['a scan cutoff', {}, { State: 'CANCELLED' as const, StateChangeReason: 'Bytes scanned limit was exceeded' }],
    [
      'a query outside the report layout',
      { ResultConfiguration: { OutputLocation: 's3://r/athena-results/q.csv' } },
      {},
    ],
  ])('is not retried for %s', async (_what, overrides: Partial<QueryExecution>, status: QueryExecution['Status']) => {
    athenaMock.on(GetQueryExecutionCommand).resolves(failedQuery(overrides, status));
    // A report query that failed for good is given up (abandoned); another query is not ours (skipped).
    const verdict = _what === 'a query outside the report layout' ? 'skipped' : 'abandoned';
    await expect(retry()(athenaEvent())).resolves.toMatchObject({ action: verdict, target: 'athena' });
    expect(athenaMock.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it('leaves other workgroups and other states alone without calling Athena', async () => {
    const other = athenaEvent();
    other.detail.workgroupName = 'primary';
    const cancelled = athenaEvent();
    cancelled.detail.currentState = 'CANCELLED';
    for (const event of [other, cancelled]) {
      await expect(retry()(event)).resolves.toMatchObject({ action: 'skipped', target: 'athena' });
    }
    expect(athenaMock.calls()).toHaveLength(0);
  });

  it('throws a throttled restart for Lambda to retry', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    athenaMock.on(GetQueryExecutionCommand).resolves(failedQuery()).on(StartQueryExecutionCommand).rejects(throttled);
    await expect(retry()(athenaEvent())).rejects.toMatchObject({ name: 'RetryLater' });
  });
});
