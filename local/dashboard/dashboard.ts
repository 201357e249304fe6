// The QuickSight stand-in: a page beside the published reports (reports/index.html in the local
// reporting bucket) with KPI tiles and an ECharts chart per report, all computed in the browser from
// the published CSVs' rows. data.json holds the same data for the live page under `npm run dev`.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { config } from '#shared/config.js';
import type { ReportDefinition } from '#shared/reports/catalogue.js';
import { parseReportIndex } from '#shared/reports/index-file.js';
import { localBucketNames } from '../s3/buckets.js';
import { dashboardScript } from './bundle.js';
import type { DashboardData, ReportData } from './client/model.js';
import { readReportData } from './data.js';
import { dashboardPage } from './page.js';

/** updatedAt of reports/index.json, read before the CSVs: the page is at least this fresh. */
function indexUpdatedAt(reportsRoot: string): string | null {
  try {
    return parseReportIndex(readFileSync(path.join(reportsRoot, 'index.json'))).updatedAt;
  } catch {
    return null;
  }
}

/** Written beside, then renamed: a polling page never reads half a file. */
function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** Reads the published reports, writes reports/index.html, data.json and assets/; returns the page's path. */
export async function writeDashboard(
  connection: DuckDBConnection,
  dataDir: string,
  catalogue: readonly ReportDefinition[],
): Promise<string> {
  const reportsRoot = path.join(dataDir, localBucketNames.reporting, config.prefixes.reports);
  const updatedAt = indexUpdatedAt(reportsRoot);
  const reports: ReportData[] = [];
  for (const report of catalogue) reports.push(await readReportData(connection, reportsRoot, report));
  const data: DashboardData = {
    generatedAt: new Date().toISOString(),
    indexUpdatedAt: updatedAt,
    freshnessSeconds: config.alarms.firehoseFreshnessSeconds,
    reports,
  };
  mkdirSync(path.join(reportsRoot, 'assets'), { recursive: true });
  writeAtomic(path.join(reportsRoot, 'assets', 'dashboard.js'), await dashboardScript());
  writeAtomic(path.join(reportsRoot, 'data.json'), JSON.stringify(data));
  const page = path.join(reportsRoot, 'index.html');
  writeAtomic(page, dashboardPage(data));
  return page;
}
