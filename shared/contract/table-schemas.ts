// Column lists of the lake's tables, derived from the event contract: one source for the Glue job
// argument, the Glue tables in serverless.yml and the local DuckDB engine.

export type ColumnType = 'string' | 'int' | 'bigint' | 'double' | 'boolean' | 'timestamp';

/**
 * How the curation job computes a column that is not a field of the raw event. Both jobs
 * (glue/parquet_contract.py, local/glue/derived.ts) implement each rule; neither fails a run on
 * an input the rule does not fit: the value is NULL.
 */
export type Derivation =
  /**
   * The value at `path` (`$.key` or `$.key.key…`) of the JSON object in the string column `source`,
   * when its JSON type is the column's: a string for `string`, any number for `double`, an integer
   * in range for `bigint`, true/false for `boolean`. Absent, JSON null or another type → NULL.
   */
  | { rule: 'json_value'; source: string; path: string }
  /** Whole milliseconds from the timestamp column `start` to `end` (truncated toward zero; a `bigint`). */
  | { rule: 'millis_between'; start: string; end: string };

export interface Column {
  name: string;
  type: ColumnType;
  comment: string;
  /** Set when the curation job computes the column; absent when it is read from the raw event's field. */
  derivedFrom?: Derivation;
}

/** The column types a json_value derivation can produce. */
export const jsonValueTypes: readonly ColumnType[] = ['string', 'double', 'bigint', 'boolean'];

/**
 * Envelope fields in curated order, `attributes` kept as a JSON string, then the columns the
 * curation job derives so reports read a few typed bytes instead of the whole JSON or two timestamps.
 */
export const curatedColumns: readonly Column[] = [
  { name: 'event_id', type: 'string', comment: 'client UUID, dedupe key' },
  { name: 'event_version', type: 'int', comment: 'attributes schema version' },
  { name: 'event_time', type: 'timestamp', comment: 'event time, UTC, skew/future corrected' },
  { name: 'event_time_original', type: 'string', comment: 'event_time as sent, when corrected' },
  { name: 'time_correction', type: 'string', comment: 'clock_skew | future | null' },
  { name: 'received_at', type: 'timestamp', comment: 'Firehose arrival time' },
  { name: 'server_received_at', type: 'timestamp', comment: 'edge (API/IoT) receive time' },
  { name: 'sent_at', type: 'timestamp', comment: 'device send time by its own clock' },
  { name: 'app_id', type: 'string', comment: 'app that sent the event' },
  { name: 'device_id', type: 'string', comment: 'device that sent the event' },
  { name: 'user_id', type: 'string', comment: '' },
  { name: 'session_id', type: 'string', comment: '' },
  { name: 'request_id', type: 'string', comment: 'ingest API request id' },
  { name: 'source_ip', type: 'string', comment: 'only when enabled in config' },
  { name: 'user_agent', type: 'string', comment: 'only when enabled in config' },
  { name: 'ingest_source', type: 'string', comment: 'direct | kinesis' },
  { name: 'ingest_shard_id', type: 'string', comment: 'Kinesis shard, kinesis source only' },
  { name: 'ingest_partition_key', type: 'string', comment: 'Kinesis partition key, kinesis source only' },
  { name: 'attributes', type: 'string', comment: 'attributes as JSON, validated by the type schema' },
  {
    name: 'amount',
    type: 'double',
    comment: 'derived: attributes.amount when a JSON number (purchase order total)',
    derivedFrom: { rule: 'json_value', source: 'attributes', path: '$.amount' },
  },
  {
    name: 'currency',
    type: 'string',
    comment: 'derived: attributes.currency when a JSON string (ISO 4217)',
    derivedFrom: { rule: 'json_value', source: 'attributes', path: '$.currency' },
  },
  {
    name: 'ingestion_lag_ms',
    type: 'bigint',
    comment: 'derived: received_at - event_time in whole milliseconds',
    derivedFrom: { rule: 'millis_between', start: 'event_time', end: 'received_at' },
  },
];

/** Columns read from the raw event's fields (what the raw NDJSON tables have). */
export const rawFieldColumns = (columns: readonly Column[]): Column[] =>
  columns.filter((c) => c.derivedFrom === undefined);

/** Partition columns of `curated/events/` (hive style: `event_type=…/dt=…/`). */
export const curatedPartitionColumns: readonly Column[] = [
  { name: 'event_type', type: 'string', comment: 'event type' },
  { name: 'dt', type: 'string', comment: 'event date, UTC, yyyy-MM-dd' },
];

/** Columns of failed-event records under `failed/type=<failure_type>/dt=…/` (NDJSON). */
export const failedEventColumns: readonly Column[] = [
  { name: 'failure_type', type: 'string', comment: 'why the input is not a valid event' },
  { name: 'errors', type: 'string', comment: 'JSON array of {path, message}, at most 20' },
  { name: 'payload', type: 'string', comment: 'original payload: text, or base64 when not UTF-8' },
  { name: 'payload_encoding', type: 'string', comment: 'text | base64' },
  { name: 'event_id', type: 'string', comment: 'when it could be read from the payload' },
  { name: 'event_type', type: 'string', comment: 'when it could be read from the payload' },
  { name: 'received_at', type: 'timestamp', comment: 'Firehose arrival time' },
  { name: 'ingest_source', type: 'string', comment: 'direct | kinesis' },
  { name: 'ingest_shard_id', type: 'string', comment: '' },
  { name: 'ingest_partition_key', type: 'string', comment: '' },
  { name: 'delivery_stream', type: 'string', comment: 'Firehose stream name' },
  { name: 'record_id', type: 'string', comment: 'Firehose record id' },
];

/** Partition columns of raw and failed NDJSON zones (`type=…/dt=…/`). */
export const rawPartitionColumns: readonly Column[] = [
  { name: 'type', type: 'string', comment: 'event type, or failure type under failed/' },
  { name: 'dt', type: 'string', comment: 'yyyy-MM-dd, UTC' },
];

/** `rule:arg:arg`, e.g. `json_value:attributes:$.amount` or `millis_between:event_time:received_at`. */
export function derivationText(derivation: Derivation): string {
  return derivation.rule === 'json_value'
    ? `json_value:${derivation.source}:${derivation.path}`
    : `millis_between:${derivation.start}:${derivation.end}`;
}

/**
 * `name:type` for a column read from the raw field of that name, `name:type=<derivation>` for a
 * derived one, comma-separated in order: how the column list travels as a Glue job argument.
 */
export const columnsArgument = (columns: readonly Column[]): string =>
  columns
    .map((c) => `${c.name}:${c.type}${c.derivedFrom === undefined ? '' : `=${derivationText(c.derivedFrom)}`}`)
    .join(',');

/** Glue/Hive table column definitions (`AWS::Glue::Table` StorageDescriptor.Columns). */
export const glueColumns = (columns: readonly Column[]) =>
  columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment }));
