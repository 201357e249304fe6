// `npm run dev`: the ingest API on 127.0.0.1 feeding the pipeline, which moves on its own timers;
// the dashboard is rewritten when reports are published; stopping flushes and settles everything.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { type DevSession, startDev } from '../../local/cli/dev.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { lakeRows, pageView, tempDataDir } from './lake.js';

let dataDir: string;
let session: DevSession;
const logged: string[] = [];
const [apiKey = '', app = ''] = Object.entries(config.local.apiKeys)[0] ?? [];
const reportsDir = () => path.join(dataDir, localBucketNames.reporting, config.prefixes.reports);

async function post(events: Record<string, unknown>[]): Promise<Response> {
  return fetch(`${session.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ events }),
  });
}

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const mtime = (file: string): number => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;

beforeAll(async () => {
  dataDir = tempDataDir();
  session = await startDev({ dataDir, port: 0, dashboardPollMs: 50, log: (text) => logged.push(text) });
});

afterAll(async () => {
  await session.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('eventlake dev', () => {
  const first = Array.from({ length: 20 }, () => pageView({ app_id: app }));
  const last = Array.from({ length: 5 }, () => pageView({ app_id: app }));

  it('serves the dashboard at once and rewrites it when reports are published', async () => {
    expect(session.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(`${session.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const initial = mtime(path.join(reportsDir(), 'index.html'));
    const response = await post(first);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 20 });
    // Nothing forces the pipeline: its own buffer intervals and batching windows move the events.
    await waitFor(() => mtime(path.join(reportsDir(), 'index.json')) > 0, 15_000);
    await waitFor(() => mtime(path.join(reportsDir(), 'index.html')) > initial, 5_000);
    expect(logged).toEqual([]);
  }, 25_000);

  it('stops cleanly: no more requests, buffered events flushed into curated Parquet', async () => {
    expect((await post(last)).status).toBe(200);
    const stopping = Date.now();
    await session.stop();
    await expect(fetch(`${session.url}/v1/health`)).rejects.toThrow();
    const ids = [...first, ...last].map((e) => `'${e.event_id}'`).join(',');
    const rows = await lakeRows(dataDir, `SELECT count(DISTINCT event_id) FROM events WHERE event_id IN (${ids})`);
    expect(Number(rows[0]?.[0])).toBe(25);
    // Written one last time on the way out.
    expect(mtime(path.join(reportsDir(), 'index.html'))).toBeGreaterThanOrEqual(stopping - 1);
    expect(readFileSync(path.join(reportsDir(), 'index.html'), 'utf8')).toContain('page_view');
  }, 20_000);
});

describe('eventlake dev as a process', () => {
  it('prints the URL and keys, then exits 0 on SIGINT', async () => {
    const dir = tempDataDir();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/cli/main.ts', 'dev', '--port', '0', '--data-dir', dir],
      {
        cwd: path.resolve(import.meta.dirname, '../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Generous: on a loaded machine the child's start (tsx, DuckDB, journals, queue logs) can take > 15 s.
      await waitFor(() => stdout.includes('Ctrl-C'), 60_000);
      expect(stdout).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/v1\/events/);
      expect(stdout).toContain(`EVENTLAKE_API_KEY=${apiKey} npx eventlake send --events 1000`);
      child.kill('SIGINT');
      expect(await exited, stderr).toBe(0);
      expect(stderr).toContain('stopped cleanly');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
