// The chaos client's per-event account: a 503 names the indexes to send again (and only those are
// sent), rejections keep their reason, a malformed body rejects its whole request, and a request
// that keeps failing leaves its events undelivered rather than accepted.
import { describe, expect, it } from 'vitest';
import { deliverTracked } from '../../local/tools/chaos/client.js';

type Reply = { status: number; body: unknown; retryAfter?: string };

function fakeApi(replies: Reply[]) {
  const bodies: string[] = [];
  const fakeFetch = (async (_url: string, init: { body: string }) => {
    bodies.push(init.body);
    const reply = replies.shift() ?? { status: 500, body: {} };
    const headers = new Headers(reply.retryAfter ? { 'retry-after': reply.retryAfter } : {});
    return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
  }) as unknown as typeof fetch;
  const slept: number[] = [];
  const sleep = async (ms: number) => void slept.push(ms);
  return {
    target: { url: 'http://127.0.0.1/v1/events', apiKey: 'k', fetch: fakeFetch, maxAttempts: 3, sleep },
    bodies,
    slept,
  };
}

const lines = ['{"n":0}', '{"n":1}', '{"n":2}', '{"n":3}'];

describe('deliverTracked', () => {
  it('re-sends exactly the indexes a 503 names, after Retry-After, and maps answers back to each event', async () => {
    const api = fakeApi([
      {
        status: 503,
        body: { accepted: 1, rejected: [{ index: 0, reason: 'schema_violation' }], failed: [2, 3] },
        retryAfter: '2',
      },
      { status: 503, body: { accepted: 1, rejected: [], failed: [1] }, retryAfter: '2' },
      { status: 200, body: { accepted: 1, rejected: [] } },
    ]);
    const delivery = await deliverTracked(lines, api.target);
    const body = (events: string[]) => `{"events":[${events.join(',')}]}`;
    expect(api.bodies).toEqual([body(lines), body(['{"n":2}', '{"n":3}']), body(['{"n":3}'])]);
    expect(api.slept).toEqual([2000, 2000]);
    expect(delivery.outcomes).toEqual([
      { kind: 'rejected', reason: 'schema_violation' },
      { kind: 'accepted' },
      { kind: 'accepted' },
      { kind: 'accepted' },
    ]);
    expect(delivery).toMatchObject({ partial503: 2, resentAfter503: 3, wholeRetries: 0, mismatches: [] });
  });

  it('rejects a malformed body whole, and leaves events undelivered when every attempt fails', async () => {
    const malformed = await deliverTracked(
      ['{"n":'],
      fakeApi([{ status: 400, body: { error: 'malformed_body' } }]).target,
    );
    expect(malformed.outcomes).toEqual([{ kind: 'rejected', reason: 'malformed_body' }]);
    const api = fakeApi([
      { status: 502, body: {} },
      { status: 429, body: {} },
      { status: 504, body: {} },
    ]);
    const down = await deliverTracked(lines.slice(0, 2), api.target);
    expect(api.bodies).toHaveLength(3);
    expect(down.outcomes).toEqual([{ kind: 'undelivered' }, { kind: 'undelivered' }]);
    expect(down.wholeRetries).toBe(2);
  });

  it('flags an answer whose accepted count disagrees with the indexes it left unnamed', async () => {
    const api = fakeApi([{ status: 200, body: { accepted: 3, rejected: [{ index: 1, reason: 'x' }] } }]);
    const delivery = await deliverTracked(lines.slice(0, 2), api.target);
    expect(delivery.mismatches).toHaveLength(1);
  });
});
