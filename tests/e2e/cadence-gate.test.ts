// The cadence gate on the real local pipeline: a run starts when the pending raw bytes reach the
// threshold (long before the delay), or when the oldest pending object has waited the delay, on
// the scaled clock; every event lands once either way.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CadenceSettings } from '#shared/lake/cadence.js';
import { parseGateState } from '#shared/lake/gate-state.js';
import { gateStateKey } from '#shared/lake/keys.js';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline/pipeline.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { E2E_TIME_SCALE, expectedOutcome, newDataDir, sendItems, trafficItems, waitFor } from './harness.js';
import { curatedRows } from './lake.js';

const DAY_MS = 24 * 60 * 60_000;
let dataDir: string;
let p: LocalPipeline | undefined;

afterEach(async () => {
  await p?.gate.stop();
  await p?.glue.idle();
  await p?.close();
  p = undefined;
  // A queue consumer may still be finishing a write into the directory: retry the removal.
  await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

async function pipelineWith(cadence: Partial<CadenceSettings>): Promise<LocalPipeline> {
  dataDir = await newDataDir();
  p = await startLocalPipeline({ dataDir, timeScale: E2E_TIME_SCALE, cadence });
  return p;
}

const gateState = (dir: string) => parseGateState(readFileSync(path.join(dir, localBucketNames.lake, gateStateKey())));

/** Sends the items and lets Firehose deliver them and start-parquet-job record them. */
async function land(pipeline: LocalPipeline, seed: number) {
  const items = trafficItems(seed, 300, { invalid: 0, duplicate: 0, late: 0 });
  await sendItems(pipeline, items);
  await pipeline.direct.flush();
  await pipeline.devices.flush();
  await pipeline.queues.rawObjects.queue.drain();
  return expectedOutcome(items).curatedIds;
}

describe('the cadence gate on the local pipeline', () => {
  it('starts a run as soon as the pending bytes reach the threshold, long before the delay', async () => {
    // A delay of one (scaled) day: only the byte threshold can start this run within the wait below.
    const pipeline = await pipelineWith({ minBytes: 1, maxDelayMs: DAY_MS * E2E_TIME_SCALE });
    const expected = await land(pipeline, 51);
    await waitFor(() => pipeline.glue.runs().some((r) => r.state === 'SUCCEEDED'), 'a size-triggered run', 60_000);
    await pipeline.glue.idle();
    const ids = (await curatedRows(pipeline.instance, dataDir)).map((r) => r.event_id);
    expect(new Set(ids)).toEqual(new Set(expected));
    expect(ids).toHaveLength(expected.size);
  }, 90_000);

  it('starts a run once the oldest pending object has waited the delay, through the scheduled tick', async () => {
    // A threshold no test reaches: only the delay (30 min × the scale = 9 s) starts this run.
    const pipeline = await pipelineWith({ minBytes: 2 ** 50 });
    const expected = await land(pipeline, 52);
    const pending = gateState(dataDir).pending;
    expect(pending.length).toBeGreaterThan(0);
    const oldest = Math.min(...pending.map((o) => o.announcedAt));
    await waitFor(() => pipeline.glue.runs().length > 0, 'a delay-triggered run', 60_000);
    await pipeline.glue.idle();
    const [run] = pipeline.glue.runs();
    const delayMs = 30 * 60_000 * E2E_TIME_SCALE;
    expect(Date.parse(run?.startedOn ?? '')).toBeGreaterThanOrEqual(oldest + delayMs);
    expect(run?.state).toBe('SUCCEEDED');
    const ids = (await curatedRows(pipeline.instance, dataDir)).map((r) => r.event_id);
    expect(new Set(ids)).toEqual(new Set(expected));
    expect(gateState(dataDir)).toMatchObject({ pending: [], claims: [] });
  }, 90_000);
});
