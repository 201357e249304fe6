// The dedupe key is the UUID in lower case: the edge canonicalises event_id before anything else,
// so the record Firehose gets and the answer the client reads carry the same id.
import { describe, expect, it } from 'vitest';
import { harness } from './handler.js';
import { bodyOf, jsonBody, postEvent, validEvent } from './support.js';

describe('event_id at the edge', () => {
  it('is lower-cased in the record and in a rejection answer', async () => {
    const h = harness();
    const accepted = validEvent({ event_id: '0B9D3C2E-6F1A-4F4E-9A53-00000000ABCD' });
    const refused = validEvent({ event_id: 'ABCDEF12-6F1A-4F4E-9A53-00000000ABCD', app_id: 'someone-else' });
    const response = await h.invoke(postEvent(jsonBody([accepted, refused])));
    expect(response.statusCode).toBe(200);
    expect(h.firehose.calls.flat().map((e) => e.event_id)).toEqual(['0b9d3c2e-6f1a-4f4e-9a53-00000000abcd']);
    expect(bodyOf(response)).toMatchObject({
      accepted: 1,
      rejected: [{ index: 1, event_id: 'abcdef12-6f1a-4f4e-9a53-00000000abcd' }],
    });
  });

  it('makes the same UUID in two cases one event id in one packed record', async () => {
    const h = harness();
    const lower = validEvent();
    const upper = { ...lower, event_id: String(lower.event_id).toUpperCase() };
    expect((await h.invoke(postEvent(jsonBody([lower, upper])))).statusCode).toBe(200);
    expect(h.firehose.records[0]?.map((events) => events.map((e) => e.event_id))).toEqual([
      [lower.event_id, lower.event_id],
    ]);
  });
});
