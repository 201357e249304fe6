// The QuickSight stand-in: one static page beside the published reports (reports/index.html in
// the local reporting bucket), a chart per report drawn by Chart.js from its chart hint, a table
// view, data freshness and the lake's valid / failed / late counts. `npm run dev` serves it live.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import type { ReportDefinition } from '#shared/reports/catalogue.js';
import { localBucketNames } from '../s3/buckets.js';
import { type LakeCounts, type ReportView, readLakeCounts, readReportView } from './data.js';
import { dashboardPage } from './page.js';

export interface DashboardData {
  generatedAt: string;
  counts: LakeCounts;
  reports: ReportView[];
}

// chart.js exports no subpath for its UMD build: find it beside the package's main file.
const chartJsFile = (): string =>
  path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');

/** Reads the lake, writes reports/index.html (+ its Chart.js copy) and returns the page's path. */
export async function writeDashboard(
  connection: DuckDBConnection,
  dataDir: string,
  catalogue: readonly ReportDefinition[],
): Promise<string> {
  const reportsRoot = path.join(dataDir, localBucketNames.reporting, config.prefixes.reports);
  const bucketDirs = {
    ingest: path.join(dataDir, localBucketNames.ingest),
    lake: path.join(dataDir, localBucketNames.lake),
  };
  const reports: ReportView[] = [];
  for (const report of catalogue) reports.push(await readReportView(connection, reportsRoot, report));
  const data: DashboardData = {
    generatedAt: new Date().toISOString(),
    counts: await readLakeCounts(connection, bucketDirs),
    reports,
  };
  mkdirSync(path.join(reportsRoot, 'assets'), { recursive: true });
  copyFileSync(chartJsFile(), path.join(reportsRoot, 'assets', 'chart.umd.js'));
  const page = path.join(reportsRoot, 'index.html');
  writeFileSync(page, dashboardPage(data));
  return page;
}
