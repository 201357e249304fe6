// Fixtures for the CLI tests: a temporary data directory, a small lake built by the real local
// pipeline, hand-written ingest-bucket objects (failed-event records, Firehose error output) and
// captured command output.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startIngestServer } from '../../local/apigateway/ingest-server.js';
import { runQuery } from '../../local/cli/query.js';
import { startLocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames, objectPath } from '../../local/s3/buckets.js';
import { pushTraffic } from '../../local/tools/traffic/demo-traffic.js';

export const tempDataDir = (): string => mkdtempSync(path.join(tmpdir(), 'eventlake-cli-'));

/** Runs generated traffic through the whole local pipeline into dataDir. */
export async function buildLake(dataDir: string, events: number): Promise<void> {
  const pipeline = await startLocalPipeline({ dataDir });
  const server = await startIngestServer(pipeline, 0);
  try {
    await pushTraffic(pipeline, server.url, { events, seed: 11, devices: 20 });
    await settle(pipeline);
  } finally {
    await server.close();
    await pipeline.close();
  }
}

export interface Captured {
  io: { stdout: (text: string) => void; stderr: (text: string) => void };
  stdout(): string;
  stderr(): string;
}

export function captureIo(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (text) => out.push(text), stderr: (text) => err.push(text) },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** A valid page_view event, an hour old. */
export function pageView(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    event_type: 'page_view',
    event_version: 1,
    event_time: new Date(Date.now() - 3_600_000).toISOString(),
    app_id: 'shop-web',
    attributes: { url: 'https://shop.example.com/cart' },
    ...overrides,
  };
}

export const today = (): string => new Date().toISOString().slice(0, 10);

/** Writes a gzip NDJSON object into the local ingest bucket, as Firehose would. */
export function putIngestObject(dataDir: string, key: string, lines: readonly string[]): void {
  const file = objectPath(dataDir, { bucket: localBucketNames.ingest, key });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
}

/** A failed-event record in the transform's format. */
export function failedEventLine(failureType: string, payload: string, encoding: 'text' | 'base64' = 'text'): string {
  const parsed = encoding === 'text' ? (JSON.parse(payload) as Record<string, unknown>) : {};
  return JSON.stringify({
    failure_type: failureType,
    errors: [{ path: '/event_type', message: 'no schema for this type' }],
    payload,
    payload_encoding: encoding,
    event_id: parsed.event_id,
    event_type: parsed.event_type,
    received_at: new Date().toISOString(),
    ingest_source: 'direct',
    delivery_stream: 'eventlake-local-direct',
    record_id: '1',
  });
}

/** The rows of a query over the lake, through `eventlake query --json`. */
export async function lakeRows(dataDir: string, sql: string): Promise<(string | null)[][]> {
  const captured = captureIo();
  const code = await runQuery([sql, '--data-dir', dataDir, '--json'], captured.io);
  if (code !== 0) throw new Error(`query failed: ${captured.stderr()}`);
  return (JSON.parse(captured.stdout()) as { rows: (string | null)[][] }).rows;
}
