// Reads what the pipeline left on disk, straight from the files (DuckDB over the Parquet / NDJSON
// globs, plain fs for the reporting bucket) — never through the pipeline's own views or counters.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import { currentCuratedFiles } from '../../local/glue/generations.js';
import { bucketDir } from './harness.js';

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

export async function queryRows(instance: DuckDBInstance, sql: string): Promise<Record<string, unknown>[]> {
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
  }
}

/** Data files under a folder (readers skip names starting with `_` or `.`). */
export function dataFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix) && !/^[_.]/.test(path.basename(f)))
    .map((f) => path.join(dir, f))
    .sort();
}

/** The curated table's files: each partition's current generation (compacted partitions keep superseded ones a while). */
export const curatedFiles = (dataDir: string): string[] => currentCuratedFiles(dataDir);

/** Every curated row's event_id, event_type and dt (partition values from the hive path). */
export async function curatedRows(
  instance: DuckDBInstance,
  dataDir: string,
): Promise<{ event_id: string; event_type: string; dt: string }[]> {
  const files = curatedFiles(dataDir);
  if (files.length === 0) return [];
  const list = files.map(sqlString).join(', ');
  const rows = await queryRows(
    instance,
    `SELECT event_id, event_type, dt FROM read_parquet([${list}], hive_partitioning = true, hive_types = {'event_type': VARCHAR, 'dt': VARCHAR})`,
  );
  return rows.map((r) => ({ event_id: String(r.event_id), event_type: String(r.event_type), dt: String(r.dt) }));
}

async function ndjsonColumn(instance: DuckDBInstance, files: string[], column: string): Promise<string[]> {
  if (files.length === 0) return [];
  const rows = await queryRows(
    instance,
    `SELECT ${column} AS v FROM read_json([${files.map(sqlString).join(', ')}], format = 'newline_delimited', compression = 'gzip', columns = {${column}: 'VARCHAR'})`,
  );
  return rows.map((r) => String(r.v));
}

export const lateIds = (instance: DuckDBInstance, dataDir: string): Promise<string[]> =>
  ndjsonColumn(instance, dataFiles(path.join(bucketDir(dataDir, 'ingest'), config.prefixes.late), '.gz'), 'event_id');

export async function failedByType(instance: DuckDBInstance, dataDir: string): Promise<Record<string, number>> {
  const files = dataFiles(path.join(bucketDir(dataDir, 'ingest'), config.prefixes.failed), '.gz');
  const counts: Record<string, number> = {};
  for (const type of await ndjsonColumn(instance, files, 'failure_type')) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Raw event objects under events/, as keys of the ingest bucket. */
export const rawEventKeys = (dataDir: string): string[] =>
  dataFiles(path.join(bucketDir(dataDir, 'ingest'), config.prefixes.events), '.gz').map((f) =>
    path.relative(bucketDir(dataDir, 'ingest'), f).split(path.sep).join('/'),
  );

/** Athena's CSV (every non-null field quoted, NULL empty) → header and rows, NULL as null. */
export function parseAthenaCsv(text: string): { header: string[]; rows: (string | null)[][] } {
  const lines: (string | null)[][] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  let line: (string | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (c === ',' || c === '\n') {
      line.push(wasQuoted ? field : field === '' ? null : field);
      field = '';
      wasQuoted = false;
      if (c === '\n') {
        lines.push(line);
        line = [];
      }
    } else field += c;
  }
  const [header = [], ...rows] = lines;
  return { header: header.map(String), rows };
}

export const readText = (file: string): string => readFileSync(file, 'utf8');
