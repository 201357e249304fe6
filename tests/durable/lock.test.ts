// One owner per data directory: the lock names its process, a second pipeline (dev, demo, replay, a
// second replay) on the same directory refuses with that name, a lock left by a dead process is
// taken over, and a data directory that cannot be written fails the start with its name.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDataDir } from '../../local/cli/demo.js';
import { checkDataDir } from '../../local/pipeline/durability.js';
import { acquireDataDirLock, DataDirLocked, lockFile } from '../../local/pipeline/lock.js';
import { startLocalPipeline } from '../../local/pipeline/pipeline.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'eventlake-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (so no process has it, barring reuse within the test). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('data directory lock', () => {
  it('names the owner, refuses a second taker, and is released', () => {
    const lock = acquireDataDirLock(dir, 'dev --port 0');
    const owner = JSON.parse(readFileSync(lockFile(dir), 'utf8'));
    expect(owner).toEqual({
      pid: process.pid,
      host: hostname(),
      command: 'dev --port 0',
      startedAt: expect.any(String),
    });
    expect(() => acquireDataDirLock(dir, 'replay failed')).toThrow(DataDirLocked);
    expect(() => acquireDataDirLock(dir, 'replay failed')).toThrow(
      new RegExp(`in use by \`eventlake dev --port 0\` \\(pid ${process.pid}`),
    );
    lock.release();
    expect(existsSync(lockFile(dir))).toBe(false);
    acquireDataDirLock(dir, 'replay failed').release();
  });

  it('takes over a lock whose process is gone', () => {
    const stale = { pid: deadPid(), host: hostname(), command: 'dev', startedAt: '2026-01-01T00:00:00.000Z' };
    writeFileSync(lockFile(dir), JSON.stringify(stale));
    const lock = acquireDataDirLock(dir, 'dev');
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('a second pipeline on the directory refuses, and so does a demo that would empty it', async () => {
    const first = await startLocalPipeline({ dataDir: dir, command: 'dev' });
    try {
      await expect(startLocalPipeline({ dataDir: dir, command: 'replay failed' })).rejects.toThrow(
        /is in use by `eventlake dev`/,
      );
      expect(() => freshDataDir(dir)).toThrow(DataDirLocked);
      expect(existsSync(path.join(dir, '_firehose'))).toBe(true);
    } finally {
      await first.close();
    }
    const second = await startLocalPipeline({ dataDir: dir, command: 'replay failed' });
    await second.close();
  });

  it('a data directory that cannot be written fails the start, naming it', async () => {
    const file = path.join(dir, 'not-a-directory');
    writeFileSync(file, 'x');
    const dataDir = path.join(file, 'data');
    await expect(checkDataDir(dataDir)).rejects.toThrow(new RegExp(`data directory ${dataDir} is not usable: E`));
    await expect(startLocalPipeline({ dataDir })).rejects.toThrow(dataDir);
  });
});
