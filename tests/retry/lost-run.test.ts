// A Glue retry that was running when its process died: the local run dies with the process (a
// cloud run would go on), so it never reports. The next start finds the chain `retrying` with that run
// unknown and no run marker, resumes it as FAILED, and the chain goes on at the next attempt; the
// run's objects are left to it (no fresh chain from restart recovery). With a marker, it had succeeded.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BusState, busStateFile, type ChainRecord, emptyBusState } from '../../local/eventbridge/bus-state.js';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { newDataDir, removeDataDir, startE2ePipeline } from '../e2e/harness.js';
import { curatedRows } from '../e2e/lake.js';
import { lake, rawEvent, runArguments, writeObject, writeRawObject } from '../glue/glue-fixtures.js';

const dt = new Date().toISOString().slice(0, 10);
let dataDir: string;
let running: LocalPipeline | undefined;

beforeEach(async () => {
  dataDir = await newDataDir();
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await removeDataDir(dataDir);
});

/** What an earlier process left: a chain whose retry (attempt 1) it had started and was running. */
async function leftBehind(): Promise<{ chain: ChainRecord; args: Record<string, string> }> {
  const key = await writeRawObject(dataDir, 'page_view', dt, [rawEvent('e-lost-1', 'page_view')]);
  const args = runArguments({ keys: [key] }, [['page_view', dt]]);
  const chain: ChainRecord = {
    target: 'glue',
    chainId: 'jr_first',
    failed: ['jr_first'],
    retries: 1,
    maxRetries: 3,
    state: 'retrying',
    running: { id: 'jr_lost', arguments: { ...args, '--retry_attempt': '1', '--retry_of': 'jr_first' } },
    updatedAt: new Date().toISOString(),
  };
  const state: BusState = { ...emptyBusState(), chains: [chain] };
  await mkdir(path.dirname(busStateFile(dataDir)), { recursive: true });
  await writeFile(busStateFile(dataDir), JSON.stringify(state));
  return { chain, args };
}

describe('a Glue retry lost with its process', () => {
  it('is resumed as FAILED at the next start: the chain goes on with attempt 2', async () => {
    const { args } = await leftBehind();
    running = await startE2ePipeline(dataDir);
    expect(running.recovered.rawObjects).toBe(0);
    await settle(running);
    const [retry, ...more] = running.glue.runs();
    expect(more).toEqual([]);
    expect(retry).toMatchObject({
      state: 'SUCCEEDED',
      arguments: { ...args, '--retry_attempt': '2', '--retry_of': 'jr_first' },
    });
    expect(running.bus.store.state.chains).toEqual([
      expect.objectContaining({ chainId: 'jr_first', state: 'recovered', retries: 2, failed: ['jr_first', 'jr_lost'] }),
    ]);
    expect((await curatedRows(running.instance, dataDir)).map((r) => r.event_id)).toEqual(['e-lost-1']);
  });

  it('is recovered, not run again, when it had written its run marker', async () => {
    await leftBehind();
    await writeObject(dataDir, lake, '_runs/jr_lost.json', '{}');
    running = await startE2ePipeline(dataDir);
    expect(running.bus.store.state.chains).toEqual([expect.objectContaining({ state: 'recovered' })]);
    expect(running.bus.pendingDeliveries()).toEqual([]);
  });
});
