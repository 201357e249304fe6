// Local S3 conditional writes, atomic on one machine across processes (docs/contracts.md §2a):
// If-None-Match is link(2) of a finished temp file, which fails when the key exists; If-Match holds
// a per-key lock file created with O_EXCL while it compares the current MD5 and renames the new
// content into place. A second conditional writer finding the lock gets 409, as S3 answers.
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConditionalRequestConflict, PreconditionFailed } from '#shared/aws/conditional-writes.js';
import type { ObjectRef } from '#shared/ports.js';
import { objectPath } from './buckets.js';

/** A lock older than this was left by a crashed writer: it is removed (the caller still gets 409 and retries). */
export const STALE_LOCK_MS = 30_000;

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
/** ETags compare without their quotes: S3 returns `"<md5>"`, its event notifications `<md5>`. */
const bareETag = (eTag: string): string => eTag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
const where = (ref: ObjectRef): string => `s3://${ref.bucket}/${ref.key}`;
const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

async function tempCopy(dataDir: string, bytes: Uint8Array): Promise<string> {
  // Temp files live outside every bucket folder (bucket names cannot start with '.').
  const tmpDir = path.join(dataDir, '.tmp');
  await mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, randomUUID());
  await writeFile(tmp, bytes);
  return tmp;
}

/** If-None-Match: '*' — the object appears whole or not at all, and never over an existing key. */
export async function createExclusive(dataDir: string, ref: ObjectRef, bytes: Uint8Array): Promise<void> {
  const file = objectPath(dataDir, ref);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = await tempCopy(dataDir, bytes);
  try {
    await link(tmp, file);
  } catch (error) {
    if (code(error) === 'EEXIST') throw new PreconditionFailed(`If-None-Match: the key exists: ${where(ref)}`);
    throw error;
  } finally {
    await rm(tmp, { force: true });
  }
}

const lockPath = (dataDir: string, ref: ObjectRef): string => `${objectPath(path.join(dataDir, '.locks'), ref)}.lock`;

async function acquire(lock: string, ref: ObjectRef): Promise<() => Promise<void>> {
  await mkdir(path.dirname(lock), { recursive: true });
  try {
    const handle = await open(lock, 'wx');
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return () => rm(lock, { force: true });
  } catch (error) {
    if (code(error) !== 'EEXIST') throw error;
    const age = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await rm(lock, { force: true });
    throw new ConditionalRequestConflict(`A conflicting conditional operation is in progress: ${where(ref)}`);
  }
}

/** If-Match: '<etag>' — replaces the object only while its content MD5 is still that ETag. */
export async function replaceIfMatch(
  dataDir: string,
  ref: ObjectRef,
  bytes: Uint8Array,
  eTag: string,
  missing: () => Error,
): Promise<void> {
  const file = objectPath(dataDir, ref);
  const release = await acquire(lockPath(dataDir, ref), ref);
  try {
    let current: Uint8Array;
    try {
      current = await readFile(file);
    } catch (error) {
      if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') throw missing();
      throw error;
    }
    if (md5(current) !== bareETag(eTag)) {
      throw new PreconditionFailed(`If-Match: the ETag is no longer ${eTag}: ${where(ref)}`);
    }
    const tmp = await tempCopy(dataDir, bytes);
    try {
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  } finally {
    await release();
  }
}
