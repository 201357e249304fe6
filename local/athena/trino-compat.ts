// Trino-named macros for DuckDB, so one report SQL runs on Athena (Trino) and locally. Only what
// DuckDB lacks, orders differently or computes differently; created as TEMP macros on the query
// connection, so they shadow DuckDB built-ins there (date_diff) and nowhere else in the instance.
import type { DuckDBConnection } from '@duckdb/node-api';

export interface TrinoMacro {
  name: string;
  params: readonly string[];
  body: string;
  /** Why DuckDB needs it: shown in docs/reports.md. */
  why: string;
}

export const trinoMacros: readonly TrinoMacro[] = [
  {
    name: 'json_extract_scalar',
    params: ['json_text', 'json_path'],
    // Trino answers NULL for objects and arrays; DuckDB's json_extract_string answers their JSON text.
    body: "CASE WHEN json_type(json_text, json_path) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(json_text, json_path) END",
    why: 'missing in DuckDB; json_extract_string returns objects/arrays as text where Trino returns NULL',
  },
  {
    name: 'approx_distinct',
    params: ['x'],
    body: 'approx_count_distinct(x)',
    why: 'named approx_count_distinct in DuckDB',
  },
  {
    name: 'approx_percentile',
    params: ['x', 'percentage'],
    // Exact and discrete (a value of the input, like Trino's digest answer on small data): deterministic tests.
    body: 'quantile_disc(x, percentage)',
    why: 'named approx_quantile in DuckDB; mapped to the exact quantile_disc (same argument order)',
  },
  {
    name: 'from_iso8601_timestamp',
    params: ['iso_text'],
    body: 'CAST(iso_text AS TIMESTAMPTZ)',
    why: 'missing in DuckDB; ISO-8601 with offset → timestamp with time zone (session zone UTC)',
  },
  {
    name: 'to_unixtime',
    params: ['ts'],
    body: 'epoch(ts)',
    why: 'named epoch in DuckDB (seconds as DOUBLE)',
  },
  {
    name: 'date_diff',
    params: ['unit', 'a', 'b'],
    // DuckDB's date_diff counts unit boundaries crossed; Trino counts whole units elapsed (= DuckDB date_sub).
    body: 'date_sub(unit, a, b)',
    why: "same argument order, but DuckDB counts boundaries crossed: date_diff('day', 23:00, 01:00 next day) is 1, Trino says 0",
  },
];

export const macroStatement = (m: TrinoMacro): string =>
  `CREATE OR REPLACE TEMP MACRO ${m.name}(${m.params.join(', ')}) AS ${m.body}`;

/** Creates the macros on one connection (TEMP objects live and die with it). */
export async function installTrinoCompat(connection: DuckDBConnection): Promise<void> {
  for (const macro of trinoMacros) await connection.run(macroStatement(macro));
}
