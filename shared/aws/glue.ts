// Glue adapters for the StartJobRun and GetJobRun ports.
import { GetJobRunCommand, type GlueClient, StartJobRunCommand } from '@aws-sdk/client-glue';
import type { GetJobRun, StartJobRun } from '../ports.js';

export class MissingJobRunId extends Error {
  override readonly name = 'MissingJobRunId';
}

export const makeStartJobRun =
  (glue: GlueClient, jobName: string): StartJobRun =>
  async (args) => {
    const { JobRunId } = await glue.send(new StartJobRunCommand({ JobName: jobName, Arguments: { ...args } }));
    if (!JobRunId) throw new MissingJobRunId(`StartJobRun for ${jobName} returned no JobRunId`);
    return JobRunId;
  };

export class MissingJobRun extends Error {
  override readonly name = 'MissingJobRun';
}

/** GetJobRun on one job; the fields of JobRun the GetJobRun port promises. */
export const makeGetJobRun =
  (glue: GlueClient, jobName: string): GetJobRun =>
  async (runId) => {
    const { JobRun: run } = await glue.send(new GetJobRunCommand({ JobName: jobName, RunId: runId }));
    if (!run?.Id || !run.JobRunState) throw new MissingJobRun(`GetJobRun ${jobName} ${runId} returned no run`);
    return {
      Id: run.Id,
      JobName: run.JobName ?? jobName,
      JobRunState: run.JobRunState,
      Arguments: { ...run.Arguments },
      ...(run.ErrorMessage === undefined ? {} : { ErrorMessage: run.ErrorMessage }),
      ...(run.StartedOn === undefined ? {} : { StartedOn: run.StartedOn }),
      ...(run.CompletedOn === undefined ? {} : { CompletedOn: run.CompletedOn }),
    };
  };
