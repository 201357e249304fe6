// The local Glue Parquet job: the StartJobRun port over DuckDB, with Glue's contract — the run
// proceeds after StartJobRun returns, MaxConcurrentRuns is enforced with Glue's error names, and a
// failed run leaves no marker and no bookmark behind (see docs/glue.md).
import { randomBytes } from 'node:crypto';
import type { DuckDBInstance } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import { type CompactionSettings, compactionSettings } from '#shared/lake/compaction.js';
import type { RunMarker } from '#shared/lake/glue-run.js';
import type { JobRunSummary, ObjectRef, StartJobRun } from '#shared/ports.js';
import { GLUE_JOB_STATE_CHANGE, GLUE_SOURCE, type GlueJobStateChange } from '#shared/retries/run-retry.js';
import { serviceEvent } from '../eventbridge/eventbridge.js';
import { parseRunArguments, type RunSpec } from './args.js';
import { ConcurrentRunsExceededException, EntityNotFoundException } from './errors.js';
import { executeRun, type LocalGlueFaults } from './execute.js';
import { jobDirs } from './store.js';

export type { LocalGlueFaults } from './execute.js';

/** WAITING: queued behind MaxConcurrentRuns (job run queuing). */
export type JobRunState = 'WAITING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface RunRecord {
  id: string;
  state: JobRunState;
  arguments: Readonly<Record<string, string>>;
  startedOn: string;
  completedOn?: string;
  /** Why a FAILED run failed. */
  error?: string;
  /** The marker a SUCCEEDED run wrote. */
  marker?: RunMarker;
}

export interface LocalGlueJobOptions {
  dataDir: string;
  /** Shared DuckDB instance; each run opens (and closes) its own connection. */
  instance: DuckDBInstance;
  jobName: string;
  /** The local S3 notification layer: called for every object a run creates, the run marker last. */
  onObjectCreated: (ref: ObjectRef, size: number) => void | Promise<void>;
  faults?: LocalGlueFaults;
  maxConcurrentRuns?: number;
  /**
   * JobRunQueuingEnabled: a start over MaxConcurrentRuns waits (WAITING) for a slot instead of
   * failing with ConcurrentRunsExceededException. Default from the pipeline config.
   */
  jobRunQueuing?: boolean;
  /** EventBridge: the `Glue Job State Change` event of every run that ended, as Glue emits it. */
  onStateChange?: (event: GlueJobStateChange) => void | Promise<void>;
  /** Compaction thresholds and durations (default: glue.compaction on the local clock, local.timeScale). */
  compaction?: Partial<CompactionSettings>;
  /** Epoch ms for the compaction rules (closed days, retention); default the system clock. */
  now?: () => number;
}

export interface LocalGlueJob {
  /** StartJobRun on this job. */
  startJobRun: StartJobRun;
  /** StartJobRun naming a job: EntityNotFoundException unless it is this one. */
  startJobRunFor(jobName: string): StartJobRun;
  /** Resolves once no run is in flight and every state change was handed over. */
  idle(): Promise<void>;
  runs(): RunRecord[];
  /** GetJobRun: EntityNotFoundException for an unknown run id. */
  getJobRun(runId: string): JobRunSummary;
}

/** Glue job run ids: `jr_` and 64 hex digits. */
const newJobRunId = (): string => `jr_${randomBytes(32).toString('hex')}`;

export function makeLocalGlueJob(options: LocalGlueJobOptions): LocalGlueJob {
  const {
    jobName,
    maxConcurrentRuns = config.glue.maxConcurrentRuns,
    jobRunQueuing = config.glue.jobRunQueuingEnabled,
  } = options;
  const context = {
    ...options,
    dirs: jobDirs(options.dataDir, jobName),
    compaction: { ...compactionSettings(config.local.timeScale), ...options.compaction },
    now: options.now ?? Date.now,
  };
  const records: RunRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  const emitting = new Set<Promise<void>>();
  const emitErrors: unknown[] = [];

  // After the run left inFlight, like Glue: by the time the event arrives the run no longer counts
  // against MaxConcurrentRuns, so a retry can start at once.
  const emitStateChange = (record: RunRecord): void => {
    if (!options.onStateChange) return;
    const event = stateChangeEvent(jobName, record);
    const sent: Promise<void> = Promise.resolve()
      .then(() => options.onStateChange?.(event))
      .catch((error: unknown) => void emitErrors.push(error))
      .finally(() => emitting.delete(sent));
    emitting.add(sent);
  };

  const waiting: (() => void)[] = [];
  let running = 0;

  const execute = (record: RunRecord, spec: RunSpec): void => {
    running += 1;
    Object.assign(record, { state: 'RUNNING', startedOn: now() });
    const run = executeRun(context, record.id, spec).then(
      (marker) => Object.assign(record, { state: 'SUCCEEDED', marker, completedOn: now() }),
      (error: unknown) => Object.assign(record, { state: 'FAILED', error: errorMessage(error), completedOn: now() }),
    );
    const settled = run.then(() => {
      running -= 1;
      inFlight.delete(settled);
      emitStateChange(record);
      waiting.shift()?.();
    });
    inFlight.add(settled);
  };

  const startJobRun: StartJobRun = async (args) => {
    const spec = parseRunArguments(args);
    const full = running >= maxConcurrentRuns || waiting.length > 0;
    if (full && !jobRunQueuing) throw new ConcurrentRunsExceededException(`Concurrent runs exceeded for ${jobName}`);
    const record: RunRecord = { id: newJobRunId(), state: 'WAITING', arguments: { ...args }, startedOn: now() };
    records.push(record);
    if (!full) execute(record, spec);
    else {
      // Held in inFlight while it waits, so idle() waits for queued runs too.
      const queued: Promise<void> = new Promise<void>((resolve) => waiting.push(resolve)).then(() => {
        inFlight.delete(queued);
        execute(record, spec);
      });
      inFlight.add(queued);
    }
    return record.id;
  };

  return {
    startJobRun,
    startJobRunFor: (name) => (name === jobName ? startJobRun : () => Promise.reject(notFound(name))),
    async idle() {
      while (inFlight.size + emitting.size > 0) await Promise.all([...inFlight, ...emitting]);
      if (emitErrors.length > 0) throw new AggregateError(emitErrors.splice(0), 'onStateChange failed');
    },
    runs: () => records.map((r) => ({ ...r })),
    getJobRun(runId) {
      const record = records.find((r) => r.id === runId);
      if (!record) throw new EntityNotFoundException(`Job run ${runId} of ${jobName} not found`);
      return jobRunSummary(jobName, record);
    },
  };
}

const now = (): string => new Date().toISOString();
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const notFound = (name: string) => new EntityNotFoundException(`Failed to start job run due to missing job ${name}`);

function jobRunSummary(jobName: string, r: RunRecord): JobRunSummary {
  return {
    Id: r.id,
    JobName: jobName,
    JobRunState: r.state,
    Arguments: { ...r.arguments },
    ...(r.error === undefined ? {} : { ErrorMessage: r.error }),
    StartedOn: new Date(r.startedOn),
    ...(r.completedOn === undefined ? {} : { CompletedOn: new Date(r.completedOn) }),
  };
}

function stateChangeEvent(jobName: string, r: RunRecord): GlueJobStateChange {
  const failed = r.state === 'FAILED';
  return serviceEvent(GLUE_SOURCE, GLUE_JOB_STATE_CHANGE, {
    jobName,
    severity: failed ? 'ERROR' : 'INFO',
    state: r.state,
    jobRunId: r.id,
    message: failed ? (r.error ?? 'Job run failed') : 'Job run succeeded',
  });
}
