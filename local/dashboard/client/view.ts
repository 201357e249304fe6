// The page's HTML pieces as strings (DOM-free, so Node tests them): KPI tiles with sparklines, a
// section per report, tables.
import { columnTitle, formatCount, formatMoney } from './format.js';
import type { Kpi } from './kpi.js';
import { appliedFilters, type ReportData, type Row, unappliedFilters, type ViewState } from './model.js';

export const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** An inline SVG polyline of the daily values (no axes: the shape is the point). */
export function sparkline(values: number[], width = 120, height = 28): string {
  if (values.length === 0) return `<svg class="spark" width="${width}" height="${height}" aria-hidden="true"></svg>`;
  if (values.length === 1) {
    return `<svg class="spark" width="${width}" height="${height}" aria-hidden="true"><circle cx="${width / 2}" cy="${height / 2}" r="2.5" fill="#4e79a7"/></svg>`;
  }
  const max = Math.max(...values);
  const min = Math.min(...values, 0);
  const span = max - min || 1;
  const step = width / (values.length - 1);
  const points = values
    .map(
      (v, i) =>
        `${(values.length > 1 ? i * step : width / 2).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`,
    )
    .join(' ');
  return `<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-hidden="true"><polyline fill="none" stroke="#4e79a7" stroke-width="1.5" points="${points}"/></svg>`;
}

const kpiValue = (k: Kpi, value: number): string =>
  k.unit === 'currency' && k.currency ? formatMoney(value, k.currency) : formatCount(value);

function change(k: Kpi): string {
  if (k.previous === null) return '<span class="change">no earlier period to compare</span>';
  if (k.change === null) return '<span class="change">none in the previous period</span>';
  const pct = Math.round(k.change * 1000) / 10;
  const cls = pct > 0 ? 'up' : pct < 0 ? 'down' : '';
  const sign = pct > 0 ? '+' : '';
  return `<span class="change ${cls}">${sign}${pct}% vs previous period (${esc(kpiValue(k, k.previous))})</span>`;
}

export const tileHtml = (k: Kpi): string =>
  `<div class="tile" data-kpi="${esc(k.id)}" data-report="${esc(k.report)}" data-value="${k.value}" data-previous="${k.previous ?? ''}">` +
  `<span class="label">${esc(k.label)}</span><b>${esc(kpiValue(k, k.value))}</b>${change(k)}` +
  `${sparkline(k.daily.map((d) => d.value))}</div>`;

function filterNote(report: ReportData, state: ViewState): string {
  const applied = appliedFilters(report, state).map(([c, v]) => `${columnTitle(c)} = ${esc(v)}`);
  const missing = unappliedFilters(report, state).map((c) => `not split by ${columnTitle(c).toLowerCase()}`);
  const parts = [...(applied.length ? [`Filtered: ${applied.join(', ')}`] : []), ...missing];
  return parts.length ? `<p class="note">${parts.join(' · ')}</p>` : '';
}

export function sectionHtml(report: ReportData, state: ViewState, rows: Row[]): string {
  const latest = report.dates.at(-1);
  const files = latest ? `<a href="${esc(latest.csv)}">latest published CSV (${esc(latest.dt)})</a> · ` : '';
  const body =
    rows.length === 0
      ? '<p class="empty">No published data for this range and these filters.</p>'
      : `${report.chart === 'table' ? '' : `<div class="chart" role="img" aria-label="${esc(report.title)} chart"></div>`}` +
        `<details${report.chart === 'table' ? ' open' : ''}><summary>Table (${rows.length} ${rows.length === 1 ? 'row' : 'rows'})</summary>` +
        `<div class="table-wrap">${tableHtml(report.columns, rows)}</div></details>`;
  return (
    `<h2>${esc(report.title)}</h2><p class="summary">${esc(report.summary)}</p>${filterNote(report, state)}${body}` +
    `<p class="actions"><button type="button" class="download"${rows.length ? '' : ' disabled'}>Download CSV (rows shown)</button> ` +
    `${files}<a href="${esc(report.manifest)}">QuickSight manifest</a></p>`
  );
}

export function tableHtml(columns: string[], rows: Row[]): string {
  const isNumber = (cell: unknown) => cell !== null && cell !== '' && Number.isFinite(Number(cell));
  const numeric = new Set(columns.filter((c) => rows.every((r) => isNumber(r[c]))));
  const head = columns
    .map(
      (c) =>
        `<th scope="col" data-column="${esc(c)}" aria-sort="none"><button type="button">${esc(columnTitle(c))}</button></th>`,
    )
    .join('');
  const body = rows
    .map(
      (r) => `<tr>${columns.map((c) => `<td${numeric.has(c) ? ' class="num"' : ''}>${esc(r[c])}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
