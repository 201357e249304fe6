// The local Glue Parquet job: the StartJobRun port over DuckDB, with Glue's contract — the run
// proceeds after StartJobRun returns, MaxConcurrentRuns is enforced with Glue's error names, and a
// failed run leaves no marker and no bookmark behind (see docs/glue.md).
import { randomBytes } from 'node:crypto';
import type { DuckDBInstance } from '@duckdb/node-api';
import { config } from '../shared/config.js';
import type { RunMarker } from '../shared/glue-run.js';
import type { ObjectRef, StartJobRun } from '../shared/ports.js';
import { parseRunArguments } from './glue-args.js';
import { ConcurrentRunsExceededException, EntityNotFoundException } from './glue-errors.js';
import { executeRun, type LocalGlueFaults } from './glue-execute.js';
import { jobDirs } from './glue-store.js';

export type { LocalGlueFaults } from './glue-execute.js';

export type JobRunState = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

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
}

export interface LocalGlueJob {
  /** StartJobRun on this job. */
  startJobRun: StartJobRun;
  /** StartJobRun naming a job: EntityNotFoundException unless it is this one. */
  startJobRunFor(jobName: string): StartJobRun;
  /** Resolves once no run is in flight. */
  idle(): Promise<void>;
  runs(): RunRecord[];
}

/** Glue job run ids: `jr_` and 64 hex digits. */
const newJobRunId = (): string => `jr_${randomBytes(32).toString('hex')}`;

export function makeLocalGlueJob(options: LocalGlueJobOptions): LocalGlueJob {
  const { jobName, maxConcurrentRuns = config.glue.maxConcurrentRuns } = options;
  const context = { ...options, dirs: jobDirs(options.dataDir, jobName) };
  const records: RunRecord[] = [];
  const inFlight = new Set<Promise<void>>();

  const startJobRun: StartJobRun = async (args) => {
    const spec = parseRunArguments(args);
    if (inFlight.size >= maxConcurrentRuns) {
      throw new ConcurrentRunsExceededException(`Concurrent runs exceeded for ${jobName}`);
    }
    const record: RunRecord = { id: newJobRunId(), state: 'RUNNING', arguments: { ...args }, startedOn: now() };
    records.push(record);
    const run = executeRun(context, record.id, spec).then(
      (marker) => Object.assign(record, { state: 'SUCCEEDED', marker, completedOn: now() }),
      (error: unknown) => Object.assign(record, { state: 'FAILED', error: errorMessage(error), completedOn: now() }),
    );
    const settled = run.then(() => {
      inFlight.delete(settled);
    });
    inFlight.add(settled);
    return record.id;
  };

  return {
    startJobRun,
    startJobRunFor: (name) => (name === jobName ? startJobRun : () => Promise.reject(notFound(name))),
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    runs: () => records.map((r) => ({ ...r })),
  };
}

const now = (): string => new Date().toISOString();
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const notFound = (name: string) => new EntityNotFoundException(`Failed to start job run due to missing job ${name}`);
