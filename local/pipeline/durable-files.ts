// Writes that survive a power cut, not only a process crash: the data is fsync'd before the rename
// that publishes it, and the directory after, so the new name itself is on disk (issue 14). Used by
// the local Glue job (curated files, pointer, ledger, marker, bookmark) and the local EventBridge.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** fsync of a file's data (opened read-only: enough on Linux, and it never changes the file). */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync of a directory: makes the names created, renamed or removed in it durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems refuse fsync on a directory handle; the rename is still atomic there.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  } finally {
    await handle.close();
  }
}

/** Moves a finished file to its place: fsync the file, rename, fsync the target directory. */
export async function renameDurably(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  await fsyncFile(from);
  await rename(from, to);
  await fsyncDir(path.dirname(to));
}

/** Writes a temporary copy (in `tempDir`, same file system), fsyncs it, renames it over `file`, fsyncs the directory. */
export async function writeFileDurably(file: string, body: string, tempDir = path.dirname(file)): Promise<void> {
  await mkdir(tempDir, { recursive: true });
  const temp = temporaryName(tempDir, file);
  await writeFile(temp, body);
  await renameDurably(temp, file);
}

/** A temporary name beside `file` (same file system, so the rename is atomic; `.` keeps readers away). */
const temporaryName = (dir: string, file: string): string =>
  path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);

/**
 * writeFileDurably for callers that must not yield (a state saved on every change, in order). The
 * directory must exist: a save after the data directory was removed fails instead of recreating it.
 */
export function writeFileDurablySync(file: string, body: string): void {
  const dir = path.dirname(file);
  const temp = temporaryName(dir, file);
  writeFileSync(temp, body);
  syncSync(temp);
  renameSync(temp, file);
  try {
    syncSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  }
}

function syncSync(target: string): void {
  const fd = openSync(target, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
