// Where a run's new rows go, partition by partition, by the shared rules (shared/lake/compaction.ts):
// append one file to the current generation, or rewrite the current generation plus the new rows into
// the next one. Rewrites are made visible together: every new generation is written, each replaced
// one is recorded in the superseded ledger, and only then is the pointer switched, in one step
// (docs/lake.md, "Compaction and generations").
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import {
  type CompactedPartition,
  type CompactionSettings,
  closedShapeHolds,
  generationFolder,
  isClosed,
  planPartition,
} from '#shared/lake/compaction.js';
import { type Partition, partitionId } from '#shared/lake/keys.js';
import type { ObjectRef } from '#shared/ports.js';
import { renameDurably } from '../pipeline/durable-files.js';
import type { ColumnSpec } from './args.js';
import type { StagedPartition } from './convert.js';
import {
  type CurrentPartition,
  currentPartition,
  type GenerationPointer,
  generationDir,
  listPartitions,
  writePointer,
} from './generations.js';
import { rewritePartition } from './rewrite.js';
import { recordSuperseded } from './superseded.js';

export interface CompactionFaults {
  /** New generations written and recorded as superseding, pointer not switched yet; throw to die there. */
  beforeGenerationSwitch?: () => void | Promise<void>;
  /** Pointer switched, nothing else of the run done yet (no quarantine, no marker); throw to die there. */
  afterGenerationSwitch?: () => void | Promise<void>;
}

export interface PlaceInput {
  instance: DuckDBInstance;
  dataDir: string;
  runId: string;
  columns: readonly ColumnSpec[];
  destination: ObjectRef;
  /** The destination on disk: `…/curated/events/`. */
  curatedRoot: string;
  /** The superseded ledger on disk. */
  ledgerRoot: string;
  /** The pointer as read before the run's dedupe (one run at a time: nobody else changes it). */
  pointer: GenerationPointer;
  stagingDir: string;
  staged: readonly StagedPartition[];
  settings: CompactionSettings;
  /** When the run planned: which days are closed. */
  nowMs: number;
  /** The clock at the switch: a superseded generation's retention counts from then. */
  now: () => number;
  faults?: CompactionFaults;
}

export interface Placed {
  /** Every curated object the run created (appended and rewritten files), for S3 notifications. */
  created: { ref: ObjectRef; size: number }[];
  compacted: CompactedPartition[];
}

interface Rewritten {
  current: CurrentPartition;
  generation: number;
  compacted: CompactedPartition;
}

/** The partitions a run looks at: those it read events for, then closed ones whose current files break the rule. */
function partitionsToPlan(input: PlaceInput): { partition: Partition; staged?: StagedPartition }[] {
  const touched = new Map(input.staged.map((s) => [partitionId(s.partition), s]));
  const closed = listPartitions(input.curatedRoot, input.pointer).filter((p) => {
    if (touched.has(partitionId(p)) || !isClosed(p.dt, input.nowMs, input.settings)) return false;
    const bytes = currentPartition(input.curatedRoot, input.pointer, p).files.map((f) => f.bytes);
    return !closedShapeHolds(bytes, input.settings);
  });
  return [
    ...input.staged.map((s) => ({ partition: s.partition, staged: s })),
    ...closed.map((partition) => ({ partition })),
  ];
}

export async function placePartitions(input: PlaceInput): Promise<Placed> {
  const placed: Placed = { created: [], compacted: [] };
  const rewritten: Rewritten[] = [];
  for (const { partition, staged } of partitionsToPlan(input)) {
    const current = currentPartition(input.curatedRoot, input.pointer, partition);
    const stagedFile = staged?.file === undefined ? undefined : path.join(input.stagingDir, staged.file);
    const addedBytes = stagedFile === undefined ? 0 : await sizeOf(stagedFile);
    const plan = planPartition(
      { dt: partition.dt, existingBytes: current.files.map((f) => f.bytes), addedBytes },
      input.nowMs,
      input.settings,
    );
    if (plan.action === 'append' && stagedFile !== undefined) {
      placed.created.push(await place(input, stagedFile, partition, current.generation));
    } else if (plan.action === 'rewrite') {
      const generation = current.generation + 1;
      const inputs = [...current.files.map((f) => f.path), ...(stagedFile === undefined ? [] : [stagedFile])];
      // A run that died before its switch may have left this generation half-written: start clean.
      await rm(generationDir(input.curatedRoot, partition, generation), { recursive: true, force: true });
      const out = await rewritePartition(input.instance, {
        columns: input.columns,
        inputs,
        files: plan.files,
        outputDir: path.join(input.stagingDir, '_rewrite', partitionId(partition)),
        runId: input.runId,
        label: partitionId(partition),
      });
      for (const file of out.files) placed.created.push(await place(input, file, partition, generation));
      const compacted = {
        event_type: partition.eventType,
        dt: partition.dt,
        generation,
        files: out.files.length,
        reason: plan.reason,
      };
      rewritten.push({ current, generation, compacted });
      placed.compacted.push(compacted);
    }
  }
  if (rewritten.length > 0) await switchGenerations(input, rewritten);
  return placed;
}

/** Superseded entries first, then the one-step switch of every rewritten partition. */
async function switchGenerations(input: PlaceInput, rewritten: readonly Rewritten[]): Promise<void> {
  const supersededAt = new Date(input.now()).toISOString();
  for (const { current } of rewritten) {
    await recordSuperseded(input.ledgerRoot, {
      event_type: current.partition.eventType,
      dt: current.partition.dt,
      generation: current.generation,
      superseded_at: supersededAt,
    });
  }
  await input.faults?.beforeGenerationSwitch?.();
  const next = new Map(input.pointer);
  for (const { current, generation } of rewritten) next.set(partitionId(current.partition), generation);
  await writePointer(input.dataDir, next);
  await input.faults?.afterGenerationSwitch?.();
}

/** Moves a staged file into a generation's folder (fsync'd); its object for the S3 notification. */
async function place(input: PlaceInput, file: string, p: Partition, generation: number) {
  const target = path.join(generationDir(input.curatedRoot, p, generation), path.basename(file));
  await renameDurably(file, target);
  const ref = {
    bucket: input.destination.bucket,
    key: `${input.destination.key}${generationFolder(generation)}${partitionId(p)}/${path.basename(file)}`,
  };
  return { ref, size: await sizeOf(target) };
}

const sizeOf = async (file: string): Promise<number> => (await stat(file)).size;
