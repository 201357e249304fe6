// The IoT rule's wrapper on the devices stream: every payload (JSON or not) is unwrapped, a JSON
// object gets the topic's device id and the broker time, and a bad payload becomes a failed-event
// record that still says which device sent it. Records of the direct stream are never unwrapped.
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseDeviceWrapper, wrapDevicePayload } from '#shared/transform/device-payload.js';
import { transformBatch } from '#shared/transform/firehose-batch.js';
import { loadEvent } from '../helpers/events.js';
import { ARRIVAL_MS, decode, firehoseEvent } from '../helpers/firehose.js';

const BROKER_MS = ARRIVAL_MS - 2_000;

/** A devices-stream batch: each payload wrapped by the rule, with Kinesis record metadata. */
function deviceEvent(
  messages: readonly { payload: string | Uint8Array; deviceId: string }[],
): FirehoseTransformationEvent {
  return {
    invocationId: 'device-invocation',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/eventlake-test-devices',
    sourceKinesisStreamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/eventlake-test-device-events',
    region: 'eu-west-1',
    records: messages.map(({ payload, deviceId }, i) => ({
      recordId: `device-${i}`,
      approximateArrivalTimestamp: ARRIVAL_MS,
      data: Buffer.from(wrapDevicePayload(Buffer.from(payload), deviceId, BROKER_MS), 'utf8').toString('base64'),
      kinesisRecordMetadata: {
        shardId: 'shardId-000000000000',
        partitionKey: deviceId,
        approximateArrivalTimestamp: ARRIVAL_MS,
        sequenceNumber: `${i}`,
        subsequenceNumber: '0',
      },
    })),
  } as FirehoseTransformationEvent;
}

const reading = (overrides: Record<string, unknown> = {}) => ({
  event_id: '7f0c2a8e-3b6d-4f1a-9e2c-5d8b1a4c6e01',
  event_type: 'telemetry_reading',
  event_time: ARRIVAL_MS - 60_000,
  attributes: { sensor: 'temperature', value: 21.4, unit: 'celsius', battery_pct: 87 },
  ...overrides,
});

describe('device payloads through the rule wrapper', () => {
  it('a JSON event gets the topic’s device id (over its own) and the broker receive time', () => {
    const [out] = decode(
      transformBatch(deviceEvent([{ payload: JSON.stringify(reading({ device_id: 'spoofed' })), deviceId: 'dev-7' }]))
        .response,
    );
    expect(out?.partitionKeys).toMatchObject({ zone: 'events', event_type: 'telemetry_reading' });
    expect(out?.json).toMatchObject({
      event_id: reading().event_id,
      device_id: 'dev-7',
      server_received_at: new Date(BROKER_MS).toISOString(),
      ingest_source: 'kinesis',
      ingest_partition_key: 'dev-7',
    });
  });

  it.each([
    ['text that is not JSON', 'temp=21.4;unit=C', 'malformed_json'],
    ['an empty payload', '', 'malformed_json'],
    ['a JSON array', '[1,2,3]', 'not_an_object'],
    ['binary that is not UTF-8', new Uint8Array([0xff, 0xfe, 0x00, 0x81]), 'invalid_utf8'],
    ['an object that is no event', '{"hello":"world"}', 'schema_violation'],
  ])('%s becomes a failed-event record carrying the device id', (_what, payload, failureType) => {
    const [out] = decode(transformBatch(deviceEvent([{ payload, deviceId: 'sensor-42' }])).response);
    expect(out?.result).toBe('Ok');
    expect(out?.partitionKeys).toMatchObject({ zone: 'failed', event_type: failureType });
    expect(out?.json).toMatchObject({ failure_type: failureType, device_id: 'sensor-42', ingest_source: 'kinesis' });
  });

  it('keeps the payload’s bytes: big integers and key order reach the validator untouched', () => {
    const text = '{"event_type":"telemetry_reading","n":12345678901234567890}';
    const [out] = decode(transformBatch(deviceEvent([{ payload: text, deviceId: 'd1' }])).response);
    expect(out?.json.payload).toBe(
      `{"event_type":"telemetry_reading","n":12345678901234567890,"device_id":"d1","server_received_at":${BROKER_MS}}`,
    );
  });

  it('never unwraps on the direct stream, and passes a Kinesis record that is no wrapper as before', () => {
    const lookalike = JSON.parse(wrapDevicePayload(Buffer.from('x'), 'd1', 1));
    const [direct] = decode(transformBatch(firehoseEvent([lookalike])).response);
    expect(direct?.json).toMatchObject({ failure_type: 'schema_violation' });
    expect(direct?.json.device_id).toBeUndefined();

    const unwrapped = deviceEvent([{ payload: 'ignored', deviceId: 'd2' }]);
    const record = unwrapped.records[0] as { data: string };
    record.data = Buffer.from(JSON.stringify(reading({ device_id: 'old-rule' })), 'utf8').toString('base64');
    const [old] = decode(transformBatch(unwrapped).response);
    expect(old?.json).toMatchObject({ device_id: 'old-rule', ingest_source: 'kinesis' });
  });

  it('recognises only the exact wrapper', () => {
    expect(parseDeviceWrapper('{"payload_b64":"eA==","device_id":"d","received_ms":1}')).toEqual({
      payload_b64: 'eA==',
      device_id: 'd',
      received_ms: 1,
    });
    expect(parseDeviceWrapper('{"payload_b64":"eA==","device_id":"d","received_ms":1,"x":1}')).toBeUndefined();
    expect(parseDeviceWrapper('{"payload_b64":"eA==","device_id":"","received_ms":1}')).toBeUndefined();
    expect(parseDeviceWrapper('{"payload_b64":1,"device_id":"d","received_ms":1}')).toBeUndefined();
    expect(parseDeviceWrapper('{"payload_b64":"eA==","device_id":"d","received_ms":"1"}')).toBeUndefined();
    expect(parseDeviceWrapper('not json "payload_b64"')).toBeUndefined();
  });
});

describe('events/firehose-kinesis-rule-wrapped.json (what the devices stream hands the transform)', () => {
  it('one valid event, a text payload and a binary payload: events/, then failed/ with device ids', () => {
    const out = decode(
      transformBatch(loadEvent<FirehoseTransformationEvent>('firehose-kinesis-rule-wrapped')).response,
    );
    expect(out.map((r) => [r.partitionKeys?.zone, r.json.device_id, r.json.failure_type])).toEqual([
      ['events', 'thermo-0042', undefined],
      ['failed', 'thermo-0043', 'malformed_json'],
      ['failed', 'thermo-0044', 'invalid_utf8'],
    ]);
    expect(out[0]?.json.server_received_at).toBe('2025-11-22T09:59:59.000Z');
  });
});
