// One local Parquet run, in the order that makes a crash harmless: stage every file, move them
// into the lake, write the run marker, announce the objects, and only then move the bookmark.
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { RunMarker } from '#shared/lake/glue-run.js';
import { type Partition, quarantineKey, rawEventPartition } from '#shared/lake/keys.js';
import type { ObjectRef } from '#shared/ports.js';
import { objectPath } from '../s3/buckets.js';
import { checkKeysCovered, parseSourceKeys, type RunSpec } from './args.js';
import { type ConvertResult, convertToParquet, touchedPartitions } from './convert.js';
import { JobRunFailed } from './errors.js';
import type { SourceFile } from './sql.js';
import {
  assertObjectsExist,
  commitBookmark,
  isProcessed,
  type JobDirs,
  loadBookmark,
  partitionRef,
  publish,
  readManifest,
  removeDir,
  visibleParquetFiles,
  writeAtomically,
} from './store.js';

export interface LocalGlueFaults {
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
}

export async function executeRun(context: RunContext, runId: string, spec: RunSpec): Promise<RunMarker> {
  const { dataDir, dirs } = context;
  // Only one run is ever in flight, so whatever is staged belongs to a dead run.
  await removeDir(dirs.staging);
  const stagingDir = path.join(dirs.staging, runId);
  try {
    const refs = (await sourceKeys(dataDir, spec)).map((key) => ({ bucket: spec.sourceBucket, key }));
    const bookmark = await loadBookmark(dirs.bookmark);
    const pending = refs.filter((ref) => !isProcessed(bookmark, ref));
    await assertObjectsExist(dataDir, pending);
    const sources = pending.map((ref) => sourceFile(dataDir, ref));
    const result = await convert(context, runId, spec, sources, stagingDir);
    const created: { ref: ObjectRef; size: number }[] = [];
    for (const staged of result.partitions) {
      if (staged.file === undefined) continue;
      const ref = partitionRef(spec.destination, staged.partition);
      ref.key += path.basename(staged.file);
      created.push({ ref, size: await publish(dataDir, path.join(stagingDir, staged.file), ref) });
    }
    for (const q of result.quarantine) {
      const ref = { bucket: spec.sourceBucket, key: quarantineKey(q.failureType, q.dt, runId) };
      created.push({ ref, size: await publish(dataDir, path.join(stagingDir, q.file), ref) });
    }
    await context.faults?.beforeRunMarker?.();
    const marker = runMarker(context.jobName, runId, pending.length, result);
    const markerRef = { bucket: spec.runMarkerPrefix.bucket, key: `${spec.runMarkerPrefix.key}${runId}.json` };
    const markerBody = `${JSON.stringify(marker, null, 2)}\n`;
    await writeAtomically(objectPath(dataDir, markerRef), markerBody, stagingDir);
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
): Promise<ConvertResult> {
  if (sources.length === 0) return { rowsRead: 0, rowsQuarantined: 0, quarantine: [], rowsWritten: 0, partitions: [] };
  const existingFiles = await visibleParquetFiles(context.dataDir, spec.destination, touchedPartitions(sources));
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
 * Every partition the run read lists itself, even with 0 new rows: a crashed predecessor may have
 * put that partition's rows in place without ever writing a marker, so reports must still refresh.
 */
function runMarker(jobName: string, runId: string, sourceObjects: number, result: ConvertResult): RunMarker {
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
  };
}
