// Local Athena: StartQueryExecution / GetQueryExecution semantics over DuckDB. Queries run
// asynchronously (QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED), write `<id>.csv` and
// `<id>.csv.metadata` at the output location (the workgroup's when it enforces its configuration)
// and announce them like S3 ObjectCreated would; a query enabling result reuse may instead answer
// from an earlier result (reuse.ts).
import { randomUUID } from 'node:crypto';
import type { DuckDBInstance } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import { s3Uri } from '#shared/lake/keys.js';
import type { QueryRequest, StartQuery } from '#shared/ports.js';
import type { AthenaQueryStateChange } from '#shared/retries/run-retry.js';
import { athenaStateChangeEvent } from '../eventbridge/eventbridge.js';
import { type EngineRun, makeQueryEngine } from './engine.js';
import {
  type AdHocStatistics,
  type AthenaError,
  adHocStatistics,
  BYTES_SCANNED_LIMIT_EXCEEDED,
  bindExecutionParameters,
  checkRequest,
  INTERNAL_ERROR_REASON,
  InvalidRequestException,
  isFinal,
  newExecution,
  type QueryExecution,
  QueryFailed,
  type QueryState,
  type ResultSettings,
  resultLocation,
  snapshot,
  TooManyRequestsException,
} from './execution.js';
import { recalledExecution, rememberExecution } from './history.js';
import { type OnObjectCreated, type ResultTable, resultRef, writeResult } from './results.js';
import { findReusableResult } from './reuse.js';
import type { EventsSource } from './tables.js';

export interface Workgroup extends ResultSettings {
  name: string;
  bytesScannedCutoffPerQuery: number;
}

/** Chaos hooks: each is asked once per call or execution. */
export interface AthenaFaults {
  /** true → this StartQueryExecution call rejects with TooManyRequestsException; nothing starts, the token stays free. */
  throttleStart?(request: QueryRequest): boolean;
  /** true → this execution FAILS with a retryable internal error instead of running. */
  failExecution?(request: QueryRequest, queryExecutionId: string): boolean;
}

export interface LocalAthenaOptions {
  dataDir: string;
  instance: DuckDBInstance;
  workgroup: Workgroup;
  onObjectCreated: OnObjectCreated;
  faults?: AthenaFaults;
  /** Schema holding the views; default `analytics`, or `analytics_raw` when events read raw NDJSON. */
  database?: string;
  /** `raw` binds `events` to the raw NDJSON instead of the curated Parquet (scan benchmark). */
  eventsSource?: EventsSource;
  /** EventBridge: the `Athena Query State Change` event of every query reaching a final state. */
  onStateChange?: (event: AthenaQueryStateChange) => void | Promise<void>;
  /** Epoch ms for result reuse ages (default Date.now). */
  now?: () => number;
}

export interface AdHocResult extends ResultTable {
  statistics: AdHocStatistics;
}

export interface LocalAthena {
  startQuery: StartQuery;
  getQueryExecution(queryExecutionId: string): QueryExecution;
  waitForQuery(queryExecutionId: string): Promise<QueryExecution>;
  query(sql: string): Promise<AdHocResult>;
  idle(): Promise<void>;
}

interface Entry {
  execution: QueryExecution;
  request: QueryRequest;
  /** The result folder this execution used (its own, or the workgroup's). */
  outputLocation: string;
  reused: boolean;
  done: Promise<void>;
}

export function makeLocalAthena(options: LocalAthenaOptions): LocalAthena {
  const eventsSource = options.eventsSource ?? 'curated';
  const database = options.database ?? `${config.athena.database}${eventsSource === 'raw' ? '_raw' : ''}`;
  const engine = makeQueryEngine({ instance: options.instance, dataDir: options.dataDir, database, eventsSource });
  const entries = new Map<string, Entry>();
  const idByToken = new Map<string, string>();
  const notifications: Promise<void>[] = [];
  const notificationErrors: unknown[] = [];
  const cutoff = options.workgroup.bytesScannedCutoffPerQuery;
  const now = options.now ?? Date.now;
  const context = { database, workgroup: options.workgroup.name };

  const entry = (id: string): Entry => {
    const found = entries.get(id);
    if (!found) throw new InvalidRequestException(`QueryExecution ${id} was not found`);
    return found;
  };

  function transition(e: Entry, state: QueryState, reason?: string, error?: AthenaError): void {
    const status = e.execution.Status;
    const previous = status.State;
    status.State = state;
    if (reason !== undefined) status.StateChangeReason = reason;
    if (error !== undefined) status.AthenaError = error;
    if (!isFinal(state)) return;
    status.CompletionDateTime = new Date();
    e.execution.Statistics.TotalExecutionTimeInMillis =
      status.CompletionDateTime.getTime() - status.SubmissionDateTime.getTime();
    const { onStateChange } = options;
    if (onStateChange) track(async () => onStateChange(athenaStateChangeEvent(snapshot(e.execution), previous)));
  }

  function announce(objects: { ref: { bucket: string; key: string }; size: number }[]): void {
    track(async () => {
      for (const o of objects) await options.onObjectCreated(o.ref, o.size);
    });
  }

  /** Starts a notification; idle() waits for it and reports its failure. */
  function track(notify: () => Promise<void>): void {
    const sent = notify().catch((error: unknown) => {
      notificationErrors.push(error);
    });
    notifications.push(sent);
  }

  async function complete(e: Entry, run: EngineRun): Promise<void> {
    const stats = e.execution.Statistics;
    stats.DataScannedInBytes = run.dataScannedInBytes;
    stats.EngineExecutionTimeInMillis = run.engineMillis;
    if (!run.ok) {
      const message = run.error.message;
      return transition(e, 'FAILED', message, { ErrorCategory: 2, Retryable: false, ErrorMessage: message });
    }
    // Decided after the run: only then is it known what DuckDB read (see scan.ts); no result is written.
    if (run.dataScannedInBytes > cutoff) {
      const error = { ErrorCategory: 2, Retryable: false, ErrorMessage: BYTES_SCANNED_LIMIT_EXCEEDED } as const;
      return transition(e, 'CANCELLED', BYTES_SCANNED_LIMIT_EXCEEDED, error);
    }
    const csvRef = resultRef(e.outputLocation, e.execution.QueryExecutionId);
    const objects = await writeResult(options.dataDir, csvRef, run.table, {
      queryExecutionId: e.execution.QueryExecutionId,
      dataScannedInBytes: run.dataScannedInBytes,
    });
    transition(e, 'SUCCEEDED');
    rememberExecution(options.dataDir, snapshot(e.execution));
    announce(objects);
  }

  async function execute(e: Entry): Promise<void> {
    const { execution, request } = e;
    const internalError = { ErrorCategory: 1, Retryable: true, ErrorMessage: INTERNAL_ERROR_REASON } as const;
    // Like Athena, the caller always gets the id back while the query is still QUEUED.
    await new Promise((resolve) => setImmediate(resolve));
    let sql: string;
    try {
      sql = bindExecutionParameters(request.queryString, request.executionParameters);
    } catch (error) {
      const message = (error as Error).message;
      return transition(e, 'FAILED', message, { ErrorCategory: 2, Retryable: false, ErrorMessage: message });
    }
    try {
      if (options.faults?.failExecution?.(request, execution.QueryExecutionId)) {
        return transition(e, 'FAILED', INTERNAL_ERROR_REASON, internalError);
      }
      const run = await engine.run(sql, () => {
        transition(e, 'RUNNING');
        execution.Statistics.QueryQueueTimeInMillis = Date.now() - execution.Status.SubmissionDateTime.getTime();
      });
      await complete(e, run);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      transition(e, 'FAILED', message, { ...internalError, ErrorMessage: message });
    }
  }

  const startQuery: StartQuery = async (request) => {
    checkRequest(request);
    const known = idByToken.get(request.clientRequestToken);
    if (known !== undefined) {
      if (entry(known).request.queryString === request.queryString) return known;
      throw new InvalidRequestException('ClientRequestToken was already used for a different query');
    }
    const { location, overridden } = resultLocation(request, options.workgroup);
    if (options.faults?.throttleStart?.(request)) throw new TooManyRequestsException('Rate exceeded');
    const id = randomUUID();
    const lookup = { dataDir: options.dataDir, request, outputLocation: location, context, now: now() };
    const previous = overridden ? undefined : findReusableResult(entries.values(), lookup);
    const csv = previous?.ResultConfiguration.OutputLocation ?? s3Uri(resultRef(location, id));
    const execution = newExecution(request, { queryExecutionId: id, resultLocation: csv }, context);
    const e: Entry = { execution, request, outputLocation: location, reused: !!previous, done: Promise.resolve() };
    entries.set(id, e);
    idByToken.set(request.clientRequestToken, id);
    e.done = previous ? answerFromReuse(e) : execute(e);
    return id;
  };

  /** Nothing runs and nothing is written: the earlier result is the answer, 0 bytes scanned. */
  async function answerFromReuse(e: Entry): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    e.execution.Statistics.ResultReuseInformation.ReusedPreviousResult = true;
    transition(e, 'SUCCEEDED');
  }

  return {
    startQuery,
    getQueryExecution: (id) => {
      const recalled = entries.has(id) ? undefined : recalledExecution(options.dataDir, id);
      return recalled ?? snapshot(entry(id).execution);
    },
    async waitForQuery(id) {
      const e = entry(id);
      await e.done;
      return snapshot(e.execution);
    },
    async query(sql) {
      const run = await engine.run(sql);
      if (!run.ok) throw new QueryFailed(run.error.message, 'FAILED', run.dataScannedInBytes);
      if (run.dataScannedInBytes > cutoff) {
        throw new QueryFailed(BYTES_SCANNED_LIMIT_EXCEEDED, 'CANCELLED', run.dataScannedInBytes);
      }
      return { ...run.table, statistics: adHocStatistics(run.dataScannedInBytes, run.engineMillis) };
    },
    async idle() {
      await engine.idle();
      await Promise.all([...entries.values()].map((e) => e.done));
      await Promise.all(notifications);
      if (notificationErrors.length > 0)
        throw new AggregateError(notificationErrors.splice(0), 'onObjectCreated or onStateChange failed');
    },
  };
}
