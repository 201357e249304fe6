// The local retry loop as local/pipeline/pipeline.ts is to wire it: Glue/Athena state changes → the local bus
// → retry-failed-run (the real handler) → the same local Glue job and Athena.

import { athenaRetryPattern, glueRetryPattern } from '#shared/retries/routing.js';
import type { RetryOutcome } from '#shared/retries/run-retry.js';
import { makeRetryFailedRunHandler } from '../../functions/retry-failed-run.js';
import type { LocalAthena } from '../../local/athena/athena.js';
import { type LocalEventBus, makeLocalEventBus } from '../../local/eventbridge/eventbridge.js';
import type { LocalGlueJob } from '../../local/glue/job.js';

/** Lambda's 1- and 2-minute retry delays become 6 and 12 ms. */
export const busTimeScale = 0.0001;

export interface RetryLoop {
  bus: LocalEventBus;
  outcomes: RetryOutcome[];
}

/** A bus with the two retry rules; `glue`/`athena` are read lazily (they are built with `bus.putEvent`). */
export function retryLoop(targets: {
  jobName: string;
  workgroup: string;
  glue: () => LocalGlueJob | undefined;
  athena: () => LocalAthena | undefined;
}): RetryLoop {
  const bus = makeLocalEventBus({ timeScale: busTimeScale });
  const outcomes: RetryOutcome[] = [];
  const glue = () => targets.glue() ?? unwired('Glue job');
  const athena = () => targets.athena() ?? unwired('Athena');
  const retry = makeRetryFailedRunHandler(
    {
      getJobRun: async (runId) => glue().getJobRun(runId),
      startJobRun: (args) => glue().startJobRun(args),
      getQueryExecution: async (id) => athena().getQueryExecution(id),
      startQueryExecution: (request) => athena().startQuery(request),
      jobName: targets.jobName,
      workgroup: targets.workgroup,
    },
    (outcome) => void outcomes.push(outcome),
  );
  const functionName = 'eventlake-local-retry-failed-run';
  bus.addRule({
    name: 'retry-failed-glue-run',
    pattern: glueRetryPattern(targets.jobName),
    functionName,
    handler: retry,
  });
  const queryPattern = athenaRetryPattern(targets.workgroup);
  bus.addRule({ name: 'retry-failed-report-query', pattern: queryPattern, functionName, handler: retry });
  return { bus, outcomes };
}

function unwired(what: string): never {
  throw new Error(`${what} is not wired`);
}

/** Until a pass where the engine and the bus went idle without a new retry outcome or failure record. */
export async function settle(engine: { idle(): Promise<void> }, loop: RetryLoop): Promise<void> {
  let before = -1;
  for (let pass = 0; pass < 20; pass++) {
    await engine.idle();
    await loop.bus.idle();
    const now = loop.outcomes.length + loop.bus.failures().length;
    if (now === before) return;
    before = now;
  }
  throw new Error('the retry loop did not settle');
}
