import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { curatedColumns } from '#shared/contract/table-schemas.js';
import type { RunMarker } from '#shared/lake/glue-run.js';
import type { ObjectRef } from '#shared/ports.js';
import { currentCuratedFiles } from '../../local/glue/generations.js';
import { makeLocalGlueJob } from '../../local/glue/job.js';
import { DUCKDB_TYPES } from '../../local/pipeline/duckdb-sql.js';
import {
  curatedDir,
  filesUnder,
  lake,
  parquetSchema,
  rawEvent,
  readCurated,
  runArguments,
  writeObject,
  writeRawObject,
} from './glue-fixtures.js';

let instance: DuckDBInstance;
let dataDir: string;
let created: { ref: ObjectRef; size: number }[];

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
});
afterAll(() => instance.closeSync());
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-glue-'));
  created = [];
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const newJob = (faults = {}, jobRunQueuing = false) =>
  makeLocalGlueJob({
    dataDir,
    instance,
    jobName: 'parquet',
    onObjectCreated: (ref, size) => void created.push({ ref, size }),
    faults,
    jobRunQueuing,
  });

async function runToEnd(job: ReturnType<typeof newJob>, args: Record<string, string>) {
  const id = await job.startJobRun(args);
  await job.idle();
  const run = job.runs().find((r) => r.id === id);
  if (!run) throw new Error('run not recorded');
  return run;
}

const readMarker = async (id: string): Promise<RunMarker> =>
  JSON.parse(await readFile(path.join(dataDir, lake, '_runs', `${id}.json`), 'utf8'));

describe('local Glue Parquet job', () => {
  it('converts raw NDJSON into Snappy Parquet partitions with the curated columns and types', async () => {
    const views = await writeRawObject(dataDir, 'page_view', '2025-11-22', [
      rawEvent('e-1', 'page_view'),
      rawEvent('e-2', 'page_view', { user_id: undefined, sent_at: '2025-11-22T09:59:59.000Z' }),
    ]);
    const purchases = await writeRawObject(dataDir, 'purchase', '2025-11-21', [
      rawEvent('e-3', 'purchase', {
        event_time: '2025-11-21T23:00:00.000Z',
        event_version: 2,
        attributes: { amount: 59.9, items: [{ sku: 'MUG' }] },
      }),
    ]);
    const job = newJob();
    const run = await runToEnd(
      job,
      runArguments({ keys: [views, purchases] }, [
        ['page_view', '2025-11-22'],
        ['purchase', '2025-11-21'],
      ]),
    );

    expect(run).toMatchObject({ state: 'SUCCEEDED' });
    expect(run.id).toMatch(/^jr_[0-9a-f]{64}$/);
    const rows = await readCurated(instance, dataDir);
    expect(rows.map((r) => [r.event_id, r.event_type, r.dt, r.event_version])).toEqual([
      ['e-1', 'page_view', '2025-11-22', 1],
      ['e-2', 'page_view', '2025-11-22', 1],
      ['e-3', 'purchase', '2025-11-21', 2],
    ]);
    expect(rows[2]).toMatchObject({
      event_time_ms: Date.parse('2025-11-21T23:00:00.000Z'),
      received_at_ms: Date.parse('2025-11-22T10:00:00.000Z'),
    });
    expect(JSON.parse(String(rows[2]?.attributes))).toEqual({ amount: 59.9, items: [{ sku: 'MUG' }] });
    expect(rows[1]).toMatchObject({ user_id: null, source_ip: null, ingest_shard_id: null });

    const files = await filesUnder(curatedDir(dataDir));
    expect(files).toEqual([
      `event_type=page_view/dt=2025-11-22/part-00000-${run.id}.snappy.parquet`,
      `event_type=purchase/dt=2025-11-21/part-00000-${run.id}.snappy.parquet`,
    ]);
    const schema = await parquetSchema(instance, path.join(curatedDir(dataDir), files[0] as string));
    expect(schema).toEqual(curatedColumns.map((c) => [c.name, DUCKDB_TYPES[c.type]]));

    expect(await readMarker(run.id)).toEqual({
      job_run_id: run.id,
      job_name: 'parquet',
      finished_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      source_objects: 2,
      rows_read: 3,
      rows_written: 3,
      rows_quarantined: 0,
      duplicates_removed: 0,
      partitions: [
        { event_type: 'page_view', dt: '2025-11-22', rows: 2 },
        { event_type: 'purchase', dt: '2025-11-21', rows: 1 },
      ],
      quarantined: [],
    });
    expect(created.map((c) => c.ref.key)).toEqual([
      `curated/events/event_type=page_view/dt=2025-11-22/part-00000-${run.id}.snappy.parquet`,
      `curated/events/event_type=purchase/dt=2025-11-21/part-00000-${run.id}.snappy.parquet`,
      `_runs/${run.id}.json`,
    ]);
    expect(created.every((c) => c.ref.bucket === lake && c.size > 0)).toBe(true);
  });

  it('keeps one row per event_id within a run, the earliest received_at', async () => {
    const first = await writeRawObject(dataDir, 'page_view', '2025-11-22', [
      rawEvent('e-1', 'page_view', { received_at: '2025-11-22T10:05:00.000Z', request_id: 'retry' }),
      rawEvent('e-2', 'page_view'),
    ]);
    const second = await writeRawObject(dataDir, 'page_view', '2025-11-22', [
      rawEvent('e-1', 'page_view', { received_at: '2025-11-22T10:00:00.000Z', request_id: 'original' }),
    ]);
    const run = await runToEnd(newJob(), runArguments({ keys: [first, second] }, [['page_view', '2025-11-22']]));

    const rows = await readCurated(instance, dataDir);
    expect(rows.map((r) => [r.event_id, r.request_id ?? null])).toEqual([
      ['e-1', 'original'],
      ['e-2', null],
    ]);
    expect(await readMarker(run.id)).toMatchObject({ rows_read: 3, rows_written: 2, duplicates_removed: 1 });
  });

  it('adds no rows for a replayed object or a re-run, yet lists the partition it touched', async () => {
    const lines = [rawEvent('e-1', 'page_view'), rawEvent('e-2', 'page_view')];
    const original = await writeRawObject(dataDir, 'page_view', '2025-11-22', lines);
    const job = newJob();
    await runToEnd(job, runArguments({ keys: [original] }, [['page_view', '2025-11-22']]));

    const replay = await writeRawObject(dataDir, 'page_view', '2025-11-22', [...lines, rawEvent('e-3', 'page_view')]);
    const second = await runToEnd(job, runArguments({ keys: [original, replay] }, [['page_view', '2025-11-22']]));
    expect(await readMarker(second.id)).toMatchObject({
      source_objects: 1,
      rows_read: 3,
      rows_written: 1,
      duplicates_removed: 2,
      partitions: [{ event_type: 'page_view', dt: '2025-11-22', rows: 1 }],
    });

    const again = await runToEnd(job, runArguments({ keys: [replay] }, [['page_view', '2025-11-22']]));
    expect(await readMarker(again.id)).toMatchObject({ source_objects: 0, rows_read: 0, partitions: [] });
    expect((await readCurated(instance, dataDir)).map((r) => r.event_id)).toEqual(['e-1', 'e-2', 'e-3']);
    // 2025-11-22 is a closed day: the second run rewrote its two small files into one (generation 1);
    // the run with nothing to read added no file.
    expect(currentCuratedFiles(dataDir, curatedDir(dataDir))).toHaveLength(1);
    expect(await readMarker(second.id)).toMatchObject({ compacted: [{ generation: 1, files: 1, reason: 'closed' }] });
  });

  it('reads the source keys from a manifest', async () => {
    const key = await writeRawObject(dataDir, 'page_view', '2025-11-22', [rawEvent('e-1', 'page_view')]);
    await writeObject(dataDir, lake, '_manifests/batch-1.json', JSON.stringify({ keys: [key] }));
    const run = await runToEnd(
      newJob(),
      runArguments({ manifest: `s3://${lake}/_manifests/batch-1.json` }, [['page_view', '2025-11-22']]),
    );
    expect(run.state).toBe('SUCCEEDED');
    expect((await readCurated(instance, dataDir)).map((r) => r.event_id)).toEqual(['e-1']);
  });

  it('rejects a second run while one is in flight, like Glue', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const job = newJob({ beforePartitionWrite: () => gate });
    const first = await writeRawObject(dataDir, 'page_view', '2025-11-22', [rawEvent('e-1', 'page_view')]);
    const args = runArguments({ keys: [first] }, [['page_view', '2025-11-22']]);
    await job.startJobRun(args);
    expect(job.runs().map((r) => r.state)).toEqual(['RUNNING']);
    await expect(job.startJobRun(args)).rejects.toMatchObject({
      name: 'ConcurrentRunsExceededException',
      message: 'Concurrent runs exceeded for parquet',
    });
    release();
    await job.idle();
    expect(job.runs().map((r) => r.state)).toEqual(['SUCCEEDED']);
    expect(await runToEnd(job, args)).toMatchObject({ state: 'SUCCEEDED' });
  });

  it('with job run queuing, a start over the limit waits and then runs, one at a time', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const job = newJob({ beforePartitionWrite: () => gate }, true);
    const first = await writeRawObject(dataDir, 'page_view', '2025-11-22', [rawEvent('e-1', 'page_view')]);
    const second = await writeRawObject(dataDir, 'page_view', '2025-11-22', [rawEvent('e-2', 'page_view')]);
    await job.startJobRun(runArguments({ keys: [first] }, [['page_view', '2025-11-22']]));
    await job.startJobRun(runArguments({ keys: [second] }, [['page_view', '2025-11-22']]));
    expect(job.runs().map((r) => r.state)).toEqual(['RUNNING', 'WAITING']);
    release();
    await job.idle();
    expect(job.runs().map((r) => r.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(job.runs().map((r) => r.marker?.rows_written)).toEqual([1, 1]);
  });

  it('rejects bad arguments and unknown jobs with Glue error names', async () => {
    const job = newJob();
    const args = runArguments({ keys: ['events/type=page_view/dt=2025-11-22/a.gz'] }, [['page_view', '2025-11-22']]);
    const bad: Record<string, string>[] = [
      { ...args, '--destination': 'curated/events/' },
      { ...args, '--columns': 'event_id:string,received_at:timestamp,x:varchar' },
      { ...args, '--columns': 'event_version:int' },
      { ...args, '--source_keys': '["late/type=page_view/dt=2025-11-22/a.gz"]' },
      { ...args, '--source_keys': 'not json' },
      { ...args, '--partitions': '[{"event_type":"purchase","dt":"2025-11-22"}]' },
      { ...args, '--source_manifest': `s3://${lake}/_manifests/m.json` },
    ];
    for (const input of bad) {
      await expect(job.startJobRun(input)).rejects.toMatchObject({ name: 'InvalidInputException' });
    }
    await expect(job.startJobRunFor('other-job')(args)).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    expect(job.runs()).toEqual([]);
  });
});
