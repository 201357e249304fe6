import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { transformBatch } from '#shared/transform/firehose-batch.js';
import { ARRIVAL_MS, decode, firehoseEvent, validPurchase } from '../helpers/firehose.js';

const one = (payload: string | Uint8Array | object, arrivalMs = ARRIVAL_MS) => {
  const [record] = decode(transformBatch(firehoseEvent([payload], arrivalMs)).response);
  if (!record) throw new Error('no record returned');
  return record;
};

describe('failure types', () => {
  it.each([
    ['invalid_base64', 'not base64!!'],
    ['invalid_base64', 'YWJj='],
  ])('%s for data %j', (failureType, data) => {
    const event = firehoseEvent(['x']);
    if (event.records[0]) event.records[0].data = data;
    const [record] = decode(transformBatch(event).response);
    expect(record?.partitionKeys).toEqual({ zone: 'failed', event_type: failureType, dt: '2025-11-22' });
    expect(record?.json).toMatchObject({ payload: data, payload_encoding: 'base64' });
  });

  it('invalid_utf8 keeps the payload as base64', () => {
    const bytes = Uint8Array.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]);
    const record = one(bytes);
    expect(record.json).toMatchObject({
      failure_type: 'invalid_utf8',
      payload: Buffer.from(bytes).toString('base64'),
      payload_encoding: 'base64',
    });
  });

  it.each([
    ['malformed_json', '{"event_id": '],
    ['malformed_json', '{"a":1}\n{"b":2}'],
    ['not_an_object', '[1,2]'],
    ['not_an_object', '42'],
    ['not_an_object', 'null'],
    ['not_an_object', '"text"'],
  ])('%s for %j keeps the text payload', (failureType, text) => {
    const record = one(text);
    expect(record.partitionKeys?.event_type).toBe(failureType);
    expect(record.json).toMatchObject({ failure_type: failureType, payload: text, payload_encoding: 'text' });
    expect(record.json.errors).toHaveLength(1);
  });

  it.each([
    ['missing event_id', { event_id: undefined }, { path: '', message: "must have required property 'event_id'" }],
    [
      'event_id not a UUID',
      { event_id: 'abc' },
      { path: '/event_id', message: expect.stringContaining('must match pattern') },
    ],
    [
      'bad event_type',
      { event_type: 'Purchase' },
      { path: '/event_type', message: expect.stringContaining('pattern') },
    ],
    ['event_version 0', { event_version: 0 }, { path: '/event_version', message: 'must be >= 1' }],
    [
      'no offset in event_time',
      { event_time: '2025-11-22T09:59:00' },
      { path: '/event_time', message: expect.any(String) },
    ],
    [
      'neither app_id nor device_id',
      { app_id: undefined },
      { path: '', message: "must have required property 'device_id'" },
    ],
    ['unknown envelope field', { colour: 'red' }, { path: '/colour', message: 'must NOT have additional properties' }],
    ['attributes not an object', { attributes: [] }, { path: '/attributes', message: 'must be object' }],
  ])('schema_violation: %s', (_name, overrides, expected) => {
    const record = one(validPurchase(overrides));
    expect(record.partitionKeys?.event_type).toBe('schema_violation');
    expect(record.json.errors).toContainEqual(expected);
  });

  it('schema_violation on attributes names the JSON pointer inside attributes', () => {
    const attributes = {
      order_id: 'o-1',
      amount: 'ten',
      currency: 'EUR',
      items: [{ sku: 'A', quantity: 0, unit_price: 1 }],
    };
    const record = one(validPurchase({ attributes }));
    expect(record.json.errors).toEqual([
      { path: '/attributes/amount', message: 'must be number' },
      { path: '/attributes/items/0/quantity', message: 'must be >= 1' },
    ]);
  });

  it('caps readable errors at the configured maximum', () => {
    const attributes = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`extra_${i}`, i]));
    const record = one(validPurchase({ attributes: { ...validPurchase().attributes, ...attributes } }));
    expect(record.json.errors).toHaveLength(config.events.maxErrorsPerRecord);
  });

  it('unknown_event_type for an unknown type and for an unknown version', () => {
    expect(one(validPurchase({ event_type: 'refund' })).json.errors).toEqual([
      { path: '/event_type', message: 'no schema for refund v1' },
    ]);
    expect(one(validPurchase({ event_version: 9 })).json).toMatchObject({
      failure_type: 'unknown_event_type',
      errors: [{ path: '/event_type', message: 'no schema for purchase v9' }],
    });
  });

  it('size_violation above the record limit, keeping the payload', () => {
    const big = JSON.stringify(validPurchase({ user_id: 'u'.repeat(config.firehose.maxRecordBytes) }));
    const record = one(big);
    expect(record.json).toMatchObject({ failure_type: 'size_violation', payload: big, payload_encoding: 'text' });
    expect(record.json.errors[0].message).toContain(`${config.firehose.maxRecordBytes}-byte limit`);
  });

  it('invalid_timestamp for a date-time no clock can represent', () => {
    const record = one(validPurchase({ event_time: '2016-12-31T23:59:60Z' }));
    expect(record.json).toMatchObject({ failure_type: 'invalid_timestamp', errors: [{ path: '/event_time' }] });
  });
});

describe('event time', () => {
  it('accepts epoch milliseconds and offsets, defaulting event_version to 1', () => {
    expect(one(validPurchase({ event_time: ARRIVAL_MS - 61_000 })).json).toMatchObject({
      event_time: '2025-11-22T09:58:59.000Z',
      event_version: 1,
    });
    expect(one(validPurchase({ event_time: '2025-11-22T01:30:00.5-08:00' })).json.event_time).toBe(
      '2025-11-22T09:30:00.500Z',
    );
  });

  it('partitions by the UTC event date, not the arrival date', () => {
    const record = one(validPurchase({ event_time: '2025-11-21T23:59:59.999Z' }));
    expect(record.partitionKeys).toEqual({ zone: 'events', event_type: 'purchase', dt: '2025-11-21' });
  });

  it('corrects clock skew from sent_at against the edge receive time', () => {
    const record = one(
      validPurchase({
        event_time: '2025-11-22T09:00:00Z',
        sent_at: '2025-11-22T09:05:00Z',
        server_received_at: ARRIVAL_MS - 60_000,
      }),
    );
    // The device clock is 54 minutes behind the edge: the event happened at 09:54 by the edge's clock.
    expect(record.json).toMatchObject({ event_time: '2025-11-22T09:54:00.000Z', time_correction: 'clock_skew' });
  });

  it('pulls events more than the tolerance into the future back to their arrival', () => {
    const tolerance = config.events.futureToleranceMinutes * 60_000;
    expect(one(validPurchase({ event_time: ARRIVAL_MS + tolerance })).json.time_correction).toBeUndefined();
    expect(one(validPurchase({ event_time: ARRIVAL_MS + tolerance + 1 })).json).toMatchObject({
      event_time: '2025-11-22T10:00:00.000Z',
      event_time_original: String(ARRIVAL_MS + tolerance + 1),
      time_correction: 'future',
    });
  });

  it('routes events older than the freshness window to the late zone, under their receive date', () => {
    const windowMs = config.events.freshnessWindowDays * 86_400_000;
    expect(one(validPurchase({ event_time: ARRIVAL_MS - windowMs })).partitionKeys?.zone).toBe('events');
    const late = one(validPurchase({ event_time: ARRIVAL_MS - windowMs - 1 }));
    // One partition per type and receive day however many dates a backfill spans (at most 500 may be open).
    expect(late.partitionKeys).toEqual({ zone: 'late', event_type: 'purchase', dt: '2025-11-22' });
    expect(late.json.event_time).toBe('2025-10-23T09:59:59.999Z');
    expect(one(validPurchase({ event_time: '2019-03-04T05:06:07Z' })).partitionKeys?.dt).toBe('2025-11-22');
  });
});

describe('hostile JSON', () => {
  it('does not pollute prototypes through __proto__ or constructor keys', () => {
    const text = `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},${JSON.stringify(validPurchase()).slice(1)}`;
    const record = one(text);
    expect(record.json.failure_type).toBe('schema_violation');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('survives deep nesting without exhausting the stack', () => {
    const depth = 200_000;
    const record = one(`{"attributes":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(record.result).toBe('Ok');
    expect(record.json.failure_type).toBe('schema_violation');
  });

  it('turns a huge array inside attributes into a schema violation', () => {
    const items = Array.from({ length: 10_000 }, () => ({ sku: 'A', quantity: 1, unit_price: 1 }));
    const record = one(validPurchase({ attributes: { order_id: 'o', amount: 1, currency: 'EUR', items } }));
    expect(record.json.errors).toEqual([{ path: '/attributes/items', message: 'must NOT have more than 200 items' }]);
  });
});

describe('response budget', () => {
  it('hands records that do not fit back as ProcessingFailed, answering every recordId once', () => {
    const payloads = Array.from({ length: 40 }, (_, i) => validPurchase({ user_id: `user-${i}-${'x'.repeat(200)}` }));
    const maxBytes = 10_000;
    const { response, counts } = transformBatch(firehoseEvent(payloads), maxBytes);
    expect(response.records.map((r) => r.recordId)).toEqual(payloads.map((_, i) => `record-${i}`));
    expect(JSON.stringify(response).length).toBeLessThanOrEqual(maxBytes);
    const failed = response.records.filter((r) => r.result === 'ProcessingFailed');
    expect(failed.length).toBe(counts.overflow);
    expect(counts.overflow).toBeGreaterThan(0);
    expect(counts.byZone.events + counts.overflow).toBe(40);
    // The records kept are a prefix; the tail goes to the error prefix with its original data.
    const firstFailed = response.records.findIndex((r) => r.result === 'ProcessingFailed');
    expect(response.records.slice(firstFailed).every((r) => r.result === 'ProcessingFailed')).toBe(true);
  });
});
