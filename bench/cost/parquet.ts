// Parquet bytes per curated row, measured: the sample's valid events, as the transform wrote them,
// written by DuckDB as Snappy Parquet (what the local Glue job writes). A sample of thousands of rows
// compresses worse than a day of millions, so the figure errs high.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export async function parquetBytesPerRow(ndjson: Buffer, scale: number): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'eventlake-cost-'));
  try {
    const source = path.join(dir, 'events.ndjson');
    const target = path.join(dir, 'events.parquet');
    await writeFile(source, ndjson);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT * FROM read_ndjson_auto('${source}') ORDER BY event_time) TO '${target}' (FORMAT parquet, COMPRESSION snappy)`,
    );
    const rows = Number((await connection.runAndReadAll(`SELECT count(*) FROM '${target}'`)).getRows()[0]?.[0] ?? 0);
    connection.closeSync();
    instance.closeSync();
    return ((await stat(target)).size / Math.max(1, rows)) * scale;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
