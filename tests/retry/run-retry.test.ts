// The pure retry decisions: which failures are worth another run, how a chain counts its attempts,
// and what a retried query looks like.
import { describe, expect, it } from 'vitest';
import type { JobRunSummary, QueryExecutionSummary } from '#shared/ports.js';
import {
  isTransientQueryFailure,
  parseRetryMarker,
  planGlueRetry,
  planQueryRetry,
  retryMarker,
  retryToken,
} from '#shared/retries/run-retry.js';

const run = (args: Record<string, string>, state = 'FAILED'): JobRunSummary => ({
  Id: 'jr_2',
  JobName: 'job',
  JobRunState: state,
  Arguments: args,
});

const query = (status: Partial<QueryExecutionSummary['Status']>, id = 'q-1'): QueryExecutionSummary => ({
  QueryExecutionId: id,
  Query: 'SELECT 1',
  WorkGroup: 'wg',
  ResultConfiguration: { OutputLocation: 's3://reporting/athena-results/r1/dt=2025-11-22/q-1.csv' },
  Status: { State: 'FAILED', ...status },
});

describe('planGlueRetry', () => {
  it('adds the attempt and the first run of the chain to otherwise unchanged arguments', () => {
    expect(planGlueRetry(run({ '--a': '1' }), 3)).toEqual({
      action: 'retry',
      attempt: 1,
      arguments: { '--a': '1', '--retry_attempt': '1', '--retry_of': 'jr_2' },
    });
  });

  it('refuses a malformed attempt counter and a run that did not fail, and stops at the limit', () => {
    expect(planGlueRetry(run({ '--retry_attempt': 'two' }), 3)).toEqual({
      action: 'abandon',
      reason: 'malformed --retry_attempt',
    });
    expect(planGlueRetry(run({}, 'STOPPED'), 3)).toEqual({ action: 'skip', reason: 'run is STOPPED' });
    expect(planGlueRetry(run({ '--retry_attempt': '3' }), 3)).toEqual({ action: 'exhausted', retries: 3 });
    expect(planGlueRetry(run({}), 0)).toEqual({ action: 'exhausted', retries: 0 });
  });
});

describe('planQueryRetry', () => {
  it('trusts Athena: Retryable, or a system error, is transient; a user error is not', () => {
    expect(isTransientQueryFailure({ State: 'FAILED', AthenaError: { ErrorCategory: 3, Retryable: true } })).toBe(true);
    expect(isTransientQueryFailure({ State: 'FAILED', AthenaError: { ErrorCategory: 1, Retryable: false } })).toBe(
      true,
    );
    expect(isTransientQueryFailure({ State: 'FAILED', AthenaError: { ErrorCategory: 2, Retryable: false } })).toBe(
      false,
    );
    expect(isTransientQueryFailure({ State: 'FAILED' })).toBe(false);
  });

  it('re-runs into the report prefix the failed query wrote to, marked as attempt 1', () => {
    const plan = planQueryRetry(query({ AthenaError: { ErrorCategory: 1 } }), 'wg', 3);
    expect(plan).toEqual({
      action: 'retry',
      attempt: 1,
      request: {
        queryString: `${retryMarker(1, 'q-1')}SELECT 1`,
        outputLocation: 's3://reporting/athena-results/r1/dt=2025-11-22/',
        clientRequestToken: retryToken('q-1', 1),
        workgroup: 'wg',
      },
    });
  });

  it('skips another workgroup and a result of another query; gives up a scan cutoff even when reported as FAILED', () => {
    const transient = { AthenaError: { ErrorCategory: 1, Retryable: true } };
    expect(planQueryRetry(query(transient), 'other', 3)).toMatchObject({ action: 'skip' });
    const cutoff = { AthenaError: { ErrorCategory: 1, ErrorMessage: 'Bytes scanned limit was exceeded' } };
    expect(planQueryRetry(query(cutoff), 'wg', 3)).toEqual({ action: 'abandon', reason: 'scan cutoff' });
    expect(planQueryRetry(query(transient, 'q-9'), 'wg', 3)).toEqual({ action: 'skip', reason: 'not a report query' });
  });
});

describe('the retry marker and token', () => {
  it('round-trips the marker and leaves unmarked SQL (header comments included) alone', () => {
    const sql = '-- title: Daily\nSELECT 1';
    expect(parseRetryMarker(`${retryMarker(2, 'q-first')}${sql}`)).toEqual({
      attempt: 2,
      firstQueryId: 'q-first',
      sql,
    });
    expect(parseRetryMarker(sql)).toEqual({ attempt: 0, sql });
  });

  it('is a 64-hex token that differs per failed query and per attempt', () => {
    const tokens = [retryToken('q-1', 1), retryToken('q-1', 2), retryToken('q-2', 1)];
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(tokens).size).toBe(3);
    expect(retryToken('q-1', 1)).toBe(tokens[0]);
  });
});
