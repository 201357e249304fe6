// A small simulated day of the cost model (bench/cost), checked for invariants rather than dollars:
// every event is counted once, every raw object reaches exactly one Glue run, every run's reports
// are published, and the queue and gate rules hold on the simulated clock.
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { parseGateState } from '#shared/lake/gate-state.js';
import { claimedObjectKey, gateStateKey, reportIndexKey } from '#shared/lake/keys.js';
import { defaultReportsDir, loadReportCatalogue } from '#shared/reports/catalogue.js';
import { shapeOf } from '../../bench/cost/classes.js';
import { DAY_S, simulateFirehose } from '../../bench/cost/firehose-day.js';
import { cadenceGate } from '../../bench/cost/gate.js';
import { simulateLake } from '../../bench/cost/lake-day.js';
import { measureSample } from '../../bench/cost/sample.js';
import { EsmQueue, Timeline } from '../../bench/cost/timeline.js';

describe('cost model: a simulated day', () => {
  it('invokes an SQS batch at batchSize messages or when its window, opened by the first message, ends', async () => {
    const timeline = new Timeline();
    const batches: { at: number; size: number }[] = [];
    const queue = new EsmQueue(timeline, { batchSize: 100, batchingWindowSeconds: 30 }, async (bodies, now) => {
      batches.push({ at: now, size: bodies.length });
    });
    timeline.at(10, () => {
      for (let i = 0; i < 150; i++) queue.send(`m${i}`);
    });
    timeline.at(100, () => queue.send('late'));
    await timeline.run(1000);
    expect(batches).toEqual([
      { at: 10, size: 100 },
      { at: 40, size: 50 },
      { at: 130, size: 1 },
    ]);
  });

  it('counts every event once and hands every raw object to exactly one run, whose reports all publish', async () => {
    const sample = await measureSample(3000, config.firehose.packRecordBytes);
    const shape = shapeOf(sample, 1024);
    expect(
      shape.classes.reduce((n, c) => n + c.share * c.eventsPerRecord, 0) + sample.rejectedAtEdge / sample.events,
    ).toBeCloseTo(1, 6);

    const rate = 10;
    const firehose = simulateFirehose(shape, { eventsPerSecond: rate, seconds: DAY_S });
    const recordsIn = firehose.records.direct + firehose.records.devices;
    expect(recordsIn).toBeCloseTo(rate * DAY_S * shape.classes.reduce((n, c) => n + c.share, 0), 3);
    const delivered = firehose.objects.reduce((n, o) => n + o.events, 0);
    const accepted = rate * DAY_S * (1 - sample.rejectedAtEdge / sample.events);
    // Only what the last buffer interval (plus the processor's) still holds is not yet delivered.
    const heldAtMost =
      rate * (config.firehose.s3BufferIntervalSeconds + config.firehose.processorBufferIntervalSeconds);
    expect(delivered).toBeLessThanOrEqual(accepted + 1e-6);
    expect(delivered).toBeGreaterThanOrEqual(accepted - heldAtMost);
    for (const o of firehose.objects) expect(o.deliveredAt - o.firstArrival).toBeLessThanOrEqual(360 + 1);

    const gate = cadenceGate({ maxDelaySeconds: 30 * 60 });
    const lake = await simulateLake(firehose, {
      gate,
      gzipRatio: 0.1,
      parquetBytesPerRow: 90,
      horizonSeconds: DAY_S + 7200,
    });
    const raw = [...lake.state.objects.entries()].filter(([key]) => key.startsWith('events/')).map(([key]) => key);
    const converted = lake.runs.flatMap((r) => r.objects);
    expect(converted.length).toBe(raw.length);
    expect(new Set(converted).size).toBe(raw.length);
    // The real gate's state: every claim released, nothing pending, each converted object claimed once.
    const gateState = parseGateState(lake.state.store.get(`lake/${gateStateKey()}`));
    expect(gateState.claims).toEqual([]);
    expect(gateState.pending).toEqual([]);
    for (const key of raw)
      expect(lake.state.store.has(`lake/${claimedObjectKey({ bucket: 'ingest', key })}`)).toBe(true);
    // The gate: no run before the knob unless the bytes were there; at most one run per tick window past it.
    expect(lake.runs.length).toBeLessThanOrEqual(Math.ceil((DAY_S + 7200) / (30 * 60)) + 1);
    const reports = loadReportCatalogue(defaultReportsDir()).length;
    for (const run of lake.runs) {
      const dates = new Set(run.objects.map((o) => o.day)).size;
      expect(run.queries).toBe(reports * dates);
      expect(run.publishedAt).toBeGreaterThanOrEqual(run.finishedAt);
    }
    // publish-report mapped each result back to its report through the query marker.
    const index = JSON.parse(Buffer.from(lake.state.store.get(`reporting/${reportIndexKey()}`) ?? '{}').toString());
    expect(JSON.stringify(index)).toContain(loadReportCatalogue(defaultReportsDir())[0]?.name);
  }, 60_000);
});
