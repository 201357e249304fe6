// `eventlake status`: what runs on a data directory and how far the pipeline got, from files only
// (works whether or not a dev process runs): the dev state file and whether its pid lives, queue
// depths (the live process's last snapshot, and DLQ messages stored on disk), raw objects no Glue
// run has converted yet (the local job bookmarks), the last run marker, and report freshness.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { config } from '#shared/config.js';
import type { RunMarker } from '#shared/lake/glue-run.js';
import { reportIndexKey } from '#shared/lake/keys.js';
import type { ReportIndex } from '#shared/reports/index-file.js';
import { localBucketNames, objectPath } from '../s3/buckets.js';
import { type DevState, isRunning, readDevState } from './dev-state.js';

export interface Status {
  dataDir: string;
  exists: boolean;
  dev: { state: 'running' | 'stale' | 'none'; pid?: number; url?: string; startedAt?: string };
  /** The running process's last snapshot of its queues (absent without a live dev). */
  queues?: { at: string; depths: QueueDepths };
  /** Dead-letter messages stored on disk (<dataDir>/_dlq/), by queue. */
  storedDlq: Record<string, number>;
  raw: { objects: number; pending: number; oldestPending?: string };
  lastRun?: { id: string; finishedAt: string; rowsWritten: number; partitions: number };
  reports: { published: number; updatedAt: string | null; ageSeconds?: number };
}

export type QueueDepths = Record<string, { visible: number; inFlight: number; dlq: number }>;

export function readStatus(dataDir: string, now = new Date()): Status {
  const exists = statSync(dataDir, { throwIfNoEntry: false })?.isDirectory() === true;
  const state = exists ? readDevState(dataDir) : undefined;
  const live = state !== undefined && isRunning(state.pid);
  return {
    dataDir,
    exists,
    dev: devSummary(state, live),
    ...(live && state.queues !== undefined ? { queues: state.queues } : {}),
    storedDlq: storedDlq(dataDir),
    raw: rawObjects(dataDir),
    ...lastRun(dataDir),
    reports: reportFreshness(dataDir, now),
  };
}

function devSummary(state: DevState | undefined, live: boolean): Status['dev'] {
  if (state === undefined) return { state: 'none' };
  return { state: live ? 'running' : 'stale', pid: state.pid, url: state.url, startedAt: state.startedAt };
}

/** Every file under `dir`, as paths relative to `root` with `/` separators. */
function walk(root: string, dir = root): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return walk(root, full);
    return entry.isFile() && !entry.name.startsWith('.') ? [path.relative(root, full).split(path.sep).join('/')] : [];
  });
}

const readJson = <T>(file: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
};

function rawObjects(dataDir: string): Status['raw'] {
  const bucket = localBucketNames.ingest;
  const bucketDir = path.join(dataDir, bucket);
  const keys = walk(bucketDir, path.join(bucketDir, config.prefixes.events));
  const processed = new Set<string>();
  for (const job of readdirSafe(path.join(dataDir, '_glue'))) {
    const bookmark = readJson<{ processed?: string[] }>(path.join(dataDir, '_glue', job, 'bookmark.json'));
    for (const id of bookmark?.processed ?? []) processed.add(id);
  }
  const pending = keys.filter((key) => !processed.has(`s3://${bucket}/${key}`));
  const oldest = pending
    .map((key) => statSync(path.join(bucketDir, key), { throwIfNoEntry: false })?.mtime)
    .filter((time): time is Date => time !== undefined)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  return { objects: keys.length, pending: pending.length, ...(oldest ? { oldestPending: oldest.toISOString() } : {}) };
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function lastRun(dataDir: string): Pick<Status, 'lastRun'> {
  const dir = path.join(dataDir, localBucketNames.lake, config.prefixes.runMarkers);
  const markers = readdirSafe(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => readJson<RunMarker>(path.join(dir, name)))
    .filter((marker): marker is RunMarker => typeof marker?.finished_at === 'string')
    .sort((a, b) => a.finished_at.localeCompare(b.finished_at));
  const last = markers.at(-1);
  if (last === undefined) return {};
  const run = {
    id: last.job_run_id,
    finishedAt: last.finished_at,
    rowsWritten: last.rows_written,
    partitions: last.partitions.length,
  };
  return { lastRun: run };
}

function storedDlq(dataDir: string): Record<string, number> {
  const dir = path.join(dataDir, '_dlq');
  const counts: Record<string, number> = {};
  for (const name of readdirSafe(dir).filter((n) => n.endsWith('.jsonl'))) {
    const text = readFileSync(path.join(dir, name), 'utf8');
    counts[name.replace(/\.jsonl$/, '')] = text.split('\n').filter((line) => line.trim() !== '').length;
  }
  return counts;
}

function reportFreshness(dataDir: string, now: Date): Status['reports'] {
  const file = objectPath(dataDir, { bucket: localBucketNames.reporting, key: reportIndexKey() });
  const index = readJson<ReportIndex>(file);
  if (index === undefined || index.updatedAt === null) return { published: 0, updatedAt: null };
  const age = Math.max(0, Math.round((now.getTime() - Date.parse(index.updatedAt)) / 1000));
  return { published: index.reports.length, updatedAt: index.updatedAt, ageSeconds: age };
}
