// The dashboard's rules, free of the DOM so Node tests them: the data the page is given, the date
// range and filters (kept in the URL hash), the rows a report shows, chart series and KPI tiles.
// Every number on the page comes out of `shownRows`, so a tile and a chart can never disagree.

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

export interface ReportData {
  name: string;
  title: string;
  /** Plain-language text for a business reader (the report's `summary:` header). */
  summary: string;
  chart: 'bar' | 'stacked-bar' | 'line' | 'area' | 'pie' | 'table';
  x: string;
  y: string;
  series?: string;
  /** Path of the report's QuickSight manifest, relative to the page. */
  manifest: string;
  /** Published dates, each with its CSV's path relative to the page. */
  dates: { dt: string; csv: string }[];
  columns: string[];
  rows: Row[];
}

export interface DashboardData {
  generatedAt: string;
  /** reports/index.json `updatedAt` the page was built from: when a report was last published. */
  indexUpdatedAt: string | null;
  /** Past this age the data is flagged stale (config alarms.firehoseFreshnessSeconds). */
  freshnessSeconds: number;
  reports: ReportData[];
}

export const presets = ['7', '30', '90', 'all'] as const;
export type Preset = (typeof presets)[number] | 'custom';
/** Columns the filter bar offers; a click on a chart series of one of these filters the others. */
export const filterColumns = ['app_id', 'event_type'] as const;
export type FilterColumn = (typeof filterColumns)[number];

export interface ViewState {
  preset: Preset;
  /** Inclusive yyyy-MM-dd bounds; null = unbounded. */
  from: string | null;
  to: string | null;
  filters: Partial<Record<FilterColumn, string>>;
}

const DAY_MS = 86_400_000;
const isDate = (s: string | null | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s);
export const addDays = (dt: string, days: number): string =>
  new Date(Date.parse(`${dt}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;

/** The range of a preset ending today (UTC: report dates are UTC event dates). */
export function presetRange(preset: Preset, today: string): { from: string | null; to: string | null } {
  if (preset === 'all' || preset === 'custom') return { from: null, to: null };
  return { from: addDays(today, 1 - Number(preset)), to: today };
}

export const defaultState = (today: string): ViewState => ({ preset: '30', ...presetRange('30', today), filters: {} });

/** Reads `#range=30` / `#from=…&to=…` plus `app_id=…&event_type=…`; anything unreadable falls back. */
export function parseState(hash: string, today: string): ViewState {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const filters: ViewState['filters'] = {};
  for (const column of filterColumns) {
    const value = params.get(column);
    if (value) filters[column] = value;
  }
  const range = params.get('range');
  if (range && (presets as readonly string[]).includes(range)) {
    return { preset: range as Preset, ...presetRange(range as Preset, today), filters };
  }
  const from = params.get('from');
  const to = params.get('to');
  if (isDate(from) || isDate(to)) {
    return { preset: 'custom', from: isDate(from) ? from : null, to: isDate(to) ? to : null, filters };
  }
  return { ...defaultState(today), filters };
}

export function formatState(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.preset === 'custom') {
    if (state.from) params.set('from', state.from);
    if (state.to) params.set('to', state.to);
  } else params.set('range', state.preset);
  for (const column of filterColumns) {
    const value = state.filters[column];
    if (value) params.set(column, value);
  }
  return `#${params.toString()}`;
}

/** The period of the same length just before the range, or null for an unbounded range. */
export function previousRange(state: Pick<ViewState, 'from' | 'to'>): { from: string; to: string } | null {
  if (!state.from || !state.to) return null;
  const length = daysBetween(state.from, state.to);
  return { from: addDays(state.from, -length), to: addDays(state.from, -1) };
}

const inRange = (dt: Cell, range: { from: string | null; to: string | null }): boolean => {
  const d = String(dt ?? '');
  return (!range.from || d >= range.from) && (!range.to || d <= range.to);
};

/** The filters a report is concerned by: those naming one of its columns. */
export const appliedFilters = (report: ReportData, state: ViewState): [FilterColumn, string][] =>
  filterColumns
    .filter((c) => report.columns.includes(c) && state.filters[c])
    .map((c) => [c, state.filters[c] as string]);

/** Filters set in the state that this report cannot honour (it has no such column). */
export const unappliedFilters = (report: ReportData, state: ViewState): FilterColumn[] =>
  filterColumns.filter((c) => state.filters[c] && !report.columns.includes(c));

/** The rows a report shows for a range and the filters: the one source of charts, tiles, tables, CSVs. */
export function shownRows(
  report: ReportData,
  state: ViewState,
  range: { from: string | null; to: string | null } = state,
): Row[] {
  const filters = appliedFilters(report, state);
  return report.rows.filter(
    (row) => inRange(row.dt ?? null, range) && filters.every(([column, value]) => String(row[column]) === value),
  );
}

export interface ChartSeries {
  name: string;
  values: number[];
}

export interface ChartData {
  x: string[];
  series: ChartSeries[];
}

const distinct = (values: Cell[]): string[] => [...new Set(values.map((v) => String(v ?? '')))];

/** x values (sorted when they are dates) × one series per `series` value, y summed per cell. */
export function chartData(report: ReportData, rows: Row[]): ChartData {
  const x = distinct(rows.map((r) => r[report.x] ?? null));
  if (report.x === 'dt') x.sort();
  const names = report.series ? distinct(rows.map((r) => r[report.series as string] ?? null)) : [report.y];
  const series = names.map((name) => {
    const values = x.map(() => 0);
    for (const row of rows) {
      if (report.series && String(row[report.series]) !== name) continue;
      const i = x.indexOf(String(row[report.x]));
      values[i] = round((values[i] ?? 0) + Number(row[report.y] ?? 0));
    }
    return { name, values };
  });
  return { x, series };
}

/** Sums stay exact to the cent: the published figures carry at most 3 decimals. */
export const round = (n: number): number => Math.round(n * 1000) / 1000;
