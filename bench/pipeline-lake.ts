// What the benchmark run left in the lake, read from the files: curated rows per date (current
// generations), object counts
// and sizes, the time of the last publication (reports/index.json), and any dead letters.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { config } from '#shared/config.js';
import { currentCuratedFiles } from '../local/glue/generations.js';
import { sqlList } from '../local/pipeline/duckdb-sql.js';
import type { LocalPipeline } from '../local/pipeline/pipeline.js';
import { localBucketNames } from '../local/s3/buckets.js';

export interface LakeFigures {
  curatedRows: number;
  busiestDate: string;
  rawObjects: number;
  rawBytes: number;
  curatedBytes: number;
  glueRuns: number;
  inDlq: number;
  lastPublishedMs: number;
}

const dataFiles = (dir: string, suffix: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix) && !/^[_.]/.test(path.basename(f)))
    .map((f) => path.join(dir, f));

const totalBytes = (files: readonly string[]): number => files.reduce((sum, f) => sum + statSync(f).size, 0);

export async function lakeFigures(p: LocalPipeline, dataDir: string): Promise<LakeFigures> {
  const raw = dataFiles(path.join(dataDir, localBucketNames.ingest, config.prefixes.events), '.gz');
  const curatedDir = path.join(dataDir, localBucketNames.lake, config.prefixes.curated);
  if (!existsSync(curatedDir)) {
    const failed = p.glue.runs().filter((r) => r.state === 'FAILED');
    throw new Error(
      `no Glue run reached curated: ${failed.length} runs failed, last: ${failed.at(-1)?.error ?? 'none'}`,
    );
  }
  // Each partition's current generation only: a superseded one may still be on disk (docs/lake.md).
  const curated = currentCuratedFiles(dataDir);
  const connection = await p.instance.connect();
  const rows = (
    await connection.runAndReadAll(
      `SELECT dt, count(*) AS n FROM read_parquet(${sqlList(curated)}, hive_partitioning = true, hive_types = {'event_type': VARCHAR, 'dt': VARCHAR}) GROUP BY dt ORDER BY n DESC`,
    )
  ).getRowObjectsJS();
  connection.closeSync();
  const index = JSON.parse(
    readFileSync(path.join(dataDir, localBucketNames.reporting, config.prefixes.reports, 'index.json'), 'utf8'),
  ) as { reports: { dates: { publishedAt: string }[] }[] };
  const published = index.reports.flatMap((r) => r.dates.map((d) => Date.parse(d.publishedAt)));
  return {
    curatedRows: rows.reduce((sum, r) => sum + Number(r.n), 0),
    busiestDate: String(rows[0]?.dt),
    rawObjects: raw.length,
    rawBytes: totalBytes(raw),
    curatedBytes: totalBytes(curated),
    glueRuns: p.glue.runs().length,
    inDlq: Object.values(p.queues).reduce((sum, { dlq }) => sum + dlq.stats().visible, 0),
    lastPublishedMs: Math.max(...published),
  };
}
