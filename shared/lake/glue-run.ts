// The contract between start-parquet-job, the Glue Parquet job (glue/parquet_job.py), the local
// Glue job and start-reports: run argument names and the run marker written last by each run.
import type { CompactedPartition } from './compaction.js';

export type { CompactedPartition } from './compaction.js';

/** Glue run arguments (values are strings; lists are JSON). */
export const glueArgs = {
  /** `name:type,…` of the curated columns, from shared/contract/table-schemas.ts. */
  columns: '--columns',
  /** Bucket holding the raw NDJSON objects. */
  sourceBucket: '--source_bucket',
  /** JSON array of raw object keys, when short enough for an argument. */
  sourceKeys: '--source_keys',
  /** `s3://…/_manifests/<id>.json` holding `{ "keys": [...] }` when the list is too long. */
  sourceManifest: '--source_manifest',
  /** JSON array of `{ "event_type", "dt" }` the run touches. */
  partitions: '--partitions',
  /** `s3://<lake>/curated/events/` */
  destination: '--destination',
  /** `s3://<lake>/_runs/` */
  runMarkerPrefix: '--run_marker_prefix',
} as const;

export interface RunMarkerPartition {
  event_type: string;
  dt: string;
  /** Rows this run added to the partition (after dedupe). */
  rows: number;
}

/** `_runs/<jobRunId>.json`: written only after every Parquet write succeeded. */
export interface RunMarker {
  job_run_id: string;
  job_name: string;
  finished_at: string;
  source_objects: number;
  rows_read: number;
  rows_written: number;
  /** Lines that could not be read, cast or derived: in the quarantine, not in the lake. */
  rows_quarantined?: number;
  /** rows_read − rows_quarantined − rows_written. */
  duplicates_removed: number;
  partitions: RunMarkerPartition[];
  /** Per failure type and raw partition date: `failed/type=<failure_type>/dt=<dt>/glue-<job_run_id>.gz`. */
  quarantined?: { failure_type: string; dt: string; rows: number }[];
  /**
   * Partitions this run rewrote into a new generation (docs/lake.md, "Compaction and generations").
   * A rewrite keeps the rows as they were, so start-reports needs nothing from it; absent or empty
   * when the run only appended.
   */
  compacted?: CompactedPartition[];
}
