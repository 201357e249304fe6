// The Athena API shapes the local engine answers with (GetQueryExecution), its named errors and
// the request checks StartQueryExecution makes before anything runs.
import { config } from '#shared/config.js';
import type { QueryRequest } from '#shared/ports.js';

export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface AthenaError {
  /** 1 system, 2 user, 3 other — as in Athena. */
  ErrorCategory: 1 | 2 | 3;
  Retryable: boolean;
  ErrorMessage: string;
}

export interface QueryExecution {
  QueryExecutionId: string;
  Query: string;
  StatementType: 'DML';
  WorkGroup: string;
  QueryExecutionContext: { Database: string; Catalog: string };
  ResultConfiguration: { OutputLocation: string };
  Status: {
    State: QueryState;
    StateChangeReason?: string;
    SubmissionDateTime: Date;
    CompletionDateTime?: Date;
    AthenaError?: AthenaError;
  };
  Statistics: {
    DataScannedInBytes: number;
    EngineExecutionTimeInMillis: number;
    QueryQueueTimeInMillis: number;
    TotalExecutionTimeInMillis: number;
    ResultReuseInformation: { ReusedPreviousResult: boolean };
  };
}

/** StartQueryExecution throttled: nothing was started, the caller retries. */
export class TooManyRequestsException extends Error {
  override readonly name = 'TooManyRequestsException';
}

/** A request Athena refuses outright (bad token, unknown id, token reused for another query). */
export class InvalidRequestException extends Error {
  override readonly name = 'InvalidRequestException';
}

/** An ad-hoc query that did not succeed: the message is what StateChangeReason would say. */
export class QueryFailed extends Error {
  override readonly name = 'QueryFailed';
  constructor(
    message: string,
    readonly state: 'FAILED' | 'CANCELLED',
    readonly dataScannedInBytes: number,
  ) {
    super(message);
  }
}

/** Athena's StateChangeReason when the workgroup's BytesScannedCutoffPerQuery stops a query (state CANCELLED). */
export const BYTES_SCANNED_LIMIT_EXCEEDED = 'Bytes scanned limit was exceeded';

export const INTERNAL_ERROR_REASON =
  'Amazon Athena experienced an internal error while executing this query. Please try submitting the query again.';

export function checkRequest(request: QueryRequest): void {
  const length = request.clientRequestToken.length;
  if (length < 32 || length > 128) {
    throw new InvalidRequestException(`ClientRequestToken must be 32 to 128 characters long, got ${length}`);
  }
  if (request.outputLocation !== undefined && !request.outputLocation.startsWith('s3://')) {
    throw new InvalidRequestException(`OutputLocation must be an s3:// URI: ${request.outputLocation}`);
  }
}

export interface ResultSettings {
  /** EnforceWorkGroupConfiguration: the workgroup's result location overrides the query's. */
  enforceWorkGroupConfiguration?: boolean;
  /** The workgroup's ResultConfiguration.OutputLocation. */
  outputLocation?: string;
}

/**
 * Where a query's result goes, and whether the query overrode the workgroup's result configuration
 * (Athena then disables result reuse for it).
 */
export function resultLocation(
  request: QueryRequest,
  workgroup: ResultSettings,
): { location: string; overridden: boolean } {
  const own = workgroup.outputLocation;
  if (workgroup.enforceWorkGroupConfiguration && own) return { location: own, overridden: false };
  if (request.outputLocation) return { location: request.outputLocation, overridden: request.outputLocation !== own };
  if (own) return { location: own, overridden: false };
  throw new InvalidRequestException(
    'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
  );
}

/** Positional `?` placeholders outside quotes take the ExecutionParameters (SQL literals) in order. */
export function bindExecutionParameters(sql: string, parameters: readonly string[] = []): string {
  let next = 0;
  const bound = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\?/g, (token) => {
    if (token !== '?') return token;
    const value = parameters[next++];
    if (value === undefined)
      throw new Error(`Query has more ? placeholders than the ${parameters.length} ExecutionParameters`);
    return value;
  });
  if (next !== parameters.length) {
    throw new Error(`Query has ${next} ? placeholders but ${parameters.length} ExecutionParameters were given`);
  }
  return bound;
}

export const snapshot = (execution: QueryExecution): QueryExecution => structuredClone(execution);

export const isFinal = (state: QueryState): boolean => state !== 'QUEUED' && state !== 'RUNNING';

export function newExecution(
  request: QueryRequest,
  ids: { queryExecutionId: string; resultLocation: string },
  context: { database: string; workgroup: string },
): QueryExecution {
  return {
    QueryExecutionId: ids.queryExecutionId,
    Query: request.queryString,
    StatementType: 'DML',
    WorkGroup: context.workgroup,
    QueryExecutionContext: { Database: context.database, Catalog: 'AwsDataCatalog' },
    ResultConfiguration: { OutputLocation: ids.resultLocation },
    Status: { State: 'QUEUED', SubmissionDateTime: new Date() },
    Statistics: {
      DataScannedInBytes: 0,
      EngineExecutionTimeInMillis: 0,
      QueryQueueTimeInMillis: 0,
      TotalExecutionTimeInMillis: 0,
      ResultReuseInformation: { ReusedPreviousResult: false },
    },
  };
}

export interface AdHocStatistics {
  DataScannedInBytes: number;
  EngineExecutionTimeInMillis: number;
  /** What Athena would bill: at least 10 MB per query. A price rule only, never applied to DataScannedInBytes. */
  BilledBytes: number;
  CostUSD: number;
}

export function adHocStatistics(dataScannedInBytes: number, engineMillis: number): AdHocStatistics {
  const billed = Math.max(dataScannedInBytes, config.athena.minimumBytesBilled);
  return {
    DataScannedInBytes: dataScannedInBytes,
    EngineExecutionTimeInMillis: engineMillis,
    BilledBytes: billed,
    CostUSD: (billed / 1e12) * config.athena.pricePerTBScannedUSD,
  };
}
