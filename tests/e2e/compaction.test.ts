// Compaction on the real local pipeline: runs of its Glue job on real raw objects append to a
// partition until the rules say rewrite, then the partition's next generation replaces the current one
// in one switch. Every figure is read through the pipeline's local Athena, the way reports read.
import { readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generationFolder } from '#shared/lake/compaction.js';
import { curatedRoot, generationDir } from '../../local/glue/generations.js';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import {
  CLOSED_DT,
  current,
  marker,
  OPEN_DT,
  rawBatch,
  runJob,
  startPipeline,
  stopPipeline,
  tableFigures,
  tableRows,
} from './compaction-lake.js';
import { newDataDir } from './harness.js';

const KB = 1024;
const DAY_MS = 86_400_000;
let dataDir: string;
let p: LocalPipeline | undefined;

afterEach(async () => {
  await stopPipeline(p);
  p = undefined;
  await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

describe('compaction on the local pipeline', () => {
  it('rewrites an open partition that passes openMaxFiles into a new generation, rows unchanged', async () => {
    dataDir = await newDataDir();
    // ~50 KB per run of 50 events; 4 runs ≈ 200 KB → 2 files of ~100 KB.
    p = await startPipeline(dataDir, { openMaxFiles: 3, targetFileBytes: 100 * KB, closeAfterMs: 10 * DAY_MS });
    const keys: string[] = [];
    for (let run = 0; run < 3; run += 1) {
      keys.push(await rawBatch(dataDir, OPEN_DT, `r${run}`, 50));
      const m = marker(dataDir, await runJob(p, [keys[run] as string], [OPEN_DT]));
      expect(m.compacted).toBeUndefined();
    }
    expect(current(dataDir, OPEN_DT)).toMatchObject({ generation: 0 });
    expect(current(dataDir, OPEN_DT).files).toHaveLength(3);
    const before = await tableRows(p, OPEN_DT);
    expect(before).toHaveLength(150);

    keys.push(await rawBatch(dataDir, OPEN_DT, 'r3', 50));
    const fourth = marker(dataDir, await runJob(p, [keys[3] as string], [OPEN_DT]));
    expect(fourth).toMatchObject({ rows_written: 50, partitions: [{ dt: OPEN_DT, rows: 50 }] });
    expect(fourth.compacted).toEqual([
      { event_type: 'page_view', dt: OPEN_DT, generation: 1, files: 2, reason: 'file-count' },
    ]);
    const now = current(dataDir, OPEN_DT);
    expect(now.generation).toBe(1);
    // Generation 1 lives outside generation 0's folder: curated/events/g000001/event_type=…/dt=…/.
    const g1 = path.join('g000001', 'event_type=page_view', `dt=${OPEN_DT}`);
    expect(now.files.map((f) => path.dirname(f.path).endsWith(g1))).toEqual([true, true]);
    // Exactly the old rows plus the 50 new ones, column for column.
    const after = await tableRows(p, OPEN_DT);
    expect(after).toHaveLength(200);
    expect(after.filter((row) => !row.includes('"r3-'))).toEqual(before);
    expect(await tableFigures(p, OPEN_DT)).toEqual(['200', '200', expect.any(String)]);
    // Each file covers a range of the sorted order: the first file's last event is before the second's first.
    const [first, second] = await fileTimeRanges(
      p,
      now.files.map((f) => f.path),
    );
    expect(first?.[1]).toBeLessThan(second?.[0] ?? 0);

    // A batch sent again after the rewrite adds nothing: the anti-join reads the current generation.
    // Generation 0 is superseded but still on disk; garble one of its files: a reader of it would fail.
    const gen0 = generationDir(curatedRoot(dataDir), { eventType: 'page_view', dt: OPEN_DT }, 0);
    const superseded = readdirSync(gen0).filter((f) => f.endsWith('.parquet'));
    expect(superseded).toHaveLength(3);
    writeFileSync(path.join(gen0, superseded[0] as string), 'not parquet');
    const checksum = await tableFigures(p, OPEN_DT);
    const again = await rawBatch(dataDir, OPEN_DT, 'r0', 50);
    const resent = marker(dataDir, await runJob(p, [again, keys[3] as string], [OPEN_DT]));
    expect(resent).toMatchObject({ rows_read: 50, rows_written: 0, duplicates_removed: 50 });
    expect(await tableFigures(p, OPEN_DT)).toEqual(checksum);
    expect(current(dataDir, OPEN_DT)).toMatchObject({ generation: 1 });
  }, 120_000);

  it('compacts a closed day with several small files into at most maxClosedFiles, none under the minimum', async () => {
    dataDir = await newDataDir();
    // While the day was open (a closeAfter of years): four runs, four files, generation 0.
    p = await startPipeline(dataDir, { closeAfterMs: 3650 * DAY_MS });
    for (let run = 0; run < 4; run += 1)
      await runJob(p, [await rawBatch(dataDir, CLOSED_DT, `c${run}`, 50)], [CLOSED_DT]);
    expect(current(dataDir, CLOSED_DT).files).toHaveLength(4);
    const figures = await tableFigures(p, CLOSED_DT);
    const rows = await tableRows(p, CLOSED_DT);
    await stopPipeline(p);

    // Restarted with the real closing rule: a run for another partition finds the closed one and rewrites it.
    const settings = { targetFileBytes: 100 * KB, minFileBytes: 60 * KB, maxClosedFiles: 2 };
    p = await startPipeline(dataDir, settings);
    const run = marker(dataDir, await runJob(p, [await rawBatch(dataDir, OPEN_DT, 'o', 10)], [OPEN_DT]));
    expect(run.partitions.map((x) => x.dt)).toEqual([OPEN_DT]);
    expect(run.compacted).toEqual([
      { event_type: 'page_view', dt: CLOSED_DT, generation: 1, files: 2, reason: 'closed' },
    ]);
    const now = current(dataDir, CLOSED_DT);
    expect(now.files.length).toBeLessThanOrEqual(2);
    for (const file of now.files) expect(file.bytes).toBeGreaterThanOrEqual(settings.minFileBytes);
    expect(await tableFigures(p, CLOSED_DT)).toEqual(figures);
    expect(await tableRows(p, CLOSED_DT)).toEqual(rows);

    // Its shape now holds: the next run leaves it alone.
    const next = marker(dataDir, await runJob(p, [await rawBatch(dataDir, OPEN_DT, 'p', 10)], [OPEN_DT]));
    expect(next.compacted).toBeUndefined();
    expect(
      current(dataDir, CLOSED_DT).dir.endsWith(
        path.join(generationFolder(1), 'event_type=page_view', `dt=${CLOSED_DT}`),
      ),
    ).toBe(true);
  }, 120_000);
});

async function fileTimeRanges(pipeline: LocalPipeline, files: string[]): Promise<[number, number][]> {
  const connection = await pipeline.instance.connect();
  try {
    const ranges: [number, number][] = [];
    for (const file of files) {
      const reader = await connection.runAndReadAll(
        `SELECT epoch_ms(min(event_time)), epoch_ms(max(event_time)) FROM read_parquet('${file}')`,
      );
      const [min, max] = reader.getRows()[0] ?? [];
      ranges.push([Number(min), Number(max)]);
    }
    return ranges;
  } finally {
    connection.closeSync();
  }
}
