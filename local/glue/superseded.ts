// The ledger of superseded generations: a rewrite records the generation it replaces (partition,
// generation, supersededAt) BEFORE it switches the pointer; a later sweep deletes a superseded
// generation once its retention has passed — so a query that planned on it can finish — and only if
// the pointer does not name it (a crash between the record and the switch leaves it live).
// One small JSON object per entry: `<lake>/_compaction/superseded/event_type=…/dt=…/g<6 digits>.json`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type Partition, partitionId } from '#shared/lake/keys.js';
import { fsyncDir, writeFileDurably } from '../pipeline/durable-files.js';
import { currentGeneration, dataFilesIn, generationDir, readPointer } from './generations.js';

export interface SupersededEntry {
  event_type: string;
  dt: string;
  generation: number;
  /** ISO instant of the rewrite that replaced it. */
  superseded_at: string;
}

export const supersededKeyPrefix = '_compaction/superseded/';

const entryFile = (ledgerRoot: string, p: Partition, generation: number): string =>
  path.join(ledgerRoot, partitionId(p), `g${String(generation).padStart(6, '0')}.json`);

const partitionOf = (e: SupersededEntry): Partition => ({ eventType: e.event_type, dt: e.dt });

/** Records (or records again, with a later time) that `generation` of the partition is superseded. */
export async function recordSuperseded(ledgerRoot: string, entry: SupersededEntry): Promise<void> {
  await writeFileDurably(entryFile(ledgerRoot, partitionOf(entry), entry.generation), `${JSON.stringify(entry)}\n`);
}

/** Every entry of the ledger, oldest partition first. A file that is not an entry fails loudly. */
export function listSuperseded(ledgerRoot: string): { file: string; entry: SupersededEntry }[] {
  if (!existsSync(ledgerRoot)) return [];
  return readdirSync(ledgerRoot, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json') && !path.basename(name).startsWith('.'))
    .sort()
    .map((name) => {
      const file = path.join(ledgerRoot, name);
      const entry = JSON.parse(readFileSync(file, 'utf8')) as SupersededEntry;
      if (!Number.isInteger(entry.generation) || Number.isNaN(Date.parse(entry.superseded_at))) {
        throw new Error(`superseded ledger entry ${file} is malformed`);
      }
      return { file, entry };
    });
}

export interface SweepInput {
  dataDir: string;
  /** `…/curated/events/` on disk. */
  curatedRoot: string;
  /** `…/_compaction/superseded/` on disk. */
  ledgerRoot: string;
  nowMs: number;
  retainMs: number;
}

export interface SweepResult {
  /** Generations whose files were deleted. */
  deleted: SupersededEntry[];
  /** Entries dropped without deleting anything: the pointer still names the generation (no switch happened). */
  stale: SupersededEntry[];
}

/**
 * Deletes every superseded generation whose retention has passed and that the pointer does not name,
 * then its ledger entry. Generation 0 is the partition folder itself: only the files directly in it go,
 * never the `g*` sub-folders. Idempotent: a crash half-way leaves entries the next sweep finishes.
 */
export async function sweepSuperseded(input: SweepInput): Promise<SweepResult> {
  const result: SweepResult = { deleted: [], stale: [] };
  const due = listSuperseded(input.ledgerRoot).filter(
    ({ entry }) => Date.parse(entry.superseded_at) + input.retainMs <= input.nowMs,
  );
  if (due.length === 0) return result;
  const pointer = readPointer(input.dataDir);
  for (const { file, entry } of due) {
    const p = partitionOf(entry);
    if (currentGeneration(pointer, p) === entry.generation) {
      // Recorded, then the run died before the switch: the generation is live. Dropping the entry is
      // safe, the next rewrite of the partition records it again.
      result.stale.push(entry);
    } else {
      await deleteGeneration(input.curatedRoot, p, entry.generation);
      result.deleted.push(entry);
    }
    await unlink(file);
    await fsyncDir(path.dirname(file));
  }
  return result;
}

async function deleteGeneration(curatedRoot: string, p: Partition, generation: number): Promise<void> {
  const dir = generationDir(curatedRoot, p, generation);
  if (generation > 0) {
    await rm(dir, { recursive: true, force: true });
    return;
  }
  for (const file of dataFilesIn(dir)) await rm(file, { force: true });
}
