// The file-writing port of the Firehose journal: the few operations it needs, as small functions,
// so a test can make any of them fail the way a full (ENOSPC), read-only (EROFS), forbidden
// (EACCES) or broken (EIO) disk does. The default adapter is node:fs with real fsync.
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export interface AppendFile {
  /** Appends bytes at the end of the file. */
  write(bytes: Buffer): Promise<void>;
  /** fdatasync: resolves once the written bytes are on stable storage. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface JournalFiles {
  mkdir(dir: string): Promise<void>;
  /** Opens (creating) a file for appending. */
  openAppend(file: string): Promise<AppendFile>;
  /** File names in a folder ([] when it does not exist). */
  list(dir: string): Promise<string[]>;
  read(file: string): Promise<Buffer>;
  remove(file: string): Promise<void>;
  /** Replaces a small file atomically and durably (temp file, fsync, rename). */
  replace(file: string, bytes: Buffer): Promise<void>;
}

export const nodeJournalFiles: JournalFiles = {
  mkdir: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  openAppend: async (file) => {
    const handle = await open(file, 'a');
    return {
      write: async (bytes) => {
        let offset = 0;
        while (offset < bytes.length) offset += (await handle.write(bytes, offset)).bytesWritten;
      },
      sync: () => handle.datasync(),
      close: () => handle.close(),
    };
  },
  list: async (dir) => {
    try {
      return await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  },
  read: (file) => readFile(file),
  remove: (file) => rm(file, { force: true }),
  replace: async (file, bytes) => {
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  },
};

/** The errno codes that mean "the disk cannot take this write" (as opposed to a bug). */
export const DISK_FAULT_CODES = new Set(['ENOSPC', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EDQUOT']);

export function describeFault(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code ? `${code}: ${message}` : String((error as Error)?.message ?? error);
}
