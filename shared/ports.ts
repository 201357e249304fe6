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
  /** `s3://bucket/prefix/` where Athena writes `<QueryExecutionId>.csv`. */
  outputLocation: string;
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

export type PutObject = (ref: ObjectRef, body: string | Uint8Array, contentType: string) => Promise<void>;
/** Resolves the object's bytes; rejects with a NoSuchKey-named error when absent. */
export type GetObject = (ref: ObjectRef) => Promise<Uint8Array>;
export type CopyObject = (from: ObjectRef, to: ObjectRef, contentType: string) => Promise<void>;
/** Keys under a prefix, all pages. */
export type ListKeys = (bucket: string, prefix: string) => Promise<string[]>;
