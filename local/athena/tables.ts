// The local Glue catalog: the three Athena tables as DuckDB views over the data directory, with hive
// partitioning so filters on partition columns prune files, exactly the files Athena would read.
// `events` reads the current generation of every curated partition, resolved from the partition
// pointer when each query starts (local/glue/generations.ts): a query sees all of a generation or
// all of the next, never both, never neither.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import {
  type Column,
  curatedColumns,
  curatedPartitionColumns,
  failedEventColumns,
  rawFieldColumns,
  rawPartitionColumns,
} from '#shared/contract/table-schemas.js';
import { derivedValueSql } from '../glue/derived.js';
import { currentCuratedFiles } from '../glue/generations.js';
import { DUCKDB_TYPES, ident, sqlList, sqlString } from '../pipeline/duckdb-sql.js';
import { localBucketNames, objectPath } from '../s3/buckets.js';
import { filesLackingColumns, lacksColumns } from './column-check.js';

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
  /** Where the table's files are; a view with `currentFiles` reads exactly those instead. */
  glob: string;
  /** The table's files now (the curated table: each partition's current generation), asked before every query. */
  currentFiles?: () => string[];
  format: FileFormat;
  columns: readonly Column[];
  partitions: readonly PartitionColumn[];
  /**
   * Parquet tables: an empty Parquet file holding the table's columns, outside every bucket. DuckDB
   * binds a multi-file read from its first file; with this one first it binds from the catalog, as
   * Athena binds from the Glue table, and never reads (nor bills) a data file outside the query's partitions.
   */
  schemaFile?: string;
}

// String columns the transform writes as JSON values (object / array) in NDJSON; Athena's table has them as strings.
const jsonValuedInNdjson = new Set(['attributes', 'errors']);

// Like Athena, files whose names start with `_` or `.` are not data.
const DATA_FILE = '[!_.]*';

const samePartitions = (columns: readonly Column[]): PartitionColumn[] =>
  columns.map((c) => ({ pathName: c.name, name: c.name }));

/**
 * `<dataDir>/_glue/catalog/<table>-<schema hash>/<partition>=__schema__/…/schema.parquet`: hive
 * directories like the data files' (DuckDB requires the same partition keys in every path), values no
 * partition filter matches, and a name per column list so engines of different versions never share one.
 */
export function schemaFilePath(dataDir: string, table: string, view: Pick<TableView, 'columns' | 'partitions'>) {
  const signature = view.columns.map((c) => `${c.name}:${c.type}`).join(',');
  const hash = createHash('sha256').update(signature).digest('hex').slice(0, 12);
  const partitionDirs = view.partitions.map((p) => `${p.pathName}=__schema__`);
  return path.join(dataDir, '_glue', 'catalog', `${table}-${hash}`, ...partitionDirs, 'schema.parquet');
}

/** The three tables of the database, with `events` bound to the chosen source. */
export function tableViews(dataDir: string, eventsSource: EventsSource): TableView[] {
  const ingest = (key: string) => objectPath(dataDir, { bucket: localBucketNames.ingest, key });
  const rawGlob = ingest(`${config.prefixes.events}type=*/dt=*/${DATA_FILE}.gz`);
  const rawEvents = { glob: rawGlob, format: 'ndjson-gzip' as const };
  const curated = { columns: curatedColumns, partitions: samePartitions(curatedPartitionColumns) };
  const curatedEvents: TableView = {
    name: 'events',
    glob: objectPath(dataDir, {
      bucket: localBucketNames.lake,
      key: `${config.prefixes.curated}event_type=*/dt=*/${DATA_FILE}.parquet`,
    }),
    format: 'parquet',
    ...curated,
    schemaFile: schemaFilePath(dataDir, 'events', curated),
    currentFiles: () => currentCuratedFiles(dataDir),
  };
  // Raw NDJSON has `type=` in its path where the curated table has `event_type`; the derived columns
  // are computed from the raw fields by the job's own rules, so one SQL gives the same rows on both.
  const eventsOverRaw: TableView = {
    name: 'events',
    ...rawEvents,
    columns: curatedColumns,
    partitions: [
      { pathName: 'type', name: 'event_type' },
      { pathName: 'dt', name: 'dt' },
    ],
  };
  return [
    eventsSource === 'raw' ? eventsOverRaw : curatedEvents,
    // As the Glue table raw_events: the fields Firehose wrote, no derived columns.
    {
      name: 'raw_events',
      ...rawEvents,
      columns: rawFieldColumns(curatedColumns),
      partitions: samePartitions(rawPartitionColumns),
    },
    {
      name: 'failed_events',
      glob: ingest(`${config.prefixes.failed}type=*/dt=*/${DATA_FILE}.gz`),
      format: 'ndjson-gzip',
      columns: failedEventColumns,
      partitions: samePartitions(rawPartitionColumns),
    },
  ];
}

/** How a file-backed view reads: union_by_name when some Parquet file lacks columns of the table. */
interface Binding {
  unionByName: boolean;
  /** The files of a view with `currentFiles`, as listed for this query. */
  files?: readonly string[];
}

function fileRelation(view: TableView, binding: Binding): string {
  const hiveTypes = view.partitions.map((p) => `${sqlString(p.pathName)}: 'VARCHAR'`).join(', ');
  const hive = `hive_partitioning = true, hive_types = {${hiveTypes}}`;
  if (view.format === 'parquet') {
    // Hive columns come from the `k=v` folders; a generation folder (`g000001`) has no `=`, so it adds none.
    const data = binding.files ?? [view.glob];
    const files =
      view.schemaFile === undefined && binding.files === undefined
        ? sqlString(view.glob)
        : sqlList(view.schemaFile === undefined ? data : [view.schemaFile, ...data]);
    return `read_parquet(${files}, ${hive}${binding.unionByName ? ', union_by_name = true' : ''})`;
  }
  // Declared columns: no schema sniffing (no bytes read at bind time), unknown keys ignored.
  const columns = rawFieldColumns(view.columns)
    .map((c) => `${ident(c.name)}: '${jsonValuedInNdjson.has(c.name) ? 'JSON' : DUCKDB_TYPES[c.type]}'`)
    .join(', ');
  return `read_json(${sqlString(view.glob)}, format = 'newline_delimited', compression = 'gzip', ${hive}, columns = {${columns}})`;
}

/** A column's value in the view: NULL for an empty table, computed over raw NDJSON when derived, else read. */
function columnValue(view: TableView, column: Column, fromFiles: boolean): string {
  if (!fromFiles) return 'NULL';
  if (column.derivedFrom !== undefined && view.format !== 'parquet') {
    return derivedValueSql(column.derivedFrom, column.type, ident);
  }
  return ident(column.name);
}

function selectList(view: TableView, fromFiles: boolean): string {
  const data = view.columns.map(
    (c) => `CAST(${columnValue(view, c, fromFiles)} AS ${DUCKDB_TYPES[c.type]}) AS ${ident(c.name)}`,
  );
  const partitions = view.partitions.map((p) =>
    fromFiles ? `${ident(p.pathName)} AS ${ident(p.name)}` : `CAST(NULL AS VARCHAR) AS ${ident(p.name)}`,
  );
  return [...data, ...partitions].join(', ');
}

/** The view over the files, or over an empty relation of the same columns when no file exists yet. */
export function viewStatement(
  schema: string,
  view: TableView,
  hasFiles: boolean,
  binding: Binding = { unionByName: false },
): string {
  const name = `${ident(schema)}.${ident(view.name)}`;
  const body = hasFiles
    ? `SELECT ${selectList(view, true)} FROM ${fileRelation(view, binding)}`
    : `SELECT ${selectList(view, false)} WHERE false`;
  return `CREATE OR REPLACE VIEW ${name} AS ${body}`;
}

/** Writes the table's empty schema file (atomically: readers never see half a file). */
async function writeSchemaFile(connection: DuckDBConnection, view: TableView, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const columns = view.columns.map((c) => `CAST(NULL AS ${DUCKDB_TYPES[c.type]}) AS ${ident(c.name)}`).join(', ');
  await connection.run(`COPY (SELECT ${columns} WHERE false) TO ${sqlString(temp)} (FORMAT parquet)`);
  await rename(temp, file);
}

/**
 * Keeps the views in step with the files: an empty table becomes a file-backed one when data lands.
 * Parquet files without a newer column are read with union_by_name (NULL for what they lack), at the
 * price of every footer per query; Athena reads them by column name the same way.
 */
export function makeCatalog(connection: DuckDBConnection, schema: string, views: readonly TableView[]) {
  const bound = new Map<string, string>();
  // Per file (names are unique per run, files never change): whether it lacks a column of its table.
  const lacking = new Map<string, boolean>();
  const listedLacks = async (view: TableView, files: readonly string[]): Promise<boolean> => {
    const unseen = files.filter((file) => !lacking.has(file));
    if (unseen.length > 0)
      for (const [file, lacks] of await filesLackingColumns(connection, view, unseen)) lacking.set(file, lacks);
    return files.some((file) => lacking.get(file));
  };
  return async function refresh(): Promise<void> {
    for (const view of views) {
      const files = view.currentFiles?.();
      const hasFiles =
        files === undefined
          ? (
              await connection.runAndReadAll(`SELECT count(*) > 0 FROM glob(${sqlString(view.glob)})`)
            ).getRows()[0]?.[0] === true
          : files.length > 0;
      // Checked every time: the file lives outside the buckets, and a test or an operator may wipe _glue/.
      if (hasFiles && view.schemaFile !== undefined && !existsSync(view.schemaFile)) {
        await writeSchemaFile(connection, view, view.schemaFile);
      }
      // A listed view is bound again whenever its list changes (a run appended, a rewrite switched).
      const signature = files === undefined ? String(hasFiles) : files.join('\n');
      if (bound.get(view.name) === signature) continue;
      const unionByName =
        hasFiles &&
        view.format === 'parquet' &&
        (files === undefined ? await lacksColumns(connection, view) : await listedLacks(view, files));
      await connection.run(viewStatement(schema, view, hasFiles, { unionByName, ...(files ? { files } : {}) }));
      bound.set(view.name, signature);
    }
  };
}
