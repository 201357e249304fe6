// The key layout of the three buckets, in one place: every writer and reader builds and parses
// keys here, so the cloud stack, the handlers and the local runtime cannot drift apart.
import { createHash } from 'node:crypto';
import { config } from '../config.js';
import type { ObjectRef } from '../ports.js';

const { prefixes } = config;

export interface Partition {
  eventType: string;
  dt: string;
}

const RAW_EVENT_KEY = /^([^/]+)\/type=([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/[^/]+$/;

/** `events/type=<t>/dt=<d>/<object>` → its partition; undefined for any other key. */
export function rawEventPartition(key: string): Partition | undefined {
  const match = RAW_EVENT_KEY.exec(key);
  if (!match || `${match[1]}/` !== prefixes.events) return undefined;
  return { eventType: match[2] as string, dt: match[3] as string };
}

export const partitionId = (p: Partition): string => `event_type=${p.eventType}/dt=${p.dt}`;

/** `curated/events/event_type=<t>/dt=<d>/` */
export const curatedPartitionPrefix = (p: Partition): string => `${prefixes.curated}${partitionId(p)}/`;

/**
 * `failed/type=<failure>/dt=<d>/glue-<jobRunId>.gz` in the ingest bucket: raw lines a Parquet run
 * could not cast, as failed-event records beside the transform's (the `failed_events` table).
 */
export const quarantineKey = (failureType: string, dt: string, jobRunId: string): string =>
  `${prefixes.failed}type=${failureType}/dt=${dt}/glue-${jobRunId}.gz`;

/** `_runs/<jobRunId>.json` */
export const runMarkerKey = (jobRunId: string): string => `${prefixes.runMarkers}${jobRunId}.json`;

/**
 * `_runs/<jobRunId>.reports-started`: the report queries of a marker already started, written only
 * when start-reports ran short of time (not `.json`, so it triggers nothing).
 */
export const reportStartsKey = (jobRunId: string): string => `${prefixes.runMarkers}${jobRunId}.reports-started`;

/** `_manifests/<batchId>.json`: source keys of a Glue run too many for an argument. */
export const runManifestKey = (batchId: string): string => `${prefixes.runManifests}${batchId}.json`;

/** `_gate/state.json`: the cadence gate's pending objects and open claims (lake bucket). */
export const gateStateKey = (): string => `${prefixes.gate}state.json`;

/**
 * `_gate/claimed/<sha256 of bucket/key>`: created once, If-None-Match, by the one claim that converts
 * the raw object (a digest: a raw key may be 1,024 bytes long and hold any character).
 */
export const claimedObjectKey = (ref: ObjectRef): string =>
  `${prefixes.gate}claimed/${createHash('sha256').update(`${ref.bucket}/${ref.key}`).digest('hex')}`;

/** `athena-results/<report>/dt=<d>/` — the OutputLocation prefix of one report run. */
export const reportResultPrefix = (report: string, dt: string): string =>
  `${prefixes.reportResults}${report}/dt=${dt}/`;

const REPORT_RESULT_KEY = /^athena-results\/([a-z0-9_]+)\/dt=(\d{4}-\d{2}-\d{2})\/([^/]+)\.csv$/;

/** `athena-results/<report>/dt=<d>/<queryId>.csv` → its parts; undefined for metadata or other keys. */
export function reportResult(key: string): { report: string; dt: string; queryExecutionId: string } | undefined {
  const match = REPORT_RESULT_KEY.exec(key);
  if (!match || !key.startsWith(prefixes.reportResults)) return undefined;
  return { report: match[1] as string, dt: match[2] as string, queryExecutionId: match[3] as string };
}

const QUERY_RESULT_KEY = /^([^/]+)\.csv$/;

/**
 * `athena-results/<queryId>.csv` — a result in the workgroup's one (enforced) result location → the
 * query id; undefined for `.csv.metadata`, the older per-report layout and any other key.
 */
export function queryResultId(key: string): string | undefined {
  if (!key.startsWith(prefixes.reportResults)) return undefined;
  return QUERY_RESULT_KEY.exec(key.slice(prefixes.reportResults.length))?.[1];
}

/** `reports/<report>/dt=<d>/<report>.csv` — the stable key QuickSight reads. */
export const publishedReportKey = (report: string, dt: string): string =>
  `${prefixes.reports}${report}/dt=${dt}/${report}.csv`;

/** `reports/<report>/` — the prefix the report's QuickSight manifest points at. */
export const publishedReportPrefix = (report: string): string => `${prefixes.reports}${report}/`;

/** `reports/<report>/manifest.json` */
export const reportManifestKey = (report: string): string => `${prefixes.reports}${report}/manifest.json`;

/** `reports/index.json` */
export const reportIndexKey = (): string => `${prefixes.reports}index.json`;

/** `s3://bucket/key` → its parts. */
export function parseS3Uri(uri: string): ObjectRef {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket: match[1] as string, key: match[2] as string };
}

export const s3Uri = (ref: ObjectRef): string => `s3://${ref.bucket}/${ref.key}`;

/** `reports/<report>/dt=` — covers the report's dated CSVs but not its manifest.json (QuickSight URIPrefix). */
export const publishedReportDatesPrefix = (report: string): string => `${prefixes.reports}${report}/dt=`;
