// Dead-letter messages outlive the process (stored in <dataDir>/_dlq/ when the pipeline stops) and
// `eventlake replay dlq` redrives them into their source queue: once the cause is fixed they are
// processed; until then they land in the DLQ, and in the store, again.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { runMarkerKey } from '#shared/lake/keys.js';
import { startLocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames, objectPath } from '../../local/s3/buckets.js';
import { s3EventBody } from '../../local/s3/s3-event.js';
import { dlqFile, persistDlqs, readStoredDlq } from '../../local/sqs/dlq-store.js';
import type { RedriveOutcome } from '../../local/tools/replay/dlq.js';
import { runReplay } from '../../local/tools/replay/replay.js';
import { captureIo, tempDataDir, today } from './lake.js';

let dataDir: string;
const markerRef = { bucket: localBucketNames.lake, key: runMarkerKey('jr_dlq_test') };
const notification = s3EventBody(
  { ...markerRef, size: 200, eTag: 'd41d8cd98f00b204e9800998ecf8427e', eventName: 'ObjectCreated:Put', sequencer: '1' },
  { region: config.region, configurationId: 'local-test', eventTime: Date.now() },
);

async function redrive(): Promise<RedriveOutcome[]> {
  const out = captureIo();
  const code = await runReplay(['dlq', '--queue', 'curatedRuns', '--data-dir', dataDir, '--json'], out.io);
  expect(out.stderr()).toBe('');
  expect(code).toBe(0);
  return (JSON.parse(out.stdout()) as { dlq: RedriveOutcome[] }).dlq;
}

beforeAll(() => {
  dataDir = tempDataDir();
  mkdirSync(path.join(dataDir, localBucketNames.ingest), { recursive: true });
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('DLQ persistence and redrive', () => {
  it('keeps a dead-lettered message when the pipeline stops', async () => {
    const pipeline = await startLocalPipeline({ dataDir });
    // The run marker this notification announces is missing: start-reports fails it until maxReceiveCount.
    await pipeline.queues.curatedRuns.queue.sendMessage(notification);
    await settle(pipeline);
    expect(pipeline.queues.curatedRuns.dlq.stats().visible).toBe(1);
    await persistDlqs(pipeline);
    await persistDlqs(pipeline);
    await pipeline.close();
    const stored = await readStoredDlq(dataDir, 'curatedRuns');
    expect(stored).toHaveLength(1);
    expect(stored[0]?.body).toBe(notification);
    expect(stored[0]?.messageId).toMatch(/^[0-9a-f-]{36}$/);
  }, 20_000);

  it('puts a message that fails again back in the DLQ and the store', async () => {
    const [outcome] = await redrive();
    expect(outcome).toEqual({ queue: 'curatedRuns', redriven: 1, backInDlq: 1 });
    const stored = await readStoredDlq(dataDir, 'curatedRuns');
    expect(stored.map((m) => m.body)).toEqual([notification]);
  }, 20_000);

  it('processes the redriven message once its cause is fixed and empties the store', async () => {
    const marker = {
      job_run_id: 'jr_dlq_test',
      job_name: 'eventlake-local-parquet',
      finished_at: new Date().toISOString(),
      source_objects: 0,
      rows_read: 0,
      rows_written: 0,
      duplicates_removed: 0,
      partitions: [{ event_type: 'page_view', dt: today(), rows: 0 }],
    };
    const file = objectPath(dataDir, markerRef);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(marker));
    const [outcome] = await redrive();
    expect(outcome).toEqual({ queue: 'curatedRuns', redriven: 1, backInDlq: 0 });
    expect(await readStoredDlq(dataDir, 'curatedRuns')).toEqual([]);
    expect(existsSync(dlqFile(dataDir, 'curatedRuns'))).toBe(false);
    // start-reports ran the reports for that date: their result files are in the reporting bucket.
    const results = path.join(dataDir, localBucketNames.reporting, config.prefixes.reportResults);
    const csvs = readdirSync(results, { recursive: true }).filter((f) => String(f).endsWith('.csv'));
    expect(csvs.length).toBeGreaterThan(0);
  }, 20_000);
});
