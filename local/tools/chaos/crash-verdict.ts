// The crash run's classification of every acknowledged event_id, read from the data directory:
// curated / failed / late (where it must end up), stranded (still only in the raw zone or in a Firehose
// journal), lost (nowhere), doubled (more than one curated row).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import { decodeFrames } from '../../firehose/journal-frames.js';
import { sqlString } from '../../pipeline/duckdb-sql.js';
import { localBucketNames } from '../../s3/buckets.js';
import { checkLedger, readLakeIds } from './ledger.js';

export interface CrashVerdict {
  acknowledged: number;
  curated: number;
  failed: number;
  late: number;
  lost: string[];
  stranded: string[];
  doubled: string[];
  /** Partition rewrites (run markers' `compacted`) and superseded generations still awaiting deletion. */
  compaction: { rewrites: number; supersededPending: number };
}

/** What compaction did during the run, from the run markers and the superseded ledger. */
function compactionFigures(dataDir: string): CrashVerdict['compaction'] {
  const lake = path.join(dataDir, localBucketNames.lake);
  let rewrites = 0;
  for (const file of dataFiles(path.join(lake, config.prefixes.runMarkers), '.json')) {
    rewrites += ((JSON.parse(readFileSync(file, 'utf8')) as { compacted?: unknown[] }).compacted ?? []).length;
  }
  const supersededPending = dataFiles(path.join(lake, '_compaction', 'superseded'), '.json').length;
  return { rewrites, supersededPending };
}

const dataFiles = (dir: string, suffix: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith(suffix) && !/^[_.]/.test(path.basename(f)))
        .map((f) => path.join(dir, f))
    : [];

/** Event ids in the raw zone (valid events Firehose wrote, not yet curated or never). */
async function rawIds(dataDir: string): Promise<Set<string>> {
  const files = dataFiles(path.join(dataDir, localBucketNames.ingest, config.prefixes.events), '.gz');
  if (files.length === 0) return new Set();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT DISTINCT event_id FROM read_json([${files.map(sqlString).join(', ')}], format = 'newline_delimited', columns = {event_id: 'VARCHAR'})`,
    );
    return new Set(reader.getRows().map((r) => String(r[0])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Event ids in Firehose journal segments (acknowledged, not delivered). */
function journalIds(dataDir: string): Set<string> {
  const ids = new Set<string>();
  for (const file of dataFiles(path.join(dataDir, '_firehose'), '.log')) {
    for (const record of decodeFrames(readFileSync(file)).records) {
      const match = /"event_id"\s*:\s*"([^"]+)"/.exec(Buffer.from(record.data).toString('utf8'));
      if (match?.[1]) ids.add(match[1]);
    }
  }
  return ids;
}

export async function classify(dataDir: string, acknowledged: ReadonlySet<string>): Promise<CrashVerdict> {
  const lake = await readLakeIds(dataDir);
  const verdict = checkLedger({ accepted: acknowledged, acceptedWithoutId: 0, rejected: new Map() }, lake);
  const somewhere = new Set([...(await rawIds(dataDir)), ...journalIds(dataDir)]);
  const count = (zone: Map<string, number>) => [...acknowledged].filter((id) => zone.has(id)).length;
  return {
    acknowledged: acknowledged.size,
    curated: count(lake.curated),
    failed: count(lake.failed),
    late: count(lake.late),
    lost: verdict.lost.filter((id) => !somewhere.has(id)),
    stranded: verdict.lost.filter((id) => somewhere.has(id)),
    doubled: verdict.doubled.filter((id) => acknowledged.has(id)),
    compaction: compactionFigures(dataDir),
  };
}
