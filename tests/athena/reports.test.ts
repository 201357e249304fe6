// Every report of the catalogue, run by the local Athena on the fixture lake: header complete,
// the expected rows for the report date, and the same rows when `events` reads the raw NDJSON.
import { rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAthena, makeLocalAthena } from '../../local/athena/athena.js';
import { forDate, loadReports } from './catalogue.js';
import { DAY, makeDataDir, writeFixtureLake } from './fixture.js';

const reports = loadReports();
const CHARTS = ['bar', 'stacked-bar', 'line', 'area', 'pie', 'table'];

const expectedRows: Record<string, (string | null)[][]> = {
  events_by_type_daily: [
    [DAY, 'page_view', '4'],
    [DAY, 'purchase', '3'],
    [DAY, 'session_start', '2'],
  ],
  daily_active_devices_users: [
    [DAY, 'devices', '5'],
    [DAY, 'users', '3'],
  ],
  // d1 and d2 were seen the day before; d4 only 113 days before (outside the window), d3 and d5 never.
  new_vs_returning_devices: [
    [DAY, 'new', '3'],
    [DAY, 'returning', '2'],
  ],
  // The EUR purchase of the previous day (99) is not in DAY's revenue.
  purchases_revenue_daily: [
    [DAY, 'EUR', '2', '79.9', '39.95'],
    [DAY, 'USD', '1', '15.5', '15.5'],
  ],
  // Lags in seconds: 1, 1.5, 2, 3, 4, 5, 6, 8, 10; nearest-rank percentiles (values of the data).
  ingestion_lag_daily: [
    [DAY, 'p50', '4'],
    [DAY, 'p90', '10'],
    [DAY, 'p99', '10'],
    [DAY, 'max', '10'],
  ],
  // The failure of the previous day is not counted.
  failed_events_daily: [
    [DAY, 'malformed_json', '2'],
    [DAY, 'schema_violation', '1'],
  ],
  top_event_types_per_app: [
    [DAY, 'shop-ios', 'page_view', '1', '1'],
    [DAY, 'shop-ios', 'purchase', '1', '2'],
    [DAY, 'shop-ios', 'session_start', '1', '3'],
    [DAY, 'shop-web', 'page_view', '3', '1'],
    [DAY, 'shop-web', 'purchase', '2', '2'],
    [DAY, 'shop-web', 'session_start', '1', '3'],
  ],
};

let dataDir: string;
let instance: DuckDBInstance;
let curated: LocalAthena;
let raw: LocalAthena;

beforeAll(async () => {
  dataDir = makeDataDir();
  instance = await DuckDBInstance.create(':memory:');
  await writeFixtureLake(dataDir, instance);
  const common = {
    dataDir,
    instance,
    workgroup: { name: 'reports', bytesScannedCutoffPerQuery: 1_073_741_824 },
    onObjectCreated: () => {},
  };
  curated = makeLocalAthena(common);
  raw = makeLocalAthena({ ...common, eventsSource: 'raw' });
});

afterAll(async () => {
  await curated.idle();
  await raw.idle();
  instance.closeSync();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the report catalogue', () => {
  it('holds at least the seven reports the dashboard needs, each with an expectation here', () => {
    expect(reports.map((r) => r.name).sort()).toEqual(Object.keys(expectedRows).sort());
  });

  it.each(reports)('$name has a complete header and a query parameterised by {{dt}}', (report) => {
    expect(report.name).toMatch(/^[a-z0-9_]+$/);
    for (const key of ['title', 'description', 'grain', 'chart', 'x', 'y', 'source']) {
      expect(report.header[key], key).toBeTruthy();
    }
    expect(CHARTS).toContain(report.header.chart);
    expect(['events', 'failed_events']).toContain(report.header.source);
    expect(report.query).toContain('{{dt}}');
    expect(report.query).toMatch(/WHERE\s+dt\s*=\s*\{\{dt\}\}/);
    expect(report.query).not.toMatch(/;\s*$/);
  });

  it.each(reports)('$name returns the expected rows for the report date, dt on every row', async (report) => {
    const result = await curated.query(forDate(report.query, DAY));
    const names = result.columns.map((c) => c.name);
    expect(names[0]).toBe('dt');
    for (const column of [report.header.x, report.header.y, report.header.series]) {
      if (column !== undefined && column !== 'dt') expect(names).toContain(column);
    }
    expect(result.rows).toEqual(expectedRows[report.name]);
  });

  it.each(reports.filter((r) => r.header.source === 'events'))(
    '$name gives the same rows over the raw NDJSON, measured the same way',
    async (report) => {
      const sql = forDate(report.query, DAY);
      const [fromParquet, fromRaw] = [await curated.query(sql), await raw.query(sql)];
      expect(fromRaw.rows).toEqual(fromParquet.rows);
      expect(fromRaw.statistics.DataScannedInBytes).toBeGreaterThan(0);
    },
  );

  it.each(reports)('$name returns no rows, and no error, for a date without data', async (report) => {
    const result = await curated.query(forDate(report.query, '2030-01-01'));
    expect(result.rows).toEqual([]);
    expect(result.columns[0]?.name).toBe('dt');
  });
});
