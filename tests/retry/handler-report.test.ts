// What the deployed retry-failed-run writes: the Lambda entry (middy, Powertools) with metrics on, its
// stdout/stderr captured. A restart is a WARN line and GlueRunsFailed + GlueRunsRetried; a give-up is an
// ERROR line and …Failed + …Abandoned; a refused restart is a WARN line and no metric yet; an invocation
// that fails before a verdict is an ERROR line and no metric.
import { GetQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetJobRunCommand, StartJobRunCommand } from '@aws-sdk/client-glue';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StateChangeHandler } from '../../functions/retry-failed-run.js';
import {
  athenaEvent,
  athenaMock,
  failedQuery,
  failedQueryId,
  failedRun,
  failedRunId,
  glueEvent,
  glueMock,
  jobName,
  runArgs,
  workgroup,
} from './retry-fixtures.js';

type Entry = (event: unknown, context: Context) => ReturnType<StateChangeHandler>;
const namespace = 'eventlake-test';
const context = { functionName: 'eventlake-test-retry-failed-run', awsRequestId: 'req-1' } as Context;
let written: string[];
let restore: () => void;

/** The entry point loaded fresh, so its logger and metrics read the environment stubbed here. */
async function entry(): Promise<Entry> {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', namespace);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.stubEnv('GLUE_JOB_NAME', jobName);
  vi.stubEnv('ATHENA_WORKGROUP', workgroup);
  vi.resetModules();
  return (await import('../../functions/retry-failed-run.js')).handler as unknown as Entry;
}

beforeEach(() => {
  glueMock.reset();
  athenaMock.reset();
  written = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((s) => s.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof stream.write;
  }
  restore = () =>
    streams.forEach((s, i) => {
      s.write = writes[i] as typeof s.write;
    });
});
afterEach(() => {
  restore();
  vi.unstubAllEnvs();
});

const lines = (): Record<string, unknown>[] =>
  written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
const logLines = () => lines().filter((line) => 'level' in line);
/** Every metric value of the EMF documents printed, by name. */
function emf(): Record<string, number[]> {
  const values: Record<string, number[]> = {};
  for (const doc of lines().filter((line) => '_aws' in line)) {
    const [directive] = (doc._aws as { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] })
      .CloudWatchMetrics;
    expect(directive?.Namespace).toBe(namespace);
    expect(doc.service).toBeTruthy();
    for (const { Name } of directive?.Metrics ?? []) {
      const value = doc[Name];
      values[Name] = [...(values[Name] ?? []), ...(Array.isArray(value) ? value : [value])];
    }
  }
  return values;
}

describe('retry-failed-run output', () => {
  it('a restarted Glue run: WARN with the run, attempt, chain and the event’s error; Failed and Retried', async () => {
    glueMock.on(GetJobRunCommand).resolves(failedRun()).on(StartJobRunCommand).resolves({ JobRunId: 'jr_retry' });
    await (await entry())(glueEvent(), context);
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'failed Glue run restarted',
        target: 'glue',
        failedId: failedRunId,
        chainId: failedRunId,
        retryId: 'jr_retry',
        attempt: 1,
        maxRetries: 3,
        error: glueEvent().detail.message,
        function_request_id: 'req-1',
      }),
    ]);
    expect(emf()).toEqual({ GlueRunsFailed: [1], GlueRunsRetried: [1] });
  });

  it('an exhausted chain: ERROR with the reason, Failed and Abandoned, and still thrown for the DLQ', async () => {
    const last = { ...runArgs, '--retry_attempt': '3', '--retry_of': 'jr_first' };
    glueMock.on(GetJobRunCommand).resolves(failedRun(last));
    await expect((await entry())(glueEvent(), context)).rejects.toMatchObject({ name: 'RetriesExhausted' });
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'failed Glue run abandoned',
        failedId: failedRunId,
        chainId: 'jr_first',
        retries: 3,
        exhausted: true,
        reason: 'retries exhausted',
        error: glueEvent().detail.message,
      }),
    ]);
    expect(emf()).toEqual({ GlueRunsFailed: [1], GlueRunsAbandoned: [1] });
  });

  it('a report query that failed for good (a user error): ERROR, ReportQueriesFailed and …Abandoned', async () => {
    const userError = { AthenaError: { ErrorCategory: 2, Retryable: false, ErrorMessage: 'COLUMN_NOT_FOUND: x' } };
    athenaMock.on(GetQueryExecutionCommand).resolves(failedQuery({}, userError));
    const event = athenaEvent();
    delete event.detail.athenaError;
    await expect((await entry())(event, context)).resolves.toMatchObject({ action: 'abandoned' });
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'failed report query abandoned',
        failedId: failedQueryId,
        reason: 'not retryable',
        exhausted: false,
        error: 'COLUMN_NOT_FOUND: x',
      }),
    ]);
    expect(emf()).toEqual({ ReportQueriesFailed: [1], ReportQueriesAbandoned: [1] });
  });

  it('a refused restart (job busy): WARN, no metric until a later attempt decides', async () => {
    const busy = Object.assign(new Error('Concurrent runs exceeded'), { name: 'ConcurrentRunsExceededException' });
    glueMock.on(GetJobRunCommand).resolves(failedRun()).on(StartJobRunCommand).rejects(busy);
    await expect((await entry())(glueEvent(), context)).rejects.toMatchObject({ name: 'RetryLater' });
    expect(logLines().filter((l) => l.message !== undefined && String(l.message).startsWith('failed'))).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'failed Glue run not restarted yet',
        failedId: failedRunId,
        errorType: 'RetryLater',
      }),
    ]);
    expect(emf()).toEqual({});
  });

  it('an invocation that fails before a verdict (the run is unknown): ERROR with the cause, no metric', async () => {
    const unknown = Object.assign(new Error('Job run not found'), { name: 'EntityNotFoundException' });
    glueMock.on(GetJobRunCommand).rejects(unknown);
    await expect((await entry())(glueEvent(), context)).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    expect(logLines().filter((l) => String(l.message).startsWith('failed'))).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'failed Glue run not handled',
        failedId: failedRunId,
        errorType: 'EntityNotFoundException',
        error: 'Job run not found',
      }),
    ]);
    expect(emf()).toEqual({});
  });

  it('a stopped run is INFO only and counts nothing', async () => {
    const stopped = glueEvent();
    stopped.detail.state = 'STOPPED';
    await (await entry())(stopped, context);
    expect(logLines()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'state change not retried', reason: 'run is STOPPED' }),
    ]);
    expect(emf()).toEqual({});
  });
});
