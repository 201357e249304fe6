// The dashboard's rules without a browser: URL state, ranges, the rows a report shows, chart series,
// KPI tiles (which must add up to the charts), CSV in and out.
import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from '../../local/dashboard/client/csv.js';
import { formatSeconds, formatValue } from '../../local/dashboard/client/format.js';
import { computeKpis } from '../../local/dashboard/client/kpi.js';
import {
  chartData,
  type DashboardData,
  formatState,
  parseState,
  presetRange,
  previousRange,
  type ReportData,
  shownRows,
  type ViewState,
} from '../../local/dashboard/client/model.js';
import { sparkline, tableHtml } from '../../local/dashboard/client/view.js';

const report = (name: string, columns: string[], rows: string[][], extra: Partial<ReportData> = {}): ReportData => ({
  name,
  title: name,
  summary: '',
  chart: 'stacked-bar',
  x: 'dt',
  y: columns[2] as string,
  series: columns[1] as string,
  manifest: `${name}/manifest.json`,
  dates: [],
  columns,
  rows: rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? null]))),
  ...extra,
});

const byType = report(
  'events_by_type_daily',
  ['dt', 'event_type', 'events'],
  [
    ['2026-12-01', 'page_view', '5'],
    ['2026-12-03', 'page_view', '10'],
    ['2026-12-03', 'purchase', '2'],
    ['2026-12-04', 'page_view', '7'],
    ['2026-12-05', 'purchase', '3'],
  ],
);
const perApp = report(
  'top_event_types_per_app',
  ['dt', 'app_id', 'event_type', 'events'],
  [
    ['2026-12-04', 'shop-web', 'page_view', '4'],
    ['2026-12-04', 'kiosk-app', 'page_view', '3'],
  ],
);
const revenue = report(
  'purchases_revenue_daily',
  ['dt', 'currency', 'purchases', 'revenue'],
  [
    ['2026-11-30', 'EUR', '1', '10.10'],
    ['2026-12-03', 'EUR', '2', '20.20'],
    ['2026-12-04', 'USD', '1', '5.05'],
    ['2026-12-05', 'EUR', '3', '0.1'],
    ['2026-12-05', 'EUR', '0', '0.2'],
  ],
);
const data: DashboardData = {
  generatedAt: '2026-12-05T10:00:00Z',
  indexUpdatedAt: '2026-12-05T09:59:58Z',
  freshnessSeconds: 900,
  reports: [byType, perApp, { ...revenue, y: 'revenue' }],
};
const state = (over: Partial<ViewState>): ViewState => ({
  preset: 'custom',
  from: null,
  to: null,
  filters: {},
  ...over,
});

describe('URL state', () => {
  it('round-trips presets, custom ranges and filters through the hash', () => {
    const preset = parseState('#range=7&event_type=purchase', '2026-12-05');
    expect(preset).toEqual({ preset: '7', from: '2026-11-29', to: '2026-12-05', filters: { event_type: 'purchase' } });
    expect(formatState(preset)).toBe('#range=7&event_type=purchase');
    const custom = parseState('#from=2026-12-01&to=2026-12-03&app_id=shop+web', '2026-12-05');
    expect(custom).toEqual({ preset: 'custom', from: '2026-12-01', to: '2026-12-03', filters: { app_id: 'shop web' } });
    expect(parseState(formatState(custom), '2026-12-05')).toEqual(custom);
  });

  it('falls back to the last 30 days on an empty or unreadable hash', () => {
    expect(parseState('', '2026-12-05')).toMatchObject({ preset: '30', from: '2026-11-06', to: '2026-12-05' });
    expect(parseState('#from=yesterday', '2026-12-05').preset).toBe('30');
    expect(presetRange('all', '2026-12-05')).toEqual({ from: null, to: null });
  });

  it('compares with the period of the same length just before, crossing months', () => {
    expect(previousRange({ from: '2026-12-01', to: '2026-12-07' })).toEqual({ from: '2026-11-24', to: '2026-11-30' });
    expect(previousRange({ from: null, to: '2026-12-07' })).toBeNull();
  });
});

describe('rows, charts and tiles', () => {
  it('applies the range and only the filters whose column the report has', () => {
    const s = state({ from: '2026-12-03', to: '2026-12-04', filters: { event_type: 'page_view', app_id: 'shop-web' } });
    expect(shownRows(byType, s).map((r) => r.events)).toEqual(['10', '7']);
    expect(shownRows(perApp, s).map((r) => r.app_id)).toEqual(['shop-web']);
  });

  it('sums y per x and series, dates sorted, exact to the cent', () => {
    const chart = chartData(byType, shownRows(byType, state({ from: '2026-12-03' })));
    expect(chart).toEqual({
      x: ['2026-12-03', '2026-12-04', '2026-12-05'],
      series: [
        { name: 'page_view', values: [10, 7, 0] },
        { name: 'purchase', values: [2, 0, 3] },
      ],
    });
    const money = chartData({ ...revenue, y: 'revenue' }, shownRows(revenue, state({ from: '2026-12-05' })));
    expect(money.series).toEqual([{ name: 'EUR', values: [0.3] }]);
  });

  it('gives tiles that equal the charts, with the change against the previous period', () => {
    const s = state({ from: '2026-12-03', to: '2026-12-05' });
    const kpis = computeKpis(data, s);
    const valid = kpis.find((k) => k.id === 'valid_events');
    const chart = chartData(byType, shownRows(byType, s));
    expect(valid?.value).toBe(chart.series.flatMap((x) => x.values).reduce((a, b) => a + b, 0));
    expect(valid).toMatchObject({ value: 22, previous: 5, change: 17 / 5 });
    expect(valid?.daily).toEqual([
      { dt: '2026-12-03', value: 12 },
      { dt: '2026-12-04', value: 7 },
      { dt: '2026-12-05', value: 3 },
    ]);
    // Revenue is never summed across currencies: one tile each.
    expect(kpis.filter((k) => k.id.startsWith('revenue_')).map((k) => [k.label, k.value, k.previous])).toEqual([
      ['Revenue (EUR)', 20.5, 10.1],
      ['Revenue (USD)', 5.05, 0],
    ]);
    expect(computeKpis(data, state({})).find((k) => k.id === 'valid_events')).toMatchObject({
      value: 27,
      change: null,
    });
  });
});

describe('formats and pieces', () => {
  it('writes CSV as published and reads it back, quotes and newlines included', () => {
    const rows = [{ dt: '2026-12-05', note: 'a "b", c\nd' }];
    const csv = toCsv(['dt', 'note'], rows);
    expect(csv).toBe('"dt","note"\n"2026-12-05","a ""b"", c\nd"\n');
    expect(parseCsv(csv)).toEqual([
      ['dt', 'note'],
      ['2026-12-05', 'a "b", c\nd'],
    ]);
  });

  it('shows money in the series currency and seconds with a readable equivalent', () => {
    expect(formatValue(1234.5, 'currency', 'EUR')).toBe('€1,234.50');
    expect(formatValue(3, 'currency', 'XX1')).toBe('3 XX1');
    expect(formatSeconds(7200)).toBe('7,200 s (2 h)');
    expect(formatSeconds(12.25)).toBe('12.3 s');
  });

  it('escapes table cells and draws a sparkline through every value', () => {
    expect(tableHtml(['dt'], [{ dt: '<b>' }])).toContain('&#60;b&#62;');
    const svg = sparkline([0, 10, 5], 100, 20);
    expect(svg).toContain('points="0.0,18.0 50.0,2.0 100.0,10.0"');
  });
});
