// Issue 7, locally: a Glue run dies halfway through writing Parquet; its FAILED state change reaches
// retry-failed-run through the bus, the retry run succeeds, and every event is curated exactly once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GlueJobStateChange } from '#shared/retries/run-retry.js';
import { type LocalGlueFaults, type LocalGlueJob, makeLocalGlueJob } from '../../local/glue/job.js';
import { filesUnder, lake, rawEvent, readCurated, runArguments, writeRawObject } from '../glue/glue-fixtures.js';
import { retryLoop, settle } from './local-wiring.js';

const jobName = 'eventlake-local-parquet';
let instance: DuckDBInstance;
let dataDir: string;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
});
afterAll(() => instance.closeSync());
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-retry-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

function pipeline(faults: LocalGlueFaults) {
  let glue: LocalGlueJob | undefined;
  const loop = retryLoop({ jobName, workgroup: 'reports', glue: () => glue, athena: () => undefined });
  const stateChanges: GlueJobStateChange[] = [];
  const announced: string[] = [];
  glue = makeLocalGlueJob({
    dataDir,
    instance,
    jobName,
    faults,
    onObjectCreated: (ref) => void announced.push(ref.key),
    onStateChange: (event) => {
      stateChanges.push(event);
      loop.bus.putEvent(event);
    },
  });
  return { glue, loop, stateChanges, announced };
}

async function twoPartitions() {
  const views = await writeRawObject(dataDir, 'page_view', '2025-11-22', [
    rawEvent('e-1', 'page_view'),
    rawEvent('e-2', 'page_view'),
    rawEvent('e-1', 'page_view'),
  ]);
  const purchases = await writeRawObject(dataDir, 'purchase', '2025-11-21', [rawEvent('e-3', 'purchase')]);
  return runArguments({ keys: [views, purchases] }, [
    ['page_view', '2025-11-22'],
    ['purchase', '2025-11-21'],
  ]);
}

describe('a Glue run that dies halfway through writing Parquet', () => {
  it('is retried from its FAILED state change; the retry succeeds and curates each event once', async () => {
    let crashes = 0;
    const p = pipeline({
      beforePartitionWrite: (_partition, index) => {
        if (index === 1 && crashes++ === 0) throw new Error('worker lost');
      },
    });
    const args = await twoPartitions();
    const firstId = await p.glue.startJobRun(args);
    await settle(p.glue, p.loop);

    const [failed, retried, ...more] = p.glue.runs();
    expect(more).toEqual([]);
    expect(failed).toMatchObject({ id: firstId, state: 'FAILED', error: 'worker lost' });
    expect(retried?.state).toBe('SUCCEEDED');
    expect(retried?.arguments).toEqual({ ...args, '--retry_attempt': '1', '--retry_of': firstId });
    expect(p.loop.outcomes).toEqual([
      {
        action: 'retried',
        target: 'glue',
        failedId: firstId,
        chainId: firstId,
        error: 'worker lost',
        retryId: retried?.id,
        attempt: 1,
        maxRetries: 3,
      },
    ]);
    expect((await readCurated(instance, dataDir)).map((r) => r.event_id)).toEqual(['e-1', 'e-2', 'e-3']);
    expect(await filesUnder(path.join(dataDir, lake, '_runs'))).toEqual([`${retried?.id}.json`]);
    expect(p.announced.filter((key) => key.startsWith('_runs/'))).toEqual([`_runs/${retried?.id}.json`]);
    expect(p.loop.bus.failures()).toEqual([]);
  });

  it('emits Glue’s state change events: FAILED with the error, then SUCCEEDED', async () => {
    let crashes = 0;
    const p = pipeline({
      beforeRunMarker: () => {
        if (crashes++ === 0) throw new Error('driver lost');
      },
    });
    const firstId = await p.glue.startJobRun(await twoPartitions());
    await settle(p.glue, p.loop);
    const [failedEvent, succeededEvent] = p.stateChanges;
    expect(failedEvent).toMatchObject({
      version: '0',
      source: 'aws.glue',
      'detail-type': 'Glue Job State Change',
      resources: [],
      detail: { jobName, severity: 'ERROR', state: 'FAILED', jobRunId: firstId, message: 'driver lost' },
    });
    expect(failedEvent?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(succeededEvent?.detail).toMatchObject({
      severity: 'INFO',
      state: 'SUCCEEDED',
      message: 'Job run succeeded',
    });
    expect(p.glue.getJobRun(firstId)).toMatchObject({ Id: firstId, JobName: jobName, JobRunState: 'FAILED' });
    // The crashed run's Parquet was already visible; the retry's anti-join added nothing twice.
    expect((await readCurated(instance, dataDir)).map((r) => r.event_id)).toEqual(['e-1', 'e-2', 'e-3']);
  });

  it('gives up after 3 retries: the exhausted chain ends as an on-failure record, nothing curated', async () => {
    const p = pipeline({
      beforePartitionWrite: () => {
        throw new Error('disk full');
      },
    });
    const firstId = await p.glue.startJobRun(await twoPartitions());
    await settle(p.glue, p.loop);

    const runs = p.glue.runs();
    expect(runs.map((r) => [r.state, r.arguments['--retry_attempt']])).toEqual([
      ['FAILED', undefined],
      ['FAILED', '1'],
      ['FAILED', '2'],
      ['FAILED', '3'],
    ]);
    const [record, ...others] = p.loop.bus.failures();
    expect(others).toEqual([]);
    expect(record?.requestPayload.detail).toMatchObject({ jobRunId: runs[3]?.id, state: 'FAILED' });
    expect(record?.responsePayload).toEqual({
      errorType: 'RetriesExhausted',
      errorMessage: `Glue run ${runs[3]?.id} failed after 3 retries`,
    });
    expect(runs.slice(1).every((r) => r.arguments['--retry_of'] === firstId)).toBe(true);
    expect(await readCurated(instance, dataDir)).toEqual([]);
  });
});
