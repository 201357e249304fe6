// Axis titles, units and number formats: a business reader sees "Lag (seconds)" and "€1,234.50",
// never a column name or a bare float.
import type { ReportData } from './model.js';

export type Unit = 'count' | 'seconds' | 'currency';

const measures: Record<string, { title: string; unit: Unit }> = {
  events: { title: 'Events', unit: 'count' },
  failed_events: { title: 'Rejected events', unit: 'count' },
  active: { title: 'Active (distinct)', unit: 'count' },
  devices: { title: 'Devices', unit: 'count' },
  purchases: { title: 'Purchases', unit: 'count' },
  revenue: { title: 'Revenue (in each currency)', unit: 'currency' },
  average_amount: { title: 'Average amount (in each currency)', unit: 'currency' },
  lag_seconds: { title: 'Lag (seconds)', unit: 'seconds' },
};

const dimensions: Record<string, string> = {
  dt: 'Event date (UTC)',
  app_id: 'App',
  event_type: 'Event type',
  failure_type: 'Why rejected',
  currency: 'Currency',
  entity: 'Counted',
  percentile: 'Percentile',
  device_status: 'Device',
};

export const humanize = (column: string): string => {
  const words = column.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export const measureOf = (column: string): { title: string; unit: Unit } =>
  measures[column] ?? { title: humanize(column), unit: 'count' };

export const columnTitle = (column: string): string => dimensions[column] ?? measureOf(column).title;

/** The y axis title of a report's chart, with its unit. */
export const yAxisTitle = (report: ReportData): string => measureOf(report.y).title;
export const xAxisTitle = (report: ReportData): string => columnTitle(report.x);

const counts = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function formatMoney(value: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(value);
  } catch {
    return `${counts.format(value)} ${currency}`;
  }
}

/** Seconds as published, with a readable equivalent past two minutes: "7,200 s (2 h)". */
export function formatSeconds(value: number): string {
  const seconds = `${counts.format(value)} s`;
  if (Math.abs(value) < 120) return seconds;
  if (Math.abs(value) < 7200) return `${seconds} (${counts.format(value / 60)} min)`;
  return `${seconds} (${counts.format(value / 3600)} h)`;
}

/** A value of a report's y column; `series` names the currency of a revenue series. */
export function formatValue(value: number, unit: Unit, series?: string): string {
  if (unit === 'currency' && series) return formatMoney(value, series);
  if (unit === 'seconds') return formatSeconds(value);
  return counts.format(value);
}

export const formatCount = (value: number): string => counts.format(value);

export function formatAge(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} days`;
}
