// The dashboard page as the browser test reads it: what its chart instances draw, its tiles, its
// tables, and the check that all of them say what the published CSVs say for a selection.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { type CsvRow, cells, type DrawnChart, drawnCells, type Selection, select, total } from './published.js';

// Page-side globals of the functions run in the browser (the Node program has no DOM types).
interface PageApi {
  chartState(report: string): DrawnChart | null;
  pointOf(report: string, series: number, x: number): { x: number; y: number };
  state(): Selection;
}
declare const window: Record<string, unknown> & { eventlakeDashboard: PageApi };

export const chart = (page: Page, report: string): Promise<DrawnChart | null> =>
  page.evaluate((r) => window.eventlakeDashboard.chartState(r), report);
export const tile = async (page: Page, id: string): Promise<number> =>
  Number(await page.locator(`.tile[data-kpi="${id}"]`).getAttribute('data-value'));
export const tableRows = (page: Page, report: string): Promise<string[][]> =>
  page.$$eval(`section[data-report="${report}"] tbody tr`, (trs) =>
    trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')),
  );

/** The page's charts and tiles against the published CSVs for one selection. */
export async function expectShown(page: Page, rows: Record<string, CsvRow[]>, s: Selection): Promise<void> {
  const byType = cells(select(rows.events_by_type_daily ?? [], s), 'dt', 'event_type', 'events');
  expect(drawnCells(await chart(page, 'events_by_type_daily'))).toEqual(byType);
  expect(await tile(page, 'valid_events')).toBe(total(byType));
  const failed = cells(
    select(rows.failed_events_daily ?? [], { from: s.from, to: s.to }),
    'dt',
    'failure_type',
    'failed_events',
  );
  expect(drawnCells(await chart(page, 'failed_events_daily'))).toEqual(failed);
  expect(await tile(page, 'failed_events')).toBe(total(failed));
  const money = cells(
    select(rows.purchases_revenue_daily ?? [], { from: s.from, to: s.to }),
    'dt',
    'currency',
    'revenue',
  );
  expect(drawnCells(await chart(page, 'purchases_revenue_daily'))).toEqual(money);
  for (const currency of new Set(Object.keys(money).map((k) => k.split('|')[0]))) {
    const ofCurrency = Object.fromEntries(Object.entries(money).filter(([k]) => k.startsWith(`${currency}|`)));
    expect(await tile(page, `revenue_${currency}`)).toBe(total(ofCurrency));
  }
}
