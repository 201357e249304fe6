// Helpers of the compaction end-to-end tests: raw objects of chosen partitions written into the
// ingest bucket, runs of the pipeline's own Glue job on them, and the curated table read through the
// pipeline's own local Athena (what a report sees) and, for comparison, straight from the files.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CompactionSettings } from '#shared/lake/compaction.js';
import type { RunMarker } from '#shared/lake/glue-run.js';
import { curatedRoot, currentPartition, readPointer } from '../../local/glue/generations.js';
import type { RunRecord } from '../../local/glue/job.js';
import { type LocalPipeline, type PipelineFaults, startLocalPipeline } from '../../local/pipeline/pipeline.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { lake, rawEvent, runArguments, writeRawObject } from '../glue/glue-fixtures.js';
import { E2E_TIME_SCALE } from './harness.js';

export const TYPE = 'page_view';
/** A closed day (long past). */
export const CLOSED_DT = '2025-11-22';
/** Today (UTC): open under any closeAfter. */
export const OPEN_DT = new Date().toISOString().slice(0, 10);

export const startPipeline = (
  dataDir: string,
  compaction: Partial<CompactionSettings>,
  faults?: PipelineFaults,
): Promise<LocalPipeline> =>
  startLocalPipeline({ dataDir, timeScale: E2E_TIME_SCALE, compaction, ...(faults ? { faults } : {}) });

export async function stopPipeline(p: LocalPipeline | undefined): Promise<void> {
  if (!p) return;
  await p.gate.stop();
  await p.glue.idle();
  await p.athena.idle();
  await p.close();
}

/** ~1 KB of hex per event that Snappy cannot shrink, so file sizes follow the row count. */
const payload = (id: string): string =>
  Array.from({ length: 16 }, (_, i) => createHash('sha256').update(`${id}/${i}`).digest('hex')).join('');

/** One raw object of `count` events of a partition, ids `<prefix>-<n>`, event times a second apart. */
export function rawBatch(dataDir: string, dt: string, prefix: string, count: number, offset = 0): Promise<string> {
  const lines = Array.from({ length: count }, (_, i) => {
    const at = new Date(Date.parse(`${dt}T08:00:00.000Z`) + (offset + i) * 1000).toISOString();
    const id = `${prefix}-${offset + i}`;
    return rawEvent(id, TYPE, { event_time: at, received_at: at, attributes: { blob: payload(id) } });
  });
  return writeRawObject(dataDir, TYPE, dt, lines);
}

/** One run of the pipeline's Glue job on the keys, to its end. */
export async function runJob(p: LocalPipeline, keys: string[], dts: string[]): Promise<RunRecord> {
  const id = await p.glue.startJobRun(
    runArguments(
      { keys },
      dts.map((dt) => [TYPE, dt]),
    ),
  );
  await p.glue.idle();
  const run = p.glue.runs().find((r) => r.id === id);
  if (run?.state !== 'SUCCEEDED') throw new Error(`run ${id} ${run?.state}: ${run?.error}`);
  return run;
}

export const marker = (dataDir: string, run: RunRecord): RunMarker =>
  JSON.parse(readFileSync(path.join(dataDir, lake, '_runs', `${run.id}.json`), 'utf8')) as RunMarker;

/** The partition's current generation and its files, as the pointer says now. */
export const current = (dataDir: string, dt: string) =>
  currentPartition(curatedRoot(dataDir), readPointer(dataDir), { eventType: TYPE, dt });

/** Count, distinct ids and a checksum over every column, through the local Athena (what reports read). */
export async function tableFigures(p: LocalPipeline, dt: string): Promise<string[]> {
  const result = await p.athena.query(
    `SELECT count(*) AS n, count(DISTINCT event_id) AS ids,
            CAST(sum(hash(event_id, event_time, received_at, attributes, app_id, user_id, ingest_source)) AS VARCHAR) AS checksum
       FROM events WHERE event_type = '${TYPE}' AND dt = '${dt}'`,
  );
  return (result.rows[0] ?? []).map(String);
}

/** Every row of the partition through the local Athena, ordered, as text. */
export async function tableRows(p: LocalPipeline, dt: string): Promise<string[]> {
  const result = await p.athena.query(
    `SELECT * FROM events WHERE event_type = '${TYPE}' AND dt = '${dt}' ORDER BY event_id`,
  );
  return result.rows.map((row) => JSON.stringify(row));
}

export const supersededDir = (dataDir: string): string =>
  path.join(dataDir, localBucketNames.lake, '_compaction', 'superseded');
