// Issue 14: a retry chain survives a restart of the local pipeline. A raw object breaks the Glue job;
// the pipeline is stopped after the run failed but before retry-failed-run ran (its bus stopped, as
// close() stops it). A new pipeline on the same data directory resumes the pending retry from
// _eventbridge/state.json: attempt 1 of the first run's chain, then 2 and 3, and it gives up at the
// max (ERROR line, on-failure record) — or, once the object is readable, the retry converts it.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { busStateFile, readBusState } from '../../local/eventbridge/bus-state.js';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { newDataDir, removeDataDir, startE2ePipeline } from '../e2e/harness.js';
import { curatedRows } from '../e2e/lake.js';
import { type CapturedLogs, captureLogs } from '../hostile/log-capture.js';

const dt = new Date().toISOString().slice(0, 10);
const key = `events/type=page_view/dt=${dt}/broken-object.gz`;
let dataDir: string;
let running: LocalPipeline | undefined;
let logs: CapturedLogs | undefined;

beforeEach(async () => {
  dataDir = await newDataDir();
});
afterEach(async () => {
  logs?.stop();
  logs = undefined;
  await running?.close();
  running = undefined;
  await removeDataDir(dataDir);
});

/** The first process: its run fails, and it stops before the retry λ got the state change. */
async function failThenStop(): Promise<string> {
  running = await startE2ePipeline(dataDir);
  const p = running;
  await p.bus.stop();
  await p.s3.putObject({ bucket: localBucketNames.ingest, key }, 'not gzip, not NDJSON', 'application/gzip');
  await settle(p);
  const [run, ...others] = p.glue.runs();
  expect(others).toEqual([]);
  expect(run?.state).toBe('FAILED');
  await p.close();
  running = undefined;
  return run?.id as string;
}

const logged = (message: string) =>
  (logs?.lines() ?? [])
    .filter((line) => line.startsWith('{') && line.includes(message))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('a retry chain across a restart', () => {
  it('is kept on disk: the pending delivery and a copy of the failed run', async () => {
    const firstId = await failThenStop();
    const state = readBusState(dataDir);
    expect(state.deliveries).toEqual([
      expect.objectContaining({ rule: `${config.service}-local-retry-failed-run-glue`, attempt: 1 }),
    ]);
    expect(state.deliveries[0]?.event.detail).toMatchObject({ jobRunId: firstId, state: 'FAILED' });
    expect(state.runs[firstId]).toMatchObject({ Id: firstId, JobRunState: 'FAILED', Arguments: expect.any(Object) });
    expect(readFileSync(busStateFile(dataDir), 'utf8').endsWith('\n')).toBe(true);
  });

  it('resumes after the restart with attempt 1 of the first run’s chain and stops at the max', async () => {
    const firstId = await failThenStop();
    logs = captureLogs();
    running = await startE2ePipeline(dataDir);
    const p = running;
    // The object is the pending retry's: recovery does not announce it again (no fresh chain).
    expect(p.recovered.rawObjects).toBe(0);
    await settle(p);

    const runs = p.glue.runs();
    expect(runs.map((r) => [r.state, r.arguments['--retry_attempt'], r.arguments['--retry_of']])).toEqual(
      Array.from({ length: config.glue.maxRunRetries }, (_, i) => ['FAILED', String(i + 1), firstId]),
    );
    const [chain, ...otherChains] = p.bus.store.state.chains;
    expect(otherChains).toEqual([]);
    expect(chain).toMatchObject({
      target: 'glue',
      chainId: firstId,
      state: 'abandoned',
      reason: 'retries exhausted',
      retries: config.glue.maxRunRetries,
      failed: [firstId, ...runs.map((r) => r.id)],
    });
    const [record, ...moreRecords] = p.bus.failures();
    expect(moreRecords).toEqual([]);
    expect(record?.responsePayload.errorType).toBe('RetriesExhausted');
    expect(readBusState(dataDir).deliveries).toEqual([]);

    expect(logged('failed Glue run restarted').map((l) => [l.level, l.failedId, l.attempt, l.chainId])).toEqual([
      ['WARN', firstId, 1, firstId],
      ['WARN', runs[0]?.id, 2, firstId],
      ['WARN', runs[1]?.id, 3, firstId],
    ]);
    // Lambda's three attempts of the exhausted event each give it up.
    const abandoned = logged('failed Glue run abandoned');
    expect(abandoned.length).toBe(3);
    for (const line of abandoned) {
      expect(line).toMatchObject({ level: 'ERROR', failedId: runs.at(-1)?.id, chainId: firstId, retries: 3 });
      expect(String(line.error)).not.toBe('');
    }
  });

  it('resumes and recovers when the retry succeeds (the object was repaired while it was down)', async () => {
    const firstId = await failThenStop();
    const line = {
      event_id: '0b7e8f8e-51c1-4c43-9a3f-8d0a7f6f1a02',
      event_type: 'page_view',
      event_time: `${dt}T10:00:00.000Z`,
      received_at: `${dt}T10:00:01.000Z`,
      app_id: 'shop-web',
      schema_version: 1,
    };
    await writeFile(
      path.join(dataDir, localBucketNames.ingest, ...key.split('/')),
      gzipSync(`${JSON.stringify(line)}\n`),
    );
    running = await startE2ePipeline(dataDir);
    await settle(running);
    const [retry, ...more] = running.glue.runs();
    expect(retry?.arguments).toMatchObject({ '--retry_attempt': '1', '--retry_of': firstId });
    expect(retry?.state).toBe('SUCCEEDED');
    expect(more).toEqual([]);
    expect(running.bus.store.state.chains).toEqual([
      expect.objectContaining({ chainId: firstId, state: 'recovered', retries: 1, failed: [firstId] }),
    ]);
    expect((await curatedRows(running.instance, dataDir)).map((r) => r.event_id)).toContain(line.event_id);
  });
});
