// Poison-safe reading for the local Parquet job: every raw line is read as text, parsed, and each
// curated column checked against the cast rules of glue/parquet_contract.py (CAST_RULES). A line
// that fails goes to the quarantine table with its failure type, column and raw text; the others
// are cast and go on. The shared cases in glue/tests/cast_cases.json hold both engines to the same rules.
import { DUCKDB_TYPES, ident, sqlList, sqlString } from '../pipeline/duckdb-sql.js';
import type { ColumnSpec } from './args.js';
import { derivedValueSql } from './derived.js';
import type { SourceFile } from './sql.js';

/** Failure types of quarantined lines (the `type=` of `failed/type=<t>/` and the records' `failure_type`). */
export const QUARANTINE_TYPES = { malformed: 'malformed_json', cast: 'cast_error' } as const;

/** A UTC ISO-8601 instant in years 0001–9999 (what Spark and Athena can hold): glue/parquet_contract.py. */
export const TIMESTAMP_PATTERN =
  '(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z';
const INTEGER_PATTERN = '-?[0-9]+';

/** Largest raw line read (Firehose records are ≤ 1,000 KiB; the read fails loudly above this). */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

/**
 * The CSV reader's buffer per file. DuckDB's default is 16 × max_line_size (64 MiB blocks here): a
 * few files read at once under the 512 MB instance limit failed a whole run with Out of Memory in
 * the chaos run. Twice the longest line is enough for any line to fit.
 */
const READ_BUFFER_BYTES = 2 * MAX_LINE_BYTES;

/** SQL that is true when `text` (the field's JSON value as text, or NULL) casts to the column's type. */
export function castsSql(column: Pick<ColumnSpec, 'name' | 'type'>, text: string): string {
  if (column.name === 'event_id') return `(${text} IS NOT NULL)`;
  const nullOr = (test: string) => `(${text} IS NULL OR (${test}))`;
  switch (column.type) {
    case 'string':
      return 'true';
    case 'int':
    case 'bigint':
      return nullOr(
        `regexp_full_match(${text}, ${sqlString(INTEGER_PATTERN)}) AND TRY_CAST(${text} AS ${DUCKDB_TYPES[column.type]}) IS NOT NULL`,
      );
    case 'boolean':
      return nullOr(`${text} IN ('true', 'false')`);
    case 'timestamp':
      return nullOr(
        `regexp_full_match(${text}, ${sqlString(TIMESTAMP_PATTERN)}) AND TRY_CAST(${text} AS TIMESTAMP) IS NOT NULL`,
      );
    default:
      return nullOr(`TRY_CAST(${text} AS ${DUCKDB_TYPES[column.type]}) IS NOT NULL`);
  }
}

const fieldText = (name: string) => `json_extract_string(j, ${sqlString(`$.${name}`)})`;

/**
 * `table`: one row per raw line with `line`, `src_key`, `event_type`, `dt`, `failure_type`,
 * `failure_column` (NULL for good lines) and each read column's JSON text.
 */
export function readLinesSql(table: string, columns: readonly ColumnSpec[], sources: readonly SourceFile[]): string {
  return `CREATE TEMP TABLE ${ident(table)} AS\n${linesQuery(columns, sources)}`;
}

/** Raw objects read per statement: DuckDB holds a read buffer per file being read, under one memory limit. */
export const FILES_PER_READ = 8;

/**
 * readLinesSql as statements of at most FILES_PER_READ objects each (the first creates the table,
 * the others insert into it), so a run of hundreds of objects never holds hundreds of read buffers.
 */
export function readLinesStatements(
  table: string,
  columns: readonly ColumnSpec[],
  sources: readonly SourceFile[],
  filesPerRead = FILES_PER_READ,
): string[] {
  const statements: string[] = [];
  for (let start = 0; start < sources.length; start += filesPerRead) {
    const chunk = sources.slice(start, start + filesPerRead);
    statements.push(
      start === 0 ? readLinesSql(table, columns, chunk) : `INSERT INTO ${ident(table)}\n${linesQuery(columns, chunk)}`,
    );
  }
  return statements;
}

function linesQuery(columns: readonly ColumnSpec[], sources: readonly SourceFile[]): string {
  const raw = columns.filter((c) => c.derivedFrom === undefined);
  const failing = raw.map((c) => `WHEN NOT ${castsSql(c, ident(c.name))} THEN ${sqlString(c.name)}`).join(' ');
  const sourceRows = sources.map((s) => `(${[s.path, s.key, s.eventType, s.dt].map(sqlString).join(', ')})`);
  const malformed = `j IS NULL OR json_type(j) <> 'OBJECT'`;
  return `SELECT *,
  CASE WHEN is_object THEN CASE ${failing} END END AS failure_column
FROM (
  SELECT line, src_key, event_type, dt, NOT (${malformed}) AS is_object,
    ${raw.map((c) => `CASE WHEN NOT (${malformed}) THEN ${fieldText(c.name)} END AS ${ident(c.name)}`).join(',\n    ')}
  FROM (
    SELECT l.line, s.src_key, s.event_type, s.dt, CASE WHEN json_valid(l.line) THEN l.line END::JSON AS j
    FROM read_csv(${sqlList(sources.map((s) => s.path))}, columns = {'line': 'VARCHAR'}, delim = E'\\x01', quote = '',
      escape = '', header = false, auto_detect = false, compression = 'gzip', filename = true,
      max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${READ_BUFFER_BYTES}) l
    JOIN (VALUES ${sourceRows.join(', ')}) s(src_path, src_key, event_type, dt) ON l.filename = s.src_path
  )
)`;
}

/** Good lines, cast and derived: the curated columns in order, plus `event_type`, `dt`, `src_key`. */
export function typedRowsSql(table: string, lines: string, columns: readonly ColumnSpec[]): string {
  const raw = columns.filter((c) => c.derivedFrom === undefined);
  const casts = raw.map((c) => `CAST(${ident(c.name)} AS ${DUCKDB_TYPES[c.type]}) AS ${ident(c.name)}`);
  const values = columns.map((c) =>
    c.derivedFrom === undefined
      ? `t.${ident(c.name)}`
      : `CAST(${derivedValueSql(c.derivedFrom, c.type, (name) => `t.${ident(name)}`)} AS ${DUCKDB_TYPES[c.type]}) AS ${ident(c.name)}`,
  );
  return `CREATE TEMP TABLE ${ident(table)} AS
SELECT ${values.join(',\n  ')}, t.event_type, t.dt, t.src_key
FROM (
  SELECT ${casts.join(', ')}, event_type, dt, src_key
  FROM ${ident(lines)} WHERE is_object AND failure_column IS NULL
) t`;
}

/**
 * Quarantined lines as failed-event records (shared/contract/table-schemas.ts failedEventColumns,
 * plus where they came from), ready for `COPY … (FORMAT json)` into `failed/type=<t>/dt=<d>/`.
 */
export function quarantineRowsSql(table: string, lines: string, runId: string): string {
  const type = `CASE WHEN is_object THEN ${sqlString(QUARANTINE_TYPES.cast)} ELSE ${sqlString(QUARANTINE_TYPES.malformed)} END`;
  const message = `CASE WHEN NOT is_object THEN 'the line is not a JSON object'
    WHEN failure_column = 'event_id' THEN 'event_id is missing'
    ELSE failure_column || ' cannot be cast to its curated type' END`;
  return `CREATE TEMP TABLE ${ident(table)} AS
SELECT ${type} AS failure_type,
  [{'path': '/' || coalesce(failure_column, ''), 'message': ${message}}] AS errors,
  line AS payload, 'text' AS payload_encoding,
  CASE WHEN is_object THEN event_id END AS event_id, event_type,
  CASE WHEN is_object AND ${castsSql({ name: 'received_at', type: 'timestamp' }, 'received_at')} THEN received_at END AS received_at,
  failure_column AS "column", src_key AS source_key, ${sqlString(runId)} AS job_run_id, dt
FROM ${ident(lines)} WHERE NOT is_object OR failure_column IS NOT NULL`;
}
