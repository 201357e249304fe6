// Every timestamp the transform writes lies in 0001-01-01T00:00:00.000Z..9999-12-31T23:59:59.999Z
// and every dt is yyyy-MM-dd: an event that would carry one outside becomes an invalid_timestamp
// failed-event record (issue 13: one crafted sent_at wrote a year-10000 sent_at and stopped a run).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transformBatch } from '#shared/transform/firehose-batch.js';
import { ARRIVAL_MS, decode, firehoseEvent, validPurchase } from '../helpers/firehose.js';

const one = (payload: object, arrivalMs = ARRIVAL_MS) => {
  const [record] = decode(transformBatch(firehoseEvent([payload], arrivalMs)).response);
  if (!record) throw new Error('no record returned');
  return record;
};

const TIMESTAMP_FIELDS = ['event_time', 'received_at', 'server_received_at', 'sent_at'];
const ISO_IN_RANGE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MIN_MS = new Date('0001-01-01T00:00:00.000Z').getTime();
const MAX_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

/** Fails the test when a line carries a timestamp out of range or a partition a malformed dt. */
function expectRepresentable(line: Record<string, unknown>, dt: string | undefined): void {
  expect(dt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  for (const field of TIMESTAMP_FIELDS) {
    const value = line[field];
    if (value === undefined) continue;
    expect(value, field).toMatch(ISO_IN_RANGE);
    const ms = Date.parse(value as string);
    expect(ms >= MIN_MS && ms <= MAX_MS, `${field} ${String(value)}`).toBe(true);
  }
}

describe('timestamps the transform writes', () => {
  it('fails an event whose sent_at is past year 9999 in UTC (a negative offset on 9999-12-31)', () => {
    const record = one(validPurchase({ sent_at: '9999-12-31T23:59:59.999-23:59' }));
    expect(record.partitionKeys).toEqual({ zone: 'failed', event_type: 'invalid_timestamp', dt: '2025-11-22' });
    expect(record.json).toMatchObject({
      failure_type: 'invalid_timestamp',
      errors: [{ path: '/sent_at', message: expect.stringContaining('outside 0001-01-01T00:00:00.000Z') }],
    });
    expectRepresentable(record.json, record.partitionKeys?.dt);
  });

  it('fails an event_time before year 0001 in UTC (a positive offset on 0001-01-01, or year 0000)', () => {
    for (const eventTime of ['0001-01-01T00:30:00+01:00', '0000-06-01T00:00:00Z']) {
      expect(one(validPurchase({ event_time: eventTime })).json).toMatchObject({
        failure_type: 'invalid_timestamp',
        errors: [{ path: '/event_time' }],
      });
    }
  });

  it('fails an event whose skew correction by sent_at moves event_time out of range', () => {
    // The device claims to send at 9999-12-31: the skew is −8,000 years, event_time would be year −6000.
    const record = one(validPurchase({ sent_at: '9999-12-31T00:00:00Z', server_received_at: ARRIVAL_MS }));
    expect(record.json).toMatchObject({
      failure_type: 'invalid_timestamp',
      errors: [{ path: '/event_time', message: expect.stringContaining('corrected by sent_at') }],
    });
  });

  it('keeps the edges of the range: 0001-01-01 and 9999-12-31 (late, so under the receive date)', () => {
    const first = one(validPurchase({ event_time: '0001-01-01T00:00:00Z' }));
    expect(first.partitionKeys).toEqual({ zone: 'late', event_type: 'purchase', dt: '2025-11-22' });
    expect(first.json.event_time).toBe('0001-01-01T00:00:00.000Z');
    const last = one(validPurchase({ sent_at: '9999-12-31T23:59:59.999Z', server_received_at: MAX_MS }));
    expect(last.json.sent_at).toBe('9999-12-31T23:59:59.999Z');
  });

  it('writes only in-range timestamps and yyyy-MM-dd dates, whatever the times sent', () => {
    const instant = fc.oneof(
      fc.integer({ min: -1e16, max: 1e16 }),
      fc.integer({ min: 0, max: MAX_MS }),
      fc
        .tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 1, max: 12 }),
          fc.integer({ min: 1, max: 28 }),
          fc.integer({ min: 0, max: 23 }),
          fc.integer({ min: -23, max: 23 }),
          fc.integer({ min: 0, max: 59 }),
        )
        .map(([y, mo, d, h, oh, om]) => {
          const p = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
          return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:00:00.${p(om, 3)}${oh < 0 ? '-' : '+'}${p(oh)}:${p(om)}`;
        }),
    );
    const times = fc.record(
      { event_time: instant, sent_at: instant, server_received_at: instant },
      { requiredKeys: ['event_time'] },
    );
    const arrival = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
    fc.assert(
      fc.property(fc.array(times, { minLength: 1, maxLength: 20 }), arrival, (events, arrivalMs) => {
        const payloads = events.map((t) => validPurchase(t));
        for (const record of decode(transformBatch(firehoseEvent(payloads, arrivalMs)).response)) {
          expect(record.result).toBe('Ok');
          expectRepresentable(record.json, record.partitionKeys?.dt);
          if (record.json.failure_type !== undefined) expect(record.partitionKeys?.zone).toBe('failed');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('event_id', () => {
  it('is written in lower case, so one UUID in either case is one dedupe key', () => {
    const upper = one(validPurchase({ event_id: '0B9D3C2E-6F1A-4F4E-9A53-3C1B2F8D7E01' }));
    const lower = one(validPurchase({ event_id: '0b9d3c2e-6f1a-4f4e-9a53-3c1b2f8d7e01' }));
    expect(upper.json.event_id).toBe('0b9d3c2e-6f1a-4f4e-9a53-3c1b2f8d7e01');
    expect(upper.line).toBe(lower.line);
  });

  it('is lower-cased in a failed-event record too, while the payload keeps what was sent', () => {
    const record = one(validPurchase({ event_id: 'ABCDEF00-6F1A-4F4E-9A53-3C1B2F8D7E01', event_type: 'refund' }));
    expect(record.json.event_id).toBe('abcdef00-6f1a-4f4e-9a53-3c1b2f8d7e01');
    expect(record.json.payload).toContain('ABCDEF00-6F1A');
  });
});
