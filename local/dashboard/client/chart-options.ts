// ECharts options from a report's chart data: axis titles with units, tooltips formatted per series
// (revenue in its own currency), legend toggling and zoom on dates, all built into ECharts.
import { formatValue, measureOf, xAxisTitle, yAxisTitle } from './format.js';
import type { ChartData, ReportData } from './model.js';

const axisNumber = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

export const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];

interface TooltipItem {
  seriesName?: string;
  name?: string;
  value?: unknown;
  marker?: unknown;
  axisValueLabel?: string;
}

export function chartOption(report: ReportData, data: ChartData): Record<string, unknown> {
  const { unit } = measureOf(report.y);
  const seriesCurrency = report.series === 'currency';
  const label = (value: number, series?: string) => formatValue(value, unit, seriesCurrency ? series : undefined);
  const line = (item: TooltipItem) =>
    `${String(item.marker ?? '')}${item.seriesName ?? ''}: <b>${label(Number(item.value ?? 0), item.seriesName)}</b>`;
  // One currency on screen names the axis after it; several keep each series in its own currency.
  const currencies = seriesCurrency ? data.series.map((s) => s.name) : [];
  const yTitle =
    currencies.length === 1
      ? `${yAxisTitle(report).replace(/ \(in each currency\)$/, '')} (${currencies[0]})`
      : yAxisTitle(report);
  const base = { animation: false, color: palette, legend: { type: 'scroll', top: 0 } };
  if (report.chart === 'pie') {
    const values = data.x.map((name, i) => ({
      name,
      value: data.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0),
    }));
    return {
      ...base,
      tooltip: { trigger: 'item', formatter: (i: TooltipItem) => `${i.name}: <b>${label(Number(i.value ?? 0))}</b>` },
      series: [{ type: 'pie', name: yAxisTitle(report), radius: ['35%', '65%'], top: 24, data: values }],
    };
  }
  const stacked = report.chart === 'stacked-bar' || report.chart === 'area';
  const type = report.chart === 'line' || report.chart === 'area' ? 'line' : 'bar';
  return {
    ...base,
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (items: TooltipItem[]) => [items[0]?.axisValueLabel ?? '', ...items.map(line)].join('<br>'),
    },
    grid: { left: 8, right: 24, top: 60, bottom: report.x === 'dt' ? 64 : 40, containLabel: true },
    xAxis: { type: 'category', data: data.x, name: xAxisTitle(report), nameLocation: 'middle', nameGap: 26 },
    // The title sits above the axis, left-aligned: never clipped by the labels' width.
    yAxis: {
      type: 'value',
      name: yTitle,
      nameLocation: 'end',
      nameGap: 12,
      nameTextStyle: { align: 'left', fontWeight: 'bold' },
      axisLabel: { formatter: (v: number) => axisNumber.format(v) },
    },
    dataZoom: report.x === 'dt' ? [{ type: 'inside' }, { type: 'slider', height: 14, bottom: 6 }] : [],
    series: data.series.map((s) => ({
      name: s.name,
      type,
      data: s.values,
      ...(stacked ? { stack: 'total' } : {}),
      ...(report.chart === 'area' ? { areaStyle: {} } : {}),
      emphasis: { focus: 'series' },
    })),
  };
}
