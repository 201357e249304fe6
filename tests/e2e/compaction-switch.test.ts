// The switch and what outlives it, on the real local pipeline: queries running while a rewrite writes
// its generation and switches always count every row exactly once, and a superseded generation is
// deleted once its retention has passed — never while the pointer names it.
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompactionSettings } from '#shared/lake/compaction.js';
import { curatedRoot, generationDir } from '../../local/glue/generations.js';
import { recordSuperseded } from '../../local/glue/superseded.js';
import type { LocalPipeline, PipelineFaults } from '../../local/pipeline/pipeline.js';
import {
  CLOSED_DT,
  current,
  marker,
  OPEN_DT,
  rawBatch,
  runJob,
  startPipeline,
  stopPipeline,
  supersededDir,
  tableFigures,
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

/** A closed day holding four files of generation 0 (written while it was open); its figures. */
async function closedDayWithFourFiles(): Promise<string[]> {
  dataDir = await newDataDir();
  p = await startPipeline(dataDir, { closeAfterMs: 3650 * DAY_MS });
  for (let run = 0; run < 4; run += 1)
    await runJob(p, [await rawBatch(dataDir, CLOSED_DT, `c${run}`, 50)], [CLOSED_DT]);
  const figures = await tableFigures(p, CLOSED_DT);
  expect(figures.slice(0, 2)).toEqual(['200', '200']);
  await stopPipeline(p);
  p = undefined;
  return figures;
}

const restart = async (settings: Partial<CompactionSettings>, faults?: PipelineFaults) => {
  p = await startPipeline(dataDir, { targetFileBytes: 100 * KB, minFileBytes: 60 * KB, ...settings }, faults);
  return p;
};

const generationZeroFiles = () =>
  readdirSync(generationDir(curatedRoot(dataDir), { eventType: 'page_view', dt: CLOSED_DT }, 0)).filter((f) =>
    f.endsWith('.parquet'),
  );

describe('the generation switch', () => {
  it('a query running during a rewrite sees all of one generation, never both, never neither', async () => {
    const figures = await closedDayWithFourFiles();
    const seen: { moment: string; figures: string[] }[] = [];
    const observe = async (moment: string) => {
      seen.push({ moment, figures: await tableFigures(p as LocalPipeline, CLOSED_DT) });
    };
    const pipeline = await restart(
      {},
      {
        glue: {
          // Both generations are on disk here; the pointer still names 0.
          beforeGenerationSwitch: async () => {
            expect(current(dataDir, CLOSED_DT).generation).toBe(0);
            const gen0 = current(dataDir, CLOSED_DT).dir; // curated/events/event_type=…/dt=…
            const [typeDir, dtDir] = [path.basename(path.dirname(gen0)), path.basename(gen0)];
            expect(existsSync(path.join(gen0, '..', '..', 'g000001', typeDir, dtDir))).toBe(true);
            await observe('written, not switched');
          },
          afterGenerationSwitch: () => observe('switched'),
        },
      },
    );
    // Queries back to back for the whole run, beside the two taken at the moments themselves.
    let running = true;
    const loop = (async () => {
      while (running) await observe('loop');
    })();
    const run = marker(dataDir, await runJob(pipeline, [await rawBatch(dataDir, OPEN_DT, 'o', 10)], [OPEN_DT]));
    running = false;
    await loop;
    await observe('after');
    expect(run.compacted).toEqual([
      { event_type: 'page_view', dt: CLOSED_DT, generation: 1, files: 2, reason: 'closed' },
    ]);
    expect(seen.map((s) => s.moment)).toEqual(expect.arrayContaining(['written, not switched', 'switched', 'after']));
    expect(seen.length).toBeGreaterThan(3);
    for (const s of seen) expect({ moment: s.moment, figures: s.figures }).toEqual({ moment: s.moment, figures });
  }, 120_000);

  it('deletes a superseded generation after its retention, and never one the pointer names', async () => {
    const figures = await closedDayWithFourFiles();
    const retainMs = 3000; // the run right after the rewrite must fall well within it, even on a loaded machine
    const pipeline = await restart({ retainSupersededMs: retainMs });
    const rewrite = marker(dataDir, await runJob(pipeline, [await rawBatch(dataDir, OPEN_DT, 'o', 10)], [OPEN_DT]));
    expect(rewrite.compacted?.[0]).toMatchObject({ dt: CLOSED_DT, generation: 1 });
    expect(generationZeroFiles()).toHaveLength(4);
    // As if a later rewrite had recorded generation 1 and died before its switch, long ago: still live.
    await recordSuperseded(supersededDir(dataDir), {
      event_type: 'page_view',
      dt: CLOSED_DT,
      generation: 1,
      superseded_at: new Date(0).toISOString(),
    });

    // Within the retention: the next run deletes nothing of generation 0 (a query may still read it).
    await runJob(pipeline, [await rawBatch(dataDir, OPEN_DT, 'p', 10)], [OPEN_DT]);
    expect(generationZeroFiles()).toHaveLength(4);
    expect(current(dataDir, CLOSED_DT).files).toHaveLength(2);

    await new Promise((resolve) => setTimeout(resolve, retainMs + 100));
    await runJob(pipeline, [await rawBatch(dataDir, OPEN_DT, 'q', 10)], [OPEN_DT]);
    expect(generationZeroFiles()).toEqual([]);
    expect(current(dataDir, CLOSED_DT)).toMatchObject({ generation: 1 });
    expect(current(dataDir, CLOSED_DT).files).toHaveLength(2);
    expect(readdirSync(supersededDir(dataDir), { recursive: true }).filter((f) => String(f).endsWith('.json'))).toEqual(
      [],
    );
    expect(await tableFigures(pipeline, CLOSED_DT)).toEqual(figures);
  }, 120_000);
});
