// publish-report core: one Athena result CSV → the stable per-date CSV QuickSight reads, the
// report's manifest and reports/index.json.
import { updateObject } from '../aws/conditional-writes.js';
import { queryResultId, reportIndexKey, reportManifestKey, reportResult } from '../lake/keys.js';
import type { S3ObjectCreated } from '../lake/s3-notifications.js';
import type { CopyObject, GetObject, GetObjectWithETag, GetQueryExecution, PutObject } from '../ports.js';
import {
  emptyReportIndex,
  isOlderThanPublished,
  type Publication,
  parseReportIndex,
  withPublication,
} from './index-file.js';
import { parseReportQueryMarker } from './query-marker.js';
import { quickSightManifest } from './quicksight-manifest.js';
import { copyNewestToStableCsv, readReportIndex } from './stable-csv.js';

export interface PublishPorts {
  getObject: GetObject;
  getObjectWithETag: GetObjectWithETag;
  putObject: PutObject;
  copyObject: CopyObject;
  getQueryExecution: GetQueryExecution;
  reportingBucket: string;
  now: () => Date;
  /** Conditional index writes, and conditional copies of the CSV, tried before the message fails (default 8). */
  indexWriteAttempts?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** `ignored`: not a report's result CSV (metadata, an ad-hoc query); `stale`: older than the one published. */
export type PublishOutcome = 'published' | 'stale' | 'ignored';

const JSON_TYPE = 'application/json';

/**
 * The report, date and query of a result: `athena-results/<queryId>.csv` (the enforced workgroup
 * location) names only the query, so its marker line is read back with GetQueryExecution; results
 * still in the older per-report layout `athena-results/<report>/dt=<d>/<queryId>.csv` say it all.
 */
async function resultOf(
  key: string,
  ports: PublishPorts,
): Promise<{ report: string; dt: string; queryExecutionId: string } | undefined> {
  const legacy = reportResult(key);
  if (legacy) return legacy;
  const queryExecutionId = queryResultId(key);
  if (!queryExecutionId) return undefined;
  const marker = parseReportQueryMarker((await ports.getQueryExecution(queryExecutionId)).Query);
  return marker && { ...marker, queryExecutionId };
}

/**
 * Index first, then the CSV: the publication is recorded in reports/index.json with conditional
 * writes (If-None-Match first, then If-Match on the ETag read), so concurrent publishes each land
 * their entry and the older of two loses with 'stale'; then the stable CSV is made to hold whatever
 * the index names for the date (copyNewestToStableCsv), so an older copy landing after a newer one
 * is repaired by the publisher of the newer one. A failed step fails the message, whose retry redoes
 * every step (same keys, same content).
 */
export async function publishReportResult(result: S3ObjectCreated, ports: PublishPorts): Promise<PublishOutcome> {
  const parts = await resultOf(result.key, ports);
  if (!parts) return 'ignored';
  const publication: Publication = { ...parts, resultTime: result.eventTime, resultKey: result.key };
  if (isOlderThanPublished(await readReportIndex(ports), publication)) return 'stale';
  const bucket = ports.reportingBucket;
  const manifest = JSON.stringify(quickSightManifest(bucket, parts.report), null, 2);
  await ports.putObject({ bucket, key: reportManifestKey(parts.report) }, manifest, JSON_TYPE);
  const retry = {
    ...(ports.indexWriteAttempts === undefined ? {} : { attempts: ports.indexWriteAttempts }),
    ...(ports.random ? { random: ports.random } : {}),
    ...(ports.sleep ? { sleep: ports.sleep } : {}),
  };
  const { result: outcome } = await updateObject<PublishOutcome>(
    { bucket, key: reportIndexKey() },
    (current) => {
      const index = current ? parseReportIndex(current) : emptyReportIndex();
      // A newer result may have been indexed since the first read.
      if (isOlderThanPublished(index, publication)) return { result: 'stale' };
      const updated = withPublication(index, publication, ports.now().toISOString());
      return { body: JSON.stringify(updated, null, 2), result: 'published' };
    },
    ports,
    { contentType: JSON_TYPE, ...retry },
  );
  if (outcome !== 'published') return outcome;
  await copyNewestToStableCsv(publication, ports, retry);
  return outcome;
}
