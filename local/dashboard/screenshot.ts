// The README's screenshot: a small demo run into a temp dir, its dashboard opened in Chromium at a
// desktop width, the top of the page saved as docs/img/dashboard.png (or the path given).
// `npx tsx local/dashboard/screenshot.ts [out.png]`
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { config } from '#shared/config.js';
import { runDemo } from '../cli/demo.js';
import { localBucketNames } from '../s3/buckets.js';
import { launchChromium } from './browser.js';

const out = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', '..', 'docs', 'img', 'dashboard.png'));
const dataDir = mkdtempSync(path.join(tmpdir(), 'eventlake-screenshot-'));
const browser = await launchChromium();
try {
  if ((await runDemo({ events: 4000, seed: 1, dataDir })) !== 0) throw new Error('the demo run failed');
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1100, height: 860 });
  const index = path.join(dataDir, localBucketNames.reporting, config.prefixes.reports, 'index.html');
  await page.goto(pathToFileURL(index).href);
  await page.waitForFunction("'eventlakeDashboard' in window", undefined, { timeout: 20_000 });
  await page.screenshot({ path: out });
  console.log(`${out}: ${statSync(out).size} bytes`);
} finally {
  await browser.close();
  rmSync(dataDir, { recursive: true, force: true });
}
