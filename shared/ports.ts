// Ports: the side effects handlers need, as tiny function types. AWS adapters (shared/aws/*) and
// the local runtime (local/*) both implement them; tests pass fakes.

/** One PutRecordBatch call's outcome, per entry in request order. */
export type PutRecordResult = { ok: true; recordId: string } | { ok: false; errorCode: string; errorMessage: string };

/** Firehose PutRecordBatch for one chunk (≤ 500 records, ≤ 4 MiB). Throws on a whole-call failure. */
export type PutRecords = (records: readonly Uint8Array[]) => Promise<PutRecordResult[]>;

/** Glue StartJobRun with run arguments (`--key` → value). Resolves the JobRunId. */
export type StartJobRun = (args: Readonly<Record<string, string>>) => Promise<string>;

export interface QueryRequest {
  queryString: string;
  /**
   * `s3://bucket/prefix/` where Athena writes `<QueryExecutionId>.csv`. Omitted for a workgroup that
   * enforces its configuration: its own result location applies (and only then can results be reused).
   */
  outputLocation?: string;
  /** 32–128 characters; the same token on redelivery starts no second query. */
  clientRequestToken: string;
  executionParameters?: readonly string[];
  resultReuseMaxAgeMinutes?: number;
}

/** Athena StartQueryExecution in the configured workgroup and database. Resolves the QueryExecutionId. */
export type StartQuery = (request: QueryRequest) => Promise<string>;

export interface ObjectRef {
  bucket: string;
  key: string;
}

/**
 * S3 conditional write (docs/contracts.md §2a). `ifNoneMatch: '*'` creates only when the key is
 * absent; `ifMatch` overwrites only when the current ETag (as GetObjectWithETag returned it) still
 * matches. A failed condition rejects with `PreconditionFailed` (412), a conditional write racing
 * another on the same key with `ConditionalRequestConflict` (409), If-Match on a missing key with
 * `NoSuchKey` (404); see shared/aws/conditional-writes.ts.
 */
export type PutCondition = { ifNoneMatch: '*'; ifMatch?: never } | { ifMatch: string; ifNoneMatch?: never };

export type PutObject = (
  ref: ObjectRef,
  body: string | Uint8Array,
  contentType: string,
  condition?: PutCondition,
) => Promise<void>;
/** Resolves the object's bytes; rejects with a NoSuchKey-named error when absent. */
export type GetObject = (ref: ObjectRef) => Promise<Uint8Array>;

export interface StoredObject {
  body: Uint8Array;
  /** As S3 returns it (quoted MD5 hex for a single-part upload); pass it back as `ifMatch`. */
  eTag: string;
}

/** GetObject with the object's ETag, for a read-modify-write under `ifMatch`. NoSuchKey when absent. */
export type GetObjectWithETag = (ref: ObjectRef) => Promise<StoredObject>;
/**
 * CopyObject `from` → `to`. A condition applies to the destination as on PutObject (`ifNoneMatch: '*'`
 * copies only onto an absent key, `ifMatch` only while the destination still has that ETag), with
 * the same named errors; a missing source rejects with `NoSuchKey`.
 */
export type CopyObject = (
  from: ObjectRef,
  to: ObjectRef,
  contentType: string,
  condition?: PutCondition,
) => Promise<void>;
/** Keys under a prefix, all pages. */
export type ListKeys = (bucket: string, prefix: string) => Promise<string[]>;

/** The part of Glue's GetJobRun `JobRun` the retry handler reads (Glue's own field names). */
export interface JobRunSummary {
  Id: string;
  JobName: string;
  JobRunState: string;
  /** The run arguments passed to StartJobRun (not the job's DefaultArguments). */
  Arguments: Readonly<Record<string, string>>;
  ErrorMessage?: string;
  StartedOn?: Date;
  CompletedOn?: Date;
}

/** Glue GetJobRun on the configured job. */
export type GetJobRun = (runId: string) => Promise<JobRunSummary>;

/** The part of Athena's GetQueryExecution `QueryExecution` the retry handler reads (Athena's field names). */
export interface QueryExecutionSummary {
  QueryExecutionId: string;
  Query: string;
  WorkGroup: string;
  QueryExecutionContext?: { Database?: string; Catalog?: string };
  /** The result file itself: `<OutputLocation of the request><QueryExecutionId>.csv`. */
  ResultConfiguration?: { OutputLocation?: string };
  ExecutionParameters?: readonly string[];
  Statistics?: {
    DataScannedInBytes?: number;
    EngineExecutionTimeInMillis?: number;
    ResultReuseInformation?: { ReusedPreviousResult: boolean };
  };
  Status: {
    State: string;
    StateChangeReason?: string;
    AthenaError?: { ErrorCategory?: number; ErrorType?: number; Retryable?: boolean; ErrorMessage?: string };
  };
}

/** Athena GetQueryExecution. */
export type GetQueryExecution = (queryExecutionId: string) => Promise<QueryExecutionSummary>;

/** A StartQueryExecution that names its own workgroup and context, e.g. to re-run a query as it ran. */
export interface QueryExecutionRequest extends QueryRequest {
  workgroup: string;
  database?: string;
  catalog?: string;
}

/** Athena StartQueryExecution with a full request. Resolves the QueryExecutionId. */
export type StartQueryExecution = (request: QueryExecutionRequest) => Promise<string>;
