// A Glue rejection is retried: with MaxConcurrentRuns = 1 and job run queuing off, StartJobRun
// during an in-flight run answers ConcurrentRunsExceededException; the cadence gate keeps that claim
// (its objects were recorded, so the messages were acknowledged) and starts it again once it is
// stale, or at the next flush — nothing lost, nothing dead-lettered. The pipeline config turns queuing on
// (glue.jobRunQueuingEnabled), so the rejection is Glue's own error raised at the StartJobRun port.
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import type { StartJobRun } from '#shared/ports.js';
import { ConcurrentRunsExceededException } from '../../local/glue/errors.js';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import {
  expectedOutcome,
  newDataDir,
  removeDataDir,
  sendItems,
  startE2ePipeline,
  trafficItems,
  waitFor,
} from './harness.js';
import { curatedRows } from './lake.js';

let dataDir: string;
let p: LocalPipeline;
let releaseFirstRun: () => void = () => {};
const firstRunHeld = new Promise<void>((resolve) => {
  releaseFirstRun = resolve;
});
let held = false;
const rejections: string[] = [];
/** Every raw-objects message handed to start-parquet-job: id, ApproximateReceiveCount, when. */
const deliveries: { messageId: string; receiveCount: number; at: number }[] = [];

const shares = { invalid: 0, duplicate: 0, late: 0 };
const first = trafficItems(41, 400, shares);
const second = trafficItems(42, 400, shares);

/** Glue without job run queuing: a start while a run is in flight is refused, as Glue refuses it. */
const withoutQueuing =
  (port: StartJobRun): StartJobRun =>
  async (args) => {
    if (p.glue.runs().some((r) => r.state === 'RUNNING' || r.state === 'WAITING')) {
      const error = new ConcurrentRunsExceededException(`Concurrent runs exceeded for ${config.glue.jobName}`);
      rejections.push(error.name);
      throw error;
    }
    return port(args);
  };

beforeAll(async () => {
  dataDir = await newDataDir();
  p = await startE2ePipeline(dataDir, {
    startJobRun: withoutQueuing,
    consumer: (queue, handler) =>
      queue !== 'rawObjects'
        ? handler
        : (event: SQSEvent) => {
            const at = Date.now();
            for (const r of event.Records) {
              deliveries.push({
                messageId: r.messageId,
                receiveCount: Number(r.attributes.ApproximateReceiveCount),
                at,
              });
            }
            return handler(event);
          },
    // The first run stays in flight (Parquet staged, no marker yet) until the test lets it go.
    glue: {
      beforeRunMarker: async () => {
        if (held) return;
        held = true;
        await firstRunHeld;
      },
    },
  });
  await sendItems(p, first);
  await p.direct.flush();
  await p.devices.flush();
  await p.queues.rawObjects.queue.drain();
  await p.gate.flush();
  await waitFor(() => held, 'the first Glue run to be in flight');
  await sendItems(p, second);
  await p.direct.flush();
  await p.devices.flush();
  await p.queues.rawObjects.queue.drain();
  await p.gate.flush();
  await waitFor(() => rejections.length > 0, 'a StartJobRun rejection');
  releaseFirstRun();
  await settle(p);
}, 90_000);

afterAll(async () => {
  releaseFirstRun();
  await p?.close();
  await removeDataDir(dataDir);
});

describe('a Glue rejection is retried', () => {
  it('StartJobRun was refused with ConcurrentRunsExceededException while the first run was in flight', () => {
    expect(rejections.length).toBeGreaterThan(0);
    expect(new Set(rejections)).toEqual(new Set(['ConcurrentRunsExceededException']));
    const runs = p.glue.runs();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.state === 'SUCCEEDED')).toBe(true);
  });

  it('every message was acknowledged on its first delivery (the claim, not the message, carries the retry); none dead-lettered', () => {
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.receiveCount === 1)).toBe(true);
    const stats = p.queues.rawObjects.queue.stats();
    expect(stats.deleted).toBe(stats.sent);
    expect(stats.visible + stats.inFlight + stats.inDlq).toBe(0);
    expect(p.queues.rawObjects.dlq.stats().visible).toBe(0);
  });

  it('every event of both batches is in curated, once', async () => {
    const ids = (await curatedRows(p.instance, dataDir)).map((r) => r.event_id);
    const expected = new Set([...expectedOutcome(first).curatedIds, ...expectedOutcome(second).curatedIds]);
    expect(ids.length).toBe(expected.size);
    expect(new Set(ids)).toEqual(expected);
  });
});
