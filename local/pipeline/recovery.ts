// What a start does about work a crash interrupted, with nothing for a human to do: every raw object
// the Glue bookmark does not list as processed is announced again (the S3 event into raw-objects),
// and every run marker with a report not published since the marker was written is announced again
// (into curated-runs). Both are safe to repeat: the Glue job skips bookmarked objects and drops
// event_ids already in the partitions it touches; report queries recompute a whole date.
import { rm, stat } from 'node:fs/promises';
import { config } from '#shared/config.js';
import { claimedObjectKey, publishedReportKey } from '#shared/lake/keys.js';
import { objectsCreated } from '#shared/lake/s3-notifications.js';
import type { ObjectRef } from '#shared/ports.js';
import type { ReportDefinition } from '#shared/reports/catalogue.js';
import { parseRunMarker } from '#shared/reports/planning.js';
import { isProcessed, jobDirs, loadBookmark } from '../glue/store.js';
import { localBucketNames, objectPath } from '../s3/buckets.js';
import type { LocalS3 } from '../s3/s3.js';

export interface RecoveryParts {
  s3: LocalS3;
  jobName: string;
  catalogue: readonly ReportDefinition[];
  /** Bodies of the messages the queues restored from their logs: what they announce is queued already. */
  queuedBodies?: readonly string[];
  /** Raw objects (`bucket/key`) a pending retry of a failed run will convert: left to it, claims kept. */
  held?: readonly string[];
}

export interface Reannounced {
  rawObjects: number;
  runMarkers: number;
}

const isDataFile = (key: string): boolean => !/^[_.]/.test(key.slice(key.lastIndexOf('/') + 1));

async function sizeAndTime(dataDir: string, ref: ObjectRef): Promise<{ size: number; mtimeMs: number } | undefined> {
  return stat(objectPath(dataDir, ref)).then(
    (s) => ({ size: s.size, mtimeMs: s.mtimeMs }),
    () => undefined,
  );
}

/** Raw objects no successful Glue run has converted yet. */
export async function unconvertedRawObjects(s3: LocalS3, jobName: string): Promise<ObjectRef[]> {
  const bookmark = await loadBookmark(jobDirs(s3.dataDir, jobName).bookmark);
  const keys = await s3.listKeys(localBucketNames.ingest, config.prefixes.events);
  return keys
    .filter(isDataFile)
    .map((key) => ({ bucket: localBucketNames.ingest, key }))
    .filter((ref) => !isProcessed(bookmark, ref));
}

/** Run markers one of whose (report, date) has no published report written after the marker. */
export async function markersWithUnpublishedReports(
  s3: LocalS3,
  catalogue: readonly ReportDefinition[],
): Promise<ObjectRef[]> {
  const keys = await s3.listKeys(localBucketNames.lake, config.prefixes.runMarkers);
  const out: ObjectRef[] = [];
  for (const key of keys.filter((k) => k.endsWith('.json'))) {
    const ref = { bucket: localBucketNames.lake, key };
    const marker = await sizeAndTime(s3.dataDir, ref);
    if (!marker) continue;
    let dates: string[];
    try {
      dates = [...new Set(parseRunMarker(await s3.getObject(ref)).partitions.map((p) => p.dt))];
    } catch {
      continue; // start-reports would refuse it too; it is not work a restart can finish.
    }
    const published = async (report: string, dt: string) => {
      const file = await sizeAndTime(s3.dataDir, {
        bucket: localBucketNames.reporting,
        key: publishedReportKey(report, dt),
      });
      return file !== undefined && file.mtimeMs >= marker.mtimeMs;
    };
    const checks = dates.flatMap((dt) => catalogue.map((r) => published(r.name, dt)));
    if ((await Promise.all(checks)).some((ok) => !ok)) out.push(ref);
  }
  return out;
}

/** Announces both kinds of unfinished work again (S3 ObjectCreated events into their queues). */
export async function reannounce(parts: RecoveryParts): Promise<Reannounced> {
  const { s3 } = parts;
  const queued = new Set(
    (parts.queuedBodies ?? []).flatMap((body) => {
      try {
        return objectsCreated(body, { prefix: '' }).map((o) => `${o.bucket}/${o.key}`);
      } catch {
        return [];
      }
    }),
  );
  for (const id of parts.held ?? []) queued.add(id);
  const notQueued = (ref: ObjectRef) => !queued.has(`${ref.bucket}/${ref.key}`);
  const raw = (await unconvertedRawObjects(s3, parts.jobName)).filter(notQueued);
  for (const ref of raw) {
    const found = await sizeAndTime(s3.dataDir, ref);
    if (!found) continue;
    // A local Glue run dies with the process that ran it (a cloud run would go on): an object the
    // bookmark does not list was never converted, so the cadence gate's claim on it is released, or
    // the gate would drop the announcement as already claimed and strand the object.
    const claim = { bucket: localBucketNames.lake, key: claimedObjectKey(ref) };
    await rm(objectPath(s3.dataDir, claim), { force: true });
    await s3.notifyCreated(ref, found.size);
  }
  const markers = (await markersWithUnpublishedReports(s3, parts.catalogue)).filter(notQueued);
  for (const ref of markers) {
    const found = await sizeAndTime(s3.dataDir, ref);
    if (found) await s3.notifyCreated(ref, found.size);
  }
  return { rawObjects: raw.length, runMarkers: markers.length };
}
