// Issues 13 and 14 through the real command: a data directory holds a Glue run that failed and whose
// retry was still pending when its process stopped. `eventlake dev` (a child process, default log level)
// resumes the chain at once: its stderr carries the WARN line of each restart and the ERROR line of
// the give-up, and `eventlake status` then shows the abandoned chain.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { commands } from '../../local/cli/commands.js';
import { runProgram } from '../../local/cli/program.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { captureIo } from '../cli/lake.js';
import { newDataDir, removeDataDir, startE2ePipeline, waitFor } from '../e2e/harness.js';

let dataDir: string;
let firstId: string;

beforeAll(async () => {
  dataDir = await newDataDir();
  const p = await startE2ePipeline(dataDir);
  await p.bus.stop(); // the process stops before retry-failed-run got the FAILED state change
  const key = `events/type=page_view/dt=${new Date().toISOString().slice(0, 10)}/broken.gz`;
  await p.s3.putObject({ bucket: localBucketNames.ingest, key }, 'not gzip', 'application/gzip');
  await settle(p);
  firstId = p.glue.runs()[0]?.id as string;
  await p.close();
}, 60_000);
afterAll(() => removeDataDir(dataDir));

const jsonLines = (text: string, message: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes(`"${message}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('eventlake dev on a data directory with a pending retry', () => {
  it('resumes the chain; WARN and ERROR lines reach its stderr; status shows the abandoned chain', async () => {
    const env = { ...process.env };
    // The command's own defaults (local/cli/main.ts: WARN), not the test runner's SILENT.
    delete env.POWERTOOLS_LOG_LEVEL;
    delete env.POWERTOOLS_METRICS_DISABLED;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/cli/main.ts', 'dev', '--port', '0', '--data-dir', dataDir],
      { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => jsonLines(stderr, 'failed Glue run abandoned').length === 3, 'the chain given up', 90_000);
      child.kill('SIGINT');
      expect(await exited, stderr).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const restarts = jsonLines(stderr, 'failed Glue run restarted');
    expect(restarts.map((l) => [l.level, l.attempt, l.chainId])).toEqual([
      ['WARN', 1, firstId],
      ['WARN', 2, firstId],
      ['WARN', 3, firstId],
    ]);
    expect(restarts[0]).toMatchObject({ failedId: firstId, error: expect.any(String) });
    expect(jsonLines(stderr, 'failed Glue run abandoned')[0]).toMatchObject({
      level: 'ERROR',
      chainId: firstId,
      reason: 'retries exhausted',
      retries: config.glue.maxRunRetries,
    });

    const text = captureIo();
    expect(await runProgram(commands, ['status', '--data-dir', dataDir], text.io)).toBe(0);
    expect(text.stdout()).toContain('failed runs     Glue 0 retrying, 0 recovered, 1 abandoned; report queries none');
    expect(text.stdout()).toContain(`abandoned     Glue run chain ${firstId} after 3 retries (retries exhausted)`);
    expect(text.stdout()).toContain('retries         0 pending, 1 on-failure records (retry DLQ)');
    const json = captureIo();
    await runProgram(commands, ['status', '--data-dir', dataDir, '--json'], json.io);
    expect(JSON.parse(json.stdout()).retries).toMatchObject({
      chains: { glue: { abandoned: 1 } },
      abandoned: [{ target: 'glue', chainId: firstId, retries: 3 }],
      pendingDeliveries: 0,
      onFailureRecords: 1,
    });
  }, 150_000);
});
