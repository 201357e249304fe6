// The partition pointer and the superseded ledger of the local Glue catalog, on real files: what a
// reader lists, what a crash at each step leaves, and what the sweep may and may not delete.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  curatedRoot,
  currentCuratedFiles,
  listPartitions,
  pointerFile,
  readPointer,
  writePointer,
} from '../../local/glue/generations.js';
import { listSuperseded, recordSuperseded, sweepSuperseded } from '../../local/glue/superseded.js';

let dataDir: string;
let root: string;
let ledger: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'eventlake-generations-'));
  root = curatedRoot(dataDir);
  ledger = path.join(dataDir, 'lake', '_compaction', 'superseded');
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const partition = { eventType: 'page_view', dt: '2025-11-22' };
const partitionDir = path.join('event_type=page_view', 'dt=2025-11-22');

/** Writes files (contents irrelevant: nothing here opens them as Parquet) under the curated root. */
function files(...relative: string[]): void {
  for (const name of relative) {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, name);
  }
}
const listed = () => currentCuratedFiles(dataDir).map((f) => path.relative(root, f));
const entry = (generation: number, supersededAtMs: number) => ({
  event_type: 'page_view',
  dt: '2025-11-22',
  generation,
  superseded_at: new Date(supersededAtMs).toISOString(),
});

describe('the partition pointer', () => {
  it('puts every partition at generation 0 until a switch, then lists only the current generation', async () => {
    files(`${partitionDir}/part-0.parquet`, `g000001/${partitionDir}/part-1.parquet`, `${partitionDir}/_tmp.parquet`);
    files('event_type=purchase/dt=2025-11-22/part-0.parquet', `${partitionDir}/.hidden.parquet`);
    expect(readPointer(dataDir).size).toBe(0);
    expect(listed()).toEqual([`${partitionDir}/part-0.parquet`, 'event_type=purchase/dt=2025-11-22/part-0.parquet']);

    await writePointer(dataDir, new Map([['event_type=page_view/dt=2025-11-22', 1]]));
    expect(listed()).toEqual([
      `g000001/${partitionDir}/part-1.parquet`,
      'event_type=purchase/dt=2025-11-22/part-0.parquet',
    ]);
    expect(readPointer(dataDir)).toEqual(new Map([['event_type=page_view/dt=2025-11-22', 1]]));
    expect(listPartitions(root)).toEqual([partition, { eventType: 'purchase', dt: '2025-11-22' }]);
  });

  it('lists a partition the pointer names even when its generation-0 folder is gone', async () => {
    files(`g000002/event_type=click/dt=2025-11-20/part-0.parquet`, `${partitionDir}/part-0.parquet`);
    await writePointer(dataDir, new Map([['event_type=click/dt=2025-11-20', 2]]));
    expect(listPartitions(root, readPointer(dataDir))).toEqual([{ eventType: 'click', dt: '2025-11-20' }, partition]);
    expect(listed()).toEqual([
      'g000002/event_type=click/dt=2025-11-20/part-0.parquet',
      `${partitionDir}/part-0.parquet`,
    ]);
  });

  it('is replaced whole: a crash mid-write leaves a temporary file readers ignore, never half a pointer', async () => {
    await writePointer(dataDir, new Map([['event_type=page_view/dt=2025-11-22', 1]]));
    // What a writer killed before its rename leaves behind.
    writeFileSync(path.join(path.dirname(pointerFile(dataDir)), '.events-partitions.json.abc.tmp'), '{"partitions":');
    expect(readPointer(dataDir).get('event_type=page_view/dt=2025-11-22')).toBe(1);
    await writePointer(dataDir, new Map([['event_type=page_view/dt=2025-11-22', 2]]));
    expect(readPointer(dataDir).get('event_type=page_view/dt=2025-11-22')).toBe(2);
    const names = readdirSync(path.dirname(pointerFile(dataDir)));
    expect(
      names.filter((n) => n.startsWith('.events-partitions.json') && n !== '.events-partitions.json.abc.tmp'),
    ).toEqual([]);
  });

  it('fails on an unreadable pointer rather than sending readers back to generation 0', () => {
    mkdirSync(path.dirname(pointerFile(dataDir)), { recursive: true });
    writeFileSync(pointerFile(dataDir), '{"partitions":');
    expect(() => readPointer(dataDir)).toThrow(/not JSON/);
    writeFileSync(pointerFile(dataDir), '{"partitions":{"event_type=a/dt=2025-11-22":-1}}');
    expect(() => readPointer(dataDir)).toThrow(/bad generation/);
  });
});

describe('the superseded ledger', () => {
  const retainMs = 60_000;
  const sweep = (nowMs: number) => sweepSuperseded({ dataDir, curatedRoot: root, ledgerRoot: ledger, nowMs, retainMs });

  it('deletes generation 0 after the retention: the files directly in the partition folder', async () => {
    files(`${partitionDir}/part-0.parquet`, `${partitionDir}/part-1.parquet`, `g000001/${partitionDir}/part-2.parquet`);
    await writePointer(dataDir, new Map([['event_type=page_view/dt=2025-11-22', 1]]));
    await recordSuperseded(ledger, entry(0, 1_000_000));

    expect(await sweep(1_000_000 + retainMs - 1)).toEqual({ deleted: [], stale: [] });
    expect(readdirSync(path.join(root, partitionDir)).sort()).toEqual(['part-0.parquet', 'part-1.parquet']);

    expect(await sweep(1_000_000 + retainMs)).toEqual({ deleted: [entry(0, 1_000_000)], stale: [] });
    expect(readdirSync(path.join(root, partitionDir))).toEqual([]);
    expect(listed()).toEqual([`g000001/${partitionDir}/part-2.parquet`]);
    expect(listSuperseded(ledger)).toEqual([]);
  });

  it('deletes a later generation folder whole once the pointer has moved past it', async () => {
    files(`g000001/${partitionDir}/part-1.parquet`, `g000002/${partitionDir}/part-2.parquet`);
    await writePointer(dataDir, new Map([['event_type=page_view/dt=2025-11-22', 2]]));
    await recordSuperseded(ledger, entry(1, 0));
    expect((await sweep(retainMs)).deleted).toHaveLength(1);
    expect(existsSync(path.join(root, 'g000001', partitionDir))).toBe(false);
    expect(readdirSync(path.join(root, 'g000002', partitionDir))).toEqual(['part-2.parquet']);
  });

  it('never deletes the generation the pointer names (the run died between the entry and the switch)', async () => {
    files(`${partitionDir}/part-0.parquet`, `g000001/${partitionDir}/part-1.parquet`);
    await recordSuperseded(ledger, entry(0, 0)); // recorded; the pointer was never switched
    expect(await sweep(10 * retainMs)).toEqual({ deleted: [], stale: [entry(0, 0)] });
    expect(listed()).toEqual([`${partitionDir}/part-0.parquet`]);
    expect(listSuperseded(ledger)).toEqual([]);
  });

  it('records an entry again with the later time, and finishes a sweep that died half-way', async () => {
    await recordSuperseded(ledger, entry(0, 0));
    await recordSuperseded(ledger, entry(0, 5 * retainMs));
    expect(listSuperseded(ledger).map((e) => e.entry)).toEqual([entry(0, 5 * retainMs)]);
    expect(await sweep(5 * retainMs + 1)).toEqual({ deleted: [], stale: [] });

    // The files went, the entry stayed (killed before its unlink): the next sweep ends it.
    await writePointer(dataDir, new Map([['event_type=page_view/dt=2025-11-22', 1]]));
    expect((await sweep(6 * retainMs)).deleted).toEqual([entry(0, 5 * retainMs)]);
    expect(listSuperseded(ledger)).toEqual([]);
  });
});
