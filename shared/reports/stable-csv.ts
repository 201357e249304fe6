// The stable per-date CSV ends holding the result reports/index.json names for its date, whatever
// order concurrent publishers copy in (docs/reports.md, "Publishing").
import { type RaceRetryOptions, readWithETag, retryLostRaces } from '../aws/conditional-writes.js';
import { publishedReportKey, reportIndexKey } from '../lake/keys.js';
import type { CopyObject, GetObject, GetObjectWithETag, PutCondition } from '../ports.js';
import { emptyReportIndex, type Publication, parseReportIndex, publishedDate } from './index-file.js';

export interface StableCsvPorts {
  getObject: GetObject;
  getObjectWithETag: GetObjectWithETag;
  copyObject: CopyObject;
  reportingBucket: string;
}

const errorName = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);

/** reports/index.json, or an empty index before the first publication. */
export async function readReportIndex(ports: Pick<StableCsvPorts, 'getObject' | 'reportingBucket'>) {
  try {
    return parseReportIndex(await ports.getObject({ bucket: ports.reportingBucket, key: reportIndexKey() }));
  } catch (error) {
    if (errorName(error) === 'NoSuchKey') return emptyReportIndex();
    throw error;
  }
}

/**
 * After `own` is recorded in the index: copy the index's newest result for (report, dt) onto the
 * stable CSV. Each attempt reads the CSV's ETag first, then the index, then copies under If-Match
 * on that ETag (If-None-Match: '*' when absent): a copy that lands was chosen from an index read
 * after the CSV's last change, so the last copy to land is of the last entry indexed. A lost race
 * (412, 409, the CSV vanished) starts over after a jittered wait. Stops without copying when the
 * entry is another publisher's whose result object is gone (expired: it was copied long ago) or
 * predates recorded result keys.
 */
export function copyNewestToStableCsv(
  own: Publication,
  ports: StableCsvPorts,
  options: RaceRetryOptions = {},
): Promise<void> {
  const bucket = ports.reportingBucket;
  const stable = { bucket, key: publishedReportKey(own.report, own.dt) };
  return retryLostRaces(
    async () => {
      const csv = await readWithETag(stable, ports);
      const entry = publishedDate(await readReportIndex(ports), own.report, own.dt);
      if (!entry?.resultKey) return;
      const condition: PutCondition = csv ? { ifMatch: csv.eTag } : { ifNoneMatch: '*' };
      try {
        await ports.copyObject({ bucket, key: entry.resultKey }, stable, 'text/csv', condition);
      } catch (error) {
        // NoSuchKey is the source gone or, under If-Match, the CSV gone: another publisher's result
        // that expired was copied long ago; ours is retried like any lost race.
        if (entry.resultKey !== own.resultKey && errorName(error) === 'NoSuchKey') return;
        throw error;
      }
    },
    (attempts) => `s3://${bucket}/${stable.key}: ${attempts} conditional copies lost the race`,
    options,
  );
}
