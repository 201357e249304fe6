// The dashboard in a real browser (Debian's Chromium through playwright-core): the page a small demo
// run wrote, opened from file://, and the live page under the dev stack. Every figure the page draws
// is checked against the published CSVs. Screenshots go to a temp dir (printed). Fails, never skips,
// without /usr/bin/chromium.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { runDemo } from '../../local/cli/demo.js';
import { type DevSession, startDev } from '../../local/cli/dev.js';
import { type Browser, launchChromium } from '../../local/dashboard/browser.js';
import { parseCsv } from '../../local/dashboard/client/csv.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { pageView } from '../cli/lake.js';
import { chart, expectShown, tableRows } from './page.js';
import { type CsvRow, cells, drawnCells, publishedRows, type Selection, select, total } from './published.js';

let dataDir: string;
let browser: Browser;
const shots = mkdtempSync(path.join(tmpdir(), 'eventlake-dashboard-shots-'));
const reportsRoot = (dir: string) => path.join(dir, localBucketNames.reporting, config.prefixes.reports);
const today = () => new Date().toISOString().slice(0, 10);
const daysBefore = (dt: string, n: number) =>
  new Date(Date.parse(`${dt}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'eventlake-dashboard-'));
  expect(await runDemo({ events: 2500, seed: 3, dataDir })).toBe(0);
  browser = await launchChromium();
  console.log(`dashboard screenshots: ${shots}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction("'eventlakeDashboard' in window");
  return { page, errors };
}

describe('the dashboard npm start writes, from file://', () => {
  const names = ['events_by_type_daily', 'failed_events_daily', 'purchases_revenue_daily', 'top_event_types_per_app'];
  const rows = () => Object.fromEntries(names.map((n) => [n, publishedRows(reportsRoot(dataDir), n)]));
  const url = () => pathToFileURL(path.join(reportsRoot(dataDir), 'index.html')).href;

  it('draws what the published CSVs say for a changed range and filters; tiles agree with charts', async () => {
    const published = rows();
    const dates = [...new Set(published.events_by_type_daily?.map((r) => r.dt))].sort();
    expect(dates.length).toBeGreaterThan(1);
    const { page, errors } = await open(url());
    await page.click('[data-preset="all"]');
    expect(new URL(page.url()).hash).toBe('#range=all');
    await expectShown(page, published, { from: null, to: null });

    const before = today();
    await page.click('[data-preset="7"]');
    const range = await page.evaluate<Selection>('eventlakeDashboard.state()');
    expect([before, today()]).toContain(range.to);
    expect(range.from).toBe(daysBefore(range.to as string, 6));
    await expectShown(page, published, range);

    const first = dates[0] as string;
    await page.fill('#from', first);
    await page.fill('#to', first);
    expect(new URL(page.url()).hash).toBe(`#from=${first}&to=${first}`);
    await expectShown(page, published, { from: first, to: first });

    await page.selectOption('#filter-event_type', 'purchase');
    expect(new URL(page.url()).hash).toBe(`#from=${first}&to=${first}&event_type=purchase`);
    await expectShown(page, published, { from: first, to: first, where: { event_type: 'purchase' } });
    await page.selectOption('#filter-app_id', 'shop-web');
    const where = { app_id: 'shop-web', event_type: 'purchase' };
    const perApp = select(published.top_event_types_per_app ?? [], { from: first, to: first, where });
    expect(perApp.length).toBe(1);
    expect(await tableRows(page, 'top_event_types_per_app')).toEqual(perApp.map((r) => Object.values(r)));
    await expect(page.locator('section[data-report="events_by_type_daily"] .note').textContent()).resolves.toContain(
      'not split by app',
    );

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('section[data-report="top_event_types_per_app"] .download'),
    ]);
    const csv = parseCsv(readFileSync(await download.path(), 'utf8'));
    expect(csv).toEqual([Object.keys(perApp[0] as CsvRow), ...perApp.map((r) => Object.values(r))]);

    // The state is the URL: a reload (or a shared link) shows the same selection.
    await page.reload();
    await page.waitForFunction("'eventlakeDashboard' in window");
    await expectShown(page, published, { from: first, to: first, where: { event_type: 'purchase' } });
    await page.screenshot({ path: path.join(shots, 'filtered.png'), fullPage: true });

    // A click on a bar filters every chart concerned by its event type.
    await page.click('#clear');
    await page.click('[data-preset="all"]');
    const events = page.locator('section[data-report="events_by_type_daily"] .chart');
    await events.scrollIntoViewIfNeeded();
    const target = (await chart(page, 'events_by_type_daily'))?.series[0]?.name as string;
    const point = await page.evaluate<{ x: number; y: number }>(
      "eventlakeDashboard.pointOf('events_by_type_daily', 0, 0)",
    );
    await page.mouse.click(point.x, point.y);
    await page.waitForFunction(`location.hash.includes('event_type=${target}')`);
    await expectShown(page, published, { from: null, to: null, where: { event_type: target } });
    expect((await tableRows(page, 'top_event_types_per_app')).every((r) => r[2] === target)).toBe(true);

    // Tables sort on a header click.
    await page.click('section[data-report="top_event_types_per_app"] th[data-column="events"] button');
    const sorted = (await tableRows(page, 'top_event_types_per_app')).map((r) => Number(r[3]));
    expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('fits a 360 px screen without sideways scrolling', async () => {
    const { page } = await open(url());
    await page.setViewportSize({ width: 360, height: 740 });
    await page.click('[data-preset="all"]');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot({ path: path.join(shots, 'narrow-360.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('says how old the data is, and warns past the freshness window', async () => {
    const { page } = await open(url());
    await expect(page.locator('#freshness').textContent()).resolves.toMatch(/^Data as of \d+ (s|min) ago$/);
    await page.close();
    const late = await browser.context.newPage();
    await late.clock.setFixedTime(new Date(Date.now() + (config.alarms.firehoseFreshnessSeconds + 120) * 1000));
    await late.goto(url());
    await late.waitForFunction("document.getElementById('freshness').classList.contains('stale')");
    await expect(late.locator('#freshness').textContent()).resolves.toContain('stale');
    await late.close();
  }, 60_000);
});

describe('the live dashboard under the dev stack', () => {
  let dev: DevSession | undefined;
  let devDir: string | undefined;
  afterAll(async () => {
    await dev?.stop();
    if (devDir) rmSync(devDir, { recursive: true, force: true });
  });

  it('re-renders by itself when reports are republished', async () => {
    devDir = mkdtempSync(path.join(tmpdir(), 'eventlake-dashboard-dev-'));
    dev = await startDev({ dataDir: devDir, port: 0, dashboardPollMs: 100, log: () => undefined });
    const [apiKey = '', app = ''] = Object.entries(config.local.apiKeys)[0] ?? [];
    const post = async (n: number) => {
      const events = Array.from({ length: n }, () => pageView({ app_id: app }));
      const response = await fetch(`${dev?.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ events }),
      });
      expect(response.status).toBe(200);
    };
    const { page, errors } = await open(`${dev.url}/`);
    await expect(page.locator('#freshness').textContent()).resolves.toBe('No report published yet.');
    await page.evaluate('window.notReloaded = true');
    const validTile = (n: number) =>
      page.waitForFunction(
        `document.querySelector('.tile[data-kpi="valid_events"]')?.dataset.value === '${n}'`,
        undefined,
        {
          timeout: 45_000,
        },
      );
    await post(20);
    await validTile(20);
    await post(5);
    await validTile(25);
    expect(await page.evaluate<boolean>("'notReloaded' in window")).toBe(true);
    const published = publishedRows(reportsRoot(devDir), 'events_by_type_daily');
    expect(total(cells(published, 'dt', 'event_type', 'events'))).toBe(25);
    await page.click('[data-preset="all"]');
    expect(drawnCells(await chart(page, 'events_by_type_daily'))).toEqual(
      cells(published, 'dt', 'event_type', 'events'),
    );
    await page.screenshot({ path: path.join(shots, 'live.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
