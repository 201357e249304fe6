// publish-report core: one Athena result CSV → the stable per-date CSV QuickSight reads, the
// report's manifest and reports/index.json.
import { publishedReportKey, reportIndexKey, reportManifestKey, reportResult } from '../lake/keys.js';
import type { S3ObjectCreated } from '../lake/s3-notifications.js';
import type { CopyObject, GetObject, PutObject } from '../ports.js';
import {
  emptyReportIndex,
  isOlderThanPublished,
  type Publication,
  parseReportIndex,
  type ReportIndex,
  withPublication,
} from './index-file.js';
import { quickSightManifest } from './quicksight-manifest.js';

export interface PublishPorts {
  getObject: GetObject;
  putObject: PutObject;
  copyObject: CopyObject;
  reportingBucket: string;
  now: () => Date;
}

/** `ignored`: not a result CSV (e.g. .csv.metadata); `stale`: an older result than the one published. */
export type PublishOutcome = 'published' | 'stale' | 'ignored';

const JSON_TYPE = 'application/json';

async function readIndex(ports: PublishPorts): Promise<ReportIndex> {
  try {
    return parseReportIndex(await ports.getObject({ bucket: ports.reportingBucket, key: reportIndexKey() }));
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchKey') return emptyReportIndex();
    throw error;
  }
}

/**
 * Copy first, index last: if a later step fails the message is retried and every step is simply
 * redone (same keys, same content), so the index never points at a CSV that was not copied.
 */
export async function publishReportResult(result: S3ObjectCreated, ports: PublishPorts): Promise<PublishOutcome> {
  const parts = reportResult(result.key);
  if (!parts) return 'ignored';
  const publication: Publication = { ...parts, resultTime: result.eventTime };
  const index = await readIndex(ports);
  if (isOlderThanPublished(index, publication)) return 'stale';
  const bucket = ports.reportingBucket;
  await ports.copyObject(
    { bucket: result.bucket, key: result.key },
    { bucket, key: publishedReportKey(parts.report, parts.dt) },
    'text/csv',
  );
  const manifest = JSON.stringify(quickSightManifest(bucket, parts.report), null, 2);
  await ports.putObject({ bucket, key: reportManifestKey(parts.report) }, manifest, JSON_TYPE);
  const updated = withPublication(index, publication, ports.now().toISOString());
  await ports.putObject({ bucket, key: reportIndexKey() }, JSON.stringify(updated, null, 2), JSON_TYPE);
  return 'published';
}
