// The local bus on a data directory: a delivery between Lambda's attempts survives the bus being
// stopped and a new bus being started on the same directory (its attempt number and due time kept),
// and on-failure records outlive the process that wrote them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { glueRetryPattern } from '#shared/retries/routing.js';
import { readBusState } from '../../local/eventbridge/bus-state.js';
import { type BusEvent, makeLocalEventBus } from '../../local/eventbridge/eventbridge.js';
import { loadEvent } from '../helpers/events.js';

const glueFailed = () => loadEvent<EventBridgeEvent<string, Record<string, unknown>>>('eventbridge-glue-job-failed');
const pattern = glueRetryPattern('eventlake-dev-parquet');
/** Lambda's 60 s before the second attempt becomes 60 ms; 120 s before the third, 120 ms. */
const timeScale = 0.001;
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-bus-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

/** A handler that fails its first `failures` calls, recording the attempts it saw. */
function flaky(failures: number) {
  const calls: number[] = [];
  return {
    calls,
    handler: async (_event: BusEvent) => {
      calls.push(Date.now());
      if (calls.length <= failures) throw Object.assign(new Error(`busy ${calls.length}`), { name: 'RetryLater' });
    },
  };
}

const waitUntil = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

describe('the durable local bus', () => {
  it('resumes a delivery stopped between Lambda attempts at its attempt and due time', async () => {
    const first = makeLocalEventBus({ timeScale, dataDir });
    const a = flaky(1);
    first.addRule({ name: 'retry-glue', pattern, functionName: 'retry', handler: a.handler });
    const before = Date.now();
    first.putEvent(glueFailed());
    await waitUntil(() => a.calls.length === 1 && readBusState(dataDir).deliveries[0]?.attempt === 2);
    await first.stop();
    const [kept] = readBusState(dataDir).deliveries;
    expect(kept).toMatchObject({ rule: 'retry-glue', attempt: 2, event: glueFailed() });
    expect(kept?.dueAt).toBeGreaterThanOrEqual(before + 60);
    expect(a.calls).toHaveLength(1);

    const second = makeLocalEventBus({ timeScale, dataDir });
    const b = flaky(0);
    second.addRule({ name: 'retry-glue', pattern, functionName: 'retry', handler: b.handler });
    await second.idle();
    expect(b.calls).toHaveLength(1);
    expect(b.calls[0]).toBeGreaterThanOrEqual(kept?.dueAt ?? Infinity);
    expect(readBusState(dataDir).deliveries).toEqual([]);
    expect(second.failures()).toEqual([]);
  });

  it('counts the attempts of earlier processes: the third attempt after a restart is the last', async () => {
    const first = makeLocalEventBus({ timeScale, dataDir });
    const a = flaky(5);
    first.addRule({ name: 'retry-glue', pattern, functionName: 'retry', handler: a.handler });
    first.putEvent(glueFailed());
    await waitUntil(() => a.calls.length === 2 && readBusState(dataDir).deliveries[0]?.attempt === 3);
    await first.stop();

    const second = makeLocalEventBus({ timeScale, dataDir });
    const b = flaky(5);
    second.addRule({ name: 'retry-glue', pattern, functionName: 'retry', handler: b.handler });
    await second.idle();
    expect(b.calls).toHaveLength(1);
    const [record, ...others] = second.failures();
    expect(others).toEqual([]);
    expect(record?.requestContext.approximateInvokeCount).toBe(3);
    expect(record?.responsePayload).toEqual({ errorType: 'RetryLater', errorMessage: 'busy 1' });
    await second.stop();

    // The on-failure record is the retry DLQ's message: a later process still has it.
    expect(makeLocalEventBus({ timeScale, dataDir }).failures()).toEqual([record]);
  });

  it('leaves a delivery of a rule not added (yet) alone, and starts none after stop()', async () => {
    const first = makeLocalEventBus({ timeScale, dataDir });
    const a = flaky(0);
    first.addRule({ name: 'retry-glue', pattern, functionName: 'retry', handler: a.handler });
    await first.stop();
    first.putEvent(glueFailed());
    await first.idle();
    expect(a.calls).toEqual([]);
    const second = makeLocalEventBus({ timeScale, dataDir });
    await second.idle();
    expect(second.pendingDeliveries()).toHaveLength(1);
  });

  it('refuses a state file it cannot read rather than starting empty', async () => {
    const { writeFile, mkdir } = await import('node:fs/promises');
    await mkdir(path.join(dataDir, '_eventbridge'));
    await writeFile(path.join(dataDir, '_eventbridge', 'state.json'), '{"version":2}');
    expect(() => makeLocalEventBus({ dataDir })).toThrow(/not a version 1 EventBridge state/);
  });
});
