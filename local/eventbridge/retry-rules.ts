// The two EventBridge rules of infra/functions/retry.yml on the local bus, targeting the real
// retry-failed-run handler over the local Glue job and Athena, with its chains kept in the bus state.
import type { JobRunSummary, QueryExecutionSummary, StartJobRun, StartQuery } from '#shared/ports.js';
import { athenaRetryPattern, glueRetryPattern } from '#shared/retries/routing.js';
import { makeRetryFailedRunHandler } from '../../functions/retry-failed-run.js';
import { makeRetryChains, type RetryChains } from './chains.js';
import type { LocalEventBus } from './eventbridge.js';

export interface RetryTargets {
  glue: { getJobRun(runId: string): JobRunSummary; startJobRun: StartJobRun };
  athena: { getQueryExecution(id: string): QueryExecutionSummary };
  startQuery: StartQuery;
  jobName: string;
  workgroup: string;
  /** The retry λ's name, as on-failure records show it. */
  functionName: string;
  maxRunRetries: number;
  maxQueryRetries: number;
  /** The data directory (to read run manifests of held objects). */
  dataDir?: string;
}

/** Adds both rules; the rules' names are stable, so deliveries kept from an earlier process resume. */
export function wireRetryRules(bus: LocalEventBus, targets: RetryTargets): RetryChains {
  const { glue, athena, jobName, workgroup, functionName } = targets;
  const chains = makeRetryChains(bus, {
    glue,
    athena,
    jobName,
    ...(targets.dataDir === undefined ? {} : { dataDir: targets.dataDir }),
  });
  const handler = makeRetryFailedRunHandler(
    {
      getJobRun: async (runId) => chains.getJobRun(runId),
      startJobRun: glue.startJobRun,
      getQueryExecution: async (id) => athena.getQueryExecution(id),
      startQueryExecution: targets.startQuery,
      jobName,
      workgroup,
      maxRunRetries: targets.maxRunRetries,
      maxQueryRetries: targets.maxQueryRetries,
    },
    chains.onOutcome,
  );
  bus.addRule({ name: `${functionName}-glue`, pattern: glueRetryPattern(jobName), functionName, handler });
  bus.addRule({ name: `${functionName}-athena`, pattern: athenaRetryPattern(workgroup), functionName, handler });
  chains.resumeLostRuns();
  return chains;
}
