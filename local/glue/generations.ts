// The local catalog's partition pointer and the current generation's files (docs/lake.md, "Compaction
// and generations"). A partition's data is its current generation's folder: generation 0 is the
// partition folder itself, generation n > 0 its `g<6 digits>/` sub-folder. Which one is current is one
// JSON file, `<dataDir>/_glue/catalog/events-partitions.json` (partition id → generation; a partition
// without an entry is at 0), replaced atomically: switching it is the one step that makes a rewrite
// visible, as UpdatePartition is in the cloud. Readers (the local Athena, the dedupe anti-join, the
// ledgers) all list files through here, so none ever sees two generations at once.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { config } from '#shared/config.js';
import { generationFolder } from '#shared/lake/compaction.js';
import { type Partition, partitionId } from '#shared/lake/keys.js';
import { writeFileDurably } from '../pipeline/durable-files.js';
import { localBucketNames } from '../s3/buckets.js';

/** Partition id (`event_type=…/dt=…`) → current generation. */
export type GenerationPointer = Map<string, number>;

export const pointerFile = (dataDir: string): string =>
  path.join(dataDir, '_glue', 'catalog', 'events-partitions.json');

function parsePointer(file: string, text: string): GenerationPointer {
  let body: { partitions?: Record<string, unknown> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`partition pointer ${file} is not JSON`);
  }
  const pointer: GenerationPointer = new Map();
  for (const [id, generation] of Object.entries(body.partitions ?? {})) {
    if (!Number.isInteger(generation) || (generation as number) < 0) {
      throw new Error(`partition pointer ${file}: bad generation for ${id}`);
    }
    pointer.set(id, generation as number);
  }
  return pointer;
}

/**
 * The pointer as it is now. Absent: every partition at generation 0. Unreadable: an error, never
 * "empty" — that would silently send readers back to a generation that may be deleted.
 */
export function readPointer(dataDir: string): GenerationPointer {
  const file = pointerFile(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  return parsePointer(file, text);
}

export const currentGeneration = (pointer: GenerationPointer, p: Partition): number => pointer.get(partitionId(p)) ?? 0;

/** Replaces the pointer in one step: temporary file, fsync, rename, fsync of the directory. */
export async function writePointer(dataDir: string, pointer: GenerationPointer): Promise<void> {
  const partitions = Object.fromEntries(
    [...pointer.entries()].filter(([, g]) => g > 0).sort(([a], [b]) => a.localeCompare(b)),
  );
  await writeFileDurably(pointerFile(dataDir), `${JSON.stringify({ partitions }, null, 2)}\n`);
}

/** The folder of a partition's generation under a curated root folder (`…/curated/events/`): see generationPrefix. */
export const generationDir = (curatedRoot: string, p: Partition, generation: number): string =>
  path.join(curatedRoot, generationFolder(generation), partitionId(p));

/** Data files directly in a folder: `*.parquet`, names not starting with `_` or `.` (what Athena reads). */
export function dataFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((name) => name.endsWith('.parquet') && !/^[_.]/.test(name))
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .sort();
}

export interface CurrentPartition {
  partition: Partition;
  generation: number;
  /** The current generation's folder. */
  dir: string;
  files: { path: string; bytes: number }[];
}

const hiveValue = (dirName: string, key: string): string | undefined =>
  dirName.startsWith(`${key}=`) ? dirName.slice(key.length + 1) : undefined;

/**
 * Every partition of the table, sorted: the generation-0 folders under a curated root (`event_type=*`
 * / `dt=*`) and every partition the pointer names (a later generation lives under `g<n>/`, and its
 * generation-0 folder may be gone).
 */
export function listPartitions(curatedRoot: string, pointer: GenerationPointer = new Map()): Partition[] {
  const byId = new Map<string, Partition>();
  if (existsSync(curatedRoot)) {
    for (const typeDir of readdirSync(curatedRoot)) {
      const eventType = hiveValue(typeDir, 'event_type');
      if (eventType === undefined) continue;
      for (const dtDir of readdirSync(path.join(curatedRoot, typeDir))) {
        const dt = hiveValue(dtDir, 'dt');
        if (dt !== undefined) byId.set(partitionId({ eventType, dt }), { eventType, dt });
      }
    }
  }
  for (const id of pointer.keys()) {
    const [typeDir = '', dtDir = ''] = id.split('/');
    const eventType = hiveValue(typeDir, 'event_type');
    const dt = hiveValue(dtDir, 'dt');
    if (eventType !== undefined && dt !== undefined) byId.set(id, { eventType, dt });
  }
  return [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}

/** One partition's current generation and its files. */
export function currentPartition(curatedRoot: string, pointer: GenerationPointer, p: Partition): CurrentPartition {
  const generation = currentGeneration(pointer, p);
  const dir = generationDir(curatedRoot, p, generation);
  const files = dataFilesIn(dir).map((file) => ({ path: file, bytes: statSync(file).size }));
  return { partition: p, generation, dir, files };
}

/** The local lake's curated root: `<dataDir>/<lake bucket>/curated/events/`. */
export const curatedRoot = (dataDir: string): string =>
  path.join(dataDir, localBucketNames.lake, ...config.prefixes.curated.split('/').filter(Boolean));

/**
 * The files of every partition's current generation, resolved from the pointer now: what the
 * `events` table is at this instant. Superseded generations are never listed.
 */
export function currentCuratedFiles(dataDir: string, root = curatedRoot(dataDir)): string[] {
  const pointer = readPointer(dataDir);
  return listPartitions(root, pointer).flatMap((p) => currentPartition(root, pointer, p).files.map((f) => f.path));
}
