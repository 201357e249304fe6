import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { transformRecord } from '#shared/transform/transform-record.js';
import { type LocalGlueFaults, makeLocalGlueJob } from '../../local/glue/job.js';
import { loadEvent } from '../helpers/events.js';
import { curatedDir, filesUnder, lake, rawEvent, readCurated, runArguments, writeRawObject } from './glue-fixtures.js';

let instance: DuckDBInstance;
let dataDir: string;
let announced: string[];

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
});
afterAll(() => instance.closeSync());
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-glue-'));
  announced = [];
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const newJob = (faults?: LocalGlueFaults) =>
  makeLocalGlueJob({
    dataDir,
    instance,
    jobName: 'parquet',
    onObjectCreated: (ref) => void announced.push(ref.key),
    faults,
  });

async function runToEnd(job: ReturnType<typeof newJob>, args: Record<string, string>) {
  const id = await job.startJobRun(args);
  await job.idle();
  return job.runs().find((r) => r.id === id);
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );
const bookmarkFile = () => path.join(dataDir, '_glue', 'parquet', 'bookmark.json');
const markers = () => filesUnder(path.join(dataDir, lake, '_runs'));

async function twoPartitions() {
  const views = await writeRawObject(dataDir, 'page_view', '2025-11-22', [
    rawEvent('e-1', 'page_view'),
    rawEvent('e-2', 'page_view'),
  ]);
  const purchases = await writeRawObject(dataDir, 'purchase', '2025-11-22', [rawEvent('e-3', 'purchase')]);
  return runArguments({ keys: [views, purchases] }, [
    ['page_view', '2025-11-22'],
    ['purchase', '2025-11-22'],
  ]);
}

describe('local Glue Parquet job failures', () => {
  it('dying halfway through the Parquet writes leaves nothing visible, and the retry writes each event once', async () => {
    const args = await twoPartitions();
    const crashing = newJob({
      beforePartitionWrite: (_partition, index) => {
        if (index === 1) throw new Error('worker lost');
      },
    });
    const failed = await runToEnd(crashing, args);

    expect(failed).toMatchObject({ state: 'FAILED', error: 'worker lost' });
    expect(await filesUnder(path.join(dataDir, lake))).toEqual([]);
    expect(await filesUnder(path.join(dataDir, '_glue'))).toEqual([]);
    expect(await exists(bookmarkFile())).toBe(false);
    expect(announced).toEqual([]);

    const retry = await runToEnd(newJob(), args);
    expect(retry?.state).toBe('SUCCEEDED');
    expect((await readCurated(instance, dataDir)).map((r) => r.event_id)).toEqual(['e-1', 'e-2', 'e-3']);
    expect(await markers()).toEqual([`${retry?.id}.json`]);
    expect(await exists(bookmarkFile())).toBe(true);
  });

  it('dying after the Parquet is in place but before the marker: the retry adds no duplicate and still lists the partitions', async () => {
    const args = await twoPartitions();
    const failed = await runToEnd(
      newJob({
        beforeRunMarker: () => {
          throw new Error('driver lost');
        },
      }),
      args,
    );
    expect(failed?.state).toBe('FAILED');
    expect(await filesUnder(curatedDir(dataDir))).toHaveLength(2);
    expect(await markers()).toEqual([]);
    expect(await exists(bookmarkFile())).toBe(false);

    const retry = await runToEnd(newJob(), args);
    expect(retry?.marker).toMatchObject({
      rows_read: 3,
      rows_written: 0,
      duplicates_removed: 3,
      partitions: [
        { event_type: 'page_view', dt: '2025-11-22', rows: 0 },
        { event_type: 'purchase', dt: '2025-11-22', rows: 0 },
      ],
    });
    expect((await readCurated(instance, dataDir)).map((r) => r.event_id)).toEqual(['e-1', 'e-2', 'e-3']);
  });

  it('fails the run on a missing source object (a poison line does not: tests/glue/quarantine.test.ts)', async () => {
    const missing = runArguments({ keys: ['events/type=page_view/dt=2025-11-22/gone.gz'] }, [
      ['page_view', '2025-11-22'],
    ]);
    expect(await runToEnd(newJob(), missing)).toMatchObject({
      state: 'FAILED',
      error: expect.stringContaining('gone.gz'),
    });
  });

  it("converts the transform's own output lines", async () => {
    const event = loadEvent<FirehoseTransformationEvent>('firehose-direct');
    const byPartition = new Map<string, string[]>();
    for (const record of event.records) {
      const out = transformRecord(record, { deliveryStream: 'direct' });
      if (out.zone !== 'events') continue;
      const id = `${out.partitionType}|${out.dt}`;
      byPartition.set(id, [...(byPartition.get(id) ?? []), `${out.json}\n`]);
    }
    const keys: string[] = [];
    const partitions: [string, string][] = [];
    for (const [id, lines] of byPartition) {
      const [type = '', dt = ''] = id.split('|');
      keys.push(await writeRawObject(dataDir, type, dt, lines));
      partitions.push([type, dt]);
    }
    const expected = [...byPartition.values()].flat().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(expected.length).toBeGreaterThan(0);

    const run = await runToEnd(newJob(), runArguments({ keys }, partitions));
    expect(run?.state).toBe('SUCCEEDED');
    const rows = await readCurated(instance, dataDir);
    expect(rows).toHaveLength(expected.length);
    for (const line of expected) {
      const row = rows.find((r) => r.event_id === line.event_id);
      expect(row).toMatchObject({ event_type: line.event_type, event_time_ms: Date.parse(String(line.event_time)) });
      expect(JSON.parse(String(row?.attributes))).toEqual(line.attributes);
    }
  });
});
