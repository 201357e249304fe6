// Derived curated columns (shared/contract/table-schemas.ts Derivation) in the local engine: their argument
// text checked as the PySpark job checks it, and their values as DuckDB SQL. glue/parquet_contract.py
// holds the same rules for Spark; glue/tests/json_value_cases.json keeps the two in step.

import { type ColumnType, type Derivation, jsonValueTypes } from '#shared/contract/table-schemas.js';
import { glueArgs } from '#shared/lake/glue-run.js';
import { DUCKDB_TYPES, sqlString } from '../pipeline/duckdb-sql.js';
import { InvalidInputException } from './errors.js';

/** What a derivation may refer to: the columns read from the raw event, by name. */
export type RawColumnTypes = ReadonlyMap<string, ColumnType>;

/** `$.key` or `$.key.key…`: plain object keys only, read the same way by DuckDB and Python. */
const JSON_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** DuckDB json_type answers accepted for each column type a json_value derivation produces. */
const JSON_TYPES_FOR: Partial<Record<ColumnType, readonly string[]>> = {
  string: ['VARCHAR'],
  double: ['BIGINT', 'UBIGINT', 'DOUBLE'],
  bigint: ['BIGINT'],
  boolean: ['BOOLEAN'],
};

/** `rule:arg:arg` of column `name` (typed `type`) → its derivation, checked against the raw columns. */
export function parseDerivation(name: string, type: ColumnType, text: string, raw: RawColumnTypes): Derivation {
  const [rule, first = '', second = '', ...rest] = text.split(':');
  if (rest.length > 0) invalid(`${name}: bad derivation '${text}'`);
  const needRaw = (column: string, wanted: ColumnType) => {
    if (raw.get(column) !== wanted) invalid(`${name}: ${column} is not a ${wanted} column read from the raw event`);
  };
  if (rule === 'json_value') {
    needRaw(first, 'string');
    if (!JSON_PATH.test(second)) invalid(`${name}: bad JSON path '${second}'`);
    if (!jsonValueTypes.includes(type)) invalid(`${name}: json_value cannot produce ${type}`);
    return { rule, source: first, path: second };
  }
  if (rule === 'millis_between') {
    needRaw(first, 'timestamp');
    needRaw(second, 'timestamp');
    if (type !== 'bigint') invalid(`${name}: millis_between produces bigint, not ${type}`);
    return { rule, start: first, end: second };
  }
  return invalid(`${name}: unknown derivation rule '${rule}'`);
}

/**
 * The value of a derived column as DuckDB SQL; `column` renders a reference to a typed raw column.
 * json_value parses the JSON once (TRY: text that is not JSON gives NULL, never an error), then
 * checks the JSON type of the one value it found.
 */
export function derivedValueSql(derivation: Derivation, type: ColumnType, column: (name: string) => string): string {
  if (derivation.rule === 'millis_between') {
    // Integer division truncates toward zero, as Spark's `div` does.
    return `(epoch_us(${column(derivation.end)}) - epoch_us(${column(derivation.start)})) // 1000`;
  }
  const found = `TRY(json_extract(${column(derivation.source)}, ${sqlString(derivation.path)}))`;
  const accepted = (JSON_TYPES_FOR[type] ?? []).map(sqlString).join(', ');
  const value = type === 'string' ? `json_extract_string(${found}, '$')` : `CAST(${found} AS ${DUCKDB_TYPES[type]})`;
  return `CASE WHEN json_type(${found}) IN (${accepted}) THEN ${value} END`;
}

function invalid(message: string): never {
  throw new InvalidInputException(`${glueArgs.columns}: ${message}`);
}
