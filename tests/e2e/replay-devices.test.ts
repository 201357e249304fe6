// Replaying what failed on the device path sends it back through the devices stream: a
// processing-failed record of the devices stream holds the IoT rule's wrapper (base64 payload and
// device id); through the direct stream it would fail as a schema violation with its event id hidden
// in base64, and an acknowledged device event would be lost to every ledger.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { wrapDevicePayload } from '#shared/transform/device-payload.js';
import type { LocalPipeline } from '../../local/pipeline/pipeline.js';
import { devicesStreamName, directStreamName } from '../../local/pipeline/wiring.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { deviceRecords } from '../../local/tools/replay/device-records.js';
import { errorRecordPayload, failedEventPayload } from '../../local/tools/replay/records.js';
import { replayObjects } from '../../local/tools/replay/run.js';
import { newDataDir, removeDataDir, startE2ePipeline } from './harness.js';
import { curatedRows, queryRows } from './lake.js';

const dt = new Date().toISOString().slice(0, 10);
const reading = (n: number) => ({
  event_id: `d1ce0000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  event_type: 'telemetry_reading',
  event_time: new Date(Date.now() - 60_000).toISOString(),
  attributes: { sensor: 'temperature', value: 20 + n, unit: 'celsius' },
});
const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
/** A Firehose error-output line, as the delivery stream writes one for a record the transform failed. */
const errorLine = (data: Buffer): string =>
  JSON.stringify({
    attemptsMade: 4,
    arrivalTimestamp: Date.now(),
    errorCode: 'Lambda.FunctionError',
    errorMessage: 'The Lambda function was successfully invoked but it returned an error result.',
    rawData: data.toString('base64'),
  });
const objectKey = (prefix: string, stream: string, n: number) =>
  `${prefix}dt=${dt}/${stream}-1-${dt}-00-00-0${n}-0a0b0c0d-0000-4000-8000-00000000000${n}.gz`;

let dataDir: string;
let p: LocalPipeline;

beforeAll(async () => {
  dataDir = await newDataDir();
  p = await startE2ePipeline(dataDir);
}, 60_000);

afterAll(async () => {
  await p?.close();
  await removeDataDir(dataDir);
});

describe('eventlake replay on the device path', () => {
  it('routes only device-path records to the devices stream', () => {
    const wrapper = Buffer.from(wrapDevicePayload(bytes(reading(0)), 'thermo-0', Date.now()));
    const fromDevices = deviceRecords(errorLine(wrapper), objectKey('processing-failed/', devicesStreamName, 1));
    expect(fromDevices).toEqual([{ data: wrapper, partitionKey: 'thermo-0' }]);
    expect(deviceRecords(errorLine(bytes(reading(0))), objectKey('processing-failed/', directStreamName, 1))).toBe(
      undefined,
    );
    const appFailure = JSON.stringify({ failure_type: 'schema_violation', payload: '{}', ingest_source: 'direct' });
    expect(deviceRecords(appFailure, `${config.prefixes.failed}type=schema_violation/dt=${dt}/x.gz`)).toBe(undefined);
  });

  it('lands device events that failed processing, with their device id, where the direct stream would fail them', async () => {
    const events = [reading(1), reading(2), reading(3)];
    const lines = events.map((e, i) =>
      errorLine(Buffer.from(wrapDevicePayload(bytes(e), `thermo-${i + 1}`, Date.now()), 'utf8')),
    );
    const key = objectKey('processing-failed/', devicesStreamName, 2);
    await p.s3.putObject(
      { bucket: localBucketNames.ingest, key },
      gzipSync(`${lines.join('\n')}\n`),
      'application/gzip',
    );

    const { outcome } = await replayObjects(p, [key], errorRecordPayload);
    expect(outcome).toMatchObject({ replayed: 3, notAccepted: 0, unreadable: 0 });
    expect(outcome.landed).toMatchObject({ valid: 3, failed: {}, processingFailed: 0 });
    const curated = await curatedRows(p.instance, dataDir);
    expect(curated.map((r) => r.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
    const ids = events.map((e) => `'${e.event_id}'`).join(', ');
    const rows = await queryRows(
      p.instance,
      `SELECT event_id, device_id, ingest_source FROM read_json('${dataDir}/${localBucketNames.ingest}/${config.prefixes.events}type=telemetry_reading/dt=${dt}/*.gz', format = 'newline_delimited', compression = 'gzip') WHERE event_id IN (${ids}) ORDER BY event_id`,
    );
    expect(rows).toEqual(
      events.map((e, i) => ({ event_id: e.event_id, device_id: `thermo-${i + 1}`, ingest_source: 'kinesis' })),
    );
  }, 90_000);

  it('replays a failed device event (after a schema fix) through the devices stream with its device id', async () => {
    const event = reading(4);
    const failed = JSON.stringify({
      failure_type: 'schema_violation',
      errors: [{ path: '/attributes/unit', message: 'must be one of the allowed values' }],
      payload: JSON.stringify(event),
      payload_encoding: 'text',
      event_id: event.event_id,
      ingest_source: 'kinesis',
      ingest_partition_key: 'thermo-4',
      device_id: 'thermo-4',
      delivery_stream: devicesStreamName,
    });
    const key = `${config.prefixes.failed}type=schema_violation/dt=${dt}/${devicesStreamName}-1-x.gz`;
    await p.s3.putObject({ bucket: localBucketNames.ingest, key }, gzipSync(`${failed}\n`), 'application/gzip');

    const { outcome } = await replayObjects(p, [key], failedEventPayload);
    expect(outcome).toMatchObject({ replayed: 1, notAccepted: 0 });
    expect(outcome.landed.valid).toBe(1);
    expect((await curatedRows(p.instance, dataDir)).some((r) => r.event_id === event.event_id)).toBe(true);
  }, 90_000);
});
