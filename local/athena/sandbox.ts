// What user SQL may do in the local Athena: read the catalog's tables, nothing else. The engine's own
// DuckDB instance may open files only under the data folders (allowed_directories), external access
// is off and the configuration is locked, so no SET can give any of it back; on top of that, only
// SELECT/EXPLAIN statements are run, and no table function reads a file or lists a directory — Athena
// has no read_csv, COPY, ATTACH, INSTALL or LOAD either. Settings: duckdb.org/docs, "Securing DuckDB".
import type { DuckDBConnection } from '@duckdb/node-api';
import { StatementType } from '@duckdb/node-api';
import { sqlList, sqlString } from '../pipeline/duckdb-sql.js';

export class ForbiddenStatement extends Error {
  override name = 'ForbiddenStatement';
}

/** Table functions over values, not files: the only ones user SQL may call. */
const ALLOWED_TABLE_FUNCTIONS = new Set(['unnest', 'range', 'generate_series']);
const ALLOWED_STATEMENTS = new Set([StatementType.SELECT, StatementType.EXPLAIN]);

/** Closes the instance behind the connection: files only under `directories`, then locked for good. */
export async function lockDown(connection: DuckDBConnection, directories: readonly string[]): Promise<void> {
  await connection.run(`SET allowed_directories = ${sqlList(directories)}`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET allow_community_extensions = false');
  await connection.run('SET autoinstall_known_extensions = false');
  await connection.run('SET autoload_known_extensions = false');
  await connection.run('SET lock_configuration = true');
}

/** Throws ForbiddenStatement unless every statement is a query whose table functions read no file. */
export async function checkUserSql(connection: DuckDBConnection, sql: string): Promise<void> {
  const statements = await connection.extractStatements(sql);
  if (statements.count === 0) throw new ForbiddenStatement('no statement to run');
  for (let i = 0; i < statements.count; i += 1) {
    const prepared = await statements.prepare(i);
    if (!ALLOWED_STATEMENTS.has(prepared.statementType)) {
      throw new ForbiddenStatement(
        `only queries run here (SELECT, WITH, EXPLAIN); got a ${StatementType[prepared.statementType]} statement`,
      );
    }
  }
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)})`);
  const tree = JSON.parse(String(reader.getRows()[0]?.[0] ?? '{}')) as unknown;
  for (const name of tableFunctions(tree)) {
    if (!ALLOWED_TABLE_FUNCTIONS.has(name.toLowerCase())) {
      throw new ForbiddenStatement(`table function ${name}() is not available: query the catalog's tables`);
    }
  }
}

/** Names of the table functions a serialized statement calls, at any depth. */
function tableFunctions(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const child of node) tableFunctions(child, found);
    return found;
  }
  if (node === null || typeof node !== 'object') return found;
  const record = node as Record<string, unknown>;
  if (record.type === 'TABLE_FUNCTION') {
    const fn = record.function as Record<string, unknown> | undefined;
    if (typeof fn?.function_name === 'string') found.push(fn.function_name);
  }
  for (const value of Object.values(record)) tableFunctions(value, found);
  return found;
}
