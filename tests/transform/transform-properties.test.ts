import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transformBatch } from '#shared/transform/firehose-batch.js';
import { makeTransformHandler } from '../../functions/transform.js';
import { decode, firehoseEvent, validPurchase } from '../helpers/firehose.js';

const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;
const handler = makeTransformHandler(() => {});

const expectEveryRecordOnce = (ids: string[], count: number) =>
  expect(ids).toEqual(Array.from({ length: count }, (_, i) => `record-${i}`));

describe('transform properties', () => {
  it('never throws on arbitrary bytes, answers every record once, stays under 6 MB', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 2048 }), { maxLength: 50 }), async (payloads) => {
        const response = await handler(firehoseEvent(payloads));
        expectEveryRecordOnce(
          response.records.map((r) => r.recordId),
          payloads.length,
        );
        expect(JSON.stringify(response).length).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
        decode(response).forEach((record, i) => {
          // Only what looks like a packed record (RS first) may be answered ProcessingFailed, whole.
          if (record.result === 'ProcessingFailed') expect(payloads[i]?.[0]).toBe(0x1e);
          else expect(record.line.endsWith('\n')).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary JSON values and envelope-shaped objects', async () => {
    const envelopeLike = fc.record(
      {
        event_id: fc.oneof(fc.uuid(), fc.string()),
        event_type: fc.constantFrom('purchase', 'page_view', 'telemetry_reading', 'nope', ''),
        event_version: fc.oneof(fc.integer(), fc.double()),
        event_time: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.integer(),
          fc.string(),
        ),
        sent_at: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.integer(),
        ),
        app_id: fc.string(),
        device_id: fc.string(),
        attributes: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.jsonValue(), envelopeLike), { maxLength: 30 }), async (values) => {
        const response = await handler(firehoseEvent(values.map((v) => JSON.stringify(v) ?? 'undefined')));
        expectEveryRecordOnce(
          response.records.map((r) => r.recordId),
          values.length,
        );
        for (const record of decode(response)) {
          expect(record.result).toBe('Ok');
          expect(['events', 'late', 'failed']).toContain(record.partitionKeys?.zone);
          expect(record.partitionKeys?.dt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps any batch within the response budget it is given', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 3000 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 20_000, max: 200_000 }),
        (userIds, maxBytes) => {
          const payloads = userIds.map((id) => (id.length % 3 === 0 ? id : validPurchase({ user_id: id || 'u' })));
          const { response } = transformBatch(firehoseEvent(payloads), maxBytes);
          expectEveryRecordOnce(
            response.records.map((r) => r.recordId),
            payloads.length,
          );
          expect(JSON.stringify(response).length).toBeLessThanOrEqual(maxBytes);
        },
      ),
      { numRuns: 100 },
    );
  });
});
