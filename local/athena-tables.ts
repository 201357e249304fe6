// The local Glue catalog: the three Athena tables as DuckDB views over the data directory, with hive
// partitioning so filters on partition columns prune files, exactly the files Athena would read.
import type { DuckDBConnection } from '@duckdb/node-api';
import { config } from '../shared/config.js';
import {
  type Column,
  curatedColumns,
  curatedPartitionColumns,
  failedEventColumns,
  rawPartitionColumns,
} from '../shared/table-schemas.js';
import { localBucketNames, objectPath } from './buckets.js';
import { DUCKDB_TYPES, ident, sqlString } from './duckdb-sql.js';

/** Where `events` reads from: the curated Parquet (as in the cloud) or the raw NDJSON (benchmark baseline). */
export type EventsSource = 'curated' | 'raw';

type FileFormat = 'parquet' | 'ndjson-gzip';

interface PartitionColumn {
  /** Name in the hive path (`type=…`). */
  pathName: string;
  /** Name in the table. */
  name: string;
}

export interface TableView {
  name: string;
  glob: string;
  format: FileFormat;
  columns: readonly Column[];
  partitions: readonly PartitionColumn[];
}

// String columns the transform writes as JSON values (object / array) in NDJSON; Athena's table has them as strings.
const jsonValuedInNdjson = new Set(['attributes', 'errors']);

// Like Athena, files whose names start with `_` or `.` are not data.
const DATA_FILE = '[!_.]*';

const samePartitions = (columns: readonly Column[]): PartitionColumn[] =>
  columns.map((c) => ({ pathName: c.name, name: c.name }));

/** The three tables of the database, with `events` bound to the chosen source. */
export function tableViews(dataDir: string, eventsSource: EventsSource): TableView[] {
  const ingest = (key: string) => objectPath(dataDir, { bucket: localBucketNames.ingest, key });
  const rawGlob = ingest(`${config.prefixes.events}type=*/dt=*/${DATA_FILE}.gz`);
  const rawEvents = { glob: rawGlob, format: 'ndjson-gzip' as const, columns: curatedColumns };
  const curatedEvents: TableView = {
    name: 'events',
    glob: objectPath(dataDir, {
      bucket: localBucketNames.lake,
      key: `${config.prefixes.curated}event_type=*/dt=*/${DATA_FILE}.parquet`,
    }),
    format: 'parquet',
    columns: curatedColumns,
    partitions: samePartitions(curatedPartitionColumns),
  };
  // Raw NDJSON has `type=` in its path where the curated table has `event_type`.
  const eventsOverRaw: TableView = {
    name: 'events',
    ...rawEvents,
    partitions: [
      { pathName: 'type', name: 'event_type' },
      { pathName: 'dt', name: 'dt' },
    ],
  };
  return [
    eventsSource === 'raw' ? eventsOverRaw : curatedEvents,
    { name: 'raw_events', ...rawEvents, partitions: samePartitions(rawPartitionColumns) },
    {
      name: 'failed_events',
      glob: ingest(`${config.prefixes.failed}type=*/dt=*/${DATA_FILE}.gz`),
      format: 'ndjson-gzip',
      columns: failedEventColumns,
      partitions: samePartitions(rawPartitionColumns),
    },
  ];
}

function fileRelation(view: TableView): string {
  const hiveTypes = view.partitions.map((p) => `${sqlString(p.pathName)}: 'VARCHAR'`).join(', ');
  const hive = `hive_partitioning = true, hive_types = {${hiveTypes}}`;
  if (view.format === 'parquet') return `read_parquet(${sqlString(view.glob)}, ${hive})`;
  // Declared columns: no schema sniffing (no bytes read at bind time), unknown keys ignored.
  const columns = view.columns
    .map((c) => `${ident(c.name)}: '${jsonValuedInNdjson.has(c.name) ? 'JSON' : DUCKDB_TYPES[c.type]}'`)
    .join(', ');
  return `read_json(${sqlString(view.glob)}, format = 'newline_delimited', compression = 'gzip', ${hive}, columns = {${columns}})`;
}

function selectList(view: TableView, fromFiles: boolean): string {
  const data = view.columns.map(
    (c) => `CAST(${fromFiles ? ident(c.name) : 'NULL'} AS ${DUCKDB_TYPES[c.type]}) AS ${ident(c.name)}`,
  );
  const partitions = view.partitions.map((p) =>
    fromFiles ? `${ident(p.pathName)} AS ${ident(p.name)}` : `CAST(NULL AS VARCHAR) AS ${ident(p.name)}`,
  );
  return [...data, ...partitions].join(', ');
}

/** The view over the files, or over an empty relation of the same columns when no file exists yet. */
export function viewStatement(schema: string, view: TableView, hasFiles: boolean): string {
  const name = `${ident(schema)}.${ident(view.name)}`;
  const body = hasFiles
    ? `SELECT ${selectList(view, true)} FROM ${fileRelation(view)}`
    : `SELECT ${selectList(view, false)} WHERE false`;
  return `CREATE OR REPLACE VIEW ${name} AS ${body}`;
}

/** Keeps the views in step with the files: an empty table becomes a file-backed one when data lands. */
export function makeCatalog(connection: DuckDBConnection, schema: string, views: readonly TableView[]) {
  const bound = new Map<string, boolean>();
  return async function refresh(): Promise<void> {
    for (const view of views) {
      const reader = await connection.runAndReadAll(`SELECT count(*) > 0 FROM glob(${sqlString(view.glob)})`);
      const hasFiles = reader.getRows()[0]?.[0] === true;
      if (bound.get(view.name) === hasFiles) continue;
      await connection.run(viewStatement(schema, view, hasFiles));
      bound.set(view.name, hasFiles);
    }
  };
}
