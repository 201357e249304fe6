// The local runtime's retry chains, kept in the bus state (bus-state.ts) so they survive a restart:
// every verdict of retry-failed-run (restarted, abandoned) per chain, a chain marked recovered when a
// retry of it succeeds, and a copy of each failed Glue run a pending delivery will ask GetJobRun about.
// The cloud needs none of this: Glue keeps its runs, and a chain counts itself in the run arguments.
import { existsSync, readFileSync } from 'node:fs';
import { glueArgs } from '#shared/lake/glue-run.js';
import { parseS3Uri, runMarkerKey } from '#shared/lake/keys.js';
import type { JobRunSummary } from '#shared/ports.js';
import {
  ATHENA_QUERY_STATE_CHANGE,
  ATHENA_SOURCE,
  GLUE_JOB_STATE_CHANGE,
  GLUE_SOURCE,
  parseRetryMarker,
  RETRIED_GLUE_STATES,
  type RetryOutcome,
  retryArgs,
} from '#shared/retries/run-retry.js';
import { localBucketNames, objectPath } from '../s3/buckets.js';
import type { BusEvent, ChainRecord, StoredJobRun } from './bus-state.js';
import { type LocalEventBus, serviceEvent } from './eventbridge.js';

export interface ChainSources {
  glue: { getJobRun(runId: string): JobRunSummary };
  athena: { getQueryExecution(id: string): { Query: string } };
  jobName: string;
  /** Where `--source_manifest` objects are read from (the local S3). */
  dataDir?: string;
}

export interface RetryChains {
  /** GetJobRun: the live job's run, else the copy kept for a pending retry (a run of an earlier process). */
  getJobRun(runId: string): JobRunSummary;
  /** Records a verdict of retry-failed-run (pass it as the handler's onOutcome). */
  onOutcome(outcome: RetryOutcome): void;
  /** Raw objects (`bucket/key`) of failed runs a pending retry will run again: restart recovery leaves them to it. */
  heldObjects(): string[];
  /**
   * At a start: a Glue retry an earlier process was running when it died (no marker, no state change)
   * failed with it; its FAILED state change is put on the bus so its chain goes on at the next attempt.
   * One with a run marker succeeded: its chain is recovered. Returns the runs resumed as failed.
   */
  resumeLostRuns(): string[];
  chains(): ChainRecord[];
}

type Detail = Record<string, unknown>;
const detailOf = (event: BusEvent): Detail => (event.detail ?? {}) as Detail;

const stored = (run: JobRunSummary): StoredJobRun => ({
  Id: run.Id,
  JobName: run.JobName,
  JobRunState: run.JobRunState,
  Arguments: { ...run.Arguments },
  ...(run.ErrorMessage === undefined ? {} : { ErrorMessage: run.ErrorMessage }),
  ...(run.StartedOn ? { StartedOn: run.StartedOn.toISOString() } : {}),
  ...(run.CompletedOn ? { CompletedOn: run.CompletedOn.toISOString() } : {}),
});

const summary = ({ StartedOn, CompletedOn, ...run }: StoredJobRun): JobRunSummary => ({
  ...run,
  ...(StartedOn ? { StartedOn: new Date(StartedOn) } : {}),
  ...(CompletedOn ? { CompletedOn: new Date(CompletedOn) } : {}),
});

export function makeRetryChains(bus: LocalEventBus, sources: ChainSources): RetryChains {
  const { store } = bus;
  const { state } = store;
  const now = () => new Date().toISOString();
  const find = (target: ChainRecord['target'], chainId: string) =>
    state.chains.find((c) => c.target === target && c.chainId === chainId);
  const liveRun = (runId: string): JobRunSummary | undefined => {
    try {
      return sources.glue.getJobRun(runId);
    } catch {
      return undefined;
    }
  };
  const recovered = (target: ChainRecord['target'], chainId: string | undefined): boolean => {
    const chain = chainId === undefined ? undefined : find(target, chainId);
    if (chain === undefined || chain.state !== 'retrying') return false;
    Object.assign(chain, { state: 'recovered', updatedAt: now() });
    return true;
  };

  /** Keeps only the run copies a pending delivery still refers to, then adds this event's failed run. */
  const noteStateChange = (event: BusEvent): boolean => {
    const detail = detailOf(event);
    if (event.source === GLUE_SOURCE && event['detail-type'] === GLUE_JOB_STATE_CHANGE) {
      if (detail.jobName !== sources.jobName || typeof detail.jobRunId !== 'string') return false;
      const run = liveRun(detail.jobRunId);
      if (run === undefined) return false;
      if (detail.state === 'SUCCEEDED') return recovered('glue', run.Arguments[retryArgs.retryOf]);
      if (!RETRIED_GLUE_STATES.includes(String(detail.state))) return false;
      const referenced = new Set(state.deliveries.map((d) => detailOf(d.event).jobRunId));
      for (const id of Object.keys(state.runs)) if (!referenced.has(id)) delete state.runs[id];
      state.runs[run.Id] = stored(run);
      return true;
    }
    if (event.source === ATHENA_SOURCE && event['detail-type'] === ATHENA_QUERY_STATE_CHANGE) {
      if (detail.currentState !== 'SUCCEEDED' || typeof detail.queryExecutionId !== 'string') return false;
      try {
        return recovered(
          'athena',
          parseRetryMarker(sources.athena.getQueryExecution(detail.queryExecutionId).Query).firstQueryId,
        );
      } catch {
        return false;
      }
    }
    return false;
  };
  bus.onEvent(noteStateChange);

  function onOutcome(outcome: RetryOutcome): void {
    if (outcome.action === 'skipped') return;
    const chain: ChainRecord = find(outcome.target, outcome.chainId) ?? {
      target: outcome.target,
      chainId: outcome.chainId,
      failed: [],
      retries: 0,
      maxRetries: outcome.maxRetries,
      state: 'retrying',
      updatedAt: now(),
    };
    if (!state.chains.includes(chain)) state.chains.push(chain);
    if (!chain.failed.includes(outcome.failedId)) chain.failed.push(outcome.failedId);
    Object.assign(chain, { maxRetries: outcome.maxRetries, updatedAt: now() });
    if (outcome.error !== undefined) chain.error = outcome.error;
    delete chain.running;
    if (outcome.action === 'retried') {
      Object.assign(chain, { state: 'retrying', retries: outcome.attempt });
      const started = outcome.target === 'glue' ? liveRun(outcome.retryId) : undefined;
      if (started) chain.running = { id: started.Id, arguments: { ...started.Arguments } };
    } else Object.assign(chain, { state: 'abandoned', reason: outcome.reason, retries: outcome.retries });
    store.save();
  }

  function resumeLostRuns(): string[] {
    const lost: string[] = [];
    const delivered = new Set(state.deliveries.map((d) => detailOf(d.event).jobRunId));
    for (const chain of state.chains) {
      const run = chain.running;
      if (chain.target !== 'glue' || chain.state !== 'retrying' || run === undefined || delivered.has(run.id)) continue;
      if (liveRun(run.id) !== undefined) continue;
      const marker =
        sources.dataDir && objectPath(sources.dataDir, { bucket: localBucketNames.lake, key: runMarkerKey(run.id) });
      if (marker && existsSync(marker)) {
        Object.assign(chain, { state: 'recovered', updatedAt: now() });
        delete chain.running;
        store.save();
        continue;
      }
      const message = 'the local process stopped while the run was in flight';
      state.runs[run.id] = {
        Id: run.id,
        JobName: sources.jobName,
        JobRunState: 'FAILED',
        Arguments: run.arguments,
        ErrorMessage: message,
      };
      lost.push(run.id);
      bus.putEvent(
        serviceEvent(GLUE_SOURCE, GLUE_JOB_STATE_CHANGE, {
          jobName: sources.jobName,
          severity: 'ERROR',
          state: 'FAILED',
          jobRunId: run.id,
          message,
        }),
      );
    }
    return lost;
  }

  function sourceObjects(args: Readonly<Record<string, string>>): string[] {
    const bucket = args[glueArgs.sourceBucket];
    const keysArg = args[glueArgs.sourceKeys];
    const manifest = args[glueArgs.sourceManifest];
    try {
      let keys: unknown;
      if (keysArg !== undefined) keys = JSON.parse(keysArg);
      else if (manifest !== undefined && sources.dataDir !== undefined) {
        keys = JSON.parse(readFileSync(objectPath(sources.dataDir, parseS3Uri(manifest)), 'utf8')).keys;
      }
      return Array.isArray(keys) ? keys.map((key) => `${bucket}/${String(key)}`) : [];
    } catch {
      return []; // an unreadable list: recovery announces the objects again, which is safe
    }
  }

  return {
    getJobRun(runId) {
      const kept = state.runs[runId];
      const live = liveRun(runId);
      if (live !== undefined || kept === undefined) return live ?? sources.glue.getJobRun(runId);
      return summary(kept);
    },
    onOutcome,
    resumeLostRuns,
    heldObjects: () =>
      state.deliveries.flatMap((d) => {
        const run = state.runs[String(detailOf(d.event).jobRunId)];
        return run === undefined ? [] : sourceObjects(run.Arguments);
      }),
    chains: () => structuredClone(state.chains),
  };
}
