// `eventlake status` reads a data directory's files only: the dev state file (and whether its pid
// lives), the live process's queue snapshot, raw objects no Glue run converted (the job bookmark),
// the last run marker and reports/index.json. With and without a running dev.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { commands } from '../../local/cli/commands.js';
import { type DevSession, startDev } from '../../local/cli/dev.js';
import { writeDevState } from '../../local/cli/dev-state.js';
import { runProgram } from '../../local/cli/program.js';
import { readStatus } from '../../local/cli/status.js';
import { captureIo, pageView, putIngestObject, tempDataDir, today } from './lake.js';

let dataDir: string;
let session: DevSession;
const [apiKey = '', app = ''] = Object.entries(config.local.apiKeys)[0] ?? [];

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  dataDir = tempDataDir();
  session = await startDev({ dataDir, port: 0, dashboardPollMs: 50, log: () => {} });
});

afterAll(async () => {
  await session.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('eventlake status', () => {
  it('shows the running dev process, its queues, and the pipeline catching up', async () => {
    const response = await fetch(`${session.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ events: Array.from({ length: 10 }, () => pageView({ app_id: app })) }),
    });
    expect(response.status).toBe(200);
    await until(() => readStatus(dataDir).reports.published > 0, 20_000);
    const status = readStatus(dataDir);
    expect(status.dev).toMatchObject({ state: 'running', pid: process.pid, url: session.url });
    expect(Object.keys(status.queues?.depths ?? {})).toEqual(['rawObjects', 'curatedRuns', 'reportResults']);
    expect(status.raw.objects).toBeGreaterThan(0);
    expect(status.lastRun?.rowsWritten).toBeGreaterThan(0);
    expect(status.reports.ageSeconds).toBeGreaterThanOrEqual(0);
  }, 30_000);

  it('after a clean stop: no process, nothing pending; a new raw object is pending; a dead pid is stale', async () => {
    await session.stop();
    const stopped = readStatus(dataDir);
    expect(stopped.dev).toEqual({ state: 'none' });
    expect(stopped.queues).toBeUndefined();
    expect(stopped.raw.pending).toBe(0);

    putIngestObject(dataDir, `${config.prefixes.events}type=page_view/dt=${today()}/late-arrival.gz`, ['{}']);
    expect(readStatus(dataDir).raw).toMatchObject({ objects: stopped.raw.objects + 1, pending: 1 });

    // A pid that surely ran and is gone: a child that already exited.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeDevState({ pid: gone, port: 1, url: 'http://127.0.0.1:1', startedAt: new Date().toISOString(), dataDir });
    const out = captureIo();
    expect(await runProgram(commands, ['status', '--data-dir', dataDir], out.io)).toBe(0);
    expect(out.stdout()).toContain(`not running (stale state file of pid ${gone}, which is gone)`);
    expect(out.stdout()).toMatch(/raw objects\s+\d+, 1 not yet converted by Glue/);
    expect(out.stdout()).toMatch(/last Glue run\s+\S+ finished/);
    expect(out.stdout()).toMatch(/reports\s+\d+ published, last update/);
  });

  it('exits 1 for a data directory that does not exist', async () => {
    const out = captureIo();
    expect(await runProgram(commands, ['status', '--data-dir', `${dataDir}-absent`, '--json'], out.io)).toBe(1);
    expect(JSON.parse(out.stdout())).toMatchObject({ exists: false, dev: { state: 'none' } });
  });
});
