// SQL text building shared by every local component that talks to DuckDB.
import type { ColumnType } from '#shared/contract/table-schemas.js';

/** The DuckDB type of each lake column type (the Glue/Hive names in shared/contract/table-schemas.ts). */
export const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};

/** A single-quoted SQL string literal. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** A double-quoted SQL identifier. */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A DuckDB list literal of strings, e.g. the files a read_parquet call reads. */
export const sqlList = (values: readonly string[]): string => `[${values.map(sqlString).join(', ')}]`;
