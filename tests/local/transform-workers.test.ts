// The local Firehose's transform λ in worker threads: the same responses as in process, a crashed
// or hung worker fails only its own calls and is replaced, and an idle pool never holds the process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTransformHandler } from '../../functions/transform.js';
import {
  startTransformWorkers,
  TransformWorkerLost,
  type TransformWorkerOptions,
  type TransformWorkers,
} from '../../local/firehose/transform-workers.js';
import { loadEvent } from '../helpers/events.js';

const faulty = new URL('./fixtures/faulty-transform-worker.ts', import.meta.url);
const inProcess = makeTransformHandler(() => {});
const event = (name: string, invocationId?: string): FirehoseTransformationEvent => {
  const loaded = loadEvent<FirehoseTransformationEvent>(name);
  return invocationId === undefined ? loaded : { ...loaded, invocationId };
};

let pool: TransformWorkers | undefined;
const start = (options: Partial<TransformWorkerOptions> = {}) => {
  pool = startTransformWorkers({ size: 1, hungAfterMs: 10_000, ...options });
  return pool;
};
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('transform workers', () => {
  it.each(['firehose-direct', 'firehose-kinesis'])('answer %s exactly as the handler in process', async (name) => {
    const { transform } = start();
    const [inWorker, local] = await Promise.all([transform(event(name)), inProcess(event(name))]);
    expect(inWorker.records.length).toBe(event(name).records.length);
    expect(inWorker).toEqual(local);
  });

  it('fail a crashed worker’s call in flight, not another worker’s, and replace the worker', async () => {
    const lost: string[] = [];
    const { transform } = start({ size: 2, entry: faulty, onWorkerLost: (reason) => lost.push(reason) });
    const slow = transform(event('firehose-direct', 'slow'));
    await expect(transform(event('firehose-direct', 'crash'))).rejects.toThrow(TransformWorkerLost);
    expect(lost).toEqual(['transform worker crashed: transform worker blew up']);
    expect(await slow).toEqual(await inProcess(event('firehose-direct')));
    expect(await transform(event('firehose-kinesis'))).toEqual(await inProcess(event('firehose-kinesis')));
  });

  it('terminate a hung worker after hungAfterMs, failing its calls, then answer on a new one', async () => {
    const lost: string[] = [];
    const { transform } = start({ entry: faulty, hungAfterMs: 500, onWorkerLost: (reason) => lost.push(reason) });
    const started = Date.now();
    const hung = transform(event('firehose-direct', 'hang'));
    const queued = transform(event('firehose-direct'));
    await expect(hung).rejects.toThrow(/hung/);
    await expect(queued).rejects.toThrow(TransformWorkerLost);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(lost).toEqual(['transform worker hung: no answer after 500 ms']);
    expect(await transform(event('firehose-direct'))).toEqual(await inProcess(event('firehose-direct')));
  });

  it('reject calls in flight and later calls once closed', async () => {
    const lost: string[] = [];
    const workers = start({ entry: faulty, onWorkerLost: (reason) => lost.push(reason) });
    const inFlight = expect(workers.transform(event('firehose-direct', 'slow'))).rejects.toThrow(TransformWorkerLost);
    await workers.close();
    await inFlight;
    await expect(workers.transform(event('firehose-direct'))).rejects.toThrow(/closed/);
    expect(lost).toEqual([]);
  });

  it('never keep the process alive once idle, even left open', () => {
    const script = fileURLToPath(new URL('./fixtures/idle-transform-workers.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    expect(run.stdout).toContain(`transformed ${event('firehose-direct').records.length}`);
    expect(run.status).toBe(0);
  });
});
