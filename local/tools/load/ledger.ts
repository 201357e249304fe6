// The closing account of `eventlake load`: after settling, every event the API acknowledged must be
// in curated, a failed-event record, late, a removed duplicate or processing-failed. Events of
// requests whose answer never arrived may or may not have landed: they widen the allowed range.
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseS3Notification } from '#shared/lake/s3-notifications.js';
import { readLakeCounts } from '../../dashboard/data.js';
import type { LocalPipeline } from '../../pipeline/pipeline.js';
import { settle } from '../../pipeline/settle.js';
import { localBucketNames } from '../../s3/buckets.js';

export interface LoadLedger {
  acknowledged: number;
  unknownOutcome: number;
  curated: number;
  failed: number;
  late: number;
  duplicatesRemoved: number;
  processingFailed: number;
  /** Valid events in raw objects whose notification ended in the raw-objects DLQ: durable, replayable, not curated. */
  strandedInDlq: number;
  landed: number;
  /** Messages in any DLQ. */
  inDlq: number;
  /** acknowledged ≤ landed ≤ acknowledged + unknownOutcome. */
  balanced: boolean;
}

/** Settles the pipeline, giving up after `seconds`; resolves whether it settled. */
export async function settleWithin(p: LocalPipeline, seconds: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), seconds * 1000);
  });
  try {
    return await Promise.race([settle(p).then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function readLoadLedger(
  p: LocalPipeline,
  client: { acknowledged: number; unknownOutcome: number },
): Promise<LoadLedger> {
  const connection = await p.instance.connect();
  const counts = await readLakeCounts(connection, {
    ingest: path.join(p.dataDir, localBucketNames.ingest),
    lake: path.join(p.dataDir, localBucketNames.lake),
  });
  connection.closeSync();
  const duplicatesRemoved = p.glue.runs().reduce((sum, r) => sum + (r.marker?.duplicates_removed ?? 0), 0);
  const processingFailed = p.direct.stats().processingFailed;
  const failed = Object.values(counts.failedByType).reduce((a, b) => a + b, 0);
  const strandedInDlq = await eventsInDeadLetters(p);
  const landed = counts.valid + failed + counts.late + duplicatesRemoved + processingFailed + strandedInDlq;
  const inDlq = Object.values(p.queues).reduce((sum, { dlq }) => sum + dlq.stats().visible, 0);
  const { acknowledged, unknownOutcome } = client;
  return {
    acknowledged,
    unknownOutcome,
    curated: counts.valid,
    failed,
    late: counts.late,
    duplicatesRemoved,
    processingFailed,
    strandedInDlq,
    landed,
    inDlq,
    balanced: landed >= acknowledged && landed <= acknowledged + unknownOutcome,
  };
}

async function eventsInDeadLetters(p: LocalPipeline): Promise<number> {
  let events = 0;
  for (const message of p.queues.rawObjects.dlq.peekMessages()) {
    for (const { bucket, key } of parseS3Notification(message.body)) {
      const text = gunzipSync(await p.s3.getObject({ bucket, key })).toString('utf8');
      events += text.split('\n').filter((line) => line.trim() !== '').length;
    }
  }
  return events;
}
