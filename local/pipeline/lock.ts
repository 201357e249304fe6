// One owner per data directory: <dataDir>/.lock, created with O_EXCL, names the owning process (pid,
// host, command, start time). A second process refuses with a message naming the owner; a lock left by
// a process that is gone (a crash, a SIGKILL) is detected and taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export class DataDirLocked extends Error {
  override name = 'DataDirLocked';
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `${dataDir} is in use by \`eventlake ${owner.command}\` (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}); ` +
        'stop it first, or use another --data-dir',
    );
  }
}

export interface DataDirLock {
  file: string;
  owner: LockOwner;
  /** Removes the lock file if this process still owns it. */
  release(): void;
}

export const lockFile = (dataDir: string): string => path.join(dataDir, '.lock');

/** Whether a process with this pid is alive on this host (EPERM: alive, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's owner, or undefined when there is no lock or it is stale (its process is gone). */
export function liveOwner(dataDir: string): LockOwner | undefined {
  let owner: LockOwner;
  try {
    owner = JSON.parse(readFileSync(lockFile(dataDir), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
  if (owner.host !== hostname()) return owner;
  return alive(owner.pid) ? owner : undefined;
}

/** Takes the data directory for this process, or throws DataDirLocked naming its live owner. */
export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  const file = lockFile(dataDir);
  const owner: LockOwner = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const seen = readOwner(file);
      const current = liveOwner(dataDir);
      if (current) throw new DataDirLocked(dataDir, current);
      // Stale (or half-written) lock: remove it, unless another process took it over meanwhile.
      const now = readOwner(file);
      if (now?.pid === seen?.pid && now?.startedAt === seen?.startedAt) rmSync(file, { force: true });
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(owner)}\n`);
    } finally {
      closeSync(fd);
    }
    return {
      file,
      owner,
      release() {
        const current = readOwner(file);
        if (current?.pid === owner.pid && current.startedAt === owner.startedAt) rmSync(file, { force: true });
      },
    };
  }
  throw new Error(`${file}: could not take the lock (another process keeps replacing it)`);
}

function readOwner(file: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/** Throws DataDirLocked when a live process owns the directory (before a command touches anything in it). */
export function refuseIfOwned(dataDir: string): void {
  const owner = liveOwner(dataDir);
  if (owner) throw new DataDirLocked(dataDir, owner);
}
