// Device messages that are not JSON take the real local path (topic rule → devices stream →
// transform → S3) and land as failed-event records that name their device, as a bad HTTP body does;
// a valid device event next to them lands in events/ with the topic's device id.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { bucketDir, newDataDir, removeDataDir, startE2ePipeline } from './harness.js';
import { dataFiles } from './lake.js';

let dataDir: string;
let p: LocalPipeline;
const topic = (deviceId: string) => config.devices.topicFilter.replace('+', deviceId);
const eventId = randomUUID();

/** Every NDJSON line under an ingest-bucket prefix, parsed. */
function linesUnder(prefix: string): Record<string, unknown>[] {
  return dataFiles(path.join(bucketDir(dataDir, 'ingest'), prefix), '.gz').flatMap((file) =>
    gunzipSync(readFileSync(file))
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}

beforeAll(async () => {
  dataDir = await newDataDir();
  p = await startE2ePipeline(dataDir);
  const results = await p.publishFromDevices([
    { topic: topic('thermo-1'), payload: 'temp=21.4;unit=C' },
    { topic: topic('thermo-2'), payload: new Uint8Array([0x00, 0xff, 0x10, 0x80]) },
    {
      topic: topic('thermo-3'),
      payload: JSON.stringify({
        event_id: eventId,
        event_type: 'telemetry_reading',
        event_time: Date.now() - 60_000,
        attributes: { sensor: 'temperature', value: 21.4, unit: 'celsius', battery_pct: 87 },
      }),
    },
  ]);
  expect(results.every((r) => r.ok)).toBe(true);
  await settle(p);
}, 90_000);

afterAll(async () => {
  await p?.close();
  await removeDataDir(dataDir);
});

describe('device payloads that are not JSON', () => {
  it('become failed-event records with their device id and the original payload', () => {
    const failed = linesUnder(config.prefixes.failed);
    const byDevice = new Map(failed.map((r) => [r.device_id, r]));
    expect(byDevice.get('thermo-1')).toMatchObject({
      failure_type: 'malformed_json',
      payload: 'temp=21.4;unit=C',
      payload_encoding: 'text',
      ingest_source: 'kinesis',
    });
    expect(byDevice.get('thermo-2')).toMatchObject({ failure_type: 'invalid_utf8', ingest_source: 'kinesis' });
    expect(failed).toHaveLength(2);
  });

  it('leave the valid device event next to them alone', () => {
    const events = linesUnder(config.prefixes.events);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event_id: eventId, device_id: 'thermo-3', ingest_source: 'kinesis' });
    expect(typeof events[0]?.server_received_at).toBe('string');
  });
});
