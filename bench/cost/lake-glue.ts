// The Glue Parquet job on the simulated clock: runs queue one at a time (glue.maxConcurrentRuns 1,
// with job run queuing), each converting its raw objects and then applying the project's compaction
// rules (shared/lake/compaction.ts) as the job does: every partition the run touches, and every
// closed partition of the look-back window whose shape breaks the rule, gets planPartition's action
// (append one file, or rewrite the current generation plus the new rows into a new generation).
// A run lasts a modelled time (assumptions.ts) and writes a run marker.
import { config } from '#shared/config.js';
import { type CompactionSettings, isClosed, type PartitionPlan, planPartition } from '#shared/lake/compaction.js';
import type { RunMarker } from '#shared/lake/glue-run.js';
import { assumptions as A } from './assumptions.js';
import type { RawObject } from './firehose-day.js';
import { type CuratedPartition, dtOf, epochMs, type LakeState } from './lake-state.js';
import type { Timeline } from './timeline.js';

export interface RunRecord {
  id: string;
  submittedAt: number;
  /** When the run got its workers (after the queue and, with Flex, the capacity wait). */
  startedAt: number;
  finishedAt: number;
  /** Seconds the run executes (what Glue bills, before its 1-minute minimum). */
  seconds: number;
  objects: RawObject[];
  /** Bytes the event_id anti-join read: the current generation of each touched partition. */
  antiJoinBytes: number;
  /** Partitions rewritten into a new generation, and the Parquet bytes read plus written for it. */
  rewrites: number;
  rewriteBytes: number;
  /** `type|day (reason)` of each partition it rewrote. */
  rewritten: string[];
  queries: number;
  published: number;
  publishedAt?: number;
}

export interface GlueOptions {
  parquetBytesPerRow: number;
  /** The compaction rules' settings; undefined: every run appends one file per partition (no compaction). */
  compaction?: CompactionSettings;
  /** Unbilled seconds a run waits for workers once it is at the head of the queue (Flex's spare capacity). */
  startDelaySeconds?: number;
}

interface Touched {
  type: string;
  day: number;
  rows: number;
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

export function makeGlue(
  timeline: Timeline,
  state: LakeState,
  options: GlueOptions,
  onMarker: (run: RunRecord, marker: RunMarker) => void,
) {
  const runs: RunRecord[] = [];
  const queue: { run: RunRecord; readyAt: number; touched: Map<string, Touched> }[] = [];
  let busy = false;
  const lookbackDays = config.glue.compaction.lookbackDays;

  /** What the run does to each partition, decided when it starts (runs are serial: the state is final). */
  function plan(touched: Map<string, Touched>) {
    const nowMs = epochMs(timeline.now);
    const plans: { id: string; p: CuratedPartition; rows: number; added: number; plan: PartitionPlan }[] = [];
    for (const [id, t] of touched) {
      const p = state.partition(t.type, t.day);
      const added = t.rows * options.parquetBytesPerRow;
      const facts = { dt: dtOf(t.day), existingBytes: p.files, addedBytes: added };
      const decided: PartitionPlan = options.compaction
        ? planPartition(facts, nowMs, options.compaction)
        : { action: 'append' };
      plans.push({ id, p, rows: t.rows, added, plan: decided });
    }
    let sweptLists = 0;
    const c = options.compaction;
    if (c) {
      const today = Math.floor(timeline.now / 86_400);
      for (const [id, p] of state.curated) {
        if (touched.has(id)) continue;
        const day = Number(id.split('|')[1]);
        if (day < today - lookbackDays || !isClosed(dtOf(day), nowMs, c)) continue;
        sweptLists += 1;
        const decided = planPartition({ dt: dtOf(day), existingBytes: p.files, addedBytes: 0 }, nowMs, c);
        if (decided.action === 'rewrite') plans.push({ id, p, rows: 0, added: 0, plan: decided });
      }
    }
    return { plans, sweptLists };
  }

  function begin(entry: (typeof queue)[number]): void {
    const { run, touched } = entry;
    run.startedAt = timeline.now;
    const { plans, sweptLists } = plan(touched);
    const rawBytes = sum(run.objects.map((o) => o.bytes));
    run.antiJoinBytes = sum(plans.filter((x) => x.rows > 0).map((x) => x.p.rows * A.glueDedupeBytesPerExistingRow));
    for (const x of plans) {
      if (x.plan.action !== 'rewrite') continue;
      run.rewrites += 1;
      run.rewritten.push(`${x.id} (${x.plan.reason})`);
      run.rewriteBytes += 2 * sum(x.p.files) + x.added; // the old generation read; it and the new rows written
    }
    run.seconds =
      A.glueStartupSeconds +
      rawBytes / A.glueRawBytesPerSecond +
      run.antiJoinBytes / A.glueDedupeBytesPerSecond +
      run.rewriteBytes / A.glueRewriteBytesPerSecond;
    run.finishedAt = timeline.now + run.seconds;
    timeline.at(run.finishedAt, () => {
      state.count('s3Get', run.objects.length);
      state.count('s3List', sweptLists);
      const partitions: RunMarker['partitions'] = [];
      for (const { id, p, rows, added, plan: decided } of plans) {
        state.count('s3List');
        // The anti-join reads the event_id column of every file of the current generation.
        if (rows > 0) state.count('s3Get', p.files.length);
        if (decided.action === 'rewrite') {
          const total = sum(p.files) + added;
          state.count('s3Get', A.s3GetsPerParquetFileRead * p.files.length);
          state.supersede(p.files);
          p.files = Array.from({ length: decided.files }, () => total / decided.files);
          state.count('s3Put', decided.files);
          state.count(`rewrite.${decided.reason}`);
        } else if (decided.action === 'append') {
          p.files.push(added);
          state.count('s3Put');
        }
        p.rows += rows;
        if (rows > 0) {
          const [type, day] = id.split('|') as [string, string];
          partitions.push({ event_type: type, dt: dtOf(Number(day)), rows: Math.round(rows) });
        }
      }
      const rows = Math.round(sum([...touched.values()].map((t) => t.rows)));
      onMarker(run, {
        job_run_id: run.id,
        job_name: config.glue.jobName,
        finished_at: new Date().toISOString(),
        source_objects: run.objects.length,
        rows_read: rows,
        rows_written: rows,
        duplicates_removed: 0,
        partitions,
      });
      busy = false;
      pump();
    });
  }

  function pump(): void {
    const head = queue[0];
    if (busy || !head) return;
    if (head.readyAt > timeline.now) {
      timeline.at(head.readyAt, pump);
      return;
    }
    queue.shift();
    busy = true;
    timeline.at(timeline.now + (options.startDelaySeconds ?? 0), () => begin(head));
  }

  function convert(id: string, keys: readonly string[]): void {
    const objects = keys.map((key) => state.objects.get(key)).filter((o) => o !== undefined);
    const touched = new Map<string, Touched>();
    for (const o of objects) {
      const partition = `${o.type}|${o.day}`;
      const t = touched.get(partition) ?? { type: o.type, day: o.day, rows: 0 };
      t.rows += o.events;
      touched.set(partition, t);
    }
    const run: RunRecord = {
      id,
      submittedAt: timeline.now,
      startedAt: 0,
      finishedAt: 0,
      seconds: 0,
      objects,
      antiJoinBytes: 0,
      rewrites: 0,
      rewriteBytes: 0,
      rewritten: [],
      queries: 0,
      published: 0,
    };
    runs.push(run);
    state.count('glueRuns');
    queue.push({ run, readyAt: timeline.now + A.glueQueueSeconds, touched });
    pump();
  }

  return { runs, convert };
}
