// Bytes scanned per report on one date: the same rendered SQL through a local Athena whose `events`
// is the curated Parquet and through one whose `events` is the raw gzip NDJSON, both measured the
// same way (DuckDB's file-system reads, see local/athena/scan.ts), with no cutoff in the way.
import type { DuckDBInstance } from '@duckdb/node-api';
import { type ReportDefinition, renderReportSql } from '#shared/reports/catalogue.js';
import { makeLocalAthena } from '../local/athena/athena.js';
import type { EventsSource } from '../local/athena/tables.js';
import type { BenchResult } from './types.js';

export const SCAN_TARGET = 30;

const athenaOver = (dataDir: string, instance: DuckDBInstance, eventsSource: EventsSource) =>
  makeLocalAthena({
    dataDir,
    instance,
    eventsSource,
    database: `bench_${eventsSource}`,
    workgroup: { name: 'bench', bytesScannedCutoffPerQuery: Number.MAX_SAFE_INTEGER },
    onObjectCreated: () => {},
  });

export async function scanComparison(
  dataDir: string,
  instance: DuckDBInstance,
  reports: readonly ReportDefinition[],
  dt: string,
): Promise<BenchResult> {
  const curated = athenaOver(dataDir, instance, 'curated');
  const raw = athenaOver(dataDir, instance, 'raw');
  const figures: Record<string, number> = {};
  const targets: Record<string, number> = {};
  for (const report of reports) {
    const sql = renderReportSql(report, dt);
    const onCurated = (await curated.query(sql)).statistics.DataScannedInBytes;
    const onRaw = (await raw.query(sql)).statistics.DataScannedInBytes;
    if (report.source === 'failed_events') {
      // failed_events is gzip NDJSON under failed/ whatever `events` is bound to: same bytes, no ratio to aim for.
      figures[`${report.name} KB (either)`] = Math.round(onCurated / 1024);
      continue;
    }
    const name = `${report.name} curated vs raw ×`;
    figures[name] = onCurated === 0 ? Number.POSITIVE_INFINITY : Math.round((onRaw / onCurated) * 10) / 10;
    figures[`${report.name} curated KB`] = Math.round(onCurated / 1024);
    targets[name] = SCAN_TARGET;
  }
  return { name: `pipeline: bytes scanned per report on dt=${dt}, curated Parquet vs raw NDJSON`, figures, targets };
}
