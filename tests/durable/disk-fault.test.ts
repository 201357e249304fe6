// A bad disk under the local pipeline (simulated through its file-writing ports: ENOSPC on the
// journal, EROFS on the S3 delivery). While the journal cannot be written the API answers 503 with
// Retry-After and acknowledges nothing; health names the cause and an ERROR line is logged; a
// delivery that fails keeps its records and a flush says so; once the disk is writable again every
// acknowledged event is curated exactly once (lost 0, doubled 0).
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestServer } from '../../local/apigateway/ingest-server.js';
import type { RunningServer } from '../../local/apigateway/server.js';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { E2E_TIME_SCALE, newDataDir, removeDataDir } from '../e2e/harness.js';
import { curatedRows } from '../e2e/lake.js';
import { badDiskFiles, badDiskPutObject, type DiskState, ingestCaller, pageViews } from './helpers.js';

let dataDir: string;
let pipeline: LocalPipeline;
let instance: DuckDBInstance;
let server: RunningServer;
const journalDisk: DiskState = { failing: undefined };
const s3Disk: DiskState = { failing: undefined };
const logs: string[] = [];

beforeAll(async () => {
  dataDir = await newDataDir();
  instance = await DuckDBInstance.create(':memory:');
  pipeline = await startLocalPipeline({
    dataDir,
    timeScale: E2E_TIME_SCALE,
    durableAcks: true,
    faults: { journalFiles: badDiskFiles(journalDisk), deliveryPutObject: badDiskPutObject(s3Disk) },
    log: (line) => logs.push(line),
  });
  server = await startIngestServer(pipeline, 0);
});

const health = async () => {
  const response = await fetch(`${server.url}/v1/health`);
  const body = (await response.json()) as { status: string; cause?: string };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
};

afterAll(async () => {
  await server?.close();
  await pipeline?.close();
  instance?.closeSync();
  await removeDataDir(dataDir);
});

describe('a bad disk under the local pipeline', () => {
  it('answers 503 while the journal cannot be written, then delivers every acknowledged event once', async () => {
    const send = ingestCaller(pipeline.putRecords);
    const acknowledged = new Set<string>();
    const sendAll = async (events: ReturnType<typeof pageViews>) => {
      const answer = await send(events);
      if (answer.status === 200) for (const e of events) acknowledged.add(e.event_id);
      return answer;
    };
    expect((await sendAll(pageViews(40))).status).toBe(200);

    journalDisk.failing = 'ENOSPC';
    const refused = await sendAll(pageViews(30));
    expect(refused.status).toBe(503);
    expect(refused.headers['Retry-After']).toBeDefined();
    expect(pipeline.health()).toEqual({ ok: false, cause: expect.stringContaining('ENOSPC') });
    expect(logs.some((l) => l.startsWith('ERROR') && l.includes('ENOSPC'))).toBe(true);
    const red = await health();
    expect([red.status, red.retryAfter, red.body.status]).toEqual([503, '2', 'unavailable']);
    expect(red.body.cause).toContain('ENOSPC');

    journalDisk.failing = undefined;
    s3Disk.failing = 'EROFS';
    expect((await sendAll(pageViews(50))).status).toBe(200);
    await expect(pipeline.direct.flush()).rejects.toThrow(/records not delivered.*EROFS/);
    expect(pipeline.health()).toEqual({ ok: false, cause: expect.stringContaining('EROFS') });
    expect(pipeline.direct.stats().undeliveredRecords).toBeGreaterThan(0);

    s3Disk.failing = undefined;
    await settle(pipeline);
    expect(pipeline.health()).toEqual({ ok: true });
    expect((await health()).status).toBe(200);
    const curated = (await curatedRows(instance, dataDir)).map((r) => r.event_id);
    expect(curated.filter((id) => !acknowledged.has(id))).toEqual([]);
    expect([...acknowledged].filter((id) => !curated.includes(id))).toEqual([]);
    expect(curated.length).toBe(acknowledged.size);
    expect(acknowledged.size).toBe(90);
  });
});
