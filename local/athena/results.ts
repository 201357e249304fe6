// Query results as Athena writes them: `<OutputLocation><QueryExecutionId>.csv` (header row, every
// non-null field double-quoted, NULL as an empty field, UTF-8 without BOM, LF line ends) and
// `<id>.csv.metadata` beside it. Athena's metadata file is binary; the local one is small JSON.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBResultReader } from '@duckdb/node-api';
import { parseS3Uri } from '#shared/lake/keys.js';
import type { ObjectRef } from '#shared/ports.js';
import { objectPath } from '../s3/buckets.js';

export interface ResultColumn {
  name: string;
  type: string;
}

export interface ResultTable {
  columns: ResultColumn[];
  /** Display values, as they appear in the CSV; null for SQL NULL. */
  rows: (string | null)[][];
}

export type OnObjectCreated = (ref: ObjectRef, size: number) => void | Promise<void>;

function displayValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function resultTable(reader: DuckDBResultReader): ResultTable {
  const types = reader.columnTypes();
  const columns = reader.columnNames().map((name, i) => ({ name, type: String(types[i]) }));
  return { columns, rows: reader.getRowsJson().map((row) => row.map(displayValue)) };
}

const csvField = (value: string | null): string => (value === null ? '' : `"${value.replaceAll('"', '""')}"`);
const csvLine = (values: readonly (string | null)[]): string => `${values.map(csvField).join(',')}\n`;

export const toCsv = (table: ResultTable): string =>
  csvLine(table.columns.map((c) => c.name)) + table.rows.map(csvLine).join('');

/** `s3://bucket/prefix/` + `<id>.csv`; a location without the trailing slash is treated as a folder. */
export function resultRef(outputLocation: string, queryExecutionId: string): ObjectRef {
  const { bucket, key } = parseS3Uri(outputLocation);
  const folder = key === '' || key.endsWith('/') ? key : `${key}/`;
  return { bucket, key: `${folder}${queryExecutionId}.csv` };
}

async function putFile(dataDir: string, ref: ObjectRef, body: string): Promise<number> {
  const file = objectPath(dataDir, ref);
  await mkdir(path.dirname(file), { recursive: true });
  // A dot-named temporary file, renamed into place: no reader ever sees half a result.
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await writeFile(temporary, body, 'utf8');
  await rename(temporary, file);
  return Buffer.byteLength(body, 'utf8');
}

export interface WrittenObject {
  ref: ObjectRef;
  size: number;
}

/** Writes the CSV and its metadata; returns both objects, CSV first, for the ObjectCreated notifications. */
export async function writeResult(
  dataDir: string,
  csvRef: ObjectRef,
  table: ResultTable,
  metadata: Record<string, unknown>,
): Promise<WrittenObject[]> {
  const metadataRef = { bucket: csvRef.bucket, key: `${csvRef.key}.metadata` };
  const csvSize = await putFile(dataDir, csvRef, toCsv(table));
  const metadataBody = `${JSON.stringify({ ...metadata, columns: table.columns, rowCount: table.rows.length })}\n`;
  const metadataSize = await putFile(dataDir, metadataRef, metadataBody);
  return [
    { ref: csvRef, size: csvSize },
    { ref: metadataRef, size: metadataSize },
  ];
}
