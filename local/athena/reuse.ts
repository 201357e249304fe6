// Athena query result reuse (docs/contracts.md §5): a query that enables ResultReuseByAgeConfiguration
// answers from the latest earlier execution in the same workgroup with the same query string,
// parameters, catalog and database and the same result configuration, if that result is no older
// than MaxAgeInMinutes and its file is still in S3. It runs nothing, scans 0 bytes, writes no new
// result file (so no ObjectCreated), and points its OutputLocation at the earlier result.
import { existsSync } from 'node:fs';
import { parseS3Uri } from '#shared/lake/keys.js';
import type { QueryRequest } from '#shared/ports.js';
import { objectPath } from '../s3/buckets.js';
import type { QueryExecution } from './execution.js';

/** Athena accepts up to 7 days (10,080 minutes); the default is 60. */
export const MAX_REUSE_AGE_MINUTES = 10_080;

export interface ReuseCandidate {
  execution: QueryExecution;
  request: QueryRequest;
  /** The result configuration the execution ran with: the folder its `<id>.csv` went to. */
  outputLocation: string;
  /** True for an execution that itself answered from an earlier result. */
  reused: boolean;
}

export interface ReuseLookup {
  dataDir: string;
  request: QueryRequest;
  outputLocation: string;
  context: { database: string; workgroup: string };
  now: number;
}

const sameParameters = (a: readonly string[] = [], b: readonly string[] = []): boolean =>
  a.length === b.length && a.every((value, i) => value === b[i]);

/** The execution whose result this request may reuse, or undefined (then the query runs). */
export function findReusableResult(
  candidates: Iterable<ReuseCandidate>,
  lookup: ReuseLookup,
): QueryExecution | undefined {
  const maxAge = Math.min(lookup.request.resultReuseMaxAgeMinutes ?? 0, MAX_REUSE_AGE_MINUTES) * 60_000;
  if (maxAge <= 0) return undefined;
  let best: QueryExecution | undefined;
  for (const c of candidates) {
    const e = c.execution;
    const completed = e.Status.CompletionDateTime?.getTime();
    const matches =
      !c.reused &&
      e.Status.State === 'SUCCEEDED' &&
      completed !== undefined &&
      lookup.now - completed <= maxAge &&
      e.Query === lookup.request.queryString &&
      sameParameters(c.request.executionParameters, lookup.request.executionParameters) &&
      e.WorkGroup === lookup.context.workgroup &&
      e.QueryExecutionContext.Database === lookup.context.database &&
      c.outputLocation === lookup.outputLocation;
    if (!matches) continue;
    if (!best || completed > (best.Status.CompletionDateTime?.getTime() ?? 0)) best = e;
  }
  // A result deleted or moved since is not reused.
  if (best && !existsSync(objectPath(lookup.dataDir, parseS3Uri(best.ResultConfiguration.OutputLocation)))) {
    return undefined;
  }
  return best;
}
