// The dashboard in the browser: reads the embedded data, keeps the range and filters in the URL
// hash, draws KPI tiles and one ECharts chart per report from the same rows, and under the dev
// server polls reports/index.json to swap in data.json when a report is republished.
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { type ECharts, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { chartOption } from './chart-options.js';
import { toCsv } from './csv.js';
import { formatAge } from './format.js';
import { inspectCharts } from './inspect.js';
import { computeKpis } from './kpi.js';
import { newerData } from './live.js';
import {
  chartData,
  type DashboardData,
  type FilterColumn,
  filterColumns,
  formatState,
  type Preset,
  parseState,
  presetRange,
  shownRows,
  type ViewState,
} from './model.js';
import { sortTable } from './sort-table.js';
import { esc, sectionHtml, tileHtml } from './view.js';

use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  CanvasRenderer,
]);

const POLL_MS = 2_000;
const $ = <T extends Element>(selector: string): T => document.querySelector(selector) as T;
const today = () => new Date().toISOString().slice(0, 10);

let data: DashboardData = JSON.parse($<HTMLScriptElement>('#data').textContent ?? '{}');
let state: ViewState = parseState(location.hash, today());
const charts = new Map<string, ECharts>();

function setState(next: ViewState): void {
  state = next;
  history.replaceState(null, '', formatState(state));
  render();
}

function distinctValues(column: string): string[] {
  const values = new Set<string>();
  for (const report of data.reports)
    for (const row of report.rows) if (row[column] != null) values.add(String(row[column]));
  return [...values].sort();
}

function renderControls(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
    button.setAttribute('aria-pressed', String(button.dataset.preset === state.preset));
  }
  $<HTMLInputElement>('#from').value = state.from ?? '';
  $<HTMLInputElement>('#to').value = state.to ?? '';
  for (const column of filterColumns) {
    const select = $<HTMLSelectElement>(`#filter-${column}`);
    const options = distinctValues(column);
    const current = state.filters[column];
    if (current && !options.includes(current)) options.push(current);
    select.innerHTML = `<option value="">All</option>${options.map((v) => `<option${v === current ? ' selected' : ''}>${esc(v)}</option>`).join('')}`;
  }
}

function renderTiles(): void {
  $('#tiles').innerHTML = computeKpis(data, state).map(tileHtml).join('');
}

function toggleFilter(column: string, value: string): void {
  if (!(filterColumns as readonly string[]).includes(column)) return;
  const filters = { ...state.filters };
  if (filters[column as FilterColumn] === value) delete filters[column as FilterColumn];
  else filters[column as FilterColumn] = value;
  setState({ ...state, filters });
}

function download(name: string, csv: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
  link.download = `${name}_${state.from ?? 'start'}_${state.to ?? 'end'}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function renderReports(): void {
  const main = $('#reports');
  for (const chart of charts.values()) chart.dispose();
  charts.clear();
  main.innerHTML = '';
  for (const report of data.reports) {
    const rows = shownRows(report, state);
    const section = document.createElement('section');
    section.className = 'report';
    section.dataset.report = report.name;
    section.innerHTML = sectionHtml(report, state, rows);
    main.append(section);
    section
      .querySelector('.download')
      ?.addEventListener('click', () => download(report.name, toCsv(report.columns, rows)));
    for (const th of section.querySelectorAll<HTMLTableCellElement>('th')) {
      th.querySelector('button')?.addEventListener('click', () =>
        sortTable(th.closest('table') as HTMLTableElement, th),
      );
    }
    const holder = section.querySelector<HTMLElement>('.chart');
    if (!holder) continue;
    const chart = init(holder);
    chart.setOption(chartOption(report, chartData(report, rows)));
    // Click a series (or a pie slice) whose column is a filter: every chart concerned follows.
    chart.on('click', (params) => {
      if (report.chart === 'pie') toggleFilter(report.x, String(params.name));
      else if (report.series) toggleFilter(report.series, String(params.seriesName));
    });
    charts.set(report.name, chart);
  }
}

function renderFreshness(): void {
  const el = $<HTMLElement>('#freshness');
  if (!data.indexUpdatedAt) {
    el.textContent = 'No report published yet.';
    el.className = 'freshness stale';
    return;
  }
  const age = (Date.now() - Date.parse(data.indexUpdatedAt)) / 1000;
  const stale = age > data.freshnessSeconds;
  el.dataset.ageSeconds = String(Math.round(age));
  el.className = stale ? 'freshness stale' : 'freshness';
  el.textContent =
    `Data as of ${formatAge(age)} ago` +
    (stale
      ? ` — stale: nothing published for over ${formatAge(data.freshnessSeconds)}, the pipeline may be stuck.`
      : '');
}

function render(): void {
  document.body.dataset.indexUpdatedAt = data.indexUpdatedAt ?? '';
  renderControls();
  renderTiles();
  renderReports();
  renderFreshness();
}

function wireControls(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
    button.addEventListener('click', () => {
      const preset = button.dataset.preset as Preset;
      setState({ ...state, preset, ...presetRange(preset, today()) });
    });
  }
  for (const id of ['from', 'to'] as const) {
    $<HTMLInputElement>(`#${id}`).addEventListener('change', (e) => {
      const value = (e.target as HTMLInputElement).value || null;
      setState({ ...state, preset: 'custom', [id]: value });
    });
  }
  for (const column of filterColumns) {
    $<HTMLSelectElement>(`#filter-${column}`).addEventListener('change', (e) => {
      const value = (e.target as HTMLSelectElement).value;
      const filters = { ...state.filters, [column]: value || undefined };
      if (!value) delete filters[column];
      setState({ ...state, filters });
    });
  }
  $('#clear').addEventListener('click', () => setState({ ...state, filters: {} }));
  window.addEventListener('hashchange', () => {
    state = parseState(location.hash, today());
    render();
  });
  window.addEventListener('resize', () => {
    for (const chart of charts.values()) chart.resize();
  });
}

Object.assign(window, { eventlakeDashboard: { ...inspectCharts(charts), state: () => state, data: () => data } });
if (!location.hash) history.replaceState(null, '', formatState(state));
wireControls();
render();
setInterval(renderFreshness, 1_000);
if (location.protocol.startsWith('http')) {
  setInterval(() => {
    void newerData(data).then((next) => {
      if (!next) return;
      data = next;
      render();
    });
  }, POLL_MS);
}
