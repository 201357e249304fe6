// Compaction rules of the curated lake, pure: when a partition's day is closed, whether a run
// appends to a partition or rewrites it into a new generation, and into how many files. Both
// engines follow them (local/glue in TypeScript, glue/compaction.py in PySpark) and both are tested
// on the same cases (glue/tests/compaction_cases.json). The layout they act on: docs/lake.md
// "Compaction and generations".
import { config } from '../config.js';
import { curatedPartitionPrefix, type Partition, partitionId } from './keys.js';

const MIB = 1024 * 1024;
const DAY_MS = 86_400_000;

export interface CompactionSettings {
  /** About this much per rewritten file (glue.targetFileSizeMB). */
  targetFileBytes: number;
  /** No file of a closed partition under this, unless it is the partition's only file. */
  minFileBytes: number;
  /** At most this many files in a closed partition. */
  maxClosedFiles: number;
  /** An open partition with more files under minFileBytes than this after a run is rewritten in that run. */
  openMaxFiles: number;
  /** A dt is closed this long after its last midnight (UTC): late arrivals still come in as appends. */
  closeAfterMs: number;
  /** A superseded generation is deleted this long after the switch (queries that planned on it finish). */
  retainSupersededMs: number;
}

/** The settings from `glue.compaction`, durations multiplied by `timeScale` (the local clock). */
export function compactionSettings(timeScale = 1, glue = config.glue): CompactionSettings {
  const c = glue.compaction;
  return {
    targetFileBytes: glue.targetFileSizeMB * MIB,
    minFileBytes: c.minFileSizeMB * MIB,
    maxClosedFiles: c.maxFilesPerClosedPartition,
    openMaxFiles: c.openPartitionMaxFiles,
    closeAfterMs: c.closeAfterHours * 3_600_000 * timeScale,
    retainSupersededMs: c.retainSupersededMinutes * 60_000 * timeScale,
  };
}

const DT = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms at which the partitions of `dt` (yyyy-MM-dd) close: the next midnight UTC plus closeAfter. */
export function closesAt(dt: string, settings: Pick<CompactionSettings, 'closeAfterMs'>): number {
  const match = DT.exec(dt);
  if (!match) throw new Error(`not a yyyy-MM-dd date: ${dt}`);
  const midnight = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return midnight + DAY_MS + settings.closeAfterMs;
}

export const isClosed = (dt: string, nowMs: number, settings: Pick<CompactionSettings, 'closeAfterMs'>): boolean =>
  nowMs >= closesAt(dt, settings);

/** Whether a closed partition's files already satisfy the rule (one file, or few enough and none small). */
export function closedShapeHolds(fileBytes: readonly number[], settings: CompactionSettings): boolean {
  if (fileBytes.length <= 1) return true;
  return fileBytes.length <= settings.maxClosedFiles && fileBytes.every((b) => b >= settings.minFileBytes);
}

/**
 * Files a rewrite of `totalBytes` produces: about the target size each; for a closed partition at
 * most maxClosedFiles and none under minFileBytes (so fewer, larger files when the bytes are few).
 */
export function rewriteFileCount(totalBytes: number, closed: boolean, settings: CompactionSettings): number {
  let files = Math.max(1, Math.round(totalBytes / settings.targetFileBytes));
  if (!closed) return files;
  files = Math.min(files, settings.maxClosedFiles);
  while (files > 1 && totalBytes / files < settings.minFileBytes) files -= 1;
  return files;
}

export type PartitionPlan =
  | { action: 'none' }
  | { action: 'append' }
  | { action: 'rewrite'; files: number; reason: 'closed' | 'file-count' };

export interface PartitionFacts {
  dt: string;
  /** Sizes of the files of the partition's current generation. */
  existingBytes: readonly number[];
  /** Size of what this run adds to the partition (estimated before writing); 0 when it adds no row. */
  addedBytes: number;
}

/**
 * What a run does to one partition. Appending keeps the current generation and adds one file (the
 * cheap path, and the only one while the day is open and the files are few). A rewrite reads the
 * current generation plus the new rows and writes the next generation: for a closed partition whose
 * shape (after this run's append) breaks the rule, or an open one that would hold more than
 * openMaxFiles small files (under minFileBytes).
 */
export function planPartition(facts: PartitionFacts, nowMs: number, settings: CompactionSettings): PartitionPlan {
  const after = facts.addedBytes > 0 ? [...facts.existingBytes, facts.addedBytes] : [...facts.existingBytes];
  const total = after.reduce((sum, b) => sum + b, 0);
  if (isClosed(facts.dt, nowMs, settings)) {
    if (closedShapeHolds(after, settings)) return facts.addedBytes > 0 ? { action: 'append' } : { action: 'none' };
    return { action: 'rewrite', files: rewriteFileCount(total, true, settings), reason: 'closed' };
  }
  // Only small files count: an open partition of many target-size files (1,000 events/s) is already
  // well shaped, and rewriting it run after run would bill its whole day again each time.
  if (after.filter((b) => b < settings.minFileBytes).length > settings.openMaxFiles) {
    return { action: 'rewrite', files: rewriteFileCount(total, false, settings), reason: 'file-count' };
  }
  return facts.addedBytes > 0 ? { action: 'append' } : { action: 'none' };
}

/**
 * The folder of a generation: generation 0 is the partition folder itself (every partition starts
 * there, and data written before compaction existed is generation 0), generation n > 0 is
 * `curated/events/g<6 digits>/event_type=T/dt=D/`. The generation comes first so that no
 * generation's folder is inside another's: Athena reads every object under a partition's Location,
 * sub-folders included, so a later generation inside generation 0's folder would be read twice. No
 * `=` in `g<n>`: it is not a partition column.
 */
export function generationPrefix(partition: Partition, generation: number): string {
  return `${config.prefixes.curated}${generationFolder(generation)}${partitionId(partition)}/`;
}

const GENERATION_PREFIX = /^g(\d{6})\/(.*)$/;

/** The generation of a partition location (a key prefix in the lake bucket); undefined if not one. */
export function generationOf(partition: Partition, prefix: string): number | undefined {
  if (prefix === curatedPartitionPrefix(partition)) return 0;
  if (!prefix.startsWith(config.prefixes.curated)) return undefined;
  const match = GENERATION_PREFIX.exec(prefix.slice(config.prefixes.curated.length));
  if (!match || match[2] !== `${partitionId(partition)}/`) return undefined;
  const generation = Number(match[1]);
  return generation > 0 ? generation : undefined;
}

/** The folder of a generation under the curated prefix: '' for 0, `g<6 digits>/` after (see generationPrefix). */
export function generationFolder(generation: number): string {
  if (!Number.isInteger(generation) || generation < 0) throw new Error(`bad generation ${generation}`);
  return generation === 0 ? '' : `g${String(generation).padStart(6, '0')}/`;
}

/** A rewrite recorded in the run marker (`compacted`): the partition's new generation and its file count. */
export interface CompactedPartition {
  event_type: string;
  dt: string;
  generation: number;
  files: number;
  reason: 'closed' | 'file-count';
}
