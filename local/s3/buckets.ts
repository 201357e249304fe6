// Local S3: one folder per bucket under the data directory, named like the cloud buckets.
import path from 'node:path';
import { config } from '#shared/config.js';
import type { ObjectRef } from '#shared/ports.js';

export type BucketRole = keyof typeof config.buckets;

export const localBucketNames: Record<BucketRole, string> = {
  ingest: `${config.service}-local-${config.buckets.ingest}`,
  lake: `${config.service}-local-${config.buckets.lake}`,
  reporting: `${config.service}-local-${config.buckets.reporting}`,
};

export const defaultDataDir = (): string => path.resolve(process.env.EVENTLAKE_DATA_DIR ?? config.local.dataDir);

/** The file that holds an object; keys never escape their bucket folder. */
export function objectPath(dataDir: string, ref: ObjectRef): string {
  const bucketDir = path.join(dataDir, ref.bucket);
  const file = path.join(bucketDir, ...ref.key.split('/'));
  if (!file.startsWith(bucketDir + path.sep)) throw new Error(`key escapes its bucket: ${ref.key}`);
  return file;
}
