// What a release promises readers: every attribute schema version (and the envelope) as it was
// released, and the curated columns with their types. `eventlake schema release` writes it to
// schemas/released.json; `eventlake schema check` compares the repository against it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { curatedColumns, curatedPartitionColumns } from '#shared/contract/table-schemas.js';

export type JsonSchema = Record<string, unknown>;

export interface SchemaSnapshot {
  /** Curated columns (partition columns included) → type. */
  columns: Record<string, string>;
  /** `envelope` and `<event_type>/v<n>` → the schema document. */
  schemas: Record<string, JsonSchema>;
}

export const RELEASED_FILE = 'schemas/released.json';

const VERSION_FILE = /^v([1-9][0-9]*)\.json$/;

/** The schemas under `schemasDir`: `envelope.json` and every `<event_type>/v<n>.json`. */
export function readSchemas(schemasDir: string): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {};
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
  const envelope = path.join(schemasDir, 'envelope.json');
  if (existsSync(envelope)) schemas.envelope = read(envelope);
  for (const entry of readdirSync(schemasDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const files = readdirSync(path.join(schemasDir, entry.name)).filter((f) => VERSION_FILE.test(f));
    for (const file of files.sort()) {
      const version = VERSION_FILE.exec(file)?.[1];
      schemas[`${entry.name}/v${version}`] = read(path.join(schemasDir, entry.name, file));
    }
  }
  return schemas;
}

/** The repository's current contract, in snapshot form. */
export function currentSnapshot(root: string): SchemaSnapshot {
  const columns = Object.fromEntries(
    [...curatedColumns, ...curatedPartitionColumns].map((column) => [column.name, column.type]),
  );
  return { columns, schemas: readSchemas(path.join(root, 'schemas')) };
}

export function readReleased(root: string): SchemaSnapshot | undefined {
  const file = path.join(root, RELEASED_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SchemaSnapshot) : undefined;
}

/** Stable text of a snapshot: sorted keys at every level, so a release diff shows only real changes. */
export function snapshotText(snapshot: SchemaSnapshot): string {
  return `${JSON.stringify(sortKeys(snapshot), null, 2)}\n`;
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
