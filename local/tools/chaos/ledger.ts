// The chaos run's closing account, read from the lake itself: which event ids are in curated Parquet
// (and how often), which have failed-event records, which are late — checked against what the
// client was told. Every accepted id must be in exactly one zone, curated at most once.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import { currentCuratedFiles } from '../../glue/generations.js';
import { sqlString } from '../../pipeline/duckdb-sql.js';
import { localBucketNames } from '../../s3/buckets.js';

export interface LakeIds {
  /** Event id → curated rows. */
  curated: Map<string, number>;
  curatedRows: number;
  /** Event id → failed-event records (replays may add records for the same id). */
  failed: Map<string, number>;
  failedByType: Record<string, number>;
  failedWithoutId: number;
  late: Map<string, number>;
  /** Σ duplicates_removed over every run marker in the lake. */
  duplicatesRemoved: number;
  runMarkers: number;
}

/** What the client knows: ids it saw accepted, and ids it saw rejected (with the reason). */
export interface ClientView {
  accepted: ReadonlySet<string>;
  acceptedWithoutId: number;
  rejected: ReadonlyMap<string, string>;
}

export interface Verdict {
  /** Accepted, but in no zone. */
  lost: string[];
  /** More than one curated row. */
  doubled: string[];
  /** Accepted, and in more than one of curated / failed / late. */
  misplaced: string[];
  /** Rejected to the client (and never accepted), yet curated. */
  rejectedButCurated: string[];
  /** Accepted events without a readable event_id beyond the failed records without one (they can only be those). */
  idlessUnaccounted: number;
}

function dataFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix) && !/^[_.]/.test(path.basename(f)))
    .map((f) => path.join(dir, f))
    .sort();
}

async function idCounts(connection: DuckDBConnection, from: string, extra = ''): Promise<Map<string, number>> {
  const reader = await connection.runAndReadAll(
    `SELECT event_id, count(*)::INTEGER AS n FROM ${from} WHERE event_id IS NOT NULL ${extra} GROUP BY 1`,
  );
  const counts = new Map<string, number>();
  for (const row of reader.getRows()) counts.set(String(row[0]), Number(row[1]));
  return counts;
}

const ndjson = (files: string[], columns: string) =>
  `read_json([${files.map(sqlString).join(', ')}], format = 'newline_delimited', columns = {${columns}})`;

export async function readLakeIds(dataDir: string): Promise<LakeIds> {
  const ingest = path.join(dataDir, localBucketNames.ingest);
  const lake = path.join(dataDir, localBucketNames.lake);
  // Each partition's current generation: superseded generations (kept until their retention passes) hold the same rows.
  const curatedFiles = currentCuratedFiles(dataDir);
  const failedFiles = dataFiles(path.join(ingest, config.prefixes.failed), '.gz');
  const lateFiles = dataFiles(path.join(ingest, config.prefixes.late), '.gz');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const ids: LakeIds = { ...emptyLakeIds(), ...markerTotals(path.join(lake, config.prefixes.runMarkers)) };
    if (curatedFiles.length > 0) {
      ids.curated = await idCounts(connection, `read_parquet([${curatedFiles.map(sqlString).join(', ')}])`);
      ids.curatedRows = [...ids.curated.values()].reduce((a, b) => a + b, 0);
    }
    if (lateFiles.length > 0) ids.late = await idCounts(connection, ndjson(lateFiles, "event_id: 'VARCHAR'"));
    if (failedFiles.length > 0) await readFailed(connection, ndjson(failedFiles, FAILED_COLUMNS), ids);
    return ids;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const FAILED_COLUMNS = "event_id: 'VARCHAR', failure_type: 'VARCHAR'";

async function readFailed(connection: DuckDBConnection, from: string, ids: LakeIds): Promise<void> {
  ids.failed = await idCounts(connection, from);
  const reader = await connection.runAndReadAll(
    `SELECT failure_type, count(*)::INTEGER, count(*) FILTER (WHERE event_id IS NULL)::INTEGER FROM ${from} GROUP BY 1 ORDER BY 1`,
  );
  for (const [type, n, withoutId] of reader.getRows()) {
    ids.failedByType[String(type)] = Number(n);
    ids.failedWithoutId += Number(withoutId);
  }
}

const emptyLakeIds = (): LakeIds => ({
  curated: new Map(),
  curatedRows: 0,
  failed: new Map(),
  failedByType: {},
  failedWithoutId: 0,
  late: new Map(),
  duplicatesRemoved: 0,
  runMarkers: 0,
});

function markerTotals(dir: string): Pick<LakeIds, 'duplicatesRemoved' | 'runMarkers'> {
  const markers = dataFiles(dir, '.json');
  let duplicatesRemoved = 0;
  for (const file of markers) {
    duplicatesRemoved += Number(
      (JSON.parse(readFileSync(file, 'utf8')) as { duplicates_removed?: number }).duplicates_removed ?? 0,
    );
  }
  return { duplicatesRemoved, runMarkers: markers.length };
}

export function checkLedger(client: ClientView, lake: LakeIds): Verdict {
  const idlessUnaccounted = Math.max(0, client.acceptedWithoutId - lake.failedWithoutId);
  const verdict: Verdict = { lost: [], doubled: [], misplaced: [], rejectedButCurated: [], idlessUnaccounted };
  for (const id of client.accepted) {
    const zones = [lake.curated.has(id), lake.failed.has(id), lake.late.has(id)].filter(Boolean).length;
    if (zones === 0) verdict.lost.push(id);
    if (zones > 1) verdict.misplaced.push(id);
  }
  for (const [id, rows] of lake.curated) if (rows > 1) verdict.doubled.push(id);
  for (const id of client.rejected.keys()) {
    if (!client.accepted.has(id) && lake.curated.has(id)) verdict.rejectedButCurated.push(id);
  }
  for (const ids of [verdict.lost, verdict.doubled, verdict.misplaced, verdict.rejectedButCurated]) ids.sort();
  return verdict;
}

export const isClean = (v: Verdict): boolean =>
  v.lost.length + v.doubled.length + v.misplaced.length + v.rejectedButCurated.length + v.idlessUnaccounted === 0;
