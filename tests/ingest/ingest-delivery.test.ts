import { describe, expect, it } from 'vitest';
import { DependencyUnavailable } from '#shared/ingest/errors.js';
import { harness } from './handler.js';
import { bodyOf, fakeFirehose, jsonBody, postEvent, validEvent } from './support.js';

const events = (n: number) => Array.from({ length: n }, () => validEvent());
/** One event per record, so each entry Firehose fails is one event. */
const unpacked = { settings: { packRecordBytes: 0 } };

describe('delivery to Firehose', () => {
  it('re-sends only the entries Firehose failed, with jittered backoff, and then answers 200', async () => {
    const batch = events(5);
    // First call: entries 1 and 3 fail; second call: the first of the two fails again.
    const firehose = fakeFirehose(
      (call, position) => (call === 0 && (position === 1 || position === 3)) || (call === 1 && position === 0),
    );
    const h = harness(firehose, unpacked);
    const response = await h.invoke(postEvent(jsonBody(batch)));
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ accepted: 5, rejected: [] });
    const ids = (call: number) => firehose.calls[call]?.map((e) => e.event_id);
    expect(ids(0)).toEqual(batch.map((e) => e.event_id));
    expect(ids(1)).toEqual([batch[1]?.event_id, batch[3]?.event_id]);
    expect(ids(2)).toEqual([batch[1]?.event_id]);
    // random() = 0.5: half of 50 ms, then half of 100 ms.
    expect(h.sleeps).toEqual([25, 50]);
    expect(h.reports[0]).toMatchObject({ retried: 3, attempts: 3 });
  });

  it('gives up inside the time budget with 503, Retry-After and exactly the request indexes not accepted', async () => {
    const invalid = validEvent({ event_time: 'not a time' });
    const stuck = new Set<unknown>();
    const batch = [invalid, ...events(4)];
    stuck.add(batch[2]?.event_id).add(batch[4]?.event_id);
    const firehose = fakeFirehose((_call, _position, record) => stuck.has(record.event_id));
    const h = harness(firehose, unpacked);
    const response = await h.invoke(postEvent(jsonBody(batch)), 6_000);
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('2');
    expect(bodyOf(response)).toEqual({
      accepted: 2,
      rejected: [{ index: 0, event_id: invalid.event_id, reason: expect.stringMatching(/^schema_violation/) }],
      failed: [2, 4],
      retryable: true,
    });
    const slept = h.sleeps.reduce((a, b) => a + b, 0);
    expect(slept).toBeLessThanOrEqual(6_000 - 2_000);
    expect(firehose.calls.length).toBeGreaterThan(3);
    expect(firehose.calls.slice(1).every((call) => call.every((e) => stuck.has(e.event_id)))).toBe(true);
  });

  it('answers every event of a packed record Firehose did not take as failed, and re-sends the record whole', async () => {
    // Two partitions (page_view and add_to_cart of the same day); the add_to_cart record keeps failing.
    const views = events(3);
    const purchases = [0, 1].map(() =>
      validEvent({ event_type: 'add_to_cart', attributes: { sku: 'A', quantity: 1, unit_price: 2, currency: 'EUR' } }),
    );
    const batch = [views[0], purchases[0], views[1], purchases[1], views[2]];
    const firehose = fakeFirehose((_call, _position, record) => record.event_type === 'add_to_cart');
    const h = harness(firehose);
    const response = await h.invoke(postEvent(jsonBody(batch)), 6_000);
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toEqual({ accepted: 3, rejected: [], failed: [1, 3], retryable: true });
    expect(firehose.records[0]?.map((r) => r.length)).toEqual([3, 2]);
    expect(firehose.records.slice(1).every((call) => call.length === 1 && call[0]?.length === 2)).toBe(true);
  });

  it('treats a thrown PutRecordBatch as every entry of that call failing, never as success', async () => {
    let calls = 0;
    const h = harness({
      calls: [],
      records: [],
      putRecords: async () => {
        calls += 1;
        throw new Error('ServiceUnavailableException');
      },
    });
    const response = await h.invoke(postEvent(jsonBody(events(3))), 3_000);
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toMatchObject({ accepted: 0, failed: [0, 1, 2], retryable: true });
    expect(calls).toBeGreaterThan(1);
  });

  it('puts a request that fits 4 MiB in one call and splits one that does not', async () => {
    const h = harness();
    const batch = Array.from({ length: 500 }, () => validEvent({ attributes: { url: 'u'.repeat(2_000) } }));
    expect((await h.invoke(postEvent(jsonBody(batch), { gzip: true }))).statusCode).toBe(413);
    const fits = batch.slice(0, 450);
    const one = await h.invoke(postEvent(jsonBody(fits), { gzip: true }));
    expect(one.statusCode).toBe(200);
    expect(h.firehose.calls.map((c) => c.length)).toEqual([450]);

    const wide = harness(undefined, { settings: { maxDecodedBodyBytes: 8 * 1024 * 1024 } });
    const large = Array.from({ length: 300 }, () => validEvent({ attributes: { url: 'u'.repeat(20_000) } }));
    expect((await wide.invoke(postEvent(jsonBody(large), { gzip: true }))).statusCode).toBe(200);
    const sizes = wide.firehose.calls.map((c) => c.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(300);
    expect(sizes.length).toBe(2);
  });

  it('answers 503 with Retry-After when the key cannot be checked', async () => {
    const h = harness(undefined, {
      resolveApp: async () => {
        throw new DependencyUnavailable('the API key could not be checked; retry shortly');
      },
    });
    const response = await h.invoke(postEvent(jsonBody(events(1))));
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('2');
    expect(bodyOf(response)).toMatchObject({ error: 'unavailable', retryable: true });
  });

  it('answers a bare 500 for an unexpected failure, without its details', async () => {
    const h = harness(undefined, {
      resolveApp: async () => {
        throw new TypeError('secret internals');
      },
    });
    const response = await h.invoke(postEvent(jsonBody(events(1))));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret');
  });
});
