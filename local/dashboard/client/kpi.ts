// KPI tiles: a figure over the rows a report shows for the range (the same rows its chart draws),
// its change against the period of the same length just before, and its daily values (sparkline).
import {
  type DashboardData,
  previousRange,
  type ReportData,
  type Row,
  round,
  shownRows,
  type ViewState,
} from './model.js';

export interface KpiSpec {
  id: string;
  label: string;
  report: string;
  column: string;
  /** Only rows whose columns hold these values. */
  where?: Record<string, string>;
  /** One tile per value of this column (revenue per currency: never summed across currencies). */
  splitBy?: string;
  aggregate: 'sum' | 'dailyAverage';
  unit: 'count' | 'currency';
}

export const kpiSpecs: KpiSpec[] = [
  {
    id: 'valid_events',
    label: 'Valid events',
    report: 'events_by_type_daily',
    column: 'events',
    aggregate: 'sum',
    unit: 'count',
  },
  {
    id: 'failed_events',
    label: 'Rejected events',
    report: 'failed_events_daily',
    column: 'failed_events',
    aggregate: 'sum',
    unit: 'count',
  },
  {
    id: 'purchases',
    label: 'Purchases',
    report: 'purchases_revenue_daily',
    column: 'purchases',
    aggregate: 'sum',
    unit: 'count',
  },
  {
    id: 'revenue',
    label: 'Revenue',
    report: 'purchases_revenue_daily',
    column: 'revenue',
    splitBy: 'currency',
    aggregate: 'sum',
    unit: 'currency',
  },
  {
    id: 'active_devices',
    label: 'Active devices per day (average)',
    report: 'daily_active_devices_users',
    column: 'active',
    where: { entity: 'devices' },
    aggregate: 'dailyAverage',
    unit: 'count',
  },
];

export interface Kpi {
  id: string;
  label: string;
  report: string;
  unit: KpiSpec['unit'];
  /** The currency of a revenue tile. */
  currency?: string;
  value: number;
  /** Value over the previous period of the same length; null when the range is unbounded. */
  previous: number | null;
  /** Relative change (0.1 = +10 %); null without a previous period or when it was 0. */
  change: number | null;
  /** Daily values over the range, by date. */
  daily: { dt: string; value: number }[];
}

function dailyValues(rows: Row[], spec: KpiSpec, split?: string): Map<string, number> {
  const daily = new Map<string, number>();
  for (const row of rows) {
    if (spec.where && Object.entries(spec.where).some(([c, v]) => String(row[c]) !== v)) continue;
    if (spec.splitBy && String(row[spec.splitBy]) !== split) continue;
    const dt = String(row.dt);
    daily.set(dt, round((daily.get(dt) ?? 0) + Number(row[spec.column] ?? 0)));
  }
  return daily;
}

const aggregate = (daily: Map<string, number>, how: KpiSpec['aggregate']): number => {
  const values = [...daily.values()];
  const sum = round(values.reduce((a, b) => a + b, 0));
  if (how === 'sum') return sum;
  return values.length === 0 ? 0 : Math.round((sum / values.length) * 10) / 10;
};

function kpisOf(report: ReportData, spec: KpiSpec, state: ViewState): Kpi[] {
  const rows = shownRows(report, state);
  const before = previousRange(state);
  const previousRows = before ? shownRows(report, state, before) : [];
  const splits = spec.splitBy ? [...new Set(rows.map((r) => String(r[spec.splitBy as string])))].sort() : [undefined];
  return splits.map((split) => {
    const daily = dailyValues(rows, spec, split);
    const value = aggregate(daily, spec.aggregate);
    const previous = before ? aggregate(dailyValues(previousRows, spec, split), spec.aggregate) : null;
    return {
      id: split ? `${spec.id}_${split}` : spec.id,
      label: split ? `${spec.label} (${split})` : spec.label,
      report: report.name,
      unit: spec.unit,
      ...(split ? { currency: split } : {}),
      value,
      previous,
      change: previous ? (value - previous) / previous : null,
      daily: [...daily.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([dt, v]) => ({ dt, value: v })),
    };
  });
}

/** The tiles for the data and state, in spec order; a report not published yet gives no tile. */
export function computeKpis(data: DashboardData, state: ViewState, specs: KpiSpec[] = kpiSpecs): Kpi[] {
  return specs.flatMap((spec) => {
    const report = data.reports.find((r) => r.name === spec.report);
    return report ? kpisOf(report, spec, state) : [];
  });
}
