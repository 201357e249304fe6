// The stable per-date CSV ends holding the result reports/index.json names for its date, whatever
// order concurrent publishers copy in (docs/reports.md, "Publishing").
import { ConditionalUpdateExhausted, lostConditionalRace } from '../aws/conditional-writes.js';
import { publishedReportKey, reportIndexKey } from '../lake/keys.js';
import type { CopyObject, GetObject, GetObjectWithETag, PutCondition } from '../ports.js';
import { emptyReportIndex, type Publication, parseReportIndex, publishedDate } from './index-file.js';

export interface StableCsvPorts {
  getObject: GetObject;
  getObjectWithETag: GetObjectWithETag;
  copyObject: CopyObject;
  reportingBucket: string;
}

export interface StableCsvOptions {
  /** Conditional copies tried before giving up (default 8). */
  attempts?: number;
  /** Full-jitter backoff as updateObject's: [0, min(maxDelayMs, baseDelayMs · 2^attempt)) (defaults 20, 1000). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const errorName = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);
const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function orAbsent<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (errorName(error) === 'NoSuchKey') return undefined;
    throw error;
  }
}

export async function readReportIndex(ports: Pick<StableCsvPorts, 'getObject' | 'reportingBucket'>) {
  const body = await orAbsent(ports.getObject({ bucket: ports.reportingBucket, key: reportIndexKey() }));
  return body ? parseReportIndex(body) : emptyReportIndex();
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
export async function copyNewestToStableCsv(
  own: Publication,
  ports: StableCsvPorts,
  options: StableCsvOptions = {},
): Promise<void> {
  const attempts = options.attempts ?? 8;
  const base = options.baseDelayMs ?? 20;
  const max = options.maxDelayMs ?? 1000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const bucket = ports.reportingBucket;
  const stable = { bucket, key: publishedReportKey(own.report, own.dt) };
  let lost: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const csv = await orAbsent(ports.getObjectWithETag(stable));
    const entry = publishedDate(await readReportIndex(ports), own.report, own.dt);
    if (!entry?.resultKey) return;
    const theirs = entry.resultKey !== own.resultKey;
    const condition: PutCondition = csv ? { ifMatch: csv.eTag } : { ifNoneMatch: '*' };
    try {
      await ports.copyObject({ bucket, key: entry.resultKey }, stable, 'text/csv', condition);
      return;
    } catch (error) {
      // NoSuchKey is the source gone or, under If-Match, the CSV gone: ours is retried either way.
      if (theirs && errorName(error) === 'NoSuchKey') return;
      if (!lostConditionalRace(error)) throw error;
      lost = error;
    }
    if (attempt + 1 < attempts) await sleep(Math.floor(random() * Math.min(max, base * 2 ** attempt)));
  }
  throw new ConditionalUpdateExhausted(`s3://${bucket}/${stable.key}: ${attempts} conditional copies lost the race`, {
    cause: lost,
  });
}
