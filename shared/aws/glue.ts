// Glue adapter for the StartJobRun port.
import { type GlueClient, StartJobRunCommand } from '@aws-sdk/client-glue';
import type { StartJobRun } from '../ports.js';

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
