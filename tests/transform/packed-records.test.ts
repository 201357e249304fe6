// Packed records (RS-prefixed, LF-terminated events sharing partition keys) through the transform:
// one output record of normalised lines under the shared keys, or ProcessingFailed whole when a
// line fails or disagrees — never a line in a partition it does not belong to.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareEvents } from '#shared/ingest/events.js';
import { transformBatch } from '#shared/transform/firehose-batch.js';
import { pack } from '#shared/transform/packed-record.js';
import { ARRIVAL_MS, decode, firehoseEvent, validPurchase } from '../helpers/firehose.js';

const packed = (events: readonly object[]): string => pack(events.map((e) => JSON.stringify(e)));
const purchase = (n: number, overrides: Record<string, unknown> = {}) =>
  validPurchase({ event_id: `0b9d3c2e-6f1a-4f4e-9a53-${String(n).padStart(12, '0')}`, ...overrides });

describe('a packed record', () => {
  it('becomes one output record: every line normalised, under the keys the lines share', () => {
    const events = [purchase(1), purchase(2, { event_id: 'AB9D3C2E-6F1A-4F4E-9A53-000000000002' }), purchase(3)];
    const { response, counts } = transformBatch(firehoseEvent([packed(events)]));
    const [record] = decode(response);
    expect(record?.result).toBe('Ok');
    expect(record?.partitionKeys).toEqual({ zone: 'events', event_type: 'purchase', dt: '2025-11-22' });
    const lines = (record?.line ?? '').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l).event_id)).toEqual([
      '0b9d3c2e-6f1a-4f4e-9a53-000000000001',
      'ab9d3c2e-6f1a-4f4e-9a53-000000000002',
      '0b9d3c2e-6f1a-4f4e-9a53-000000000003',
    ]);
    expect(counts).toMatchObject({ records: 1, events: 3, byZone: { events: 3, late: 0, failed: 0 } });
  });

  it('is answered ProcessingFailed whole when one line is invalid, naming the line', () => {
    const events = [purchase(1), purchase(2, { attributes: { order_id: 'o' } }), purchase(3)];
    const { response, counts } = transformBatch(firehoseEvent([packed(events), purchase(4)]));
    expect(response.records.map((r) => r.result)).toEqual(['ProcessingFailed', 'Ok']);
    expect(counts).toMatchObject({ packRejected: 1, events: 1 });
    expect(counts.packRejections[0]).toMatch(/^event 2 of 3: schema_violation/);
  });

  it('is answered ProcessingFailed whole when its lines land in different partitions', () => {
    const events = [purchase(1), purchase(2, { event_time: '2025-11-21T12:00:00Z' })];
    const { response, counts } = transformBatch(firehoseEvent([packed(events)]));
    expect(response.records[0]?.result).toBe('ProcessingFailed');
    expect(counts.packRejections[0]).toContain(
      'partition events/purchase/2025-11-21 differs from events/purchase/2025-11-22',
    );
  });

  it('is one malformed event on the device stream, where nothing is packed', () => {
    const event = firehoseEvent([packed([purchase(1), purchase(2)])]);
    const record = event.records[0];
    if (record) record.kinesisRecordMetadata = { shardId: 's', partitionKey: 'k' } as never;
    const [out] = decode(transformBatch(event).response);
    expect(out?.partitionKeys).toMatchObject({ zone: 'failed', event_type: 'malformed_json' });
  });

  it('keeps a batch of packed and single records within the response budget it is given', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 5_000, max: 100_000 }),
        (sizes, maxBytes) => {
          let n = 0;
          const payloads = sizes.map((size) =>
            size === 1 ? purchase(++n) : packed(Array.from({ length: size }, () => purchase(++n))),
          );
          const { response, counts } = transformBatch(firehoseEvent(payloads), maxBytes);
          expect(response.records.map((r) => r.recordId)).toEqual(payloads.map((_, i) => `record-${i}`));
          expect(JSON.stringify(response).length).toBeLessThanOrEqual(maxBytes);
          // Whatever did not fit went ProcessingFailed whole (replay unpacks it); the rest is every event once.
          const failed = response.records.filter((r) => r.result === 'ProcessingFailed').length;
          expect(failed).toBe(counts.overflow);
          const okEvents = response.records.reduce(
            (sum, r, i) => sum + (r.result === 'Ok' ? (sizes[i] as number) : 0),
            0,
          );
          expect(counts.events).toBe(okEvents);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('packed at the edge, gives the lines the same events give one per record', () => {
    const event = fc.record({
      event_type: fc.constantFrom('purchase', 'page_view'),
      // Fresh, across midnight, beyond the freshness window, in the future.
      offsetMinutes: fc.integer({ min: -60 * 24 * 40, max: 60 }),
      invalidAttributes: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 60_000 }),
        (specs, lag) => {
          const candidates = specs.map((s, i) => ({
            event_id: `0b9d3c2e-6f1a-4f4e-9a53-${String(i).padStart(12, '0')}`,
            event_type: s.event_type,
            event_time: new Date(ARRIVAL_MS + s.offsetMinutes * 60_000).toISOString(),
            attributes: s.invalidAttributes ? {} : attributesOf(s.event_type),
          }));
          const stamp = { appId: 'shop-web', receivedAtMs: ARRIVAL_MS, requestId: 'req-1' };
          const singles = prepareEvents(structuredClone(candidates), stamp, {
            maxRecordBytes: 1_024_000,
            packRecordBytes: 0,
          });
          const packs = prepareEvents(structuredClone(candidates), stamp, {
            maxRecordBytes: 1_024_000,
            packRecordBytes: 5_000,
          });
          expect(packs.indexes.flat().sort((a, b) => a - b)).toEqual(candidates.map((_, i) => i));
          const linesOf = (records: Uint8Array[]) => {
            const out = decode(transformBatch(firehoseEvent(records, ARRIVAL_MS + lag)).response);
            expect(out.every((r) => r.result === 'Ok')).toBe(true);
            return out.flatMap((r) =>
              r.line
                .slice(0, -1)
                .split('\n')
                // A failed-event record names its Firehose record, which packing renumbers.
                .map((line) => `${JSON.stringify(r.partitionKeys)} ${line.replace(/"record_id":"[^"]*"/, '')}`),
            );
          };
          expect(linesOf(packs.records).sort()).toEqual(linesOf(singles.records).sort());
        },
      ),
      { numRuns: 150 },
    );
  });
});

function attributesOf(eventType: string): Record<string, unknown> {
  if (eventType === 'page_view') return { url: 'https://shop.example.com/' };
  return validPurchase().attributes;
}
