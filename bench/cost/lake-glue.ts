// The Glue Parquet job on the simulated clock: runs queue one at a time (glue.maxConcurrentRuns 1,
// with job run queuing), last a modelled time (assumptions.ts), add files to the partitions they
// touch and write a run marker; compaction runs rewrite closed partitions.
import { config } from '#shared/config.js';
import type { RunMarker } from '#shared/lake/glue-run.js';
import { assumptions as A } from './assumptions.js';
import { DAY_S, type RawObject } from './firehose-day.js';
import { type CompactionRule, compactedFiles } from './gate.js';
import { dtOf, type LakeState } from './lake-state.js';
import type { Timeline } from './timeline.js';

export interface RunRecord {
  id: string;
  kind: 'convert' | 'compact';
  submittedAt: number;
  finishedAt: number;
  /** Seconds the run executes (what Glue bills, before its 1-minute minimum). */
  seconds: number;
  objects: RawObject[];
  queries: number;
  published: number;
  publishedAt?: number;
}

interface GlueOptions {
  parquetBytesPerRow: number;
}

const TARGET = config.glue.targetFileSizeMB * 2 ** 20;

export function makeGlue(
  timeline: Timeline,
  state: LakeState,
  options: GlueOptions,
  onMarker: (run: RunRecord, marker: RunMarker) => void,
) {
  const runs: RunRecord[] = [];
  let busyUntil = 0;
  const execute = (run: RunRecord, finish: () => void) => {
    const start = Math.max(timeline.now + A.glueQueueSeconds, busyUntil);
    busyUntil = start + run.seconds;
    run.finishedAt = busyUntil;
    runs.push(run);
    state.count('glueRuns');
    timeline.at(busyUntil, finish);
  };

  function convert(id: string, keys: readonly string[]): void {
    const objects = keys.map((key) => state.objects.get(key)).filter((o) => o !== undefined);
    const touched = new Map<string, { type: string; day: number; rows: number }>();
    for (const o of objects) {
      const id = `${o.type}|${o.day}`;
      const t = touched.get(id) ?? { type: o.type, day: o.day, rows: 0 };
      t.rows += o.events;
      touched.set(id, t);
    }
    const rawBytes = objects.reduce((sum, o) => sum + o.bytes, 0);
    let existingRows = 0;
    for (const t of touched.values()) existingRows += state.partition(t.type, t.day).rows;
    const seconds =
      A.glueStartupSeconds +
      rawBytes / A.glueRawBytesPerSecond +
      (existingRows * A.glueDedupeBytesPerExistingRow) / A.glueDedupeBytesPerSecond;
    const run: RunRecord = {
      id,
      kind: 'convert',
      submittedAt: timeline.now,
      finishedAt: 0,
      seconds,
      objects,
      queries: 0,
      published: 0,
    };
    execute(run, () => {
      const partitions: RunMarker['partitions'] = [];
      for (const t of touched.values()) {
        const p = state.partition(t.type, t.day);
        state.count('s3Get', p.files.length + objects.length);
        state.count('s3List');
        const bytes = t.rows * options.parquetBytesPerRow;
        const files = Math.max(1, Math.ceil(bytes / TARGET));
        for (let f = 0; f < files; f++) p.files.push(bytes / files);
        p.rows += t.rows;
        state.count('s3Put', files);
        partitions.push({ event_type: t.type, dt: dtOf(t.day), rows: Math.round(t.rows) });
      }
      const rows = Math.round([...touched.values()].reduce((s, t) => s + t.rows, 0));
      onMarker(run, {
        job_run_id: id,
        job_name: config.glue.jobName,
        finished_at: new Date().toISOString(),
        source_objects: objects.length,
        rows_read: rows,
        rows_written: rows,
        duplicates_removed: 0,
        partitions,
      });
    });
  }

  /** At each dt's close, one run rewrites that dt's partitions holding more files than the rule allows. */
  function scheduleCompactions(rule: CompactionRule, horizon: number): void {
    for (let day = 0; (day + 2) * DAY_S + rule.closeAfterSeconds < horizon; day++) {
      timeline.at((day + 2) * DAY_S + rule.closeAfterSeconds, () => {
        const open = [...state.curated.entries()].filter(
          ([id, p]) => id.endsWith(`|${day}`) && p.files.length > rule.maxFiles,
        );
        if (open.length === 0) return;
        const bytes = open.reduce((sum, [, p]) => sum + p.files.reduce((a, b) => a + b, 0), 0);
        const seconds = A.glueStartupSeconds + (2 * bytes) / A.glueRawBytesPerSecond;
        const run: RunRecord = {
          id: `compact-${day}`,
          kind: 'compact',
          submittedAt: timeline.now,
          finishedAt: 0,
          seconds,
          objects: [],
          queries: 0,
          published: 0,
        };
        execute(run, () => {
          for (const [, p] of open) {
            const total = p.files.reduce((a, b) => a + b, 0);
            state.count('s3Get', p.files.length);
            const files = compactedFiles(total, rule);
            p.files = Array.from({ length: files }, () => total / files);
            state.count('s3Put', files);
          }
        });
      });
    }
  }

  return { runs, convert, scheduleCompactions };
}
