// One local Parquet run, in the order that makes a crash harmless: delete superseded generations
// whose retention passed, stage every file, append or rewrite each partition (compact.ts: new
// generations switched in one step), write the run marker, announce the objects, and only then move
// the bookmark. Everything a run publishes is fsync'd before the run counts as done.
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { CompactionSettings } from '#shared/lake/compaction.js';
import type { CompactedPartition, RunMarker } from '#shared/lake/glue-run.js';
import { type Partition, quarantineKey, rawEventPartition } from '#shared/lake/keys.js';
import type { ObjectRef } from '#shared/ports.js';
import { writeFileDurably } from '../pipeline/durable-files.js';
import { objectPath } from '../s3/buckets.js';
import { checkKeysCovered, parseSourceKeys, type RunSpec } from './args.js';
import { type CompactionFaults, placePartitions } from './compact.js';
import { type ConvertResult, convertToParquet, touchedPartitions } from './convert.js';
import { JobRunFailed } from './errors.js';
import { currentPartition, type GenerationPointer, readPointer } from './generations.js';
import type { SourceFile } from './sql.js';
import {
  assertObjectsExist,
  commitBookmark,
  isProcessed,
  type JobDirs,
  loadBookmark,
  publish,
  readManifest,
  removeDir,
} from './store.js';
import { supersededKeyPrefix, sweepSuperseded } from './superseded.js';

export interface LocalGlueFaults extends CompactionFaults {
  /** Before a partition's Parquet file is written; throw to simulate a run dying mid-write. */
  beforePartitionWrite?: (partition: Partition, index: number) => void | Promise<void>;
  /** After the Parquet files are in place, before the run marker; throw to die there. */
  beforeRunMarker?: () => void | Promise<void>;
}

export interface RunContext {
  dataDir: string;
  instance: DuckDBInstance;
  jobName: string;
  dirs: JobDirs;
  onObjectCreated: (ref: ObjectRef, size: number) => void | Promise<void>;
  faults?: LocalGlueFaults;
  /** The compaction rules' settings (thresholds, closing, retention) on the local clock. */
  compaction: CompactionSettings;
  /** Epoch ms: decides which days are closed and which superseded generations are due. */
  now: () => number;
}

interface Lake {
  /** The destination on disk (`…/curated/events/`). */
  curatedRoot: string;
  ledgerRoot: string;
}

export async function executeRun(context: RunContext, runId: string, spec: RunSpec): Promise<RunMarker> {
  const { dataDir, dirs } = context;
  // Only one run is ever in flight, so whatever is staged belongs to a dead run.
  await removeDir(dirs.staging);
  const stagingDir = path.join(dirs.staging, runId);
  try {
    const nowMs = context.now();
    const lake: Lake = {
      curatedRoot: objectPath(dataDir, spec.destination),
      ledgerRoot: objectPath(dataDir, { bucket: spec.destination.bucket, key: supersededKeyPrefix }),
    };
    await sweepSuperseded({ dataDir, ...lake, nowMs, retainMs: context.compaction.retainSupersededMs });
    const refs = (await sourceKeys(dataDir, spec)).map((key) => ({ bucket: spec.sourceBucket, key }));
    const bookmark = await loadBookmark(dirs.bookmark);
    const pending = refs.filter((ref) => !isProcessed(bookmark, ref));
    await assertObjectsExist(dataDir, pending);
    const sources = pending.map((ref) => sourceFile(dataDir, ref));
    const pointer = readPointer(dataDir);
    const result = await convert(context, runId, spec, sources, stagingDir, existingFiles(lake, pointer, sources));
    const placed = await placePartitions({
      instance: context.instance,
      dataDir,
      runId,
      columns: spec.columns,
      destination: spec.destination,
      ...lake,
      pointer,
      stagingDir,
      staged: result.partitions,
      settings: context.compaction,
      nowMs,
      now: context.now,
      ...(context.faults ? { faults: context.faults } : {}),
    });
    const created = [...placed.created];
    for (const q of result.quarantine) {
      const ref = { bucket: spec.sourceBucket, key: quarantineKey(q.failureType, q.dt, runId) };
      created.push({ ref, size: await publish(dataDir, path.join(stagingDir, q.file), ref) });
    }
    await context.faults?.beforeRunMarker?.();
    const marker = runMarker(context.jobName, runId, pending.length, result, placed.compacted);
    const markerRef = { bucket: spec.runMarkerPrefix.bucket, key: `${spec.runMarkerPrefix.key}${runId}.json` };
    const markerBody = `${JSON.stringify(marker, null, 2)}\n`;
    await writeFileDurably(objectPath(dataDir, markerRef), markerBody, stagingDir);
    created.push({ ref: markerRef, size: Buffer.byteLength(markerBody) });
    for (const { ref, size } of created) await context.onObjectCreated(ref, size);
    await commitBookmark(dirs.bookmark, bookmark, pending);
    return marker;
  } finally {
    await removeDir(stagingDir);
  }
}

async function sourceKeys(dataDir: string, spec: RunSpec): Promise<string[]> {
  if (spec.sourceKeys) return spec.sourceKeys;
  if (!spec.sourceManifest) throw new JobRunFailed('no source keys');
  try {
    const keys = parseSourceKeys(await readManifest(dataDir, spec.sourceManifest), 'source manifest keys');
    checkKeysCovered(keys, spec.partitions);
    return keys;
  } catch (error) {
    throw new JobRunFailed((error as Error).message);
  }
}

function sourceFile(dataDir: string, ref: ObjectRef): SourceFile {
  const partition = rawEventPartition(ref.key);
  if (!partition) throw new JobRunFailed(`not a raw event key: ${ref.key}`);
  return { path: objectPath(dataDir, ref), key: ref.key, ...partition };
}

async function convert(
  context: RunContext,
  runId: string,
  spec: RunSpec,
  sources: readonly SourceFile[],
  stagingDir: string,
  existingFiles: string[],
): Promise<ConvertResult> {
  if (sources.length === 0) return { rowsRead: 0, rowsQuarantined: 0, quarantine: [], rowsWritten: 0, partitions: [] };
  return convertToParquet(context.instance, {
    runId,
    columns: spec.columns,
    sources,
    existingFiles,
    stagingDir,
    beforePartitionWrite: context.faults?.beforePartitionWrite,
  });
}

/**
 * The anti-join side: the files of the current generation of each partition the run touches, and
 * nothing else — superseded generations hold the same rows again. At most openMaxFiles + 1 files per
 * open partition, however many runs that day had.
 */
function existingFiles(lake: Lake, pointer: GenerationPointer, sources: readonly SourceFile[]): string[] {
  return touchedPartitions(sources)
    .flatMap((p) => currentPartition(lake.curatedRoot, pointer, p).files.map((f) => f.path))
    .sort();
}

/**
 * Every partition the run read lists itself, even with 0 new rows: a crashed predecessor may have
 * put that partition's rows in place without ever writing a marker, so reports must still refresh.
 */
function runMarker(
  jobName: string,
  runId: string,
  sourceObjects: number,
  result: ConvertResult,
  compacted: CompactedPartition[],
): RunMarker {
  return {
    job_run_id: runId,
    job_name: jobName,
    finished_at: new Date().toISOString(),
    source_objects: sourceObjects,
    rows_read: result.rowsRead,
    rows_written: result.rowsWritten,
    rows_quarantined: result.rowsQuarantined,
    duplicates_removed: result.rowsRead - result.rowsQuarantined - result.rowsWritten,
    partitions: result.partitions.map(({ partition, rows }) => ({
      event_type: partition.eventType,
      dt: partition.dt,
      rows,
    })),
    quarantined: result.quarantine.map((q) => ({ failure_type: q.failureType, dt: q.dt, rows: q.rows })),
    ...(compacted.length > 0 ? { compacted } : {}),
  };
}
