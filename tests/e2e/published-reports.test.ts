// What QuickSight reads after a run: reports/<report>/dt=<d>/<report>.csv with the rows of the
// report's SQL, each report's manifest.json, and reports/index.json listing every report and date.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportSql } from '#shared/reports/catalogue.js';
import { curatedRoot, currentPartition, readPointer } from '../../local/glue/generations.js';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { bucketDir, newDataDir, removeDataDir, sendItems, startE2ePipeline, trafficItems } from './harness.js';
import { curatedRows, parseAthenaCsv, queryRows, readText } from './lake.js';

let dataDir: string;
let p: LocalPipeline;
let reportsDir: string;
/** dt → event_type → rows, from the curated Parquet files themselves. */
let curatedByDate: Map<string, Map<string, number>>;

beforeAll(async () => {
  dataDir = await newDataDir();
  p = await startE2ePipeline(dataDir);
  await sendItems(p, trafficItems(23, 1_500));
  await settle(p);
  reportsDir = path.join(bucketDir(dataDir, 'reporting'), 'reports');
  curatedByDate = new Map();
  for (const row of await curatedRows(p.instance, dataDir)) {
    const types = curatedByDate.get(row.dt) ?? new Map<string, number>();
    types.set(row.event_type, (types.get(row.event_type) ?? 0) + 1);
    curatedByDate.set(row.dt, types);
  }
}, 90_000);

afterAll(async () => {
  await p?.close();
  await removeDataDir(dataDir);
});

const reportNames = () =>
  readdirSync(path.resolve(import.meta.dirname, '../../reports'))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.slice(0, -4))
    .sort();
const publishedCsv = (report: string, dt: string) => path.join(reportsDir, report, `dt=${dt}`, `${report}.csv`);

describe('published reports', () => {
  it('the run spans more than one event date', () => {
    expect(curatedByDate.size).toBeGreaterThanOrEqual(2);
  });

  it('events_by_type_daily: one CSV per date whose rows are the curated Parquet counts of that date', () => {
    for (const [dt, types] of curatedByDate) {
      const { header, rows } = parseAthenaCsv(readText(publishedCsv('events_by_type_daily', dt)));
      expect(header).toEqual(['dt', 'event_type', 'events']);
      const expected = [...types]
        .sort(([ta, a], [tb, b]) => b - a || ta.localeCompare(tb))
        .map(([type, n]) => [dt, type, String(n)]);
      expect(rows).toEqual(expected);
    }
  });

  it('every published CSV holds exactly the rows of its report SQL run directly on the lake', async () => {
    for (const report of p.catalogue) {
      for (const dt of curatedByDate.keys()) {
        const direct = await p.athena.query(renderReportSql(report, dt));
        const published = parseAthenaCsv(readText(publishedCsv(report.name, dt)));
        expect(published.header, `${report.name} ${dt}`).toEqual(direct.columns.map((c) => c.name));
        expect(published.rows, `${report.name} ${dt}`).toEqual(direct.rows);
      }
    }
  });

  it('purchases_revenue_daily sums the purchase amounts in the curated Parquet', async () => {
    const lake = path.join(bucketDir(dataDir, 'lake'), 'curated', 'events', 'event_type=purchase');
    const dates = readdirSync(lake).map((d) => d.replace('dt=', ''));
    expect(dates.length).toBeGreaterThan(0);
    for (const dt of dates) {
      // The date's current generation (a closed date may have been compacted into g00000n/).
      const files = currentPartition(curatedRoot(dataDir), readPointer(dataDir), { eventType: 'purchase', dt }).files;
      const [sums] = await queryRows(
        p.instance,
        `SELECT count(*) AS n, round(sum(CAST(json_extract_string(attributes, '$.amount') AS DOUBLE)), 2) AS revenue
           FROM read_parquet([${files.map((f) => `'${f.path}'`).join(', ')}])`,
      );
      const { rows } = parseAthenaCsv(readText(publishedCsv('purchases_revenue_daily', dt)));
      expect(rows).toHaveLength(1);
      expect(rows[0]?.slice(0, 4)).toEqual([dt, 'EUR', String(sums?.n), String(sums?.revenue)]);
    }
  });

  it("each report's manifest.json is the QuickSight manifest of its dated CSVs", () => {
    for (const report of reportNames()) {
      const text = readText(path.join(reportsDir, report, 'manifest.json'));
      expect(text.charCodeAt(0)).not.toBe(0xfeff);
      expect(JSON.parse(text)).toEqual({
        fileLocations: [{ URIPrefixes: [`s3://${localBucketNames.reporting}/reports/${report}/dt=`] }],
        globalUploadSettings: { format: 'CSV', delimiter: ',', textqualifier: '"', containsHeader: 'true' },
      });
    }
  });

  it('reports/index.json lists every report of the catalogue with every date, pointing at published CSVs', () => {
    const index = JSON.parse(readText(path.join(reportsDir, 'index.json'))) as {
      reports: { name: string; manifestKey: string; dates: { dt: string; key: string; queryExecutionId: string }[] }[];
    };
    const dates = [...curatedByDate.keys()].sort();
    expect(index.reports.map((r) => r.name)).toEqual(reportNames());
    for (const report of index.reports) {
      expect(report.manifestKey).toBe(`reports/${report.name}/manifest.json`);
      expect(report.dates.map((d) => d.dt)).toEqual(dates);
      for (const date of report.dates) {
        expect(date.key).toBe(`reports/${report.name}/dt=${date.dt}/${report.name}.csv`);
        // The enforced workgroup's one result location: athena-results/<queryId>.csv.
        const result = path.join(bucketDir(dataDir, 'reporting'), 'athena-results', `${date.queryExecutionId}.csv`);
        expect(readText(publishedCsv(report.name, date.dt))).toBe(readText(result));
      }
    }
  });

  it('publishes nothing outside the report layout', () => {
    for (const entry of readdirSync(reportsDir)) {
      if (entry === 'index.json') continue;
      expect(reportNames()).toContain(entry);
      const files = readdirSync(path.join(reportsDir, entry), { recursive: true, encoding: 'utf8' });
      const csvs = files.filter((f) => f.endsWith('.csv'));
      expect(csvs.length).toBeGreaterThan(0);
      for (const file of csvs) expect(file).toMatch(new RegExp(`^dt=\\d{4}-\\d{2}-\\d{2}/${entry}\\.csv$`));
    }
  });
});
