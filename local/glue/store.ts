// Files of the local Parquet job: its bookmark and staging area (under <dataDir>/_glue/<job>/,
// outside every bucket folder), the source manifest, and moving staged files into the lake.
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectRef } from '#shared/ports.js';
import { renameDurably, writeFileDurably } from '../pipeline/durable-files.js';
import { objectPath } from '../s3/buckets.js';
import { JobRunFailed } from './errors.js';

export interface JobDirs {
  bookmark: string;
  /** Staging root; one sub-directory per run. Same file system as the buckets, so rename is atomic. */
  staging: string;
}

export const jobDirs = (dataDir: string, jobName: string): JobDirs => {
  const root = path.join(dataDir, '_glue', jobName);
  return { bookmark: path.join(root, 'bookmark.json'), staging: path.join(root, 'staging') };
};

const sourceId = (ref: ObjectRef): string => `s3://${ref.bucket}/${ref.key}`;

/** Source objects processed by successful runs. */
export async function loadBookmark(file: string): Promise<Set<string>> {
  try {
    const { processed } = JSON.parse(await readFile(file, 'utf8')) as { processed: string[] };
    return new Set(processed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw new JobRunFailed(`bookmark ${file} is unreadable: ${(error as Error).message}`);
  }
}

export const isProcessed = (bookmark: ReadonlySet<string>, ref: ObjectRef): boolean => bookmark.has(sourceId(ref));

export async function commitBookmark(file: string, bookmark: ReadonlySet<string>, refs: readonly ObjectRef[]) {
  const processed = new Set(bookmark);
  for (const ref of refs) processed.add(sourceId(ref));
  await writeFileDurably(file, JSON.stringify({ processed: [...processed].sort() }));
}

/** `{ "keys": [...] }` of a `--source_manifest` object. */
export async function readManifest(dataDir: string, ref: ObjectRef): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(objectPath(dataDir, ref), 'utf8');
  } catch (error) {
    throw new JobRunFailed(`source manifest ${sourceId(ref)} is unreadable: ${(error as Error).message}`);
  }
  try {
    return (JSON.parse(text) as { keys?: unknown }).keys;
  } catch {
    throw new JobRunFailed(`source manifest ${sourceId(ref)} is not JSON`);
  }
}

export async function assertObjectsExist(dataDir: string, refs: readonly ObjectRef[]): Promise<void> {
  for (const ref of refs) {
    const found = await stat(objectPath(dataDir, ref)).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!found) throw new JobRunFailed(`source object not found: ${sourceId(ref)}`);
  }
}

/** Moves a staged file to its object key: one rename (fsync'd), so the object appears whole or not at all. */
export async function publish(dataDir: string, stagedFile: string, ref: ObjectRef): Promise<number> {
  const target = objectPath(dataDir, ref);
  await renameDurably(stagedFile, target);
  return (await stat(target)).size;
}

export const removeDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });
