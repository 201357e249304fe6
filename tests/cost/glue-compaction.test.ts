// The cost model's Glue job (bench/cost/lake-glue.ts) applies the project's compaction rules
// (shared/lake/compaction.ts) run by run: appends while a day is open and its files are few, a rewrite
// into a new generation past openPartitionMaxFiles, a rewrite of a closed day whose shape breaks the
// rule (found by the run's sweep even when the run adds nothing to it); and it bills each rewrite's
// bytes, requests and superseded generation.
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { closedShapeHolds, compactionSettings } from '#shared/lake/compaction.js';
import { assumptions as A } from '../../bench/cost/assumptions.js';
import { shapeOf } from '../../bench/cost/classes.js';
import { DAY_S, type RawObject, simulateFirehose } from '../../bench/cost/firehose-day.js';
import { cadenceGate } from '../../bench/cost/gate.js';
import { simulateLake } from '../../bench/cost/lake-day.js';
import { makeGlue } from '../../bench/cost/lake-glue.js';
import { LakeState } from '../../bench/cost/lake-state.js';
import { measureSample } from '../../bench/cost/sample.js';
import { Timeline } from '../../bench/cost/timeline.js';

const MiB = 2 ** 20;
const settings = compactionSettings();
/** 1 row = 1 MiB of Parquet, so a row count reads as MiB. */
const BYTES_PER_ROW = MiB;

function lake(startDelaySeconds = 0) {
  const timeline = new Timeline();
  const state = new LakeState(() => timeline.now);
  const markers: string[][] = [];
  const glue = makeGlue(
    timeline,
    state,
    { parquetBytesPerRow: BYTES_PER_ROW, compaction: settings, startDelaySeconds },
    (_run, m) => markers.push(m.partitions.map((p) => `${p.event_type}/${p.dt}`)),
  );
  let n = 0;
  /** Converts one raw object of `rows` rows of `type` on `day`, submitted at `at` seconds. */
  const convertAt = (at: number, type: string, day: number, rows: number) =>
    timeline.at(at, () => {
      const key = `events/${type}/${day}/${n++}`;
      const o: RawObject = {
        stream: 'direct',
        zone: 'events',
        type,
        day,
        bytes: rows * 1000,
        events: rows,
        firstArrival: at,
        lastArrival: at,
        deliveredAt: at,
      };
      state.objects.set(key, { ...o, gzipBytes: o.bytes / 10 });
      glue.convert(`jr_${n}`, [key]);
    });
  return { timeline, state, glue, markers, convertAt };
}

describe('cost model: the Glue job under the compaction rules', () => {
  it('appends while the day is open, then rewrites the partition into a new generation past openPartitionMaxFiles', async () => {
    const { timeline, state, glue, convertAt } = lake();
    for (let i = 0; i < settings.openMaxFiles + 1; i++) convertAt(600 * (i + 1), 'a', 0, 10);
    await timeline.run(DAY_S);
    const p = state.partition('a', 0);
    expect(glue.runs).toHaveLength(settings.openMaxFiles + 1);
    expect(glue.runs.slice(0, -1).every((r) => r.rewrites === 0)).toBe(true);
    const last = glue.runs.at(-1);
    // 12 files of 10 MiB, then the 13th run rewrites 120 + 10 MiB into round(130/128) = 1 file.
    expect(last?.rewrites).toBe(1);
    expect(last?.rewriteBytes).toBe(2 * 120 * MiB + 10 * MiB);
    expect(p.files).toEqual([130 * MiB]);
    expect(p.rows).toBe(130);
    expect(state.dayCount(0, 'rewrite.file-count')).toBe(1);
    expect(state.dayCount(0, 'supersededBytes')).toBe(120 * MiB);
    expect(state.dayCount(0, 's3Delete')).toBe(12);
    // The rewrite is billed: start-up, raw bytes, the anti-join over the 120 rows already there, the rewrite.
    expect(last?.antiJoinBytes).toBe(120 * A.glueDedupeBytesPerExistingRow);
    expect(last?.seconds).toBeCloseTo(
      A.glueStartupSeconds +
        10_000 / A.glueRawBytesPerSecond +
        (last?.antiJoinBytes ?? 0) / A.glueDedupeBytesPerSecond +
        (250 * MiB) / A.glueRewriteBytesPerSecond,
      9,
    );
  });

  it('rewrites a closed day broken by small files in the first run after it closes, though that run adds nothing to it', async () => {
    const { timeline, state, glue, markers, convertAt } = lake();
    for (let i = 0; i < 3; i++) convertAt(3600 * (i + 1), 'a', 0, 20);
    // Day 0 closes at day 1 00:00 + closeAfterHours; a run for day 1 only, after that.
    const closes = DAY_S + settings.closeAfterMs / 1000;
    convertAt(closes - 600, 'b', 1, 5);
    convertAt(closes + 600, 'b', 1, 5);
    await timeline.run(2 * DAY_S);
    expect(glue.runs.map((r) => r.rewrites)).toEqual([0, 0, 0, 0, 1]);
    expect(state.partition('a', 0).files).toEqual([60 * MiB]);
    expect(state.dayCount(1, 'rewrite.closed')).toBe(1);
    // Its marker names only the partition it wrote rows to: the reports of day 0 do not change.
    expect(markers.at(-1)).toEqual(['b/2026-01-02']);
    // The closed day now holds (one file): later runs leave it alone.
    convertAt(closes + 3600, 'b', 1, 5);
    await timeline.run(3 * DAY_S);
    expect(glue.runs.at(-1)?.rewrites).toBe(0);
  });

  it('runs one at a time; a Flex start delay holds the job before each run without being billed', async () => {
    const { timeline, glue, convertAt } = lake(300);
    convertAt(100, 'a', 0, 1);
    convertAt(110, 'a', 0, 1);
    await timeline.run(DAY_S);
    const [first, second] = glue.runs;
    expect(first?.startedAt).toBe(100 + A.glueQueueSeconds + 300);
    expect(second?.startedAt).toBe((first?.finishedAt ?? 0) + 300);
    expect(first?.seconds).toBeLessThan(A.glueStartupSeconds + 1);
  });
});

describe('cost model: two simulated days under the compaction rules', () => {
  it('leaves every closed partition in the rule’s shape and rewrites each closed day once', async () => {
    const sample = await measureSample(3000, config.firehose.packRecordBytes);
    const firehose = simulateFirehose(shapeOf(sample, 1024), { eventsPerSecond: 10, seconds: 2 * DAY_S });
    const lake = await simulateLake(firehose, {
      gate: cadenceGate({ maxDelaySeconds: 30 * 60 }),
      compaction: settings,
      gzipRatio: 0.1,
      parquetBytesPerRow: 150,
      horizonSeconds: 3 * DAY_S,
    });
    const day0 = [...lake.state.curated].filter(([id]) => id.endsWith('|0'));
    expect(day0.length).toBeGreaterThan(0);
    for (const [id, p] of day0) expect(closedShapeHolds(p.files, settings), id).toBe(true);
    // Each of day 0's partitions was rewritten once, by the first run after it closed; none later.
    const closedRewrites = lake.runs.flatMap((r) => r.rewritten.filter((w) => w.endsWith('(closed)')));
    expect(closedRewrites.sort()).toEqual(day0.map(([id]) => `${id} (closed)`).sort());
    // The open day's partitions never passed openPartitionMaxFiles after a run.
    for (const [id, p] of lake.state.curated) expect(p.files.length, id).toBeLessThanOrEqual(settings.openMaxFiles);
  }, 60_000);
});
