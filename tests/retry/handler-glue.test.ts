// retry-failed-run on a Glue Job State Change, over the real adapters with a mocked Glue client: the
// exact GetJobRun/StartJobRun calls, the attempt chain and limit, and the events it leaves alone.
import { GetJobRunCommand, StartJobRunCommand } from '@aws-sdk/client-glue';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/retry-failed-run.js';
import {
  athenaMock,
  failedRun,
  failedRunId,
  glueEvent,
  glueMock,
  jobName,
  retry,
  runArgs,
  workgroup,
} from './retry-fixtures.js';

beforeEach(() => {
  glueMock.reset();
  athenaMock.reset();
});

describe('a failed Glue run', () => {
  it('is read with GetJobRun and started again with the same arguments, attempt 1 of its chain', async () => {
    glueMock.on(GetJobRunCommand).resolves(failedRun()).on(StartJobRunCommand).resolves({ JobRunId: 'jr_retry' });
    await expect(retry()(glueEvent())).resolves.toEqual({
      action: 'retried',
      target: 'glue',
      failedId: failedRunId,
      chainId: failedRunId,
      error: glueEvent().detail.message,
      retryId: 'jr_retry',
      attempt: 1,
      maxRetries: 3,
    });
    expect(glueMock.commandCalls(GetJobRunCommand)[0]?.args[0].input).toEqual({ JobName: jobName, RunId: failedRunId });
    expect(glueMock.commandCalls(StartJobRunCommand)[0]?.args[0].input).toEqual({
      JobName: jobName,
      Arguments: { ...runArgs, '--retry_attempt': '1', '--retry_of': failedRunId },
    });
  });

  it('keeps the first run of the chain and counts on; TIMEOUT is retried like FAILED', async () => {
    const second = { ...runArgs, '--retry_attempt': '1', '--retry_of': 'jr_first' };
    glueMock
      .on(GetJobRunCommand)
      .resolves(failedRun(second, 'TIMEOUT'))
      .on(StartJobRunCommand)
      .resolves({ JobRunId: 'jr_3' });
    const event = glueEvent();
    event.detail.state = 'TIMEOUT';
    await expect(retry()(event)).resolves.toMatchObject({ action: 'retried', attempt: 2 });
    expect(glueMock.commandCalls(StartJobRunCommand)[0]?.args[0].input.Arguments).toEqual({
      ...runArgs,
      '--retry_attempt': '2',
      '--retry_of': 'jr_first',
    });
  });

  it('stops at the retry limit: RetriesExhausted is thrown so the event reaches the DLQ', async () => {
    glueMock.on(GetJobRunCommand).resolves(failedRun({ ...runArgs, '--retry_attempt': '3', '--retry_of': 'jr_first' }));
    await expect(retry()(glueEvent())).rejects.toMatchObject({ name: 'RetriesExhausted' });
    glueMock.on(GetJobRunCommand).resolves(failedRun({ ...runArgs, '--retry_attempt': '1' }));
    await expect(retry({ maxRunRetries: 1 })(glueEvent())).rejects.toMatchObject({ name: 'RetriesExhausted' });
    expect(glueMock.commandCalls(StartJobRunCommand)).toHaveLength(0);
  });

  it('throws when the job is busy, so Lambda retries the event later', async () => {
    const busy = Object.assign(new Error('Concurrent runs exceeded'), { name: 'ConcurrentRunsExceededException' });
    glueMock.on(GetJobRunCommand).resolves(failedRun()).on(StartJobRunCommand).rejects(busy);
    await expect(retry()(glueEvent())).rejects.toMatchObject({ name: 'RetryLater', cause: busy });
  });

  it('leaves other jobs, succeeded and stopped runs alone without calling Glue', async () => {
    const other = glueEvent();
    other.detail.jobName = 'someone-elses-job';
    const succeeded = glueEvent();
    succeeded.detail.state = 'SUCCEEDED';
    const stopped = glueEvent();
    stopped.detail.state = 'STOPPED';
    for (const event of [other, succeeded, stopped]) {
      await expect(retry()(event)).resolves.toMatchObject({ action: 'skipped', target: 'glue' });
    }
    expect(glueMock.calls()).toHaveLength(0);
  });
});

describe('the Lambda entry point', () => {
  afterEach(() => vi.unstubAllEnvs());
  const context = { functionName: 'fn', awsRequestId: 'req-1' } as Context;

  it('wires the SDK clients from GLUE_JOB_NAME and ATHENA_WORKGROUP and skips what is not its own', async () => {
    vi.stubEnv('GLUE_JOB_NAME', jobName);
    vi.stubEnv('ATHENA_WORKGROUP', workgroup);
    glueMock.on(GetJobRunCommand).resolves(failedRun()).on(StartJobRunCommand).resolves({ JobRunId: 'jr_retry' });
    await expect(handler(glueEvent(), context)).resolves.toMatchObject({ action: 'retried', retryId: 'jr_retry' });
    const unknown = { ...glueEvent(), source: 'aws.s3', 'detail-type': 'Object Created' };
    await expect(handler(unknown, context)).resolves.toMatchObject({ action: 'skipped', target: 'unknown' });
  });
});
